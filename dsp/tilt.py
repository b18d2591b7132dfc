"""Pelvic tilt from the pelvis sensor, and tilt episodes.

The pelvis turns about its left-right axis: forwards (anterior tilt: the lower back
arches off the floor) or backwards (posterior: the tailbone curls up). `PelvisTilt`
captures the baseline while the athlete lies (or hangs) still, finds the axis from the
first movement of the pelvis and tracks the angle about it with the same complementary
filter as the legs. Which way is anterior cannot be told from the pelvis alone; the
pipeline decides it from the legs (`dsp._tilt_sign`).

`TiltEpisodes` turns the signed tilt into episodes: beyond the threshold, back under it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp._geometry import principal_axis, row_norms
from dsp._history import History
from dsp._quick import any_of
from dsp._rest import STILL_GYRO_RPS, RestDetector, RestReference
from dsp._samples import SensorSamples
from dsp.events import Calibrated
from dsp.lift import AxisAngle
from dsp.settings import Settings

FloatArray = npt.NDArray[np.float64]

AXIS_AFTER_RAD = math.radians(2.0)
"""Rotation of the pelvis (while it moves) after which its axis is decided."""
ONSET_LEVELS_DEG = (0.5, 2.0)
"""The onset is extrapolated from the last crossings of these two levels before the
threshold: a pelvis starts to tip smoothly (the force on it cannot jump), its tilt growing
as a power ONSET_POWER of the time since the onset, so t0 = (t1 - r t2) / (1 - r) with
r = (level1 / level2) ** (1 / ONSET_POWER)."""
ONSET_POWER = 1.5
"""Between a tilt that follows a growing load at once (1) and one that lags it (2)."""
ONSET_LOOKBACK_S = 20.0
"""How far before the threshold crossing the onset is looked for."""
HYSTERESIS_DEG = 1.0
"""An episode ends when the tilt is this far back under the threshold."""
HELD_S = 0.5
"""A tilt that stays level this long above its baseline before it rises is held there:
the load still beats the core (a pelvis that control brings back falls to its baseline
in a fraction of a second, and keeps falling until it is there)..."""
HELD_MIN_DEG = 0.25
"""...its mean over `HELD_S` above this, degrees (the baseline's noise is a tenth of a
degree, and the accelerometer's errors read it a tenth or two off while the legs move)..."""
HELD_BAND_DEG = 0.5
"""...all of it within this band, degrees..."""
HELD_FALL_DEG = 0.1
"""...and the mean of its second half under that of its first by less than this, degrees:
a pelvis falling back to its baseline (a time constant of a quarter second) falls more."""
FALLING_S = 0.2
"""A tilt that rises again without coming under the lower onset level after an episode
continues it, unless it was still falling back over this long before it turned up..."""
FALLING_SHARE = 2 / 3
"""...to under this share of its tilt then (a pelvis that control brings back loses more
than half of its tilt in 0.2 s; a held one keeps most of it)."""


@dataclass(frozen=True)
class TiltTrack:
    """Pelvic tilt samples: degrees from the baseline about the pelvis axis, with the
    sign of that axis (anterior positive once the pipeline has decided it)."""

    time_s: FloatArray
    tilt_deg: FloatArray

    def __len__(self) -> int:
        return int(self.time_s.shape[0])


class PelvisTilt:
    """Samples of the pelvis sensor in, its tilt out (about an axis of unknown sign)."""

    def __init__(self, rate_hz: float, settings: Settings) -> None:
        self.rate_hz = rate_hz
        self.settings = settings
        self._rest_finder = RestDetector(max(2, round(settings.rest_window_s * rate_hz)))
        self.rest: RestReference | None = None
        self._turned_rad = 0.0
        self._waiting: list[SensorSamples] = []
        self.angle: AxisAngle | None = None
        self._recalibrating = False

    def update(self, samples: SensorSamples) -> tuple[TiltTrack, list[Calibrated]]:
        """Tilt of the samples after the baseline; zero until the pelvis first moves."""
        events: list[Calibrated] = []
        if self.rest is None:
            found = self._rest_finder.find(samples)
            if found is None:
                return _empty(), events
            k, self.rest = found
            self._recalibrating = False  # this first baseline is the one asked for
            bias = np.degrees(self.rest.gyro_bias_rps)
            events.append(Calibrated(self.rest.time_s, "pelvis", "rest", (bias[0], bias[1], bias[2])))
            samples = samples.part(k + 1, len(samples))
        if not len(samples):
            return _empty(), events
        if self.angle is None:
            return self._before_axis(samples), events
        if self._recalibrating:
            return self._new_baseline(samples, events), events
        tilt_deg = self.angle.angle_deg(samples)
        return TiltTrack(samples.time_s, tilt_deg), events

    def recalibrate(self) -> None:
        """Take the baseline again at the next still second (the `calibrate` command)."""
        self._recalibrating = True
        self._rest_finder = RestDetector(self._rest_finder.window)

    def _new_baseline(self, samples: SensorSamples, events: list[Calibrated]) -> TiltTrack:
        """Tilt on the old baseline up to the next still window, on the new one after it."""
        assert self.angle is not None
        found = self._rest_finder.find(samples)
        k = len(samples) if found is None else found[0] + 1
        before = self.angle.angle_deg(samples.part(0, k))
        if found is None:
            return TiltTrack(samples.time_s, before)
        self.rest = found[1]
        self._recalibrating = False
        bias = np.degrees(self.rest.gyro_bias_rps)
        events.append(Calibrated(self.rest.time_s, "pelvis", "rest", (bias[0], bias[1], bias[2])))
        self.angle = AxisAngle(self.rate_hz, self.settings.pelvis_tau_s, self.rest, self.angle.axis)
        after = self.angle.angle_deg(samples.part(k, len(samples))) if k < len(samples) else np.zeros(0)
        return TiltTrack(samples.time_s, np.concatenate((before, after)))

    def _before_axis(self, samples: SensorSamples) -> TiltTrack:
        assert self.rest is not None
        gyr = samples.gyr_rps - self.rest.gyro_bias_rps
        speed = row_norms(gyr)
        # Only real movement counts: noise summed long enough would make any axis.
        step = np.where(speed > 0.3 * STILL_GYRO_RPS, speed, 0.0) / self.rate_hz
        step[0] += self._turned_rad
        turned = np.cumsum(step)
        reached = np.flatnonzero(turned >= AXIS_AFTER_RAD)
        if not reached.size:
            self._turned_rad = float(turned[-1])
            self._waiting.append(samples)
            total = sum(len(s) for s in self._waiting)
            while total > 60 * self.rate_hz and len(self._waiting) > 1:
                total -= len(self._waiting.pop(0))
            # Under 2 degrees of movement so far: the pelvis is at its baseline.
            return TiltTrack(samples.time_s, np.zeros(len(samples)))
        k = int(reached[0])
        moved = SensorSamples.concatenate([*self._waiting, samples.part(0, k + 1)])
        self._waiting = []
        motion = moved.gyr_rps - self.rest.gyro_bias_rps
        axis = principal_axis(motion[row_norms(motion) > 0.3 * STILL_GYRO_RPS])
        self.angle = AxisAngle(self.rate_hz, self.settings.pelvis_tau_s, self.rest, axis)
        head = TiltTrack(samples.time_s[: k + 1], np.zeros(k + 1))
        rest = samples.part(k + 1, len(samples))
        if not len(rest):
            return head
        tilt_deg = self.angle.angle_deg(rest)
        return TiltTrack(samples.time_s, np.concatenate((head.tilt_deg, tilt_deg)))


@dataclass(frozen=True)
class TiltEpisode:
    """A tilt episode as it is known: at its threshold crossing (end_s None), or ended.

    Attributes:
        known_s: time of the sample that told it.
        onset_s: when the tilt left the baseline band on its way up.
        threshold_s: when it crossed the threshold; tilt_deg: the threshold then.
        end_s: when it came back under the threshold (less the hysteresis).
        peak_deg: its largest tilt (so far, at the onset).
    """

    known_s: float
    onset_s: float
    threshold_s: float
    tilt_deg: float
    end_s: float | None
    peak_deg: float


class TiltEpisodes:
    """Episodes of anterior tilt beyond a threshold, block by block."""

    def __init__(self, threshold_deg: float) -> None:
        self.threshold_deg = threshold_deg
        self._history = History(3)
        # The history's views while a block's crossings are looked at.
        self._t = self._x = self._told = np.zeros(0)
        self._first_s = math.inf  # the time of the first sample kept
        self._last_s = -math.inf
        self._open: TiltEpisode | None = None
        self._open_peak_deg = -math.inf  # the open episode's peak so far (its own, at the onset)
        self._last_onset_s = -math.inf
        self._last_end_s = -math.inf

    def update(
        self, time_s: FloatArray, tilt_deg: FloatArray, told_s: FloatArray | None = None
    ) -> list[TiltEpisode]:
        """Onsets and ends in these samples (anterior tilt positive); `told_s`, when each
        sample could be told (its own time unless it waited), gives the episodes' `known_s`."""
        out: list[TiltEpisode] = []
        if not time_s.size:
            return out
        n_old = len(self._history)
        if not n_old:
            self._first_s = float(time_s[0])
        self._history.add(time_s, tilt_deg, time_s if told_s is None else told_s)
        self._last_s = float(time_s[-1])
        if self._open is None:
            quiet = not any_of(tilt_deg > self.threshold_deg)
        else:
            quiet = not any_of(tilt_deg < self.threshold_deg - HYSTERESIS_DEG)
            if quiet:  # the open episode goes on through the block
                self._open_peak_deg = max(self._open_peak_deg, float(tilt_deg.max()))
        if quiet:  # the usual case: no crossing, and the history's views not needed
            self._drop_old()
            return out
        self._t, self._x, self._told = self._history.columns()
        i = n_old
        while i < self._t.size:
            if self._open is None:
                above = (self._x[i:] > self.threshold_deg).nonzero()[0]
                if not above.size:
                    break
                j = i + int(above[0])
                threshold_s = _cross(self._t, self._x, j - 1, self.threshold_deg)
                onset_s = self._onset(j)
                self._last_onset_s = onset_s
                self._open = TiltEpisode(
                    float(self._told[j]),
                    float(onset_s),
                    threshold_s,
                    self.threshold_deg,
                    None,
                    float(self._x[j]),
                )
                out.append(self._open)
                self._open_peak_deg = self._open.peak_deg
                i = j + 1
            else:
                under = (self._x[i:] < self.threshold_deg - HYSTERESIS_DEG).nonzero()[0]
                stop = i + int(under[0]) if under.size else self._t.size
                peak = max(self._open_peak_deg, float(self._x[i:stop].max()) if stop > i else -math.inf)
                if not under.size:
                    self._open_peak_deg = peak
                    break
                end_s = _cross(self._t, self._x, stop - 1, self.threshold_deg - HYSTERESIS_DEG)
                self._last_end_s = end_s
                o = self._open
                out.append(
                    TiltEpisode(float(self._told[stop]), o.onset_s, o.threshold_s, o.tilt_deg, end_s, peak)
                )
                self._open = None
                i = stop + 1
        # The views would hold on to the buffers the history has moved on from.
        self._t = self._x = self._told = np.zeros(0)
        self._drop_old()
        return out

    def _drop_old(self) -> None:
        # Kept: at least 1.5 ONSET_LOOKBACK_S, dropped in steps of as much (a live session adds
        # a few samples at a time).
        if self._first_s < self._last_s - 3.0 * ONSET_LOOKBACK_S:
            t = self._history.columns()[0]
            self._history.drop(int(t.searchsorted(self._last_s - 1.5 * ONSET_LOOKBACK_S)))
            self._first_s = float(self._history.columns()[0][0])

    def _onset(self, j: int) -> float:
        """Onset of the episode that crossed the threshold at sample j (see ONSET_LEVELS_DEG)."""
        # No further back than ONSET_LOOKBACK_S (less than the history kept): the same
        # onset however the samples came.
        lo = int(self._t.searchsorted(self._t[j] - ONSET_LOOKBACK_S))
        crossings = []
        for level in ONSET_LEVELS_DEG:
            below = _last_under(self._x, lo, j, level)
            crossings.append(_cross(self._t, self._x, below, level) if below >= 0 else float(self._t[lo]))
        (t1, t2), (l1, l2) = crossings, ONSET_LEVELS_DEG
        r = float((l1 / l2) ** (1 / ONSET_POWER))
        # Not before the tilt was last at its baseline (rising from a curl, it passes through).
        at_base = _last_under(self._x, lo, j, 0.0, strict=False)
        base_s = _cross(self._t, self._x, at_base, 0.0) if at_base >= 0 else float(self._t[lo])
        if at_base >= 0 and self._held(at_base, t1):
            # Held off its baseline since it left it: control was lost then, and an episode
            # that began since (and fell back to the hold) began the same loss of control.
            return self._last_onset_s if self._last_onset_s >= base_s else base_s
        turn_s = self._turn(j) if t1 < self._last_end_s else None
        if turn_s is not None:
            return turn_s
        return max((t1 - r * t2) / (1 - r), t1 - 2 * (t2 - t1), base_s)

    def _turn(self, j: int) -> float | None:
        """When the tilt turned up again after the last episode ended, if it was still
        falling back then (see FALLING_S): the start of a new loss of control."""
        k_end = int(np.searchsorted(self._t, self._last_end_s))
        if k_end >= j:
            return None
        k = k_end + int(np.argmin(self._x[k_end:j]))
        before = float(np.interp(self._t[k] - FALLING_S, self._t, self._x))
        return float(self._t[k]) if self._x[k] < FALLING_SHARE * before else None

    def _held(self, base: int, rise_s: float) -> bool:
        """The tilt was held level above its baseline (last there at sample `base`) for
        `HELD_S` before `rise_s`."""
        k0, k1 = np.searchsorted(self._t, (rise_s - HELD_S, rise_s))
        if k0 <= base or k1 - k0 < 2:
            return False
        held = self._x[k0:k1]
        half = held.size // 2
        return (
            float(held.mean()) >= HELD_MIN_DEG
            and float(held.max() - held.min()) <= HELD_BAND_DEG
            and float(held[:half].mean() - held[half:].mean()) < HELD_FALL_DEG
        )


LAST_UNDER_FIRST_LOOK = 64
"""Samples `_last_under` looks at first (a tilt crossing its onset levels crosses them a
fraction of a second before the threshold); each further look is four times longer."""


def _last_under(x: FloatArray, lo: int, hi: int, level: float, *, strict: bool = True) -> int:
    """The last index in [lo, hi) where x is under `level` (at most, unless `strict`); -1 if
    none is. Looked for backwards, a stretch at a time: the comparison of the whole lookback
    would cost as much as the rest of an onset."""
    stop, size = hi, LAST_UNDER_FIRST_LOOK
    while stop > lo:
        start = max(lo, stop - size)
        part = x[start:stop]
        under = (part < level if strict else part <= level).nonzero()[0]
        if under.size:
            return start + int(under[-1])
        stop, size = start, 4 * size
    return -1


def _cross(t: FloatArray, x: FloatArray, k: int, level: float) -> float:
    """Time where x crosses `level` between samples k and k + 1 (linear)."""
    if k < 0:
        return float(t[0])
    if k + 1 >= t.size or x[k + 1] == x[k]:
        return float(t[k])
    f = min(max((level - float(x[k])) / float(x[k + 1] - x[k]), 0.0), 1.0)
    return float(t[k] + f * (t[k + 1] - t[k]))


def _empty() -> TiltTrack:
    return TiltTrack(np.zeros(0), np.zeros(0))
