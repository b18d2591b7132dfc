"""The firmware's hardware shell (app.py, supervisor.py) in real MicroPython, on MOCK hardware.

There is no board, radio or I2C bus here: `firmware_ble/tests_core/fakes/` stands in for
`machine`, `bluetooth` and `aioble`, and `tests_core/shell_app.py` simulates an MPU-6050's
FIFO on the fake bus. What runs for real is app.py and supervisor.py themselves, with
every pure module they call, in MicroPython 1.27 (WebAssembly, under Node.js): GATT
layout, START/STOP and the other commands, FIFO draining, packets decoded back, a
stalled BLE stack, a FIFO overflow, the MTU, a crash that reboots, safe mode; and
Sensor.run's tasks on MicroPython's own asyncio through a whole session (advertise,
connect, MTU exchange, START, stream, disconnect, advertise again).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.mpy_tools import BOARDS_DIR, FIRMWARE, TESTS_CORE, run_micropython

pytestmark = pytest.mark.firmware

SCRIPT = """
import sys
sys.path.insert(0, "/fw")
import %(module)s
checks, failures = %(module)s.run(%(args)s)
print("CHECK", checks, len(failures))
for failure in failures:
    print("FAIL", failure)
"""


def _files(tmp_path: Path, board: str) -> list[Path]:
    board_file = tmp_path / "board.py"
    shutil.copy(BOARDS_DIR / f"{board}.py", board_file)
    return [
        *(p for p in FIRMWARE.glob("*.py") if p.name not in {"__init__.py", "main.py"}),
        *TESTS_CORE.glob("*.py"),
        *(TESTS_CORE / "fakes").glob("*.py"),
        board_file,
    ]


BOARD = "esp32_devkit_mpu6050"


def _run(tmp_path: Path, module: str, args: str) -> tuple[int, list[str]]:
    script = SCRIPT % {"module": module, "args": args}
    out = run_micropython(script, _files(tmp_path, BOARD), tmp_path)
    checks = 0
    failures = []
    for line in out.splitlines():
        if line.startswith("CHECK "):
            checks = int(line.split()[1])
        elif line.startswith("FAIL "):
            failures.append(line[5:])
    return checks, failures


def test_app_shell_streams_and_obeys_commands(tmp_path: Path) -> None:
    checks, failures = _run(tmp_path, "shell_app", "")
    assert failures == []
    assert checks >= 60


def test_a_crash_records_and_resets(tmp_path: Path) -> None:
    checks, failures = _run(tmp_path, "shell_supervisor", "'crash'")
    assert failures == []
    assert checks == 2


def test_safe_mode_pin_skips_the_firmware(tmp_path: Path) -> None:
    checks, failures = _run(tmp_path, "shell_supervisor", "'safe_mode'")
    assert failures == []
    assert checks == 2


def test_the_shell_check_can_fail(tmp_path: Path) -> None:
    # A shell that forgets to commit sent packets resends the same samples: caught.
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    app = broken_dir / "app.py"
    source = (FIRMWARE / "app.py").read_text()
    assert source.count("self.batcher.commit(self.ring, count)") == 1
    app.write_text(source.replace("self.batcher.commit(self.ring, count)", "return"))
    files = [app if p.name == "app.py" else p for p in _files(tmp_path, BOARD)]
    out = run_micropython(SCRIPT % {"module": "shell_app", "args": ""}, files, tmp_path)
    assert "FAIL" in out


LOOPS_SCRIPT = 'import sys\nsys.path.insert(0, "/fw")\nimport shell_loops\nshell_loops.start()\n'


def test_app_loops_run_a_session(tmp_path: Path) -> None:
    # Sensor.run's tasks on MicroPython's asyncio: advertise, connect, MTU, START,
    # stream, disconnect, advertise again.
    out = run_micropython(LOOPS_SCRIPT, _files(tmp_path, BOARD), tmp_path)
    summary = [line for line in out.splitlines() if line.startswith("CHECK ")]
    assert len(summary) == 1, out
    _, checks, failures = summary[0].split()
    assert int(failures) == 0, out
    assert int(checks) >= 15


def test_the_loop_check_catches_a_notify_after_disconnection(tmp_path: Path) -> None:
    # Without the is_connected() guard the sampling loop notifies a closed connection,
    # dies, and stops feeding the watchdog: the scenario must notice.
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    app = broken_dir / "app.py"
    source = (FIRMWARE / "app.py").read_text()
    guard = " and connection is not None and connection.is_connected():"
    assert source.count(guard) == 1
    app.write_text(source.replace(guard, " and connection is not None:"))
    files = [app if p.name == "app.py" else p for p in _files(tmp_path, BOARD)]
    out = run_micropython(LOOPS_SCRIPT, files, tmp_path)
    assert "FAIL the sampling loop lives on" in out
