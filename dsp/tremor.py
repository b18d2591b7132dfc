"""Physiological tremor: whether a leg is held up by the muscles or resting.

A limb held against gravity shakes at 8-12 Hz (physiological tremor, larger with
fatigue); one lying on the floor does not. The gyro's power above `HIGH_PASS_HZ`,
smoothed over `SMOOTH_S`, against the quietest level seen so far (a leg at rest: sensor
noise alone), tells the two apart. Per sample and causal, like everything in `dsp`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.signal import butter

from dsp._filters import linear_filter

FloatArray = npt.NDArray[np.float64]

HIGH_PASS_HZ = 6.0
SMOOTH_S = 0.5
FLOOR_MIN_RPS2 = 1e-12
"""Keeps the ratio finite for a perfect (simulated, noise-free) sensor."""


class Tremor:
    """Tremor power of a sensor's gyro over the quietest power seen (1 at rest)."""

    def __init__(self, rate_hz: float) -> None:
        b, a = butter(2, min(HIGH_PASS_HZ, 0.4 * rate_hz), btype="highpass", fs=rate_hz)
        self._b, self._a = np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64)
        self._zi = np.zeros((3, 2))  # per axis of the gyro (filtered as rows: see `update`)
        self._smooth = float(np.exp(-1.0 / (SMOOTH_S * rate_hz)))
        self._smooth_b = np.array([1.0 - self._smooth])
        self._smooth_a = np.array([1.0, -self._smooth])
        self._smooth_zi: FloatArray | None = None  # the smoothing's state: smooth x the last power
        self._floor = np.inf
        self._settle = round(2 * SMOOTH_S * rate_hz)

    def update(self, gyr_rps: FloatArray) -> FloatArray:
        """Tremor ratio of each sample (dimensionless; about 1 for a leg at rest)."""
        # Each axis filtered as a row, and the squares added as `np.add.reduce(axis=1)` adds
        # them (in order): the same numbers as filtering the columns, at half the cost.
        high, self._zi = linear_filter(self._b, self._a, gyr_rps.T, self._zi)
        square = high * high
        power_in = square[0] + square[1] + square[2]
        zi = np.array([self._smooth * power_in[0]]) if self._smooth_zi is None else self._smooth_zi
        power, self._smooth_zi = linear_filter(self._smooth_b, self._smooth_a, power_in, zi)
        # The floor only counts once the smoothing has settled (its first values are transients).
        usable = power
        if self._settle > 0:
            usable = power.copy()
            usable[: self._settle] = np.inf
        self._settle -= power.size
        if float(usable[usable.argmin()]) >= self._floor:  # as quiet as ever: one floor throughout
            return np.asarray(power / max(self._floor, FLOOR_MIN_RPS2), dtype=np.float64)
        floor = np.minimum(np.minimum.accumulate(usable), self._floor)
        self._floor = float(floor[-1])
        return np.asarray(power / np.maximum(floor, FLOOR_MIN_RPS2), dtype=np.float64)


def unsmoothed(ratio: FloatArray, rate_hz: float) -> FloatArray:
    """The tremor power of each sample (over the quietest) that `Tremor` smoothed into
    consecutive values of `ratio`, one fewer than given: the smoothing undone. A jolt (a leg
    put down) is a few large values in it, where the smoothed ratio takes seconds to decay
    (a factor e per SMOOTH_S), so its median over a stretch tells a held leg from a resting
    one just put down. Exact while the quietest level stays the same."""
    smooth = math.exp(-1.0 / (SMOOTH_S * rate_hz))
    return np.asarray((ratio[1:] - smooth * ratio[:-1]) / (1.0 - smooth), dtype=np.float64)
