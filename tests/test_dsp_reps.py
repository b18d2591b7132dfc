"""`dsp.reps.RepCounter` on hand-built angle tracks with exact velocities.

The tracks chain closed-form moves (minimum jerk, or ballistic for a dropped leg), so each
rep's true phases are known: the counter is judged against the motion it was given.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsp.events import Phase
from dsp.lift import AngleTrack
from dsp.reps import LegRep, RepCounter, _lower_quartile, _median_of
from dsp.settings import Settings
from dsp.strokes import Stroke, StrokeDetector

FloatArray = npt.NDArray[np.float64]
RATE_HZ = 100.0


@dataclass(frozen=True)
class Move:
    """To `target_deg` over `duration_s` (None: hold), minimum jerk or a dropped leg."""

    duration_s: float
    target_deg: float | None = None
    dropped: bool = False


def motion(
    moves: Sequence[Move],
    *,
    rate_hz: float = RATE_HZ,
    tremor_spans: Sequence[tuple[float, float, float]] = (),
) -> AngleTrack:
    """The track of a chain of moves from 0 deg at t = 0, with exact velocity.

    The leg shakes when it is off the floor (more than 5 degrees from rest), unless
    `tremor_spans` says otherwise: `(from_s, to_s, tremor)` sets the tremor ratio there.
    """
    total = sum(m.duration_s for m in moves)
    t = np.arange(math.floor(total * rate_hz)) / rate_hz
    angle = np.zeros_like(t)
    velocity = np.zeros_like(t)
    t0, current = 0.0, 0.0
    for m in moves:
        if m.target_deg is not None and m.target_deg != current:
            inside = (t >= t0) & (t < t0 + m.duration_s)
            s = (t[inside] - t0) / m.duration_s
            if m.dropped:  # speeding up all the way, stopped by the floor
                p, dp = s**2, 2 * s
            else:
                p, dp = 10 * s**3 - 15 * s**4 + 6 * s**5, 30 * s**2 * (1 - s) ** 2
            angle[inside] = current + (m.target_deg - current) * p
            velocity[inside] = (m.target_deg - current) * dp / m.duration_s
            current = m.target_deg
        angle[t >= t0 + m.duration_s] = current
        t0 += m.duration_s
    # A leg held up shakes (tremor 3 to 10 times the rest level, dsp.tremor); one resting does not.
    tremor = np.where(np.abs(angle) > 5.0, 5.0, 1.0)
    for t0_s, t1_s, level in tremor_spans:
        tremor[(t >= t0_s) & (t < t1_s)] = level
    return AngleTrack("shin", t, angle, velocity, np.zeros(t.size, dtype=np.bool_), 0.0, tremor)


def rep_moves(
    top_deg: float = 60.0, up_s: float = 2.0, top_s: float = 1.0, down_s: float = 4.0, bottom_s: float = 1.0
) -> list[Move]:
    return [Move(up_s, top_deg), Move(top_s), Move(down_s, 0.0), Move(bottom_s)]


BLOCK_S = 5.0
"""Tracks are counted in blocks of this (the pipeline analyses in slices of 10 s); see
`test_a_long_block_is_the_same_as_short_ones` for why not in one."""


def count(track: AngleTrack, settings_: Settings | None = None) -> list[LegRep | Phase]:
    counter = RepCounter("shin", settings_ or Settings())
    out: list[LegRep | Phase] = []
    for part in _parts(track, list(range(round(BLOCK_S * RATE_HZ), len(track), round(BLOCK_S * RATE_HZ)))):
        out += counter.update(part)
    return out + counter.finish()


def reps(found: Sequence[LegRep | Phase]) -> list[LegRep]:
    return [r for r in found if isinstance(r, LegRep)]


def test_raise_hold_lower_is_one_rep_with_its_phases() -> None:
    track = motion([Move(2.0), *rep_moves(up_s=2.0, top_s=1.0, down_s=4.0, bottom_s=6.0)])
    found = count(track)
    [rep] = reps(found)
    # Built: raise 2..4 s, hold 4..5 s, lower 5..9 s.
    assert rep.start_s == pytest.approx(2.0, abs=0.01)
    assert rep.top_s == pytest.approx(4.0, abs=0.01)
    assert rep.bottom_s == pytest.approx(9.0, abs=0.01)
    assert (rep.concentric_s, rep.pause_top_s, rep.eccentric_s) == pytest.approx((2.0, 1.0, 4.0), abs=0.02)
    # Minimum jerk peaks at 1.875 times the mean speed: 56.25 deg/s up, 28.1 down.
    assert rep.peak_velocity_dps == pytest.approx(1.875 * 60.0 / 2.0, rel=0.01)
    assert rep.rom_deg == pytest.approx(60.0, abs=1.0)
    assert rep.bottom_deg == pytest.approx(0.0, abs=1.5)
    assert not rep.partial
    assert rep.flags == ()
    assert rep.leg == "shin"
    # The rep ends where the leg stopped and is told then, not when it moves again: the
    # pause after it is the next rep's (the pipeline adds it).
    assert rep.end_s == pytest.approx(rep.bottom_s, abs=1e-9)
    assert rep.pause_bottom_s == 0.0
    assert rep.end_s <= rep.known_s <= rep.end_s + 0.1
    # Phases: raising, at the top, lowering, at the bottom, in order.
    phases = [p for p in found if isinstance(p, Phase)]
    assert [p.phase for p in phases] == ["concentric", "top", "eccentric", "bottom"]
    assert [p.time_s for p in phases] == sorted(p.time_s for p in phases)
    assert phases[1].start_s == pytest.approx(4.0, abs=0.01)
    assert phases[3].start_s == pytest.approx(9.0, abs=0.01)
    assert phases[1].angle_deg == pytest.approx(60.0, abs=2.0)
    assert phases[3].angle_deg == pytest.approx(0.0, abs=2.0)


@pytest.mark.parametrize("next_up_s", [1.0, 3.0, 4.0])
def test_rep_ends_where_the_leg_stops_not_where_the_next_starts(next_up_s: float) -> None:
    """Two reps with a 1 s pause at the bottom: the first is told as the leg stops, before
    the second starts, and ends there; the pause is the gap to the second."""
    track = motion([Move(2.0), *rep_moves(bottom_s=1.0), *rep_moves(up_s=next_up_s, bottom_s=4.0)])
    first, second = reps(count(track))
    assert first.start_s == pytest.approx(2.0, abs=0.01)
    assert second.start_s == pytest.approx(10.0, abs=0.01)
    assert first.end_s == pytest.approx(9.0, abs=0.05)
    assert first.known_s < second.start_s
    assert second.start_s - first.end_s == pytest.approx(1.0, abs=0.05)


def test_partial_rep_is_flagged_against_the_sets_typical_range() -> None:
    moves = [Move(2.0)]
    for top in (60.0, 62.0, 58.0, 30.0, 55.0):
        moves += rep_moves(top_deg=top, up_s=2.0, down_s=4.0, bottom_s=1.5)
    found = reps(count(motion(moves)))
    assert len(found) == 5
    # 30 deg is half the typical 60; 55 deg is 92 % of it (the threshold is 70 %).
    assert [r.partial for r in found] == [False, False, False, True, False]
    assert ["partial" in r.flags for r in found] == [False, False, False, True, False]
    assert [round(r.rom_deg) for r in found] == pytest.approx([60, 62, 58, 30, 55], abs=1)


def test_partial_fraction_is_a_setting() -> None:
    moves = [Move(2.0)]
    for top in (60.0, 60.0, 50.0):
        moves += rep_moves(top_deg=top, bottom_s=1.5)
    default = reps(count(motion(moves)))
    strict = reps(count(motion(moves), Settings(partial_fraction=0.9)))
    assert [r.partial for r in default] == [False, False, False]
    assert [r.partial for r in strict] == [False, False, True]


@pytest.mark.parametrize(
    ("down_s", "target_s", "too_fast"), [(1.5, 3.0, True), (4.0, 3.0, False), (1.5, 1.0, False)]
)
def test_eccentric_too_fast(down_s: float, target_s: float, too_fast: bool) -> None:
    track = motion([Move(2.0), *rep_moves(down_s=down_s, bottom_s=4.0)])
    [rep] = reps(count(track, Settings(eccentric_target_s=target_s)))
    assert rep.eccentric_s == pytest.approx(down_s, abs=0.02)
    assert ("eccentric_too_fast" in rep.flags) is too_fast
    assert "swing" not in rep.flags


def test_dropped_leg_is_a_swing_and_too_fast() -> None:
    track = motion([Move(2.0), Move(2.0, 60.0), Move(1.0), Move(0.6, 0.0, dropped=True), Move(4.0)])
    [rep] = reps(count(track))
    assert "swing" in rep.flags
    assert "eccentric_too_fast" in rep.flags


@pytest.mark.parametrize("size_deg", [6.0, 10.0, 12.0])
def test_a_lone_fidget_is_not_a_rep(size_deg: float) -> None:
    """The leg twitches up and down once and lies still again."""
    track = motion([Move(2.0), Move(0.5, size_deg), Move(0.3), Move(0.5, 0.0), Move(25.0)])
    # It is two strokes: it is the rep's rule that rejects them.
    detected = [s for s in StrokeDetector(Settings().moving_dps).update(track) if isinstance(s, Stroke)]
    assert [s.direction for s in detected] == [1, -1]
    assert reps(count(track)) == []


def test_a_partial_rep_of_under_a_third_of_the_set_counts() -> None:
    """Reverse crunches of 28 degrees at the shin, then a partial one of 8 (0.29 of them: the
    hip went 40 % of its way, the knee half of its own with it), then a full one: counted,
    and flagged partial."""
    moves = [Move(2.0), *3 * rep_moves(top_deg=28.0), *rep_moves(top_deg=8.0), *rep_moves(top_deg=28.0)]
    found = reps(count(motion(moves, tremor_spans=[(0.0, 100.0, 5.0)])))
    assert [round(r.rom_deg) for r in found] == [28, 28, 28, 8, 28]
    assert [r.partial for r in found] == [False, False, False, True, False]


def test_a_twitch_between_full_reps_is_not_a_rep() -> None:
    moves = [Move(2.0)]
    for _ in range(3):
        moves += rep_moves(bottom_s=1.5)
    moves += [Move(0.5, 10.0), Move(0.3), Move(0.5, 0.0), Move(1.5), *rep_moves(bottom_s=3.0)]
    found = reps(count(motion(moves)))
    assert [round(r.rom_deg) for r in found] == [60, 60, 60, 60]


@pytest.mark.parametrize(
    ("size_deg", "held", "counted"),
    [
        pytest.param(20.0, False, False, id="20-from-rest"),
        pytest.param(27.0, False, True, id="27-from-rest"),
        pytest.param(20.0, True, True, id="20-held"),
        pytest.param(8.0, True, True, id="8-held"),
    ],
)
def test_a_lone_small_rep_counts_if_it_is_big_or_the_leg_was_held(
    size_deg: float, held: bool, counted: bool
) -> None:
    """Up and down once, and nothing more. From a leg at rest it may be a fidget (a leg
    shifted or a knee bent turns the shin up to about 20 degrees): under 25 degrees it waits
    for a second rep, which does not come. A leg held in position (shaking) is in a set."""
    track = motion(
        [Move(2.0), Move(0.8, size_deg), Move(0.5), Move(0.8, 0.0), Move(3.0)],
        tremor_spans=[(0.0, 2.0, 5.0)] if held else (),
    )
    found = reps(count(track))
    assert len(found) == int(counted)
    if counted:  # told at once, when the leg stops
        assert found[0].known_s == pytest.approx(4.1, abs=0.05)


def test_small_reps_by_a_resting_leg_need_one_of_their_size() -> None:
    """A leg at rest lifted 14 degrees and put down, and 3.5 s later 8 degrees: fidgets (two
    reps of a set repeat their range), no rep. Two of 14 and 16 degrees confirm each other."""
    fidgets = [
        Move(2.0),
        Move(0.6, 14.0),
        Move(0.6, 0.0),
        Move(3.5),
        Move(0.6, 8.0),
        Move(0.6, 0.0),
        Move(20.0),
    ]
    assert reps(count(motion(fidgets))) == []
    alike = [
        Move(2.0),
        Move(0.6, 14.0),
        Move(0.6, 0.0),
        Move(3.5),
        Move(0.6, 16.0),
        Move(0.6, 0.0),
        Move(20.0),
    ]
    found = reps(count(motion(alike)))
    assert [round(r.rom_deg) for r in found] == [14, 16]
    assert found[0].known_s == pytest.approx(found[1].known_s)  # told with the second


def test_small_reps_by_a_leg_put_down_between_them_all_count() -> None:
    """Five 12-degree reps by a leg that rests 3 s on the floor between them (no shaking
    before any): the first waits for the second, the others are told at once, the last
    too (held back for a rep that never comes, it was lost)."""
    moves = [Move(2.0), *5 * [Move(1.0, 12.0), Move(0.5), Move(2.0, 0.0), Move(3.0)], Move(20.0)]
    found = reps(count(motion(moves, tremor_spans=[(0.0, 100.0, 1.0)])))
    assert [r.start_s for r in found] == pytest.approx([2.0 + 6.5 * k for k in range(5)], abs=0.05)
    assert found[0].known_s == pytest.approx(found[1].known_s)
    assert [r.known_s for r in found[1:]] == pytest.approx([5.5 + 6.5 * k for k in range(1, 5)], abs=0.05)


def test_a_fidget_in_the_rest_after_a_set_of_small_reps_is_not_a_rep() -> None:
    """Three 12-degree reps by a leg held in position, then the leg rests; 10 s later it is
    lifted 11 degrees and put down: within a set's rest of the last rep, and big enough for
    the set's reps, but from a leg at rest: a fidget."""
    moves = [Move(2.0), *3 * [Move(1.0, 12.0), Move(0.5), Move(2.0, 0.0), Move(0.5)]]
    set_end_s = sum(m.duration_s for m in moves)
    moves += [Move(10.0), Move(0.6, 11.0), Move(0.6, 0.0), Move(20.0)]
    found = reps(count(motion(moves, tremor_spans=[(0.0, set_end_s, 5.0), (set_end_s, 100.0, 1.0)])))
    assert [r.start_s for r in found] == pytest.approx([2.0, 6.0, 10.0], abs=0.05)


