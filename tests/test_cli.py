"""The command line: help, info, export, bad input."""

from __future__ import annotations

import json
import os
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


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("2", "2")])
def test_blas_threads_default_to_one_before_numpy_loads(given: str | None, expected: str) -> None:
    code = (
        "import os, sys\n"
        "from reptempo.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('THREADS', os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert f"THREADS {expected} False" in result.stderr


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
    capsys: pytest.CaptureFixture[str],
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
    assert cli.main(["export", str(path), "--out", str(out_dir)]) == cli.EXIT_FAILURE
    assert list(out_dir.iterdir()) == []
    err = capsys.readouterr().err
    assert err == "reptempo export: error: disk full\n"


@pytest.mark.parametrize("rate", ["0", "nan", "-5", "inf", "fast"])
def test_info_csv_rate_must_be_positive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: str
) -> None:
    csv = tmp_path / "shin.csv"
    csv.write_text("acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,9.8,0,0,0\n0,0,9.8,0,0,0\n")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["info", str(csv), "--rate", rate])
    assert exit_info.value.code == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("reptempo info: error: argument --rate:"), err


@pytest.mark.parametrize("command", ["info", "export"])
def test_not_mcap_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    bad = tmp_path / "shin.mcap"  # a CSV under a recording's name
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


GOOD_HEADER = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n"
BAD_CSV = {
    "missing.csv": (
        "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y\n0,0,0,1,0,0\n",
        "missing.csv: line 1: header is missing column(s) gyr_z",
    ),
    "nan.csv": (
        GOOD_HEADER + "0,0,0,9.8,0,0,0\n0.01,0,nan,9.8,0,0,0\n",
        "nan.csv: line 3: column acc_y: 'nan' is not a finite number",
    ),
    "backwards.csv": (
        GOOD_HEADER + "0,0,0,9.8,0,0,0\n0.01,0,0,9.8,0,0,0\n0.005,0,0,9.8,0,0,0\n",
        "backwards.csv: line 4: time does not increase",
    ),
    "empty.csv": ("", "empty.csv: file is empty"),
    "text.csv": (GOOD_HEADER + "0,0,0,9.8,0,0,0\n0.01,0,zero,9.8,0,0,0\n", "text.csv: line 3: column acc_y"),
    "notes.txt": ("hello world\n", "notes.txt: line 1: layout not recognised"),
}


@pytest.mark.parametrize("name", sorted(BAD_CSV))
def test_bad_csv_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    content, expected = BAD_CSV[name]
    path = tmp_path / name
    path.write_text(content)
    code, out, err = run(["info", str(path)], capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"reptempo info: error: {tmp_path}/")
    assert expected in lines[0]


def test_info_on_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(3)
    time_s = np.arange(500) / 50.0
    time_s[300:] += 1.0  # a one-second hole
    acc_g = np.column_stack([np.zeros(500), np.zeros(500), np.ones(500)]) + rng.normal(0, 0.01, (500, 3))
    rows = np.column_stack([time_s, acc_g, np.zeros((500, 3))])
    path = tmp_path / "phone.csv"
    np.savetxt(path, rows, delimiter=",", header=GOOD_HEADER.strip(), comments="", fmt="%.6f")
    code, out, err = run(["info", str(path), "--format", "json", "--acc-unit", "g"], capsys)
    assert code == 0, err
    info = json.loads(out)
    assert info["format"] == "a canonical CSV"
    assert info["samples"] == 500
    assert info["rate_hz"] == pytest.approx(50.0, abs=0.01)
    assert info["gaps"] == 1
    assert info["duration_s"] == pytest.approx(10.98, abs=1e-6)
    assert info["median_acc_g"] == pytest.approx(1.0, abs=0.02)
    code, out, _ = run(["info", str(path)], capsys)  # read as m/s2: the unit check warns
    assert code == 0
    assert "check --acc-unit" in out


def test_csv_flags_refused_for_recordings(
    two_sensor_session: tuple[Path, dict[str, Transmission]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = two_sensor_session
    code, _, err = run(["info", str(path), "--rate", "50"], capsys)
    assert code == 2
    assert err.strip() == f"reptempo info: error: {path}: --rate applies to CSV input only"


def test_unknown_schema_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mcap.writer import Writer

    path = tmp_path / "foreign.mcap"
    with path.open("wb") as handle:
        writer = Writer(handle)
        writer.start()
        writer.add_metadata("reptempo.session", {"format_version": "1"})
        schema = writer.register_schema("foo.Imu", "protobuf", b"")
        channel = writer.register_channel("/sensors/shin/raw", "protobuf", schema)
        writer.add_message(channel, 1, b"\x00", 1)
        writer.finish()
    code, _, err = run(["info", str(path)], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert f"{path}: record" in lines[0]
    assert "channel /sensors/shin/raw has schema 'foo.Imu'" in lines[0]
    assert "expected 'reptempo_msgs/msg/NotificationBatch'" in lines[0]


def test_info_reports_malformed_packets_by_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.sessions import make_transmission, write_session

    tx = make_transmission(3, seed=12)
    bad = [b"", b"\x02" + tx.packets[0][1:], tx.packets[1][:-1], tx.packets[2][:-1]]
    packets = tx.packets[:100] + bad + tx.packets[100:]
    arrival = np.concatenate((tx.arrival_s[:100], np.full(len(bad), tx.arrival_s[99]), tx.arrival_s[100:]))
    mangled = type(tx)(packets, arrival, tx.sample_time_s, tx.received, tx.packets_sent, tx.packets_lost)
    path = tmp_path / "bad_packets.mcap"
    write_session(path, {"shin": mangled})
    code, out, _ = run(["info", str(path), "--format", "json"], capsys)
    assert code == 0
    shin = json.loads(out)["sensors"][0]
    assert shin["malformed"] == 4
    assert shin["malformed_by_reason"] == {"truncated_header": 1, "unknown_version": 1, "wrong_length": 2}
    assert shin["samples"] == len(tx.packets)
    code, out, _ = run(["info", str(path)], capsys)
    assert "shin: malformed packets skipped: 1 truncated_header, 1 unknown_version, 2 wrong_length" in out


def test_export_skips_a_sensor_without_data_and_removes_stale_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from imu_reader.protocol import SensorInfo
    from imu_reader.recording import RecordingWriter, SessionMetadata
    from tests.sessions import make_transmission

    tx = make_transmission(2, seed=4)
    path = tmp_path / "pelvis_silent.mcap"
    with RecordingWriter(path, metadata=SessionMetadata("0.1.0", True, "test", 0), fsync=False) as writer:
        writer.add_sensor(SensorInfo("shin", 100, 8, 2000))
        writer.add_sensor(SensorInfo("pelvis", 100, 8, 2000))  # connected, never sent a packet
        writer.add_notifications("shin", tx.packets, tx.arrival_s.tolist())
    out_dir = tmp_path / "csv"
    out_dir.mkdir()
    (out_dir / "labels.json").write_text("{}")  # left by an export of another recording
    code, _, err = run(["export", str(path), "--out", str(out_dir)], capsys)
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == ["shin.csv"]
    assert "sensor pelvis has 0 samples; no CSV" in err


def test_export_into_a_file_is_one_line_exit_2(
    two_sensor_session: tuple[Path, dict[str, Transmission]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = two_sensor_session
    target = tmp_path / "taken"
    target.write_text("x")
    code, _, err = run(["export", str(path), "--out", str(target)], capsys)
    assert code == 2
    assert err.strip() == f"reptempo export: error: {target}: --out must be a directory, and this is a file"
