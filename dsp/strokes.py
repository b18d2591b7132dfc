"""Strokes: single movements of the leg in one direction, found on its lift velocity.

A stroke starts when the lift speed passes `moving_dps` and is complete when the speed
falls below a fifth of its peak. Its ends are then placed with hindsight, on the
minimum-jerk profile (`dsp._placing`).

The detector runs on blocks of samples with its state carried over: the decisions are
per sample, so any split of the same samples gives the same strokes.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp._geometry import heights_m
from dsp._height_rests import SMOOTH_S as _TRAILING_S
from dsp._height_rests import first_rest
from dsp._history import History
from dsp._placing import EXTEND, PEAK_FRACTION, Kept, Placed, crossing, place
from dsp._quick import all_of, any_of, correlate
from dsp.lift import MAX_BRIDGED_GAP_S, AngleTrack

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

HISTORY_S = 15.0
"""Samples kept for looking back: longer than the slowest stroke."""
SCAN_SAMPLES = 256
"""Samples looked at in one step of a stroke's search (a long block is searched in steps: the
stroke's end is a few seconds on, not in the rest of the block)."""
_FIRSTS_FROM = 256
"""A block this long has its samples tested once for each threshold the search between strokes
uses (`_Firsts`): it holds a dozen strokes and their tails, each searched for."""
TREMOR_HZ = 10.0
"""Physiological tremor of a held leg: 8 to 12 Hz."""
MIN_STROKE_DEG = 4.0
"""Smaller movements (tremor, a twitch) are not strokes (see `Stroke.reach_deg`)."""
HIP_TO_SENSOR_M = 0.8
"""No shin sensor sits further from the hip than this: the thigh and half the shank of a tall
athlete (0.37 of a height of 2.1 m; Winter, Biomechanics and Motor Control of Human Movement,
Fig. 4.1)."""
MIN_RISE_M = 0.15
"""A smaller rise tells nothing the turn does not: a leg fidgeting about the hip, the knee
bending, moves the sensor about 0.1 m (a dead bug moves it 0.2 to 0.35 m, a partial one
about 0.2 m)."""
SWUNG_PEAK_POSITION = (0.3, 0.7)
SWUNG_UNDER_S = 1.5
"""A stroke shorter than this whose speed peaks outside these shares of it (0.5 for minimum
jerk) was swung (a slow one's peak is too flat to place so well)."""
RISE_OVER_TURN = 2.0
"""The rise stands for the leg's reach only when it means at least this many times the shin's
turn: a little more than the turn explains is a leg turning about a nearer joint, or a fidget
at rest (two of them, rising 0.17-0.19 m, confirmed each other as reps)."""
RISE_UNDER_TURN_DEG = 20.0
"""A sensor that turns further than this has its rise measured badly: its accelerometer's
scale and bias errors (1 % and 0.05 m/s^2 an axis) come through gravity differently as it
turns, which over a slow stroke integrates to as much as a leg's whole movement (a heel tap
lowered in 8 s, turning 45 degrees and 0.3 m down, measured 1.3 m)."""
SMOOTH_S = 0.3
"""The sensor's acceleration is averaged over this long (three periods of a 10 Hz tremor)
before it is integrated into a stroke's rise."""
SLOW_FRACTION = 0.4
"""A stroke is followed from when its speed passes this share of `moving_dps`: a slow one that
never reaches `moving_dps` (a dead bug's shin, turning 10 degrees in 8 s, peaks at 2 deg/s)
is a stroke all the same if it covers MIN_STROKE_DEG; it is announced once it passes
`moving_dps`, if ever."""
AGAINST_RISE_M = 0.1
"""A stroke that moves the sensor this far the other way from the shin's turn is a dead bug's
(the hip and the knee straighten together): the next may hardly turn the shin at all, and is
looked for in the sensor's height (`dsp._height_rests`) until a stroke that is not a dead bug's."""
REANCHOR_S = 4.0
"""The height is integrated from a rest at most about this long ago (a rest found this long
after the last becomes the next): its error grows with the length."""


