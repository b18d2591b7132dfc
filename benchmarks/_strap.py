"""Sessions with the shin strap turned between two sets, or the leg rolled on its side a while.

The simulator straps each sensor once per session, so these cases turn the shin sensor's
data themselves, mid-rest between the two sets: over `TURN_S`, about an axis of the shin
(segment frame: e1 along the shin, e2 lateral, e3 = e1 x e2), the gyro reading that turn
as well. A turned strap stays turned; a rolled leg turns back `back_after_s` later.
`run_case(STRAP_CASES[k])` reruns one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from dsp import SensorSamples
from dsp.events import Event
from dsp.pipeline import Pipeline
from dsp.scoring import RepScore, score_reps
from imu_reader.sim import SessionPlan, SetPlan, SimSettings, Simulation, Tempo, simulate

TURN_S = 1.0
"""How long turning the strap (or rolling the leg) takes, s."""
STEP_S = 0.5
"""Samples go to the pipeline in blocks of this much time, as the accuracy suite's."""
ALONG = (1.0, 0.0, 0.0)
"""About the shin's long axis (the way a strap turns round it)."""


@dataclass(frozen=True)
class StrapCase:
    """Two sets of one exercise, the shin's sensor turned `turn_deg` about `axis` (segment
    frame) mid-rest; turned back `back_after_s` later if given (a leg rolled on its side)."""

    exercise: str
    turn_deg: float
    axis: tuple[float, float, float] = ALONG
    back_after_s: float | None = None
    seed: int = 21
    rate_hz: int = 100
    random_mount: bool = False
    tempo: str = "3-0.5-1.5-0.5"

    def describe(self) -> str:
        what = "leg rolled" if self.back_after_s is not None else "strap turned"
        about = "the shin" if self.axis == ALONG else f"segment axis {self.axis}"
        mount = "random" if self.random_mount else "aligned"
        return (
            f"{self.exercise} {self.tempo}, {what} {self.turn_deg:g} deg about {about} (seed {self.seed}, "
            f"{self.rate_hz} Hz, {mount} mount)"
        )


STRAP_CASES = (
    StrapCase("straight_leg_lift", 45.0),
    StrapCase("straight_leg_lift", 90.0),
    StrapCase("straight_leg_lift", 135.0),
    StrapCase("straight_leg_lift", 180.0),
    StrapCase("straight_leg_lift", -90.0, seed=5, rate_hz=50, random_mount=True),
    StrapCase("single_leg_lift", 90.0, seed=8, rate_hz=25, tempo="2-1-1-0"),
    StrapCase("bent_knee_lift", 120.0, seed=9, rate_hz=200, random_mount=True, tempo="3-0-1-0.5"),
    StrapCase("straight_leg_lift", 90.0, axis=(1.0, 0.0, 1.0)),
    StrapCase("single_leg_lift", 90.0, axis=(2.0, 0.0, -1.0), seed=12, random_mount=True),
    StrapCase("straight_leg_lift", 60.0, axis=(0.0, 0.0, 1.0)),
    StrapCase("straight_leg_lift", 90.0, back_after_s=5.0),
    StrapCase("single_leg_lift", -90.0, back_after_s=3.0, seed=8, rate_hz=50, random_mount=True),
)


def simulation(case: StrapCase) -> Simulation:
    tempo = Tempo.parse(case.tempo)
    plan = SessionPlan(
        sets=(
            SetPlan(case.exercise, reps=6, core="strong", tempo=tempo, rest_after_s=40.0),
            SetPlan(case.exercise, reps=6, core="strong", tempo=tempo),
        ),
        seed=case.seed,
    )
    return simulate(
        SimSettings(plan, sensors=("shin",), rate_hz=case.rate_hz, random_mount=case.random_mount)
    )


def turned(sim: Simulation, case: StrapCase) -> SensorSamples:
    """The shin's samples with its sensor turned as `case` says, mid-rest between the sets."""
    sensor = sim.sensors["shin"]
    t = sensor.sample_time_s
    first, second = sim.truth.sets[:2]
    at_s = 0.5 * (first.end_s + second.start_s)
    axis = sensor.placement.mount.inv().apply(np.asarray(case.axis) / np.linalg.norm(case.axis))
    turn, rate = _minimum_jerk(t, at_s, math.radians(case.turn_deg))
    if case.back_after_s is not None:
        back, back_rate = _minimum_jerk(t, at_s + TURN_S + case.back_after_s, -math.radians(case.turn_deg))
        turn, rate = turn + back, rate + back_rate
    to_sensor = Rotation.from_rotvec(np.outer(turn, axis)).inv()
    acc = to_sensor.apply(sensor.acc_mps2)
    gyr = to_sensor.apply(sensor.gyr_rps) + np.outer(rate, axis)
    return SensorSamples("shin", t, acc, gyr)


def _minimum_jerk(t: np.ndarray, from_s: float, total_rad: float) -> tuple[np.ndarray, np.ndarray]:
    """A turn of `total_rad` over `TURN_S` from `from_s`: its angle and rate at `t`."""
    u = np.clip((t - from_s) / TURN_S, 0.0, 1.0)
    angle = total_rad * (10 * u**3 - 15 * u**4 + 6 * u**5)
    rate = total_rad * 30 * u**2 * (1 - u) ** 2 / TURN_S
    return angle, rate


def run_case(case: StrapCase) -> tuple[RepScore, list[Event]]:
    """The case through the pipeline in `STEP_S` blocks, scored against the simulator's reps."""
    from benchmarks._suite import true_reps

    sim = simulation(case)
    samples = turned(sim, case)
    pipeline = Pipeline({"shin": float(case.rate_hz)})
    edges = np.searchsorted(samples.time_s, np.arange(STEP_S, samples.time_s[-1] + STEP_S, STEP_S))
    events: list[Event] = []
    start = 0
    for stop in [*edges.tolist(), len(samples)]:
        if stop > start:
            events += pipeline.process(samples.part(start, stop))
            start = stop
    events += pipeline.finish()
    return score_reps(events, true_reps(sim)), events
