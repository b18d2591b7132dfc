"""`reptempo sim` and `reptempo demo`, the demo's status logic, and the example recordings."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from imu_reader.recording import RawBatch, RecordingContents, iter_recording, read_recording
from imu_reader.sim import GroundTruth, PostureSpan, RepTruth, SetTruth
from reptempo import _catalogue, cli
from reptempo._demo_status import Phase, SensorStatus, header_line, phase_at, status_line, truth_at
from reptempo.commands import demo, sim

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- the parser's literal tables -------------------------------------------------------------


def test_catalogue_matches_the_simulator() -> None:
    from firmware_ble import protocol_core
    from imu_reader import sim as library

    assert {name: e.description for name, e in library.EXERCISES.items()} == _catalogue.EXERCISES
    assert set(_catalogue.CORE_LEVELS) == set(library.CORE_CAPACITY)
    assert _catalogue.SIM_ROLES == library.SIM_ROLES
    assert _catalogue.RATES_HZ == protocol_core.RATES_HZ


def test_sim_help_lists_every_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sim", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name, description in _catalogue.EXERCISES.items():
        assert re.search(rf"^  {name} +{re.escape(description)}$", out, re.MULTILINE), name


@pytest.mark.parametrize("command", ["sim", "demo"])
def test_command_help_imports_nothing_heavy(command: str) -> None:
    code = (
        "import sys\n"
        "from reptempo.cli import main\n"
        f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('numpy', 'scipy', 'mcap') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stderr


# --- reptempo sim ------------------------------------------------------------------------------


def test_sim_writes_a_labelled_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "bkl.mcap"
    argv = ["sim", "--out", str(out_file), "--exercise", "bent_knee_lift", "--seed", "4"]
    code, out, err = run([*argv, "--sets", "2", "--reps", "3", "--rest", "5", "--tempo", "3-0-1-1"], capsys)
    assert code == 0, err
    assert out.startswith(f"Wrote {out_file} (")
    assert "2 sets of bent_knee_lift" in out
    assert "6 reps" in out
    assert [p.name for p in tmp_path.iterdir()] == ["bkl.mcap"]  # no temporary file left

    rec = read_recording(out_file)
    assert rec.synthetic
    assert rec.metadata["source"] == "sim"
    assert rec.metadata["exercise"] == "bent_knee_lift"
    assert rec.metadata["seed"] == "4"
    assert rec.metadata["core"] == "moderate"
    assert rec.metadata["tempo"] == "3-0-1-1"
    assert int(rec.metadata["start_unix_ns"]) == sim.start_unix_ns(4)
    simulation = rec.config["simulation"]
    assert simulation["plan"]["seed"] == 4
    assert len(simulation["plan"]["sets"]) == 2
    assert simulation["plan"]["sets"][0]["tempo"]["eccentric_s"] == 3.0
    assert simulation["sensors"] == ["shin", "pelvis"]
    assert simulation["random_mount"] is True
    assert rec.config["link"]["loss"] == 0.01

    assert set(rec.sensors) == {"shin", "pelvis"}
    for sensor in rec.sensors.values():
        assert sensor.info.rate_hz == 100
        assert sensor.info.imu_model == "emulator"
        assert len(sensor.samples) > 100 * 40
    labels = rec.labels
    assert labels is not None
    assert labels["synthetic"] is True
    assert len(labels["reps"]) == 6
    assert [s["reps"] for s in labels["sets"]] == [3, 3]
    # Each rep varies around the asked tempo, 3-0-1-1.
    assert np.median([r["eccentric_s"] for r in labels["reps"]]) == pytest.approx(3.0, rel=0.3)
    assert np.median([r["concentric_s"] for r in labels["reps"]]) == pytest.approx(1.0, rel=0.3)
    series = labels["series"]
    assert len(series["lift_angle_deg"]) == len(series["pelvis_tilt_deg"])
    assert len(series["lift_angle_deg"]) / series["rate_hz"] == pytest.approx(rec.duration_s, abs=0.5)


def test_sim_options_reach_the_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "shin25.mcap"
    code, _, err = run(
        [
            "sim",
            "--out",
            str(out_file),
            "--exercise",
            "dead_bug",
            "--reps",
            "4",
            "--rate",
            "25",
            "--sensors",
            "shin",
            "--samples-per-packet",
            "3",
            "--loss",
            "0",
            "--core",
            "weak",
            "--aligned-mounts",
            "--height",
            "1.6",
            "--mass",
            "60",
        ],
        capsys,
    )
    assert code == 0, err
    rec = read_recording(out_file)
    assert list(rec.sensors) == ["shin"]
    shin = rec.sensors["shin"]
    assert shin.info.rate_hz == 25
    assert shin.stats.packets_lost == 0
    assert len(shin.samples) == 3 * shin.packets
    assert rec.config["simulation"]["random_mount"] is False
    assert rec.config["simulation"]["plan"]["body"] == {"height_m": 1.6, "mass_kg": 60.0}
    assert rec.config["link"]["samples_per_packet"] == 3
    assert rec.labels is not None
    assert [r["leg"] for r in rec.labels["reps"]] == ["right", "left", "right", "left"]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--tempo", "4-0-2"),
        ("--tempo", "4-0-2-99"),
        ("--sensors", "shin,knee"),
        ("--sensors", "shin,,pelvis"),
        ("--sensors", "shin,shin_right"),
        ("--loss", "0.6"),
        ("--loss", "nan"),
        ("--loss-burst", "0.5"),
        ("--rate", "30"),
        ("--reps", "0"),
        ("--sets", "0"),
        ("--seed", "-1"),
        ("--exercise", "plank"),
        ("--swing", "1.5"),
        ("--partial", "-0.1"),
        ("--rest", "-1"),
        ("--height", "2.5"),
        ("--mass", "20"),
        ("--samples-per-packet", "20"),
    ],
)
def test_sim_bad_option_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    out_file = tmp_path / "x.mcap"
    argv = ["sim", "--out", str(out_file), "--exercise", "straight_leg_lift"]
    code, out, err = run([*argv, f"{option}={value}"], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"reptempo sim: error: {option}: ")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["x.csv", "missing/x.mcap"])
def test_sim_bad_out_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, _, err = run(["sim", "--out", str(tmp_path / name), "--exercise", "dead_bug"], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert len(err.splitlines()) == 1
    assert err.startswith("reptempo sim: error: --out: ")


def test_sim_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sim", "--exercise", "heel_taps", "--reps", "2", "--loss", "0.05", "--loss-burst", "3"]
    paths = [tmp_path / name for name in ("a.mcap", "b.mcap", "c.mcap")]
    for path, seed in zip(paths, ("7", "7", "8"), strict=True):
        code, _, err = run([*argv, "--out", str(path), "--seed", seed], capsys)
        assert code == 0, err
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_sim_failure_leaves_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out_file = tmp_path / "s.mcap"
    out_file.write_bytes(b"previous")
    real_write = sim.write_simulation

    def write_then_stop(path: Path, *args: object, **kwargs: object) -> None:
        real_write(path, *args, **kwargs)  # type: ignore[arg-type]
        assert path.exists()
        assert path != out_file
        raise KeyboardInterrupt

    monkeypatch.setattr(sim, "write_simulation", write_then_stop)
    code, _, _ = run(["sim", "--out", str(out_file), "--exercise", "dead_bug", "--reps", "1"], capsys)
    assert code == cli.EXIT_INTERRUPTED
    assert out_file.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["s.mcap"]


# --- the demo's status logic, on a truth written by hand --------------------------------------


def _rep(index: int, start_s: float, tempo: tuple[float, float, float, float]) -> RepTruth:
    """A rep that starts at the bottom: (concentric, top hold, eccentric, bottom pause) seconds."""
    con, top, ecc, bottom = tempo
    top_s = start_s + con
    bottom_s = top_s + top + ecc
    return RepTruth(
        index,
        0,
        "right",
        start_s,
        top_s,
        bottom_s,
        bottom_s + bottom,
        con,
        top,
        ecc,
        bottom,
        80.0,
        False,
        False,
    )


@pytest.fixture
def known_truth() -> GroundTruth:
    """Flat legs until 8 s, into position by 9.5 s; reps at 10-17.5 and 17.5-25 s; a sit-up at 30-40 s."""
    reps = (_rep(0, 10.0, (2.0, 1.0, 4.0, 0.5)), _rep(1, 17.5, (2.0, 1.0, 4.0, 0.5)))
    sets = (SetTruth(0, "straight_leg_lift", "weak", "4-0.5-2-1", 10.0, 25.0, 2, 2, 30.0),)
    postures = (
        PostureSpan("supine", 0.0, 30.0),
        PostureSpan("sitting", 30.0, 40.0),
        PostureSpan("supine", 40.0, 50.0),
    )
    t = np.arange(0.0, 50.0, 0.02)
    lift = np.interp(t, [0, 8, 9.5, 25, 26.5, 50], [0, 0, 8, 8, 0, 0])
    tilt = np.interp(t, [0, 14, 16, 18, 50], [0, 0, 12, 0, 0])
    return GroundTruth(reps, (), sets, postures, 5.0, 50.0, t, lift, tilt)


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (0.0, "resting"),
        (7.9, "resting"),
        (8.5, "getting into position"),
        (9.99, "getting into position"),
        (10.0, "set 1 rep 1 concentric"),
        (11.9, "set 1 rep 1 concentric"),
        (12.5, "set 1 rep 1 top"),
        (15.0, "set 1 rep 1 eccentric"),
        (17.2, "set 1 rep 1 bottom"),
        (17.5, "set 1 rep 2 concentric"),
        (24.9, "set 1 rep 2 bottom"),
        (26.0, "resting"),
        (35.0, "sitting"),
        (45.0, "resting"),
    ],
)
def test_phase_at_known_truth(known_truth: GroundTruth, t: float, expected: str) -> None:
    assert str(phase_at(known_truth, t)) == expected


def test_phase_fields(known_truth: GroundTruth) -> None:
    assert phase_at(known_truth, 20.0) == Phase("rep", 1, 2, "top")
    assert phase_at(known_truth, 9.0) == Phase("getting into position", 1)


def test_phase_of_a_rep_that_starts_at_the_top() -> None:
    # Dead bug: eccentric 0-3 s, bottom pause 3-3.5 s, concentric 3.5-5 s, top hold 5-6 s.
    rep = RepTruth(0, 0, "left", 0.0, 5.0, 3.0, 6.0, 1.5, 1.0, 3.0, 0.5, 75.0, False, False)
    sets = (SetTruth(0, "dead_bug", "moderate", "3-0.5-1.5-1", 0.0, 6.0, 1, 1, None),)
    t = np.arange(0.0, 10.0, 0.02)
    truth = GroundTruth((rep,), (), sets, (PostureSpan("supine", 0.0, 10.0),), 5.0, 50.0, t, t * 0, t * 0)
    phases = [str(phase_at(truth, x)) for x in (0.1, 2.9, 3.2, 4.0, 5.5, 7.0)]
    assert phases == [
        "set 1 rep 1 eccentric",
        "set 1 rep 1 eccentric",
        "set 1 rep 1 bottom",
        "set 1 rep 1 concentric",
        "set 1 rep 1 top",
        "resting",
    ]


def test_truth_at_interpolates(known_truth: GroundTruth) -> None:
    lift, tilt = truth_at(known_truth, 15.0)
    assert lift == pytest.approx(8.0)
    assert tilt == pytest.approx(6.0)


def test_status_line_fields_and_marker(known_truth: GroundTruth) -> None:
    sensors = [SensorStatus("shin", 101.234, 1.96), SensorStatus("pelvis", None, 0.0)]
    calm = status_line(
        75.4, sensors, Phase("rep", 2, 3, "eccentric"), lift_deg=42.26, tilt_deg=1.0, threshold_deg=5.0
    )
    assert calm.split() == [
        "1:15",
        "101.23",
        "2.0%",
        "---",
        "0.0%",
        "set",
        "2",
        "rep",
        "3",
        "eccentric",
        "42.3",
        "1.0",
    ]
    arching = status_line(5.0, sensors, Phase("resting"), lift_deg=0.0, tilt_deg=5.1, threshold_deg=5.0)
    assert arching.endswith("5.1  << back arching")
    assert "back arching" not in status_line(
        5.0, sensors, Phase("resting"), lift_deg=0.0, tilt_deg=5.0, threshold_deg=5.0
    )
    header = header_line(["shin", "pelvis"])
    assert header.split() == [
        "time",
        "shin",
        "Hz",
        "lost",
        "pelvis",
        "Hz",
        "lost",
        "phase",
        "lift",
        "deg",
        "tilt",
        "deg",
    ]
    assert header.index("phase") == calm.index("set 2")


def test_phase_at_matches_every_simulated_rep() -> None:
    from imu_reader.sim import SessionPlan, SetPlan, SimSettings, simulate

    plan = SessionPlan(
        sets=(SetPlan("dead_bug", reps=4, rest_after_s=5), SetPlan("straight_leg_lift", reps=3))
    )
    truth = simulate(SimSettings(plan, sensors=("shin",))).truth
    for rep in truth.reps:
        number = sum(1 for r in truth.reps[: rep.index + 1] if r.set == rep.set)
        middles = {
            "concentric": rep.top_s - rep.concentric_s / 2,
            "eccentric": rep.bottom_s - rep.eccentric_s / 2,
        }
        for name, t in middles.items():
            assert phase_at(truth, t) == Phase("rep", rep.set + 1, number, name)
    second = truth.sets[1]
    assert phase_at(truth, second.start_s - 0.2) == Phase("getting into position", 2)


# --- reptempo demo -----------------------------------------------------------------------------

STATUS = re.compile(
    r"^ ?\d+:\d\d  +(---|\d+\.\d\d)  +\d+\.\d%  +(---|\d+\.\d\d)  +\d+\.\d%  "
    r"(resting|getting into position|sitting|standing|set \d rep \d+ (concentric|top|eccentric|bottom)) +"
    r"-?\d+\.\d  +-?\d+\.\d(  << back arching)?$"
)


def test_demo_prints_a_status_line_per_second(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["demo", "--speed", "1000", "--duration", "20"], capsys)
    assert code == 0, err
    assert "lines marked >> are what the DSP" in out
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.lstrip().startswith("time"))
    assert lines[head].split()[:7] == ["time", "shin", "Hz", "lost", "pelvis", "Hz", "lost"]
    status = [line for line in lines[head + 1 : -1] if ">>" not in line]
    assert len(status) == 20
    for line in status:
        assert STATUS.match(line), line
    assert [line.split()[0] for line in status] == [f"0:{s:02d}" for s in range(1, 21)]
    assert "set 1 rep 1 concentric" in out  # the warm-up set starts within 20 s
    assert any(float(line.split()[1]) > 90 for line in status if line.split()[1] != "---")
    assert lines[-1].startswith("demo: stopped at 0:20 of ")


def test_demo_reaches_the_arching_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["demo", "--speed", "100000"], capsys)
    assert code == 0
    assert "<< back arching" in out
    assert "set 3 rep 6 eccentric" in out
    assert out.splitlines()[-1].startswith("demo: workout complete: 18 of 18 reps done")


def test_demo_prints_what_the_dsp_detects(capsys: pytest.CaptureFixture[str]) -> None:
    """The DSP's events, from the decoded sensor streams: every rep, the arching, each set."""
    code, out, _ = run(["demo", "--speed", "100000"], capsys)
    assert code == 0
    detected = [line for line in out.splitlines() if ">>" in line]
    reps = [line for line in detected if re.search(r">> rep \d+ of set \d", line)]
    # The truth has 18 reps (6 per set); the DSP must find them, set by set.
    for number in (1, 2, 3):
        assert sum(f"of set {number} " in line for line in reps) == 6, (number, reps)
    assert all(re.search(r"tempo \d+\.\d-\d+\.\d-\d+\.\d-\d+\.\d", line) for line in reps)
    # The weak-core set arches, the good sets do not.
    arching = [line for line in detected if "back arching" in line]
    assert arching
    assert all(line.split()[0] >= "2:" for line in arching), arching
    assert sum("set " in line and " done: 6 reps" in line for line in detected) == 3
    # The demo's athlete sits up once between sets (the simulator's postures: supine from
    # 0 s, sitting from 53.2 s, supine from 58.7 s).
    postures = [line.split() for line in detected if ">> posture" in line]
    assert [" ".join(p[3:]) for p in postures] == ["lying on the back", "sitting", "lying on the back"]
    assert [p[0] for p in postures] == ["0:01", "0:53", "0:59"]
    assert "detected 18 reps" in out.splitlines()[-1]