@dataclass(frozen=True)
class Stroke:
    """One movement of the leg in one direction (+1 raising, -1 lowering).

    Attributes:
        start_s, end_s: placed ends of the movement (session time).
        peak_s: when the speed peaked; peak_dps: that speed, deg/s (positive).
        start_deg, end_deg: lift angle at the ends.
        known_s: time of the sample that completed it (when a live session knows it).
        rise_m: how far the sensor went up, m (None where not known: its acceleration not
            measured, the stroke not from rest to rest, or turning RISE_UNDER_TURN_DEG or more
            but for one following a stroke measured by its rise).
        hidden: found by the sensor's height alone, the shin hardly turning (a dead bug's);
            its reach is its rise's.
    """

    direction: int
    start_s: float
    peak_s: float
    end_s: float
    peak_dps: float
    start_deg: float
    end_deg: float
    known_s: float
    rise_m: float | None = None
    hidden: bool = False

    @property
    def size_deg(self) -> float:
        """How far the shin turned, degrees."""
        return abs(self.end_deg - self.start_deg)

    @property
    def reach_deg(self) -> float:
        """How far the leg moved, degrees: the shin's turn, or more when the sensor rose or
        fell further than that turn explains. A leg turning about the hip moves a shin sensor
        at most HIP_TO_SENSOR_M per radian; one that moved further turned at the hip (and
        knee) by at least as much (a dead bug's shin hardly turns while the foot goes 0.3 m
        down and back). The rise counts only when it is at least MIN_RISE_M, for a stroke
        that turned the shin less than RISE_UNDER_TURN_DEG and was not swung (a swing's abrupt
        start or stop is not sampled well enough for the double integral)."""
        if self.hidden and self.rise_m is not None:
            return max(math.degrees(abs(self.rise_m) / HIP_TO_SENSOR_M), self.size_deg)
        if (
            self.rise_m is None
            or abs(self.rise_m) < MIN_RISE_M
            or self.size_deg >= RISE_UNDER_TURN_DEG
            or self.swung
        ):
            return self.size_deg
        rise_deg = math.degrees(abs(self.rise_m) / HIP_TO_SENSOR_M)
        return rise_deg if rise_deg >= RISE_OVER_TURN * self.size_deg else self.size_deg

    @property
    def swung(self) -> bool:
        """Quick, its speed peaking early or late: ballistic (SWUNG_UNDER_S, SWUNG_PEAK_POSITION)."""
        position = self.peak_position
        quick = self.end_s - self.start_s < SWUNG_UNDER_S
        return quick and not SWUNG_PEAK_POSITION[0] <= position <= SWUNG_PEAK_POSITION[1]

    @property
    def peak_position(self) -> float:
        """Where the speed peaks, as a fraction of the stroke (0.5 for minimum jerk)."""
        return (self.peak_s - self.start_s) / max(self.end_s - self.start_s, 1e-9)


@dataclass(frozen=True)
class StrokeStarted:
    """A stroke is under way (known at `known_s`); its start is placed later."""

    direction: int
    known_s: float
    angle_deg: float


