"""Block-size invariance of `dsp.pipeline.Pipeline`, the DSP's core contract.

The same samples must give the same events whether they arrive one at a time, a few at a
time or all at once (DESIGN.md, "Data flow"); events may come out in another call, never
different. Each test feeds a simulated session (imu_reader.sim) in some chunking and
compares the `event_dict` of every event, as a multiset, with a reference run.

Not checked here: that `time_s` never decreases within a kind of event. It does not hold
by design: the pipeline analyses each slice of time sensor by sensor (dsp/pipeline.py
`_analyse`), so the pelvis's `calibrated` event (its rest found at ~1.01 s) follows the
shin's (~1.07 s), and two legs' phases interleave by slice, not by time. What does hold by
design is checked: one leg's phases come in time order (the stroke detector reports in
time order) and reps are numbered in the order of their starts (`dsp/_fusion.py` sorts
them before telling them).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsp import SensorSamples
from dsp.events import Event, Phase, Rep, SetDone, TiltOnset, event_dict
from dsp.pipeline import Pipeline
from imu_reader.sim import SessionPlan, SetPlan, SimSettings, Simulation, simulate

RATE_HZ = 50
BOTH = ("shin", "pelvis")
SHIN = ("shin",)

EventDicts = list[dict[str, Any]]


@functools.cache
def simulation(exercise: str = "straight_leg_lift", seed: int = 3, sets: int = 1) -> Simulation:
    """A short session: `sets` sets of 3 reps, weak core, shin + pelvis at 50 Hz."""
    plan = SessionPlan(
        sets=tuple(SetPlan(exercise, reps=3, core="weak", rest_after_s=20.0) for _ in range(sets)), seed=seed
    )
    return simulate(SimSettings(plan, sensors=BOTH, rate_hz=RATE_HZ))


@functools.cache
def samples(exercise: str = "straight_leg_lift", seed: int = 3, sets: int = 1) -> dict[str, SensorSamples]:
    sim = simulation(exercise, seed, sets)
    return {
        role: SensorSamples(role, s.sample_time_s, s.acc_mps2, s.gyr_rps) for role, s in sim.sensors.items()
    }


def as_dicts(events: Iterable[Event]) -> EventDicts:
    """The events as a multiset: their dicts sorted by (type, time_s, repr)."""
    return sorted((event_dict(e) for e in events), key=lambda d: (d["type"], d["time_s"], repr(d)))


def run_windows(
    data: Mapping[str, SensorSamples], roles: Sequence[str], durations_s: Iterable[float]
) -> list[Event]:
    """Feed every sensor's samples of each window [t, t + duration) in one call (a dict by
    role, empty parts included); whatever is left after the last window in one more call."""
    pipeline = Pipeline({role: float(RATE_HZ) for role in roles})
    done = dict.fromkeys(roles, 0)
    events: list[Event] = []
    edge = 0.0
    for duration in [*durations_s, math.inf]:
        edge += duration
        block = {}
        for role in roles:
            stop = int(np.searchsorted(data[role].time_s, edge, side="left"))
            block[role] = data[role].part(done[role], stop)
            done[role] = stop
        events += pipeline.process(block)
    return events + pipeline.finish()


def run_single_samples(data: Mapping[str, SensorSamples], roles: Sequence[str]) -> list[Event]:
    """One sample per call, the sensors interleaved in time order (a SensorSamples, no dict)."""
    pipeline = Pipeline({role: float(RATE_HZ) for role in roles})
    order = sorted((float(data[r].time_s[i]), r, i) for r in roles for i in range(len(data[r])))
    events: list[Event] = []
    for _, role, i in order:
        events += pipeline.process(data[role].part(i, i + 1))
    return events + pipeline.finish()


def run_whole(data: Mapping[str, SensorSamples], roles: Sequence[str]) -> list[Event]:
    pipeline = Pipeline({role: float(RATE_HZ) for role in roles})
    return pipeline.process({role: data[role] for role in roles}) + pipeline.finish()


@functools.cache
def reference(roles: tuple[str, ...]) -> EventDicts:
    """The live cadence: every 0.1 s, both sensors' new samples."""
    return as_dicts(run_windows(samples(), roles, [0.1] * 400))


# -- the reference is a real analysis of the session -------------------------------------


@pytest.mark.parametrize("roles", [BOTH, SHIN], ids=["shin+pelvis", "shin"])
def test_reference_finds_the_simulated_reps(roles: tuple[str, ...]) -> None:
    """Invariance over nothing proves nothing: the reference must find the session."""
    sim = simulation()
    events = reference(roles)
    reps = [d for d in events if d["type"] == "rep"]
    assert len(reps) == len(sim.truth.reps) == 3
    for got, truth in zip(sorted(reps, key=lambda d: d["start_s"]), sim.truth.reps, strict=True):
        assert got["start_s"] == pytest.approx(truth.start_s, abs=0.15)
        assert got["bottom_s"] == pytest.approx(truth.bottom_s, abs=0.15)
    [set_done] = [d for d in events if d["type"] == "set"]
    assert set_done["rep_count"] == 3
    calibrated = {(d["role"], d["what"]) for d in events if d["type"] == "calibrated"}
    if roles == BOTH:
        # A weak core on straight legs: the back arches on every rep.
        assert len(sim.truth.tilt_episodes) >= 3
        assert len([d for d in events if d["type"] == "tilt_onset"]) >= 3
        assert all(r["max_anterior_tilt_deg"] is not None for r in reps)
        assert calibrated == {("shin", "rest"), ("shin", "lift_axis"), ("pelvis", "rest")}
    else:
        assert not [d for d in events if d["type"].startswith("tilt")]
        assert all(r["max_anterior_tilt_deg"] is None for r in reps)
        assert calibrated == {("shin", "rest"), ("shin", "lift_axis")}


