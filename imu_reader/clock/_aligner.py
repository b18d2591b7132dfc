"""Online clock alignment: device sample counters to host session time.

Every notification gives one anchor: (counter of the packet's last sample, host arrival
time). Arrival delay is never negative, so the anchors lie on or above the line
`time = offset_s + counter * period_s`; the fit follows their lower envelope, not their
mean. Anchors are reduced to their lowest one per bin (lowest against the current
estimate, so a wrong nominal rate does not bias the pick); the period comes from the
lowest bins of the older and newer halves of a sliding window, and the offset puts the
line under every bin in the window (the idea of fitting skew to the lower
envelope of one-way delays is from S. B. Moon, P. Skelly, D. Towsley, "Estimation and
removal of clock skew from network delay measurements", IEEE INFOCOM 1999).

Block-size invariance: a sample in bin m is mapped with the estimate made from bins
before m only, so the same anchors give the same times however they are batched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from imu_reader.clock._passes import LowestAnchors, Windows

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ClockSettings:
    """How a sensor's clock is tracked.

    Attributes:
        nominal_rate_hz: the rate the sensor claims, in Hz.
        bin_s: anchors are reduced to their lowest-delay one per bin of this many seconds
            of device time.
        window_s: device seconds of bins the fit looks back over; longer is smoother,
            shorter follows temperature drift faster.
        max_rate_error: the largest believable relative error of the oscillator (0.08 = 8%);
            estimates beyond it are clamped. An LSM6DS3 or LSM6DSOX asked for 100 Hz runs at
            104 Hz (its output rates are 12.5 Hz x 2^k), 4 % fast before its own tolerance.
    """

    nominal_rate_hz: float
    bin_s: float = 2.0
    window_s: float = 120.0
    max_rate_error: float = 0.08

    def __post_init__(self) -> None:
        if not 1.0 <= self.nominal_rate_hz <= 10_000.0:
            raise ValueError(f"nominal_rate_hz must be in [1, 10000], got {self.nominal_rate_hz}")
        if self.bin_s <= 0 or self.window_s < 2 * self.bin_s:
            raise ValueError(f"need bin_s > 0 and window_s >= 2 * bin_s, got {self.bin_s}, {self.window_s}")
        if not 0.0 < self.max_rate_error < 0.5:
            raise ValueError(f"max_rate_error must be in (0, 0.5), got {self.max_rate_error}")


@dataclass(frozen=True)
class ClockEstimate:
    """The current mapping `time_s = offset_s + counter * period_s` of one sensor.

    Attributes:
        period_s: estimated true sample period in seconds.
        offset_s: session time of counter 0 of the current epoch, in seconds.
        rate_error: relative error of the sensor's rate against its nominal rate.
        fitted_span_s: device seconds the estimate is based on (0 before the first fit).
    """

    period_s: float
    offset_s: float
    rate_error: float
    fitted_span_s: float

    @property
    def rate_hz(self) -> float:
        """Estimated true sample rate in Hz."""
        return 1.0 / self.period_s


class ClockAligner:
    """Maps the counters of one sensor onto the session timeline, online."""

    def __init__(self, settings: ClockSettings) -> None:
        self._settings = settings
        self._nominal_period_s = 1.0 / settings.nominal_rate_hz
        self._min_period_s = self._nominal_period_s / (1.0 + settings.max_rate_error)
        self._max_period_s = self._nominal_period_s / (1.0 - settings.max_rate_error)
        self._bin_samples = max(1, round(settings.bin_s * settings.nominal_rate_hz))
        self._window_bins = max(2, round(settings.window_s / settings.bin_s))
        self._period_s = self._nominal_period_s
        self._offset_s = 0.0
        # A new fit is phased in over one bin (slewed), so the timeline has no steps:
        # `_slew_s` is the jump it would have made at counter `_slew_from`.
        self._slew_s = 0.0
        self._slew_from = 0
        self._last_time_s = -np.inf
        self._epoch: int | None = None
        self._start_bins()

    def resumed(self, nominal_rate_hz: float) -> ClockAligner:
        """A fresh aligner for the same sensor at a new nominal rate: it keeps the
        oscillator's relative error and never maps a sample before the last one mapped."""
        successor = ClockAligner(replace(self._settings, nominal_rate_hz=nominal_rate_hz))
        successor._period_s = successor._nominal_period_s * self._period_s / self._nominal_period_s
        successor._last_time_s = self._last_time_s
        return successor

    @property
    def settings(self) -> ClockSettings:
        """The settings in use."""
        return self._settings

    @property
    def estimate(self) -> ClockEstimate:
        """The mapping that the next samples will use."""
        span = 0.0
        if self._win_end - self._win_start >= 2:
            span = float(self._win_x[self._win_end - 1] - self._win_x[self._win_start]) * self._period_s
        rate_error = self._nominal_period_s / self._period_s - 1.0
        return ClockEstimate(self._period_s, self._offset_s, rate_error, span)

    def _start_bins(self) -> None:
        # Lowest anchor of each completed bin of this epoch inside the window: a sliding
        # view [_win_start, _win_end) into buffers twice the window, compacted when full.
        self._win_x = np.zeros(2 * self._window_bins)
        self._win_y = np.zeros(2 * self._window_bins)
        self._win_start = 0
        self._win_end = 0
        self._open_bin = -1
        self._open_x = 0.0
        self._open_y = 0.0
        # The fit in force after the last completed bin: samples of later bins use it.
        self._fit_bin = -1

    def align(
        self,
        anchor_counter: IntArray,
        anchor_arrival_s: FloatArray,
        anchor_epoch: IntArray,
        sample_counter: IntArray,
        sample_epoch: IntArray,
    ) -> FloatArray:
        """Take new anchors and return session times of the new samples.

        Args:
            anchor_counter: unwrapped counter of each new packet's last sample, increasing
                within an epoch, shape (k,).
            anchor_arrival_s: host arrival time of each packet on the session clock, in s, shape (k,).
            anchor_epoch: stream epoch of each packet (it increases when the sensor restarts), shape (k,).
            sample_counter: unwrapped counters of the new samples, increasing within an epoch, shape (n,).
            sample_epoch: epoch of each sample, shape (n,).

        Returns:
            Session times in seconds, shape (n,), never decreasing across calls.
        """
        if anchor_counter.shape != anchor_arrival_s.shape or anchor_counter.shape != anchor_epoch.shape:
            raise ValueError("anchor arrays must share one shape (k,)")
        if sample_counter.shape != sample_epoch.shape:
            raise ValueError("sample_counter and sample_epoch must share one shape (n,)")
        out = np.empty(sample_counter.shape[0], dtype=np.float64)
        s_start = 0
        for a0, a1 in _runs(anchor_epoch):
            epoch = int(anchor_epoch[a0])
            if self._epoch != epoch:
                self._start_epoch(epoch, int(anchor_counter[a0]), float(anchor_arrival_s[a0]))
            s_end = s_start + int(np.searchsorted(sample_epoch[s_start:], epoch, side="right"))
            out[s_start:s_end] = self._map_epoch(
                anchor_counter[a0:a1], anchor_arrival_s[a0:a1], sample_counter[s_start:s_end]
            )
            s_start = s_end
        if s_start != sample_counter.shape[0]:
            raise ValueError("every sample needs an anchor of its epoch in the same call")
        return self._increasing(out)

    def align_packet(
        self, anchor_counter: int, arrival_s: float, epoch: int, first_counter: int, count: int
    ) -> FloatArray:
        """`align` for one packet: its anchor and its `count` samples from `first_counter`
        on. The same times as `align` gives, without its arrays of one anchor (a live link
        delivers packets one at a time)."""
        if self._epoch != epoch:
            self._start_epoch(epoch, anchor_counter, arrival_s)
        fit_bins = [self._fit_bin]
        fits = [self._fit]
        b = anchor_counter // self._bin_samples
        self._enter_bin(b, fit_bins, fits)
        self._take_anchor(b, float(anchor_counter), arrival_s)
        samples = np.arange(first_counter, first_counter + count, dtype=np.int64)
        return self._increasing(self._times(samples, fit_bins, fits))

    def _increasing(self, out: FloatArray) -> FloatArray:
        if out.size:
            # Safety net for a restart that lands before the last time: keep the timeline
            # strictly increasing by at least 1 us per sample.
            step = 1e-6 * np.arange(1, out.size + 1)
            out = np.maximum.accumulate(np.maximum(out - step, self._last_time_s)) + step
            self._last_time_s = float(out[-1])
        return out

    def _start_epoch(self, epoch: int, counter: int, arrival_s: float) -> None:
        # The oscillator survives a restart: keep its period, find the new offset.
        self._epoch = epoch
        self._start_bins()
        self._offset_s = arrival_s - counter * self._period_s
        self._slew_s = 0.0

    def _map_epoch(self, x_int: IntArray, y: FloatArray, samples: IntArray) -> FloatArray:
        bins = x_int // self._bin_samples
        x = x_int.astype(np.float64)
        starts = _run_starts(bins)
        fit_bins = [self._fit_bin]
        fits = [self._fit]
        b = int(bins[0])
        self._enter_bin(b, fit_bins, fits)
        # The lowest anchor against the estimate in force while this bin is open.
        r1 = int(starts[1]) if starts.shape[0] > 1 else x.shape[0]
        i = int((y[:r1] - x[:r1] * self._period_s).argmin())
        self._take_anchor(b, float(x[i]), float(y[i]))
        if starts.shape[0] == 1:
            return self._times(samples, fit_bins, fits)
        closed = self._close_runs(x, y, starts, bins[starts])
        bins_in_force = np.concatenate((fit_bins, closed[0]))
        table = np.concatenate((np.array(fits), np.column_stack(closed[1:])))
        return self._times_table(samples, bins_in_force, table)

    def _close_runs(
        self, x: FloatArray, y: FloatArray, starts: IntArray, run_bin: IntArray
    ) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """Close the bins of every run of anchors but the last (the first run's pick is
        the open bin's already), leaving the last run's bin open; returns the closed bins
        and the fit (period, offset, slew, slew start) that came in force after each.

        The same fits as closing them one by one, without a Python step per bin. Each
        bin's lowest anchor depends on the period in force while it was open, which is the
        fit after the bin before it; and each fit depends on earlier fits only through
        which anchors were lowest, never through the value of a period. So: guess every
        period, pick every bin's anchor and fit every window against the guess (all at
        once), and repeat with the fits as the new guess until they come out the same to
        the bit. Fit k depends only on the periods before it, so a solution is the one
        the bin-by-bin loop finds, and each pass settles at least one more fit: the hour of
        the decode benchmark takes eight passes.
        """
        p0 = self._period_s
        old = slice(self._win_start, self._win_end)
        windows = Windows(self._win_end - self._win_start, run_bin.shape[0] - 1, self._window_bins)
        # Anchors of the runs after the first: each run's lowest against the period before it.
        a0 = int(starts[1])
        lowest = LowestAnchors(x[a0:], y[a0:], starts[1:] - a0, self._max_period_s)
        period = np.full(windows.closes, p0)
        while True:
            pick = lowest.pick(period) + a0
            # The bins' picks in order: the old window's, the open bin's, the runs' after it.
            pick_x = np.concatenate((self._win_x[old], [self._open_x], x[pick[:-1]]))
            pick_y = np.concatenate((self._win_y[old], [self._open_y], y[pick[:-1]]))
            before = np.concatenate(([p0], period[:-1]))
            i1, i2 = windows.support(pick_x, pick_y, before)
            fitted = (pick_y[i2] - pick_y[i1]) / np.where(i2 > i1, pick_x[i2] - pick_x[i1], 1.0)
            fitted = np.minimum(np.maximum(fitted, self._min_period_s), self._max_period_s)
            fitted = np.where(i2 > i1, fitted, before)  # a window of one bin keeps the period
            if np.array_equal(fitted.view(np.int64), period.view(np.int64)):
                break
            period = fitted
        offset = windows.lowest_offset(pick_x, pick_y, period)
        slew_from = (run_bin[:-1] + 1) * self._bin_samples
        old_offset = np.concatenate(([self._offset_s], offset[:-1]))
        slew = offset + slew_from * period - (old_offset + slew_from * before)
        # The state the bin-by-bin loop leaves: window, open bin, fit in force.
        kept = min(pick_x.shape[0], self._window_bins)
        self._win_x[:kept] = pick_x[-kept:]
        self._win_y[:kept] = pick_y[-kept:]
        self._win_start, self._win_end = 0, kept
        self._open_bin = int(run_bin[-1])
        self._open_x, self._open_y = float(x[pick[-1]]), float(y[pick[-1]])
        self._fit_bin = int(run_bin[-2])
        self._period_s = float(period[-1])
        self._offset_s = float(offset[-1])
        self._slew_s = float(slew[-1])
        self._slew_from = int(slew_from[-1])
        return run_bin[:-1], period, offset, slew, slew_from.astype(np.float64)

    def _enter_bin(self, b: int, fit_bins: list[int], fits: list[tuple[float, float, float, float]]) -> None:
        """An anchor of bin `b` comes: close the open bin if it is another, noting the fit
        that comes in force after it."""
        if b != self._open_bin and self._open_bin >= 0:
            self._close_bin()
            fit_bins.append(self._fit_bin)
            fits.append(self._fit)

    def _take_anchor(self, b: int, x: float, y: float) -> None:
        """The anchor (counter `x`, arrival `y`) of bin `b`, if it is the bin's lowest so far."""
        if b != self._open_bin or y - x * self._period_s < self._open_y - self._open_x * self._period_s:
            self._open_x, self._open_y = x, y
        self._open_bin = b

    def _times(
        self, samples: IntArray, fit_bins: list[int], fits: list[tuple[float, float, float, float]]
    ) -> FloatArray:
        """Session times of `samples` (sorted), each by the fit in force after the bin before its own."""
        if len(fits) == 1:  # no bin closed: one fit for all (the usual case of a live notification)
            fit_period, fit_offset, fit_slew, fit_slew_from = fits[0]
            fit_fade = self._fade(samples, fit_slew_from)
            return np.asarray(fit_offset + samples * fit_period - fit_slew * fit_fade, dtype=np.float64)
        return self._times_table(samples, np.array(fit_bins), np.array(fits))

    def _times_table(self, samples: IntArray, fit_bins: IntArray, table: FloatArray) -> FloatArray:
        """`_times` with the fits as rows (period, offset, slew, slew start) of `table`."""
        # Samples are sorted: fit j covers those after bin fit_bins[j] up to bin fit_bins[j + 1].
        starts = np.searchsorted(samples, (fit_bins[1:] + 1) * self._bin_samples)
        counts = np.diff(np.concatenate(([0], starts, [samples.shape[0]])))
        period, offset, slew, slew_from = (np.repeat(column, counts) for column in table.T)
        fade = self._fade(samples, slew_from)
        return np.asarray(offset + samples * period - slew * fade, dtype=np.float64)

    def _fade(self, samples: IntArray, slew_from: FloatArray | float) -> FloatArray:
        """How much of a fit's slew is still to be taken off each sample: 1 at `slew_from`,
        down to 0 one bin later (np.clip, without its wrapper's cost on a packet's samples)."""
        return np.minimum(np.maximum(1.0 - (samples - slew_from) / self._bin_samples, 0.0), 1.0)

    @property
    def _fit(self) -> tuple[float, float, float, float]:
        return (self._period_s, self._offset_s, self._slew_s, float(self._slew_from))

    def _close_bin(self) -> None:
        if self._win_end == self._win_x.shape[0]:
            keep = self._window_bins - 1
            for buf in (self._win_x, self._win_y):
                buf[:keep] = buf[self._win_end - keep : self._win_end]
            self._win_start, self._win_end = 0, keep
        self._win_x[self._win_end] = self._open_x
        self._win_y[self._win_end] = self._open_y
        self._win_end += 1
        self._win_start = max(self._win_start, self._win_end - self._window_bins)
        self._fit_bin = self._open_bin
        x = self._win_x[self._win_start : self._win_end]
        y = self._win_y[self._win_start : self._win_end]
        period = self._period_s
        if x.shape[0] >= 2:
            half = (x.shape[0] + 1) // 2
            # Support points picked against the previous period; the picks settle within a
            # few bins, after which one pass per bin is exact.
            resid = y - x * period
            i1 = int(resid[:half].argmin())
            i2 = half + int(resid[half:].argmin())
            period = (y[i2] - y[i1]) / (x[i2] - x[i1])
            period = min(max(period, self._min_period_s), self._max_period_s)
        offset = float((y - x * period).min())
        # Samples from the next bin on use this fit; phase it in from where the old one was.
        self._slew_from = (self._open_bin + 1) * self._bin_samples
        old_s = self._offset_s + self._slew_from * self._period_s
        self._period_s = float(period)
        self._offset_s = offset
        self._slew_s = offset + self._slew_from * self._period_s - old_s


def _runs(values: IntArray) -> list[tuple[int, int]]:
    """[start, end) of each run of equal values, which never decrease."""
    if values.size == 0:
        return []
    if values[0] == values[-1]:
        return [(0, int(values.size))]
    cuts = np.flatnonzero(values[1:] != values[:-1]) + 1
    bounds = np.concatenate(([0], cuts, [values.size]))
    return list(pairwise(bounds.tolist()))


def _run_starts(values: IntArray) -> IntArray:
    """Start of each run of equal values, which never decrease (at least one value)."""
    return np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
