"""The UCI "Physical Therapy Exercises" data set (Yurtman and Barshan): one sensor per file.

Each `u*/test.txt` or `u*/template_session.txt` of the data set is one Xsens MTx unit:
semicolon-separated, one header line
`time index;acc_x;acc_y;acc_z;gyr_x;gyr_y;gyr_z;mag_x;mag_y;mag_z`, acceleration in
m/s^2, angular rate in rad/s, magnetic field (ignored here). The time index counts
samples from 1; the file says nothing of the rate (the data set's README gives 25 Hz),
so the caller must give it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dsp import SensorSamples
from imu_reader._errors import InputFileError
from imu_reader.csvio._files import read_text_file
from imu_reader.csvio._merge import gaps_from_steps
from imu_reader.csvio._table import SEPARATORS, CsvText, raise_if_not_finite, raise_if_time_not_increasing
from imu_reader.csvio._units import check_rate_hz

UCI_PT_TIME_COLUMN = "time index"
"""The first column: the sample number, counted from 1."""

UCI_PT_COLUMNS: tuple[str, ...] = (
    UCI_PT_TIME_COLUMN,
    "acc_x",
    "acc_y",
    "acc_z",
    "gyr_x",
    "gyr_y",
    "gyr_z",
    "mag_x",
    "mag_y",
    "mag_z",
)
"""The header of every sensor file of the data set, in its order."""

UCI_PT_RATE_HZ = 25.0
"""The data set's sample rate, from its README; only quoted in messages, never assumed."""

_NEEDED = UCI_PT_COLUMNS[:7]


def is_uci_pt_header(header: tuple[str, ...]) -> bool:
    """True for a header that starts with `time index`, as the data set's files do.

    The rest of the header is checked by the reader, which then says what is missing.
    """
    return bool(header) and header[0].lower() == UCI_PT_TIME_COLUMN


def _check_header(table: CsvText) -> None:
    where = f"line {table.header_line}"
    expected = f"the UCI physical-therapy layout has the columns {';'.join(UCI_PT_COLUMNS)}"
    header = tuple(name.lower() for name in table.header)
    for name in set(header):
        if header.count(name) > 1:
            raise InputFileError(table.display, f"column {name} appears twice in the header", where=where)
    missing = [name for name in _NEEDED if name not in header]
    if missing:
        raise InputFileError(
            table.display, f"header is missing column(s) {', '.join(missing)}: {expected}", where=where
        )


def samples_from_uci_pt(table: CsvText, *, role: str, rate_hz: float | None) -> SensorSamples:
    """Turn a parsed data set file into samples (see `read_uci_pt`)."""
    _check_header(table)
    if rate_hz is None:
        raise InputFileError(
            table.display,
            "the UCI physical-therapy layout counts samples (time index) but has no time in seconds: "
            f"pass --rate, the sample rate in Hz ({UCI_PT_RATE_HZ:g} for that data set)",
        )
    header = tuple(name.lower() for name in table.header)
    columns = [header.index(name) for name in _NEEDED]
    values = table.numeric(columns)
    raise_if_not_finite(table, values, columns)
    n = values.shape[0]
    if n < 2:
        raise InputFileError(table.display, f"needs at least 2 samples, found {n}")
    index = np.ascontiguousarray(values[:, 0])
    fractional = np.flatnonzero(index != np.round(index))
    if fractional.size:
        row = int(fractional[0])
        raise InputFileError(
            table.display,
            f"column {table.header[columns[0]]}: {table.cell(row, columns[0])!r} "
            "is not a whole sample number",
            where=table.where(row),
        )
    raise_if_time_not_increasing(table, index, columns[0])
    # Sample number k (from 1) is at (k - 1) / rate: the data set's hand labels give start and
    # end as sample numbers, so they map onto this timeline with the same formula, and a
    # skipped sample number shows as a gap.
    time_s = (index - 1.0) / rate_hz
    return SensorSamples(
        role,
        time_s,
        np.ascontiguousarray(values[:, 1:4]),
        np.ascontiguousarray(values[:, 4:7]),
        gaps_from_steps(time_s),
    )


def read_uci_pt(path: str | Path, *, role: str, rate_hz: float | None = None) -> SensorSamples:
    """Read one sensor file of the UCI "Physical Therapy Exercises" data set.

    Columns are matched by name (letter case ignored); the magnetometer columns are not
    needed and are ignored. Units are the data set's: m/s^2 and rad/s.

    Args:
        path: the `.txt` file.
        role: where the sensor was strapped, one of `dsp.ROLES`.
        rate_hz: the sample rate in Hz (25 for the data set); required, since the file
            counts samples but has no time. Sample number k is at (k - 1) / rate_hz s.

    Returns:
        Samples in SI units; `gap_before` marks samples after a skipped sample number.

    Raises:
        ValueError: a rate that is not a positive number.
        InputFileError: the file is missing or malformed, or `rate_hz` is None (the
            message names the file, the line and what is wrong).
    """
    check_rate_hz(rate_hz)
    path = Path(path)
    table = CsvText(path, read_text_file(path), separators=SEPARATORS)
    return samples_from_uci_pt(table, role=role, rate_hz=rate_hz)