def test_demo_ctrl_c_is_a_clean_stop(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = demo.replay_session
    calls = 0

    def sleep(seconds: float) -> None:
        nonlocal calls
        calls += 1
        if calls == 100:  # 5 s of session time
            raise KeyboardInterrupt

    def replay_with_ctrl_c(replay: demo.Replay, **kwargs: object) -> float:
        return real(replay, **{**kwargs, "clock": lambda: 0.0, "sleep": sleep})  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "replay_session", replay_with_ctrl_c)
    code, out, _ = run(["demo"], capsys)
    assert code == 0
    assert out.splitlines()[-1].startswith("demo: stopped at 0:04 of ")


def test_demo_paces_by_speed() -> None:
    """The replay waits for each step's wall time: session time over speed (a fake clock)."""
    from imu_reader.sim import SimSettings, simulate, transmit_all

    simulation = simulate(SimSettings(demo.demo_plan(1), sensors=("shin",)))
    replay = demo.Replay(simulation, transmit_all(simulation))
    now = 0.0
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        nonlocal now
        waits.append(seconds)
        now += seconds

    lines: list[str] = []
    reached = demo.replay_session(
        replay, end_s=10.0, speed=4.0, emit=lines.append, clock=lambda: now, sleep=sleep
    )
    assert reached == 10.0
    assert now == pytest.approx(2.5)
    assert len(waits) == 200
    assert len(lines) == 1 + 10
    assert replay.samples["shin"] > 900


