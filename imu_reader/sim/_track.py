"""Smooth scalar trajectories with exact derivatives, evaluated at any times at once.

A `Track` is a sequence of keyframes joined by motion profiles: minimum-jerk
(T. Flash and N. Hogan, "The coordination of arm movements", J. Neurosci. 5(7), 1985),
or ballistic (constant acceleration into an abrupt stop, or out of an abrupt start).
Additive `Oscillation`s model tremor, a bounce at the bottom and body swing. Every
evaluation returns value, first and second derivative, so sensor signals follow the
trajectory exactly rather than by numerical differentiation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    p, dp, ddp = np.empty_like(s), np.empty_like(s), np.empty_like(s)
    mj = kind == Profile.MIN_JERK
    if mj.any():
        m = s[mj]
        m2 = m * m
        p[mj] = m2 * m * (10 - 15 * m + 6 * m2)
        dp[mj] = m2 * (30 - 60 * m + 30 * m2)
        ddp[mj] = m * (60 - 180 * m + 120 * m2)
    bi = kind == Profile.BALLISTIC_IN
    if bi.any():
        m = s[bi]
        p[bi], dp[bi], ddp[bi] = m * m, 2 * m, 2.0
    bo = kind == Profile.BALLISTIC_OUT
    if bo.any():
        m = 1 - s[bo]
        p[bo], dp[bo], ddp[bo] = 1 - m * m, 2 * m, -2.0
    return p, dp, ddp


def _fade(tau: FloatArray, length_s: float, rising: bool) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A minimum-jerk ramp over `length_s` (0 to 1 if rising, else 1 to 0) and its derivatives:
    multiplying by it starts or ends a motion with no jump in value, velocity or acceleration."""
    s = np.clip(tau / length_s, 0.0, 1.0)
    p, dp, ddp = _profile(np.zeros(s.shape, dtype=np.int64), s)
    inside = (tau > 0) & (tau < length_s)
    dp, ddp = dp * inside / length_s, ddp * inside / length_s**2
    return (p, dp, ddp) if rising else (1 - p, -dp, -ddp)


@dataclass(frozen=True)
class Oscillation:
    """`amplitude * exp(-(t - start_s) / decay_s) * sin(2 pi freq_hz (t - start_s) + phase)`
    for start_s <= t < end_s, zero elsewhere; decay_s = 0 means no decay.

    It fades in over `fade_in_s` and out over `fade_out_s` (minimum-jerk ramps), so that it
    ends without a jump. A bounce starts at phase 0 with no fade-in: a jump in velocity, as
    when a dropped leg hits the floor.
    """

    start_s: float
    end_s: float
    amplitude: float
    freq_hz: float
    phase: float = 0.0
    decay_s: float = 0.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.3

    def __post_init__(self) -> None:
        if not self.end_s > self.start_s:
            raise ValueError(f"an oscillation must end after it starts: {self.start_s} .. {self.end_s}")
        if self.fade_in_s < 0 or self.fade_out_s <= 0 or self.fade_in_s + self.fade_out_s > self.length_s:
            raise ValueError(f"fades {self.fade_in_s} s and {self.fade_out_s} s do not fit {self.length_s} s")

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s

    def cut(self, end_s: float, fade_out_s: float) -> Oscillation:
        """The same oscillation, ending by `end_s` over a fade of at most `fade_out_s`."""
        if end_s >= self.end_s:
            return self
        end_s = max(end_s, self.start_s + self.fade_in_s + 1e-3)
        fade = min(fade_out_s, end_s - self.start_s - self.fade_in_s)
        return replace(self, end_s=end_s, fade_out_s=fade)

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
        x, v, a = env * sin, env * (w * cos - k * sin), env * ((k * k - w * w) * sin - 2 * k * w * cos)
        fades = [_fade(tau - (self.length_s - self.fade_out_s), self.fade_out_s, rising=False)]
        if self.fade_in_s > 0:
            fades.append(_fade(tau, self.fade_in_s, rising=True))
        for g, dg, ddg in fades:
            x, v, a = x * g, v * g + x * dg, a * g + 2 * v * dg + x * ddg
        out[0][i0:i1] += x
        out[1][i0:i1] += v
        out[2][i0:i1] += a


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
        """Value, first and second time derivative at times `t` (fastest when sorted)."""
        if t.size > 1 and not (t[1:] >= t[:-1]).all():
            order = np.argsort(t, kind="stable")
            x, v, a = self._eval_sorted(t[order])
            back = np.empty_like(order)
            back[order] = np.arange(order.size)
            return x[back], v[back], a[back]
        return self._eval_sorted(t)

    def _eval_sorted(self, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        times = np.asarray(self.times_s)
        values = np.asarray(self.values)
        # t is long and sorted, the keyframes few: place the keyframes among the times.
        starts = np.searchsorted(t, times, side="left")
        seg = np.repeat(np.arange(-1, times.size), np.diff(starts, prepend=0, append=t.size))
        x = values[np.clip(seg, 0, values.size - 1)]
        v = np.zeros_like(t)
        a = np.zeros_like(t)
        # Most segments of most channels are holds; only moves need a profile.
        moves = np.zeros(times.size + 1, dtype=bool)
        moves[1:-1] = values[1:] != values[:-1]
        j = np.flatnonzero(moves[seg + 1])
        if j.size:
            si = seg[j]
            t0 = times[si]
            dt = times[si + 1] - t0
            p, dp, ddp = _profile(np.asarray(self.profiles, dtype=np.int64)[si], (t[j] - t0) / dt)
            delta = values[si + 1] - values[si]
            x[j] += delta * p
            v[j] = delta * dp / dt
            a[j] = delta * ddp / (dt * dt)
        out = (x, v, a)
        for osc in self.oscillations:
            osc.add_to(t, out)
        evaluated: dict[int, tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.intp]]] = {}
        for envelope, freq_hz, phase in self.envelopes:
            if id(envelope) not in evaluated:
                ex, ev, ea = envelope.eval(t)
                k = np.flatnonzero((ex != 0) | (ev != 0) | (ea != 0))
                evaluated[id(envelope)] = (ex[k], ev[k], ea[k], k)
            ex, ev, ea, k = evaluated[id(envelope)]
            w = 2 * np.pi * freq_hz
            sin, cos = np.sin(w * t[k] + phase), np.cos(w * t[k] + phase)
            x[k] += ex * sin
            v[k] += ev * sin + ex * w * cos
            a[k] += ea * sin + 2 * ev * w * cos - ex * w * w * sin
        return out
