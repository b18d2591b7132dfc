"""`dsp._rest.RestDetector`: the still window whose mean gyro is the bias for the session.

The motion is built in closed form: a sensor lying with gravity along its z axis turns at
a constant rate about its x axis, then stays still; its gyro reads the rate plus a known
bias, its accelerometer gravity turned into the sensor's frame.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsp import STANDARD_GRAVITY_MPS2, SensorSamples
from dsp._rest import RestDetector

RATE_HZ = 100.0
BIAS_DPS = np.array([0.5, -0.3, 0.2])
WINDOW = 100


def turn_then_still(turn_dps: float, turn_s: float, still_s: float, seed: int = 1) -> SensorSamples:
    """Turning at `turn_dps` about x for `turn_s`, then still for `still_s`."""
    rng = np.random.default_rng(seed)
    t = np.arange(round((turn_s + still_s) * RATE_HZ)) / RATE_HZ
    rate_dps = np.where(t < turn_s, turn_dps, 0.0)
    angle_rad = np.radians(np.minimum(t, turn_s) * turn_dps)
    gyr_dps = np.zeros((t.size, 3))
    gyr_dps[:, 0] = rate_dps
    gyr_dps += BIAS_DPS + rng.normal(0.0, 0.05, (t.size, 3))
    # Gravity (up) seen from a sensor turned by `angle` about x.
    up = np.stack((np.zeros_like(t), np.sin(angle_rad), np.cos(angle_rad)), axis=1)
    acc = STANDARD_GRAVITY_MPS2 * up + rng.normal(0.0, 0.02, (t.size, 3))
    return SensorSamples("shin", t, acc, np.radians(gyr_dps))


@pytest.mark.parametrize("turn_dps", [1.5, 3.0, 5.0])
def test_a_slow_turn_is_not_taken_for_the_bias(turn_dps: float) -> None:
    # Each of these turns is under the still gyro threshold (5.7 deg/s), bias included: a
    # window inside the turn would take the turn for bias. The window found may take in the
    # last moments of the turn, a fraction of its rate.
    samples = turn_then_still(turn_dps, turn_s=3.0, still_s=2.0)
    found = RestDetector(WINDOW).find(samples)
    assert found is not None
    k, rest = found
    assert samples.time_s[k] == rest.time_s
    assert rest.time_s > 3.0
    assert np.degrees(rest.gyro_bias_rps) == pytest.approx(BIAS_DPS, abs=0.35)
    final_rad = np.radians(3.0 * turn_dps)
    assert rest.up == pytest.approx([0.0, np.sin(final_rad), np.cos(final_rad)], abs=0.01)


def test_a_sensor_still_from_the_start_is_at_rest_after_one_window() -> None:
    samples = turn_then_still(0.0, turn_s=0.0, still_s=2.0)
    found = RestDetector(WINDOW).find(samples)
    assert found is not None
    k, rest = found
    assert k == WINDOW - 1
    assert np.degrees(rest.gyro_bias_rps) == pytest.approx(BIAS_DPS, abs=0.03)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=12))
def test_the_window_found_does_not_depend_on_the_blocks(sizes: list[int]) -> None:
    samples = turn_then_still(3.0, turn_s=2.0, still_s=2.0, seed=4)
    whole = RestDetector(WINDOW).find(samples)
    assert whole is not None
    detector = RestDetector(WINDOW)
    start = 0
    for size in [*sizes, len(samples)]:
        stop = min(start + size, len(samples))
        found = detector.find(samples.part(start, stop))
        if found is not None:
            k, rest = found
            assert start + k == whole[0]
            assert rest.time_s == whole[1].time_s
            assert np.array_equal(rest.gyro_bias_rps, whole[1].gyro_bias_rps)
            assert np.array_equal(rest.up, whole[1].up)
            return
        start = stop
    pytest.fail("no rest found in blocks")