@pytest.mark.parametrize(
    ("option", "value"), [("--speed", "0"), ("--speed", "nan"), ("--duration", "-3"), ("--seed", "-2")]
)
def test_demo_bad_option_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    code, out, err = run(["demo", f"{option}={value}"], capsys)
    assert code == cli.EXIT_BAD_INPUT
    assert out == ""
    assert err.startswith(f"reptempo demo: error: {option}: ")
    assert len(err.splitlines()) == 1


# --- the example recordings --------------------------------------------------------------------


def _make_commands() -> dict[str, list[str]]:
    """File name -> `reptempo` arguments, from recordings/make.sh."""
    commands = {}
    for line in (RECORDINGS / "make.sh").read_text().splitlines():
        if line.startswith("run sim "):
            argv = shlex.split(line)[1:]
            commands[argv[argv.index("--out") + 1]] = argv
    return commands


def test_recordings_are_listed_and_small() -> None:
    files = sorted(p.name for p in RECORDINGS.glob("*.mcap"))
    assert files == sorted(_make_commands())
    readme = (RECORDINGS / "README.md").read_text()
    for name, argv in _make_commands().items():
        assert f"`{shlex.join(argv[1:])}`" in readme, name
    assert sum(p.stat().st_size for p in RECORDINGS.glob("*.mcap")) < 5e6
    exercises = {argv[argv.index("--exercise") + 1] for argv in _make_commands().values()}
    assert exercises == set(_catalogue.EXERCISES)


