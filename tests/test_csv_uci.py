"""The UCI physical-therapy data set layout: detection, reading, every bad input, the real files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from imu_reader._errors import InputFileError
from imu_reader.csvio import (
    UCI_PT_COLUMNS,
    CsvLayout,
    detect_layout,
    read_sensor_csv,
    read_uci_pt,
)
from reptempo import cli

DATASET = Path(__file__).parents[2] / "shared" / "datasets" / "uci-pt-subject1"
needs_dataset = pytest.mark.skipif(
    not DATASET.is_dir(), reason=f"the shared data set is not in this workspace ({DATASET})"
)

HEADER = "time index;acc_x;acc_y;acc_z;gyr_x;gyr_y;gyr_z;mag_x;mag_y;mag_z"


def row(index: int, acc_z: float = 9.81, gyr_x: float = 0.01) -> str:
    return f"{index};0.1;0.2;{acc_z};{gyr_x};0.02;0.03;-0.54;-0.52;0.007"


def write(tmp_path: Path, lines: list[str], *, name: str = "test.txt", newline: str = "\r\n") -> Path:
    """A file as the data set writes it: semicolons and Windows line ends."""
    path = tmp_path / name
    path.write_bytes((newline.join(lines) + newline).encode())
    return path


def reason_of(path: Path, rate_hz: float | None = 25.0) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        read_uci_pt(path, role="shin", rate_hz=rate_hz)
    return caught.value


# --- reading ---------------------------------------------------------------------------


def test_reads_values_and_times_from_sample_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER] + [row(i, acc_z=9.0 + i, gyr_x=0.1 * i) for i in range(1, 6)])
    assert detect_layout(path) is CsvLayout.UCI_PT
    samples = read_sensor_csv(path, role="pelvis", rate_hz=25.0)
    assert samples.role == "pelvis"
    # Sample number k is at (k - 1) / rate, the mapping the data set's hand labels need.
    assert samples.time_s.tolist() == pytest.approx([0.0, 0.04, 0.08, 0.12, 0.16])
    assert samples.acc_mps2[:, 2].tolist() == [10.0, 11.0, 12.0, 13.0, 14.0]
    assert samples.acc_mps2[0].tolist() == [0.1, 0.2, 10.0]
    assert samples.gyr_rps[:, 0].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert samples.gyr_rps[0, 1:].tolist() == [0.02, 0.03]
    assert not samples.gap_before.any()


def test_a_later_first_sample_keeps_its_place_and_a_skipped_number_is_a_gap(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER] + [row(i) for i in (101, 102, 103, 106, 107)], newline="\n")
    samples = read_uci_pt(path, role="shin", rate_hz=50.0)
    assert samples.time_s.tolist() == pytest.approx([2.0, 2.02, 2.04, 2.10, 2.12])
    assert samples.gap_before.tolist() == [False, False, False, True, False]


def test_magnetometer_columns_are_optional_and_header_case_is_free(tmp_path: Path) -> None:
    header = "Time Index;ACC_X;acc_y;acc_z;gyr_x;gyr_y;gyr_z"
    path = write(tmp_path, [header, "1;0;0;9.8;0;0;0", "2;0;0;9.8;0;0;0"])
    assert detect_layout(path) is CsvLayout.UCI_PT
    assert len(read_uci_pt(path, role="shin", rate_hz=25.0)) == 2


def test_columns_constant_matches_the_data_set_header() -> None:
    assert ";".join(UCI_PT_COLUMNS) == HEADER


# --- bad input: one line naming the file, the line and what is wrong ----------------------


def test_rate_is_required(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row(1), row(2)])
    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(path, role="shin")
    assert str(caught.value) == (
        f"{path}: the UCI physical-therapy layout counts samples (time index) but has no time in "
        "seconds: pass --rate, the sample rate in Hz (25 for that data set)"
    )


@pytest.mark.parametrize(
    ("lines", "where", "reason"),
    [
        (
            ["time index;acc_x;acc_y;acc_z;gyr_x;gyr_y", "1;0;0;9.8;0;0"],
            "line 1",
            "header is missing column(s) gyr_z: the UCI physical-therapy layout has the columns " + HEADER,
        ),
        (
            ["time index;acc_x;acc_x;acc_y;acc_z;gyr_x;gyr_y;gyr_z", "1;0;0;0;9.8;0;0;0"],
            "line 1",
            "column acc_x appears twice in the header",
        ),
        (
            [HEADER, row(1), "2.5;0.1;0.2;9.8;0;0;0;0;0;0"],
            "line 3",
            "column time index: '2.5' is not a whole sample number",
        ),
        (
            [HEADER, row(1), row(3), row(2)],
            "line 4",
            "time does not increase: time index goes backwards (2 after 3 on line 3)",
        ),
        (
            [HEADER, row(1), row(1)],
            "line 3",
            "time does not increase: time index stays the same (1 after 1 on line 2)",
        ),
        ([HEADER, row(1), "2;0.1;x;9.8;0;0;0;0;0;0"], "line 3", "column acc_y: 'x' is not a number"),
        (
            [HEADER, row(1), "2;0.1;0.2;NaN;0;0;0;0;0;0"],
            "line 3",
            "column acc_z: 'NaN' is not a finite number",
        ),
        (
            [HEADER, row(1), "2;0.1;0.2;9.8;0;0;0"],
            "line 3",
            "expected 10 fields like the header, found 7 semicolon-separated fields",
        ),
        ([HEADER, row(1)], None, "needs at least 2 samples, found 1"),
    ],
)
def test_bad_file(tmp_path: Path, lines: list[str], where: str | None, reason: str) -> None:
    error = reason_of(write(tmp_path, lines))
    assert (error.where, error.reason) == (where, reason)
    assert "\n" not in str(error)


def test_units_are_fixed(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row(1), row(2)])
    assert len(read_sensor_csv(path, role="shin", rate_hz=25, acc_unit="m/s2", gyr_unit="rad/s")) == 2
    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(path, role="shin", rate_hz=25, gyr_unit="dps")
    assert str(caught.value) == (
        f"{path}: the UCI physical-therapy data set gives angular rate in rad/s, which contradicts the "
        "unit dps that was given: leave the unit unset for this data set"
    )


def test_rate_must_be_positive(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, row(1), row(2)])
    with pytest.raises(ValueError, match="rate_hz must be a positive number"):
        read_uci_pt(path, role="shin", rate_hz=0.0)


def test_unrecognised_layout_lists_the_uci_layout(tmp_path: Path) -> None:
    path = write(tmp_path, ["sample;ax;ay;az", "1;0;0;9.8"])
    with pytest.raises(
        InputFileError, match=r"a file of the UCI physical-therapy data set \(header time index;"
    ):
        detect_layout(path)


# --- the real data set -----------------------------------------------------------------


def dataset_files() -> list[Path]:
    return sorted(DATASET.glob("e*/u*/*.txt")) if DATASET.is_dir() else []


@needs_dataset
def test_every_sensor_file_of_the_data_set_is_recognised_and_read() -> None:
    files = dataset_files()
    assert len(files) == 40  # four exercises, five units, test and template sessions
    for path in files:
        assert detect_layout(path) is CsvLayout.UCI_PT, path
        samples = read_sensor_csv(path, role="shin", rate_hz=25.0)
        assert len(samples) > 1000, path
        assert np.diff(samples.time_s) == pytest.approx(0.04)
        assert not samples.gap_before.any(), path
        # A body-worn unit mostly at rest or moving slowly reads about 1 g: a check of the units.
        magnitude = np.median(np.linalg.norm(samples.acc_mps2, axis=1))
        assert 9.3 < magnitude < 10.3, path


@needs_dataset
def test_moving_shin_against_numpy_reference() -> None:
    path = DATASET / "e3" / "u2" / "test.txt"
    reference = np.loadtxt(path, delimiter=";", skiprows=1)
    samples = read_uci_pt(path, role="shin", rate_hz=25.0)
    assert len(samples) == reference.shape[0] == 6067
    assert np.array_equal(samples.time_s, (reference[:, 0] - 1) / 25.0)
    assert np.array_equal(samples.acc_mps2, reference[:, 1:4])
    assert np.array_equal(samples.gyr_rps, reference[:, 4:7])
    # The moving shin turns: far more rotation than the chest unit (u5) of the same session.
    chest = read_uci_pt(DATASET / "e3" / "u5" / "test.txt", role="pelvis", rate_hz=25.0)
    assert np.abs(samples.gyr_rps).sum() > 3 * np.abs(chest.gyr_rps).sum()


@needs_dataset
def test_info_on_a_data_set_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATASET / "e1" / "u2" / "template_session.txt"
    assert cli.main(["info", str(path), "--rate", "25", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["format"] == "the UCI physical-therapy data set"
    assert info["samples"] == 2187
    assert info["rate_hz"] == pytest.approx(25.0)
    assert info["duration_s"] == pytest.approx(2186 / 25.0)
    assert 0.95 < info["median_acc_g"] < 1.05
    assert cli.main(["info", str(path)]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"reptempo info: error: {path}: " + reason_of(path, rate_hz=None).reason]
