"""A shin strap turned between sets: the lift axis is learnt again (dsp.strap).

The simulator straps a sensor once per session, so these tests turn the shin sensor's frame
themselves, mid-rest between two sets: over one second, about an axis of the sensor frame
(with aligned mounts x runs along the shin, y across it: the lift axis, z out of the
skin), the gyro reading that turn as well. A leg rolled on its side turns back a few
seconds later.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from scipy.spatial.transform import Rotation

from dsp import SensorSamples
from dsp._still_seconds import StillSeconds
from dsp.events import Calibrated, Event, Rep, SetDone, event_dict
from dsp.lift import AxisAngle, LiftAngle
from dsp.pipeline import Pipeline
from dsp.scoring import TrueRep, score_reps
from dsp.settings import Settings
from dsp.strap import MAX_HOLD_S, StrapWatch
from imu_reader.sim import SessionPlan, SetPlan, SimSettings, Simulation, Tempo, simulate

FloatArray = npt.NDArray[np.float64]
RATE_HZ = 100
Axis = tuple[float, float, float]
ALONG: Axis = (1.0, 0.0, 0.0)


@functools.cache
def two_sets(seed: int = 21, rest_s: float = 40.0) -> Simulation:
    tempo = Tempo.parse("3-0.5-1.5-0.5")
    plan = SessionPlan(
        sets=(
            SetPlan("straight_leg_lift", reps=6, core="strong", tempo=tempo, rest_after_s=rest_s),
            SetPlan("straight_leg_lift", reps=6, core="strong", tempo=tempo),
        ),
        seed=seed,
    )
    return simulate(SimSettings(plan, sensors=("shin",), rate_hz=RATE_HZ, random_mount=False))


def turn_at(sim: Simulation) -> float:
    first, second = sim.truth.sets
    return 0.5 * (first.end_s + second.start_s)


def turned(
    sim: Simulation,
    turn_deg: float,
    axis: tuple[float, float, float] = ALONG,
    back_after_s: float | None = None,
) -> SensorSamples:
    """The shin's samples with its sensor turned `turn_deg` about `axis` (sensor frame)
    mid-rest, and turned back `back_after_s` after that if given."""
    s = sim.sensors["shin"]
    t = s.sample_time_s
    unit = np.asarray(axis) / np.linalg.norm(axis)
    turns = [(turn_at(sim), math.radians(turn_deg))]
    if back_after_s is not None:
        turns.append((turn_at(sim) + 1.0 + back_after_s, -math.radians(turn_deg)))
    angle, rate = np.zeros_like(t), np.zeros_like(t)
    for at_s, total in turns:
        u = np.clip(t - at_s, 0.0, 1.0)
        angle += total * (10 * u**3 - 15 * u**4 + 6 * u**5)
        rate += total * 30 * u**2 * (1 - u) ** 2
    to_sensor = Rotation.from_rotvec(np.outer(angle, unit)).inv()
    return SensorSamples(
        "shin", t, to_sensor.apply(s.acc_mps2), to_sensor.apply(s.gyr_rps) + np.outer(rate, unit)
    )


def run(samples: SensorSamples, window_s: float = 0.5) -> list[Event]:
    pipeline = Pipeline({"shin": float(RATE_HZ)})
    edges = np.searchsorted(samples.time_s, np.arange(window_s, samples.time_s[-1] + window_s, window_s))
    events: list[Event] = []
    for a, b in itertools.pairwise([0, *edges.tolist(), len(samples)]):
        if b > a:
            events += pipeline.process(samples.part(a, b))
    return events + pipeline.finish()


def truth(sim: Simulation) -> list[TrueRep]:
    return [
        TrueRep(r.start_s, r.end_s, r.top_s, r.bottom_s, r.eccentric_s, r.set, "shin") for r in sim.truth.reps
    ]


def axes_learnt(events: list[Event]) -> list[float]:
    return [e.time_s for e in events if isinstance(e, Calibrated) and e.what == "lift_axis"]


@pytest.mark.parametrize(
    ("turn_deg", "axis"),
    [(45.0, ALONG), (90.0, ALONG), (-90.0, ALONG), (135.0, ALONG), (180.0, ALONG), (90.0, (1.0, 0.0, 1.0))],
)
def test_every_rep_counts_after_the_strap_is_turned(
    turn_deg: float, axis: tuple[float, float, float]
) -> None:
    sim = two_sets()
    events = run(turned(sim, turn_deg, axis))
    score = score_reps(events, truth(sim))
    assert not score.missed
    assert not score.extra
    # Two sets of six, the second's reps in one set (the axis changed before its first rep).
    assert [d.rep_count for d in events if isinstance(d, SetDone)] == [6, 6]
    # The new axis is learnt after the turn, once the second set has begun.
    learnt = axes_learnt(events)
    assert len(learnt) == 2
    assert sim.truth.sets[1].start_s < learnt[1] < sim.truth.sets[1].end_s
    # ...and measures the second set as the first was: its lowering times hold.
    for m in score.matches:
        assert abs(m.eccentric_error_s) < 0.4


def test_a_long_rest_after_the_turn_holds_at_most_max_hold_s() -> None:
    """90 s of rest: the samples after the turn are released through the old axis after
    MAX_HOLD_S, and judged again from the last still second that did not fit."""
    sim = two_sets(rest_s=90.0)
    samples = turned(sim, 90.0)
    watch = StrapWatch(LiftAngle("shin", float(RATE_HZ), Settings()))
    placed_s, lags_s = -math.inf, []
    for a in range(0, len(samples), 50):
        block = samples.part(a, min(a + 50, len(samples)))
        track, _ = watch.update(block)
        placed_s = float(track.time_s[-1]) if len(track) else placed_s
        lags_s.append(float(block.time_s[-1]) - placed_s)
    assert MAX_HOLD_S - 1.0 < max(lags_s[len(lags_s) // 4 :]) <= MAX_HOLD_S + 1.0
    events = run(samples)
    assert len(axes_learnt(events)) == 2
    score = score_reps(events, truth(sim))
    assert not score.missed
    assert not score.extra


@pytest.mark.parametrize(("turn_deg", "lost"), [(60.0, 0), (90.0, 1)])
def test_a_turn_that_keeps_the_axis_level_shows_in_the_movements(turn_deg: float, lost: int) -> None:
    """Turned on the skin about the vertical (z, out of the skin of a shin lying flat): every
    still second fits the old axis; two reps' bouts about another level axis tell it, the
    leg back at its rest. The reps before that are measured about the old axis (at 90
    degrees they are not seen: one is lost), none after."""
    sim = two_sets()
    events = run(turned(sim, turn_deg, (0.0, 0.0, 1.0)))
    score = score_reps(events, truth(sim))
    assert len(score.missed) == lost
    assert not score.extra
    learnt = axes_learnt(events)
    assert len(learnt) == 2
    assert sim.truth.sets[1].start_s < learnt[1] < sim.truth.sets[1].end_s


def tracks(samples: SensorSamples, watched: bool) -> list[FloatArray]:
    lift = LiftAngle("shin", float(RATE_HZ), Settings())
    estimator = StrapWatch(lift) if watched else lift
    out = []
    for a in range(0, len(samples), 37):
        track, _ = estimator.update(samples.part(a, min(a + 37, len(samples))))
        out.append(np.column_stack((track.time_s, track.angle_deg, track.velocity_dps, track.tremor)))
    return out


@pytest.mark.parametrize("back_after_s", [3.0, 8.0, None])
def test_a_leg_rolled_on_its_side_and_back_changes_nothing(back_after_s: float | None) -> None:
    """The track is the old axis's, sample for sample, as if nothing watched (None: no roll)."""
    sim = two_sets()
    samples = turned(sim, 90.0 if back_after_s is not None else 0.0, ALONG, back_after_s)
    bare, watched = np.vstack(tracks(samples, False)), np.vstack(tracks(samples, True))
    np.testing.assert_array_equal(watched, bare)
    events = run(samples)
    assert len(axes_learnt(events)) == 1
    score = score_reps(events, truth(sim))
    assert not score.missed
    assert not score.extra


