"""Posture from hand-built pelvis motion (`dsp.posture`), and its scoring.

The pelvis is a rigid body turning about its left-right axis (world Y) and moving up and
down, each movement a minimum-jerk profile whose acceleration is known in closed form; the
sensor is strapped on at a random orientation. Lying, the pelvis's superior axis is world
X; upright, world Z (turned 90 degrees about Y). What the sensor reads is built from that
motion alone (specific force and body rate, turned into the sensor's frame), so the tests
check `PostureWatch` against the motion, not against its own arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from dsp import STANDARD_GRAVITY_MPS2, SensorSamples
from dsp._rest import RestReference
from dsp.events import PostureChanged
from dsp.pipeline import Pipeline
from dsp.posture import PostureWatch
from dsp.scoring import TruePosture, score_postures

FloatArray = npt.NDArray[np.float64]
RATE_HZ = 100.0


@dataclass(frozen=True)
class Move:
    """From `start_s`, over `duration_s`: turn by `turn_deg` about world Y, rise `rise_m`."""

    start_s: float
    duration_s: float
    turn_deg: float = 0.0
    rise_m: float = 0.0


def _min_jerk(u: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Position, speed and acceleration of a minimum-jerk move over phase u in [0, 1]."""
    u = np.clip(u, 0.0, 1.0)
    return (
        10 * u**3 - 15 * u**4 + 6 * u**5,
        30 * u**2 - 60 * u**3 + 30 * u**4,
        60 * u - 180 * u**2 + 120 * u**3,
    )


def pelvis(
    moves: list[Move],
    end_s: float,
    *,
    start_deg: float = 0.0,
    swing: tuple[float, float, float, float] | None = None,
    seed: int = 0,
) -> SensorSamples:
    """Samples of a pelvis sensor strapped on at a random orientation (from `seed`).

    `swing` = (from_s, to_s, amplitude_deg, frequency_hz): a sway about Y on top of the moves.
    """
    rng = np.random.default_rng(seed)
    mount = Rotation.random(random_state=rng)
    t = np.arange(0.0, end_s, 1.0 / RATE_HZ)
    angle = np.full(t.size, math.radians(start_deg))
    rate = np.zeros(t.size)
    z_acc = np.zeros(t.size)
    for m in moves:
        inside = (t >= m.start_s) & (t <= m.start_s + m.duration_s)
        pos, vel, acc = _min_jerk((t - m.start_s) / m.duration_s)
        angle += math.radians(m.turn_deg) * pos
        rate += np.where(inside, math.radians(m.turn_deg) * vel / m.duration_s, 0.0)
        z_acc += np.where(inside, m.rise_m * acc / m.duration_s**2, 0.0)
    if swing is not None:
        lo, hi, amplitude_deg, frequency_hz = swing
        inside = (t >= lo) & (t < hi)
        w = 2 * math.pi * frequency_hz
        angle += np.where(inside, math.radians(amplitude_deg) * np.sin(w * (t - lo)), 0.0)
        rate += np.where(inside, math.radians(amplitude_deg) * w * np.cos(w * (t - lo)), 0.0)
    # Turning about world Y by `angle` tips the superior axis (world X) up towards world Z.
    body = Rotation.from_rotvec(np.outer(-angle, [0.0, 1.0, 0.0]))
    force_world = np.column_stack((np.zeros(t.size), np.zeros(t.size), z_acc + STANDARD_GRAVITY_MPS2))
    to_sensor = mount.inv() * body.inv()
    acc = to_sensor.apply(force_world) + rng.normal(0.0, 0.02, (t.size, 3))
    gyr = mount.inv().apply(np.outer(-rate, [0.0, 1.0, 0.0])) + rng.normal(0.0, 0.003, (t.size, 3))
    return SensorSamples("pelvis", t, acc, gyr)


def watch(samples: SensorSamples, block: int = 0) -> list[PostureChanged]:
    """PostureWatch over the samples after the first second (its rest), in blocks of `block`."""
    first = int(RATE_HZ)
    up = samples.acc_mps2[:first].mean(axis=0)
    rest = RestReference(
        float(samples.time_s[first - 1]), samples.gyr_rps[:first].mean(axis=0), up / np.linalg.norm(up)
    )
    postures = PostureWatch(RATE_HZ)
    n = len(samples)
    step = block or n
    events = postures.update(samples.part(first, first), rest)
    for i in range(first, n, step):
        events += postures.update(samples.part(i, min(i + step, n)), rest)
    return events


def told(events: list[PostureChanged]) -> list[str]:
    return [e.posture for e in events]


@pytest.mark.parametrize("seed", range(4))
def test_sitting_up_standing_and_lying_down_again(seed: int) -> None:
    moves = [
        Move(5.0, 1.5, turn_deg=80),  # sit up
        Move(10.0, 2.0, turn_deg=10, rise_m=0.45),  # stand up
        Move(16.0, 2.0, turn_deg=-10, rise_m=-0.45),  # sit down
        Move(22.0, 1.5, turn_deg=-80),  # lie down
    ]
    events = watch(pelvis(moves, 30.0, seed=seed))
    assert told(events) == ["supine", "sitting", "standing", "sitting", "supine"]
    for event, move in zip(events[1:], moves, strict=True):
        ended_s = move.start_s + move.duration_s
        # Told once the pelvis has been still for 0.5 s, starting where that stillness began.
        assert ended_s - 0.3 <= event.start_s <= ended_s + 0.3
        assert 0.4 <= event.time_s - event.start_s <= 0.55