@pytest.mark.parametrize("roles", [BOTH, SHIN], ids=["shin+pelvis", "shin"])
def test_order_that_holds_by_design(roles: tuple[str, ...]) -> None:
    events = run_windows(samples(), roles, [0.1] * 400)
    phases = [e.time_s for e in events if isinstance(e, Phase) and e.leg == "shin"]
    assert phases == sorted(phases)
    reps = [e for e in events if isinstance(e, Rep)]
    assert [r.index for r in reps] == list(range(len(reps)))
    assert [r.start_s for r in reps] == sorted(r.start_s for r in reps)


# -- chunkings ---------------------------------------------------------------------------

chunkings = st.lists(st.floats(0.01, 20.0), min_size=1, max_size=60)


@given(durations=chunkings)
@settings(max_examples=25, deadline=None)
def test_random_chunks_of_both_sensors(durations: list[float]) -> None:
    assert as_dicts(run_windows(samples(), BOTH, durations)) == reference(BOTH)


@given(durations=chunkings)
@settings(max_examples=25, deadline=None)
def test_random_chunks_shin_only(durations: list[float]) -> None:
    assert as_dicts(run_windows(samples(), SHIN, durations)) == reference(SHIN)


@pytest.mark.parametrize("roles", [BOTH, SHIN], ids=["shin+pelvis", "shin"])
def test_single_samples_alternating_sensors(roles: tuple[str, ...]) -> None:
    assert as_dicts(run_single_samples(samples(), roles)) == reference(roles)


@pytest.mark.parametrize("roles", [BOTH, SHIN], ids=["shin+pelvis", "shin"])
def test_whole_session_in_one_call(roles: tuple[str, ...]) -> None:
    assert as_dicts(run_whole(samples(), roles)) == reference(roles)


@pytest.mark.parametrize("roles", [BOTH, SHIN], ids=["shin+pelvis", "shin"])
@pytest.mark.parametrize("samples_per_block", [1, 4])
def test_fixed_numbers_of_samples_per_call(roles: tuple[str, ...], samples_per_block: int) -> None:
    """Each sensor's next n samples per call (the sensors drift apart by their clock errors)."""
    data = samples()
    pipeline = Pipeline({role: float(RATE_HZ) for role in roles})
    events: list[Event] = []
    longest = max(len(data[r]) for r in roles)
    for i in range(0, longest, samples_per_block):
        events += pipeline.process({r: data[r].part(i, i + samples_per_block) for r in roles})
    events += pipeline.finish()
    assert as_dicts(events) == reference(roles)


# -- sets and the pelvis sign, whatever the blocks -------------------------------------------


def test_set_tilt_count_counts_the_sets_onsets_whatever_the_blocks() -> None:
    """A set counts the tilt onsets within its span, also those during its first rep (told
    before the rep), and its safe end range is the highest leg angle at those onsets."""
    for durations in ([0.1] * 400, [7.3] * 10):
        events = run_windows(samples(), BOTH, durations)
        [set_done] = [e for e in events if isinstance(e, SetDone)]
        onsets = [e for e in events if isinstance(e, TiltOnset)]
        inside = [o for o in onsets if set_done.start_s <= o.onset_s <= set_done.end_s]
        assert len(inside) >= 3
        assert set_done.tilt_count == len(inside)
        angles = [o.leg_angle_at_onset_deg for o in inside if o.leg_angle_at_onset_deg is not None]
        assert set_done.safe_end_range_deg == max(angles)


def test_pelvis_sign_does_not_depend_on_the_blocks() -> None:
    """Which way is anterior is decided from evidence gathered over many calls: bent knees
    (the pelvis barely moves with the legs), two sets, 1 s windows against one call."""
    data = samples("bent_knee_lift", 7, 2)
    whole = as_dicts(run_whole(data, BOTH))
    assert len([d for d in whole if d["type"] == "rep"]) == 6
    assert as_dicts(run_windows(data, BOTH, [1.0] * 200)) == whole


@pytest.mark.parametrize("exercise", ["dead_bug", "heel_taps"])
def test_exercises_measured_by_the_height_in_notifications_and_whole(exercise: str) -> None:
    """Dead bugs and heel taps are told partly by how far the sensor rose (a rise integrated
    over each stroke): 4 samples per call, as a live link hands them over, and all at once.
    The legs take turns; the shin sensor is on one of them."""
    plan = SessionPlan(sets=(SetPlan(exercise, reps=8, core="weak"),), seed=11)
    sim = simulate(SimSettings(plan, sensors=BOTH, rate_hz=RATE_HZ))
    data = {r: SensorSamples(r, s.sample_time_s, s.acc_mps2, s.gyr_rps) for r, s in sim.sensors.items()}
    pipeline = Pipeline({role: float(RATE_HZ) for role in BOTH})
    events: list[Event] = []
    for i in range(0, max(len(s) for s in data.values()), 4):
        events += pipeline.process({r: data[r].part(i, i + 4) for r in BOTH})
    events += pipeline.finish()
    whole = run_whole(data, BOTH)
    assert sum(isinstance(e, Rep) for e in whole) >= 3
    assert as_dicts(events) == as_dicts(whole)
