"""Placing a completed stroke's ends with hindsight (`dsp.strokes`).

Human reaching and lifting movements follow the minimum-jerk profile closely (Flash and
Hogan 1985), in which the speed is a fifth of its peak at 12.8 % and 87.2 % of the
movement. From the peak and those two crossings each end is extrapolated on its own side,
so that a ballistic stroke (speeding up to an abrupt stop) is placed well too.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from dsp._quick import interp
from dsp.lift import MAX_BRIDGED_GAP_S

FloatArray = npt.NDArray[np.float64]

PEAK_FRACTION = 0.2
"""A stroke's speed at its placed ends, as a fraction of its peak."""
_MIN_JERK_AT_FRACTION = 0.1283
"""Phase s where 16 s^2 (1 - s)^2 (minimum-jerk speed over its peak) equals PEAK_FRACTION."""
EXTEND = _MIN_JERK_AT_FRACTION / (0.5 - _MIN_JERK_AT_FRACTION)
"""How far an end lies beyond its crossing, as a share of the time from the peak to it."""
_COVERED_AT_FRACTION = 0.983
"""Position of a minimum-jerk movement at phase 1 - _MIN_JERK_AT_FRACTION (10s^3 - 15s^4 + 6s^5)."""
OVERLAP_S = 0.1
"""A stroke placed to start this much before the last one's end, the same way, still started
from rest (the placed ends of slow strokes are that uncertain)."""
LOST_CROSSING_S = 0.25
"""Samples missing for longer than this where a stroke's speed passed a fifth of its peak
leave that crossing unknown (a stroke's start placed a gap's length late read the shin's
angle 4.6 degrees into the stroke, and its rise from there the wrong way). One packet lost
at 25 Hz, four samples a packet, leaves 0.2 s between the samples on either side: the line
across that is as good as the placing of a slow stroke's ends."""


class Kept(NamedTuple):
    """A detector's history, and what placing a stroke takes from before it."""

    t: FloatArray
    """Times of the velocity (its filter delay taken off), s."""
    sample_t: FloatArray
    """The samples' own times (the angle's), s."""
    angle: FloatArray
    velocity: FloatArray
    last_end_s: float
    """The placed end of the last stroke..."""
    last_direction: int
    """...and its direction (0 if none)."""
    mean_taps: int
    """Samples the velocity's mean over a tremor period takes in."""
    back_s: float
    """No stroke's start is looked for further back from its peak than this."""


class Placed(NamedTuple):
    """A stroke's placed ends (session time) and the angle there, degrees."""

    start_s: float
    end_s: float
    start_deg: float
    end_deg: float


def place(kept: Kept, j: int, d: int, peak: tuple[float, int], floor: int) -> tuple[Placed, int | None]:
    """The stroke in direction `d` that completed at sample `j`, its speed peaking at `peak`
    (deg/s, sample), not started before sample `floor` (the last one's end, a long gap):
    its ends, and the first sample of its rise (None if it did not start from rest: it set
    off the same way before the last one stopped)."""
    peak_dps, p = peak
    level = PEAK_FRACTION * peak_dps
    t, angle, velocity = kept.t, kept.angle, kept.velocity
    t_peak = t.item(p)
    # Backwards from the peak to the last sample under the level, no further back than the
    # last stroke's end or a lost stretch (or the history kept).
    if t.item(floor) < t_peak - kept.back_s:
        floor = max(floor, int(t.searchsorted(t_peak - kept.back_s)))
    rising = velocity[floor : max(p, floor)]
    below = (rising < level if d > 0 else rising > -level).nonzero()[0]
    a = floor + int(below[-1]) if below.size else floor
    t_a = crossing(t, d, velocity, a, level)
    t_b = crossing(t, d, velocity, j - 1, level)
    # Samples lost where the speed passed the level (or just before: the tremor mean's
    # taps after a gap take in the samples before it) leave that crossing anywhere in the
    # gap, and the line across it, or the mean, places it late: there the profile's
    # symmetry places it, from the other side, within the gap.
    lo = max(a - kept.mean_taps, floor)
    hi = min(a + 1, t.size - 1)
    # No step is longer than the stretch: most are looked at no further.
    if hi > lo and t.item(hi) - t.item(lo) > LOST_CROSSING_S:
        t_a = _across_gap(t, (lo, hi), t_peak, t_a, t_b)
    start = t_a - EXTEND * (t_peak - t_a)
    end = t_b + EXTEND * (t_b - t_peak)
    # The angle is on the samples' own times.
    sample_t = kept.sample_t
    # Where the leg was when it set off: not before it stopped going the other way (an
    # extrapolation can reach back into the last stroke, when the speed ripples).
    start_deg = interp(max(start, kept.last_end_s), sample_t, angle)
    if j > 0 and t.item(j) - t.item(j - 1) > MAX_BRIDGED_GAP_S:
        # It ended in a long gap, where the angle is not known: the leg got as far as it is
        # after the gap (if it stopped there), or as it was before it (if it turned back).
        before, after = float(angle[j - 1]), float(angle[j])
        end_deg = after if d * (after - before) > 0 else before
    else:
        # Where the speed is back to a fifth of its peak a minimum-jerk movement has covered
        # _COVERED_AT_FRACTION of its way: the rest is extrapolated.
        at_b = interp(t_b, sample_t, angle)
        end_deg = start_deg + (at_b - start_deg) / _COVERED_AT_FRACTION
    i0 = int(sample_t.searchsorted(start))
    from_rest = i0 > 0 and (d != kept.last_direction or start >= kept.last_end_s - OVERLAP_S)
    return Placed(start, end, start_deg, end_deg), i0 if from_rest else None


def _across_gap(t: FloatArray, near: tuple[int, int], t_peak: float, t_a: float, t_b: float) -> float:
    """The start's crossing `t_a`, or where the profile's symmetry places it if samples
    [near[0], near[1]] lost it in a gap (see `place`)."""
    lo, hi = near
    steps = np.diff(t[lo : hi + 1])
    if float(np.maximum.reduce(steps)) > LOST_CROSSING_S:
        before_gap = t.item(lo + int(steps.argmax()))
        return min(max(t_peak - (t_b - t_peak), before_gap), t_a)
    return t_a


def crossing(t: FloatArray, d: int, v: FloatArray, k: int, level: float) -> float:
    """Time where the speed `d` * `v` crosses `level` between samples k and k + 1 (linear)."""
    t0: float = t.item(k)
    if k + 1 >= t.size:
        return t0
    v0, v1 = d * v.item(k), d * v.item(k + 1)
    if v1 == v0:
        return t0
    f = min(max((level - v0) / (v1 - v0), 0.0), 1.0)
    return t0 + f * (t.item(k + 1) - t0)
