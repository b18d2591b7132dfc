"""Array passes of the clock aligner: the bins a batch of anchors closes, all at once.

The aligner's fits are a chain (each bin's lowest anchor is picked against the fit before
it), so these helpers work on a guess of every period and are run again until the guess
holds; see `ClockAligner._close_runs`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def lowest(values: FloatArray, starts: IntArray) -> IntArray:
    """The position of the first lowest value of each run `values[starts[j]:starts[j + 1]]`
    (the last to the end), as argmin gives it: a NaN counts as the lowest."""
    low = np.minimum.reduceat(values, starts)
    counts = np.diff(np.append(starts, values.shape[0]))
    hits = values == np.repeat(low, counts)
    if np.isnan(low).any():
        hits |= np.isnan(values)
    positions = np.flatnonzero(hits)
    return positions[np.searchsorted(positions, starts)]


class LowestAnchors:
    """The lowest anchor (argmin of `y - x * period`) of each run of anchors, for a period
    per run that changes a little from pass to pass, without going through every anchor
    each pass: an anchor far above its run's lowest against a period stays above it for
    periods near that one, so only the anchors close to the lowest are kept, with the
    range of periods for which that holds."""

    RELATIVE_WIDTH = 1e-4
    """Periods within this share of the one the candidates were chosen for keep them
    (the fits of one bin change far less between passes, once past an epoch's first bins)."""

    def __init__(self, x: FloatArray, y: FloatArray, starts: IntArray, max_period_s: float) -> None:
        self._x, self._y, self._starts = x, y, starts
        self._counts = np.diff(np.append(starts, x.shape[0]))
        self._span = x[starts + self._counts - 1] - x[starts]
        # A bound on the rounding error of one `y - x * period`, counted eight times over.
        self._rounding = (
            8 * np.finfo(np.float64).eps * (float(np.abs(y).max()) + float(np.abs(x).max()) * max_period_s)
        )
        self._keep = np.ones(x.shape[0], dtype=np.bool_)
        self._low = np.full(starts.shape[0], np.inf)
        self._high = np.full(starts.shape[0], -np.inf)
        self._chosen = np.arange(x.shape[0])

    def pick(self, period: FloatArray) -> IntArray:
        """Index of the first lowest anchor of each run, `period` one per run."""
        stale = np.flatnonzero((period < self._low) | (period > self._high))
        if stale.size:
            self._narrow(stale, period[stale])
        chosen = self._chosen
        run_of = np.searchsorted(self._starts, chosen, side="right") - 1
        resid = self._y[chosen] - self._x[chosen] * period[run_of]
        return chosen[lowest(resid, np.searchsorted(chosen, self._starts))]

    def _narrow(self, runs: IntArray, period: FloatArray) -> None:
        """Choose the candidates of `runs` again around their new `period`."""
        counts = self._counts[runs]
        if runs.shape[0] == self._starts.shape[0]:  # every run (the first pass): no gathers
            index: IntArray | slice = slice(None)
            run_starts = self._starts
        else:
            run_starts = np.cumsum(counts) - counts
            index = np.repeat(self._starts[runs] - run_starts, counts) + np.arange(int(counts.sum()))
        resid = self._y[index] - self._x[index] * np.repeat(period, counts)
        low = np.minimum.reduceat(resid, run_starts)
        width = self.RELATIVE_WIDTH * period
        slack = self._span[runs] * width + self._rounding
        if not (np.isfinite(low).all() and np.isfinite(slack).all()):
            self._keep[index] = True  # NaN or inf: keep them all, argmin sorts them out
        else:
            self._keep[index] = resid <= np.repeat(low + slack, counts)
        self._low[runs] = period - width
        self._high[runs] = period + width
        self._chosen = np.flatnonzero(self._keep)


class Windows:
    """The sliding windows of bins that `closes` closes in a row fit over, in the list of
    bin picks that starts with the `first` bins already in the window: close k fits over
    the last `window` picks up to position `first + k`, fewer in an epoch's first bins."""

    def __init__(self, first: int, closes: int, window: int) -> None:
        self.closes = closes
        self._first = first
        self._window = window
        # Closes whose window is not full yet (an epoch's first bins) all start at pick 0.
        self._ramp = max(0, min(closes, window - 1 - first))
        end = first + np.arange(self._ramp)
        col = np.arange(first + self._ramp)
        self._ramp_valid = col <= end[:, None]
        self._ramp_older = col < (end[:, None] + 2) // 2
        self._ramp_newer = self._ramp_valid & ~self._ramp_older

    def support(self, x: FloatArray, y: FloatArray, period: FloatArray) -> tuple[IntArray, IntArray]:
        """Positions of each close's lowest pick of the older and of the newer half of its
        window against `period` (one per close), as argmin gives them; the same position
        twice for a window of one bin."""
        i1 = np.empty(self.closes, dtype=np.int64)
        i2 = np.empty(self.closes, dtype=np.int64)
        r = self._ramp
        if r:
            m = self._first + r
            resid = y[:m] - x[:m] * period[:r, None]
            i1[:r] = np.where(self._ramp_older, resid, np.inf).argmin(axis=1)
            i2[:r] = np.where(self._ramp_newer, resid, np.inf).argmin(axis=1)
            # Masked columns are inf too: if every real one is, argmin must give the first real one.
            # (A window of one bin has no newer half: its first real one is its only one.)
            end = self._first + np.arange(r)
            i2[:r] = np.where(self._ramp_newer[np.arange(r), i2[:r]], i2[:r], np.minimum((end + 2) // 2, end))
        if self.closes > r:
            w = self._window
            start = self._first + r - w + 1
            wx = sliding_window_view(x, w)[start:]
            wy = sliding_window_view(y, w)[start:]
            resid = wy - wx * period[r:, None]
            half = (w + 1) // 2
            offsets = np.arange(start, start + self.closes - r)
            i1[r:] = offsets + resid[:, :half].argmin(axis=1)
            i2[r:] = offsets + half + resid[:, half:].argmin(axis=1)
        return i1, i2

    def lowest_offset(self, x: FloatArray, y: FloatArray, period: FloatArray) -> FloatArray:
        """Each close's offset: the lowest `y - x * period` of its window."""
        offset = np.empty(self.closes)
        r = self._ramp
        if r:
            m = self._first + r
            offset[:r] = np.where(self._ramp_valid, y[:m] - x[:m] * period[:r, None], np.inf).min(axis=1)
        if self.closes > r:
            start = self._first + r - self._window + 1
            wx = sliding_window_view(x, self._window)[start:]
            wy = sliding_window_view(y, self._window)[start:]
            offset[r:] = (wy - wx * period[r:, None]).min(axis=1)
        return offset
