"""Ground truth of the simulator: labels, their consistency, and the plan's validation."""

from __future__ import annotations

import functools
import itertools
import json
import math
import re

import numpy as np
import pytest

from imu_reader.sim import (
    EXERCISES,
    NO_ERRORS,
    SIM_ROLES,
    SessionPlan,
    SetPlan,
    SimSettings,
    Simulation,
    Tempo,
    simulate,
)

POSTURES = {"supine", "sitting", "standing", "hanging"}


@functools.cache
def run(plan: SessionPlan) -> Simulation:
    """Truth only matters here: one ideal sensor at the lowest rate."""
    return simulate(SimSettings(plan, sensors=("pelvis",), rate_hz=25, errors=NO_ERRORS))


THREE_SETS = SessionPlan(
    sets=(
        SetPlan("straight_leg_lift", reps=4, core="weak", swing_probability=0.3, partial_probability=0.3),
        SetPlan("single_leg_lift", reps=3, tempo=Tempo.parse("3-1-1.5-0.5"), rest_after_s=20),
        SetPlan("dead_bug", reps=4, core="strong"),
    ),
    seed=3,
)
HANGING = SessionPlan(
    sets=(SetPlan("hanging_leg_raise", reps=3, rest_after_s=30), SetPlan("hanging_leg_raise", reps=2)),
    seed=4,
)


def test_ground_truth_is_json_ready_with_sane_numbers() -> None:
    sim = run(THREE_SETS)
    truth = sim.truth
    labels = truth.to_dict()
    text = json.dumps(labels, allow_nan=False)
    assert json.loads(text) == labels
    assert labels["synthetic"] is True
    assert labels["tilt_threshold_deg"] == 5.0
    reps = labels["reps"]
    assert [r["index"] for r in reps] == list(range(11))
    assert [r["set"] for r in reps] == [0] * 4 + [1] * 3 + [2] * 4
    for r in reps:
        assert 0 < r["start_s"] < r["end_s"] <= sim.duration_s
        assert 0 < r["rom_deg"] < 130
        assert r["leg"] in ("right", "left")
        # The tempo string is the phases rounded to 0.1 s, in a form Tempo.parse reads back.
        tempo = Tempo.parse(r["tempo"])
        phases = ("eccentric_s", "pause_bottom_s", "concentric_s", "pause_top_s")
        for got, name in zip(
            (tempo.eccentric_s, tempo.bottom_s, tempo.concentric_s, tempo.top_s), phases, strict=True
        ):
            assert got == pytest.approx(r[name], abs=0.05 + 1e-9), (r["tempo"], name)
    for s, plan in zip(labels["sets"], THREE_SETS.sets, strict=True):
        assert s["exercise"] == plan.exercise
        assert s["core"] == plan.core
        assert s["tempo"] == str(plan.tempo)
        assert s["reps"] == plan.reps
    assert labels["sets"][0]["safe_end_range_deg"] is not None  # weak core: control lost
    assert labels["sets"][2]["safe_end_range_deg"] is None  # strong core: never
    for e in labels["tilt_episodes"]:
        assert e["onset_s"] <= e["threshold_s"] <= e["end_s"]
        assert e["peak_deg"] >= labels["tilt_threshold_deg"]
        assert 0 <= e["leg_angle_at_onset_deg"] < 100
    series = labels["series"]
    n = math.ceil(sim.duration_s * series["rate_hz"])
    assert series["start_s"] == 0.0
    assert len(series["lift_angle_deg"]) == len(series["pelvis_tilt_deg"]) == n
    lift = np.asarray(series["lift_angle_deg"])
    tilt = np.asarray(series["pelvis_tilt_deg"])
    # Rounded to 0.01 degree, and within what a body can do.
    for values in (lift, tilt):
        assert np.abs(values * 100 - np.round(values * 100)).max() < 1e-6
    assert lift.min() > -10
    assert lift.max() < 130
    assert tilt.min() >= 0
    assert 5 < tilt.max() < 45
    assert np.abs(lift - np.round(truth.lift_angle_deg, 2)).max() == 0


@pytest.mark.parametrize("exercise", ["dead_bug", "heel_taps"])
def test_alternating_exercise_alternates_legs(exercise: str) -> None:
    sim = run(SessionPlan(sets=(SetPlan(exercise, reps=6),), seed=5))
    reps = sim.truth.reps
    assert [r.leg for r in reps] == ["right", "left"] * 3
    tracks = sim.choreography.tracks
    for r in reps:
        t = np.linspace(r.start_s, r.end_s, 500)
        moving, resting = ("theta_r", "theta_l") if r.leg == "right" else ("theta_l", "theta_r")
        assert np.ptp(tracks[moving].eval(t)[0]) > 20
        assert np.ptp(tracks[resting].eval(t)[0]) < 1e-9


def test_one_leg_and_both_leg_exercises_work_the_right_leg() -> None:
    sim = run(THREE_SETS)
    assert all(r.leg == "right" for r in sim.truth.reps if r.set in (0, 1))


@pytest.mark.parametrize("plan", [THREE_SETS, HANGING], ids=["supine", "hanging"])
def test_sets_are_separated_by_rests(plan: SessionPlan) -> None:
    sim = run(plan)
    sets = sim.truth.sets
    assert len(sets) == len(plan.sets)
    for before, after, set_plan in zip(sets, sets[1:], plan.sets, strict=False):
        gap = after.start_s - before.end_s
        assert gap > 15
        assert gap >= set_plan.rest_after_s
    for s in sets:
        inside = [r for r in sim.truth.reps if r.set == s.index]
        assert inside[0].start_s == s.start_s
        assert inside[-1].end_s == s.end_s
        assert s.full_reps == sum(not r.partial for r in inside)


