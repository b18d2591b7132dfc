"""`dsp.strokes.StrokeDetector` on hand-built angle tracks with exact velocities.

Every track here is built from closed-form motion profiles (minimum jerk
10 s^3 - 15 s^4 + 6 s^5, ballistic s^2 and 1 - (1 - s)^2), so the true start, peak and
end of each movement are known exactly and the velocity is the exact derivative: the
detector is judged against the motion, not against a previous run.
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

from dsp.lift import MAX_BRIDGED_GAP_S, AngleTrack
from dsp.settings import Settings
from dsp.strokes import (
    HIP_TO_SENSOR_M,
    MIN_RISE_M,
    MIN_STROKE_DEG,
    RISE_UNDER_TURN_DEG,
    Stroke,
    StrokeDetector,
    StrokeStarted,
)

FloatArray = npt.NDArray[np.float64]

MOVING_DPS = 10.0
"""The `moving_dps` the detectors here run with (a setting; the tests do not depend on its default)."""
# Phase of a minimum-jerk movement where its speed, 30 s^2 (1 - s)^2 over its peak 1.875,
# is a fifth of the peak: 16 s^2 (1 - s)^2 = 0.2, solved exactly.
MJ_FIFTH = (1 - math.sqrt(1 - 4 * math.sqrt(0.2 / 16))) / 2


@dataclass(frozen=True)
class Move:
    """A movement to `target_deg` over `duration_s`, with one of three profiles."""

    duration_s: float
    target_deg: float | None  # None: hold
    profile: str = "min_jerk"  # or "ballistic_in" (abrupt stop), "ballistic_out" (abrupt start)


def _profile(kind: str, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Position (0..1) and its derivative by s."""
    if kind == "min_jerk":
        return 10 * s**3 - 15 * s**4 + 6 * s**5, 30 * s**2 * (1 - s) ** 2
    if kind == "ballistic_in":
        return s**2, 2 * s
    if kind == "ballistic_out":
        return 1 - (1 - s) ** 2, 2 * (1 - s)
    raise ValueError(kind)


