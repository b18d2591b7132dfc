"""A shin strap turned between sets: the lift axis is learnt again (dsp.strap, dsp.lift).

The simulator straps a sensor once per session, so these tests turn the shin sensor's frame
themselves, during the rest between two sets: over one second, about the shin's long axis
(the sensor's x axis with aligned mounts), with the gyro reading that turn as well.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
import pytest
from scipy.spatial.transform import Rotation

from dsp import SensorSamples
from dsp._rest import StillPeriods
from dsp.events import Calibrated, Event, Rep, event_dict
from dsp.pipeline import Pipeline
from dsp.strap import BOUT_END_S, BOUT_RPS, OFF_BOUTS, StrapWatch
from imu_reader.sim import SessionPlan, SetPlan, SimSettings, Simulation, Tempo, simulate

FloatArray = npt.NDArray[np.float64]
RATE_HZ = 100.0
LATERAL = np.array([0.0, 1.0, 0.0])


def bout(axis: FloatArray, turn_deg: float, move_s: float = 1.0, still_s: float = 1.0) -> FloatArray:
    """Gyro samples of one movement about `axis` (a minimum-jerk turn), then stillness."""
    u = np.arange(round(move_s * RATE_HZ)) / (move_s * RATE_HZ)
    rate = math.radians(turn_deg) / move_s * 30 * u**2 * (1 - u) ** 2
    moving = np.outer(rate, axis / np.linalg.norm(axis))
    return np.vstack((moving, np.zeros((round(still_s * RATE_HZ), 3))))


def watch(gyr: FloatArray, splits: list[int] | None = None) -> int | None:
    """Where a fresh watch on the lateral lift axis says the strap was turned."""
    w = StrapWatch(RATE_HZ)
    edges = [0, *(splits or []), gyr.shape[0]]
    for a, b in itertools.pairwise(edges):
        found = w.update(np.arange(a, b) / RATE_HZ, gyr[a:b], LATERAL)
        if found is not None:
            return int(a) + found
    return None


def test_reps_about_the_lift_axis_are_never_a_turned_strap() -> None:
    # Raises and lowerings, some a little out of the plane (15 degrees).
    off_plane = np.array([0.0, math.cos(math.radians(15)), math.sin(math.radians(15))])
    gyr = np.vstack([bout(LATERAL, 60), bout(-LATERAL, 60), bout(off_plane, 50), bout(-off_plane, 50)] * 3)
    assert watch(gyr) is None


def test_off_bouts_in_a_row_about_one_other_axis_are() -> None:
    """The OFF_BOUTS-th off-axis bout decides, once it has been still for BOUT_END_S."""
    tilted = np.array([0.0, math.cos(math.radians(60)), math.sin(math.radians(60))])
    off = [bout(tilted * (-1) ** k, 60) for k in range(OFF_BOUTS + 1)]
    gyr = np.vstack((bout(LATERAL, 60), *off))
    last_ends = (OFF_BOUTS + 1) * off[0].shape[0]  # each bout is as long
    last_fast = int(np.flatnonzero(np.linalg.norm(gyr[:last_ends], axis=1) > BOUT_RPS)[-1])
    w = StrapWatch(RATE_HZ)
    found = w.update(np.arange(gyr.shape[0]) / RATE_HZ, gyr, LATERAL)
    assert found == last_fast + round(BOUT_END_S * RATE_HZ)
    # The run of off-axis bouts started at the first fast sample of the first of them.
    first_fast = int(np.flatnonzero(np.linalg.norm(off[0], axis=1) > BOUT_RPS)[0]) + off[0].shape[0]
    assert w.run_start_s == pytest.approx(first_fast / RATE_HZ)
    # The same sample, however the samples are split.
    for splits in ([1, 7, 150, 151, 333], list(range(5, gyr.shape[0], 8)), [last_fast + 1]):
        assert watch(gyr, splits) == found


def test_one_off_axis_bout_or_two_about_different_axes_are_not() -> None:
    """Rolling to the side, shifting: the leg turns about other axes now and then."""
    x, z = np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])
    assert watch(np.vstack((bout(x, 60), bout(LATERAL, 60), bout(z, 60), bout(LATERAL, 60)))) is None
    assert watch(np.vstack((bout(x, 60), bout(z, 60), bout(x, 60)))) is None
    # Fewer than OFF_BOUTS about one axis, back and forth (rolling to the side and back).
    assert watch(np.vstack([bout(x * (-1) ** k, 60) for k in range(OFF_BOUTS - 1)])) is None
    # A rep's bout among off-axis ones about the same axis breaks the run.
    assert watch(np.vstack((bout(x, 60), bout(x, 60), bout(LATERAL, 60), bout(x, 60), bout(x, 60)))) is None


def test_small_bouts_are_not_judged() -> None:
    x = np.array([1.0, 0.0, 0.0])
    assert watch(np.vstack([bout(x, 12)] * 6)) is None


def two_sets(seed: int = 21) -> Simulation:
    tempo = Tempo.parse("3-0.5-1.5-0.5")
    plan = SessionPlan(
        sets=(
            SetPlan("straight_leg_lift", reps=6, core="strong", tempo=tempo, rest_after_s=40.0),
            SetPlan("straight_leg_lift", reps=6, core="strong", tempo=tempo),
        ),
        seed=seed,
    )
    return simulate(SimSettings(plan, sensors=("shin",), rate_hz=int(RATE_HZ), random_mount=False))


def strap_turned(sim: Simulation, turn_deg: float) -> SensorSamples:
    """The shin's samples with its strap turned `turn_deg` about the shin, mid-rest."""
    s = sim.sensors["shin"]
    t = s.sample_time_s
    first, second = sim.truth.sets
    at_s = 0.5 * (first.end_s + second.start_s)
    u = np.clip(t - at_s, 0.0, 1.0)
    turn = math.radians(turn_deg) * (10 * u**3 - 15 * u**4 + 6 * u**5)
    turn_rate = math.radians(turn_deg) * 30 * u**2 * (1 - u) ** 2
    along = np.array([1.0, 0.0, 0.0])  # the shin's long axis, in the sensor frame
    to_sensor = Rotation.from_rotvec(np.outer(turn, along)).inv()
    acc = to_sensor.apply(s.acc_mps2)
    gyr = to_sensor.apply(s.gyr_rps) + np.outer(turn_rate, along)
    return SensorSamples("shin", t, acc, gyr)


