"""Which way is anterior (`dsp._tilt_sign.PelvisSign`), on hand-built pelvis and leg series.

Each case is a raw pelvis tilt (sign unknown to the DSP) beside legs whose angle and rate
are written out, so the evidence each rule sees is known; the tests flip the raw sign and
check that the output follows the legs, not the raw sign.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsp._tilt_sign import (
    EXCURSION_DEG,
    HOLD_S,
    LegsAt,
    PelvisSign,
    SignedTilt,
)

FloatArray = npt.NDArray[np.float64]
RATE_HZ = 50.0


def ramp(points: list[tuple[float, float]], t: FloatArray) -> FloatArray:
    """A piecewise-linear series through (time, value) points."""
    return np.interp(t, [p[0] for p in points], [p[1] for p in points])


def legs_from(t: FloatArray, angles: list[FloatArray]) -> LegsAt:
    """The legs' rate at t, and their angle series."""
    rate = np.array([np.gradient(a, t) for a in angles])
    return LegsAt(t, rate, [(t, a) for a in angles])


def run(t: FloatArray, raw: FloatArray, legs: LegsAt, cuts: list[int] | None = None) -> SignedTilt:
    """All the samples through one PelvisSign, in blocks cut at `cuts`, and the rest flushed."""
    sign = PelvisSign()
    edges = [0, *sorted(set(cuts or [])), t.size]
    out = SignedTilt.known(np.zeros(0), np.zeros(0))
    for a, b in itertools.pairwise(edges):
        part = LegsAt(t[a:b], legs.rate_dps[:, a:b], legs.angles)
        out = out.then(sign.update(t[a:b], raw[a:b], part))
    return out.then(sign.flush(float(t[-1])))


T = np.arange(0.0, 20.0, 1.0 / RATE_HZ)
# One straight leg lowered from 60 to 5 degrees over 4 s (10 to 14 s), held, raised.
LOWERED = ramp([(0, 0), (2, 0), (4, 60), (10, 60), (14, 5), (16, 5), (18, 60), (20, 60)], T)
# The pelvis tips 8 degrees while the leg comes down low, and comes back as it rises.
TIPS = ramp([(0, 0), (12.5, 0), (14, 8), (16, 8), (17, 0), (20, 0)], T)


@pytest.mark.parametrize("raw_sign", [1.0, -1.0])
def test_tilt_that_grows_as_a_leg_comes_down_is_anterior(raw_sign: float) -> None:
    out = run(T, raw_sign * TIPS, legs_from(T, [LOWERED]))
    np.testing.assert_allclose(out.time_s, T)
    np.testing.assert_allclose(out.tilt_deg, TIPS, atol=1e-9)


@pytest.mark.parametrize("raw_sign", [1.0, -1.0])
def test_a_curl_that_grows_as_the_legs_come_up_is_posterior(raw_sign: float) -> None:
    # Reverse crunch: from tabletop (0 on the shin) the legs come up 20 degrees and the
    # pelvis curls 30 degrees backwards with them.
    legs = ramp([(0, 0), (5, 0), (7, 20), (9, 20), (11, 0), (20, 0)], T)
    curl = ramp([(0, 0), (5, 0), (7, -30), (9, -30), (11, 0), (20, 0)], T)
    out = run(T, -raw_sign * curl, legs_from(T, [legs]))
    # Until the evidence is clear, small samples pass on as their size.
    np.testing.assert_allclose(np.abs(out.tilt_deg), np.abs(curl), atol=1e-9)
    decided = out.time_s > 5.0 + 0.2 * (7.0 - 5.0)
    np.testing.assert_allclose(out.tilt_deg[decided], curl[decided], atol=1e-9)


@pytest.mark.parametrize("raw_sign", [1.0, -1.0])
def test_with_the_legs_taking_turns_an_excursion_is_anterior(raw_sign: float) -> None:
    # Dead bug: the right shin moves 10 degrees while the left is held; the pelvis tips
    # while the legs' rates say nothing (one leg waits).
    right = ramp([(0, 0), (6, 0), (9, 10), (11, 10), (13, 0), (20, 0)], T)
    left = np.zeros_like(T)
    tips = ramp([(0, 0), (8, 0), (9, 6), (11, 6), (12, 0), (20, 0)], T)
    out = run(T, raw_sign * tips, legs_from(T, [right, left]))
    np.testing.assert_allclose(out.tilt_deg, tips, atol=1e-9)


def test_both_legs_moving_together_are_not_taking_turns() -> None:
    # Both knees come up together (the shins tip down, feet on the floor), then the pelvis
    # lifts: no rule tells its sign, so the excursion waits and passes on as posterior
    # (never an alarm).
    both = ramp([(0, 0), (6, 0), (8, -45), (20, -45)], T)
    lift = ramp([(0, 0), (8.5, 0), (9.3, 8), (10.1, 0), (20, 0)], T)
    out = run(T, lift, legs_from(T, [both, both.copy()]))
    assert out.tilt_deg.max() < EXCURSION_DEG
    assert out.tilt_deg.min() == pytest.approx(-8.0, abs=0.2)


@pytest.mark.parametrize("raw_sign", [1.0, -1.0])
def test_an_excursion_with_long_legs_held_low_is_anterior(raw_sign: float) -> None:
    # Legs held still at 20 degrees: no rate evidence, but low legs pull the pelvis forwards.
    held = ramp([(0, 0), (2, 0), (4, 20), (20, 20)], T)
    tips = ramp([(0, 0), (8, 0), (10, 7), (12, 7), (14, 0), (20, 0)], T)
    out = run(T, raw_sign * tips, legs_from(T, [held]))
    np.testing.assert_allclose(out.tilt_deg, tips, atol=1e-9)


