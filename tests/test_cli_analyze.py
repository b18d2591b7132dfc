"""`reptempo analyze`: input errors, feeding the pipeline, the JSON and text output, and the
real pipeline on the example recordings, exported CSVs and the shared data set.

Tests that only concern the command's own work (options, input, how samples are fed, how
events become output) run against a scripted stand-in for `dsp.pipeline`, so they pin the
output exactly; the tests at the end run the real pipeline.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from dsp import STANDARD_GRAVITY_MPS2, SensorSamples
from dsp.events import FLAGS, Calibrated, Event, Phase, PostureChanged, Rep, SetDone, TiltOnset, TiltRecovered
from dsp.settings import Settings
from imu_reader.csvio import write_canonical_csv
from imu_reader.link_model import Transmission
from imu_reader.recording import read_recording
from reptempo import cli
from reptempo.commands import analyze
from tests.sessions import make_transmission, write_session

REPO = Path(__file__).parents[1]
RECORDINGS = sorted((REPO / "recordings").glob("*.mcap"))
DATASET = REPO.parent / "shared" / "datasets" / "uci-pt-subject1"
needs_dataset = pytest.mark.skipif(
    not DATASET.is_dir(), reason=f"the shared data set is not in this workspace ({DATASET})"
)

SUMMARY_KEYS = {
    "rep_count",
    "full_rep_count",
    "set_count",
    "duration_s",
    "start_s",
    "end_s",
    "tilt_count",
    "eccentric_mean_s",
    "flag_counts",
    "has_tilt",
    "files",
    "sensors",
    "settings",
}
TILT_KEYS = ["onset_s", "end_s", "peak_deg", "leg_angle_at_onset_deg"]
SET_KEYS = ["index", "start_s", "end_s", "rep_count", "safe_end_range_deg"]
TEMPO = re.compile(r"^\d+\.\d-\d+\.\d-\d+\.\d-\d+\.\d$")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run a failing analyze: exit 2, nothing on stdout, one line on stderr; that line's message."""
    code, out, err = run(argv, capsys)
    assert code == cli.EXIT_BAD_INPUT, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("reptempo analyze: error: "), lines[0]
    return lines[0].removeprefix("reptempo analyze: error: ")


