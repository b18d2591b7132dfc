"""What the pipeline tells the world: frozen dataclasses, one per kind of event.

Every event carries `time_s`, the session time of the last sample it depends on: the
moment a live session could know it (its latency is `time_s` minus the time it describes).
`event_dict` turns any of them into the JSON-ready dict used on stdout, MQTT and in
recordings, with `type` naming the kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

FLAGS = ("eccentric_too_fast", "swing", "bounce", "partial", "tilt")
"""Flags a rep may carry."""

PHASES = ("concentric", "top", "eccentric", "bottom")
"""Phases of the working leg: raising (concentric), at the top, lowering (eccentric), at the
bottom."""

POSTURES = ("supine", "sitting", "standing", "hanging")
"""Postures the pelvis sensor tells (`dsp.posture`)."""


def _finite(name: str, value: float | None, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if value is None or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")


@dataclass(frozen=True)
class Calibrated:
    """A sensor's rest reference was captured: the gyro bias and, for the pelvis, the tilt
    baseline; for a shin, the lift axis found from the motion itself.

    Attributes:
        time_s: when the calibration completed.
        role: the sensor.
        what: `rest` (still period: gyro bias, gravity, pelvis baseline) or `lift_axis`.
        gyro_bias_dps: gyro bias removed from then on, deg/s per axis (for `rest`; zeros for
            `lift_axis`).
    """

    kind: ClassVar[str] = "calibrated"
    time_s: float
    role: str
    what: str
    gyro_bias_dps: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if self.what not in ("rest", "lift_axis"):
            raise ValueError(f"what must be rest or lift_axis, got {self.what!r}")


@dataclass(frozen=True)
class Phase:
    """The working leg entered a phase at `start_s`."""

    kind: ClassVar[str] = "phase"
    time_s: float
    leg: str
    phase: str
    start_s: float
    angle_deg: float

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {self.phase!r}")


@dataclass(frozen=True)
class Rep:
    """One repetition of one leg.

    Times are on the session timeline. A rep that starts at the bottom (leg lifts) runs
    start -> top (concentric), top hold, lowering -> bottom = end (eccentric); one that
    starts at the top (heel taps, dead bug) runs lowering first. `eccentric_s` runs from the
    start of lowering to the moment the leg stops at the bottom. The pause between two reps
    is the later one's (it is known only when that one starts): `pause_bottom_s` of a rep
    that starts at the bottom, `pause_top_s` of one that starts at the top; 0 for a set's
    first rep.

    Attributes:
        index: 0-based rep number in the session.
        set_index: 0-based set the rep belongs to.
        leg: role of the shin sensor that did it.
        rom_deg: range of the lift angle over the rep, degrees.
        peak_velocity_dps: largest lift angular speed in the rep, deg/s.
        max_anterior_tilt_deg: largest anterior pelvic tilt during the rep, None without a
            pelvis sensor.
        flags: a subset of `FLAGS`.
        max_posterior_tilt_deg: largest posterior pelvic tilt during the rep (the pelvis
            curling up, in degrees: a hanging leg raise's curl at the top), 0 when it never
            went posterior; None without a pelvis sensor, or when the rep ended before the
            pipeline knew which way the pelvis tips (its first clear movement with the legs).
    """

    kind: ClassVar[str] = "rep"
    time_s: float
    index: int
    set_index: int
    leg: str
    start_s: float
    top_s: float
    bottom_s: float
    end_s: float
    concentric_s: float
    pause_top_s: float
    eccentric_s: float
    pause_bottom_s: float
    rom_deg: float
    peak_velocity_dps: float
    partial: bool
    max_anterior_tilt_deg: float | None
    flags: tuple[str, ...]
    max_posterior_tilt_deg: float | None = None

    def __post_init__(self) -> None:
        for name in ("start_s", "top_s", "bottom_s", "end_s", "rom_deg", "peak_velocity_dps"):
            _finite(name, getattr(self, name))
        for name in ("concentric_s", "pause_top_s", "eccentric_s", "pause_bottom_s"):
            _finite(name, getattr(self, name))
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        _finite("max_anterior_tilt_deg", self.max_anterior_tilt_deg, allow_none=True)
        _finite("max_posterior_tilt_deg", self.max_posterior_tilt_deg, allow_none=True)
        unknown = set(self.flags) - set(FLAGS)
        if unknown:
            raise ValueError(f"unknown flags {sorted(unknown)}")
        if not self.start_s <= self.end_s:
            raise ValueError(f"a rep must end after it starts: {self.start_s} .. {self.end_s}")

    @property
    def tempo(self) -> str:
        """Eccentric-bottom-concentric-top seconds, to 0.1 s: `4.1-0.0-2.0-1.0`."""
        parts = (self.eccentric_s, self.pause_bottom_s, self.concentric_s, self.pause_top_s)
        return "-".join(f"{x:.1f}" for x in parts)


@dataclass(frozen=True)
class TiltOnset:
    """Anterior pelvic tilt passed the threshold: the lower back is arching.

    Attributes:
        onset_s: when the tilt left the baseline band on its way past the threshold, the
            clinician's "onset" (the threshold crossing itself is `threshold_s`).
        threshold_s: when the tilt crossed the threshold.
        tilt_deg: tilt at `threshold_s`.
        leg_angle_at_onset_deg: the lift angle at `onset_s`: the end of the safe range. None
            without a shin sensor.
    """

    kind: ClassVar[str] = "tilt_onset"
    time_s: float
    onset_s: float
    threshold_s: float
    tilt_deg: float
    leg_angle_at_onset_deg: float | None


@dataclass(frozen=True)
class TiltRecovered:
    """A tilt episode ended: the tilt came back under the threshold."""

    kind: ClassVar[str] = "tilt_recovered"
    time_s: float
    onset_s: float
    end_s: float
    peak_deg: float
    leg_angle_at_onset_deg: float | None


@dataclass(frozen=True)
class SetDone:
    """A set ended: no rep for the rest time that closes a set (or the session ended).

    Attributes:
        safe_end_range_deg: the lowest lift angle reached in the set without a tilt
            episode starting; None without a pelvis sensor.
    """

    kind: ClassVar[str] = "set"
    time_s: float
    index: int
    start_s: float
    end_s: float
    rep_count: int
    full_rep_count: int
    eccentric_mean_s: float | None
    eccentric_sd_s: float | None
    tilt_count: int
    safe_end_range_deg: float | None


@dataclass(frozen=True)
class PostureChanged:
    """The athlete is in a new posture from `start_s` (the pelvis came to rest in it).

    The first one comes with the pelvis baseline, `supine`: the calibration posture. A
    session that started standing shows it when the athlete jumps to a bar: `standing` from
    the baseline is told then (a later event with the same `start_s` replaces an earlier
    one), followed by `hanging`.
    """

    kind: ClassVar[str] = "posture"
    time_s: float
    start_s: float
    posture: str

    def __post_init__(self) -> None:
        if self.posture not in POSTURES:
            raise ValueError(f"posture must be one of {', '.join(POSTURES)}, got {self.posture!r}")


Event = Calibrated | Phase | Rep | TiltOnset | TiltRecovered | SetDone | PostureChanged


def event_dict(event: Event) -> dict[str, Any]:
    """`{"type": kind, field: value, ...}`, with tuples as lists and the rep's tempo added."""
    out: dict[str, Any] = {"type": event.kind}
    for f in fields(event):
        value = getattr(event, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    if isinstance(event, Rep):
        out["tempo"] = event.tempo
    return out