class StrokeDetector:
    """Finds strokes in a leg's angle track, block by block."""

    def __init__(self, moving_dps: float, rate_hz: float | None = None) -> None:
        """`rate_hz`, when given, lets the velocity be averaged over a tremor period."""
        self.moving_dps = moving_dps
        self._follow_dps = SLOW_FRACTION * moving_dps
        # A held leg's tremor that gets through the velocity's low-pass (about 0.5 deg/s
        # when tired) is as large as a slow stroke's speed near its ends, where they are
        # placed: the mean over one tremor period (zeros at its frequency) takes it out.
        taps = 1 if rate_hz is None else max(1, round(rate_hz / TREMOR_HZ))
        self._mean_taps = taps
        # Reversed, as `np.convolve` has it (a mean's weights are the same either way).
        self._mean_kernel = np.full(taps, 1.0 / taps)[::-1].copy()
        self._mean_delay_s = 0.0 if rate_hz is None else (taps - 1) / (2.0 * rate_hz)
        self._mean_tail: FloatArray | None = None
        # The sensor's acceleration is averaged over this many samples at least (`first_rest`).
        self._smooth_samples = 1 if rate_hz is None else max(1, round(rate_hz * _TRAILING_S))
        # Times of the velocity, the samples' own times (`_t` plus the delay), the angle, the
        # velocity and the sensor's upward acceleration (NaN where unknown): views of the
        # history. The samples' times are kept, not added up again from the whole history
        # whenever a stroke is placed.
        self._history = History(5)
        self._t, self._sample_t, self._angle, self._v, self._up = self._history.columns()
        self._open = 0  # direction of the stroke in progress, 0 if none
        self._rearm = 0  # direction of the last stroke while its tail is still fast
        self._rearm_dps = moving_dps  # ...faster than this
        self._last_end_s = -np.inf  # the placed end of the last stroke
        self._last_direction = 0  # ...and its direction
        self._after_rise = False  # the last stroke told was measured by its rise
        self._floor = 0  # no stroke starts before this sample (the last one's end, a long gap)
        self._delay_s = 0.0
        self._open_at = 0  # its first index above the threshold, in the history
        self._announced = False  # its start told (its speed passed moving_dps)
        self._peak = 0.0
        self._peak_at = 0
        # This block's first sample, and its samples tested for the search between strokes.
        self._block_start = 0
        self._firsts: dict[tuple[int, float], _Firsts] = {}
        self._rest_s: float | None = None  # a dead bug's leg was last at rest here (None: not one)
        self._bias_mps2 = 0.0  # ...and its accelerometer's upward bias, measured up to then
        self._bias_from_stroke = False  # ...over a stroke (not from rest to rest)

    def update(self, track: AngleTrack) -> list[Stroke | StrokeStarted]:
        """Strokes started and completed in this block, in time order."""
        if not len(track):
            return []
        found: list[Stroke | StrokeStarted] = []
        n_old = self._t.size
        # Times of the velocity (its filter delay taken off); the samples' own times are
        # these plus the delay.
        velocity = track.velocity_dps
        taps = self._mean_taps
        if taps > 1:
            # Each output is the dot product of the same samples whatever the blocks (scipy's
            # lfilter adds its carried state after convolving: rounding by block length).
            if self._mean_tail is None:
                self._mean_tail = np.full(taps - 1, float(velocity[0]))
            joined = np.concatenate((self._mean_tail, velocity))
            self._mean_tail = joined[-(taps - 1) :]
            velocity = correlate(joined, self._mean_kernel, "valid")
        delay_s = track.velocity_delay_s + self._mean_delay_s
        if delay_s != self._delay_s:
            self._delay_s = delay_s
            self._sample_t[:] = self._t + delay_s
        up = np.full(len(track), np.nan) if track.vertical_mps2 is None else track.vertical_mps2
        t = track.time_s - delay_s
        self._history.add(t, t + delay_s, track.angle_deg, velocity, up)
        self._t, self._sample_t, self._angle, self._v, self._up = self._history.columns()
        # A stroke in progress is followed across a gap, short or long: the leg moved, and
        # the samples after the gap tell where it went (its speed there places the end, in
        # the gap if it had stopped or turned back). Dropping it lost the rep.
        long_gaps: list[int] = []
        if any_of(track.gap_before):
            gaps = track.gap_before.nonzero()[0] + n_old
            gaps = gaps[gaps > 0]
            long_gaps = gaps[self._t[gaps] - self._t[gaps - 1] > MAX_BRIDGED_GAP_S].tolist()
        i = n_old
        self._firsts = {}
        self._block_start = n_old
        for stop in [*long_gaps, self._t.size]:
            while i < stop:
                i = self._scan(i, stop, found)
            if stop < self._t.size and not self._follows_across(stop):
                # Between strokes (or after a gap longer than any stroke): one that started and
                # ended in the gap is lost, and so is what is left of it after the gap: a new
                # stroke starts only once the leg has slowed down.
                after = float(self._v[stop])
                moving = abs(after) > self._follow_dps
                self._open, self._floor = 0, stop
                self._rearm = (1 if after > 0 else -1) if moving else 0
                self._rearm_dps = self._follow_dps
        self._forget()
        return found

    def _follows_across(self, gap_end: int) -> bool:
        """A stroke is in progress, and the gap ending at sample `gap_end` leaves it shorter
        than the history (a longer one is drift, or a lost connection)."""
        return bool(self._open) and float(self._t[gap_end] - self._t[self._open_at]) <= HISTORY_S

    def _scan(self, i: int, stop: int, found: list[Stroke | StrokeStarted]) -> int:
        """Look at samples [i, stop); return where to go on."""
        outer_stop = stop
        if self._rest_s is not None:
            # A dead bug's stroke that hardly turns the shin is looked for a step at a time (the
            # steps bound its search).
            stop = min(stop, i + SCAN_SAMPLES)
        if self._open == 0 and self._rearm:
            # The last stroke's tail: it is still moving that way, but slower.
            k = self._first(i, stop, (self._rearm, self._rearm_dps))
            if k == stop:
                return stop
            self._rearm = 0
            i = k
        if self._open == 0:
            j = self._first(i, stop, (0, self._follow_dps))
            if self._rest_s is not None:
                rest = self._hidden(i, j, found)
                if rest is not None:
                    return rest + 1
            if j == stop:
                return stop
            v = float(self._v[j])
            self._open = 1 if v > 0 else -1
            self._open_at = j
            self._announced = False
            self._peak, self._peak_at = abs(v), j
            i = j
        # `_follow` takes a step of SCAN_SAMPLES at most itself (a dead bug's search's step).
        return self._follow(i, outer_stop, found)

    def _first(self, i: int, stop: int, test: tuple[int, float]) -> int:
        """The first sample in [i, stop) faster than `test[1]` (0 in `test[0]`: either way), or
        no faster than it that way (+1 or -1); `stop` if none. A long block's samples are
        tested once (`_Firsts`), a short one's where they are looked at."""
        way, dps = test
        if self._t.size - self._block_start < _FIRSTS_FROM:
            v = self._v[i:stop]
            flags = np.abs(v) > dps if way == 0 else (v <= dps if way > 0 else v >= -dps)
            k = int(flags.argmax())
            return i + k if flags[k] else stop
        firsts = self._firsts.get(test)
        if firsts is None:
            v = self._v[self._block_start :]
            flags = np.abs(v) > dps if way == 0 else (v <= dps if way > 0 else v >= -dps)
            firsts = self._firsts[test] = _Firsts(flags, self._block_start)
        return firsts.first(i, stop)

    def _follow(self, i: int, stop: int, found: list[Stroke | StrokeStarted]) -> int:
        """Follow the stroke in progress over samples [i, stop) (a step at most); return where
        to go on."""
        t = self._t
        # No leg moves one way for longer than the history: that is drift, not a stroke.
        stop = min(stop, i + SCAN_SAMPLES)
        too_long_s = t.item(self._open_at) + HISTORY_S
        if t.item(stop - 1) > too_long_s:
            limit = int(t.searchsorted(too_long_s, side="right"))
            if limit <= i:
                self._open = 0
                return i
            stop = min(stop, limit)
        v = self._v[i:stop]
        speed = v if self._open > 0 else -v
        highest = np.maximum.accumulate(speed)
        if i != self._open_at:
            np.maximum(highest, self._peak, out=highest)
        done = speed < PEAK_FRACTION * highest
        n = int(done.argmax())
        if not done.item(n):
            n = speed.size
        if not self._announced:
            # The first sample faster than moving_dps is the first whose highest is.
            k = int(highest.searchsorted(self.moving_dps, side="right"))
            if k < n:
                k += i
                self._announced = True
                found.append(StrokeStarted(self._open, t.item(k) + self._delay_s, self._angle.item(k)))
        if n:
            top = highest.item(n - 1)
            if top > self._peak:
                self._peak, self._peak_at = top, i + int(highest.searchsorted(top))
        if n == speed.size:
            return stop
        j = i + n
        stroke = self._place(j)
        # A completed stroke's tail may speed up again a little (a raise straight after a bounce
        # off the bottom): below moving_dps it has ended.
        self._rearm, self._open, self._rearm_dps = self._open, 0, self.moving_dps
        self._floor = j
        self._count(stroke, j, found)
        return j

    def _count(self, stroke: Stroke, j: int, found: list[Stroke | StrokeStarted]) -> None:
        """Tell the stroke completed at sample j if it is one (MIN_STROKE_DEG), and look for
        the next in the sensor's height after a dead bug's."""
        reach = stroke.reach_deg
        if reach < MIN_STROKE_DEG:
            return
        found.append(stroke)
        self._after_rise = reach > stroke.size_deg
        against = stroke.rise_m is not None and -stroke.direction * stroke.rise_m > AGAINST_RISE_M
        self._rest_s = stroke.end_s if against else None
        if against:
            # From rest to rest the mean acceleration is the bias (over the samples of its
            # rise: up to its end, or to the sample that completed it).
            sample_t = self._t + self._delay_s
            i0, i1 = (int(k) for k in np.searchsorted(sample_t, (stroke.start_s, stroke.end_s)))
            i1 = min(i1, j + 1)
            self._bias_mps2 = float(np.mean(self._up[i0:i1]))
            self._bias_from_stroke = True

    def _hidden(self, i: int, stop: int, found: list[Stroke | StrokeStarted]) -> int | None:
        """Look at samples [i, stop) for the end of a dead bug's stroke that hardly turned the
        shin (`dsp._height_rests`), or for a rest to integrate from; return where it was found."""
        assert self._rest_s is not None
        sample_t = self._sample_t
        anchor = int(sample_t.searchsorted(self._rest_s))
        origin = min(
            int(sample_t.searchsorted(self._rest_s - _TRAILING_S)), anchor + 1 - self._smooth_samples
        )
        if stop - anchor < 2:
            return None  # the rest is still ahead
        span = slice(max(origin, 0), stop)
        if (
            origin <= 0
            or not np.isfinite(self._up[span]).all()
            or float(np.max(np.diff(sample_t[span]))) > MAX_BRIDGED_GAP_S
        ):
            self._rest_s = None  # not kept, not measured, or lost: no longer looked for
            return None
        rest = first_rest(
            sample_t,
            self._up,
            anchor,
            (i, stop),
            self._bias_mps2,
            min_rise_m=MIN_RISE_M,
            after_s=REANCHOR_S,
            min_samples=self._smooth_samples,
            from_stroke=self._bias_from_stroke,
        )
        if rest is None:
            return None
        k = rest.index
        self._rest_s, self._bias_mps2 = float(sample_t[k]), rest.bias_mps2
        self._bias_from_stroke = False
        if abs(rest.rise_m) >= MIN_RISE_M:
            stroke = self._place_hidden(anchor, rest.index, rest.rise_m, rest.speed_mps)
            found.append(stroke)
            self._after_rise = True
            self._last_end_s, self._last_direction = stroke.end_s, stroke.direction
            self._floor, self._rearm = k, 0
        return k

    def _place_hidden(self, anchor: int, k: int, rise_m: float, speed_mps: FloatArray) -> Stroke:
        """The stroke the sensor's height found between samples `anchor` and `k` (both at
        rest), placed as `_place` places one from its speed (the lift's, there)."""
        d = 1 if rise_m > 0 else -1
        sample_t = self._sample_t[anchor : k + 1]
        t = sample_t - 0.5 * _TRAILING_S  # the speed's own times
        v = d * speed_mps
        p = int(v.argmax())
        level = PEAK_FRACTION * float(v[p])
        below = (v[:p] < level).nonzero()[0]
        a = int(below[-1]) if below.size else 0
        after = (v[p:] < level).nonzero()[0]
        b = p + int(after[0]) - 1 if after.size else v.size - 1
        t_a, t_b, t_peak = crossing(t, 1, v, a, level), crossing(t, 1, v, b, level), float(t[p])
        start = max(t_a - EXTEND * (t_peak - t_a), float(t[0]))
        end = min(t_b + EXTEND * (t_b - t_peak), float(sample_t[-1]))
        start_deg, end_deg = (
            float(x) for x in np.interp((start, end), sample_t, self._angle[anchor : k + 1])
        )
        peak_dps = math.degrees(float(v[p]) / HIP_TO_SENSOR_M)
        # The shin turns against the sensor's rise, as in the dead bug's strokes before.
        return Stroke(
            -d, start, t_peak, end, peak_dps, start_deg, end_deg, float(sample_t[-1]), rise_m, hidden=True
        )

    def _place(self, j: int) -> Stroke:
        """The stroke that completed at sample j, its ends placed (`dsp._placing`)."""
        d = self._open
        placed, i0 = place(self._kept(), j, d, (self._peak, self._peak_at), self._floor)
        return self._stroke(j, (d, self._peak, self._t.item(self._peak_at)), placed, i0)

    def _kept(self) -> Kept:
        """What placing a stroke takes from the detector."""
        t, sample_t, angle, v = self._t, self._sample_t, self._angle, self._v
        return Kept(t, sample_t, angle, v, self._last_end_s, self._last_direction, self._mean_taps, HISTORY_S)

    def _stroke(self, j: int, peak: tuple[int, float, float], ends: Placed, i0: int | None) -> Stroke:
        """The stroke completed at sample j: its direction, peak speed and time, its placed ends
        and the angle there, and its rise (see the module) from sample `i0` (None: it did not
        start from rest)."""
        d, peak_dps, t_peak = peak
        start, end, start_deg, end_deg = ends
        sample_t = self._sample_t
        # The rise is integrated from rest to rest (or from a turn back): not over a stroke
        # that set off the same way before the last one stopped (the wobble of a leg at the
        # top, running into its lowering), nor across a long gap. A big turn's is not measured
        # well: it is wanted only after a stroke measured by its rise (does this one bring the
        # sensor back?).
        rise = None
        if i0 is not None and (abs(end_deg - start_deg) < RISE_UNDER_TURN_DEG or self._after_rise):
            # No further than the sample that completed it: the samples after it may not have
            # come yet (a live block ends there), and the same samples must give the same rise.
            i1 = min(int(sample_t.searchsorted(end)), j + 1)
            stretch = sample_t[i0:i1]
            if (
                i1 - i0 < 2
                or stretch.item(-1) - stretch.item(0) <= MAX_BRIDGED_GAP_S
                or float(np.maximum.reduce(stretch[1:] - stretch[:-1])) <= MAX_BRIDGED_GAP_S
            ):
                rise = _rise_m(stretch, self._up[i0:i1])
        self._last_end_s, self._last_direction = end, d
        return Stroke(d, start, t_peak, end, peak_dps, start_deg, end_deg, sample_t.item(j), rise)

    def _forget(self) -> None:
        """Drop history older than HISTORY_S, keeping the stroke in progress whole."""
        keep_from = int(self._t.searchsorted(self._t[-1] - HISTORY_S))
        if self._open:
            # The stroke's start lies before its first fast sample: keep some of that too.
            keep_from = min(keep_from, int(self._t.searchsorted(self._t[self._open_at] - HISTORY_S)))
        if keep_from > 0:
            self._history.drop(keep_from)
            self._t, self._sample_t, self._angle, self._v, self._up = self._history.columns()
            self._open_at -= keep_from
            self._peak_at -= keep_from
            self._floor = max(self._floor - keep_from, 0)


