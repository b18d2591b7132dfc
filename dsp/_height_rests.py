"""Where a leg that hardly turned its shin comes to rest, and how far its sensor rose.

A dead bug straightens the hip and the knee together: the foot goes 0.3 m down and back
while the shin's inclination hardly changes (0 to 2 degrees in some returns and
extensions), so its lift angle shows no stroke. The sensor's height does. From a sample
where the leg was at rest (the anchor), the height at each later sample is the double
integral of the upward acceleration supposing the leg at rest there too: the speed the
integral leaves there is then the accelerometer's bias integrated, and is taken off in
proportion to the time (`dsp._geometry.heights_m`). Where the leg is at rest these heights
agree from sample to sample (a plateau); while it moves they do not, the speed taken off
being the leg's own. A plateau away from the anchor's height ends a stroke.

A slow movement's start is no plateau's end all the same: taken off over the whole stretch,
its speed hardly changes the heights at first. The bias measured between the last two rests
(it stays as long as the sensor's inclination does) tells it: the speed with that taken off
is the leg's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SMOOTH_S = 0.3
"""The acceleration is averaged over this long before it is integrated (three periods of a
held leg's 10 Hz tremor), over the samples before each one (causal: it is late by half of it).
After lost samples the mean goes back as many samples as SMOOTH_S holds at the sensor's rate
(`min_samples`): the few after a gap, each caught at some phase of the tremor, would stand
for the whole gap (one sample after 0.5 s lost at 25 Hz moved the speed by 0.1 m/s)."""
STILL_LAGS_S = (0.1, 0.2, 0.3)
STILL_M = 0.02
"""A leg is at rest at a sample when the heights supposing it at rest there and these long
before differ by less than STILL_M (a held leg's tremor moves them by about 0.01 m)."""
STILL_MPS = 0.06
"""...and its upward speed over those lags, the last bias measured taken off, is under this
(a slow dead bug, 0.3 m in 8 s, moves the sensor at up to 0.07 m/s; the bias measured is
off by up to about 0.01 m/s^2, 0.04 m/s after 4 s)."""
STROKE_BIAS_MPS2 = 0.02
"""A bias measured over a stroke (`first_rest`'s `from_stroke`) may be off by this much more,
m/s^2, so the speed allowed grows by this for each second from the anchor: the accelerometer
read along the up direction the lift angle gives takes in gravity as the sensor's attitude
strays from it (g (1 - cos 3.6 deg) = 0.02: a turn about the shin, the pelvis tilting), and
a stroke goes from one pose to another and ends (at the sample that completes it) still
moving at a fifth of its peak speed. Biases measured so were off by 0.01 to 0.027 m/s^2
against the rest after them (0.09 m/s after the 3.4 s of a dead bug's hold and return)."""
MIN_AWAY_S = 0.5
"""A rest is looked for this long after the anchor at the earliest."""


@dataclass(frozen=True)
class Rest:
    """A sample where the leg was found at rest.

    Attributes:
        index: the sample.
        rise_m: how far the sensor went up from the anchor, m.
        speed_mps: the sensor's upward speed from the anchor to `index` (each sample's,
            m/s), the bias taken off.
        bias_mps2: the accelerometer's upward bias, measured from the anchor to `index`.
    """

    index: int
    rise_m: float
    speed_mps: FloatArray
    bias_mps2: float


def first_rest(
    time_s: FloatArray,
    up_mps2: FloatArray,
    anchor: int,
    bounds: tuple[int, int],
    bias_mps2: float,
    *,
    min_rise_m: float,
    after_s: float,
    min_samples: int = 1,
    from_stroke: bool = False,
) -> Rest | None:
    """The first sample in [bounds[0], bounds[1]) where the leg is at rest (see the module),
    having risen or fallen at least `min_rise_m` from the anchor, or at least `after_s` after
    it (a new anchor: the integral's error grows with its length). `bias_mps2`: the last
    measured. `up_mps2` is read from SMOOTH_S before the anchor (and `min_samples` before it at
    least: each mean takes that many samples at least). `from_stroke`: `bias_mps2` was
    measured over a stroke, not from rest to rest (STROKE_BIAS_MPS2). None if there is none."""
    begin, stop = bounds
    if stop - anchor < 2:
        return None
    t = time_s[anchor:stop]
    # Trailing means over SMOOTH_S, from sums that start at a fixed sample (the same
    # numbers whatever the blocks).
    origin = int(np.searchsorted(time_s, time_s[anchor] - SMOOTH_S, side="right"))
    origin = max(min(origin, anchor + 1 - min_samples), 0)
    summed = np.concatenate(([0.0], np.cumsum(up_mps2[origin:stop])))
    ends = np.arange(anchor, stop) - origin + 1
    starts = np.searchsorted(time_s, t - SMOOTH_S, side="right") - origin
    starts = np.maximum(np.minimum(starts, ends - min_samples), 0)
    mean = (summed[ends] - summed[starts]) / (ends - starts)
    step = np.diff(t)
    speed = np.concatenate(([0.0], np.cumsum(0.5 * (mean[1:] + mean[:-1]) * step)))
    position = np.concatenate(([0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]) * step)))
    since = t - t[0]
    height = position - 0.5 * speed * since
    first = max(begin, int(np.searchsorted(time_s, time_s[anchor] + MIN_AWAY_S))) - anchor
    if first >= t.size:
        return None
    rest = np.ones(t.size - first, dtype=np.bool_)
    for lag_s in STILL_LAGS_S:
        before = np.searchsorted(t, t[first:] - lag_s)
        rest &= (np.abs(height[first:] - height[before]) < STILL_M) & (t[first:] - t[before] >= 0.5 * lag_s)
    allowed = STILL_MPS + (STROKE_BIAS_MPS2 * since if from_stroke else 0.0)
    moving = np.abs(speed - bias_mps2 * since) >= allowed
    # Moving at a sample in the last lag: the count of moving samples up to it grew.
    count = np.cumsum(moving)
    rest &= count[first:] == count[np.maximum(np.searchsorted(t, t[first:] - STILL_LAGS_S[-1]) - 1, 0)]
    rest &= (np.abs(height[first:]) >= min_rise_m) | (since[first:] >= after_s)
    found = rest.nonzero()[0]
    if not found.size:
        return None
    k = first + int(found[0])
    bias = float(speed[k] / since[k])
    return Rest(anchor + k, float(height[k]), speed[: k + 1] - bias * since[: k + 1], bias)
