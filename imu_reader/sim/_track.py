"""Smooth scalar trajectories with exact derivatives, evaluated at any times at once.

A `Track` is a sequence of keyframes joined by motion profiles: minimum-jerk
(T. Flash and N. Hogan, "The coordination of arm movements", J. Neurosci. 5(7), 1985),
or ballistic (constant acceleration into an abrupt stop, or out of an abrupt start).
Additive `Oscillation`s model tremor, a bounce at the bottom and body swing. Every
evaluation returns value, first and second derivative, so sensor signals follow the
trajectory exactly rather than by numerical differentiation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class Profile(IntEnum):
    """How a move goes from one keyframe to the next (s in [0, 1] is the move's phase)."""

    MIN_JERK = 0  # 10s^3 - 15s^4 + 6s^5: smooth start and stop
    BALLISTIC_IN = 1  # s^2: speeds up all the way, stops abruptly (a dropped leg)
    BALLISTIC_OUT = 2  # 1 - (1 - s)^2: starts abruptly, slows down (a swung leg)


def _profile(kind: npt.NDArray[np.int64], s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    s2 = s * s
    mj = (s2 * s * (10 - 15 * s + 6 * s2), s2 * (30 - 60 * s + 30 * s2), s * (60 - 180 * s + 120 * s2))
    bin_ = (s2, 2 * s, np.full_like(s, 2.0))
    bout = (1 - (1 - s) ** 2, 2 * (1 - s), np.full_like(s, -2.0))
    out = []
    for i in range(3):
        out.append(
            np.where(
                kind == Profile.MIN_JERK, mj[i], np.where(kind == Profile.BALLISTIC_IN, bin_[i], bout[i])
            )
        )
    return out[0], out[1], out[2]


@dataclass(frozen=True)
class Oscillation:
    """`amplitude * exp(-(t - start_s) / decay_s) * sin(2 pi freq_hz (t - start_s) + phase)`
    for start_s <= t < end_s; zero elsewhere. decay_s = 0 means no decay.

    With phase 0 it starts at zero value (a bounce: a jump in velocity at start_s); a
    tremor uses a smooth envelope instead (see `Track.tremor`).
    """

    start_s: float
    end_s: float
    amplitude: float
    freq_hz: float
    phase: float = 0.0
    decay_s: float = 0.0

    def add_to(self, t: FloatArray, out: tuple[FloatArray, FloatArray, FloatArray]) -> None:
        """Add value and derivatives at times `t` (sorted) into `out` in place."""
        i0, i1 = np.searchsorted(t, (self.start_s, self.end_s))
        if i0 == i1:
            return
        tau = t[i0:i1] - self.start_s
        w = 2 * np.pi * self.freq_hz
        k = 1.0 / self.decay_s if self.decay_s > 0 else 0.0
        env = self.amplitude * np.exp(-k * tau)
        sin, cos = np.sin(w * tau + self.phase), np.cos(w * tau + self.phase)
        out[0][i0:i1] += env * sin
        out[1][i0:i1] += env * (w * cos - k * sin)
        out[2][i0:i1] += env * ((k * k - w * w) * sin - 2 * k * w * cos)


@dataclass
class Track:
    """A scalar trajectory: keyframes joined by profiles, plus oscillations.

    Build it in time order with `hold` and `move`; evaluate with `eval`.
    """

    times_s: list[float] = field(default_factory=lambda: [0.0])
    values: list[float] = field(default_factory=lambda: [0.0])
    profiles: list[int] = field(default_factory=list)
    oscillations: list[Oscillation] = field(default_factory=list)
    envelopes: list[tuple[Track, float, float]] = field(default_factory=list)

    @classmethod
    def starting(cls, value: float, at_s: float = 0.0) -> Track:
        """A track that holds `value` from `at_s`."""
        return cls([at_s], [value])

    @property
    def end_s(self) -> float:
        """Time of the last keyframe."""
        return self.times_s[-1]

    @property
    def last(self) -> float:
        """Value at the last keyframe."""
        return self.values[-1]

    def move(self, value: float, duration_s: float, profile: Profile = Profile.MIN_JERK) -> None:
        """Go to `value` over `duration_s` from the end of the track."""
        if duration_s <= 0:
            raise ValueError(f"a move needs a positive duration, got {duration_s}")
        self.times_s.append(self.end_s + duration_s)
        self.values.append(value)
        self.profiles.append(int(profile))

    def hold(self, duration_s: float) -> None:
        """Stay at the last value for `duration_s` (no-op for 0)."""
        if duration_s > 0:
            self.move(self.last, duration_s)

    def hold_until(self, time_s: float) -> None:
        """Stay at the last value until `time_s`."""
        self.hold(time_s - self.end_s)

    def tremor(self, amplitude: Track, freq_hz: float, phase: float) -> None:
        """Add `amplitude(t) * sin(2 pi freq_hz t + phase)`, the envelope being a smooth track."""
        self.envelopes.append((amplitude, freq_hz, phase))

    def eval(self, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Value, first and second time derivative at sorted times `t`."""
        times = np.asarray(self.times_s)
        values = np.asarray(self.values)
        x = np.empty_like(t)
        v = np.zeros_like(t)
        a = np.zeros_like(t)
        seg = np.searchsorted(times, t, side="right") - 1
        before = seg < 0
        after = seg >= len(self.profiles)
        inside = ~(before | after)
        x[before] = values[0]
        x[after] = values[-1]
        si = seg[inside]
        t0 = times[si]
        dt = times[si + 1] - t0
        s = (t[inside] - t0) / dt
        p, dp, ddp = _profile(np.asarray(self.profiles, dtype=np.int64)[si], s)
        delta = values[si + 1] - values[si]
        x[inside] = values[si] + delta * p
        v[inside] = delta * dp / dt
        a[inside] = delta * ddp / (dt * dt)
        out = (x, v, a)
        for osc in self.oscillations:
            osc.add_to(t, out)
        for envelope, freq_hz, phase in self.envelopes:
            ex, ev, ea = envelope.eval(t)
            w = 2 * np.pi * freq_hz
            sin, cos = np.sin(w * t + phase), np.cos(w * t + phase)
            x += ex * sin
            v += ev * sin + ex * w * cos
            a += ea * sin + 2 * ev * w * cos - ex * w * w * sin
        return out