def test_min_rom_is_a_setting() -> None:
    track = motion([Move(2.0), *rep_moves(top_deg=30.0), Move(3.0)])
    assert len(reps(count(track))) == 1
    assert reps(count(track, Settings(min_rom_deg=35.0))) == []


def test_raise_with_no_lowering_is_not_a_rep() -> None:
    track = motion([Move(2.0), Move(2.0, 60.0), Move(8.0)])
    found = count(track)
    assert reps(found) == []
    assert [p.phase for p in found if isinstance(p, Phase)] == ["concentric", "top"]


def test_raise_with_a_small_lowering_is_not_a_rep() -> None:
    """Lowered a third of the way back (less than half the raise), then held."""
    track = motion([Move(2.0), Move(2.0, 60.0), Move(1.0), Move(2.0, 40.0), Move(6.0)])
    assert reps(count(track)) == []


def test_lowering_alone_is_not_a_rep() -> None:
    track = motion([Move(1.0), Move(1.5, 50.0), Move(20.0), Move(4.0, 0.0), Move(3.0)])
    # The hold at the top lasts longer than any rep's (MAX_TOP_HOLD_S): up, then down, but no rep.
    assert reps(count(track)) == []


def test_reps_are_numbered_in_time_order() -> None:
    moves = [Move(2.0)]
    for _ in range(4):
        moves += rep_moves(bottom_s=0.8)
    found = reps(count(motion(moves)))
    assert len(found) == 4
    starts = [r.start_s for r in found]
    assert starts == sorted(starts)
    assert starts == pytest.approx([2.0 + 7.8 * k for k in range(4)], abs=0.01)


