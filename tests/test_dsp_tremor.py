"""`dsp.tremor`: the smoothed tremor ratio, and the smoothing undone (`unsmoothed`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import butter, lfilter

from dsp.tremor import HIGH_PASS_HZ, Tremor, unsmoothed

RATE_HZ = 100.0


def _gyro(rng: np.random.Generator, seconds: float, noise_rps: float = 1e-3) -> np.ndarray:
    return rng.normal(0.0, noise_rps, (round(seconds * RATE_HZ), 3))


def test_unsmoothed_is_each_samples_power_over_the_quietest() -> None:
    """Against the definition, computed here on its own: the gyro high-passed, its power per
    sample, over the quietest smoothed power (reached in the quiet first part)."""
    rng = np.random.default_rng(7)
    quiet = _gyro(rng, 6.0)
    t = np.arange(400) / RATE_HZ
    shaking = _gyro(rng, 4.0) + 0.02 * np.sin(2 * math.pi * 10.0 * t)[:, None] * np.array([1.0, 0.3, 0.0])
    gyro = np.vstack((quiet, shaking))
    tremor = Tremor(RATE_HZ)
    ratio = np.concatenate([tremor.update(gyro[i : i + 37]) for i in range(0, len(gyro), 37)])
    b, a = butter(2, HIGH_PASS_HZ, btype="highpass", fs=RATE_HZ)
    power = (lfilter(b, a, gyro, axis=0) ** 2).sum(axis=1)
    # The quietest level: the smoothed power over the ratio (one number once it is reached).
    smooth = math.exp(-1.0 / (0.5 * RATE_HZ))
    smoothed = lfilter([1 - smooth], [1, -smooth], power, zi=[smooth * power[0]])[0]
    floor = float(smoothed[-1] / ratio[-1])
    raw = unsmoothed(ratio, RATE_HZ)
    assert raw.shape == (ratio.size - 1,)
    # The shaking part (the quietest level stays the one of the quiet part there).
    np.testing.assert_allclose(raw[-300:], power[-300:] / floor, rtol=1e-6)


def test_a_jolt_decays_for_seconds_smoothed_but_not_unsmoothed() -> None:
    """A leg at rest put down with a jolt (0.1 s of a hard shake): the smoothed ratio stays
    over 2.5 (a held leg's) for seconds; the median of the unsmoothed one over the 2 s after
    it is a resting leg's."""
    rng = np.random.default_rng(3)
    gyro = _gyro(rng, 8.0)
    jolt_at = round(6.0 * RATE_HZ)
    gyro[jolt_at : jolt_at + 10] += rng.normal(0.0, 0.5, (10, 3))
    ratio = Tremor(RATE_HZ).update(gyro)
    after = slice(jolt_at + 10, jolt_at + 210)
    assert float(np.percentile(ratio[after], 25)) > 2.5
    assert float(np.median(unsmoothed(ratio, RATE_HZ)[after])) == pytest.approx(1.0, abs=0.6)