def motion(
    moves: Sequence[Move], *, rate_hz: float = 100.0, start_s: float = 0.0, phase_s: float = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sample times, angle (deg) and exact angular velocity (deg/s) of a chain of moves
    starting at 0 deg and `start_s`; the first sample is at `start_s + phase_s`."""
    total = sum(m.duration_s for m in moves)
    t = start_s + phase_s + np.arange(math.floor((total - phase_s) * rate_hz)) / rate_hz
    angle = np.zeros_like(t)
    velocity = np.zeros_like(t)
    t0, current = start_s, 0.0
    for m in moves:
        if m.target_deg is not None and m.target_deg != current:
            inside = (t >= t0) & (t < t0 + m.duration_s)
            s = (t[inside] - t0) / m.duration_s
            p, dp = _profile(m.profile, s)
            angle[inside] = current + (m.target_deg - current) * p
            velocity[inside] = (m.target_deg - current) * dp / m.duration_s
            current = m.target_deg
        angle[t >= t0 + m.duration_s] = current
        t0 += m.duration_s
    return t, angle, velocity


def track(
    t: FloatArray, angle: FloatArray, velocity: FloatArray, gap_before: npt.NDArray[np.bool_] | None = None
) -> AngleTrack:
    gaps = np.zeros(t.size, dtype=np.bool_) if gap_before is None else gap_before
    return AngleTrack("shin", t, angle, velocity, gaps, 0.0, np.ones(t.size))


def strokes(found: Sequence[Stroke | StrokeStarted]) -> list[Stroke]:
    return [s for s in found if isinstance(s, Stroke)]


def detect(tr: AngleTrack) -> list[Stroke | StrokeStarted]:
    return StrokeDetector(MOVING_DPS).update(tr)


# -- a single minimum-jerk stroke ------------------------------------------------------


@given(
    start_s=st.floats(0.5, 2.0),
    duration_s=st.floats(0.6, 4.0),
    size_deg=st.floats(40.0, 90.0),
    direction=st.sampled_from([1, -1]),
    phase_s=st.floats(0.0, 0.0099),
)
@settings(max_examples=60, deadline=None)
def test_minimum_jerk_stroke_is_placed_within_10_ms(
    start_s: float, duration_s: float, size_deg: float, direction: int, phase_s: float
) -> None:
    moves = [Move(start_s, None), Move(duration_s, direction * size_deg), Move(3.0, None)]
    t, angle, velocity = motion(moves, phase_s=phase_s)
    found = detect(track(t, angle, velocity))
    [stroke] = strokes(found)
    assert stroke.direction == direction
    assert stroke.start_s == pytest.approx(start_s, abs=0.010)
    assert stroke.end_s == pytest.approx(start_s + duration_s, abs=0.010)
    assert stroke.peak_s == pytest.approx(start_s + duration_s / 2, abs=0.010)
    # Minimum jerk peaks at 1.875 times the mean speed; a sample is within 5 ms of the peak.
    assert stroke.peak_dps == pytest.approx(1.875 * size_deg / duration_s, rel=0.005)
    # Peak, start and end each within 10 ms.
    assert stroke.peak_position == pytest.approx(0.5, abs=0.02 / duration_s)
    assert stroke.start_deg == pytest.approx(0.0, abs=0.1)
    # It is known when the speed has fallen under a fifth of its peak (87 % of the way),
    # within one sample of that.
    known = start_s + (1 - MJ_FIFTH) * duration_s
    assert known - 0.001 <= stroke.known_s <= known + 0.011
    # Its start was announced before, going the same way, once the speed passed moving_dps.
    [started] = [s for s in found if isinstance(s, StrokeStarted)]
    assert started.direction == direction
    assert start_s < started.known_s < start_s + duration_s / 2
    assert abs(float(np.interp(started.known_s, t, velocity))) >= MOVING_DPS - 1.0


def test_minimum_jerk_stroke_end_angle_is_the_angle_at_its_end() -> None:
    t, angle, velocity = motion([Move(1.2345, None), Move(2.0, 60.0), Move(3.0, None)])
    [stroke] = strokes(detect(track(t, angle + 5.0, velocity)))
    assert stroke.start_deg == pytest.approx(5.0, abs=0.1)
    assert stroke.end_deg == pytest.approx(65.0, abs=0.3)


@pytest.mark.parametrize("rate_hz", [25.0, 100.0, 400.0])
def test_minimum_jerk_stroke_placement_scales_with_the_sample_period(rate_hz: float) -> None:
    """Within a sample period (and never worse than 10 ms at fast rates)."""
    tol = max(1.0 / rate_hz, 0.010)
    t, angle, velocity = motion([Move(1.0, None), Move(2.0, 70.0), Move(3.0, None)], rate_hz=rate_hz)
    [stroke] = strokes(detect(track(t, angle, velocity)))
    assert stroke.start_s == pytest.approx(1.0, abs=tol)
    assert stroke.end_s == pytest.approx(3.0, abs=tol)


# -- ballistic strokes -------------------------------------------------------------------


@pytest.mark.parametrize("duration_s", [0.5, 0.75])
def test_dropped_leg_stops_abruptly_and_peaks_late(duration_s: float) -> None:
    """A leg dropped from 70 to 5 deg speeds up all the way and stops dead on the floor."""
    t0 = 2.0
    t, angle, velocity = motion([Move(t0, None), Move(duration_s, -65.0, "ballistic_in"), Move(3.0, None)])
    angle += 70.0
    [stroke] = strokes(detect(track(t, angle, velocity)))
    assert stroke.direction == -1
    # The abrupt end: within two samples.
    assert stroke.end_s == pytest.approx(t0 + duration_s, abs=0.02)
    # Its peak speed is 2 * 65 / T, reached at the very end: the signature of a swing.
    assert stroke.peak_dps == pytest.approx(2 * 65.0 / duration_s, rel=0.03)
    assert stroke.peak_position > 0.9
    # The smooth side is extrapolated with the minimum-jerk ratio, which for a start at
    # constant acceleration lands up to 0.21 T early (speed at a fifth of its peak at 0.1 T,
    # extrapolated back by 0.345 of the 0.9 T to the peak); it is never late.
    assert t0 - 0.25 * duration_s <= stroke.start_s <= t0 + 0.01
    assert stroke.size_deg == pytest.approx(65.0, abs=3.0)


def test_swung_leg_starts_abruptly_and_peaks_early() -> None:
    t0, duration_s = 2.0, 0.6
    t, angle, velocity = motion([Move(t0, None), Move(duration_s, 80.0, "ballistic_out"), Move(3.0, None)])
    [stroke] = strokes(detect(track(t, angle, velocity)))
    assert stroke.direction == 1
    assert stroke.start_s == pytest.approx(t0, abs=0.02)
    assert stroke.peak_dps == pytest.approx(2 * 80.0 / duration_s, rel=0.03)
    assert stroke.peak_position < 0.1
    assert t0 + duration_s - 0.01 <= stroke.end_s <= t0 + 1.25 * duration_s


# -- strokes back to back ----------------------------------------------------------------


def test_two_strokes_back_to_back_with_no_pause() -> None:
    """Up 0 -> 60 deg in 2 s, then at once down to 0 in 3 s: the velocity only touches zero."""
    t, angle, velocity = motion([Move(1.0, None), Move(2.0, 60.0), Move(3.0, 0.0), Move(3.0, None)])
    found = detect(track(t, angle, velocity))
    up, down = strokes(found)
    assert (up.direction, down.direction) == (1, -1)
    assert up.start_s == pytest.approx(1.0, abs=0.01)
    assert up.end_s == pytest.approx(3.0, abs=0.01)
    assert down.start_s == pytest.approx(3.0, abs=0.01)
    assert down.end_s == pytest.approx(6.0, abs=0.01)
    assert up.end_s <= down.start_s + 0.01
    assert down.start_deg == pytest.approx(60.0, abs=0.2)
    assert [s.direction for s in found if isinstance(s, StrokeStarted)] == [1, -1]
    # Reported in time order.
    assert [s.known_s for s in found] == sorted(s.known_s for s in found)


def test_many_strokes_back_to_back() -> None:
    moves = [Move(1.0, None)]
    for k in range(6):
        moves.append(Move(1.0 + 0.25 * k, 50.0 if k % 2 == 0 else 0.0))
    moves.append(Move(3.0, None))
    t, angle, velocity = motion(moves)
    found = strokes(detect(track(t, angle, velocity)))
    assert [s.direction for s in found] == [1, -1, 1, -1, 1, -1]
    edges = np.cumsum([m.duration_s for m in moves])
    for k, s in enumerate(found):
        assert s.start_s == pytest.approx(edges[k], abs=0.01)
        assert s.end_s == pytest.approx(edges[k + 1], abs=0.01)


# -- gaps --------------------------------------------------------------------------------


def _with_gap(
    t: FloatArray, angle: FloatArray, velocity: FloatArray, *gaps: tuple[float, float]
) -> AngleTrack:
    """The track with the samples of each gap [start, end) lost."""
    keep = np.ones(t.size, dtype=np.bool_)
    for start, end in gaps:
        keep &= (t < start) | (t >= end)
    tt = t[keep]
    gap_before = np.zeros(tt.size, dtype=np.bool_)
    for _, end in gaps:
        gap_before[int(np.searchsorted(tt, end))] = True
    return track(tt, angle[keep], velocity[keep], gap_before)


def test_a_gap_outside_a_stroke_changes_nothing() -> None:
    t, angle, velocity = motion([Move(2.0, None), Move(2.0, 60.0), Move(3.0, None)])
    [stroke] = strokes(detect(_with_gap(t, angle, velocity, (0.5, 1.0))))
    assert stroke.start_s == pytest.approx(2.0, abs=0.01)
    assert stroke.end_s == pytest.approx(4.0, abs=0.01)


@pytest.mark.parametrize(
    ("gap", "tol_s"),
    [
        ((2.2, 2.5), 0.01),
        ((2.0, 2.6), 0.01),
        # The peak's sample is lost: the one 0.1 s after it stands for it, and the start is
        # extrapolated from it by a third of that (0.035 s).
        ((1.8, 2.1), 0.05),
    ],
)
def test_a_short_gap_in_a_stroke_is_bridged(gap: tuple[float, float], tol_s: float) -> None:
    """Lost packets (well under MAX_BRIDGED_GAP_S) do not lose the stroke in progress."""
    assert gap[1] - gap[0] < MAX_BRIDGED_GAP_S
    t, angle, velocity = motion([Move(1.0, None), Move(2.0, 60.0), Move(3.0, None)])
    [stroke] = strokes(detect(_with_gap(t, angle, velocity, gap)))
    assert stroke.start_s == pytest.approx(1.0, abs=tol_s)
    assert stroke.end_s == pytest.approx(3.0, abs=tol_s)


@pytest.mark.parametrize(
    ("gap", "tol_s"),
    [
        # The peak's samples are lost: the ends are extrapolated from the first sample after
        # the gap (a late "peak"), the start a little early and the end a little late.
        pytest.param((2.0, 3.5), 0.25, id="before-the-peak"),
        pytest.param((1.5, 3.0), 0.05, id="over-the-start-and-peak"),
        pytest.param((3.2, 4.6), 0.05, id="after-the-peak"),
        pytest.param((2.8, 4.5), 0.1, id="over-the-peak-and-end"),
    ],
)
def test_a_stroke_is_followed_across_a_long_gap(gap: tuple[float, float], tol_s: float) -> None:
    """Samples missing for longer than MAX_BRIDGED_GAP_S in the middle of a 4 s raise: the
    leg moved, so the stroke is still found, its end placed from the samples after the gap
    (dropping it lost the rep)."""
    assert gap[1] - gap[0] > MAX_BRIDGED_GAP_S
    t, angle, velocity = motion([Move(1.0, None), Move(4.0, 60.0), Move(3.0, None)])
    [stroke] = strokes(detect(_with_gap(t, angle, velocity, gap)))
    assert stroke.direction == 1
    assert stroke.start_s == pytest.approx(1.0, abs=tol_s)
    assert stroke.end_s == pytest.approx(5.0, abs=tol_s)
    assert stroke.start_deg == pytest.approx(0.0, abs=0.5)
    assert stroke.end_deg == pytest.approx(60.0, abs=2.0)
    assert stroke.known_s >= gap[1]


@pytest.mark.parametrize(
    ("gap", "lowering"),
    [
        pytest.param((2.5, 4.0), True, id="over-the-top"),
        pytest.param((2.9, 6.5), False, id="over-the-top-and-the-lowering"),
    ],
)
def test_a_stroke_that_ended_in_a_long_gap_ends_where_the_leg_was(
    gap: tuple[float, float], lowering: bool
) -> None:
    """A raise to 60 degrees, a hold, a lowering to 0; the samples are missing over the top
    (and the lowering): the angle in the gap is not known, so the raise ends at 60, where the
    leg was before the gap, not at an angle interpolated across it, and the tail of the raise
    followed into the gap is no stroke of its own."""
    t, angle, velocity = motion(
        [Move(1.0, None), Move(2.0, 60.0), Move(1.0, None), Move(2.0, 0.0), Move(2.0, None)]
    )
    found = strokes(detect(_with_gap(t, angle, velocity, gap)))
    assert [s.direction for s in found] == ([1, -1] if lowering else [1])
    assert found[0].start_s == pytest.approx(1.0, abs=0.01)
    assert found[0].end_deg == pytest.approx(60.0, abs=0.5)
    if lowering:
        assert found[1].start_deg == pytest.approx(60.0, abs=0.5)
        assert found[1].end_s == pytest.approx(6.0, abs=0.05)


def test_a_stroke_is_not_followed_across_a_gap_longer_than_any_stroke() -> None:
    """A raise cut by a 21 s gap (a lost connection, longer than HISTORY_S): where the leg
    went in it is anybody's guess, so the raise is lost; the lowering after it is found."""
    t, angle, velocity = motion(
        [Move(1.0, None), Move(4.0, 60.0), Move(20.0, None), Move(2.0, 0.0), Move(3.0, None)]
    )
    found = strokes(detect(_with_gap(t, angle, velocity, (3.0, 24.0))))
    assert [s.direction for s in found] == [-1]
    assert found[0].start_s == pytest.approx(25.0, abs=0.01)
    assert found[0].size_deg == pytest.approx(60.0, abs=0.5)


def test_strokes_after_a_gap_are_found_again() -> None:
    t, angle, velocity = motion(
        [Move(1.0, None), Move(2.0, 60.0), Move(2.0, None), Move(3.0, 0.0), Move(3.0, None)]
    )
    # The gap is in the hold at the top, between the strokes.
    found = strokes(detect(_with_gap(t, angle, velocity, (3.5, 4.2))))
    assert [s.direction for s in found] == [1, -1]
    assert found[1].start_s == pytest.approx(5.0, abs=0.01)
    assert found[1].end_s == pytest.approx(8.0, abs=0.01)


# -- tremor and wiggles ------------------------------------------------------------------


@given(
    freq_hz=st.floats(0.3, 12.0),
    phase=st.floats(0.0, 2 * math.pi),
    level_deg=st.floats(-20.0, 80.0),
)
@settings(max_examples=40, deadline=None)
def test_wiggles_of_2_degrees_are_not_strokes(freq_hz: float, phase: float, level_deg: float) -> None:
    """A leg shaking +-1 deg (2 deg peak to peak) around any angle, slow or fast."""
    t = np.arange(0.0, 10.0, 0.01)
    w = 2 * math.pi * freq_hz
    angle = level_deg + np.sin(w * t + phase)
    velocity = w * np.cos(w * t + phase)
    assert MIN_STROKE_DEG > 2.0
    assert strokes(detect(track(t, angle, velocity))) == []


def test_tremor_on_a_held_leg_does_not_hide_the_lowering() -> None:
    t, angle, velocity = motion([Move(1.0, None), Move(2.0, 60.0), Move(4.0, None), Move(3.0, 0.0)])
    held = (t > 3.2) & (t < 6.8)
    w = 2 * math.pi * 10.0
    angle = angle + np.where(held, 0.5 * np.sin(w * t), 0.0)
    velocity = velocity + np.where(held, 0.5 * w * np.cos(w * t), 0.0)
    found = strokes(detect(track(t, angle, velocity)))
    assert [s.direction for s in found] == [1, -1]
    assert found[1].start_s == pytest.approx(7.0, abs=0.02)
    assert found[1].end_s == pytest.approx(10.0, abs=0.02)


def test_tremor_on_a_slow_lowering_does_not_make_overlapping_strokes() -> None:
    t, angle, velocity = motion([Move(1.0, None), Move(4.0, -60.0), Move(3.0, None)])
    w = 2 * math.pi * 9.0
    found = strokes(detect(track(t, angle + 0.05 * np.sin(w * t), velocity + 0.05 * w * np.cos(w * t))))
    for before, after in itertools.pairwise(found):
        assert after.start_s >= before.end_s - 0.02
    assert all(s.start_s >= 1.0 - 0.05 for s in found)


# -- block invariance --------------------------------------------------------------------


def _session_track() -> AngleTrack:
    """Reps, holds, a dropped leg, a slow 12 s lowering, gaps, and tremor."""
    moves = [
        Move(1.0, None),
        Move(2.0, 60.0),
        Move(1.0, None),
        Move(4.0, 0.0),
        Move(0.5, None),
        Move(0.6, 70.0, "ballistic_out"),
        Move(0.2, None),
        Move(0.6, 5.0, "ballistic_in"),
        Move(2.0, None),
        Move(2.0, 80.0),
        Move(12.0, 0.0),
        Move(1.0, None),
        Move(1.5, 40.0),
        Move(1.5, 0.0),
        Move(20.0, None),
        Move(2.0, 50.0),
        Move(3.0, 0.0),
        Move(2.0, None),
    ]
    t, angle, velocity = motion(moves, phase_s=0.003)
    # Tremor of a tired leg (0.02 deg at 9 Hz: 1.1 deg/s).
    w = 2 * math.pi * 9.0
    angle = angle + 0.02 * np.sin(w * t)
    velocity = velocity + 0.02 * w * np.cos(w * t)
    # A lost second of packets, and a disconnect of 2.5 s, both while the leg rests.
    return _with_gap(t, angle, velocity, (35.0, 37.5), (47.0, 48.0))


def _split(tr: AngleTrack, cuts: Sequence[int]) -> list[AngleTrack]:
    return tr.pieces(list(cuts))


def _run(parts: Sequence[AngleTrack]) -> list[Stroke | StrokeStarted]:
    detector = StrokeDetector(MOVING_DPS)
    out: list[Stroke | StrokeStarted] = []
    for part in parts:
        out += detector.update(part)
    return out


SESSION = _session_track()
WHOLE = _run([SESSION])


def test_session_track_has_the_strokes_it_was_built_with() -> None:
    """The reference for block invariance must itself be right."""
    found = strokes(WHOLE)
    assert [s.direction for s in found] == [1, -1, 1, -1, 1, -1, 1, -1, 1, -1]
    # Each stands for the move it was built from: its peak lies inside that move. (Placement
    # accuracy is tested above on clean tracks; tremor on a 12 s lowering blurs its ends.)
    moves = [(1.0, 3.0), (4.0, 8.0), (8.5, 9.1), (9.3, 9.9), (11.9, 13.9), (13.9, 25.9)]
    moves += [(26.9, 28.4), (28.4, 29.9), (49.9, 51.9), (51.9, 54.9)]
    for stroke, (start, end) in zip(found, moves, strict=True):
        assert start < stroke.peak_s < end


@given(cuts=st.lists(st.integers(1, len(SESSION) - 1), max_size=40))
@settings(max_examples=60, deadline=None)
def test_strokes_do_not_depend_on_the_blocks(cuts: list[int]) -> None:
    assert _run(_split(SESSION, cuts)) == WHOLE


@pytest.mark.parametrize("size", [1, 4, 97])
def test_strokes_in_fixed_blocks(size: int) -> None:
    assert _run(_split(SESSION, list(range(size, len(SESSION), size)))) == WHOLE


def test_empty_blocks_are_harmless() -> None:
    parts = _split(SESSION, [100, 100, 2000])
    empty = _split(SESSION, [0])[0]
    assert len(empty) == 0
    interleaved = [p for part in parts for p in (empty, part)]
    assert _run(interleaved) == WHOLE


# -- slow strokes ---------------------------------------------------------------------------


def _slow_stroke_with_tremor(rate_hz: float) -> AngleTrack:
    """25 degrees in 8 s from t = 2 s, with the 10 Hz tremor of a tired held leg that the
    lift velocity's low-pass lets through (0.5 deg/s, as much as the speed near the ends)."""
    t, angle, velocity = motion([Move(2.0, None), Move(8.0, -25.0), Move(3.0, None)], rate_hz=rate_hz)
    return track(t, angle, velocity + 0.5 * np.sin(2 * math.pi * 10.0 * t))


@pytest.mark.parametrize("rate_hz", [50.0, 100.0, 200.0])
def test_a_slow_stroke_through_tremor_is_placed_within_a_tenth_of_a_second(rate_hz: float) -> None:
    found = StrokeDetector(Settings().moving_dps, rate_hz).update(_slow_stroke_with_tremor(rate_hz))
    [stroke] = strokes(found)
    assert stroke.start_s == pytest.approx(2.0, abs=0.1)
    assert stroke.end_s == pytest.approx(10.0, abs=0.1)


@pytest.mark.parametrize("size_deg", [6.0, 12.0])
def test_a_stroke_that_never_reaches_moving_dps_is_found_and_not_announced(size_deg: float) -> None:
    """A dead bug's shin turns some 10 degrees in 8 s (a peak of 2.3 deg/s, under moving_dps):
    it is a stroke all the same, placed like any other; there was no StrokeStarted for it, as
    its speed never passed moving_dps. A smaller one is tremor or a twitch."""
    moving_dps = 2.5
    duration_s = 1.875 * size_deg / (0.9 * moving_dps)
    t, angle, velocity = motion([Move(2.0, None), Move(duration_s, size_deg), Move(3.0, None)])
    found = StrokeDetector(moving_dps).update(track(t, angle, velocity))
    assert not [s for s in found if isinstance(s, StrokeStarted)]
    [stroke] = strokes(found)
    assert stroke.direction == 1
    assert stroke.peak_dps < moving_dps
    assert stroke.start_s == pytest.approx(2.0, abs=0.05)
    assert stroke.end_s == pytest.approx(2.0 + duration_s, abs=0.05)
    small = motion([Move(2.0, None), Move(duration_s, 0.9 * MIN_STROKE_DEG), Move(3.0, None)])
    assert not StrokeDetector(moving_dps).update(track(*small))


def test_a_stroke_starts_where_the_last_one_stopped_however_far_back_it_reaches() -> None:
    """A fast raise and at once a lowering that speeds up all the way (its start, placed
    from its speed, lies back in the raise): it starts from the top."""
    t, angle, velocity = motion(
        [Move(1.0, None), Move(0.8, 80.0), Move(10.0, 0.0, "ballistic_in"), Move(2.0, None)]
    )
    raise_, lower = strokes(detect(track(t, angle, velocity)))
    assert lower.start_s < raise_.end_s
    assert lower.start_deg == pytest.approx(80.0, abs=1.0)
    assert lower.size_deg == pytest.approx(80.0, abs=2.0)


def _hand_stroke(turn_deg: float, rise_m: float | None, peak_s: float = 1.0, end_s: float = 2.0) -> Stroke:
    return Stroke(1, 0.0, peak_s, end_s, 10.0, 0.0, turn_deg, end_s, rise_m)


@pytest.mark.parametrize(
    ("turn_deg", "rise_m", "reach_deg"),
    [
        (3.0, -0.28, math.degrees(0.28 / HIP_TO_SENSOR_M)),  # a dead bug: the rise tells
        (3.0, 0.28, math.degrees(0.28 / HIP_TO_SENSOR_M)),  # either way
        (3.0, None, 3.0),  # not known: the turn
        (3.0, 0.9 * MIN_RISE_M, 3.0),  # too small a rise to tell anything
        (15.0, 0.05, 15.0),  # the turn explains more than the rise
        # A fidget at rest: the rise means 13 degrees at the hip, under twice the turn.
        (8.0, 0.18, 8.0),
        (6.0, 0.18, math.degrees(0.18 / HIP_TO_SENSOR_M)),  # over twice the turn: the rise tells
        (RISE_UNDER_TURN_DEG + 1.0, 1.0, RISE_UNDER_TURN_DEG + 1.0),  # a big turn: rise not trusted
    ],
)
def test_a_strokes_reach_is_its_turn_or_the_least_turn_at_the_hip_that_explains_its_rise(
    turn_deg: float, rise_m: float | None, reach_deg: float
) -> None:
    stroke = _hand_stroke(turn_deg, rise_m)
    assert stroke.size_deg == pytest.approx(turn_deg)
    assert stroke.reach_deg == pytest.approx(reach_deg)


@pytest.mark.parametrize(
    ("peak_s", "end_s", "counts"),
    [(0.4, 0.5, False), (0.1, 0.5, False), (0.25, 0.5, True), (4.0, 5.0, True), (1.0, 5.0, True)],
)
def test_the_rise_of_a_swing_does_not_count(peak_s: float, end_s: float, *, counts: bool) -> None:
    """A quick stroke whose speed peaks early or late was swung: its abrupt start or stop is not
    sampled well enough to integrate twice. A slow one's peak is too flat to tell that by."""
    stroke = _hand_stroke(3.0, 0.3, peak_s, end_s)
    assert stroke.reach_deg == pytest.approx(math.degrees(0.3 / HIP_TO_SENSOR_M) if counts else 3.0)


def _shaking_rise(t: FloatArray, start_s: float, duration_s: float, rise_m: float) -> FloatArray:
    """Upward acceleration (m/s^2) of a minimum-jerk rise, with a held leg's tremor at 10 Hz
    (0.3 m/s^2, far more than a slow stroke's own) and an accelerometer bias."""
    s = np.clip((t - start_s) / duration_s, 0.0, 1.0)
    inside = (t > start_s) & (t < start_s + duration_s)
    accel = np.where(inside, rise_m * (60 * s - 180 * s**2 + 120 * s**3) / duration_s**2, 0.0)
    return np.asarray(accel + 0.3 * np.sin(2 * math.pi * 10.0 * t + 0.4) + 0.08, dtype=np.float64)


def _measured_share() -> float:
    """The share of a minimum-jerk rise measured up to the sample that completes its stroke,
    where its speed is down to a fifth of the peak (phase s = 1 - MJ_FIFTH): it has covered
    10s^3 - 15s^4 + 6s^5 of the way, and the speed it still has (30 s^2 (1 - s)^2 x way /
    duration) is taken for the accelerometer's bias, taken off in proportion to the time:
    half of it over the stroke's s x duration, on average."""
    s = 1 - MJ_FIFTH
    return 10 * s**3 - 15 * s**4 + 6 * s**5 - 30 * s**2 * (1 - s) ** 2 * s / 2


def _run_product(tr: AngleTrack) -> list[Stroke]:
    return strokes(StrokeDetector(Settings().moving_dps).update(tr))


@pytest.mark.parametrize(("rate_hz", "duration_s"), [(25.0, 1.2), (100.0, 1.2), (25.0, 3.0)])
def test_a_stroke_that_hardly_turns_the_shin_is_kept_for_how_far_the_sensor_went(
    rate_hz: float, duration_s: float
) -> None:
    """A dead bug's return: the shin turns back 3.5 degrees (under MIN_STROKE_DEG) while the
    sensor rises 0.28 m. Without the accelerometer it is no stroke."""
    t, angle, velocity = motion([Move(2.0, None), Move(duration_s, -3.5), Move(3.0, None)], rate_hz=rate_hz)
    plain = track(t, angle, velocity)
    assert _run_product(plain) == []
    lifted = dataclasses.replace(plain, vertical_mps2=_shaking_rise(t, 2.0, duration_s, 0.28))
    (found,) = _run_product(lifted)
    assert found.direction == -1
    assert found.rise_m == pytest.approx(_measured_share() * 0.28, abs=0.03)
    assert found.reach_deg > MIN_STROKE_DEG


def test_a_strokes_rise_survives_lost_samples_of_a_shaking_leg() -> None:
    """0.4 s lost in the middle of a slow drop at 25 Hz, through tremor and a bias: the drop
    is still measured."""
    t, angle, velocity = motion([Move(2.0, None), Move(3.0, 3.5), Move(3.0, None)], rate_hz=25.0)
    vertical = _shaking_rise(t, 2.0, 3.0, -0.28)
    keep = (t < 3.3) | (t > 3.7)
    gaps = np.zeros(t.size, dtype=np.bool_)
    gaps[np.flatnonzero(~keep)[-1] + 1] = True
    lossy = dataclasses.replace(
        track(t[keep], angle[keep], velocity[keep], gaps[keep]), vertical_mps2=vertical[keep]
    )
    (found,) = _run_product(lossy)
    assert found.rise_m == pytest.approx(_measured_share() * -0.28, abs=0.03)


def test_a_stroke_setting_off_the_same_way_before_the_last_one_stopped_has_no_rise() -> None:
    """A leg raised 15 degrees that runs on 6 more before it stops (a wobble at the top): the
    second stroke set off before the first stopped, not from rest, and its double integral
    would take in the raise: it tells no rise. The raise does."""
    t = np.arange(0.0, 8.0, 0.01)
    angle, velocity = np.zeros_like(t), np.zeros_like(t)
    for start_s, duration_s, size_deg in ((2.0, 1.0, 15.0), (2.75, 1.0, 6.0)):
        s = np.clip((t - start_s) / duration_s, 0.0, 1.0)
        angle += size_deg * (10 * s**3 - 15 * s**4 + 6 * s**5)
        velocity += size_deg * 30 * s**2 * (1 - s) ** 2 / duration_s
    up = np.gradient(np.gradient(0.02 * angle, t), t)  # 20 mm up for each degree
    found = strokes(_run([dataclasses.replace(track(t, angle, velocity), vertical_mps2=up)]))
    assert [s.direction for s in found] == [1, 1]
    assert found[0].rise_m is not None
    assert found[0].rise_m > 0.2
    assert found[1].rise_m is None


def _dead_bug_returns_unturned(rate_hz: float) -> AngleTrack:
    """A dead bug's leg goes out in 3 s (the shin turning up 10 degrees, the sensor down
    0.28 m), waits 0.5 s, and comes back in 1.5 s without turning the shin (the sensor up
    0.28 m); then it holds 4 s. Its accelerometer has a bias and a held leg's tremor."""
    moves = [Move(2.0, None), Move(3.0, 10.0), Move(5.5, None)]
    t, angle, velocity = motion(moves, rate_hz=rate_hz)
    up = _shaking_rise(t, 2.0, 3.0, -0.28) + _shaking_rise(t, 5.5, 1.5, 0.28)
    return dataclasses.replace(track(t, angle, velocity), vertical_mps2=up)


@pytest.mark.parametrize("rate_hz", [25.0, 100.0, 400.0])
def test_a_dead_bugs_return_that_does_not_turn_the_shin_is_found_by_the_sensors_height(
    rate_hz: float,
) -> None:
    """The return is found once the leg is at rest again, as a stroke against the shin's
    way (as the extension was: the shin turned up while the sensor went down)."""
    out, back = _run_product(_dead_bug_returns_unturned(rate_hz))
    assert (out.direction, out.hidden, back.direction, back.hidden) == (1, False, -1, True)
    assert back.rise_m is not None
    assert back.rise_m == pytest.approx(0.28, abs=0.03)
    assert back.size_deg < 0.5
    assert back.reach_deg == pytest.approx(math.degrees(back.rise_m / HIP_TO_SENSOR_M))
    assert back.start_s == pytest.approx(5.5, abs=0.15)
    assert back.end_s == pytest.approx(7.0, abs=0.15)
    assert 7.0 < back.known_s < 7.5


def test_the_sensors_height_is_not_looked_at_after_a_stroke_that_rose_with_the_shin() -> None:
    """The same rise after a raise that took the sensor up (a leg lift, not a dead bug) is
    not looked for: the shin's turn tells the strokes."""
    tr = _dead_bug_returns_unturned(100.0)
    assert tr.vertical_mps2 is not None
    with_turn = dataclasses.replace(tr, vertical_mps2=-tr.vertical_mps2)
    assert [s.hidden for s in _run_product(with_turn)] == [False]


@given(cuts=st.lists(st.integers(1, 1099), max_size=30))
@settings(max_examples=40, deadline=None)
def test_strokes_found_by_the_height_do_not_depend_on_the_blocks(cuts: list[int]) -> None:
    """Every stroke, its rise included: a rise is integrated up to the sample that
    completed the stroke at most, which every block split has."""
    tr = _dead_bug_returns_unturned(100.0)
    detector = StrokeDetector(Settings().moving_dps)
    split = strokes([s for part in tr.pieces(cuts) for s in detector.update(part)])
    whole = _run_product(tr)
    assert split == whole


def test_a_dead_bugs_unturned_return_is_found_after_samples_lost_at_rest() -> None:
    """25 Hz, 0.52 s lost while the leg rests out long, the first sample after the gap
    catching the tremor at its crest: the acceleration is still averaged over 0.3 s of
    samples there (those before the gap too), so that one sample does not stand for the
    whole gap (0.3 m/s^2 over 0.5 s: the speed would jump by 0.08 m/s, a leg moving), and
    the rest after the return is found."""
    rate_hz = 25.0
    t, angle, velocity = motion([Move(2.0, None), Move(3.0, 10.0), Move(7.5, None)], rate_hz=rate_hz)
    # Out in 3 s, back in 1.5 s from 7 s; one tremor and bias (the last term takes the
    # second's off).
    up = (
        _shaking_rise(t, 2.0, 3.0, -0.28) + _shaking_rise(t, 7.0, 1.5, 0.28) - _shaking_rise(t, 0.0, 1.0, 0.0)
    )
    # The tremor, 10 Hz sampled at 25 Hz, is at its crest in every fifth sample from the fourth.
    after = 153
    assert math.sin(2 * math.pi * 10.0 * t[after] + 0.4) > 0.95
    keep = (t <= 5.6) | (t >= t[after])
    gaps = np.zeros(t.size, dtype=np.bool_)
    gaps[after] = True
    lossy = dataclasses.replace(
        track(t[keep], angle[keep], velocity[keep], gaps[keep]), vertical_mps2=up[keep]
    )
    out, back = strokes(StrokeDetector(Settings().moving_dps, rate_hz).update(lossy))
    assert (out.direction, back.direction, back.hidden) == (1, -1, True)
    assert back.rise_m == pytest.approx(0.28, abs=0.04)
    assert back.end_s == pytest.approx(8.5, abs=0.2)


@pytest.mark.parametrize("rate_hz", [50.0, 100.0])
def test_a_dead_bugs_unturned_return_is_found_when_the_bias_changes_with_the_pose(rate_hz: float) -> None:
    """The accelerometer read along the up direction the lift angle gives takes in gravity
    as the sensor's attitude strays from it: its bias goes 0.02 m/s^2 up as the leg goes out
    (and back down as it returns). The bias measured over the way out, from its start to the
    sample that completed it, is then off against the rest after the return (a mix of the
    two poses, and the leg still moving at a fifth of its peak speed): the speed it leaves
    over the 3.2 s from the anchor grows past a rest's 0.06 m/s. The allowance for a bias
    measured over a stroke still finds that rest."""
    t, angle, velocity = motion([Move(2.0, None), Move(3.0, 10.0), Move(9.0, None)], rate_hz=rate_hz)

    def out_share(start_s: float, duration_s: float) -> FloatArray:
        s = np.clip((t - start_s) / duration_s, 0.0, 1.0)
        return np.asarray(10 * s**3 - 15 * s**4 + 6 * s**5, dtype=np.float64)

    pose = out_share(2.0, 3.0) - out_share(6.0, 2.2)
    # Out in 3 s, held 1 s, back in 2.2 s; one tremor and bias (the third term takes the
    # second's off), and the bias's share that follows the pose.
    up = (
        _shaking_rise(t, 2.0, 3.0, -0.28)
        + _shaking_rise(t, 6.0, 2.2, 0.28)
        - _shaking_rise(t, 0.0, 1.0, 0.0)
        + 0.02 * pose
    )
    tr = dataclasses.replace(track(t, angle, velocity), vertical_mps2=up)
    out, back = strokes(StrokeDetector(Settings().moving_dps, rate_hz).update(tr))
    assert (out.direction, back.direction, back.hidden) == (1, -1, True)
    assert back.rise_m == pytest.approx(0.28, abs=0.05)
    assert back.end_s == pytest.approx(8.2, abs=0.2)


@pytest.mark.parametrize("rate_hz", [50.0, 100.0])
def test_a_strokes_start_is_placed_across_samples_lost_where_its_speed_rose(rate_hz: float) -> None:
    """A 15-degree lowering in 1.9 s from 2 s, 0.55 s lost from 2.1 s, where its speed
    passed a fifth of its peak (at 2.24 s): the line across the gap, and the tremor mean
    over the samples on both sides of it, place that crossing after the gap, the start
    0.5 s late and 2.5 degrees into the stroke. The profile's symmetry places it from
    the other side."""
    t, angle, velocity = motion([Move(2.0, None), Move(1.9, -15.0), Move(3.0, None)], rate_hz=rate_hz)
    keep = (t <= 2.1) | (t >= 2.65)
    gaps = np.zeros(t.size, dtype=np.bool_)
    gaps[np.flatnonzero(t >= 2.65)[0]] = True
    tr = track(t[keep], angle[keep], velocity[keep], gaps[keep])
    (found,) = strokes(StrokeDetector(Settings().moving_dps, rate_hz).update(tr))
    assert found.start_s == pytest.approx(2.0, abs=0.05)
    assert found.start_deg == pytest.approx(0.0, abs=0.2)
    assert found.end_s == pytest.approx(3.9, abs=0.05)


@pytest.mark.parametrize("rate_hz", [50.0, 100.0])
def test_a_long_blocks_strokes_are_a_live_sessions(rate_hz: float) -> None:
    """A long block (searched between strokes with `_Firsts`) and a live session's blocks of
    8 samples give the same strokes, the first's start placed across samples lost where
    its speed rose (`dsp._placing.place`)."""
    moves = [Move(2.0, None), Move(1.9, -15.0), Move(1.0, None), Move(1.5, 20.0), Move(1.0, None)]
    moves += [Move(2.0, -20.0), Move(0.3, None), Move(1.2, 10.0), Move(2.0, None)]
    t, angle, velocity = motion(moves, rate_hz=rate_hz)
    keep = (t <= 2.1) | (t >= 2.65)
    gaps = np.zeros(t.size, dtype=np.bool_)
    gaps[np.flatnonzero(t >= 2.65)[0]] = True
    tr = track(t[keep], angle[keep], velocity[keep], gaps[keep])
    whole = StrokeDetector(Settings().moving_dps, rate_hz).update(tr)
    live = StrokeDetector(Settings().moving_dps, rate_hz)
    parts = [s for part in tr.pieces(list(range(8, len(tr), 8))) for s in live.update(part)]
    assert [s.direction for s in strokes(whole)] == [-1, 1, -1, 1]
    assert parts == whole
