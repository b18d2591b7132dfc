"""Per-sensor link bookkeeping: loss, duplicates, wrap-around and restarts of a packet stream."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from firmware_ble.protocol_core import COUNTER_MODULUS, SEQUENCE_MODULUS
from imu_reader.protocol._decode import DecodedPackets, Malformed

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CONTINUES_WITHIN_SAMPLES = 1 << 24
"""After a reconnect, a counter at most this far ahead of where the last epoch stopped
(46 h at 100 Hz) means the sensor kept counting: the samples in between were lost."""

DUPLICATE_WINDOW = 256
"""A sequence number at most this far behind the newest is a duplicate or late packet;
further back, the sensor restarted its counters (a reboot) and a new epoch begins."""


@dataclass(frozen=True)
class LinkStats:
    """Snapshot of one sensor's link counters since the tracker was created.

    Attributes:
        packets_received: notifications seen, good or bad.
        packets_lost: packets missing from the sequence (estimated from sequence gaps).
        duplicates: packets dropped because their sequence number was already seen (or late).
        malformed: rejected notifications by reason (`truncated_header`, `unknown_version`,
            `empty`, `wrong_length`).
        samples: samples delivered.
        samples_lost: samples missing from the device counter (lost packets or firmware overflow).
        restarts: times the sensor's sequence and counter started over (reboot, reconnect).
        gaps: times a gap was marked in the delivered samples.
    """

    packets_received: int = 0
    packets_lost: int = 0
    duplicates: int = 0
    malformed: dict[str, int] = field(default_factory=dict)
    samples: int = 0
    samples_lost: int = 0
    restarts: int = 0
    gaps: int = 0

    @property
    def malformed_total(self) -> int:
        """All rejected notifications."""
        return sum(self.malformed.values())

    @property
    def loss_fraction(self) -> float:
        """Lost packets over packets sent (kept + lost), 0 when nothing was sent."""
        sent = self.packets_received - self.duplicates - self.malformed_total + self.packets_lost
        return self.packets_lost / sent if sent else 0.0


@dataclass(frozen=True)
class TrackedPackets:
    """The packets of a batch that carry new samples, with unwrapped counters.

    Attributes:
        index: positions of the kept packets in the decoded batch, shape (k,).
        first_counter: unwrapped device counter of each kept packet's first sample, shape (k,).
        sample_count: samples per kept packet, shape (k,).
        gap_before: True where samples are missing before the packet (loss, restart), shape (k,).
        epoch: stream epoch of each kept packet; it increases at every restart, shape (k,).
    """

    index: IntArray
    first_counter: IntArray
    sample_count: IntArray
    gap_before: BoolArray
    epoch: IntArray


class LinkTracker:
    """Stateful sequence and counter tracking of one sensor's notifications."""

    def __init__(self) -> None:
        self._received = 0
        self._malformed = dict.fromkeys((m.label for m in Malformed if m), 0)
        self._lost = 0
        self._duplicates = 0
        self._samples = 0
        self._samples_lost = 0
        self._restarts = 0
        self._gaps = 0
        self._epoch = -1
        self._last_seq: int | None = None
        self._next_counter = 0
        self._previous_end: tuple[int, int] | None = None  # last sequence, next counter
        self._begin_epoch()

    def restart(self) -> None:
        """Start a new epoch: the next packet's sequence and counter are taken as they come.

        The link calls this after a reconnect; a large backwards jump in the sequence or the
        counter triggers it too. If the sensor's counters simply went on (no reboot), what
        the reconnect lost is counted. A reboot that sends fewer packets than
        DUPLICATE_WINDOW before the host sees it looks exactly like late duplicates, so only
        the link (which sees the disconnect every reboot causes) can call it: recordings
        store link events for that reason.
        """
        self._restarts += 1
        self._begin_epoch()

    def _begin_epoch(self) -> None:
        if self._last_seq is not None:
            self._previous_end = (self._last_seq, self._next_counter)
        self._last_seq = None
        self._next_counter = 0
        self._epoch += 1

    @property
    def epoch(self) -> int:
        """Current epoch number, starting at 0."""
        return self._epoch

    @property
    def stats(self) -> LinkStats:
        """Counters so far."""
        return LinkStats(
            packets_received=self._received,
            packets_lost=self._lost,
            duplicates=self._duplicates,
            malformed=dict(self._malformed),
            samples=self._samples,
            samples_lost=self._samples_lost,
            restarts=self._restarts,
            gaps=self._gaps,
        )

    def update(self, decoded: DecodedPackets) -> TrackedPackets:
        """Account for a batch in arrival order and return the packets worth keeping."""
        self._received += len(decoded)
        status = decoded.status
        if status.any():
            for code, n in enumerate(np.bincount(status, minlength=len(_MALFORMED_LABELS)).tolist()):
                if code:
                    self._malformed[_MALFORMED_LABELS[code]] += n
            good = np.flatnonzero(status == Malformed.OK)
        else:
            good = np.arange(status.shape[0])
        parts: list[TrackedPackets] = []
        start = 0
        while start < good.shape[0]:
            kept, restart_at = self._segment(decoded, good[start:])
            parts.append(kept)
            if restart_at is None:
                break
            self.restart()
            start += restart_at
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return TrackedPackets(empty, empty, empty, np.zeros(0, dtype=np.bool_), empty)
        if len(parts) == 1:
            return parts[0]
        return TrackedPackets(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))

    def take_next(self, sequence: int, first_counter: int, count: int) -> tuple[int, bool] | None:
        """`update` for one good packet that follows the last one kept (the usual case of a
        live link), without arrays: returns its unwrapped first counter and whether samples
        are missing before it. Any other case (the first packet of an epoch, a duplicate,
        a late packet, a restart) returns None and counts nothing: give it to `update`."""
        if self._last_seq is None:
            return None
        step = (sequence - self._last_seq) % SEQUENCE_MODULUS
        # The same wrap-around as `_segment`'s int16 and int32 casts: forward is below half.
        if not 0 < step < SEQUENCE_MODULUS // 2:
            return None
        counter_step = (first_counter - self._next_counter) % COUNTER_MODULUS
        if counter_step >= COUNTER_MODULUS // 2:
            return None
        self._received += 1
        self._lost += step - 1
        self._samples += count
        self._samples_lost += counter_step
        self._gaps += int(counter_step > 0)
        first = self._next_counter + counter_step
        self._last_seq = sequence
        self._next_counter = first + count
        return first, counter_step > 0

    def _segment(self, decoded: DecodedPackets, idx: IntArray) -> tuple[TrackedPackets, int | None]:
        """Process good packets `idx` up to the first restart; returns the kept ones and
        the position in `idx` where a restart begins, if any."""
        if idx.shape[0] == len(decoded):  # all good: slices, not gathers
            seq, counter, count = decoded.sequence, decoded.first_counter, decoded.sample_count
        else:
            seq, counter, count = decoded.sequence[idx], decoded.first_counter[idx], decoded.sample_count[idx]
        first_of_epoch = self._last_seq is None
        prev_seq = np.concatenate(([seq[0] if self._last_seq is None else self._last_seq], seq[:-1]))
        # Casting the difference to int16 wraps it into [-2**15, 2**15): modular arithmetic.
        step = (seq - prev_seq).astype(np.int16).astype(np.int64)
        # Sequence numbers relative to the last kept packet (0), unwrapped.
        unwrapped = np.cumsum(step)
        restart_at: int | None = None
        if (step[1:] > 0).all() and (first_of_epoch or step[0] > 0):
            limit = seq.shape[0]
            kept = np.arange(limit)  # no duplicate, late packet or restart: the usual case
            k_counter, k_count = counter, count
        else:
            # Behind the newest so far: a duplicate within the window, a restart beyond it.
            newest = np.maximum.accumulate(np.concatenate(([-1 if first_of_epoch else 0], unwrapped)))[:-1]
            back = np.flatnonzero(unwrapped < newest - DUPLICATE_WINDOW)
            if back.size:
                restart_at = int(back[0])
            limit = restart_at if restart_at is not None else seq.shape[0]
            kept = np.flatnonzero(unwrapped[:limit] > newest[:limit])
            k_counter, k_count = counter[kept], count[kept]
        # Counter steps between consecutive kept packets; negative means the device restarted.
        expected = np.concatenate(([self._next_counter], k_counter[:-1] + k_count[:-1]))
        if first_of_epoch and kept.size:
            expected[0] = k_counter[0]
        counter_step = (k_counter - expected).astype(np.int32).astype(np.int64)  # wraps modulo 2**32
        backwards = np.flatnonzero(counter_step < 0)
        if backwards.size:
            cut = int(backwards[0])
            restart_at = int(kept[cut])
            kept, k_count, counter_step = kept[:cut], k_count[:cut], counter_step[:cut]
            limit = restart_at
        unwrapped_kept = unwrapped[kept] if kept.shape[0] != limit else unwrapped[:limit]
        seq_gap = np.diff(np.concatenate(([-1 if first_of_epoch else 0], unwrapped_kept))) - 1
        if first_of_epoch and kept.size:
            seq_gap[0] = 0
        first_unwrapped = (
            (self._next_counter if not first_of_epoch else (int(counter[kept[0]]) if kept.size else 0))
            + np.cumsum(counter_step)
            + np.cumsum(k_count)
            - k_count
        )
        gap = counter_step > 0
        if first_of_epoch and kept.size and self._epoch > 0:
            gap[0] = self._count_reconnect_loss(int(seq[kept[0]]), int(k_counter[0]))
        self._duplicates += int(limit - kept.size)
        self._lost += int(seq_gap.sum())
        self._samples += int(k_count.sum())
        self._samples_lost += int(counter_step[counter_step > 0].sum())
        self._gaps += int(np.count_nonzero(gap))
        if kept.size:
            self._last_seq = int(seq[kept[-1]])
            self._next_counter = int(first_unwrapped[-1] + k_count[-1])
        epoch = np.full(kept.size, self._epoch, dtype=np.int64)
        return TrackedPackets(idx[kept], first_unwrapped, k_count, gap, epoch), restart_at

    def _count_reconnect_loss(self, sequence: int, counter: int) -> bool:
        """Count what a reconnect lost when the sensor's counters simply went on (no reboot);
        returns whether the new epoch starts after a gap."""
        if self._previous_end is None:
            return True
        last_seq, next_counter = self._previous_end
        ahead = (counter - next_counter) % COUNTER_MODULUS
        if ahead >= CONTINUES_WITHIN_SAMPLES:
            return True  # the counter restarted: how much was lost is unknown
        self._samples_lost += ahead
        skipped = (sequence - last_seq) % SEQUENCE_MODULUS
        if skipped < SEQUENCE_MODULUS // 2:
            self._lost += max(0, skipped - 1)
        return ahead > 0


_FIELDS = ("index", "first_counter", "sample_count", "gap_before", "epoch")
_MALFORMED_LABELS = [code.label for code in sorted(Malformed)]
"""Labels by code value (0 = OK), looked up once: enum attribute access is slow per batch."""