def still_samples(
    role: str, rate_hz: float, seconds: float, start_s: float = 0.0, seed: int = 0
) -> SensorSamples:
    """A sensor lying still: gravity on z plus noise."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate_hz)
    time_s = start_s + np.arange(n) / rate_hz
    acc = np.array([0.0, 0.0, STANDARD_GRAVITY_MPS2]) + rng.normal(0.0, 0.05, (n, 3))
    return SensorSamples(role, time_s, acc, rng.normal(0.0, 0.01, (n, 3)))


@pytest.fixture
def csv_pair(tmp_path: Path) -> tuple[Path, Path]:
    """A shin CSV at 100 Hz and a pelvis CSV at 50 Hz that starts 0.33 s later, in g and dps."""
    shin, pelvis = tmp_path / "shin.csv", tmp_path / "pelvis.csv"
    write_canonical_csv(still_samples("shin", 100.0, 7.0, seed=1), shin, acc_unit="g", gyr_unit="dps")
    write_canonical_csv(
        still_samples("pelvis", 50.0, 6.0, 0.33, seed=2), pelvis, acc_unit="g", gyr_unit="dps"
    )
    return shin, pelvis


# --- a scripted stand-in for dsp.pipeline ------------------------------------------------


def scripted_events(has_tilt: bool) -> list[Event]:
    """What the stand-in reports at the end: reps out of order, a closed and an open tilt
    episode, a set, and events analyze must ignore."""
    tilt = 7.123456 if has_tilt else None
    curl = 12.345678 if has_tilt else None

    def rep(index: int, start_s: float, partial: bool, flags: tuple[str, ...]) -> Rep:
        return Rep(
            time_s=start_s + 3.5,
            index=index,
            set_index=0,
            leg="shin",
            start_s=start_s,
            top_s=start_s + 1.0004,
            bottom_s=start_s + 3.0,
            end_s=start_s + 3.25,
            concentric_s=1.0004,
            pause_top_s=0.5,
            eccentric_s=1.4996,
            pause_bottom_s=0.25,
            rom_deg=61.98765,
            peak_velocity_dps=55.0,
            partial=partial,
            max_anterior_tilt_deg=tilt,
            flags=flags,
            max_posterior_tilt_deg=curl,
        )

    events: list[Event] = [
        Calibrated(time_s=1.0, role="shin", what="rest"),
        Phase(time_s=1.2, leg="shin", phase="concentric", start_s=1.1, angle_deg=3.0),
        rep(1, 3.0, True, ("partial", "eccentric_too_fast")),
        rep(0, 0.5, False, ()),
    ]
    if has_tilt:
        events += [
            TiltOnset(
                time_s=4.5, onset_s=4.0, threshold_s=4.4, tilt_deg=5.2, leg_angle_at_onset_deg=31.23456
            ),
            TiltRecovered(
                time_s=5.5, onset_s=4.0, end_s=5.4, peak_deg=9.87654, leg_angle_at_onset_deg=31.23456
            ),
            TiltOnset(time_s=6.0, onset_s=5.8, threshold_s=5.9, tilt_deg=5.5, leg_angle_at_onset_deg=None),
            PostureChanged(time_s=1.1, start_s=1.1, posture="supine"),
            PostureChanged(time_s=6.8, start_s=6.3456, posture="sitting"),
        ]
    events.append(
        SetDone(
            time_s=6.9,
            index=0,
            start_s=0.5,
            end_s=6.25,
            rep_count=2,
            full_rep_count=1,
            eccentric_mean_s=1.5,
            eccentric_sd_s=0.0,
            tilt_count=1 if has_tilt else 0,
            safe_end_range_deg=31.23456 if has_tilt else None,
        )
    )
    return events


class FakePipeline:
    """Records what it is fed; reports `scripted_events` at the end."""

    made: ClassVar[list[FakePipeline]] = []

    def __init__(
        self,
        rates_hz: Mapping[str, float],
        settings: Settings | None = None,
        *,
        gyro_range_dps: Mapping[str, float] | None = None,
    ) -> None:
        self.rates_hz = dict(rates_hz)
        self.settings = settings
        self.gyro_range_dps = gyro_range_dps
        self.blocks: list[dict[str, SensorSamples]] = []
        self.finished = 0
        FakePipeline.made.append(self)

    @property
    def has_tilt(self) -> bool:
        return "pelvis" in self.rates_hz

    def process(self, block: Mapping[str, SensorSamples] | SensorSamples) -> list[Event]:
        assert not self.finished
        assert isinstance(block, dict)
        self.blocks.append(block)
        return []

    def finish(self) -> list[Event]:
        self.finished += 1
        return scripted_events(self.has_tilt)


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> type[FakePipeline]:
    module = types.ModuleType("dsp.pipeline")
    module.Pipeline = FakePipeline  # type: ignore[attr-defined]
    module.SHIN_ROLES = ("shin", "shin_right", "shin_left")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dsp.pipeline", module)
    monkeypatch.setattr(FakePipeline, "made", [])
    return FakePipeline


# --- checks every result must pass ----------------------------------------------------------


def check_result(res: dict[str, Any], *, has_tilt: bool, start_s: float, end_s: float) -> None:
    """Structure, types and consistency of one analyze result; times inside [start_s, end_s]."""
    assert list(res) == ["summary", "reps", "tilt_events", "sets", "postures"]
    summary, reps, tilts, sets = res["summary"], res["reps"], res["tilt_events"], res["sets"]
    assert set(summary) == SUMMARY_KEYS
    assert summary["rep_count"] == len(reps)
    assert summary["full_rep_count"] == sum(not r["partial"] for r in reps)
    assert summary["set_count"] == len(sets)
    assert summary["has_tilt"] is has_tilt
    assert summary["duration_s"] == pytest.approx(end_s - start_s, abs=2e-3)
    assert summary["start_s"] == pytest.approx(start_s, abs=1e-3)
    assert summary["end_s"] == pytest.approx(end_s, abs=1e-3)
    assert summary["tilt_count"] == (len(tilts) if has_tilt else None)
    eps = 1e-3
    for i, r in enumerate(reps):
        assert list(r) == list(analyze.REP_KEYS)
        assert r["index"] == i
        assert type(r["set"]) is int
        assert type(r["partial"]) is bool
        assert isinstance(r["tempo"], str)
        assert TEMPO.match(r["tempo"]), r["tempo"]
        assert isinstance(r["flags"], list)
        assert set(r["flags"]) <= set(FLAGS)
        for key in ("start_s", "top_s", "bottom_s", "end_s", "concentric_s", "pause_top_s", "eccentric_s",
                    "pause_bottom_s", "rom_deg"):  # fmt: skip
            assert type(r[key]) is float, (key, r[key])
        for key in ("concentric_s", "pause_top_s", "eccentric_s", "pause_bottom_s"):
            assert r[key] >= 0
        assert start_s - eps <= r["start_s"] <= min(r["top_s"], r["bottom_s"]) + eps
        assert max(r["top_s"], r["bottom_s"]) <= r["end_s"] + eps <= end_s + 2 * eps
        if has_tilt:
            assert type(r["max_anterior_tilt_deg"]) is float
            # Unknown for a rep over before the pelvis's direction was.
            curl = r["max_posterior_tilt_deg"]
            assert curl is None or (type(curl) is float and curl >= 0)
        else:
            assert r["max_anterior_tilt_deg"] is None
            assert r["max_posterior_tilt_deg"] is None
    assert [r["start_s"] for r in reps] == sorted(r["start_s"] for r in reps)
    for t in tilts:
        assert list(t) == TILT_KEYS
        assert start_s - eps <= t["onset_s"] <= end_s + eps
        assert type(t["peak_deg"]) is float
        if t["end_s"] is not None:
            assert t["onset_s"] <= t["end_s"] <= end_s + eps
    assert [t["onset_s"] for t in tilts] == sorted(t["onset_s"] for t in tilts)
    if not has_tilt:
        assert tilts == []
    for k, s in enumerate(sets):
        assert list(s) == SET_KEYS
        assert s["index"] == k
        assert start_s - eps <= s["start_s"] <= s["end_s"] <= end_s + eps
        assert s["rep_count"] == sum(r["set"] == k for r in reps)
        assert (s["safe_end_range_deg"] is None) or has_tilt
    if sets:
        assert {r["set"] for r in reps} <= {s["index"] for s in sets}


# --- input errors: one line, exit 2 ----------------------------------------------------------


def test_no_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert one_error_line([], capsys) == "--shin: no input: give a recording (FILE.mcap) or --shin FILE.csv"


def test_missing_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gone = tmp_path / "gone.mcap"
    assert one_error_line([str(gone)], capsys).startswith(f"{gone}: cannot read")


def test_not_mcap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "session.mcap"
    bad.write_text("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,0,0,0,0\n")
    assert one_error_line([str(bad)], capsys) == f"{bad}: not an MCAP file (bad magic bytes)"


def test_csv_given_as_recording_gets_a_hint(
    csv_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    shin, _ = csv_pair
    message = one_error_line([str(shin)], capsys)
    assert message == f"{shin}: not an MCAP file (bad magic bytes); for CSV input use --shin {shin}"


def test_recording_without_shin(
    tmp_path: Path, fake_pipeline: type[FakePipeline], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pelvis_only.mcap"
    write_session(path, {"pelvis": make_transmission(3, seed=5)})
    message = one_error_line([str(path)], capsys)
    assert message == (
        f"{path}: no shin sensor (found pelvis): reps are counted on a shin (shin, shin_right, shin_left)"
    )
    assert fake_pipeline.made == []


def test_missing_shin_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gone = tmp_path / "shin.csv"
    assert one_error_line(["--shin", str(gone)], capsys) == f"{gone}: no such file or folder"


def test_pelvis_without_shin(csv_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, pelvis = csv_pair
    message = one_error_line(["--pelvis", str(pelvis)], capsys)
    assert message == "--pelvis: needs --shin too: reps are counted on the shin"


def test_recording_and_csv_together(csv_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    shin, _ = csv_pair
    message = one_error_line([str(RECORDINGS[0]), "--shin", str(shin)], capsys)
    assert message == "--shin: give either a recording or CSV files (--shin, --pelvis), not both"


@pytest.mark.parametrize("flag", [["--rate", "100"], ["--acc-unit", "g"], ["--gyr-unit", "dps"]])
def test_csv_options_refused_for_a_recording(flag: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    message = one_error_line([str(RECORDINGS[0]), *flag], capsys)
    assert message == f"{flag[0]}: applies to CSV input (--shin) only"


@pytest.mark.parametrize(
    ("rate", "reason"),
    [
        ("fast", "not a number: 'fast'"),
        ("0", "must be 25 to 400 Hz, got 0"),
        ("-100", "must be 25 to 400 Hz, got -100"),
        ("nan", "must be 25 to 400 Hz, got nan"),
        ("inf", "must be 25 to 400 Hz, got inf"),
        ("10", "must be 25 to 400 Hz, got 10"),
        ("1000", "must be 25 to 400 Hz, got 1000"),
    ],
)
def test_bad_rate(
    csv_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str], rate: str, reason: str
) -> None:
    shin, _ = csv_pair
    assert one_error_line(["--shin", str(shin), "--rate", rate], capsys) == f"--rate: {reason}"


def test_rate_that_contradicts_the_time_column(
    csv_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    shin, _ = csv_pair
    message = one_error_line(
        ["--shin", str(shin), "--rate", "50", "--acc-unit", "g", "--gyr-unit", "dps"], capsys
    )
    assert message == (
        f"{shin}: --rate 50 Hz contradicts the time column (median step 10.00 ms, 100.0 Hz): "
        "leave --rate out for a file with times in seconds"
    )


def test_rate_out_of_range_in_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fast.csv"
    write_canonical_csv(still_samples("shin", 1000.0, 1.0), path)
    message = one_error_line(["--shin", str(path)], capsys)
    assert message.startswith(f"{path}: sample rate 1000.0 Hz (median time step) is outside the 25 to 400 Hz")


def test_files_that_do_not_overlap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shin, pelvis = tmp_path / "shin.csv", tmp_path / "pelvis.csv"
    write_canonical_csv(still_samples("shin", 100.0, 5.0), shin)
    write_canonical_csv(still_samples("pelvis", 100.0, 5.0, start_s=100.0), pelvis)
    message = one_error_line(["--shin", str(shin), "--pelvis", str(pelvis)], capsys)
    assert message == (
        f"{pelvis}: does not overlap in time with the shin file (shin 0.00 to 4.99 s, pelvis 100.00 to "
        "104.99 s): both files must share one time origin"
    )


def test_bad_csv_is_reported_by_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "shin.csv"
    path.write_text("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,0\n0.01,0,x,9.8,0,0,0\n")
    assert (
        one_error_line(["--shin", str(path)], capsys) == f"{path}: line 3: column acc_y: 'x' is not a number"
    )


BAD_CONFIGS = {
    "unknown key": (
        "[dsp]\ntilt_treshold_deg = 4.0\n",
        "[dsp]: unknown setting 'tilt_treshold_deg' (known: ",
    ),
    "negative": (
        "[dsp]\ntilt_threshold_deg = -1\n",
        "[dsp]: tilt_threshold_deg must be a finite number > 0, got -1.0",
    ),
    "string": ('[dsp]\nset_rest_s = "20"\n', "[dsp] set_rest_s: must be a number, got '20'"),
    "boolean": ("[dsp]\nmin_rom_deg = true\n", "[dsp] min_rom_deg: must be a number, got True"),
    "not a table": ("dsp = 3\n", "dsp must be a table ([dsp])"),
    "not TOML": ("[dsp\ntilt_threshold_deg = 4\n", "not valid TOML: "),
    "partial >= 1": ("[dsp]\npartial_fraction = 1.5\n", "[dsp]: partial_fraction must be < 1, got 1.5"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config(
    tmp_path: Path, csv_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, expected = BAD_CONFIGS[case]
    config = tmp_path / "coach.toml"
    config.write_text(text)
    shin, _ = csv_pair
    message = one_error_line(["--shin", str(shin), "--config", str(config)], capsys)
    assert message.startswith(f"{config}: {expected}"), message


def test_missing_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "gone.toml"
    message = one_error_line([str(RECORDINGS[0]), "--config", str(config)], capsys)
    assert message == f"{config}: no such file"


# --- feeding the pipeline (scripted stand-in) -------------------------------------------------


def test_blocks_cover_every_sample_once_in_time_order() -> None:
    shin = still_samples("shin", 100.0, 10.0, start_s=0.37)
    pelvis = still_samples("pelvis", 25.0, 6.0, start_s=0.05)
    keep = (pelvis.time_s < 2.0) | (pelvis.time_s > 4.5)  # a 2.5 s hole in the pelvis
    pelvis = SensorSamples("pelvis", pelvis.time_s[keep], pelvis.acc_mps2[keep], pelvis.gyr_rps[keep])
    got = list(analyze.blocks({"shin": shin, "pelvis": pelvis}))
    windows = [{math.floor(float(s.time_s[0])) for s in block.values()} for block in got]
    assert all(len(w) == 1 for w in windows)  # every sensor of a block is in the same second
    seconds = [w.pop() for w in windows]
    assert seconds == list(range(11))
    for block, second in zip(got, seconds, strict=True):
        for samples in block.values():
            assert second <= samples.time_s[0] <= samples.time_s[-1] < second + 1
    both = ["pelvis", "shin"]
    # The pelvis runs 0.05 to 6.01 s with a hole from 2 to 4.5 s: the shin goes on alone.
    assert [sorted(b) for b in got] == [both, both, ["shin"], ["shin"], both, both, both] + [["shin"]] * 4
    for original in (shin, pelvis):
        joined = SensorSamples.concatenate([b[original.role] for b in got if original.role in b])
        assert np.array_equal(joined.time_s, original.time_s)
        assert np.array_equal(joined.acc_mps2, original.acc_mps2)
        assert np.array_equal(joined.gap_before, original.gap_before)


def test_csv_pair_is_fed_together(
    csv_pair: tuple[Path, Path], fake_pipeline: type[FakePipeline], capsys: pytest.CaptureFixture[str]
) -> None:
    shin, pelvis = csv_pair
    code, out, err = run(
        [
            "--shin",
            str(shin),
            "--pelvis",
            str(pelvis),
            "--acc-unit",
            "g",
            "--gyr-unit",
            "dps",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 0, err
    (pipeline,) = fake_pipeline.made
    assert pipeline.rates_hz == {"shin": 100.0, "pelvis": 50.0}
    assert pipeline.settings is None
    assert pipeline.gyro_range_dps is None  # a CSV does not say
    assert pipeline.finished == 1
    assert len(pipeline.blocks) == 7
    assert sum(len(b["shin"]) for b in pipeline.blocks) == 700
    assert sum(len(b.get("pelvis", ())) for b in pipeline.blocks) == 300
    first = pipeline.blocks[0]
    # Units converted: a still sensor reads 1 g up on z, and the noise was 0.01 rad/s.
    assert np.median(first["shin"].acc_mps2[:, 2]) == pytest.approx(STANDARD_GRAVITY_MPS2, abs=0.05)
    assert np.std(first["shin"].gyr_rps) == pytest.approx(0.01, rel=0.2)
    res = json.loads(out)
    check_result(res, has_tilt=True, start_s=0.0, end_s=6.99)
    assert res["summary"]["files"] == {"shin": str(shin), "pelvis": str(pelvis)}
    assert res["summary"]["sensors"] == {
        "shin": {"rate_hz": 100.0, "samples": 700},
        "pelvis": {"rate_hz": 50.0, "samples": 300},
    }


def test_recording_is_fed_on_its_timeline(
    two_sensor_session: tuple[Path, dict[str, Transmission]],
    fake_pipeline: type[FakePipeline],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = two_sensor_session
    rec = read_recording(path)
    code, out, err = run([str(path), "--format", "json"], capsys)
    assert code == 0, err
    (pipeline,) = fake_pipeline.made
    assert pipeline.rates_hz == {"shin": 100.0, "pelvis": 100.0}
    assert pipeline.gyro_range_dps == {"shin": 2000.0, "pelvis": 2000.0}  # from the sensor info
    for role, sensor in rec.sensors.items():
        fed = SensorSamples.concatenate([b[role] for b in pipeline.blocks if role in b])
        assert np.array_equal(fed.time_s, sensor.samples.time_s)
        assert np.array_equal(fed.gyr_rps, sensor.samples.gyr_rps)
        assert np.array_equal(fed.gap_before, sensor.samples.gap_before)
    assert all(len(b) == 2 for b in pipeline.blocks[1:-1])  # both sensors advance together
    summary = json.loads(out)["summary"]
    assert summary["start_s"] == 0.0
    assert summary["end_s"] == pytest.approx(rec.duration_s, abs=1e-3)
    assert summary["files"] == {"recording": str(path)}


def test_rate_snaps_to_a_nominal_one_or_rounds(
    tmp_path: Path, fake_pipeline: type[FakePipeline], capsys: pytest.CaptureFixture[str]
) -> None:
    for measured, nominal in ((97.6, 100.0), (51.9, 50.0), (30.2, 30.0), (25.0, 25.0)):
        path = tmp_path / f"shin{measured}.csv"
        write_canonical_csv(still_samples("shin", measured, 4.0), path)
        code, _, err = run(["--shin", str(path), "--format", "json"], capsys)
        assert code == 0, err
        assert fake_pipeline.made[-1].rates_hz == {"shin": nominal}


def test_config_reaches_the_pipeline(
    tmp_path: Path,
    csv_pair: tuple[Path, Path],
    fake_pipeline: type[FakePipeline],
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "coach.toml"
    config.write_text("[mqtt]\nhost = 'x'\n\n[dsp]\neccentric_target_s = 3.5\ntilt_threshold_deg = 4\n")
    shin, _ = csv_pair
    code, out, err = run(["--shin", str(shin), "--config", str(config), "--format", "json"], capsys)
    assert code == 0, err
    expected = Settings(eccentric_target_s=3.5, tilt_threshold_deg=4.0)
    assert fake_pipeline.made[0].settings == expected
    assert json.loads(out)["summary"]["settings"]["tilt_threshold_deg"] == 4.0
    code, out, _ = run(["--shin", str(shin), "--format", "json"], capsys)
    assert json.loads(out)["summary"]["settings"] == {k: float(v) for k, v in vars(Settings()).items()}


# --- output (scripted stand-in) -----------------------------------------------------------


def test_json_output_from_events(
    csv_pair: tuple[Path, Path], fake_pipeline: type[FakePipeline], capsys: pytest.CaptureFixture[str]
) -> None:
    shin, pelvis = csv_pair
    code, out, _ = run(["--shin", str(shin), "--pelvis", str(pelvis), "--acc-unit", "g", "--gyr-unit", "dps",
                        "--format", "json"], capsys)  # fmt: skip
    assert code == 0
    res = json.loads(out)
    assert res["reps"] == [
        {
            "index": 0,
            "set": 0,
            "start_s": 0.5,
            "top_s": 1.5,
            "bottom_s": 3.5,
            "end_s": 3.75,
            "concentric_s": 1.0,
            "pause_top_s": 0.5,
            "eccentric_s": 1.5,
            "pause_bottom_s": 0.25,
            "tempo": "1.5-0.2-1.0-0.5",
            "rom_deg": 61.99,
            "partial": False,
            "max_anterior_tilt_deg": 7.12,
            "max_posterior_tilt_deg": 12.35,
            "flags": [],
        },
        {
            "index": 1,
            "set": 0,
            "start_s": 3.0,
            "top_s": 4.0,
            "bottom_s": 6.0,
            "end_s": 6.25,
            "concentric_s": 1.0,
            "pause_top_s": 0.5,
            "eccentric_s": 1.5,
            "pause_bottom_s": 0.25,
            "tempo": "1.5-0.2-1.0-0.5",
            "rom_deg": 61.99,
            "partial": True,
            "max_anterior_tilt_deg": 7.12,
            "max_posterior_tilt_deg": 12.35,
            "flags": ["partial", "eccentric_too_fast"],
        },
    ]
    assert res["tilt_events"] == [
        {"onset_s": 4.0, "end_s": 5.4, "peak_deg": 9.88, "leg_angle_at_onset_deg": 31.23},
        {"onset_s": 5.8, "end_s": None, "peak_deg": 5.5, "leg_angle_at_onset_deg": None},
    ]
    assert res["sets"] == [
        {"index": 0, "start_s": 0.5, "end_s": 6.25, "rep_count": 2, "safe_end_range_deg": 31.23}
    ]
    summary = res["summary"]
    assert (summary["rep_count"], summary["full_rep_count"], summary["set_count"]) == (2, 1, 1)
    assert summary["tilt_count"] == 2
    assert summary["eccentric_mean_s"] == 1.5
    assert summary["flag_counts"] == {"partial": 1, "eccentric_too_fast": 1}
    assert summary["duration_s"] == 6.99
    assert res["postures"] == [
        {"start_s": 1.1, "posture": "supine"},
        {"start_s": 6.346, "posture": "sitting"},
    ]


def test_without_pelvis_tilt_values_are_null(
    csv_pair: tuple[Path, Path], fake_pipeline: type[FakePipeline], capsys: pytest.CaptureFixture[str]
) -> None:
    shin, _ = csv_pair
    code, out, _ = run(
        ["--shin", str(shin), "--acc-unit", "g", "--gyr-unit", "dps", "--format", "json"], capsys
    )
    assert code == 0
    res = json.loads(out)
    check_result(res, has_tilt=False, start_s=0.0, end_s=6.99)
    assert res["summary"]["tilt_count"] is None
    assert [r["max_anterior_tilt_deg"] for r in res["reps"]] == [None, None]
    assert [r["max_posterior_tilt_deg"] for r in res["reps"]] == [None, None]
    assert res["sets"][0]["safe_end_range_deg"] is None
    assert res["tilt_events"] == []
    assert res["postures"] == []


def test_text_output_from_events(
    csv_pair: tuple[Path, Path], fake_pipeline: type[FakePipeline], capsys: pytest.CaptureFixture[str]
) -> None:
    shin, pelvis = csv_pair
    code, out, _ = run(
        ["--shin", str(shin), "--pelvis", str(pelvis), "--acc-unit", "g", "--gyr-unit", "dps"], capsys
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"input     shin: {shin}  pelvis: {pelvis}"
    assert lines[1] == "sensors   shin 100 Hz, pelvis 50 Hz"
    assert lines[2] == "session   0:00.0 to 0:07.0 (7.0 s)"
    assert lines[3] == "reps      2 (1 full) in 1 set; 2 tilt episodes"
    assert lines[4] == "lowering  1.5 s on average (full reps)"
    table = lines[6:9]
    assert table[0].split() == ["rep", "set", "start", "end", "tempo", "E-B-C-T", "lower", "s", "ROM", "deg",
                                "tilt", "deg", "curl", "deg", "flags"]  # fmt: skip
    assert table[1].split() == ["1", "1", "0:00.5", "0:03.8", "1.5-0.2-1.0-0.5", "1.5", "62", "7.1", "12.3"]
    assert table[2].split() == [*["2", "1", "0:03.0", "0:06.2", "1.5-0.2-1.0-0.5", "1.5", "62", "7.1"],
                                "12.3", "partial", "eccentric_too_fast"]  # fmt: skip
    assert lines[9:] == [
        "",
        "set   start     end  reps  safe end range deg",
        "  1  0:00.5  0:06.2     2                31.2",
        "",
        "tilt   onset     end  peak deg  leg angle at onset deg",
        "   1  0:04.0  0:05.4       9.9                    31.2",
        "   2  0:05.8  (open)       5.5                       -",
        "",
        "posture   supine from 0:01.1, sitting from 0:06.3",
    ]


def test_text_without_pelvis(
    csv_pair: tuple[Path, Path], fake_pipeline: type[FakePipeline], capsys: pytest.CaptureFixture[str]
) -> None:
    shin, _ = csv_pair
    code, out, _ = run(["--shin", str(shin), "--acc-unit", "g", "--gyr-unit", "dps"], capsys)
    assert code == 0
    assert "reps      2 (1 full) in 1 set; no pelvis sensor: no tilt analysis" in out
    assert "onset" not in out
    rows = out.splitlines()
    assert rows[7].split()[7:9] == ["-", "-"]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "-"),
        (0.0, "0:00.0"),
        (9.96, "0:10.0"),
        (61.25, "1:01.2"),
        (3725.04, "1:02:05.0"),
        (-1.5, "-0:01.5"),
    ],
)
def test_clock(seconds: float | None, shown: str) -> None:
    assert analyze.clock(seconds) == shown


# --- the real pipeline ----------------------------------------------------------------------


def analyze_json(argv: list[str]) -> dict[str, Any]:
    """`reptempo analyze ... --format json`, parsed; the command must succeed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["analyze", *argv, "--format", "json"])
    assert code == 0, err.getvalue()
    parsed: dict[str, Any] = json.loads(out.getvalue())
    return parsed