def top_start_moves(
    reps_: int, down_s: float = 2.0, bottom_s: float = 0.5, up_s: float = 1.5, top_s: float = 3.0
) -> list[Move]:
    """Heel taps: from a leg held at its rest angle (the shin level, knees over the hips),
    lowered to tap the floor and raised again."""
    return [
        m for _ in range(reps_) for m in (Move(down_s, -45.0), Move(bottom_s), Move(up_s, 0.0), Move(top_s))
    ]


def top_start_set(moves_before: Sequence[Move], reps_: int = 3, **kwargs: float) -> tuple[list[Move], float]:
    """`moves_before`, then the leg held up for 2 s and a top-start set; and when it was lifted."""
    lifted_s = sum(m.duration_s for m in moves_before)
    return [*moves_before, Move(2.0), *top_start_moves(reps_, **kwargs)], lifted_s


def assert_top_start_reps(
    found: Sequence[LegRep], start_s: float, reps_: int = 3, down_s: float = 2.0
) -> None:
    """`reps_` reps of top_start_moves(), lowered first, from `start_s`."""
    period_s = down_s + 0.5 + 1.5 + 3.0
    assert [r.start_s for r in found] == pytest.approx(
        [start_s + k * period_s for k in range(reps_)], abs=0.05
    )
    assert [r.eccentric_s for r in found] == pytest.approx([down_s] * reps_, abs=0.05)
    assert all(r.bottom_s < r.top_s for r in found)


