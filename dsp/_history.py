"""The recent past of a few aligned signals, kept for looking back.

A detector that looks back over the last seconds keeps them as arrays; joining each new
block onto them copies the whole history, and a live session adds a few samples at a
time to tens of seconds kept: the copy costs more than the rest of the block's work.
`History` appends into buffers with room instead, and drops from the front by moving a
start index, so a block costs what it adds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MIN_ROOM = 1024
"""Samples a history's buffer holds at least (it grows as needed)."""


class History:
    """`count` float signals of one length, sample by sample: appended at the end, dropped
    from the front. `columns()` gives views of what is kept, in time order."""

    def __init__(self, count: int) -> None:
        self._buffer = np.zeros((count, 0))
        self._start = 0
        self._end = 0

    def __len__(self) -> int:
        return self._end - self._start

    def add(self, *values: FloatArray) -> None:
        """Append one block: an array of the same length per signal."""
        n = values[0].shape[0]
        end = self._end + n
        if end > self._buffer.shape[1]:
            # A new buffer, twice what is kept, so that views handed out stay valid (the
            # old one is never written over).
            kept = self._end - self._start
            room = np.empty((self._buffer.shape[0], max(2 * (kept + n), MIN_ROOM)))
            room[:, :kept] = self._buffer[:, self._start : self._end]
            self._buffer, self._start, self._end, end = room, 0, kept, kept + n
        for row, x in zip(self._buffer, values, strict=True):
            row[self._end : end] = x
        self._end = end

    def drop(self, n: int) -> None:
        """Forget the oldest `n` samples."""
        self._start = min(self._start + max(n, 0), self._end)

    def columns(self) -> tuple[FloatArray, ...]:
        """Each signal as kept (views, valid until the next `add` or `drop` changes them)."""
        return tuple(self._buffer[:, self._start : self._end])


def with_room(values: FloatArray, size: int) -> FloatArray:
    """A new buffer of `size` samples (rows) starting with `values`, the rest to be written."""
    out = np.empty((size, *values.shape[1:]))
    out[: values.shape[0]] = values
    return out
