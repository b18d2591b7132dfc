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
        # The buffer's rows, and the views `columns()` last gave (None once they are stale):
        # a live block appends a few samples and asks for the columns again, and numpy's
        # handling of each view and assignment costs more than the copy.
        self._rows: list[FloatArray] = list(self._buffer)
        self._columns: tuple[FloatArray, ...] | None = None
        self._start = 0
        self._end = 0

    def __len__(self) -> int:
        return self._end - self._start

    def add(self, *values: FloatArray) -> None:
        """Append one block: an array of the same length per signal."""
        if len(values) != len(self._rows):  # before the buffer changes: nothing half-done
            raise ValueError(f"{len(self._rows)} signals kept, {len(values)} given")
        start = self._end
        end = start + values[0].shape[0]
        if end > self._buffer.shape[1]:
            # A new buffer, twice what is kept, so that views handed out stay valid (the
            # old one is never written over).
            kept = start - self._start
            room = np.empty((self._buffer.shape[0], max(2 * (end - self._start), MIN_ROOM)))
            room[:, :kept] = self._buffer[:, self._start : start]
            self._buffer, self._rows, self._start = room, list(room), 0
            start, end = kept, kept + values[0].shape[0]
        self._buffer[:, start:end] = values  # one numpy call for all
        self._end = end
        self._columns = None

    def drop(self, n: int) -> None:
        """Forget the oldest `n` samples."""
        if n > 0 and self._start < self._end:
            self._start = min(self._start + n, self._end)
            self._columns = None

    def columns(self) -> tuple[FloatArray, ...]:
        """Each signal as kept (views, valid until the next `add` or `drop` changes them)."""
        if self._columns is None:
            start, end = self._start, self._end
            self._columns = tuple([row[start:end] for row in self._rows])
        return self._columns


def with_room(values: FloatArray, size: int) -> FloatArray:
    """A new buffer of `size` samples (rows) starting with `values`, the rest to be written."""
    out = np.empty((size, *values.shape[1:]))
    out[: values.shape[0]] = values
    return out