def as_dicts(events: list[Event]) -> list[dict[str, Any]]:
    return sorted((event_dict(e) for e in events), key=lambda d: (d["type"], d["time_s"], repr(d)))


@pytest.mark.parametrize("window_s", [0.013, 1.0, 7.3])
def test_the_same_events_whatever_the_blocks(window_s: float) -> None:
    samples = turned(two_sets(), 90.0)
    reference = as_dicts(run(samples, 0.5))
    assert len(axes_learnt(run(samples, 0.5))) == 2
    assert as_dicts(run(samples, window_s)) == reference


def test_reps_before_the_turn_are_told_on_time() -> None:
    """Only the samples after a still second that does not fit wait: the first set's reps
    come out in the block they end in, as without the watch."""
    sim = two_sets()
    pipeline = Pipeline({"shin": float(RATE_HZ)})
    samples = turned(sim, 90.0)
    told_at = []
    for a in range(0, len(samples), 50):
        block = samples.part(a, min(a + 50, len(samples)))
        told_at += [float(block.time_s[-1]) - e.time_s for e in pipeline.process(block) if isinstance(e, Rep)]
    assert len(told_at) == 12
    assert max(told_at[:6]) < 0.6  # a block and the batching of the pipeline
    assert max(told_at[6:]) > 1.0  # the second set's first reps waited for the new axis


