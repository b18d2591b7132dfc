"""Still seconds, one after another: each `window` still samples in a row.

`dsp.strap` judges every still second of a leg against its lift axis (`dsp._rest` finds
only the first, for the bias). Exact per sample: the same samples give the same windows
whatever the blocks.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from dsp._geometry import squared_norms, squared_within
from dsp._quick import all_of, any_of
from dsp._rest import MAX_GAP_IN_REST_S, STILL_ACC_MPS2, STILL_GYRO_RPS, RestReference, still_runs
from dsp._samples import STANDARD_GRAVITY_MPS2, SensorSamples

FloatArray = npt.NDArray[np.float64]

_STILL_SQUARED = squared_within(STANDARD_GRAVITY_MPS2, STILL_ACC_MPS2)
"""A still sample's accelerometer reads 1 g within `STILL_ACC_MPS2` where its squared length
lies between these."""


class StillWindows:
    """The windows completed in a block: `ends` (the index of each one's last sample in the
    block) and `firsts` (whether it is the first of its still period). Their references
    cost two means each, and a still period's later windows are mostly not wanted: they
    are worked out when asked for."""

    __slots__ = ("_carried", "_joined", "_parts", "_window", "ends", "firsts")

    def __init__(
        self, parts: list[SensorSamples], carried: int, window: int, ends: list[int], firsts: list[bool]
    ) -> None:
        self.ends = ends
        self.firsts = firsts
        # The blocks kept before this one (`carried` samples, reaching back a window), and it.
        self._parts = parts
        self._carried = carried
        self._window = window
        self._joined: SensorSamples | None = None

    def reference(self, j: int) -> RestReference:
        """The `j`th window's mean gyro (the bias) and the direction of its mean accelerometer (up)."""
        last = self._parts[-1]
        stop = self.ends[j] + 1
        if stop >= self._window:  # within this block: no join (a still minute has dozens)
            acc, gyr = last.acc_mps2[stop - self._window : stop], last.gyr_rps[stop - self._window : stop]
        else:
            if self._joined is None:
                self._joined = SensorSamples.concatenate(self._parts)
            stop += self._carried
            acc = self._joined.acc_mps2[stop - self._window : stop]
            gyr = self._joined.gyr_rps[stop - self._window : stop]
        # Rows in one layout whatever the blocks: the means add in one order.
        mean_acc = np.ascontiguousarray(acc).mean(axis=0)
        return RestReference(
            float(last.time_s[self.ends[j]]),
            np.ascontiguousarray(gyr).mean(axis=0),
            mean_acc / float(np.linalg.norm(mean_acc)),
        )


_NONE = StillWindows([], 0, 2, [], [])
"""No window completed (it holds nothing to ask for)."""


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

    def update(self, samples: SensorSamples) -> StillWindows:
        """The windows completed in this block."""
        n = len(samples)
        if not n:
            return _NONE
        gyr2 = squared_norms(samples.gyr_rps)
        gyro_still = gyr2 < STILL_GYRO_RPS**2
        # The usual blocks of a live session take a short way: moving throughout (no run to
        # carry), or still throughout with no gap (the run goes on).
        if not any_of(gyro_still):
            self._run, self._tail, self._tail_n = 0, [], 0
            self._last_time_s = float(samples.time_s[-1])
            return _NONE
        acc2 = squared_norms(samples.acc_mps2)
        still = gyro_still & (acc2 >= _STILL_SQUARED[0]) & (acc2 <= _STILL_SQUARED[1])
        if all_of(still) and not any_of(samples.gap_before):
            carried = self._run
            self._run += n
            self._last_time_s = float(samples.time_s[-1])
            if self._run // self.window == carried // self.window:
                self._keep(samples, n)
                return _NONE
            # A window ends every `window` samples of the run.
            ends = list(range(self.window - 1 - carried % self.window, n, self.window))
            found = StillWindows(
                [*self._tail, samples],
                self._tail_n,
                self.window,
                ends,
                [carried + k + 1 == self.window for k in ends],
            )
            self._keep(samples, n)
            return found
        # A few lost packets do not break a still period; a longer gap may hide a turned strap.
        restart = None
        if any_of(samples.gap_before):
            previous = np.concatenate(([self._last_time_s], samples.time_s[:-1]))
            restart = samples.gap_before & (samples.time_s - previous > MAX_GAP_IN_REST_S)
        run = still_runs(still, restart, self._run)
        # Whole multiples of the window (the quotient is exact there, and only there whole:
        # a tenth of the cost of the integers' remainder).
        cycles = run / self.window
        ends = ((run > 0) & (cycles == np.floor(cycles))).nonzero()[0].tolist()
        found = (
            StillWindows(
                [*self._tail, samples],
                self._tail_n,
                self.window,
                ends,
                [int(run[k]) == self.window for k in ends],
            )
            if ends
            else _NONE
        )
        self._run = int(run[-1])
        self._last_time_s = float(samples.time_s[-1])
        if self._run:
            self._keep(samples, n)
        else:
            self._tail, self._tail_n = [], 0
        return found

    def _keep(self, samples: SensorSamples, n: int) -> None:
        """Add a block (of `n` samples) to the tail, and drop the blocks no window can reach back to."""
        self._tail.append(samples)
        self._tail_n += n
        while self._tail_n - self._tail[0].time_s.size >= self.window:
            self._tail_n -= self._tail.pop(0).time_s.size
