"""What to simulate: exercises, tempo, sets, the athlete's core, the sensors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from imu_reader.sim._anthropometry import Body


@dataclass(frozen=True)
class Exercise:
    """One exercise of the catalogue.

    Angles are the working leg's hip flexion (`hip_deg`: 0 = leg flat on the floor when
    supine, hanging straight down when hanging) and knee flexion (`knee_deg`: 0 = straight).

    Attributes:
        name: the name used on the command line.
        description: one line for `--help`.
        posture: `supine` or `hanging`.
        legs: `both` (both legs move together), `one` (the right leg; the left foot rests on
            the floor, knee bent) or `alternate` (right and left in turn).
        bottom_hip_deg, bottom_knee_deg: pose at the bottom of a rep.
        top_hip_deg, top_knee_deg: pose at the top of a rep.
        starts_at: `bottom` (a rep raises first) or `top` (a rep lowers first, from tabletop).
        curl_deg: posterior pelvic rotation at the top of a rep (negative), part of the
            movement itself (hanging leg raise done well, reverse crunch).
        hip_lift_m: how far the hips rise at the top (reverse crunch).
    """

    name: str
    description: str
    posture: str
    legs: str
    bottom_hip_deg: float
    bottom_knee_deg: float
    top_hip_deg: float
    top_knee_deg: float
    starts_at: str = "bottom"
    curl_deg: float = 0.0
    hip_lift_m: float = 0.0


EXERCISES: dict[str, Exercise] = {
    e.name: e
    for e in (
        Exercise(
            "dead_bug",
            "from tabletop, extend one leg long and low, return; legs alternate",
            "supine",
            "alternate",
            15,
            5,
            90,
            90,
            starts_at="top",
        ),
        Exercise(
            "heel_taps",
            "from tabletop, lower one bent leg until the heel taps the floor; legs alternate",
            "supine",
            "alternate",
            45,
            90,
            90,
            90,
            starts_at="top",
        ),
        Exercise(
            "single_leg_lift",
            "one straight leg lifts to vertical, the other foot stays on the floor",
            "supine",
            "one",
            5,
            3,
            80,
            3,
        ),
        Exercise(
            "bent_knee_lift",
            "both legs, knees at 90 degrees, from feet near the floor to knees over hips",
            "supine",
            "both",
            45,
            90,
            95,
            90,
        ),
        Exercise(
            "straight_leg_lift",
            "both legs straight, from just off the floor to vertical",
            "supine",
            "both",
            8,
            3,
            90,
            3,
        ),
        Exercise(
            "hanging_leg_raise",
            "hanging from a bar, straight legs raised to horizontal; the pelvis curls at the top",
            "hanging",
            "both",
            0,
            5,
            90,
            10,
            curl_deg=-15,
        ),
        Exercise(
            "reverse_crunch",
            "from tabletop, curl the hips off the floor towards the chest",
            "supine",
            "both",
            90,
            90,
            125,
            100,
            curl_deg=-35,
            hip_lift_m=0.08,
        ),
    )
}

CORE_CAPACITY = {"strong": 1.15, "moderate": 0.85, "weak": 0.62}
"""Core capacity as a fraction of the torque of both straight legs held horizontal."""

_TEMPO = re.compile(r"^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Tempo:
    """Phase durations of a rep, written eccentric-bottom-concentric-top (`4-0-2-1`).

    Attributes:
        eccentric_s: lowering, s.
        bottom_s: pause at the bottom, s.
        concentric_s: raising, s.
        top_s: hold at the top, s.
    """

    eccentric_s: float = 4.0
    bottom_s: float = 0.0
    concentric_s: float = 2.0
    top_s: float = 1.0

    def __post_init__(self) -> None:
        if not (0.3 <= self.eccentric_s <= 15 and 0.3 <= self.concentric_s <= 15):
            raise ValueError(f"eccentric and concentric must be 0.3 to 15 s, got {self}")
        if not (0 <= self.bottom_s <= 15 and 0 <= self.top_s <= 15):
            raise ValueError(f"pauses must be 0 to 15 s, got {self}")

    @classmethod
    def parse(cls, text: str) -> Tempo:
        """`4-0-2-1` -> Tempo(4, 0, 2, 1); ValueError naming the expected form."""
        match = _TEMPO.match(text.strip())
        if not match:
            raise ValueError(f"tempo {text!r} is not eccentric-bottom-concentric-top seconds, e.g. 4-0-2-1")
        ecc, bottom, con, top = (float(g) for g in match.groups())
        return cls(ecc, bottom, con, top)

    def __str__(self) -> str:
        return "-".join(f"{v:g}" for v in (self.eccentric_s, self.bottom_s, self.concentric_s, self.top_s))


@dataclass(frozen=True)
class SetPlan:
    """One set.

    Attributes:
        exercise: a name from `EXERCISES`.
        reps: reps in the set (for alternating exercises, leg movements).
        tempo: the target tempo; each rep varies around it.
        core: `strong`, `moderate` or `weak`.
        swing_probability: chance that a rep is swung (fast, ballistic, bouncing).
        partial_probability: chance that a rep stops short (about half the range).
        rest_after_s: rest before the next set, s.
    """

    exercise: str
    reps: int = 10
    tempo: Tempo = field(default_factory=Tempo)
    core: str = "moderate"
    swing_probability: float = 0.0
    partial_probability: float = 0.05
    rest_after_s: float = 40.0

    def __post_init__(self) -> None:
        if self.exercise not in EXERCISES:
            raise ValueError(f"unknown exercise {self.exercise!r}: choose one of {', '.join(EXERCISES)}")
        if self.core not in CORE_CAPACITY:
            raise ValueError(f"core must be one of {', '.join(CORE_CAPACITY)}, got {self.core!r}")
        if not 1 <= self.reps <= 100:
            raise ValueError(f"reps must be 1 to 100, got {self.reps}")
        for name in ("swing_probability", "partial_probability"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if not 0 <= self.rest_after_s <= 3600:
            raise ValueError(f"rest_after_s must be 0 to 3600, got {self.rest_after_s}")


@dataclass(frozen=True)
class SessionPlan:
    """A whole simulated session.

    Attributes:
        sets: the sets in order; all sets share one posture family per session segment.
        body: the athlete's size.
        seed: everything random derives from it.
        fidget: how restless the athlete is between sets, 0 (still) to 1.
    """

    sets: tuple[SetPlan, ...]
    body: Body = field(default_factory=Body)
    seed: int = 0
    fidget: float = 0.5

    def __post_init__(self) -> None:
        if not self.sets:
            raise ValueError("a session needs at least one set")
        if not 0.0 <= self.fidget <= 1.0:
            raise ValueError(f"fidget must be in [0, 1], got {self.fidget}")