def still_windows(samples: SensorSamples, cuts: list[int]) -> list[tuple[int, FloatArray, FloatArray, float]]:
    finder = StillSeconds(25)
    out: list[tuple[int, FloatArray, FloatArray, float]] = []
    for a, b in itertools.pairwise([0, *cuts, len(samples)]):
        found = finder.update(samples.part(a, b))
        assert len(found.firsts) == len(found.ends)
        for j, end in enumerate(found.ends):
            rest = found.reference(j)
            assert found.firsts[j] == (len(out) == 0 or rest.time_s > out[-1][3] + 0.51)
            out.append((a + end, rest.up, rest.gyro_bias_rps, rest.time_s))
    return out


def test_still_seconds_every_window_whatever_the_blocks() -> None:
    n = 300
    t = np.arange(n) / 50.0
    acc = np.tile([0.0, 0.0, 9.80665], (n, 1))
    gyr = np.full((n, 3), 0.01)
    gyr[60:70] = 0.5  # moving: the run starts again after it
    acc[200:] = [0.0, 9.80665, 0.0]  # turned over (still again from sample 200)
    gyr[199] = 0.5
    samples = SensorSamples("shin", t, acc, gyr)
    found = still_windows(samples, [])
    assert [k for k, *_ in found] == [24, 49, 94, 119, 144, 169, 194, 224, 249, 274, 299]
    np.testing.assert_allclose(found[-1][1], [0.0, 1.0, 0.0])
    np.testing.assert_allclose(found[0][2], [0.01, 0.01, 0.01])
    for cuts in ([1, 2, 3, 100, 222], list(range(7, n, 7)), [24, 25, 199, 200]):
        again = still_windows(samples, cuts)
        assert [k for k, *_ in again] == [k for k, *_ in found]
        for (_, up, bias, _), (_, up2, bias2, _) in zip(found, again, strict=True):
            np.testing.assert_allclose(up2, up, atol=1e-12)
            np.testing.assert_allclose(bias2, bias, atol=1e-12)
    # Samples missing for over 0.3 s break a still period.
    gap = np.zeros(n, dtype=bool)
    gap[110] = True
    t_gap = t.copy()
    t_gap[110:] += 1.0
    broken = still_windows(SensorSamples("shin", t_gap, acc, gyr, gap), [])
    assert [k for k, *_ in broken][:4] == [24, 49, 94, 134]


def test_an_axis_upside_down_is_turned_round_at_the_rest_after_the_set() -> None:
    """An axis learnt the wrong way up (as from a dead bug, whose shin turns up as the leg
    goes down) reads every raise as a lowering. Raises out from the rest's pose about the hip
    move the sensor up as the shin turns up: two in a row that moved it the other way, and the
    next still second at the rest's pose (the legs put down after the set) turns the axis round.
    The set goes on as it started; the next one is read the right way up."""
    sim = two_sets()
    s = sim.sensors["shin"]
    samples = SensorSamples("shin", s.sample_time_s, s.acc_mps2, s.gyr_rps)
    watch = StrapWatch(LiftAngle("shin", float(RATE_HZ), Settings()))
    times, angles, events = [], [], []
    inverted_at = None
    for a, b in itertools.pairwise(range(0, len(samples) + RATE_HZ // 2, RATE_HZ // 2)):
        track, found = watch.update(samples.part(a, min(b, len(samples))))
        times.append(track.time_s)
        angles.append(track.angle_deg)
        events += found
        angle = watch.lift.angle
        if inverted_at is None and angle is not None:
            # The aligned mount's lift axis is +y: learnt right, then turned the wrong way up.
            assert float(angle.axis @ np.array([0.0, 1.0, 0.0])) > 0.95
            watch.lift.angle = AxisAngle(RATE_HZ, Settings().complementary_tau_s, angle.rest, -angle.axis)
            inverted_at = float(samples.time_s[min(b, len(samples)) - 1])
    assert inverted_at is not None
    t, deg = np.concatenate(times), np.concatenate(angles)
    first, second = sim.truth.sets
    turned_round = [e.time_s for e in events if e.what == "lift_axis" and e.time_s > inverted_at]
    assert len(turned_round) == 1
    assert first.end_s < turned_round[0] < second.start_s
    assert watch.axis is not None
    assert float(watch.axis @ np.array([0.0, 1.0, 0.0])) > 0.95
    tops = [r.top_s for r in sim.truth.reps]
    for top in tops:
        at_top = float(np.interp(top, t, deg))
        if top > second.start_s:
            assert at_top > 30.0
        elif top > inverted_at + 1.0:
            assert at_top < -30.0  # the first set keeps the way up it had