@pytest.mark.parametrize("name", sorted(_make_commands()))
def test_recording_info_and_labels(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = RECORDINGS / name
    code, out, err = run(["info", str(path), "--format", "json"], capsys)
    assert code == 0, err
    info = json.loads(out)
    assert info["synthetic"] is True
    assert info["source"] == "sim"
    assert info["warnings"] == []
    assert "reps" in info["labels"]
    argv = _make_commands()[name]
    rec = read_recording(path)
    assert rec.labels is not None
    sets = int(argv[argv.index("--sets") + 1]) if "--sets" in argv else 1
    assert len(rec.labels["reps"]) == sets * int(argv[argv.index("--reps") + 1])
    expected_roles = (
        argv[argv.index("--sensors") + 1].split(",") if "--sensors" in argv else ["shin", "pelvis"]
    )
    assert list(rec.sensors) == expected_roles


def _contents(path: Path) -> tuple[dict[str, str], dict[str, object], dict[str, bytes]]:
    contents = RecordingContents()
    raw: dict[str, bytearray] = {}
    for item in iter_recording(path, contents):
        if isinstance(item, RawBatch):
            buf = raw.setdefault(item.role, bytearray())
            buf += item.arrival_bytes.tobytes() + item.length_bytes.tobytes() + item.data_bytes.tobytes()
    metadata = {k: v for k, v in contents.metadata.items() if k != "software_version"}
    return (
        metadata,
        {"infos": contents.infos, "labels": contents.labels},
        {k: bytes(v) for k, v in raw.items()},
    )


def test_smallest_recording_regenerates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """make.sh's command gives the same data as the committed file (the bytes may differ only
    where the writer or the version changed: then run recordings/make.sh)."""
    name = min(_make_commands(), key=lambda n: (RECORDINGS / n).stat().st_size)
    argv = _make_commands()[name]
    fresh = tmp_path / name
    argv[argv.index("--out") + 1] = str(fresh)
    code, _, err = run(argv, capsys)
    assert code == 0, err
    assert _contents(fresh) == _contents(RECORDINGS / name), f"{name} is stale: run recordings/make.sh"


def test_sim_request_checks_before_simulating() -> None:
    args = argparse.Namespace(
        seed=0, sets=1, tempo="4-0-2-1", exercise="dead_bug", reps=2, core="weak", swing=0.0, partial=0.0,
        rest=10.0, height=1.8, mass=80.0, sensors="pelvis", rate=50, aligned_mounts=False,
        samples_per_packet=2, loss=0.1, loss_burst=2.0,
    )  # fmt: skip
    request = sim.sim_request(args)
    assert request.settings.sensors == ("pelvis",)
    assert request.settings.rate_hz == 50
    assert request.settings.plan.sets[0].core == "weak"
    assert request.link == sim.LinkOptions(2, 0.1, 2.0)
    json.dumps(sim.sim_config(request))