def test_a_top_start_is_told_by_a_leg_held_with_the_tremor_of_a_rested_athlete() -> None:
    """Held level with its rest angle, shaking 3 times the floor (the rested tremor at a
    high rate is not much above the sensor's noise)."""
    moves, lifted_s = top_start_set([Move(3.0)])
    found = reps(count(motion(moves, tremor_spans=[(lifted_s, 60.0, 3.0)])))
    assert_top_start_reps(found, lifted_s + 2.0)


def test_fidgets_in_a_rest_do_not_keep_the_last_set_going() -> None:
    """Raise-and-lower reps, a rest with the knee bent and straightened now and then (the
    shin goes below its rest angle and back, never held), then a set that starts at the top:
    found out afresh, though the last fidget was less than a set's rest before it."""
    bottom_set = [Move(2.0), *rep_moves(), *rep_moves(), *rep_moves()]
    fidget = [Move(0.6, -20.0), Move(0.6, 0.0)]
    rest = [Move(4.0), *fidget, Move(4.0), *fidget, Move(12.0)]
    moves, lifted_s = top_start_set([*bottom_set, *rest])
    rest_from_s = sum(m.duration_s for m in bottom_set)
    found = reps(count(motion(moves, tremor_spans=[(rest_from_s, lifted_s, 1.0), (lifted_s, 200.0, 5.0)])))
    assert len(found) == 6
    assert [r.start_s for r in found[:3]] == pytest.approx([2.0, 10.0, 18.0], abs=0.05)
    assert_top_start_reps(found[3:], lifted_s + 2.0)


def test_standing_up_and_lying_down_again_does_not_decide_the_next_set() -> None:
    """A top-start set, the athlete stands (the shin hangs 90 degrees below its rest) and
    lies down again (a big raise from far below), and another top-start set."""
    first_set, _ = top_start_set([Move(3.0)])
    set_end_s = sum(m.duration_s for m in first_set)
    stand = [Move(13.0), Move(2.0, -90.0), Move(4.0), Move(2.0, 0.0), Move(3.0)]
    moves, lifted_s = top_start_set([*first_set, *stand])
    spans = [(3.0, set_end_s, 5.0), (set_end_s, lifted_s, 1.0), (lifted_s, 200.0, 5.0)]
    found = reps(count(motion(moves, tremor_spans=spans)))
    assert len(found) == 6
    assert_top_start_reps(found[3:], lifted_s + 2.0)


def test_a_movement_straight_out_of_another_does_not_start_a_set() -> None:
    """Getting comfortable before a set: the knee bent and straightened at once, twice (the
    shin down and straight back up), the leg shaking a little in between. The ways back up
    come straight out of a movement: no first rep, so no rep with the next bend."""
    moves = [
        Move(3.0),
        Move(0.6, -12.0),
        Move(0.6, 0.0),
        Move(3.0),
        Move(0.8, -35.0),
        Move(0.6, 0.0),
        Move(3.0),
    ]
    moves += rep_moves() * 3
    found = reps(count(motion(moves, tremor_spans=[(4.2, 6.8, 3.0), (6.8, 8.6, 1.0)])))
    assert [r.start_s for r in found] == pytest.approx([11.6, 19.6, 27.6], abs=0.05)


def test_a_bounce_off_the_bottom_does_not_break_the_rep() -> None:
    """A leg dropped from the top bounces off the floor (up 6 degrees and down again) before
    it is raised: one rep, the drop its lowering."""
    bounce = [Move(0.8, -45.0, dropped=True), Move(0.15, -39.0), Move(0.15, -45.0), Move(0.5)]
    moves = [Move(3.0), Move(2.0)] + 3 * [*bounce, Move(1.5, 0.0), Move(3.0)]
    found = reps(count(motion(moves, tremor_spans=[(3.0, 60.0, 5.0)])))
    assert len(found) == 3
    assert [r.eccentric_s for r in found] == pytest.approx([0.8] * 3, abs=0.08)
    assert all("swing" in r.flags for r in found)