def test_an_unexplained_excursion_waits_then_passes_on_as_posterior() -> None:
    # Legs flat on the floor: the pelvis moving is the athlete shifting.
    flat = np.zeros_like(T)
    shift = ramp([(0, 0), (5, 0), (6, 10), (15, 10), (16, 0), (20, 0)], T)
    out = run(T, shift, legs_from(T, [flat]))
    waited = out.time_s >= 5.0 + 1.0 * EXCURSION_DEG / 10.0
    released = out.told_s > out.time_s
    assert released.any()
    assert np.all(out.tilt_deg[waited & released] <= 0.0)
    # Nothing waits longer than HOLD_S.
    assert float((out.told_s - out.time_s).max()) <= HOLD_S + 1.0 / RATE_HZ
    # Small excursions before pass on at once, as their size.
    early = out.time_s < 5.2
    np.testing.assert_allclose(out.tilt_deg[early], np.abs(np.interp(out.time_s[early], T, shift)))
    np.testing.assert_allclose(out.told_s[early], out.time_s[early])


def test_an_excursion_waits_for_the_evidence_and_is_told_when_it_comes() -> None:
    # The pelvis tips while the legs are out of reach of the rules (flat, then rising
    # above the rate window); the leg coming down later decides, and the samples that
    # waited are told then, with that sign.
    legs = ramp([(0, 0), (4, 0), (4.5, 0), (6, 0), (8, 20), (9, 5), (20, 5)], T)
    tips = ramp([(0, 0), (4, 0), (5, -6), (8, -6), (9, -9), (11, -9), (12, 0), (20, 0)], T)
    out = run(T, tips, legs_from(T, [legs]))
    np.testing.assert_allclose(out.tilt_deg, -tips, atol=1e-9)
    waited = out.told_s > out.time_s
    assert waited.any()
    decided_s = float(out.told_s[waited].max())
    assert 8.0 < decided_s < 9.0
    assert np.all(out.told_s[waited] == decided_s)


def test_the_sum_of_evidence_turns_an_early_wrong_guess_over() -> None:
    # A first excursion with the leg held low says "anterior" one way; three reps of the
    # leg lowered with the pelvis tipping the other way outweigh it. What was told before
    # stays told.
    t = np.arange(0.0, 60.0, 1.0 / RATE_HZ)
    reps = [(20.0, 60.0), (24.0, 5.0), (26.0, 60.0)]
    leg = ramp(
        [(0, 0), (2, 20), (8, 20), (10, 60)]
        + [(a + k * 10, b) for k in range(3) for a, b in reps]
        + [(60, 60)],
        t,
    )
    first = ramp([(0, 0), (4, 0), (5, -4), (6, 0), (60, 0)], t)
    tips = [(a + k * 10, b) for k in range(3) for a, b in [(23, 0), (24, 6), (25, 6), (26, 0)]]
    raw = first + ramp([(0, 0), (10, 0), *tips, (60, 0)], t)
    out = run(t, raw, legs_from(t, [leg]))
    later = out.time_s > 35.0
    np.testing.assert_allclose(out.tilt_deg[later], raw[later], atol=1e-9)
    assert out.tilt_deg[np.argmin(np.abs(out.time_s - 5.0))] == pytest.approx(4.0, abs=0.1)


@given(cuts=st.lists(st.integers(1, T.size - 1), max_size=25))
@settings(max_examples=40, deadline=None)
def test_signs_do_not_depend_on_the_blocks(cuts: list[int]) -> None:
    legs = legs_from(T, [LOWERED])
    raw = -ramp([(0, 0), (4, 0), (5, -6), (8, -6), (9, -9), (11, -9), (12, 0), (14, 8), (16, 8), (20, 0)], T)
    whole = run(T, raw, legs)
    split = run(T, raw, legs, cuts)
    for a, b in zip(
        (whole.time_s, whole.tilt_deg, whole.told_s),
        (split.time_s, split.tilt_deg, split.told_s),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


def test_a_jump_of_the_pelvis_gives_no_evidence() -> None:
    # The pelvis's angle jumps 7 degrees in one sample (its axis was just found) while the
    # leg rises fast and low: not a movement, so no evidence; nothing else tells the sign,
    # so the excursion waits (it would be decided at once if the jump counted).
    leg = ramp([(0, 0), (5, 0), (6, 20), (20, 20)], T)
    jump = np.where(T >= 5.5, 7.0, 0.0)
    out = run(T, jump, legs_from(T, [leg]))
    after = (out.time_s >= 5.5) & (out.time_s < 10.0)
    assert np.all(out.told_s[after] > out.time_s[after])
    # The same 7 degrees turned through smoothly is evidence, and decides at once.
    smooth = ramp([(0, 0), (5.2, 0), (5.8, 7), (20, 7)], T)
    out = run(T, smooth, legs_from(T, [leg]))
    np.testing.assert_array_equal(out.told_s, out.time_s)


def test_a_curl_as_the_legs_set_off_slowly_is_never_told_as_anterior() -> None:
    # Reverse crunch from tabletop at a slow start: the shin rises at 7 deg/s (too slow
    # for rate evidence, too fast for legs settling into position) as the pelvis curls.
    legs = ramp([(0, 2.5), (5, 2.5), (7, 16.5), (9, 16.5), (11, 2.5), (20, 2.5)], T)
    curl = ramp([(0, 0), (5, 0), (7, -30), (9, -30), (11, 0), (20, 0)], T)
    for raw_sign in (1.0, -1.0):
        out = run(T, raw_sign * curl, legs_from(T, [legs]))
        assert out.tilt_deg.max() < EXCURSION_DEG