@pytest.fixture(scope="module")
def recording_results() -> dict[str, dict[str, Any]]:
    """Every example recording analysed once, by file name."""
    return {path.name: analyze_json([str(path)]) for path in RECORDINGS}


def test_examples_are_there() -> None:
    assert len(RECORDINGS) >= 8


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_recording_result_is_well_formed(path: Path, recording_results: dict[str, dict[str, Any]]) -> None:
    rec = read_recording(path)
    res = recording_results[path.name]
    check_result(res, has_tilt="pelvis" in rec.sensors, start_s=0.0, end_s=rec.duration_s)
    assert res["summary"]["sensors"] == {
        role: {"rate_hz": float(s.info.rate_hz), "samples": len(s.samples)} for role, s in rec.sensors.items()
    }


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_recording_rep_count_matches_its_labels(
    path: Path, recording_results: dict[str, dict[str, Any]]
) -> None:
    rec = read_recording(path)
    assert rec.labels is not None
    # The labels count every leg's movement; a shin sensor sees only its own leg, so in an
    # alternating exercise with one shin sensor (dead bug, heel taps) the other leg's reps
    # cannot be counted by anything.
    seen = {"right"} if {"shin", "shin_right"} & set(rec.sensors) else set()
    seen |= {"left"} if "shin_left" in rec.sensors else set()
    truth = sum(r["leg"] in seen for r in rec.labels["reps"])
    assert truth >= 3
    found = recording_results[path.name]["summary"]["rep_count"]
    assert abs(found - truth) <= 1, f"{path.name}: {found} reps found, {truth} in the labels for {seen} legs"


