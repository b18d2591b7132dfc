"""Canonical CSV: round trips, units, time handling, gap marks, every bad input, atomic writes."""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path

import numpy as np
import pytest

from dsp import STANDARD_GRAVITY_MPS2, SensorSamples
from imu_reader._errors import InputFileError
from imu_reader.csvio import (
    ACC_UNITS,
    CANONICAL_COLUMNS,
    GYR_UNITS,
    CsvLayout,
    _canonical,
    detect_layout,
    read_canonical_csv,
    read_sensor_csv,
    write_canonical_csv,
)

HEADER = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"


def make_samples(n: int = 500, rate_hz: float = 100.0, seed: int = 0) -> SensorSamples:
    """Random but plausible samples: gravity on z plus noise, rotation up to a few rad/s."""
    rng = np.random.default_rng(seed)
    time_s = 12.5 + np.arange(n) / rate_hz + rng.uniform(-1e-4, 1e-4, n)
    acc = rng.normal(0.0, 2.0, (n, 3)) + np.array([0.0, 0.0, STANDARD_GRAVITY_MPS2])
    gyr = rng.normal(0.0, 1.5, (n, 3))
    return SensorSamples("shin", time_s, acc, gyr)


def write_text(tmp_path: Path, text: str, name: str = "shin.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def good_rows(n: int = 4) -> list[str]:
    return [f"{i * 0.01:.2f},0.1,0.2,9.8,0.01,0.02,0.03" for i in range(n)]


def message(path: Path, where: str | None, reason: str) -> str:
    return f"{path}: {where}: {reason}" if where else f"{path}: {reason}"


# --- round trips --------------------------------------------------------------------


@pytest.mark.parametrize(("acc_unit", "gyr_unit"), list(itertools.product(ACC_UNITS, GYR_UNITS)))
def test_round_trip_in_every_unit_combination(tmp_path: Path, acc_unit: str, gyr_unit: str) -> None:
    samples = make_samples(seed=7)
    path = tmp_path / "out.csv"

    write_canonical_csv(samples, path, acc_unit=acc_unit, gyr_unit=gyr_unit)
    back = read_canonical_csv(path, role="pelvis", acc_unit=acc_unit, gyr_unit=gyr_unit)

    assert back.role == "pelvis"
    np.testing.assert_allclose(back.time_s, samples.time_s, rtol=0, atol=1e-9)
    np.testing.assert_allclose(back.acc_mps2, samples.acc_mps2, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(back.gyr_rps, samples.gyr_rps, rtol=1e-8, atol=1e-12)
    assert not back.gap_before.any()


def test_written_file_is_in_the_requested_units(tmp_path: Path) -> None:
    samples = SensorSamples(
        "shin",
        np.array([0.0, 0.01]),
        np.array([[0.0, 0.0, STANDARD_GRAVITY_MPS2], [STANDARD_GRAVITY_MPS2 / 2, 0.0, 0.0]]),
        np.array([[math.pi, 0.0, 0.0], [0.0, -math.pi / 2, 0.0]]),
    )
    path = tmp_path / "g_dps.csv"

    write_canonical_csv(samples, path, acc_unit="g", gyr_unit="dps")

    lines = path.read_text().splitlines()
    assert lines[0] == HEADER
    first = [float(v) for v in lines[1].split(",")]
    second = [float(v) for v in lines[2].split(",")]
    np.testing.assert_allclose(first, [0.0, 0.0, 0.0, 1.0, 180.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(second, [0.01, 0.5, 0.0, 0.0, 0.0, -90.0, 0.0], atol=1e-9)


def test_defaults_are_si(tmp_path: Path) -> None:
    path = write_text(tmp_path, HEADER + "\n0,1,2,3,0.1,0.2,0.3\n0.01,1,2,3,0.1,0.2,0.3\n")

    samples = read_canonical_csv(path, role="shin")

    np.testing.assert_allclose(samples.acc_mps2[0], [1.0, 2.0, 3.0], rtol=0, atol=0)
    np.testing.assert_allclose(samples.gyr_rps[0], [0.1, 0.2, 0.3], rtol=0, atol=0)


def test_g_and_dps_are_converted_to_si(tmp_path: Path) -> None:
    path = write_text(tmp_path, HEADER + "\n0,0,0,1,90,0,-180\n0.01,0.5,0,0,0,0,0\n")

    samples = read_canonical_csv(path, role="shin", acc_unit="g", gyr_unit="dps")

    np.testing.assert_allclose(samples.acc_mps2[0], [0.0, 0.0, 9.80665], rtol=0, atol=1e-12)
    np.testing.assert_allclose(samples.acc_mps2[1], [4.903325, 0.0, 0.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(samples.gyr_rps[0], [math.pi / 2, 0.0, -math.pi], rtol=0, atol=1e-12)


def test_gap_marks_follow_long_steps(tmp_path: Path) -> None:
    times = [0.00, 0.01, 0.02, 0.03, 0.10, 0.11, 0.12, 0.14, 0.15, 0.16]
    rows = [f"{t:.2f},0,0,9.8,0,0,0" for t in times]
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    samples = read_canonical_csv(path, role="shin")

    # median step 0.01 s: 0.07 s and 0.02 s steps are holes (> 0.015 s), the others are not
    assert samples.gap_before.tolist() == [False, False, False, False, True, False, False, True, False, False]


def test_gaps_survive_a_round_trip(tmp_path: Path) -> None:
    samples = make_samples(n=300, seed=3)
    time_s = samples.time_s.copy()
    time_s[150:] += 0.5  # a half-second dropout before sample 150
    holey = SensorSamples("shin", time_s, samples.acc_mps2, samples.gyr_rps)
    path = tmp_path / "holey.csv"

    write_canonical_csv(holey, path)
    back = read_canonical_csv(path, role="shin")

    assert np.flatnonzero(back.gap_before).tolist() == [150]


def test_rate_gives_time_to_a_file_without_time_column(tmp_path: Path) -> None:
    body = "\n".join(["acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"] + ["0,0,9.8,0,0,0"] * 5) + "\n"
    path = write_text(tmp_path, body)

    samples = read_canonical_csv(path, role="shin", rate_hz=50.0)

    np.testing.assert_allclose(samples.time_s, [0.0, 0.02, 0.04, 0.06, 0.08], rtol=0, atol=1e-15)
    assert not samples.gap_before.any()


def test_time_column_wins_over_rate(tmp_path: Path) -> None:
    path = write_text(tmp_path, "\n".join([HEADER, *good_rows(3)]) + "\n")

    samples = read_canonical_csv(path, role="shin", rate_hz=1000.0)

    np.testing.assert_allclose(samples.time_s, [0.0, 0.01, 0.02], rtol=0, atol=1e-15)


def test_columns_are_matched_by_name(tmp_path: Path) -> None:
    path = write_text(
        tmp_path,
        "gyr_z,gyr_y,gyr_x,acc_z,acc_y,acc_x,time_s\n3,2,1,9.8,0.2,0.1,0\n6,5,4,9.7,0.4,0.3,0.01\n",
    )

    samples = read_canonical_csv(path, role="shin")

    np.testing.assert_allclose(samples.time_s, [0.0, 0.01], rtol=0, atol=0)
    np.testing.assert_allclose(samples.acc_mps2, [[0.1, 0.2, 9.8], [0.3, 0.4, 9.7]], rtol=0, atol=0)
    np.testing.assert_allclose(samples.gyr_rps, [[1, 2, 3], [4, 5, 6]], rtol=0, atol=0)


def test_bom_crlf_spaces_and_trailing_blank_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "windows.csv"
    text = "\ufeff" + HEADER.replace(",", ", ") + "\r\n0, 1,2,3,4,5,6\r\n0.01,1,2,3,4,5,6\r\n\r\n\r\n"
    path.write_bytes(text.encode("utf-8"))

    samples = read_canonical_csv(path, role="shin")

    assert len(samples) == 2
    np.testing.assert_allclose(samples.gyr_rps[1], [4.0, 5.0, 6.0], rtol=0, atol=0)


def test_read_sensor_csv_recognises_a_canonical_file(tmp_path: Path) -> None:
    path = write_text(tmp_path, HEADER + "\n0,0,0,1,180,0,0\n0.01,0,0,1,0,0,0\n")

    assert detect_layout(path) is CsvLayout.CANONICAL
    default = read_sensor_csv(path, role="shin")
    in_g = read_sensor_csv(path, role="shin", acc_unit="g", gyr_unit="dps")

    np.testing.assert_allclose(default.acc_mps2[0], [0.0, 0.0, 1.0], rtol=0, atol=0)
    np.testing.assert_allclose(in_g.acc_mps2[0], [0.0, 0.0, 9.80665], rtol=0, atol=1e-12)
    np.testing.assert_allclose(in_g.gyr_rps[0], [math.pi, 0.0, 0.0], rtol=0, atol=1e-12)


@pytest.mark.slow
def test_a_million_rows_round_trip(tmp_path: Path) -> None:
    # Speed is the benchmark's (recording.csv_write_hour, csv_read_hour): tests do not time.
    samples = make_samples(n=1_000_000, seed=11)
    path = tmp_path / "big.csv"

    write_canonical_csv(samples, path)
    back = read_canonical_csv(path, role="shin")

    assert len(back) == 1_000_000
    for got, sent in (
        (back.time_s, samples.time_s),
        (back.acc_mps2, samples.acc_mps2),
        (back.gyr_rps, samples.gyr_rps),
    ):
        np.testing.assert_allclose(got, sent, rtol=1e-8, atol=1e-12)


# --- units and arguments ------------------------------------------------------------


def test_unknown_units_name_the_valid_choices(tmp_path: Path) -> None:
    path = write_text(tmp_path, "\n".join([HEADER, *good_rows()]) + "\n")

    with pytest.raises(ValueError, match=r"unknown acceleration unit 'mps2': choose one of m/s2, g$"):
        read_canonical_csv(path, role="shin", acc_unit="mps2")
    with pytest.raises(ValueError, match=r"unknown angular rate unit 'deg': choose one of rad/s, dps$"):
        read_sensor_csv(path, role="shin", gyr_unit="deg")
    with pytest.raises(ValueError, match="unknown acceleration unit"):
        write_canonical_csv(make_samples(), tmp_path / "x.csv", acc_unit="G")
    assert ACC_UNITS[0] == "m/s2"
    assert GYR_UNITS[0] == "rad/s"


@pytest.mark.parametrize("rate_hz", [0.0, -100.0, math.nan, math.inf])
def test_a_rate_must_be_positive(tmp_path: Path, rate_hz: float) -> None:
    path = write_text(tmp_path, "\n".join([HEADER, *good_rows()]) + "\n")

    with pytest.raises(ValueError, match="rate_hz must be a positive number of Hz"):
        read_canonical_csv(path, role="shin", rate_hz=rate_hz)


# --- bad input ----------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, None, "no such file")
    assert caught.value.path == path


def test_a_folder_is_not_a_csv_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(tmp_path, role="shin")

    assert str(caught.value) == message(tmp_path, None, "is a folder, expected a CSV file")


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = write_text(tmp_path, text)

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, None, "file is empty")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n0,1,2,3,4,5,6 \xb0\n").encode("latin-1"))

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(
        path, None, f"not UTF-8 text (byte {len(HEADER) + 15} cannot be decoded)"
    )


def test_header_missing_columns_are_named(tmp_path: Path) -> None:
    path = write_text(tmp_path, "time_s,acc_x,acc_y,gyr_y,gyr_z\n0,1,2,3,4\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert caught.value.where == "line 1"
    assert caught.value.reason.startswith("header is missing column(s) acc_z, gyr_x: a canonical CSV has")
    assert str(caught.value).startswith(f"{path}: line 1: header is missing column(s) acc_z, gyr_x")


def test_extra_column_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path, HEADER + ",temp_c\n" + "0,1,2,3,4,5,6,20\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value).startswith(f"{path}: line 1: unexpected column(s) 'temp_c' in the header:")
    assert HEADER in caught.value.reason


def test_wrong_separator_gets_a_hint(tmp_path: Path) -> None:
    path = write_text(tmp_path, HEADER.replace(",", ";") + "\n0;1;2;3;4;5;6\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert caught.value.reason.endswith("; fields must be separated by commas")


def test_no_header_line(tmp_path: Path) -> None:
    path = write_text(tmp_path, "\n".join(good_rows()) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value).startswith(
        f"{path}: line 1: no header line: a canonical CSV has the columns {HEADER}"
    )


def test_duplicate_column(tmp_path: Path) -> None:
    path = write_text(tmp_path, HEADER + ",acc_x\n0,1,2,3,4,5,6,7\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, "line 1", "column acc_x appears twice in the header")


def test_time_column_absent_without_rate_says_to_pass_rate(tmp_path: Path) -> None:
    path = write_text(tmp_path, "acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,9.8,0,0,0\n0,0,9.8,0,0,0\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(
        path,
        "line 1",
        "no time_s column: pass --rate (the sample rate in Hz) to read a file without timestamps",
    )


def test_non_numeric_cell_names_line_and_column(tmp_path: Path) -> None:
    rows = good_rows()
    rows[2] = "0.02,0.1,abc,9.8,0.01,0.02,0.03"
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, "line 4", "column acc_y: 'abc' is not a number")


def test_empty_cell(tmp_path: Path) -> None:
    rows = good_rows()
    rows[1] = "0.01,0.1,0.2,9.8,,0.02,0.03"
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, "line 3", "column gyr_x: empty cell")


@pytest.mark.parametrize(
    ("cell", "shown"), [("nan", "nan"), ("NaN", "NaN"), ("inf", "inf"), ("-Infinity", "-Infinity")]
)
def test_nan_and_inf_name_line_and_column(tmp_path: Path, cell: str, shown: str) -> None:
    rows = good_rows(5)
    rows[3] = f"0.03,0.1,0.2,9.8,0.01,0.02,{cell}"
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, "line 5", f"column gyr_z: {shown!r} is not a finite number")


def test_nan_in_time_column(tmp_path: Path) -> None:
    rows = good_rows()
    rows[0] = "nan,0.1,0.2,9.8,0.01,0.02,0.03"
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, "line 2", "column time_s: 'nan' is not a finite number")


def test_wrong_number_of_fields(tmp_path: Path) -> None:
    rows = good_rows()
    rows[1] = "0.01,0.1,0.2,9.8,0.01,0.02"
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(
        path, "line 3", "expected 7 fields like the header, found 6 comma-separated fields"
    )


def test_too_many_fields(tmp_path: Path) -> None:
    rows = good_rows()
    rows[3] = rows[3] + ",1"
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(
        path, "line 5", "expected 7 fields like the header, found 8 comma-separated fields"
    )


def test_blank_line_between_rows(tmp_path: Path) -> None:
    rows = good_rows()
    path = write_text(tmp_path, "\n".join([HEADER, rows[0], "", *rows[1:]]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(
        path, "line 3", "expected 7 fields like the header, found an empty line"
    )


def test_time_going_backwards(tmp_path: Path) -> None:
    rows = good_rows(5)
    rows[3] = "0.015,0.1,0.2,9.8,0.01,0.02,0.03"
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(
        path, "line 5", "time does not increase: time_s goes backwards (0.015 after 0.02 on line 4)"
    )


def test_equal_timestamps_are_an_error(tmp_path: Path) -> None:
    rows = good_rows(5)
    rows[2] = rows[1]
    path = write_text(tmp_path, "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(
        path, "line 4", "time does not increase: time_s stays the same (0.01 after 0.01 on line 3)"
    )


@pytest.mark.parametrize("n_rows", [0, 1])
def test_fewer_than_two_samples(tmp_path: Path, n_rows: int) -> None:
    path = write_text(tmp_path, "\n".join([HEADER, *good_rows(n_rows)]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert str(caught.value) == message(path, None, f"needs at least 2 samples, found {n_rows}")


def test_line_numbers_count_leading_blank_lines(tmp_path: Path) -> None:
    rows = good_rows()
    rows[0] = "0,x,0,0,0,0,0"
    path = write_text(tmp_path, "\n\n" + "\n".join([HEADER, *rows]) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_canonical_csv(path, role="shin")

    assert caught.value.where == "line 4"


# --- atomic writes ------------------------------------------------------------------


def test_failed_write_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.csv"
    path.write_text("previous content\n")
    calls = []
    real_format = _canonical._format_rows

    def format_then_fail(rows: np.ndarray) -> str:
        calls.append(rows.shape[0])
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_format(rows)

    monkeypatch.setattr(_canonical, "_ROWS_PER_WRITE", 10)
    monkeypatch.setattr(_canonical, "_format_rows", format_then_fail)

    with pytest.raises(OSError, match="No space left on device"):
        write_canonical_csv(make_samples(n=100), path)

    assert calls == [10, 10]  # it did fail midway, after writing part of the rows
    assert path.read_text() == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_failed_replace_removes_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)

    with pytest.raises(PermissionError):
        write_canonical_csv(make_samples(n=20), tmp_path / "out.csv")

    assert list(tmp_path.iterdir()) == []


def test_writing_into_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_canonical_csv(make_samples(n=20), tmp_path / "gone" / "out.csv")

    assert list(tmp_path.iterdir()) == []


def test_writing_over_a_folder_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()

    with pytest.raises(OSError):  # noqa: PT011 - the platform decides which OSError
        write_canonical_csv(make_samples(n=20), tmp_path / "out.csv")

    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert (tmp_path / "out.csv").is_dir()


def test_written_file_gets_normal_permissions(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    umask = os.umask(0o022)
    try:
        write_canonical_csv(make_samples(n=20), path)
    finally:
        os.umask(umask)

    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("nan", "acc_mps2 holds NaN or inf, which a canonical CSV cannot carry"),
        ("repeat", "time_s must increase strictly; sample 5 does not"),
        ("short", "a canonical CSV needs at least 2 samples, got 1"),
    ],
)
def test_writer_refuses_what_the_reader_would_reject(tmp_path: Path, change: str, reason: str) -> None:
    samples = make_samples(n=20)
    time_s, acc = samples.time_s.copy(), samples.acc_mps2.copy()
    gyr = samples.gyr_rps
    if change == "nan":
        acc[3, 1] = np.nan
    elif change == "repeat":
        time_s[5] = time_s[4]
    else:
        time_s, acc, gyr = time_s[:1], acc[:1], gyr[:1]
    bad = SensorSamples("shin", time_s, acc, gyr)

    with pytest.raises(ValueError, match=reason):
        write_canonical_csv(bad, tmp_path / "out.csv")

    assert list(tmp_path.iterdir()) == []


def test_canonical_columns_constant_matches_the_header() -> None:
    assert ",".join(CANONICAL_COLUMNS) == HEADER