def test_a_leg_lowered_while_its_shin_turns_up_is_lowered() -> None:
    """A dead bug: from the tabletop the hip and the knee straighten together, the shin
    sensor drops 0.28 m while the shin turns up 10 degrees (its inclination), and comes back.
    The stroke that lowers the sensor is the eccentric, whichever way the shin turned."""
    cycle = [(3.0, 1.0), (0.5, None), (1.5, 0.0), (3.0, None)]  # (duration, share of the way)
    moves = [Move(2.0)] + 3 * [Move(d, None if x is None else 10.0 * x) for d, x in cycle]
    track = motion(moves, tremor_spans=[(0.0, 60.0, 5.0)])
    height = motion([Move(2.0)] + 3 * [Move(d, None if x is None else -28.0 * x) for d, x in cycle])
    vertical = np.gradient(height.velocity_dps / 100.0, track.time_s)  # cm -> m
    found = reps(count(dataclasses.replace(track, vertical_mps2=vertical)))
    assert len(found) == 3
    assert [r.eccentric_s for r in found] == pytest.approx([3.0] * 3, abs=0.05)
    assert [r.concentric_s for r in found] == pytest.approx([1.5] * 3, abs=0.05)
    assert all(r.bottom_s < r.top_s for r in found)
    # Without the accelerometer the shin's turn decides: raised first.
    plain = reps(count(track))
    assert [r.eccentric_s for r in plain] == pytest.approx([1.5] * 3, abs=0.05)


def test_a_slow_dead_bug_is_counted_and_its_quick_return_tells_which_way_it_went() -> None:
    """A slow dead bug: the leg goes out in 8 s while the shin turns up 10 degrees (a peak of
    2.3 deg/s, under moving_dps) and comes back in 1.5 s. The slow stroke's double integral
    is no use (here it shows nothing at all: a real one drifts by as much as the sensor
    moves); the quick return, which lifts the sensor 0.28 m as the shin turns down, tells
    that the slow stroke was the lowering."""
    cycle = [(8.0, 1.0), (0.5, None), (1.5, 0.0), (3.0, None)]  # (duration, share of the way)
    moves = [Move(2.0)] + 3 * [Move(d, None if x is None else 10.0 * x) for d, x in cycle]
    track = motion(moves, tremor_spans=[(0.0, 60.0, 5.0)])
    height = motion([Move(2.0)] + 3 * [Move(d, None if x is None else -28.0 * x) for d, x in cycle])
    vertical = np.gradient(height.velocity_dps / 100.0, track.time_s)  # cm -> m
    going_out = track.velocity_dps > 0
    vertical[going_out] = 0.0
    found = reps(count(dataclasses.replace(track, vertical_mps2=vertical)))
    assert len(found) == 3
    assert [r.eccentric_s for r in found] == pytest.approx([8.0] * 3, abs=0.1)
    assert [r.concentric_s for r in found] == pytest.approx([1.5] * 3, abs=0.05)


def test_slow_small_reps_are_counted_with_the_product_settings() -> None:
    """10 degrees up in 5 s and down in 6 s (peak speeds 3.8 and 3.1 deg/s): slow, but reps."""
    moves = [
        Move(2.0),
        *rep_moves(top_deg=10.0, up_s=5.0, down_s=6.0),
        *rep_moves(top_deg=10.0, up_s=5.0, down_s=6.0),
    ]
    found = reps(count(motion(moves)))
    assert [r.start_s for r in found] == pytest.approx([2.0, 15.0], abs=0.1)
    assert [r.eccentric_s for r in found] == pytest.approx([6.0, 6.0], abs=0.1)


@pytest.mark.parametrize("next_deg", [23.0, 27.0])
def test_a_small_first_rep_by_a_held_leg_starts_its_set(next_deg: float) -> None:
    """A set of big reps, a rest, then a set whose first rep is small (12 degrees, partial)
    from a leg held in position, and whose next reps, twice its size or more, come straight
    out of its lowering: the small one is told at once, the set goes on, raised first (a
    small first rep held back for a rep of its size lost it and the set's way)."""
    moves = [Move(2.0), *rep_moves(), *rep_moves(), Move(20.0)]
    small_from_s = sum(m.duration_s for m in moves)
    moves += [Move(1.0, 12.0), Move(1.0), Move(4.0, 0.0)]
    moves += 2 * [Move(0.8, next_deg), Move(1.0), Move(4.0, 0.0)] + [Move(3.0)]
    spans = [(small_from_s - 12.0, small_from_s - 2.0, 1.0), (small_from_s - 2.0, 100.0, 5.0)]
    found = reps(count(motion(moves, tremor_spans=spans)))
    assert [round(r.rom_deg) for r in found] == [60, 60, 12, round(next_deg), round(next_deg)]
    starts = [small_from_s, small_from_s + 6.0, small_from_s + 11.8]
    assert [r.start_s for r in found[2:]] == pytest.approx(starts, abs=0.1)
    assert all(r.top_s < r.bottom_s for r in found)
    assert found[2].known_s == pytest.approx(small_from_s + 6.0, abs=0.05)