class _Firsts:
    """Where each run of samples passing a test starts, in one block: the first sample from
    any on that passes is then found without looking at the samples again."""

    def __init__(self, flags: BoolArray, start: int) -> None:
        """`flags`: the test of each sample from sample `start` on."""
        self._start = start
        self._flags = flags.tobytes()
        # Samples failing the test just before one that passes.
        self._before_runs = (flags[1:] > flags[:-1]).nonzero()[0].tolist()

    def first(self, i: int, stop: int) -> int:
        """The first sample in [i, stop) that passes, or `stop`."""
        k = i - self._start
        if self._flags[k]:
            return i
        n = bisect.bisect_left(self._before_runs, k)
        if n == len(self._before_runs):
            return stop
        return min(self._start + self._before_runs[n] + 1, stop)


def _rise_m(t: FloatArray, up: FloatArray) -> float | None:
    """How far the sensor went up over a stroke, m, from its upward acceleration (m/s^2 at
    times `t`), from rest to rest (`heights_m`). None if not known."""
    if t.size < 4 or not all_of(np.isfinite(up)):
        return None
    # A held leg's tremor shakes the sensor by more than a slow stroke accelerates it: its
    # mean over a few periods leaves the stroke, and across lost samples stands for them
    # better than the samples on either side (each caught at some phase of the tremor).
    lo, hi = t.searchsorted(t - 0.5 * SMOOTH_S), t.searchsorted(t + 0.5 * SMOOTH_S, side="right")
    summed = np.concatenate(([0.0], up.cumsum()))
    return float(heights_m(t, (summed[hi] - summed[lo]) / (hi - lo))[-1])
