"""The firmware's pure core, one set of cases in two interpreters.

Each checker in `firmware_ble/tests_core/check_*.py` is plain Python returning
(checks, failures). Here it runs in CPython, in real MicroPython 1.27 (the WebAssembly
port under Node.js) from the .py sources, and in MicroPython again from the .mpy files
that mpy-cross compiles, which is what a sensor may be flashed with. The check counts
must agree: the same cases ran everywhere.

The driver checks use `tests_core/fake_i2c.py`, a recording stand-in for the I2C bus
(there is no bus or IMU here); the register writes they expect come from the datasheets.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.mpy_tools import BOARDS_DIR, FIRMWARE, TESTS_CORE, compile_mpy, run_micropython

VECTORS = FIRMWARE / "protocol_v1_vectors.json"

pytestmark = pytest.mark.firmware

# The pure modules: everything in firmware_ble/ but the hardware shell (app.py, main.py).
PURE_MODULES = (
    "protocol_core",
    "sample_ring",
    "batcher",
    "control",
    "board_check",
    "imu_catalog",
    "imu_frames",
    "imu_mpu6xxx",
    "imu_lsm6",
    "imu_icm42688",
    "imu",
    "adv",
    "battery",
    "status_led",
    "role_store",
)
HELPERS = ("expect", "fake_i2c")
# checker -> the fewest checks it may report (a checker that silently checks less fails)
CHECKERS = {
    "check_ring": 50,
    "check_batcher": 500,
    "check_control": 100,
    "check_boards": 30,
    "check_frames": 20,
    "check_drivers": 60,
    "check_misc": 30,
}
BOARD_NAMES = tuple(sorted(p.stem for p in BOARDS_DIR.glob("*.py")))

MICROPYTHON_SCRIPT = """
import sys, json
sys.path.insert(0, "/fw")
mods = {}
for name in %(modules)r:
    mods[name] = __import__(name)
with open("/fw/protocol_v1_vectors.json") as f:
    mods["vectors"] = json.load(f)
boards = {}
for name in %(boards)r:
    boards[name] = __import__(name).BOARD
mods["boards"] = boards
mods["tmpdir"] = "/fw"
print("implementation", sys.implementation.name, sys.implementation._mpy)
for name in %(checkers)r:
    try:
        checks, failures = __import__(name).run(mods)
    except Exception as exc:
        checks, failures = 0, ["run raised %%s %%r" %% (type(exc).__name__, str(exc))]
    print("CHECK", name, checks, len(failures))
    for failure in failures:
        print("FAIL", name, failure)