@pytest.mark.parametrize(("held_tremor", "expected"), [(0.0, 3), (4.0, 4)])
def test_a_jolt_on_landing_is_not_a_held_leg(held_tremor: float, expected: int) -> None:
    """Straight-leg lifts; in the rest after them the knee bends (the shin 27 degrees below
    its rest) and the leg comes back up to about its rest angle (4 degrees) with a jolt, lies
    there 2.4 s, and the knee bends again. The jolt's tremor, smoothed (`dsp.tremor`), takes
    seconds to decay (a factor e per 0.5 s); the leg did not shake: no rep. A leg that did
    shake there was held (knees drawn over the hips): a rep of its own."""
    moves = [Move(2.0), *3 * rep_moves(top_deg=80.0)]
    rest_from_s = sum(m.duration_s for m in moves)
    moves += [Move(4.0), Move(0.6, -27.0), Move(0.6, 4.0)]
    landed_s = sum(m.duration_s for m in moves)
    moves += [Move(2.4), Move(0.6, -16.0), Move(0.5, 0.0), Move(10.0)]
    track = motion(moves, tremor_spans=[(rest_from_s, 200.0, 1.0), (landed_s - 1.2, landed_s, 30.0)])
    after = track.time_s >= landed_s
    jolt = 1.0 + 500.0 * np.exp(-(track.time_s[after] - landed_s) / 0.5)
    tremor = track.tremor.copy()
    tremor[after] = np.where(track.time_s[after] < landed_s + 2.4, jolt + held_tremor, 1.0)
    found = reps(count(dataclasses.replace(track, tremor=tremor)))
    assert len(found) == expected


def test_a_rep_whose_raise_is_cut_by_a_long_gap_counts() -> None:
    """Three reps; samples are lost for 1.4 s from the middle of the second raise to the
    top (more than MAX_BRIDGED_GAP_S): the raise is followed across the gap, the rep counts."""
    track = motion([Move(2.0), *3 * rep_moves(), Move(3.0)])
    lost = (track.time_s >= 11.0) & (track.time_s < 12.4)
    keep = ~lost
    gap_before = np.zeros(int(keep.sum()), dtype=np.bool_)
    gap_before[int(np.searchsorted(track.time_s[keep], 12.4))] = True
    gapped = dataclasses.replace(
        track,
        time_s=track.time_s[keep],
        angle_deg=track.angle_deg[keep],
        velocity_dps=track.velocity_dps[keep],
        gap_before=gap_before,
        tremor=track.tremor[keep],
    )
    found = reps(count(gapped))
    assert [r.start_s for r in found] == pytest.approx([2.0, 10.0, 18.0], abs=0.1)
    assert [r.eccentric_s for r in found] == pytest.approx([4.0] * 3, abs=0.05)


def test_legs_put_down_and_knees_drawn_up_again_after_a_set_is_no_rep() -> None:
    """Bent-knee lifts (the shin turns from -45 to +5 degrees about the hip: the sensor
    rises 0.3 m and comes back), then the legs put down flat (the shin turns up to its rest
    angle, but the knee comes down: the sensor drops 0.1 m) and at once the knees drawn up
    again to shift the hips (the shin turns down, the sensor rises): no fourth rep."""
    # (duration s, shin angle deg, sensor height cm); None: hold.
    plan: list[tuple[float, float | None, float | None]] = [(2.0, -45.0, 10.0), (1.2, None, None)]
    plan += 3 * [(1.5, 5.0, 40.0), (0.5, None, None), (3.0, -45.0, 10.0), (0.5, None, None)]
    plan += [(1.5, 0.0, 0.0), (1.2, -45.0, 10.0), (1.0, None, None), (1.2, 0.0, 0.0), (5.0, None, None)]
    track = motion([Move(2.0)] + [Move(d, a) for d, a, _ in plan])
    height = motion([Move(2.0)] + [Move(d, h) for d, _, h in plan])
    vertical = np.gradient(height.velocity_dps / 100.0, track.time_s)  # cm -> m
    found = reps(count(dataclasses.replace(track, vertical_mps2=vertical)))
    assert [r.start_s for r in found] == pytest.approx([5.2, 10.7, 16.2], abs=0.05)


# -- block invariance --------------------------------------------------------------------

SESSION_MOVES = [Move(2.0)]
for _top, _down in ((60.0, 4.0), (62.0, 1.5), (30.0, 3.0), (58.0, 4.0)):
    SESSION_MOVES += rep_moves(top_deg=_top, down_s=_down, bottom_s=0.7)
# A still spell longer than a set's rest, then one more rep.
SESSION_MOVES += [Move(16.0), *rep_moves(bottom_s=3.0)]
SESSION = motion(SESSION_MOVES)
MAX_BLOCK = round(10.0 * RATE_HZ)
"""The longest block here: 10 s, under the pipeline's slice; longer ones have their own test."""


def _parts(track: AngleTrack, cuts: Sequence[int]) -> list[AngleTrack]:
    return track.pieces(list(cuts))


def _count_parts(parts: Sequence[AngleTrack]) -> list[LegRep | Phase]:
    counter = RepCounter("shin", Settings())
    out: list[LegRep | Phase] = []
    for part in parts:
        out += counter.update(part)
    return out + counter.finish()


def _short_blocks(cuts: Sequence[int]) -> list[int]:
    """`cuts`, plus more wherever a block would be longer than MAX_BLOCK."""
    edges = sorted({0, *cuts, len(SESSION)})
    extra = [c for a, b in itertools.pairwise(edges) for c in range(a + MAX_BLOCK, b, MAX_BLOCK)]
    return sorted({*cuts, *extra})


REFERENCE = _count_parts(_parts(SESSION, _short_blocks([])))


