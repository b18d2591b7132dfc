"""phyphox exports (RWTH Aachen's app for iOS and Android): one CSV, or a folder or .zip of them.

What the app's own source says (phyphox-android `DataExport.java`, phyphox-ios
`ExperimentExportSet.swift`, the experiment definitions in phyphox/phyphox-experiments):

- An export holds one table per "export set" of the experiment; the zip export names
  each `<set name>.csv` (the built-in sensor experiments call their set "Raw Data") and
  adds a `meta/` folder, the single-table export is one `.csv`. So files are recognised
  by their header, never by their name.
- Headers are quoted: `"Time (s)","Acceleration x (m/s^2)",...` for "Acceleration with g"
  (sensor type accelerometer), `"Linear Acceleration x (m/s^2)"` for "Acceleration
  (without g)", `"Gyroscope x (rad/s)"` for "Gyroscope". Extra columns such as
  `Absolute acceleration (m/s^2)` are ignored.
- Separators: comma, tab or semicolon; decimal point, or decimal comma with tab or
  semicolon. Numbers are written like `1.234567890E-2`.
- A set's columns may differ in length; the shorter ones are padded at the end with
  `NaN` (Android) or empty cells (older iOS).

A table with several time columns (a custom experiment exporting both sensors in one
set) gives each sensor column the nearest `Time (s)` to its left.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsp import SensorSamples
from imu_reader._errors import InputFileError
from imu_reader.csvio._files import ExportBundle, read_text_file
from imu_reader.csvio._merge import Stream, clean_stream, merge_streams
from imu_reader.csvio._table import SEPARATORS, CsvText, raise_if_not_finite
from imu_reader.csvio._units import check_rate_hz

_TIME = re.compile(r"time \(s\)", re.IGNORECASE)
_KINDS = {
    "acc": re.compile(r"acceleration ([xyz]) \(m/s\^2\)", re.IGNORECASE),
    "linear": re.compile(r"linear acceleration ([xyz]) \(m/s\^2\)", re.IGNORECASE),
    "gyr": re.compile(r"gyroscope ([xyz]) \(rad/s\)", re.IGNORECASE),
}


def is_phyphox_header(header: tuple[str, ...]) -> bool:
    """True for a header with `Time (s)` and acceleration or gyroscope columns as phyphox writes them."""
    has_time = any(_TIME.fullmatch(name) for name in header)
    return has_time and any(p.fullmatch(name) for p in _KINDS.values() for name in header)


@dataclass(frozen=True)
class _Found:
    """One sensor's columns in one table."""

    kind: str
    table: CsvText
    time_column: int
    axis_columns: tuple[int, int, int]

    @property
    def label(self) -> str:
        return str(self.table.display)


def _governing_time(time_columns: list[int], column: int) -> int:
    left = [t for t in time_columns if t < column]
    return left[-1] if left else time_columns[0]


def _find_streams(table: CsvText) -> list[_Found]:
    header = table.header
    where = f"line {table.header_line}"
    time_columns = [i for i, name in enumerate(header) if _TIME.fullmatch(name)]
    if not time_columns:
        return []
    found = []
    for kind, pattern in _KINDS.items():
        axes: dict[str, int] = {}
        for i, name in enumerate(header):
            match = pattern.fullmatch(name)
            if match is None:
                continue
            axis = match.group(1).lower()
            if axis in axes:
                raise InputFileError(table.display, f"column {name} appears twice in the header", where=where)
            axes[axis] = i
        if not axes:
            continue
        missing = [axis for axis in "xyz" if axis not in axes]
        if missing:
            example = header[next(iter(axes.values()))]
            raise InputFileError(
                table.display,
                f"{example} is there but not the {', '.join(missing)} axis column(s)",
                where=where,
            )
        columns = (axes["x"], axes["y"], axes["z"])
        times = {_governing_time(time_columns, c) for c in columns}
        if len(times) != 1:
            raise InputFileError(
                table.display,
                f"the x, y and z columns of {kind} do not share one Time (s) column",
                where=where,
            )
        found.append(_Found(kind, table, times.pop(), columns))
    return found


def _read_stream(found: _Found) -> Stream:
    table = found.table
    columns = [found.time_column, *found.axis_columns]
    values = table.numeric(columns, missing_as_nan=True)
    # Drop the padding of a column shorter than others in its set; NaN anywhere else is an error.
    present = np.flatnonzero(~np.isnan(values).all(axis=1))
    values = values[: int(present[-1]) + 1] if present.size else values[:0]
    raise_if_not_finite(table, values, columns)
    return clean_stream(table, found.time_column, values[:, 0], values[:, 1:], table.display.name)


def _tables(path: Path) -> list[CsvText]:
    if path.is_dir() or zipfile.is_zipfile(path):
        bundle = ExportBundle(path)
        texts = ((member, bundle.read_text(member)) for member in bundle.members)
        return [CsvText(m.display, text, separators=SEPARATORS) for m, text in texts if text.strip()]
    return [CsvText(path, read_text_file(path), separators=SEPARATORS)]


def _pick(path: Path, found: list[_Found], kind: str) -> _Found | None:
    of_kind = [f for f in found if f.kind == kind]
    if len(of_kind) > 1:
        listed = " and ".join(f.label for f in of_kind)
        raise InputFileError(path, f"{kind} columns found more than once ({listed}): keep one recording")
    return of_kind[0] if of_kind else None


def read_phyphox(path: str | Path, *, role: str, rate_hz: float | None = None) -> SensorSamples:
    """Read a phyphox export: one CSV holding both sensors, or a folder or .zip of CSVs.

    Acceleration must include gravity ("Acceleration with g"). Both sensors must come
    from one experiment run, so that their `Time (s)` columns share one origin; they
    are merged onto one uniform grid over the span both cover (see `merge_streams`).

    Args:
        path: a .csv file, a folder, or a .zip archive.
        role: where the phone was strapped, one of `dsp.ROLES`.
        rate_hz: grid rate in Hz; None uses the accelerometer's median rate.

    Returns:
        Samples in SI units, time 0 at the first grid sample.

    Raises:
        ValueError: a rate that is not a positive number.
        InputFileError: a file is malformed, a sensor is missing, or the acceleration
            is linear acceleration (without gravity).
    """
    check_rate_hz(rate_hz)
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "no such file or folder")
    found = [f for table in _tables(path) for f in _find_streams(table)]
    acc = _pick(path, found, "acc")
    gyr = _pick(path, found, "gyr")
    if acc is None:
        linear = _pick(path, found, "linear")
        if linear is not None:
            raise InputFileError(
                linear.table.display,
                "holds linear acceleration (phyphox 'Acceleration (without g)'), but the rep counter needs "
                "acceleration including gravity: record with 'Acceleration with g' instead",
            )
        raise InputFileError(path, "no phyphox acceleration columns (Time (s), Acceleration x (m/s^2), ...)")
    if gyr is None:
        raise InputFileError(
            path,
            "no phyphox gyroscope columns (Gyroscope x (rad/s), ...): record acceleration and rotation rate "
            "in one experiment and export both",
        )
    return merge_streams(path, _read_stream(acc), _read_stream(gyr), role=role, rate_hz=rate_hz)