@pytest.mark.parametrize("seed", [1, 3])
@pytest.mark.parametrize("kind", ["supine", "hanging"])
def test_postures_cover_the_session_without_gaps(kind: str, seed: int) -> None:
    base = THREE_SETS if kind == "supine" else HANGING
    sim = run(SessionPlan(sets=base.sets, seed=seed))
    postures = sim.truth.postures
    assert postures[0].start_s == 0.0
    assert postures[-1].end_s == sim.duration_s
    for a, b in itertools.pairwise(postures):
        assert a.end_s == b.start_s
        assert a.posture != b.posture
    for p in postures:
        assert p.posture in POSTURES
        assert p.start_s < p.end_s
    # Every rep happens in its exercise's posture.
    for r in sim.truth.reps:
        wanted = EXERCISES[sim.truth.sets[r.set].exercise].posture
        span = [p for p in postures if p.start_s <= r.start_s and r.end_s <= p.end_s]
        assert [p.posture for p in span] == [wanted]
    if kind == "hanging":
        assert [p.posture for p in postures] == ["standing", "hanging", "standing", "hanging", "standing"]


def test_partial_reps_cover_about_half_the_range_and_do_not_count_as_full() -> None:
    plan = SessionPlan(
        sets=(
            SetPlan("straight_leg_lift", reps=6, partial_probability=1.0),
            SetPlan("straight_leg_lift", reps=6, partial_probability=0.0),
        ),
        seed=6,
    )
    sim = run(plan)
    exercise = EXERCISES["straight_leg_lift"]
    full_range = exercise.top_hip_deg - exercise.bottom_hip_deg
    partial = [r for r in sim.truth.reps if r.set == 0]
    full = [r for r in sim.truth.reps if r.set == 1]
    assert all(r.partial for r in partial)
    assert not any(r.partial for r in full)
    for r in partial:
        # 40-60 % of a rep whose ends vary by 1.5 and 2.5 degree.
        assert 0.35 * full_range < r.rom_deg < 0.65 * full_range, r.rom_deg
    for r in full:
        assert 0.9 * full_range < r.rom_deg < 1.1 * full_range, r.rom_deg
    assert sim.truth.sets[0].full_reps == 0
    assert sim.truth.sets[1].full_reps == 6
    assert sim.truth.to_dict()["sets"][0]["full_reps"] == 0


# Validation.


def test_unknown_exercise_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown exercise 'plank'") as info:
        SetPlan("plank")
    for name in EXERCISES:
        assert name in str(info.value)


def test_tempo_parse_names_the_expected_form() -> None:
    with pytest.raises(
        ValueError, match=re.escape("'4-0-2' is not eccentric-bottom-concentric-top seconds, e.g. 4-0-2-1")
    ):
        Tempo.parse("4-0-2")
    with pytest.raises(ValueError, match="eccentric-bottom-concentric-top"):
        Tempo.parse("slow")
    with pytest.raises(ValueError, match=re.escape("eccentric and concentric must be 0.3 to 15 s")):
        Tempo.parse("0.1-0-2-1")
    assert Tempo.parse(" 4-0-2-1.5 ") == Tempo(4.0, 0.0, 2.0, 1.5)
    assert str(Tempo.parse("3.5-0-1-0")) == "3.5-0-1-0"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"core": "flabby"}, "core must be one of strong, moderate, weak"),
        ({"reps": 0}, "reps must be 1 to 100"),
        ({"swing_probability": 1.5}, "swing_probability must be in"),
        ({"rest_after_s": -1}, "rest_after_s must be 0 to 3600"),
    ],
)
def test_set_plan_rejects_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SetPlan("dead_bug", **kwargs)  # type: ignore[arg-type]


def test_sim_settings_reject_unknown_roles_and_the_same_leg_twice() -> None:
    plan = SessionPlan(sets=(SetPlan("dead_bug", reps=1),))
    with pytest.raises(ValueError, match="'wrist'") as info:
        SimSettings(plan, sensors=("shin", "wrist"))
    assert all(role in str(info.value) for role in SIM_ROLES)
    with pytest.raises(ValueError, match="shin and shin_right are the same leg"):
        SimSettings(plan, sensors=("shin", "shin_right"))
    with pytest.raises(ValueError, match="distinct roles"):
        SimSettings(plan, sensors=("pelvis", "pelvis"))
    with pytest.raises(ValueError, match="at least one sensor"):
        SimSettings(plan, sensors=())
    with pytest.raises(ValueError, match="rate_hz must be one of 25, 50, 100, 200, 400"):
        SimSettings(plan, rate_hz=30)
    with pytest.raises(ValueError, match="max_clock_error"):
        SimSettings(plan, max_clock_error=0.1)
    with pytest.raises(ValueError, match="at least one set"):
        SessionPlan(sets=())


@pytest.mark.parametrize(
    "exercises",
    [("hanging_leg_raise", "straight_leg_lift"), ("straight_leg_lift", "hanging_leg_raise")],
    ids=["hanging_then_floor", "floor_then_hanging"],
)
def test_a_session_mixing_hanging_and_floor_exercises_is_refused(exercises: tuple[str, str]) -> None:
    """Either order: from lying on the floor, the athlete cannot 'jump to the bar' (the
    pelvis would stay horizontal while the legs swing down to hang)."""

    def plan_and_simulate() -> Simulation:
        # Refusing it when the plan is made would do as well.
        plan = SessionPlan(sets=tuple(SetPlan(e, reps=2) for e in exercises), seed=1)
        return simulate(SimSettings(plan, sensors=("pelvis",), rate_hz=25))

    with pytest.raises(ValueError, match="mixes hanging and floor exercises"):
        plan_and_simulate()
