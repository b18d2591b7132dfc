"""Gap marking, and merging a phone's separate accelerometer and gyroscope streams.

Phones timestamp each sensor on its own and at its own rate, so the two streams are
resampled by linear interpolation onto one uniform grid at the accelerometer's median
rate (or a rate the caller asks for), over the span both cover. Samples never come from
interpolating across a hole: grid points inside a hole of either stream are dropped and
the first one after it is marked `gap_before`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dsp import SensorSamples
from imu_reader._errors import InputFileError
from imu_reader.csvio._table import CsvText, raise_if_time_not_increasing

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

GAP_FACTOR = 1.5
"""A step longer than this many median steps is a hole in the data."""


def gaps_from_steps(time_s: FloatArray) -> BoolArray:
    """Mark samples that follow a step longer than `GAP_FACTOR` median steps.

    Args:
        time_s: strictly increasing sample times in s, shape (n,), n >= 2.

    Returns:
        gap_before, shape (n,); the first sample is never marked.
    """
    steps_s = np.diff(time_s)
    gap_before = np.zeros(time_s.shape[0], dtype=np.bool_)
    gap_before[1:] = steps_s > GAP_FACTOR * float(np.median(steps_s))
    return gap_before


@dataclass(frozen=True)
class Stream:
    """One phone sensor stream with strictly increasing times.

    Attributes:
        name: the file it came from, for messages (e.g. `Gyroscope.csv`).
        time_s: sample times in s, shape (n,), strictly increasing, n >= 2.
        values: x, y, z per sample in SI units, shape (n, 3).
    """

    name: str
    time_s: FloatArray
    values: FloatArray


def clean_stream(
    table: CsvText, time_column: int, time_s: FloatArray, values: FloatArray, name: str
) -> Stream:
    """Drop repeated timestamps and check that time increases.

    Phones sometimes log one reading twice with the same timestamp (Sensor Logger's
    documentation mentions it); the repeat adds nothing, so only the first is kept.

    Args:
        table: the file the rows came from (for error messages).
        time_column: header index of its time column.
        time_s: times in s, shape (n,), finite.
        values: x, y, z in SI units, shape (n, 3), finite.
        name: label for messages.

    Raises:
        InputFileError: time goes backwards (naming the line), or fewer than 2 samples remain.
    """
    rows = np.arange(time_s.shape[0], dtype=np.int64)
    if time_s.shape[0] > 1:
        fresh = np.ones(time_s.shape[0], dtype=np.bool_)
        fresh[1:] = np.diff(time_s) != 0
        rows = rows[fresh]
    time_s = time_s[rows]
    raise_if_time_not_increasing(table, time_s, time_column, rows)
    if time_s.shape[0] < 2:
        raise InputFileError(table.display, f"needs at least 2 samples, found {time_s.shape[0]}")
    return Stream(name, time_s, values[rows])


def _median_step_s(time_s: FloatArray) -> float:
    return float(np.median(np.diff(time_s)))


def _holes(stream: Stream, grid_s: FloatArray) -> tuple[IntArray, IntArray]:
    """Grid index ranges [lo, hi) strictly inside each hole of `stream`."""
    steps_s = np.diff(stream.time_s)
    at = np.flatnonzero(steps_s > GAP_FACTOR * float(np.median(steps_s)))
    lo = np.searchsorted(grid_s, stream.time_s[at], side="right").astype(np.int64)
    hi = np.searchsorted(grid_s, stream.time_s[at + 1], side="left").astype(np.int64)
    return lo, hi


def _in_ranges(lo: IntArray, hi: IntArray, n: int) -> BoolArray:
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, lo, 1)
    np.add.at(delta, hi, -1)
    return np.asarray(np.cumsum(delta[:n]) > 0)


def merge_streams(
    display: Path, acc: Stream, gyr: Stream, *, role: str, rate_hz: float | None = None
) -> SensorSamples:
    """Resample both streams onto one uniform grid over the span they share.

    Args:
        display: the export, for error messages.
        acc: acceleration including gravity, m/s^2.
        gyr: angular rate, rad/s.
        role: where the phone was strapped, one of `dsp.ROLES`.
        rate_hz: grid rate in Hz; None uses the accelerometer's median rate.

    Returns:
        Samples whose time 0 is the first grid sample, i.e. the later of the two streams'
        first samples (later still if that falls in a hole).

    Raises:
        InputFileError: the streams overlap for less than two grid samples.
    """
    step_s = 1.0 / rate_hz if rate_hz is not None else _median_step_s(acc.time_s)
    start_s = max(acc.time_s[0], gyr.time_s[0])
    end_s = min(acc.time_s[-1], gyr.time_s[-1])
    n = int(np.floor((end_s - start_s) / step_s + 1e-9)) + 1 if end_s > start_s else 0
    if n < 2:
        raise InputFileError(
            display,
            f"{acc.name} ({acc.time_s[0]:.3f} s to {acc.time_s[-1]:.3f} s) and {gyr.name} "
            f"({gyr.time_s[0]:.3f} s to {gyr.time_s[-1]:.3f} s) do not overlap in time",
        )
    grid_s = start_s + np.arange(n) * step_s
    keep = np.ones(n, dtype=np.bool_)
    hole_starts = []
    for stream in (acc, gyr):
        lo, hi = _holes(stream, grid_s)
        keep &= ~_in_ranges(lo, hi, n)
        hole_starts.append(lo)
    kept = np.flatnonzero(keep)
    if kept.shape[0] < 2:
        raise InputFileError(display, "fewer than 2 samples left once holes in the data are removed")
    gap_before = np.zeros(kept.shape[0], dtype=np.bool_)
    # The first kept grid point after each hole starts; a hole before the first kept
    # sample needs no mark, there is nothing before it to be cut off from.
    after = np.searchsorted(kept, np.concatenate(hole_starts))
    gap_before[after[(after > 0) & (after < kept.shape[0])]] = True
    time_s = grid_s[kept]
    acc_mps2 = np.column_stack([np.interp(time_s, acc.time_s, acc.values[:, k]) for k in range(3)])
    gyr_rps = np.column_stack([np.interp(time_s, gyr.time_s, gyr.values[:, k]) for k in range(3)])
    return SensorSamples(role, time_s - time_s[0], acc_mps2, gyr_rps, gap_before)
