"""One session's analysis: aligned samples in, events out.

`Pipeline.process` takes whatever samples have arrived, of one or more sensors, and
returns the events they settle. It is causal and block-size invariant: the same samples
give the same events however they are split into blocks (events may come out in a
different call, never different). `finish` settles what the end of the session decides
(the last rep's bottom pause, the last set).
"""

from __future__ import annotations

from collections.abc import Mapping

from dsp._fusion import Fusion
from dsp._samples import SensorSamples
from dsp.events import Event
from dsp.lift import LiftAngle
from dsp.reps import RepCounter
from dsp.settings import Settings
from dsp.tilt import PelvisTilt

SHIN_ROLES = ("shin", "shin_right", "shin_left")


class Pipeline:
    """Rep counting, tempo and pelvic tilt for one session.

    Args:
        rates_hz: nominal sample rate of each sensor in the session, by role (25 to 400 Hz).
            A shin role (`shin`, `shin_right`, `shin_left`) is needed for reps; `pelvis`
            adds tilt analysis.
        settings: thresholds and targets; the defaults are the product's.
    """

    def __init__(self, rates_hz: Mapping[str, float], settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        for role, rate in rates_hz.items():
            if not 25.0 <= rate <= 400.0:
                raise ValueError(f"{role}: rate must be 25 to 400 Hz, got {rate}")
        self.rates_hz = dict(rates_hz)
        self.legs = [r for r in SHIN_ROLES if r in rates_hz]
        self._lift = {r: LiftAngle(r, rates_hz[r], self.settings) for r in self.legs}
        self._reps = {r: RepCounter(r, self.settings) for r in self.legs}
        self._pelvis = PelvisTilt(rates_hz["pelvis"], self.settings) if "pelvis" in rates_hz else None
        self._fusion = Fusion(self.settings, legs=self.legs, has_pelvis=self._pelvis is not None)

    @property
    def has_tilt(self) -> bool:
        """True when a pelvis sensor is part of the session."""
        return self._pelvis is not None

    def process(self, block: Mapping[str, SensorSamples] | SensorSamples) -> list[Event]:
        """Take new samples (one sensor's, or several sensors' by role) and return new events."""
        blocks = {block.role: block} if isinstance(block, SensorSamples) else dict(block)
        events: list[Event] = []
        for role, samples in blocks.items():
            if role not in self.rates_hz:
                raise ValueError(f"no sensor {role!r} in this session (have {', '.join(self.rates_hz)})")
            if samples.role != role:
                raise ValueError(f"samples of {samples.role!r} given as {role!r}")
            if not len(samples):
                continue
            if role == "pelvis":
                assert self._pelvis is not None
                tilt, calibrated = self._pelvis.update(samples)
                events += calibrated
                events += self._fusion.add_pelvis(tilt)
            else:
                track, found = self._lift[role].update(samples)
                events += found
                leg_events = self._reps[role].update(track)
                events += self._fusion.add_leg(role, track, leg_events)
        return events

    def finish(self) -> list[Event]:
        """End of session: settle the pending rep and close the last set."""
        events: list[Event] = []
        for role in self.legs:
            events += self._fusion.add_leg(role, None, self._reps[role].finish())
        events += self._fusion.finish()
        return events