"""

Results = dict[str, tuple[int, list[str]]]


def _load_module(name: str, source: str | None = None) -> ModuleType:
    """A firmware module by its flat name; from `source` text instead of its file if given."""
    if source is None:
        return importlib.import_module(f"firmware_ble.{name}")
    module = ModuleType(f"mutated_{name}")
    exec(compile(source, f"<mutated {name}>", "exec"), module.__dict__)
    return module


def _boards() -> dict[str, Any]:
    boards = {}
    for name in BOARD_NAMES:
        namespace: dict[str, Any] = {}
        exec(compile((BOARDS_DIR / f"{name}.py").read_text(), name, "exec"), namespace)
        boards[name] = namespace["BOARD"]
    return boards


@pytest.fixture
def checkers(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    """The checker modules, imported with tests_core on sys.path as in MicroPython."""
    monkeypatch.syspath_prepend(str(TESTS_CORE))
    for name in (*CHECKERS, *HELPERS):
        sys.modules.pop(name, None)
    yield {name: importlib.import_module(name) for name in CHECKERS}
    for name in (*CHECKERS, *HELPERS):
        sys.modules.pop(name, None)


def _cpython_modules(tmp_path: Path, **replaced: ModuleType) -> dict[str, Any]:
    modules: dict[str, Any] = {name: _load_module(name) for name in PURE_MODULES}
    modules.update(replaced)
    modules["vectors"] = json.loads(VECTORS.read_text())
    modules["boards"] = _boards()
    modules["tmpdir"] = str(tmp_path)
    return modules


def _run_micropython(files: list[Path], tmp_path: Path) -> str:
    names = {"modules": PURE_MODULES, "boards": BOARD_NAMES, "checkers": tuple(CHECKERS)}
    return run_micropython(MICROPYTHON_SCRIPT % names, files, tmp_path)


def _parse(out: str) -> Results:
    results: Results = {}
    for line in out.splitlines():
        if line.startswith("CHECK "):
            _, name, checks, _count = line.split()
            results[name] = (int(checks), [])
        elif line.startswith("FAIL "):
            _, name, failure = line.split(" ", 2)
            results[name][1].append(failure)
    return results


def _sources() -> list[Path]:
    return [
        *(FIRMWARE / f"{name}.py" for name in PURE_MODULES),
        *(TESTS_CORE / f"{name}.py" for name in (*CHECKERS, *HELPERS)),
        *(BOARDS_DIR / f"{name}.py" for name in BOARD_NAMES),
    ]


@pytest.fixture(scope="module")
def micropython_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    tmp_path = tmp_path_factory.mktemp("mp_src")
    out = _run_micropython([*_sources(), VECTORS], tmp_path)
    assert "implementation micropython" in out
    return _parse(out)


@pytest.fixture(scope="module")
def mpy_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    tmp_path = tmp_path_factory.mktemp("mp_mpy")
    compiled = [compile_mpy(source, tmp_path / f"{source.stem}.mpy") for source in _sources()]
    out = _run_micropython([*compiled, VECTORS], tmp_path)
    assert "implementation micropython" in out
    return _parse(out)


@pytest.mark.parametrize("name", CHECKERS)
def test_checker_passes_in_cpython(name: str, checkers: dict[str, ModuleType], tmp_path: Path) -> None:
    checks, failures = checkers[name].run(_cpython_modules(tmp_path))
    assert failures == []
    assert checks >= CHECKERS[name]


@pytest.mark.parametrize("name", CHECKERS)
def test_checker_passes_in_micropython(
    name: str, micropython_results: Results, checkers: dict[str, ModuleType], tmp_path: Path
) -> None:
    checks, failures = micropython_results[name]
    assert failures == []
    # The same cases as in CPython, not a subset that happened to pass.
    cpython_checks, _ = checkers[name].run(_cpython_modules(tmp_path))
    assert checks == cpython_checks


@pytest.mark.parametrize("name", CHECKERS)
def test_checker_passes_in_micropython_from_mpy(
    name: str, mpy_results: Results, micropython_results: Results
) -> None:
    checks, failures = mpy_results[name]
    assert failures == []
    assert checks == micropython_results[name][0]


# --- The checkers can fail: each catches a deliberate bug. ---------------------------

MUTATIONS = {
    # checker, module, (text in the module, replacement), text one failure must contain
    "ring forgets to count overflow": (
        "check_ring",
        "sample_ring",
        ("self.overflow_samples += dropped", "pass"),
        "overflow_samples",
    ),
    "batcher never wraps the sequence": (
        "check_batcher",
        "batcher",
        ("(self.sequence + 1) % core.SEQUENCE_MODULUS", "self.sequence + 1"),
        "sequence wraps to 0",
    ),
    "batcher ignores the latency bound": (
        "check_batcher",
        "batcher",
        ("max(1, min(self.max_samples, by_latency))", "self.max_samples"),
        "waits <= the latency bound",
    ),
    "control acts on a wrong rate": (
        "check_control",
        "control",
        ("if arg not in self.supported_rates_hz:", "if False:"),
        "SET_RATE 400 on a part without it",
    ),
    "board check takes any address": (
        "check_boards",
        "board_check",
        ('if address not in spec["addresses"]:', "if False:"),
        "address of another part",
    ),
    "LSM6 gyro not scaled": (
        "check_frames",
        "imu_frames",
        ("scaled = raw * 3584", "scaled = raw * 3125"),
        "scale_lsm6_gyro",
    ),
    "MPU-6050 FIFO without gyro z": (
        "check_drivers",
        "imu_mpu6xxx",
        ("_FIFO_EN_MPU6050 = const(0x78)", "_FIFO_EN_MPU6050 = const(0x68)"),
        "MPU-6050 100 Hz: register writes",
    ),
    "ICM-42688-P ODR off by one": (
        "check_drivers",
        "imu_icm42688",
        ("100: 0x08", "100: 0x09"),
        "ICM-42688-P 100 Hz: register writes",
    ),
    "advertising without the interval": (
        "check_misc",
        "adv",
        ("_ad(AD_CONN_INTERVAL_RANGE,", "_ad(AD_NAME_COMPLETE,"),
        "advertising data",
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_checker_catches_a_bug(mutation: str, checkers: dict[str, ModuleType], tmp_path: Path) -> None:
    checker, module, (old, new), expected = MUTATIONS[mutation]
    source = (FIRMWARE / f"{module}.py").read_text()
    assert source.count(old) == 1, f"mutation target {old!r} not found once in {module}.py"
    mutated = _load_module(module, source.replace(old, new))
    replaced = {module: mutated}
    if module in {"imu_mpu6xxx", "imu_lsm6", "imu_icm42688"}:
        replaced["imu"] = _load_module("imu")
    _, failures = checkers[checker].run(_cpython_modules(tmp_path, **replaced))
    assert any(expected in failure for failure in failures), failures


def test_micropython_run_reports_a_broken_ring(tmp_path: Path) -> None:
    # The MicroPython side really checks too: a ring that does not count its overflow fails there.
    broken = tmp_path / "broken"
    broken.mkdir()
    ring = broken / "sample_ring.py"
    ring.write_text(
        (FIRMWARE / "sample_ring.py").read_text().replace("self.overflow_samples += dropped", "pass")
    )
    files = [ring if path.name == "sample_ring.py" else path for path in _sources()]
    results = _parse(_run_micropython([*files, VECTORS], tmp_path))
    checks, failures = results["check_ring"]
    assert checks > 0
    assert any("overflow_samples" in failure for failure in failures)
