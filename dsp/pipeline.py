"""One session's analysis: aligned samples in, events out.

`Pipeline.process` takes whatever samples have arrived, of one or more sensors, and
returns the events they settle. It is causal and block-size invariant: the same samples
give the same events however they are split into blocks (events may come out in a
different call, never different). `finish` settles what the end of the session decides
(the last rep, the last set).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from dsp._fusion import Fusion
from dsp._samples import SensorSamples
from dsp.events import Event
from dsp.lift import LiftAngle
from dsp.posture import PostureWatch
from dsp.reps import RepCounter
from dsp.settings import Settings
from dsp.strap import StrapWatch
from dsp.tilt import PelvisTilt

SHIN_ROLES = ("shin", "shin_right", "shin_left")
BATCH_S = 0.08
"""Samples are analysed once a sensor has this much waiting (a few notifications)."""
SLICE_S = 30.0
"""Longest stretch of one sensor analysed before the others catch up."""


class Pipeline:
    """Rep counting, tempo and pelvic tilt for one session.

    Args:
        rates_hz: nominal sample rate of each sensor in the session, by role (25 to 400 Hz).
            A shin role (`shin`, `shin_right`, `shin_left`) is needed for reps; `pelvis`
            adds tilt analysis.
        settings: thresholds and targets; the defaults are the product's.
        gyro_range_dps: each sensor's gyro full scale, where known (sensor info): a swung
            leg can outrun it, and the angle is then recovered from the accelerometer.
        keep_tilt_series: keep the whole pelvic tilt series for `tilt_series` (analysis and
            benchmarks; memory grows with the session).
    """

    def __init__(
        self,
        rates_hz: Mapping[str, float],
        settings: Settings | None = None,
        *,
        gyro_range_dps: Mapping[str, float] | None = None,
        keep_tilt_series: bool = False,
    ) -> None:
        self.settings = settings or Settings()
        for role, rate in rates_hz.items():
            if not 25.0 <= rate <= 400.0:
                raise ValueError(f"{role}: rate must be 25 to 400 Hz, got {rate}")
        self.rates_hz = dict(rates_hz)
        self.legs = [r for r in SHIN_ROLES if r in rates_hz]
        ranges = gyro_range_dps or {}
        self._lift = {
            r: StrapWatch(LiftAngle(r, rates_hz[r], self.settings, ranges.get(r))) for r in self.legs
        }
        self._reps = {r: RepCounter(r, self.settings, rates_hz[r]) for r in self.legs}
        self._pelvis = PelvisTilt(rates_hz["pelvis"], self.settings) if "pelvis" in rates_hz else None
        self._posture = PostureWatch(rates_hz["pelvis"]) if "pelvis" in rates_hz else None
        self._fusion = Fusion(
            self.settings, legs=self.legs, has_pelvis=self._pelvis is not None, keep_series=keep_tilt_series
        )
        self._waiting: dict[str, list[SensorSamples]] = {role: [] for role in rates_hz}
        self._waiting_from_s: dict[str, float] = {}  # the first time waiting, by role

    @property
    def has_tilt(self) -> bool:
        """True when a pelvis sensor is part of the session."""
        return self._pelvis is not None

    def process(self, block: Mapping[str, SensorSamples] | SensorSamples) -> list[Event]:
        """Take new samples (one sensor's, or several sensors' by role) and return new events.

        A sensor's samples are gathered until it has `BATCH_S` of them, then analysed (with
        any other sensor's that are ready, in time order across them, in slices of at most
        `SLICE_S`): a notification of a few samples costs next to nothing, and an hour given
        at once costs what it costs in slices. Sensors should be given about in step: one
        that lags the others by more than `dsp._fusion.WAIT_FOR_OTHER_S` is taken for lost
        (its values become null).
        """
        if isinstance(block, SensorSamples):  # a notification: the live path, kept short
            role = block.role
            if role not in self._waiting:
                raise ValueError(f"no sensor {role!r} in this session (have {', '.join(self.rates_hz)})")
            return self._analyse([role]) if self._gather(role, block) else []
        ready: list[str] = []
        for role, samples in block.items():
            if role not in self._waiting:
                raise ValueError(f"no sensor {role!r} in this session (have {', '.join(self.rates_hz)})")
            if samples.role != role:
                raise ValueError(f"samples of {samples.role!r} given as {role!r}")
            if self._gather(role, samples):
                ready.append(role)
        # Each sensor is analysed once it has gathered enough: a live session spreads the
        # work over the notifications of both sensors. (Only a sensor given samples can have
        # become ready: the others were not, or they would have been analysed.)
        ready = [role for role in self._waiting if role in ready]
        return self._analyse(ready) if ready else []

    def _gather(self, role: str, samples: SensorSamples) -> bool:
        """Keep `samples` waiting; True once `role` has gathered `BATCH_S` or more."""
        time_s = samples.time_s
        if not time_s.shape[0]:
            return False
        parts = self._waiting[role]
        if not parts:
            self._waiting_from_s[role] = float(time_s[0])
        parts.append(samples)
        return float(time_s[-1]) - self._waiting_from_s[role] >= BATCH_S

    def _analyse(self, roles: list[str] | None = None) -> list[Event]:
        """Analyse what `roles` (all, by default) have gathered, in time order across them."""
        chosen = self._waiting if roles is None else {r: self._waiting[r] for r in roles}
        waiting = {r: p[0] if len(p) == 1 else SensorSamples.concatenate(p) for r, p in chosen.items() if p}
        if not waiting:
            return []
        for parts in chosen.values():
            parts.clear()
        if len(waiting) == 1:
            [(role, samples)] = waiting.items()
            time_s = samples.time_s
            start, end = float(time_s[0]), float(time_s[-1])
        else:
            start = min(float(s.time_s[0]) for s in waiting.values())
            end = max(float(s.time_s[-1]) for s in waiting.values())
        events: list[Event] = []
        if (end - start) / SLICE_S <= 1.0:  # one slice (np.arange's count below is 1)
            for role, samples in waiting.items():
                events += self._one(role, samples)
            return events
        edges = [*np.arange(start, end, SLICE_S)[1:].tolist(), np.inf]
        cut = {r: np.searchsorted(s.time_s, edges).tolist() for r, s in waiting.items()}
        done = dict.fromkeys(waiting, 0)
        for k in range(len(edges)):
            for role, samples in waiting.items():
                stop = cut[role][k]
                if stop > done[role]:
                    events += self._one(role, samples.part(done[role], stop))
                    done[role] = stop
        return events

    def _one(self, role: str, samples: SensorSamples) -> list[Event]:
        events: list[Event] = []
        if role == "pelvis":
            assert self._pelvis is not None
            tilt, calibrated = self._pelvis.update(samples)
            events += calibrated
            events += self._posture_of(samples)
            events += self._fusion.add_pelvis(tilt)
        else:
            track, found = self._lift[role].update(samples)
            events += found
            events += self._fusion.add_leg(role, track, self._reps[role].update(track))
        return events

    def _posture_of(self, samples: SensorSamples) -> Sequence[Event]:
        """Posture changes in the pelvis samples after its current rest reference."""
        rest = None if self._pelvis is None else self._pelvis.rest
        if rest is None or self._posture is None:
            return []
        if rest.time_s < float(samples.time_s[0]):  # the usual block, long after the rest
            return self._posture.update(samples, rest)
        after = int(np.searchsorted(samples.time_s, rest.time_s, side="right"))
        return self._posture.update(samples.part(after, len(samples)), rest)

    def tilt_series(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Session times (s) and pelvic tilt (degrees, anterior positive) analysed so far.

        Needs `keep_tilt_series=True` and a pelvis sensor.
        """
        if self._fusion.series is None:
            raise ValueError("the pipeline was made without keep_tilt_series=True")
        return self._fusion.series.arrays()

    def calibrate(self) -> None:
        """Capture the pelvis baseline again at the next still second (the athlete lies still)."""
        if self._pelvis is not None:
            self._pelvis.recalibrate()

    def finish(self) -> list[Event]:
        """End of session: settle the pending rep and close the last set."""
        events = self._analyse()
        for role in self.legs:
            events += self._fusion.add_leg(role, None, self._reps[role].finish())
        events += self._fusion.finish()
        return events
