"""Finding still periods: the reference every angle is measured from.

A sensor is still when its gyro reads near zero and its accelerometer near 1 g. After
`rest_window_s` of stillness the mean gyro is its bias and the mean accelerometer the
direction of gravity (up, in the sensor frame). A slow turn (a leg settling at a few deg/s)
reads near zero too, and its mean would be taken for the bias for the whole session: a
window counts only if the sensor held its attitude through it (gravity's direction and the
mean gyro, over its first third against its last). The detector is exact per sample: the
same samples give the same window whatever the blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp._geometry import row_norms
from dsp._quick import all_of, any_of
from dsp._samples import STANDARD_GRAVITY_MPS2, SensorSamples

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

STILL_GYRO_RPS = 0.1
"""Above this angular speed (5.7 deg/s) a sensor is moving; gyro biases are well under it."""
STILL_ACC_MPS2 = 0.6
"""A still sensor's |acc| is within this of 1 g."""
MAX_GAP_IN_REST_S = 0.3
"""Samples missing for longer than this break a still period."""
STEADY_DEG = 0.35
"""Gravity's direction in the sensor, averaged over the first and over the last third of a
rest window, differs by less than this: a sensor turning about a level axis through the
whole window turns under about 0.5 deg/s (the thirds' middles are 2/3 of the window apart),
where a still sample may read up to 5.7. Rests seen: 0.01-0.2 deg."""
STEADY_GYRO_RPS = np.radians(1.0)
"""The mean gyro over the first and over the last third of a rest window differ by less than
this: a turn that stops (or starts) inside the window changes it. Rests seen: up to 0.6
deg/s (the real 25 Hz sessions, eight samples a third)."""
_COS_STEADY = float(np.cos(np.radians(STEADY_DEG)))
STEADY_BATCH = 64
"""Still windows judged for steadiness at a time, until one is steady."""


def still_runs(still: BoolArray, restart: BoolArray | None, carried: int) -> IntArray:
    """Length of the still run at each sample, continuing a run of `carried` samples from
    the previous block: a moving sample resets it to 0, a still one marked `restart` (a gap
    before it; None: none is) starts a new run at 1."""
    idx = np.arange(still.size)
    if all_of(still) and (restart is None or not any_of(restart)):  # the usual block at rest: one run goes on
        return np.asarray(carried + idx + 1, dtype=np.intp)
    reset = np.where(still, -(2**62), idx)
    if restart is not None:
        restart = restart & still
        reset[restart] = idx[restart] - 1
    reset = np.maximum.accumulate(reset)
    run = np.where(reset < -1, carried + idx + 1, idx - reset)
    run[~still] = 0
    return np.asarray(run, dtype=np.intp)


@dataclass(frozen=True)
class RestReference:
    """Gyro bias (rad/s) and the unit up direction, both in the sensor frame, at time_s."""

    time_s: float
    gyro_bias_rps: FloatArray
    up: FloatArray


class RestDetector:
    """Watches for `window` consecutive still samples (a gap longer than MAX_GAP_IN_REST_S
    restarts the count)."""

    def __init__(self, window: int) -> None:
        if window < 2:
            raise ValueError(f"a rest window needs at least 2 samples, got {window}")
        self.window = window
        self._run = 0
        self._acc = np.zeros((0, 3))
        self._gyr = np.zeros((0, 3))
        self._last_time_s = -np.inf

    def find(self, samples: SensorSamples) -> tuple[int, RestReference] | None:
        """The first sample of this block that completes a still window, and the reference.

        Call again with the samples after that index to look for the next one.
        """
        time_s, acc_mps2, gyr_rps, gap_before = (
            samples.time_s,
            samples.acc_mps2,
            samples.gyr_rps,
            samples.gap_before,
        )
        still = (row_norms(gyr_rps) < STILL_GYRO_RPS) & (
            np.abs(row_norms(acc_mps2) - STANDARD_GRAVITY_MPS2) < STILL_ACC_MPS2
        )
        # A few lost packets do not break a rest; a longer gap does.
        previous = np.concatenate(([self._last_time_s], time_s[:-1]))
        run = still_runs(still, gap_before & (time_s - previous > MAX_GAP_IN_REST_S), self._run)
        done = np.flatnonzero(run >= self.window)
        # The first steady window is the one: its candidates are judged a few at a time (a
        # still minute given at once has thousands).
        first = None
        for lo in range(0, done.size, STEADY_BATCH):
            candidates = done[lo : lo + STEADY_BATCH]
            steady = candidates[self._steady(acc_mps2, gyr_rps, candidates)]
            if steady.size:
                first = int(steady[0])
                break
        # Up to the sample that completes a window (the caller goes on from the next one).
        last = time_s.size - 1 if first is None else first
        self._last_time_s = float(time_s[last]) if time_s.size else self._last_time_s
        # Keep the last `window` samples for the mean of a window that spans blocks.
        acc = np.concatenate((self._acc, acc_mps2))[-self.window :]
        gyr = np.concatenate((self._gyr, gyr_rps))[-self.window :]
        if first is None:
            self._run = int(run[-1]) if run.size else self._run
            self._acc, self._gyr = acc, gyr
            return None
        k = first
        tail_acc = np.concatenate((self._acc, acc_mps2[: k + 1]))[-self.window :]
        tail_gyr = np.concatenate((self._gyr, gyr_rps[: k + 1]))[-self.window :]
        self._run = 0
        self._acc, self._gyr = np.zeros((0, 3)), np.zeros((0, 3))
        mean_acc = tail_acc.mean(axis=0)
        reference = RestReference(
            float(time_s[k]), tail_gyr.mean(axis=0), mean_acc / float(np.linalg.norm(mean_acc))
        )
        return k, reference

    def _steady(self, acc_mps2: FloatArray, gyr_rps: FloatArray, ends: IntArray) -> BoolArray:
        """Whether the sensor held its attitude through the window ending at each of `ends`
        (indices into this block's samples, each completing `window` still samples, so the
        carried samples reach back far enough)."""
        third = max(self.window // 3, 1)
        stop = ends + len(self._acc) + 1
        acc = np.concatenate((self._acc, acc_mps2))
        gyr = np.concatenate((self._gyr, gyr_rps))
        acc_first, acc_last = (
            _third_sums(acc, stop - self.window, third),
            _third_sums(acc, stop - third, third),
        )
        gyr_first, gyr_last = (
            _third_sums(gyr, stop - self.window, third),
            _third_sums(gyr, stop - third, third),
        )
        dot = (acc_first * acc_last).sum(axis=1)
        level = dot >= _COS_STEADY * row_norms(acc_first) * row_norms(acc_last)
        return np.asarray(level & (row_norms(gyr_first - gyr_last) < third * STEADY_GYRO_RPS), dtype=np.bool_)


def _third_sums(values: FloatArray, starts: IntArray, third: int) -> FloatArray:
    """The sums of `values[s : s + third]` for each s in `starts`, added one sample at a time:
    the same additions in the same order whatever the blocks."""
    total = values[starts]
    for j in range(1, third):
        total = total + values[starts + j]
    return total
