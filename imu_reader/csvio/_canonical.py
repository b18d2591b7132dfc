"""The canonical CSV: one file per sensor, `time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dsp import SensorSamples
from imu_reader._errors import InputFileError
from imu_reader.csvio._files import read_text_file
from imu_reader.csvio._merge import gaps_from_steps
from imu_reader.csvio._table import CsvText, FloatArray, raise_if_not_finite, raise_if_time_not_increasing
from imu_reader.csvio._units import (
    DEFAULT_ACC_UNIT,
    DEFAULT_GYR_UNIT,
    acc_unit_scale,
    check_rate_hz,
    gyr_unit_scale,
)

CANONICAL_COLUMNS: tuple[str, ...] = ("time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
"""The canonical header, in the order the writer uses; `time_s` may be left out when the rate is known."""

_VALUE_COLUMNS = CANONICAL_COLUMNS[1:]
_HEADER = ",".join(CANONICAL_COLUMNS)
# Time to the nanosecond; values with 9 significant digits, i.e. to 5e-9 relative, far
# below any IMU's noise, so a write/read round trip changes nothing that matters.
_ROW_FORMAT = "%.9f," + ",".join(["%.9g"] * 6) + "\n"
_ROWS_PER_WRITE = 10000


def is_canonical_header(header: Sequence[str]) -> bool:
    """True when a header names any canonical column (the reader then says what else is wrong)."""
    return any(name in CANONICAL_COLUMNS for name in header)


def _looks_numeric(names: Sequence[str]) -> bool:
    try:
        [float(name) for name in names]
    except ValueError:
        return False
    return True


def _check_header(table: CsvText) -> None:
    where = f"line {table.header_line}"
    header = table.header
    expected = f"a canonical CSV has the columns {_HEADER} (time_s may be left out when the rate is given)"
    if _looks_numeric(header):
        raise InputFileError(table.display, f"no header line: {expected}", where=where)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputFileError(table.display, f"column {name} appears twice in the header", where=where)
        seen.add(name)
    unknown = [name for name in header if name not in CANONICAL_COLUMNS]
    if unknown:
        hint = ""
        if any(";" in name or "\t" in name for name in unknown):
            hint = "; fields must be separated by commas"
        listed = ", ".join(repr(name) for name in unknown)
        raise InputFileError(
            table.display, f"unexpected column(s) {listed} in the header: {expected}{hint}", where=where
        )
    missing = [name for name in _VALUE_COLUMNS if name not in header]
    if missing:
        raise InputFileError(
            table.display, f"header is missing column(s) {', '.join(missing)}: {expected}", where=where
        )


def samples_from_canonical(
    table: CsvText, *, role: str, rate_hz: float | None, acc_scale: float, gyr_scale: float
) -> SensorSamples:
    """Turn a parsed canonical file into samples (see `read_canonical_csv`)."""
    _check_header(table)
    has_time = "time_s" in table.header
    if not has_time and rate_hz is None:
        raise InputFileError(
            table.display,
            "no time_s column: pass --rate (the sample rate in Hz) to read a file without timestamps",
            where=f"line {table.header_line}",
        )
    names = CANONICAL_COLUMNS if has_time else _VALUE_COLUMNS
    columns = [table.header.index(name) for name in names]
    values = table.numeric(columns)
    raise_if_not_finite(table, values, columns)
    n = values.shape[0]
    if n < 2:
        raise InputFileError(table.display, f"needs at least 2 samples, found {n}")
    if has_time:
        time_s = np.ascontiguousarray(values[:, 0])
        raise_if_time_not_increasing(table, time_s, columns[0])
        values = values[:, 1:]
    else:
        assert rate_hz is not None
        time_s = np.arange(n, dtype=np.float64) / rate_hz
    return SensorSamples(
        role,
        time_s,
        values[:, 0:3] * acc_scale,
        values[:, 3:6] * gyr_scale,
        gaps_from_steps(time_s),
    )


def read_canonical_csv(
    path: str | Path,
    *,
    role: str,
    rate_hz: float | None = None,
    acc_unit: str = DEFAULT_ACC_UNIT,
    gyr_unit: str = DEFAULT_GYR_UNIT,
) -> SensorSamples:
    """Read one sensor's canonical CSV.

    Columns are matched by name, so their order is free; no other column is allowed.

    Args:
        path: the CSV file.
        role: where the sensor was strapped, one of `dsp.ROLES`.
        rate_hz: sample rate in Hz, used only when the file has no `time_s` column
            (then sample i is at i / rate_hz seconds).
        acc_unit: unit of acc_x/y/z, one of `ACC_UNITS`.
        gyr_unit: unit of gyr_x/y/z, one of `GYR_UNITS`.

    Returns:
        Samples in SI units; `gap_before` marks samples whose time step exceeds 1.5
        times the median step.

    Raises:
        ValueError: an unknown unit, or a rate that is not a positive number.
        InputFileError: the file is missing, empty or malformed (the message names the
            file, the line and what is wrong).
    """
    acc_scale = acc_unit_scale(acc_unit)
    gyr_scale = gyr_unit_scale(gyr_unit)
    check_rate_hz(rate_hz)
    path = Path(path)
    table = CsvText(path, read_text_file(path))
    return samples_from_canonical(table, role=role, rate_hz=rate_hz, acc_scale=acc_scale, gyr_scale=gyr_scale)


def _format_rows(rows: FloatArray) -> str:
    """Text of some rows of (time_s, acc xyz, gyr xyz)."""
    text: str = (_ROW_FORMAT * rows.shape[0]) % tuple(rows.ravel().tolist())
    return text


def _chunks(table: FloatArray) -> Iterator[str]:
    for start in range(0, table.shape[0], _ROWS_PER_WRITE):
        yield _format_rows(table[start : start + _ROWS_PER_WRITE])


def _new_file_mode() -> int:
    # mkstemp creates 0600; a data file should get the usual permissions. Reading the
    # umask means setting it, so put it straight back.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _check_writable(samples: SensorSamples) -> None:
    """The writer never produces a file the reader would reject."""
    if len(samples) < 2:
        raise ValueError(f"a canonical CSV needs at least 2 samples, got {len(samples)}")
    for name, array in (
        ("time_s", samples.time_s),
        ("acc_mps2", samples.acc_mps2),
        ("gyr_rps", samples.gyr_rps),
    ):
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds NaN or inf, which a canonical CSV cannot carry")
    steps = np.diff(samples.time_s)
    if not (steps > 0).all():
        index = int(np.flatnonzero(~(steps > 0))[0]) + 1
        raise ValueError(f"time_s must increase strictly; sample {index} does not")


def write_canonical_csv(
    samples: SensorSamples,
    path: str | Path,
    *,
    acc_unit: str = DEFAULT_ACC_UNIT,
    gyr_unit: str = DEFAULT_GYR_UNIT,
) -> None:
    """Write one sensor's samples as a canonical CSV, atomically.

    The rows go to a temporary file in the same folder, which replaces `path` only once
    complete: a failure leaves `path` as it was and no temporary file behind. `gap_before`
    is not stored; reading the file back marks gaps again from the time steps.

    Args:
        samples: what to write; time must increase strictly and every value be finite.
        path: the CSV file to create or replace.
        acc_unit: unit to write acc_x/y/z in, one of `ACC_UNITS`.
        gyr_unit: unit to write gyr_x/y/z in, one of `GYR_UNITS`.

    Raises:
        ValueError: an unknown unit, or samples the reader would reject.
        OSError: the file cannot be written.
    """
    acc_scale = acc_unit_scale(acc_unit)
    gyr_scale = gyr_unit_scale(gyr_unit)
    _check_writable(samples)
    rows: npt.NDArray[np.float64] = np.column_stack(
        [samples.time_s, samples.acc_mps2 / acc_scale, samples.gyr_rps / gyr_scale]
    )
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(_HEADER + "\n")
            for text in _chunks(rows):
                out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp_name, _new_file_mode())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