@pytest.mark.parametrize(
    "path", [p for p in RECORDINGS if "pelvis" in read_recording(p).sensors], ids=lambda p: p.stem
)
def test_recording_postures_match_their_labels(
    path: Path, recording_results: dict[str, dict[str, Any]]
) -> None:
    labels = read_recording(path).labels
    assert labels is not None
    told = recording_results[path.name]["postures"]
    truth = labels["postures"]
    # A standing start is told at the jump to a bar, from the pelvis's calibration (after 0 s).
    assert [p["posture"] for p in told] == [p["posture"] for p in truth]
    for got, true in zip(told[1:], truth[1:], strict=True):
        assert abs(got["start_s"] - true["start_s"]) < 0.5


def test_two_sets_are_found(recording_results: dict[str, dict[str, Any]]) -> None:
    labels = read_recording(REPO / "recordings" / "bent_knee_lift_25hz.mcap").labels
    assert labels is not None
    assert len(labels["sets"]) == 2
    assert recording_results["bent_knee_lift_25hz.mcap"]["summary"]["set_count"] == 2


def test_shin_only_recording_has_no_tilt(recording_results: dict[str, dict[str, Any]]) -> None:
    res = recording_results["single_leg_lift_shin_only.mcap"]
    assert res["summary"]["has_tilt"] is False
    assert res["tilt_events"] == []
    assert all(r["max_anterior_tilt_deg"] is None for r in res["reps"])