@pytest.mark.parametrize("seed", range(4))
def test_a_standing_start_shows_at_the_jump_to_the_bar_and_the_drop_from_it(seed: int) -> None:
    moves = [
        Move(4.0, 0.8, rise_m=0.35),  # jump up to the bar
        # Legs raised while hanging: the pelvis curls 15 degrees and back, hardly rising.
        Move(8.0, 1.5, turn_deg=-15, rise_m=0.05),
        Move(10.5, 1.5, turn_deg=15, rise_m=-0.05),
        Move(25.0, 0.8, rise_m=-0.35),  # drop to the floor
    ]
    # The body swings under the hands from the jump to the drop: it never comes to rest.
    events = watch(pelvis(moves, 30.0, start_deg=90, swing=(4.8, 25.0, 3.0, 0.4), seed=seed))
    # Standing since the baseline is told at the jump, from the baseline.
    assert told(events) == ["supine", "standing", "hanging", "standing"]
    assert events[1].start_s == events[0].start_s
    assert events[1].time_s == events[2].time_s
    assert events[-1].start_s == pytest.approx(25.8, abs=0.3)


@pytest.mark.parametrize(
    "move",
    [
        Move(5.0, 1.5, turn_deg=35),  # reverse crunch: the pelvis curls up 35 degrees
        Move(5.0, 1.5, turn_deg=20, rise_m=0.15),  # bridge: the hips rise off the floor
        Move(5.0, 1.0, rise_m=0.12),  # a shift on the mat
    ],
    ids=["curl", "bridge", "shift"],
)
def test_lying_movements_are_not_a_new_posture(move: Move) -> None:
    back = Move(move.start_s + move.duration_s + 1.0, move.duration_s, -move.turn_deg, -move.rise_m)
    assert told(watch(pelvis([move, back], 15.0, seed=3))) == ["supine"]


def test_curling_while_hanging_is_not_a_drop() -> None:
    # Without turning gravity with the pelvis, a 15-degree curl held reads as a 0.2 m drop.
    moves = [Move(3.0, 0.8, rise_m=0.35), Move(7.0, 1.0, turn_deg=-15), Move(12.0, 1.0, turn_deg=15)]
    assert told(watch(pelvis(moves, 16.0, start_deg=90, seed=5))) == ["supine", "standing", "hanging"]


@pytest.mark.parametrize(
    ("hole_s", "postures"), [(0.3, ["supine", "standing", "hanging"]), (0.6, ["supine"])]
)
def test_a_short_hole_in_a_rise_is_bridged_and_a_long_one_leaves_it_unmeasured(
    hole_s: float, postures: list[str]
) -> None:
    samples = pelvis([Move(3.0, 0.8, rise_m=0.35)], 8.0, start_deg=90, seed=6)
    kept = np.abs(samples.time_s - 3.4) > hole_s / 2
    holed = SensorSamples("pelvis", samples.time_s[kept], samples.acc_mps2[kept], samples.gyr_rps[kept])
    assert told(watch(holed)) == postures


@settings(max_examples=20, deadline=None)
@given(block=st.integers(1, 700))
def test_any_blocks_give_the_same_postures(block: int) -> None:
    moves = [Move(4.0, 0.8, rise_m=0.35), Move(9.0, 1.5, turn_deg=-15), Move(13.0, 0.8, rise_m=-0.35)]
    samples = pelvis(moves, 18.0, start_deg=90, swing=(4.8, 12.0, 3.0, 0.4), seed=2)
    assert watch(samples, block) == watch(samples)


def test_the_pipeline_tells_postures_and_keeps_them_over_a_calibrate() -> None:
    moves = [Move(5.0, 1.5, turn_deg=80), Move(12.0, 1.5, turn_deg=-80), Move(22.0, 1.5, turn_deg=80)]
    samples = pelvis(moves, 30.0, seed=1)
    pipeline = Pipeline({"pelvis": RATE_HZ})
    half = int(18.0 * RATE_HZ)
    events = pipeline.process(samples.part(0, half))
    pipeline.calibrate()  # lying still: the new baseline is taken at once, the posture stays
    events += pipeline.process(samples.part(half, len(samples))) + pipeline.finish()
    postures = [e for e in events if isinstance(e, PostureChanged)]
    assert told(postures) == ["supine", "sitting", "supine", "sitting"]
    assert postures[-1].start_s == pytest.approx(23.5, abs=0.3)


def test_a_posture_must_be_known() -> None:
    with pytest.raises(ValueError, match="posture must be one of"):
        PostureChanged(1.0, 1.0, "kneeling")


def test_scoring_compares_the_timelines() -> None:
    truth = [
        TruePosture("supine", 0.0, 10.0),
        TruePosture("sitting", 10.0, 20.0),
        TruePosture("supine", 20.0, 30.0),
    ]
    events = [PostureChanged(1.0, 1.0, "supine"), PostureChanged(11.0, 10.5, "sitting")]
    score = score_postures(events, truth)
    # From 1 s: supine agreed to 10, wrong 10 to 10.5, sitting agreed to 20, wrong after.
    assert score.judged_s == pytest.approx(29.0)
    assert score.agreed_s == pytest.approx(9.0 + 9.5)
    assert score.changes == 2
    assert score.latencies_s == pytest.approx((1.0,))


def test_scoring_takes_a_later_posture_from_the_same_start() -> None:
    truth = [TruePosture("standing", 0.0, 10.0), TruePosture("hanging", 10.0, 20.0)]
    events = [
        PostureChanged(1.0, 1.0, "supine"),
        PostureChanged(10.5, 1.0, "standing"),
        PostureChanged(10.5, 10.0, "hanging"),
    ]
    score = score_postures(events, truth)
    assert score.agreed_s == pytest.approx(score.judged_s) == pytest.approx(19.0)
