"""The command line: help, info, export, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from imu_reader.link_model import Transmission
from imu_reader.recording import read_recording
from reptempo import cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_only_working_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    listed = {
        line.split()[0]
        for line in out.split("COMMAND\n", 1)[1].split("\noptions")[0].splitlines()
        if line.startswith("    ") and not line.startswith("      ")
    }
    assert listed == set(cli.COMMANDS)
    for name in cli.COMMANDS:
        module = __import__(f"reptempo.commands.{name}", fromlist=["run"])
        assert callable(module.run)


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from reptempo.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "names = ('numpy', 'scipy', 'bleak', 'textual', 'mcap', 'aiomqtt')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stderr


def test_unit_choices_match_csvio() -> None:
    from imu_reader import csvio

    assert set(cli.ACC_UNITS) == set(csvio.ACC_UNITS)
    assert set(cli.GYR_UNITS) == set(csvio.GYR_UNITS)


def test_console_script_runs_info(two_sensor_session: tuple[Path, dict[str, Transmission]]) -> None:
    path, _ = two_sensor_session
    exe = Path(sys.executable).with_name("reptempo")
    result = subprocess.run([str(exe), "info", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "synthetic (simulator)" in result.stdout


def test_info_text(
    two_sensor_session: tuple[Path, dict[str, Transmission]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, streams = two_sensor_session
    code, out, err = run(["info", str(path)], capsys)
    assert code == 0, err
    lines = out.splitlines()
    pelvis = next(line for line in lines if line.startswith("pelvis"))
    cells = pelvis.split()
    assert cells[1] == "emulator"
    assert cells[2] == "100"
    assert float(cells[3]) == pytest.approx(99.0, abs=0.05)  # the pelvis oscillator runs 1% slow
    assert int(cells[6]) == streams["pelvis"].packets_lost
    assert "labels      reps" in out
    assert "events      1" in out


def test_info_json(
    two_sensor_session: tuple[Path, dict[str, Transmission]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, streams = two_sensor_session
    code, out, _ = run(["info", str(path), "--format", "json"], capsys)
    assert code == 0
    info = json.loads(out)
    assert info["synthetic"] is True
    assert info["started_utc"] == "2026-01-01T00:00:00+00:00"
    by_role = {s["role"]: s for s in info["sensors"]}
    assert by_role["shin"]["measured_rate_hz"] == pytest.approx(102.0, abs=0.05)
    assert by_role["shin"]["packets"] == len(streams["shin"].packets)
    expected_loss = 100 * streams["pelvis"].packets_lost / streams["pelvis"].packets_sent
    assert by_role["pelvis"]["loss_percent"] == pytest.approx(expected_loss, abs=0.01)
    assert 19.0 < info["duration_s"] < 21.0


@pytest.mark.parametrize(("acc_unit", "acc_factor"), [("m/s2", 1.0), ("g", 1 / 9.80665)])
@pytest.mark.parametrize(("gyr_unit", "gyr_factor"), [("rad/s", 1.0), ("dps", 180 / np.pi)])
def test_export(  # noqa: PLR0917 - pytest passes parameters positionally
    two_sensor_session: tuple[Path, dict[str, Transmission]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    acc_unit: str,
    acc_factor: float,
    gyr_unit: str,
    gyr_factor: float,
) -> None:
    path, _ = two_sensor_session
    out_dir = tmp_path / "csv"
    code, out, err = run(
        ["export", str(path), "--out", str(out_dir), "--acc-unit", acc_unit, "--gyr-unit", gyr_unit], capsys
    )
    assert code == 0, err
    assert str(out_dir / "shin.csv") in out.splitlines()
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "events.json",
        "labels.json",
        "pelvis.csv",
        "shin.csv",
    ]
    rec = read_recording(path)
    table = np.loadtxt(out_dir / "shin.csv", delimiter=",", skiprows=1)
    shin = rec.sensors["shin"].samples
    assert (out_dir / "shin.csv").read_text().splitlines()[0] == "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    assert np.allclose(table[:, 0], shin.time_s, atol=1e-6)
    assert np.allclose(table[:, 1:4], shin.acc_mps2 * acc_factor, rtol=1e-5, atol=1e-6)
    assert np.allclose(table[:, 4:7], shin.gyr_rps * gyr_factor, rtol=1e-5, atol=1e-6)
    assert json.loads((out_dir / "labels.json").read_text()) == rec.labels


def test_export_failure_leaves_nothing(
    two_sensor_session: tuple[Path, dict[str, Transmission]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from imu_reader import csvio

    path, _ = two_sensor_session
    real = csvio.write_canonical_csv
    calls = []

    def fail_on_second(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise OSError("disk full")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(csvio, "write_canonical_csv", fail_on_second)
    out_dir = tmp_path / "csv"
    with pytest.raises(OSError, match="disk full"):
        cli.main(["export", str(path), "--out", str(out_dir)])
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("command", ["info", "export"])
def test_not_mcap_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    bad = tmp_path / "shin.csv"
    bad.write_text("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,0,0,0,0\n")
    extra = ["--out", str(tmp_path / "out")] if command == "export" else []
    code, out, err = run([command, str(bad), *extra], capsys)
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [
        f"reptempo {command}: error: {bad}: not an MCAP file (bad magic bytes)"
    ]


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["info", str(tmp_path / "gone.mcap")], capsys)
    assert code == 2
    assert "gone.mcap: cannot read" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_unit_is_rejected_by_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["export", "x.mcap", "--out", str(tmp_path), "--acc-unit", "furlongs"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'furlongs'" in capsys.readouterr().err