def test_tilt_threshold_from_config(tmp_path: Path, recording_results: dict[str, dict[str, Any]]) -> None:
    # The weak core arches the back every rep, peaking near 17 degrees: a 30 degree
    # threshold must leave no episode, the default must find some.
    path = REPO / "recordings" / "straight_leg_lift_weak_core.mcap"
    assert recording_results[path.name]["summary"]["tilt_count"] >= 1
    config = tmp_path / "lenient.toml"
    config.write_text("[dsp]\ntilt_threshold_deg = 30.0\n")
    res = analyze_json([str(path), "--config", str(config)])
    assert res["summary"]["settings"]["tilt_threshold_deg"] == 30.0
    assert res["tilt_events"] == []


def test_text_on_a_recording(capsys: pytest.CaptureFixture[str]) -> None:
    path = REPO / "recordings" / "straight_leg_lift_weak_core.mcap"
    code, out, err = run([str(path)], capsys)
    assert code == 0, err
    reps = analyze_json([str(path)])["reps"]
    rows = [line for line in out.splitlines() if re.match(r"^\s+\d+\s+\d+\s+\d+:\d\d\.\d\s", line)]
    assert len(rows) >= len(reps)  # rep rows (the sets table adds its own)
    assert any(line.split()[:2] == ["rep", "set"] for line in out.splitlines())