def run(samples: SensorSamples, window_s: float | None = None) -> list[Event]:
    pipeline = Pipeline({"shin": RATE_HZ})
    if window_s is None:
        return pipeline.process(samples) + pipeline.finish()
    events: list[Event] = []
    edges = np.searchsorted(samples.time_s, np.arange(samples.time_s[0], samples.time_s[-1], window_s))
    for a, b in zip(edges, [*edges[1:], len(samples)], strict=True):
        events += pipeline.process(samples.part(int(a), int(b)))
    return events + pipeline.finish()


@pytest.mark.parametrize("turn_deg", [90.0, 180.0])
def test_the_set_after_the_strap_was_turned_counts(turn_deg: float) -> None:
    """A quarter turn tips the lift axis out of the plane: the bouts about the new axis show
    it, the legs moved in the rest and the first rep's raise here, measured about the old
    axis; that rep may be lost, never a later one. Half a turn keeps the axis's line but
    turns the sensor over: the still period before the set shows it, and every rep counts.
    The reps measured about the new axis have their true times."""
    sim = two_sets()
    events = run(strap_turned(sim, turn_deg))
    learnt = [e.time_s for e in events if isinstance(e, Calibrated) and e.what == "lift_axis"]
    first = sim.truth.sets[0]
    assert len(learnt) == 2
    assert learnt[0] < first.start_s + 2.0
    assert first.end_s < learnt[1] <= sim.truth.reps[6].end_s
    reps = [e for e in events if isinstance(e, Rep)]
    assert sum(r.set_index == 0 for r in reps) == 6
    found = {t.index: r for t in sim.truth.reps for r in reps if abs(r.start_s - t.start_s) < 0.3}
    must = range(12) if turn_deg == 180.0 else (*range(6), *range(7, 12))
    assert set(must) <= set(found)
    assert len(reps) <= 12
    for k in must:
        rep, true = found[k], sim.truth.reps[k]
        assert rep.eccentric_s == pytest.approx(true.eccentric_s, abs=0.3)
        assert rep.rom_deg == pytest.approx(true.rom_deg, abs=12.0)


def test_the_axis_is_learnt_once_when_the_strap_stays() -> None:
    events = run(SensorSamples.concatenate([strap_turned(two_sets(), 0.0)]))
    assert sum(isinstance(e, Calibrated) and e.what == "lift_axis" for e in events) == 1
    assert sum(isinstance(e, Rep) for e in events) == 12


def test_learning_again_does_not_depend_on_the_blocks() -> None:
    """The same events (they may come out in different calls) whatever the blocks."""

    def as_dicts(events: list[Event]) -> list[dict[str, object]]:
        return sorted((event_dict(e) for e in events), key=lambda d: (str(d["type"]), repr(d)))

    samples = strap_turned(two_sets(), 90.0)
    whole = as_dicts(run(samples))
    for window_s in (0.05, 1.0, 7.3):
        assert as_dicts(run(samples, window_s)) == whole


def test_still_periods_are_reported_once_each_as_they_end_whatever_the_blocks() -> None:
    """One reference per still period of a second or more (its means), when the sensor
    moves again; shorter ones and the one still going on are not reported."""
    rng = np.random.default_rng(3)
    n = 1000
    gyr = rng.normal(0.0, 0.01, (n, 3))
    acc = np.tile([0.0, 0.0, 9.81], (n, 1)) + rng.normal(0.0, 0.02, (n, 3))
    # Movement; 345..390 is still for under a second.
    for a, b in ((150, 180), (330, 345), (390, 400), (600, 640)):
        gyr[a:b] = 1.0
    acc[400:600] = [0.0, 9.81, 0.0]  # lying differently from 400 on
    samples = SensorSamples("shin", np.arange(n) / RATE_HZ, acc, gyr)

    def periods(edges: list[int]) -> list[tuple[float, FloatArray]]:
        watch = StillPeriods(round(RATE_HZ))
        out = []
        for a, b in itertools.pairwise([0, *edges, n]):
            out += [(r.time_s, r.up) for r in watch.update(samples.part(a, b))]
        return out

    whole = periods([])
    # Still 0-150, 180-330 and 400-600 (lying differently); 640-1000 still going.
    assert [t for t, _ in whole] == pytest.approx([1.49, 3.29, 5.99])
    assert whole[2][1] == pytest.approx([0.0, 1.0, 0.0], abs=0.01)
    assert whole[0][1] == pytest.approx([0.0, 0.0, 1.0], abs=0.01)
    for edges in ([1, 2, 149, 150, 151, 500], list(range(7, n, 13)), [600]):
        split = periods(edges)
        assert [t for t, _ in split] == [t for t, _ in whole]
        for (_, up), (_, up_whole) in zip(split, whole, strict=True):
            assert up == pytest.approx(up_whole, abs=1e-12)