def test_reference_session_is_counted_right() -> None:
    found = reps(REFERENCE)
    assert [round(r.rom_deg) for r in found] == [60, 62, 30, 58, 60]
    assert [r.partial for r in found] == [False, False, True, False, False]
    assert ["eccentric_too_fast" in r.flags for r in found] == [False, True, False, False, False]


@given(cuts=st.lists(st.integers(1, len(SESSION) - 1), max_size=30))
@settings(max_examples=50, deadline=None)
def test_reps_do_not_depend_on_the_blocks(cuts: list[int]) -> None:
    assert _count_parts(_parts(SESSION, _short_blocks(cuts))) == REFERENCE


def test_reps_one_sample_at_a_time() -> None:
    assert _count_parts(_parts(SESSION, list(range(1, len(SESSION))))) == REFERENCE


def test_a_long_block_is_the_same_as_short_ones() -> None:
    assert _count_parts([SESSION]) == REFERENCE


def _dead_bug(cycle: Sequence[tuple[float, float | None]], turn_deg: float, drop_m: float) -> AngleTrack:
    """Three dead bugs from a held tabletop: each `(duration, share of the way)` of the cycle
    turns the shin up `turn_deg` times the share while the sensor drops `drop_m` times it."""
    moves = [Move(2.0)] + 3 * [Move(d, None if x is None else turn_deg * x) for d, x in cycle]
    track = motion(moves, tremor_spans=[(0.0, 60.0, 5.0)])
    height = motion([Move(2.0)] + 3 * [Move(d, None if x is None else -100.0 * drop_m * x) for d, x in cycle])
    vertical = np.gradient(height.velocity_dps / 100.0, track.time_s)  # cm -> m
    return dataclasses.replace(track, vertical_mps2=vertical)


def test_a_dead_bug_whose_shin_hardly_turns_is_counted_by_how_far_the_sensor_goes() -> None:
    """The shin turns 3.5 degrees (under min_rom_deg) while the sensor goes 0.28 m down and
    back: reps all the same, told at once (no wait for confirmation: a leg held off the floor
    between reps), lowered first. Without the accelerometer they are not reps."""
    track = _dead_bug([(3.0, 1.0), (0.5, None), (1.5, 0.0), (3.0, None)], 3.5, 0.28)
    found = reps(count(track))
    assert len(found) == 3
    # 0.28 m at 0.8 m from the hip is 20 degrees; a stroke's rise is measured up to the
    # sample that completes it, about 0.82 of the way (test_dsp_strokes, _measured_share).
    assert all(r.rom_deg >= 15.0 for r in found)
    assert all(r.known_s - r.end_s < 0.3 for r in found)
    assert [r.eccentric_s for r in found] == pytest.approx([3.0] * 3, abs=0.1)
    assert reps(count(dataclasses.replace(track, vertical_mps2=None))) == []


def test_legs_put_down_from_tabletop_and_knees_drawn_up_are_no_rep() -> None:
    """The shin hardly turns while the sensor drops 0.42 m (legs put down flat), then turns
    down 45 degrees while it comes up only 0.16 m (knees drawn up): the sensor did not come
    back, so the two are no rep."""
    moves = [Move(2.0), Move(1.5, 1.5), Move(2.0), Move(1.2, -45.0), Move(4.0)]
    track = motion(moves, tremor_spans=[(0.0, 2.0, 5.0)])
    height = motion([Move(2.0), Move(1.5, -42.0), Move(2.0), Move(1.2, -26.0), Move(4.0)])
    vertical = np.gradient(height.velocity_dps / 100.0, track.time_s)
    assert reps(count(dataclasses.replace(track, vertical_mps2=vertical))) == []


def test_a_set_that_starts_with_a_dead_bugs_return_is_paired_from_the_next_lowering() -> None:
    """The set's first lowering went unseen (the shin did not turn); its return, which turns
    the shin down 8 degrees while the sensor rises 0.28 m, is no top-start lowering: the reps
    that follow go out (shin up, sensor down) and come back."""
    cycle = [Move(3.0, 2.0), Move(0.5), Move(1.5, -8.0), Move(3.0)]
    track = motion([Move(2.0), Move(1.5, -8.0), Move(3.0), *(3 * cycle)], tremor_spans=[(0.0, 60.0, 5.0)])
    rise = [Move(3.0, 0.0), Move(0.5), Move(1.5, 28.0), Move(3.0)]
    height = motion([Move(2.0), Move(1.5, 28.0), Move(3.0), *(3 * rise)])
    vertical = np.gradient(height.velocity_dps / 100.0, track.time_s)  # cm -> m
    found = reps(count(dataclasses.replace(track, vertical_mps2=vertical)))
    assert [r.start_s for r in found] == pytest.approx([6.5, 14.5, 22.5], abs=0.1)
    assert [r.eccentric_s for r in found] == pytest.approx([3.0] * 3, abs=0.1)
    assert all(r.known_s - r.end_s < 0.3 for r in found)