def test_exported_csv_gives_the_same_reps(
    tmp_path: Path, recording_results: dict[str, dict[str, Any]]
) -> None:
    path = REPO / "recordings" / "straight_leg_lift_weak_core.mcap"
    assert cli.main(["export", str(path), "--out", str(tmp_path)]) == 0
    res = analyze_json(["--shin", str(tmp_path / "shin.csv"), "--pelvis", str(tmp_path / "pelvis.csv")])
    mcap = recording_results[path.name]
    assert res["summary"]["sensors"]["shin"]["rate_hz"] == 100.0
    assert res["summary"]["rep_count"] == mcap["summary"]["rep_count"]
    for a, b in zip(res["reps"], mcap["reps"], strict=True):
        assert a["start_s"] == pytest.approx(b["start_s"], abs=0.02)
        assert a["end_s"] == pytest.approx(b["end_s"], abs=0.02)


@needs_dataset
@pytest.mark.parametrize("exercise", ["e1", "e3", "e4", "e5"])
def test_shared_data_set(exercise: str) -> None:
    path = DATASET / exercise / "u2" / "test.txt"  # u2: the moving right shin
    res = analyze_json(["--shin", str(path), "--rate", "25"])
    n = len(path.read_text().splitlines()) - 1
    check_result(res, has_tilt=False, start_s=0.0, end_s=(n - 1) / 25.0)
    assert res["summary"]["sensors"] == {"shin": {"rate_hz": 25.0, "samples": n}}
    # Each session holds 30 reps (10 correct, 10 fast, 10 small): a loose bound that catches a
    # broken read (units, time), not the counter's accuracy, which benchmarks/ measures.
    assert 20 <= res["summary"]["rep_count"] <= 40
