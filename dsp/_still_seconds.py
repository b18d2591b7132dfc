"""Still seconds, one after another: each `window` still samples in a row.

`dsp.strap` judges every still second of a leg against its lift axis (`dsp._rest` finds
only the first, for the bias). Exact per sample: the same samples give the same windows
whatever the blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp._geometry import row_norms
from dsp._quick import all_of, any_of, c_einsum
from dsp._rest import MAX_GAP_IN_REST_S, STILL_ACC_MPS2, STILL_GYRO_RPS, RestReference, still_runs
from dsp._samples import STANDARD_GRAVITY_MPS2, SensorSamples

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class StillSecond:
    """A window of still samples: the `index` of its last one in the block given, its time,
    and whether it is the `first` of its still period. Its reference costs two means: it
    is worked out when asked for (a still period's first window will do for its pose)."""

    index: int
    time_s: float
    first: bool
    acc_mps2: FloatArray
    gyr_rps: FloatArray

    def reference(self) -> RestReference:
        """The mean gyro (the bias) and the direction of the mean accelerometer (up)."""
        mean_acc = self.acc_mps2.mean(axis=0)
        return RestReference(
            self.time_s, self.gyr_rps.mean(axis=0), mean_acc / float(np.linalg.norm(mean_acc))
        )


class StillSeconds:
    """Each `window` still samples in a row (a still period of four windows gives four).
    Exact per sample: the same samples give the same windows whatever the blocks."""

    def __init__(self, window: int) -> None:
        if window < 2:
            raise ValueError(f"a rest window needs at least 2 samples, got {window}")
        self.window = window
        self._run = 0  # still samples in a row at the end of what was seen
        self._last_time_s = -math.inf
        # The blocks holding the last `window` samples of the run (kept as they come: joined
        # only where a window completes), and how many samples they hold.
        self._tail: list[SensorSamples] = []
        self._tail_n = 0

    def update(self, samples: SensorSamples) -> list[StillSecond]:
        """The windows completed in this block."""
        n = len(samples)
        if not n:
            return []
        gyr2 = c_einsum("ij,ij->i", samples.gyr_rps, samples.gyr_rps)
        gyro_still = gyr2 < STILL_GYRO_RPS**2
        # The usual blocks of a live session take a short way: moving throughout (no run to
        # carry), or still throughout with no window completed and no gap.
        if not any_of(gyro_still):
            self._run, self._tail, self._tail_n = 0, [], 0
            self._last_time_s = float(samples.time_s[-1])
            return []
        still = gyro_still & (np.abs(row_norms(samples.acc_mps2) - STANDARD_GRAVITY_MPS2) < STILL_ACC_MPS2)
        if (
            (self._run + n) // self.window == self._run // self.window
            and all_of(still)
            and not any_of(samples.gap_before)
        ):
            self._run += n
            self._last_time_s = float(samples.time_s[-1])
            self._keep(samples)
            return []
        # A few lost packets do not break a still period; a longer gap may hide a turned strap.
        previous = np.concatenate(([self._last_time_s], samples.time_s[:-1]))
        restart = samples.gap_before & (samples.time_s - previous > MAX_GAP_IN_REST_S)
        run = still_runs(still, restart, self._run)
        ends = ((run > 0) & (run % self.window == 0)).nonzero()[0]
        found = []
        if ends.size:
            joined = SensorSamples.concatenate([*self._tail, samples])
            carried = self._tail_n
            for k in ends.tolist():
                window = slice(carried + k + 1 - self.window, carried + k + 1)
                found.append(
                    StillSecond(
                        k,
                        float(samples.time_s[k]),
                        int(run[k]) == self.window,
                        joined.acc_mps2[window],
                        joined.gyr_rps[window],
                    )
                )
        self._run = int(run[-1])
        self._last_time_s = float(samples.time_s[-1])
        if self._run:
            self._keep(samples)
        else:
            self._tail, self._tail_n = [], 0
        return found

    def _keep(self, samples: SensorSamples) -> None:
        """Add a block to the tail, and drop the blocks no window can reach back to."""
        self._tail.append(samples)
        self._tail_n += len(samples)
        while self._tail_n - len(self._tail[0]) >= self.window:
            self._tail_n -= len(self._tail.pop(0))
