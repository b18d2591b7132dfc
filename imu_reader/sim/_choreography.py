"""From a session plan to the body's motion: keyframed tracks of every joint and segment.

Angles of segments are absolute, in the sagittal (X-Z) plane of the world: a segment at
angle a points along u(a) = (cos a, 0, sin a). X runs from the feet to the head of a
supine athlete, Z is up. Supine, the legs lie along -X (angle pi) and the pelvis's
superior axis along +X (angle 0); hanging, the athlete faces -X. In both, a positive
change of the pelvis angle is anterior tilt, and a leg's hip angle `theta` (0 = flat on
the floor, or hanging straight) maps to a thigh angle `base - theta`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from imu_reader.sim._plan import CORE_CAPACITY, EXERCISES, Exercise, SessionPlan, SetPlan
from imu_reader.sim._track import Oscillation, Profile, Track
from imu_reader.sim._truth import PostureSpan

CHANNELS = (
    "hip_x",  # m
    "hip_z",  # m
    "pelvis",  # rad, without the tilt of the capacity model
    "thigh_r",  # rad
    "shin_r",
    "thigh_l",
    "shin_l",
    "theta_r",  # deg, right hip angle above the floor (the lift angle)
    "theta_l",
    "engaged",  # 0..1: the core holds the legs (during a set)
    "hanging",  # 0..1: legs hang free (no floor to rest them on)
    "capacity",  # core capacity as a fraction of the reference torque
    "tremor",  # rad, tremor amplitude of the working legs
)

_SUPINE_LEG = math.pi
_HANGING_LEG = -math.pi / 2
_HIP_Z_SUPINE_M = 0.10
_TREMOR_HZ = (9.3, 11.1)
# Angular tremor of a held leg, degrees. At 10 Hz and 0.65 m from the hip, 0.01 degree
# already shakes the shin sensor by about 0.45 m/s^2; fatigue makes it several times worse.
TREMOR_REST_DEG = 0.006
TREMOR_FATIGUE_DEG = 0.03


@dataclass
class RepEvent:
    """A rep as choreographed, before tilt is known."""

    set: int
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
    partial: bool
    swing: bool


@dataclass
class SetEvent:
    """A set as choreographed."""

    plan: SetPlan
    start_s: float = 0.0
    end_s: float = 0.0
    reps: list[RepEvent] = field(default_factory=list)


@dataclass
class Choreography:
    """The tracks of a session and what happened when."""

    tracks: dict[str, Track]
    swing: Track
    sets: list[SetEvent]
    postures: list[PostureSpan]
    duration_s: float


class _Builder:
    """Moves every channel in lockstep so that keyframes stay aligned."""

    def __init__(self, plan: SessionPlan, rng: np.random.Generator) -> None:
        self.plan = plan
        self.rng = rng
        self.body = plan.body
        self.tracks = {name: Track.starting(0.0) for name in CHANNELS}
        self.swing = Track.starting(0.0)
        self.sets: list[SetEvent] = []
        self.postures: list[PostureSpan] = []
        self.fatigue = 0.0

    @property
    def now(self) -> float:
        return self.tracks["hip_x"].end_s

    def set_initial(self, **values: float) -> None:
        for name, value in values.items():
            self.tracks[name].values[0] = value

    def go(self, duration_s: float, profile: Profile = Profile.MIN_JERK, /, **targets: float) -> None:
        unknown = set(targets) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}")
        for name, track in self.tracks.items():
            track.move(targets.get(name, track.last), duration_s, profile)

    def hold(self, duration_s: float) -> None:
        if duration_s > 0:
            self.go(duration_s)

    def posture(self, name: str) -> None:
        if self.postures and self.postures[-1].posture == name:
            return
        if self.postures:
            last = self.postures[-1]
            self.postures[-1] = PostureSpan(last.posture, last.start_s, self.now)
        self.postures.append(PostureSpan(name, self.now, math.inf))

    def last(self, name: str) -> float:
        return self.tracks[name].last

    def leg_pose(self, side: str, theta_deg: float, knee_deg: float, hanging: bool) -> dict[str, float]:
        base = _HANGING_LEG if hanging else _SUPINE_LEG
        thigh = base - math.radians(theta_deg)
        return {
            f"thigh_{side}": thigh,
            f"shin_{side}": thigh + math.radians(knee_deg),
            f"theta_{side}": theta_deg,
        }

    def vary(self, seconds: float, spread: float = 0.12) -> float:
        return seconds * float(np.exp(self.rng.normal(0.0, spread))) if seconds > 0 else 0.0


def choreograph(plan: SessionPlan, rng: np.random.Generator) -> Choreography:
    """Lay out the whole session as tracks."""
    b = _Builder(plan, rng)
    hanging = EXERCISES[plan.sets[0].exercise].posture == "hanging"
    if hanging:
        _stand_initial(b)
    else:
        b.set_initial(hip_z=_HIP_Z_SUPINE_M, **_flat_legs(b))
        b.posture("supine")
    b.set_initial(capacity=CORE_CAPACITY[plan.sets[0].core])
    # Lying (or standing) still at the start: the calibration period.
    b.hold(6.0)
    for index, set_plan in enumerate(plan.sets):
        exercise = EXERCISES[set_plan.exercise]
        if exercise.posture == "hanging":
            _to_bar(b)
        else:
            _to_floor(b)
        _do_set(b, index, set_plan, exercise)
        last = index == len(plan.sets) - 1
        if exercise.posture == "hanging":
            _off_bar(b)
        else:
            b.go(1.5, engaged=0.0, tremor=0.0, **_flat_legs(b))
        if not last:
            _rest(b, set_plan.rest_after_s, exercise.posture)
    b.hold(3.0)
    b.posture("end")
    b.postures.pop()
    for side in ("r", "l"):
        for seg in ("thigh", "shin"):
            track = b.tracks[f"{seg}_{side}"]
            for k, freq in enumerate(_TREMOR_HZ):
                track.tremor(b.tracks["tremor"], freq, float(rng.uniform(0, 2 * math.pi)) + k)
    return Choreography(b.tracks, b.swing, b.sets, b.postures, b.now)


def _flat_legs(b: _Builder) -> dict[str, float]:
    return {**b.leg_pose("r", 0.0, 0.0, False), **b.leg_pose("l", 0.0, 0.0, False)}


def _stand_initial(b: _Builder) -> None:
    hip_z = 0.53 * b.body.height_m
    b.set_initial(
        hip_z=hip_z, pelvis=math.pi / 2, **b.leg_pose("r", 0, 0, True), **b.leg_pose("l", 0, 0, True)
    )
    b.posture("standing")


def _to_bar(b: _Builder) -> None:
    """Jump up to hang from the bar (from standing)."""
    if b.postures[-1].posture == "hanging":
        return
    if b.postures[-1].posture != "standing":
        raise ValueError("a session mixes hanging and floor exercises; plan them as separate sessions")
    b.go(0.8, hip_z=b.last("hip_z") + 0.35, hanging=1.0, capacity=b.last("capacity"))
    b.posture("hanging")
    b.hold(1.5 + float(b.rng.uniform(0, 1.0)))


def _off_bar(b: _Builder) -> None:
    # The feet land and the body's swing about the hands dies out with the drop.
    landing_s = b.now + 0.8
    b.swing.oscillations = [o.cut(landing_s, 0.8) for o in b.swing.oscillations]
    b.go(
        0.8,
        hip_z=0.53 * b.body.height_m,
        hanging=0.0,
        engaged=0.0,
        tremor=0.0,
        **b.leg_pose("r", 0, 0, True),
        **b.leg_pose("l", 0, 0, True),
        pelvis=math.pi / 2,
    )
    b.posture("standing")


def _to_floor(b: _Builder) -> None:
    if b.postures[-1].posture == "supine":
        return
    raise ValueError("a session mixes hanging and floor exercises; plan them as separate sessions")


def _start_pose(b: _Builder, exercise: Exercise, hanging: bool) -> dict[str, float]:
    """Where the legs wait for the first rep."""
    if exercise.starts_at == "top":
        pose = {
            **b.leg_pose("r", exercise.top_hip_deg, exercise.top_knee_deg, hanging),
            **b.leg_pose("l", exercise.top_hip_deg, exercise.top_knee_deg, hanging),
        }
    elif exercise.legs == "one":
        pose = {
            **b.leg_pose("r", exercise.bottom_hip_deg, exercise.bottom_knee_deg, hanging),
            **b.leg_pose("l", 45.0, 90.0, hanging),
        }
    else:
        pose = {
            **b.leg_pose("r", exercise.bottom_hip_deg, exercise.bottom_knee_deg, hanging),
            **b.leg_pose("l", exercise.bottom_hip_deg, exercise.bottom_knee_deg, hanging),
        }
    return pose


def _do_set(b: _Builder, index: int, plan: SetPlan, exercise: Exercise) -> None:
    hanging = exercise.posture == "hanging"
    capacity = CORE_CAPACITY[plan.core]
    # Getting into position is movement too, but not a rep.
    b.go(
        b.vary(2.0, 0.2),
        engaged=1.0,
        capacity=capacity * (1 - 0.3 * b.fatigue),
        tremor=math.radians(TREMOR_REST_DEG),
        **_start_pose(b, exercise, hanging),
    )
    b.hold(b.vary(1.2, 0.3))
    event = SetEvent(plan)
    b.sets.append(event)
    sides = ["r", "l"] if exercise.legs == "alternate" else ["r"]
    for k in range(plan.reps):
        side = sides[k % len(sides)]
        event.reps.append(_rep(b, index, plan, exercise, side, hanging=hanging))
        b.fatigue = min(1.0, b.fatigue + 0.05 + 0.02 * plan.tempo.eccentric_s / 4.0)
    event.start_s = event.reps[0].start_s
    event.end_s = event.reps[-1].end_s


def _rep(
    b: _Builder, set_index: int, plan: SetPlan, exercise: Exercise, side: str, *, hanging: bool
) -> RepEvent:
    rng = b.rng
    tempo = plan.tempo
    swing = bool(rng.random() < plan.swing_probability)
    partial = bool(rng.random() < plan.partial_probability * (1 + 2 * b.fatigue))
    bottom = exercise.bottom_hip_deg + float(rng.normal(0, 1.5))
    top = exercise.top_hip_deg + float(rng.normal(0, 2.5))
    bottom = max(bottom, 0.0)
    if partial:
        top = bottom + (top - bottom) * float(rng.uniform(0.4, 0.6))
    knee_top = exercise.top_knee_deg
    knee_bottom = exercise.bottom_knee_deg
    if partial:
        knee_top = knee_bottom + (knee_top - knee_bottom) * 0.5
    if swing:
        con, top_hold, ecc, bottom_hold = (
            float(rng.uniform(0.45, 0.7)),
            float(rng.uniform(0.0, 0.2)),
            float(rng.uniform(0.5, 0.75)),
            float(rng.uniform(0.15, 0.35)),
        )
    else:
        con, ecc = b.vary(tempo.concentric_s), b.vary(tempo.eccentric_s)
        top_hold, bottom_hold = b.vary(tempo.top_s, 0.25), b.vary(tempo.bottom_s, 0.25)
    capacity = CORE_CAPACITY[plan.core] * (1 - 0.3 * b.fatigue)
    tremor = math.radians(TREMOR_REST_DEG + TREMOR_FATIGUE_DEG * b.fatigue)
    curl = exercise.curl_deg * (0.5 if partial else 1.0)
    pelvis_base = math.pi / 2 if hanging else 0.0
    hip_z0 = b.last("hip_z") if not exercise.hip_lift_m else _HIP_Z_SUPINE_M

    def pose(theta: float, knee: float, at_top: bool) -> dict[str, float]:
        target = b.leg_pose(side, theta, knee, hanging)
        if exercise.legs == "both":
            other = "l" if side == "r" else "r"
            target.update(b.leg_pose(other, theta, knee, hanging))
        target["pelvis"] = pelvis_base + (math.radians(curl) if at_top else 0.0)
        if exercise.hip_lift_m:
            target["hip_z"] = hip_z0 + (exercise.hip_lift_m if at_top else 0.0)
        return target

    def bounce() -> None:
        if not swing:
            return
        amplitude = math.radians(float(rng.uniform(3.0, 6.0)))
        start = b.now
        for name in (f"thigh_{side}", f"shin_{side}", f"theta_{side}") + (
            ("thigh_l", "shin_l", "theta_l") if exercise.legs == "both" else ()
        ):
            # The leg rebounds upwards: theta up, segment angle down.
            sign = 1.0 if name.startswith("theta") else -1.0
            scale = math.degrees(1.0) if name.startswith("theta") else 1.0
            b.tracks[name].oscillations.append(
                Oscillation(start, start + 0.9, sign * amplitude * scale, 2.8, 0.0, 0.18)
            )

    def sway() -> None:
        if hanging:
            amplitude = math.radians(float(rng.uniform(6, 10)) if swing else float(rng.uniform(1, 2.5)))
            b.swing.oscillations.append(
                Oscillation(b.now, b.now + 12.0, amplitude, 0.48, 0.0, 3.0, fade_in_s=0.5, fade_out_s=2.0)
            )

    common = {"capacity": capacity, "tremor": tremor}
    # The rep starts where the last one of this leg ended, a little off this rep's keyframe.
    theta_start = b.last(f"theta_{side}")
    rom_deg = max(theta_start, top, bottom) - min(theta_start, top, bottom)
    if exercise.starts_at == "bottom":
        start = b.now
        sway()
        b.go(con, Profile.BALLISTIC_OUT if swing else Profile.MIN_JERK, **pose(top, knee_top, True), **common)
        top_s = b.now
        b.hold(top_hold)
        b.go(ecc, Profile.BALLISTIC_IN if swing else Profile.MIN_JERK, **pose(bottom, knee_bottom, False))
        bottom_s = b.now
        bounce()
        b.hold(bottom_hold)
    else:
        start = b.now
        b.go(
            ecc,
            Profile.BALLISTIC_IN if swing else Profile.MIN_JERK,
            **pose(bottom, knee_bottom, False),
            **common,
        )
        bottom_s = b.now
        bounce()
        b.hold(bottom_hold)
        b.go(con, Profile.BALLISTIC_OUT if swing else Profile.MIN_JERK, **pose(top, knee_top, True))
        top_s = b.now
        b.hold(top_hold)
    return RepEvent(
        set_index,
        "right" if side == "r" else "left",
        start,
        top_s,
        bottom_s,
        b.now,
        con,
        top_hold,
        ecc,
        bottom_hold,
        rom_deg,
        partial,
        swing,
    )


def _rest(b: _Builder, rest_s: float, posture: str) -> None:
    """Between sets: recover, fidget, reposition, sit up or stand."""
    end = b.now + rest_s
    b.fatigue *= math.exp(-rest_s / 90.0)
    rng = b.rng
    if posture == "hanging":
        while b.now < end - 3.0:
            _fidget(b, end, hanging=True)
        b.hold(max(0.0, end - b.now))
        return
    activity = rng.random()
    if activity < 0.25 and end - b.now > 16:
        _sit_up(b, stand=bool(rng.random() < 0.4))
    elif activity < 0.55 and end - b.now > 8:
        _reposition(b)
    while b.now < end - 3.0:
        _fidget(b, end, hanging=False)
    b.hold(max(0.0, end - b.now))


def _fidget(b: _Builder, end_s: float, *, hanging: bool) -> None:
    rng = b.rng
    pause = float(rng.uniform(1.0, 6.0)) / max(b.plan.fidget, 0.05)
    if b.now + pause > end_s - 3.0:
        b.hold(max(0.0, end_s - 3.0 - b.now))
        return
    b.hold(pause)
    side = "r" if rng.random() < 0.5 else "l"
    theta = float(rng.uniform(3, 20))
    knee = float(rng.uniform(0, 60))
    rest = b.leg_pose(side, 0.0, 0.0, hanging)
    b.go(float(rng.uniform(0.4, 1.0)), **b.leg_pose(side, theta, knee, hanging))
    b.go(float(rng.uniform(0.4, 1.0)), **rest)


def _reposition(b: _Builder) -> None:
    """Knees up, shift the hips, legs down again."""
    rng = b.rng
    bent = {**b.leg_pose("r", 45, 90, False), **b.leg_pose("l", 45, 90, False)}
    b.go(1.2, **bent)
    b.go(0.8, hip_z=_HIP_Z_SUPINE_M + 0.06, pelvis=math.radians(-8))
    b.go(0.8, hip_z=_HIP_Z_SUPINE_M, pelvis=0.0, hip_x=b.last("hip_x") + float(rng.uniform(-0.06, 0.06)))
    b.hold(float(rng.uniform(0.5, 2.0)))
    b.go(1.2, **_flat_legs(b))


def _sit_up(b: _Builder, *, stand: bool) -> None:
    rng = b.rng
    b.go(float(rng.uniform(1.2, 2.0)), pelvis=math.radians(80))
    b.posture("sitting")
    b.hold(float(rng.uniform(2.0, 4.0)))
    if stand:
        down = _SUPINE_LEG + math.pi / 2  # legs rotate from along the floor to hanging below the hips
        b.go(
            2.0,
            hip_z=0.53 * b.body.height_m,
            hip_x=b.last("hip_x") + 0.25,
            pelvis=math.pi / 2,
            thigh_r=down,
            shin_r=down,
            thigh_l=down,
            shin_l=down,
        )
        b.posture("standing")
        b.hold(float(rng.uniform(3.0, 6.0)))
        b.go(
            2.0, hip_z=_HIP_Z_SUPINE_M, hip_x=b.last("hip_x") - 0.25, pelvis=math.radians(80), **_flat_legs(b)
        )
        b.posture("sitting")
        b.hold(float(rng.uniform(1.0, 2.0)))
    b.go(float(rng.uniform(1.2, 2.0)), pelvis=0.0)
    b.posture("supine")
