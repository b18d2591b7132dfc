"""LinkTracker: loss, duplicates, wrap-around, firmware overflow and restarts of one sensor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from firmware_ble import protocol_core as core
from imu_reader.link_model import LinkModelSettings, Transmission, transmit
from imu_reader.protocol import (
    DUPLICATE_WINDOW,
    LinkStats,
    LinkTracker,
    TrackedPackets,
    decode_packets,
)

FIELDS = ("index", "first_counter", "sample_count", "gap_before", "epoch")


def pkt(sequence: int, counter: int, count: int = 1) -> bytes:
    """A packet whose samples carry their own device counter (mod 2**15) in acc x."""
    samples = []
    for i in range(count):
        samples += [(counter + i) % 2**15, 0, 0, 0, 0, 0]
    return bytes(core.pack_data(sequence, counter, samples))


def run(
    packets: Sequence[bytes], chunks: Sequence[int] | None = None
) -> tuple[dict[str, list[int]], LinkStats]:
    """Feed `packets` in chunks of the given sizes (one batch if None) to a fresh tracker.

    Returns the concatenated TrackedPackets fields, with `index` made global, and the stats.
    """
    tracker = LinkTracker()
    sizes = [len(packets)] if chunks is None else list(chunks)
    assert sum(sizes) == len(packets)
    out: dict[str, list[int]] = {f: [] for f in FIELDS}
    start = 0
    for size in sizes:
        kept: TrackedPackets = tracker.update(decode_packets(packets[start : start + size]))
        for f in FIELDS:
            values = getattr(kept, f)
            assert values.shape == kept.index.shape
            out[f] += (values + start if f == "index" else values).tolist()
        start += size
    return out, tracker.stats


def random_chunks(rng: np.random.Generator, n: int, high: int) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(min(int(rng.integers(1, high)), n - sum(sizes)))
    return sizes


def test_sequence_gaps_are_counted_as_lost_packets() -> None:
    seqs = [0, 1, 2, 5, 6, 7, 9, 10]  # 3, 4 and 8 lost
    packets = [pkt(s, 100 + 3 * s, 3) for s in seqs]
    kept, stats = run(packets)
    assert kept["index"] == list(range(8))
    assert kept["first_counter"] == [100 + 3 * s for s in seqs]
    assert kept["sample_count"] == [3] * 8
    assert kept["gap_before"] == [False, False, False, True, False, False, True, False]
    assert kept["epoch"] == [0] * 8
    assert stats.packets_received == 8
    assert stats.packets_lost == 3
    assert stats.samples_lost == 9
    assert stats.samples == 24
    assert stats.gaps == 2
    assert stats.duplicates == 0
    assert stats.restarts == 0
    assert stats.loss_fraction == pytest.approx(3 / 11, abs=1e-12)


def test_duplicates_are_dropped_counted_and_never_delivered_twice() -> None:
    rng = np.random.default_rng(11)
    n = 300
    originals = [pkt((65_400 + i) % 2**16, 2 * i, 2) for i in range(n)]  # sequence wraps at i = 136
    stream: list[int] = []  # positions into `originals`, in arrival order
    for i in range(n):
        stream.append(i)
        if rng.random() < 0.1:
            stream.append(i)  # resent right away
    for _ in range(40):  # late copies, up to 30 packets behind the newest
        j = int(rng.integers(0, len(stream)))
        stream.insert(min(len(stream), j + int(rng.integers(1, 30))), stream[j])
    packets = [originals[i] for i in stream]
    first_seen = sorted({i: k for k, i in reversed(list(enumerate(stream)))}.values())

    for chunks in (None, random_chunks(rng, len(packets), 20), [1] * len(packets)):
        kept, stats = run(packets, chunks)
        assert kept["index"] == first_seen
        assert kept["first_counter"] == [2 * i for i in range(n)]  # each sample once, in order
        assert not any(kept["gap_before"])
        assert stats.duplicates == len(packets) - n
        assert stats.packets_lost == 0
        assert stats.samples == 2 * n
        assert stats.samples_lost == 0
        assert stats.restarts == 0


def test_duplicate_at_the_start_of_the_next_batch_is_dropped() -> None:
    tracker = LinkTracker()
    first = tracker.update(decode_packets([pkt(5, 10), pkt(6, 11)]))
    second = tracker.update(decode_packets([pkt(6, 11), pkt(5, 10), pkt(7, 12)]))
    assert first.index.tolist() == [0, 1]
    assert second.index.tolist() == [2]
    assert second.first_counter.tolist() == [12]
    assert tracker.stats.duplicates == 2
    assert tracker.stats.packets_lost == 0


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("chunking", ["whole", "ones", "pairs"])
def test_sequence_and_counter_wrap_are_continuous(count: int, chunking: str) -> None:
    n = 12
    first_seq = 2**16 - 5  # 65531 ... 65535, 0, 1, ...
    first_counter = 2**32 - 3 * count + 1  # the counter wraps inside packet 2 (or at it, for count 1)
    packets = [pkt(first_seq + i, first_counter + count * i, count) for i in range(n)]
    wire = decode_packets(packets)
    assert wire.sequence.tolist()[4:6] == [65535, 0]
    assert int(wire.first_counter.max()) <= 2**32 - 1
    assert int(wire.first_counter[-1]) < 100  # the wire counter did wrap
    chunks = {"whole": None, "ones": [1] * n, "pairs": [2] * (n // 2)}[chunking]
    kept, stats = run(packets, chunks)
    assert kept["first_counter"] == [first_counter + count * i for i in range(n)]
    assert kept["first_counter"][-1] > 2**32  # unwrapped, not reduced
    assert not any(kept["gap_before"])
    assert kept["epoch"] == [0] * n
    assert stats.packets_lost == 0
    assert stats.samples_lost == 0
    assert stats.restarts == 0
    assert stats.gaps == 0
    assert stats.samples == count * n


def test_counter_exactly_at_the_wrap_is_continuous() -> None:
    packets = [pkt(65535, 2**32 - 1), pkt(0, 0), pkt(1, 1)]
    kept, stats = run(packets)
    assert kept["first_counter"] == [2**32 - 1, 2**32, 2**32 + 1]
    assert kept["gap_before"] == [False] * 3
    assert (stats.packets_lost, stats.samples_lost, stats.restarts) == (0, 0, 0)


def test_counter_jump_with_sequence_step_is_a_firmware_overflow() -> None:
    counters = [0, 4, 8, 19, 23, 27]  # 7 samples dropped in the sensor's ring buffer before 19
    packets = [pkt(10 + i, c, 4) for i, c in enumerate(counters)]
    kept, stats = run(packets)
    assert kept["first_counter"] == counters
    assert kept["gap_before"] == [False, False, False, True, False, False]
    assert stats.samples_lost == 7
    assert stats.packets_lost == 0
    assert stats.gaps == 1
    assert stats.restarts == 0


def test_sequence_jump_back_beyond_the_window_is_a_restart() -> None:
    packets = [pkt(1000 + i, 5000 + i) for i in range(10)] + [pkt(i, i) for i in range(5)]
    tracker = LinkTracker()
    kept = tracker.update(decode_packets(packets))
    assert kept.index.tolist() == list(range(15))
    assert kept.epoch.tolist() == [0] * 10 + [1] * 5
    assert kept.first_counter.tolist()[10:] == [0, 1, 2, 3, 4]  # the new epoch takes counters as they come
    assert kept.gap_before.tolist() == [False] * 10 + [True] + [False] * 4
    assert tracker.epoch == 1
    stats = tracker.stats
    assert stats.restarts == 1
    assert stats.gaps == 1
    assert stats.duplicates == 0
    assert stats.packets_lost == 0


@pytest.mark.parametrize(("back", "is_restart"), [(DUPLICATE_WINDOW, False), (DUPLICATE_WINDOW + 1, True)])
def test_duplicate_window_boundary(back: int, is_restart: bool) -> None:
    packets = [pkt(1000, 50), pkt(1000 - back, 0)]
    kept, stats = run(packets)
    if is_restart:
        assert kept["index"] == [0, 1]
        assert kept["epoch"] == [0, 1]
        assert kept["gap_before"] == [False, True]
        assert (stats.restarts, stats.duplicates) == (1, 0)
    else:
        assert kept["index"] == [0]
        assert (stats.restarts, stats.duplicates) == (0, 1)


def test_counter_backwards_with_sequence_forward_is_a_restart() -> None:
    packets = [pkt(50 + i, 1000 + 2 * i, 2) for i in range(5)] + [pkt(55, 6, 2), pkt(56, 8, 2)]
    for chunks in (None, [5, 2], [6, 1], [1] * 7):
        kept, stats = run(packets, chunks)
        assert kept["index"] == list(range(7))
        assert kept["epoch"] == [0] * 5 + [1, 1]
        assert kept["first_counter"] == [1000, 1002, 1004, 1006, 1008, 6, 8]
        assert kept["gap_before"] == [False] * 5 + [True, False]
        assert stats.restarts == 1
        assert stats.samples_lost == 0
        assert stats.packets_lost == 0


def test_explicit_restart_then_sequence_from_zero_is_accepted() -> None:
    before = [pkt(i, i) for i in range(100)]
    after = [pkt(i, i) for i in range(10)]  # only 90..99 behind the newest: duplicates without restart()

    plain = LinkTracker()
    plain.update(decode_packets(before))
    assert plain.update(decode_packets(after)).index.size == 0
    assert plain.stats.duplicates == 10

    tracker = LinkTracker()
    tracker.update(decode_packets(before))
    tracker.restart()
    assert tracker.epoch == 1
    kept = tracker.update(decode_packets(after))
    assert kept.index.tolist() == list(range(10))
    assert kept.first_counter.tolist() == list(range(10))
    assert kept.epoch.tolist() == [1] * 10
    assert kept.gap_before.tolist() == [True] + [False] * 9
    stats = tracker.stats
    assert stats.restarts == 1
    assert stats.duplicates == 0
    assert stats.packets_lost == 0
    assert stats.samples == 110


@pytest.mark.parametrize(("resume_at", "lost_packets", "gap"), [(100, 0, False), (150, 50, True)])
def test_reconnect_with_counters_going_on_counts_what_was_lost(
    resume_at: int, lost_packets: int, gap: bool
) -> None:
    # The link dropped and came back without a reboot: sequence and counter went on.
    tracker = LinkTracker()
    tracker.update(decode_packets([pkt(i, 2 * i, 2) for i in range(100)]))
    tracker.restart()
    kept = tracker.update(decode_packets([pkt(i, 2 * i, 2) for i in range(resume_at, resume_at + 10)]))
    assert kept.index.tolist() == list(range(10))
    assert kept.gap_before.tolist() == [gap] + [False] * 9
    stats = tracker.stats
    assert stats.packets_lost == lost_packets
    assert stats.samples_lost == 2 * lost_packets
    assert stats.restarts == 1
    assert stats.loss_fraction == pytest.approx(lost_packets / (110 + lost_packets))


def test_reboot_after_reconnect_loss_is_unknown() -> None:
    tracker = LinkTracker()
    tracker.update(decode_packets([pkt(i, 1000 + i) for i in range(300)]))
    tracker.restart()
    kept = tracker.update(decode_packets([pkt(i, i) for i in range(5)]))  # counters back at 0
    assert kept.gap_before.tolist() == [True, False, False, False, False]
    assert tracker.stats.samples_lost == 0
    assert tracker.stats.packets_lost == 0


def test_roles_agree_between_protocol_and_dsp() -> None:
    from dsp import ROLES

    assert tuple(core.ROLES) == ROLES


def test_malformed_packets_are_counted_and_do_not_disturb_tracking() -> None:
    packets = [pkt(i, 2 * i, 2) for i in range(10)]
    packets[4] = packets[4][:-3]  # corrupted in transit: its samples are lost
    packets.insert(7, b"")
    packets.insert(2, b"\x02" + packets[2][1:])
    kept, stats = run(packets)
    assert stats.malformed == {"truncated_header": 1, "unknown_version": 1, "empty": 0, "wrong_length": 1}
    assert stats.malformed_total == 3
    assert stats.packets_received == 12
    assert stats.packets_lost == 1  # sequence 4
    assert stats.samples_lost == 2
    assert kept["first_counter"] == [2 * i for i in range(10) if i != 4]
    assert len(kept["index"]) + stats.duplicates + stats.malformed_total == stats.packets_received


def _stream_with_everything(seed: int) -> list[bytes]:
    """Two link-model epochs with wraps, loss, duplicates, late copies and malformed packets."""
    rng = np.random.default_rng(seed)
    link: dict[str, Any] = {"samples_per_packet": 4, "loss": 0.05, "duplicate": 0.05, "jitter_s": 0.01}
    first = transmit(
        rng.integers(-100, 100, size=(8000, 6)).astype(np.int16),
        LinkModelSettings(**link, first_sequence=65_000, first_counter=2**32 - 2000),
        rng,
    )
    second = transmit(
        rng.integers(-100, 100, size=(1000, 6)).astype(np.int16), LinkModelSettings(**link), rng
    )
    packets = first.packets + second.packets
    for _ in range(30):  # late copies, less than DUPLICATE_WINDOW behind, within the first epoch
        j = int(rng.integers(0, len(first.packets) - 60))
        packets.insert(j + int(rng.integers(2, 30)), packets[j])
    for _ in range(20):
        j = int(rng.integers(0, len(packets)))
        packets.insert(j, packets[j][: int(rng.integers(0, 30))])
    return packets


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_block_size_invariance(seed: int) -> None:
    packets = _stream_with_everything(seed)
    reference, reference_stats = run(packets)
    assert reference_stats.restarts == 1
    assert reference_stats.packets_lost > 50
    assert reference_stats.duplicates > 50
    assert reference_stats.malformed_total > 0
    assert max(reference["first_counter"]) > 2**32
    rng = np.random.default_rng(100 + seed)
    chunkings = [
        [1] * len(packets),
        random_chunks(rng, len(packets), 8),
        random_chunks(rng, len(packets), 300),
    ]
    for chunks in chunkings:
        kept, stats = run(packets, chunks)
        for f in FIELDS:
            assert kept[f] == reference[f], f
        assert stats == reference_stats


def test_late_packet_far_behind_the_newest_is_block_size_invariant() -> None:
    # 800 is a late copy 201 behind the newest; 700 is 301 behind the newest (1001) but only
    # 100 behind the packet before it. DUPLICATE_WINDOW is documented as a distance behind the
    # *newest* sequence, so the result must not depend on where the batches are cut.
    packets = [
        pkt(1000, 2000, 2),
        pkt(1001, 2002, 2),
        pkt(800, 1600, 2),
        pkt(700, 1400, 2),
        pkt(1002, 2004, 2),
    ]
    whole, whole_stats = run(packets)
    for chunks in ([3, 2], [1] * 5):
        kept, stats = run(packets, chunks)
        for f in FIELDS:
            assert kept[f] == whole[f], (chunks, f, kept[f], whole[f])
        assert stats == whole_stats


def _true_interior_loss(tx: Transmission, count: int) -> int:
    """Lost packets between the first and the last received one (the only ones a receiver can see)."""
    got = tx.received[: tx.packets_sent * count : count]
    first, last = np.flatnonzero(got)[[0, -1]]
    return int(np.count_nonzero(~got[first : last + 1]))


@pytest.mark.parametrize("seed", [3, 4])
def test_loss_fraction_with_five_percent_random_loss(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tx = transmit(
        rng.integers(-100, 100, size=(6000, 6)).astype(np.int16),
        LinkModelSettings(loss=0.05, duplicate=0.02, jitter_s=0.02, first_sequence=60_000),
        rng,
    )
    true_loss = tx.packets_lost / tx.packets_sent
    assert 0.04 < true_loss < 0.06
    _, stats = run(tx.packets, random_chunks(rng, len(tx.packets), 40))
    assert abs(stats.loss_fraction - true_loss) <= 0.005
    assert stats.packets_lost == _true_interior_loss(tx, 1)
    assert stats.samples == int(tx.received.sum())
    assert stats.duplicates == len(tx.packets) - (tx.packets_sent - tx.packets_lost)
    assert stats.restarts == 0