def _dead_bugs_held(turns: Sequence[float], held: bool = True) -> AngleTrack:
    """Dead bugs from the tabletop: each goes out in 3 s, waits 0.5 s, comes back in 1.5 s
    and holds 3 s; the sensor drops 0.28 m going out and rises as much coming back, while
    the shin turns by `turns` (degrees, one a stroke: 0 for a stroke that hardly turns it).
    The accelerometer has a bias and the 10 Hz tremor of a held leg (`held`: the leg
    shakes, as one held off the floor does; else it lies still)."""
    durations = [(3.0, 0.5), (1.5, 3.0)] * (len(turns) // 2)
    angle, height = [Move(2.0)], [Move(2.0)]
    at_deg, at_cm = 0.0, 0.0
    for (duration_s, wait_s), turn_deg in zip(durations, turns, strict=True):
        at_deg += turn_deg
        at_cm = -28.0 if at_cm == 0.0 else 0.0
        angle += [Move(duration_s, at_deg), Move(wait_s)]
        height += [Move(duration_s, at_cm), Move(wait_s)]
    track = motion(angle, tremor_spans=[(0.0, 99.0, 5.0 if held else 1.0)])
    t = track.time_s
    up = np.gradient(motion(height).velocity_dps / 100.0, t)  # cm -> m
    shaking = 0.3 * np.sin(2 * math.pi * 10.0 * t + 0.4) if held else 0.0
    return dataclasses.replace(track, vertical_mps2=up + shaking - 0.15)


def test_a_dead_bug_stroke_that_hardly_turns_the_shin_is_found_by_the_sensors_height() -> None:
    """Two dead bugs whose shin turns up 10 degrees going out and does not turn back, then
    does not turn going out again and turns back 10: the returns or the extensions the shin
    does not show are found by the sensor's height, and each rep's lowering is where the
    sensor went down."""
    found = reps(count(_dead_bugs_held([10.0, 0.0, 0.0, -10.0])))
    assert len(found) == 2
    assert [r.start_s for r in found] == pytest.approx([2.0, 10.0], abs=0.15)
    assert [r.eccentric_s for r in found] == pytest.approx([3.0, 3.0], abs=0.2)
    assert [r.concentric_s for r in found] == pytest.approx([1.5, 1.5], abs=0.2)
    # The shin's turn alone shows the first extension and the last return: one rep, held 8 s.
    plain = dataclasses.replace(_dead_bugs_held([10.0, 0.0, 0.0, -10.0]), vertical_mps2=None)
    assert len(reps(count(plain))) == 1


def test_a_rise_of_a_leg_lying_still_is_no_dead_bugs_stroke() -> None:
    """The same movement by a leg that does not shake (lying on the floor: its sensor's
    height drifts as much when the bias changes) is no rep."""
    assert reps(count(_dead_bugs_held([10.0, 0.0, 0.0, -10.0], held=False))) == []


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 10, 61])
def test_order_statistics_are_numpys(size: int) -> None:
    """`_median_of` and `_lower_quartile` give `np.median`'s and `np.percentile`'s numbers,
    NaN included (they stand for them in the tremor tests)."""
    rng = np.random.default_rng(size)
    for trial in range(20):
        values = rng.normal(2.5, 1.0, size).round(1)  # ties, and values at the threshold
        if trial % 5 == 4:
            values[rng.integers(size)] = np.nan
        for got, expected in (
            (_median_of(values), float(np.median(values))),
            (_lower_quartile(values), float(np.percentile(values, 25))),
        ):
            assert got == expected or (math.isnan(got) and math.isnan(expected))


def _lowered_reference(rises: tuple[float, float], strokes: tuple[Stroke, Stroke]) -> bool:
    """`RepCounter._lowered_on_the_turn_up` as first written: every rise measured."""
    against = [-s.direction * r for s, r in zip(strokes, rises, strict=True)]
    clear = [0.5 * math.radians(s.size_deg) for s in strokes]
    trusted = [s.end_s - s.start_s <= 3.0 and 0.3 <= s.peak_position <= 0.7 for s in strokes]
    is_against = [a > 0.08 and a > c for a, c in zip(against, clear, strict=True)]
    if not any(trusted):
        return all(is_against)
    is_with = [-a > 0.08 and -a > c for a, c in zip(against, clear, strict=True)]
    told = [t and x for t, x in zip(trusted, is_against, strict=True)]
    denied = [t and w for t, w in zip(trusted, is_with, strict=True)]
    return any(told) and not any(denied)


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(*[st.sampled_from([-0.3, -0.1, -0.05, 0.0, 0.05, 0.1, 0.3, math.nan])] * 2),
    st.tuples(*[st.sampled_from([1.0, 5.0])] * 2),
    st.tuples(*[st.sampled_from([0.2, 0.5, 0.9])] * 2),
    st.tuples(*[st.sampled_from([2.0, 20.0])] * 2),
)
def test_lowered_on_the_turn_up_measures_only_what_decides(
    rises: tuple[float, float],
    durations: tuple[float, float],
    positions: tuple[float, float],
    turns: tuple[float, float],
) -> None:
    """Measuring a rise only where it decides gives the answer of measuring both."""
    strokes = tuple(
        Stroke(d, 0.0, position * duration, duration, 10.0, 0.0, d * turn, duration)
        for d, duration, position, turn in zip((1, -1), durations, positions, turns, strict=True)
    )
    first, second = strokes
    counter = RepCounter("shin", Settings())
    measured: list[Stroke] = []

    def rise_m(stroke: Stroke) -> float:
        measured.append(stroke)
        return rises[0] if stroke is first else rises[1]

    counter._rise_m = rise_m  # type: ignore[method-assign]
    assert counter._lowered_on_the_turn_up(first, second) == _lowered_reference(rises, (first, second))
    assert len(measured) == len({id(s) for s in measured})  # each at most once
