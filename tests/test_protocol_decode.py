"""The host's vectorised decoder against the firmware's reference codec.

`imu_reader.protocol.decode_packets` / `decode_buffer` decode whole batches with numpy;
`firmware_ble.protocol_core.unpack_data` decodes one packet with `struct` and is the
independent reference here. Every comparison is exact: the wire carries integers.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_ble import protocol_core as core
from imu_reader import SensorStream
from imu_reader.protocol import (
    DecodedPackets,
    LinkTracker,
    Malformed,
    SensorInfo,
    decode_buffer,
    decode_packets,
)

ROOT = Path(__file__).resolve().parent.parent
VECTORS_PATH = ROOT / "firmware_ble" / "protocol_v1_vectors.json"

# The reference raises ValueError with these words for each kind of malformed packet.
_REFERENCE_REASONS = (
    ("truncated header", Malformed.TRUNCATED_HEADER),
    ("unknown protocol version", Malformed.UNKNOWN_VERSION),
    ("sample count is 0", Malformed.EMPTY),
    ("does not match", Malformed.WRONG_LENGTH),
)


def reference_unpack(packet: bytes) -> tuple[Malformed, tuple[int, int, tuple[int, ...]] | None]:
    """One packet through `protocol_core.unpack_data`, its error mapped onto a `Malformed` code."""
    try:
        decoded = core.unpack_data(packet)
    except ValueError as exc:
        message = str(exc)
        for words, code in _REFERENCE_REASONS:
            if words in message:
                return code, None
        raise AssertionError(f"reference raised an unclassified error: {message!r}") from exc
    return Malformed.OK, decoded


def assert_matches_reference(decoded: DecodedPackets, packets: Sequence[bytes]) -> None:
    """Every field of `decoded` equals what the reference decodes packet by packet."""
    status: list[int] = []
    sequence: list[int] = []
    first: list[int] = []
    count: list[int] = []
    raw: list[int] = []
    for packet in packets:
        code, fields = reference_unpack(packet)
        status.append(int(code))
        if fields is None:
            sequence.append(0)
            first.append(0)
            count.append(0)
        else:
            seq, counter, samples = fields
            sequence.append(seq)
            first.append(counter)
            count.append(len(samples) // 6)
            raw.extend(samples)
    assert len(decoded) == len(packets)
    assert decoded.status.dtype == np.uint8
    assert decoded.raw.dtype == np.int16
    assert decoded.status.tolist() == status
    assert decoded.sequence.tolist() == sequence
    assert decoded.first_counter.tolist() == first
    assert decoded.sample_count.tolist() == count
    assert decoded.raw.shape == (len(raw) // 6, 6)
    assert decoded.raw.ravel().tolist() == raw
    assert decoded.ok.tolist() == [s == Malformed.OK for s in status]


def random_packet(rng: np.random.Generator, count: int) -> bytes:
    samples = rng.integers(-(2**15), 2**15, size=6 * count).tolist()
    return bytes(core.pack_data(int(rng.integers(0, 2**16)), int(rng.integers(0, 2**32)), samples))


def with_byte(packet: bytes, position: int, value: int) -> bytes:
    changed = bytearray(packet)
    changed[position] = value
    return bytes(changed)


# --- batches -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 4, 19])
def test_uniform_batch_matches_reference(count: int) -> None:
    rng = np.random.default_rng(10 + count)
    packets = [random_packet(rng, count) for _ in range(64)]
    # Extremes of every header field and of int16.
    packets.append(core.pack_data(0xFFFF, 2**32 - 1, [-(2**15), 2**15 - 1, 0, -1, 1, 0] * count))
    packets.append(core.pack_data(0, 0, [0] * (6 * count)))
    decoded = decode_packets(packets)
    assert_matches_reference(decoded, packets)
    assert decoded.ok.all()
    assert decoded.sequence[-2] == 0xFFFF
    assert decoded.first_counter[-2] == 2**32 - 1


def test_uniform_length_batch_with_some_malformed_rows_matches_reference() -> None:
    # Every packet has the same byte length, so the fast path runs, but some rows are bad.
    rng = np.random.default_rng(2)
    packets = [random_packet(rng, 3) for _ in range(40)]
    packets[3] = with_byte(packets[3], 0, 2)  # unknown version
    packets[17] = with_byte(packets[17], 1, 0)  # empty
    packets[18] = with_byte(packets[18], 1, 2)  # wrong length (count 2 in a 3-sample packet)
    packets[39] = with_byte(packets[39], 0, 0)  # unknown version, last row
    decoded = decode_packets(packets)
    assert_matches_reference(decoded, packets)
    assert np.flatnonzero(~decoded.ok).tolist() == [3, 17, 18, 39]
    assert decoded.raw.shape == (36 * 3, 6)


def test_uniform_length_batch_with_only_malformed_rows_matches_reference() -> None:
    rng = np.random.default_rng(3)
    packets = [with_byte(random_packet(rng, 2), 0, 0x7F) for _ in range(10)]
    decoded = decode_packets(packets)
    assert_matches_reference(decoded, packets)
    assert (decoded.status == Malformed.UNKNOWN_VERSION).all()
    assert decoded.raw.shape == (0, 6)


def test_mixed_length_batch_matches_reference() -> None:
    rng = np.random.default_rng(4)
    packets = [random_packet(rng, int(rng.integers(1, 20))) for _ in range(200)]
    assert len({len(p) for p in packets}) > 10
    decoded = decode_packets(packets)
    assert_matches_reference(decoded, packets)
    assert decoded.ok.all()
    assert int(decoded.sample_count.sum()) == decoded.raw.shape[0]


GOOD = core.pack_data(7, 123_456, list(range(-9, 9)))  # 3 samples, 44 bytes

MALFORMED_CASES = {
    "empty_bytes": (b"", Malformed.TRUNCATED_HEADER),
    "one_byte": (b"\x01", Malformed.TRUNCATED_HEADER),
    "header_minus_one": (GOOD[:7], Malformed.TRUNCATED_HEADER),
    "version_0": (with_byte(GOOD, 0, 0), Malformed.UNKNOWN_VERSION),
    "version_2": (with_byte(GOOD, 0, 2), Malformed.UNKNOWN_VERSION),
    "version_255_header_only": (with_byte(GOOD[:8], 0, 255), Malformed.UNKNOWN_VERSION),
    "count_0_header_only": (with_byte(GOOD[:8], 1, 0), Malformed.EMPTY),
    "count_0_with_body": (with_byte(GOOD, 1, 0), Malformed.EMPTY),
    "short_by_one_byte": (GOOD[:-1], Malformed.WRONG_LENGTH),
    "short_by_one_sample": (GOOD[:-12], Malformed.WRONG_LENGTH),
    "header_only_count_3": (GOOD[:8], Malformed.WRONG_LENGTH),
    "long_by_one_byte": (GOOD + b"\x00", Malformed.WRONG_LENGTH),
    "long_by_one_sample": (GOOD + bytes(12), Malformed.WRONG_LENGTH),
}


@pytest.mark.parametrize(("packet", "expected"), MALFORMED_CASES.values(), ids=MALFORMED_CASES.keys())
def test_each_malformed_kind_is_flagged_among_good_packets(packet: bytes, expected: Malformed) -> None:
    assert reference_unpack(packet)[0] == expected  # the reference agrees on the kind
    rng = np.random.default_rng(5)
    good = [random_packet(rng, 3) for _ in range(4)]
    for batch in ([packet], [good[0], packet, good[1]], [packet, *good], [*good, packet]):
        decoded = decode_packets(batch)
        assert_matches_reference(decoded, batch)
        bad_at = batch.index(packet)
        assert decoded.status[bad_at] == expected
        assert Malformed(int(decoded.status[bad_at])).label == expected.name.lower()
        assert decoded.sequence[bad_at] == 0
        assert decoded.sample_count[bad_at] == 0
        assert int(np.count_nonzero(decoded.ok)) == len(batch) - 1


def test_batch_mixing_every_malformed_kind_matches_reference() -> None:
    rng = np.random.default_rng(6)
    bad = [packet for packet, _ in MALFORMED_CASES.values()]
    good = [random_packet(rng, int(rng.integers(1, 20))) for _ in range(3 * len(bad))]
    packets = good + bad
    order = rng.permutation(len(packets))
    packets = [packets[i] for i in order]
    decoded = decode_packets(packets)
    assert_matches_reference(decoded, packets)
    counts = {code: int(np.count_nonzero(decoded.status == code)) for code in Malformed}
    assert counts == {
        Malformed.OK: len(good),
        Malformed.TRUNCATED_HEADER: 3,
        Malformed.UNKNOWN_VERSION: 3,
        Malformed.EMPTY: 2,
        Malformed.WRONG_LENGTH: 5,
    }


@pytest.mark.parametrize("count", [1, 19, 255])
def test_single_packet_matches_reference(count: int) -> None:
    rng = np.random.default_rng(count)
    packet = random_packet(rng, count)
    decoded = decode_packets([packet])
    assert_matches_reference(decoded, [packet])
    _, fields = reference_unpack(packet)
    assert fields is not None
    assert decoded.raw.shape == (count, 6)
    assert decoded.raw.ravel().tolist() == list(fields[2])


def test_empty_batch() -> None:
    decoded = decode_packets([])
    assert len(decoded) == 0
    assert decoded.status.shape == (0,)
    assert decoded.sequence.shape == decoded.first_counter.shape == decoded.sample_count.shape == (0,)
    assert decoded.raw.shape == (0, 6)
    assert decoded.raw.dtype == np.int16
    assert decoded.ok.shape == (0,)


# --- decode_buffer -------------------------------------------------------------------


def _buffer(packets: Sequence[bytes]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    buf = np.frombuffer(b"".join(packets), dtype=np.uint8)
    return buf, np.array([len(p) for p in packets], dtype=np.int64)


def test_decode_buffer_equals_decode_packets() -> None:
    rng = np.random.default_rng(7)
    packets = [random_packet(rng, int(rng.integers(1, 20))) for _ in range(50)]
    packets[10] = packets[10][:5]
    packets[20] = with_byte(packets[20], 0, 9)
    buf, lengths = _buffer(packets)
    from_buffer = decode_buffer(buf, lengths)
    assert_matches_reference(from_buffer, packets)
    from_list = decode_packets(packets)
    for name in ("status", "sequence", "first_counter", "sample_count", "raw"):
        assert np.array_equal(getattr(from_buffer, name), getattr(from_list, name)), name


@pytest.mark.parametrize(
    ("extra_bytes", "lengths"),
    [
        (0, [20, 20, 21]),  # lengths claim one byte more than the buffer holds
        (0, [20, 19]),  # one byte fewer
        (0, []),  # no packets for a non-empty buffer
        (5, [20, 20]),  # trailing bytes that belong to no packet
    ],
)
def test_decode_buffer_rejects_lengths_that_do_not_add_up(extra_bytes: int, lengths: list[int]) -> None:
    rng = np.random.default_rng(8)
    buf, _ = _buffer([random_packet(rng, 1), random_packet(rng, 1)])
    buf = np.concatenate((buf, np.zeros(extra_bytes, dtype=np.uint8)))
    with pytest.raises(ValueError, match="lengths add up to"):
        decode_buffer(buf, np.array(lengths, dtype=np.int64))


def test_decode_buffer_of_nothing_is_an_empty_batch() -> None:
    decoded = decode_buffer(np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64))
    assert len(decoded) == 0
    assert decoded.raw.shape == (0, 6)


# --- golden vectors ------------------------------------------------------------------


@pytest.fixture(scope="module")
def golden_vectors() -> dict[str, Any]:
    if not VECTORS_PATH.exists():
        pytest.fail(
            f"golden vectors {VECTORS_PATH} are missing; they are shared by the firmware and host "
            "tests (generate them with tests/gen_protocol_vectors.py)"
        )
    data: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    return data


def test_golden_data_packets_decode(golden_vectors: dict[str, Any]) -> None:
    vectors = golden_vectors["data_packets"]
    assert vectors, "no data packet vectors"
    packets = [bytes.fromhex(v["hex"]) for v in vectors]
    batch = decode_packets(packets)
    assert_matches_reference(batch, packets)
    assert batch.ok.all()
    for i, vector in enumerate(vectors):
        single = decode_packets([packets[i]])
        for decoded, row in ((single, 0), (batch, i)):
            assert decoded.status[row] == Malformed.OK
            assert decoded.sequence[row] == vector["sequence"]
            assert decoded.first_counter[row] == vector["first_counter"]
            assert decoded.sample_count[row] == len(vector["samples"])
        assert single.raw.tolist() == vector["samples"]
    assert batch.raw.tolist() == [row for v in vectors for row in v["samples"]]


def test_golden_malformed_packets_are_flagged_with_their_reason(golden_vectors: dict[str, Any]) -> None:
    vectors = golden_vectors["malformed_packets"]
    reasons = {v["reason"] for v in vectors}
    assert reasons == {m.label for m in Malformed if m}, "every malformed kind needs a vector"
    packets = [bytes.fromhex(v["hex"]) for v in vectors]
    batch = decode_packets(packets)
    assert_matches_reference(batch, packets)
    for i, vector in enumerate(vectors):
        single = decode_packets([packets[i]])
        assert Malformed(int(single.status[0])).label == vector["reason"], vector
        assert Malformed(int(batch.status[i])).label == vector["reason"], vector
    assert batch.raw.shape == (0, 6)


def test_golden_vectors_all_in_one_batch(golden_vectors: dict[str, Any]) -> None:
    good = [bytes.fromhex(v["hex"]) for v in golden_vectors["data_packets"]]
    bad = [bytes.fromhex(v["hex"]) for v in golden_vectors["malformed_packets"]]
    packets = [p for pair in zip(bad, good * 2, strict=False) for p in pair] + good
    decoded = decode_packets(packets)
    assert_matches_reference(decoded, packets)


# --- properties ----------------------------------------------------------------------

SEQUENCE = st.integers(min_value=0, max_value=2**16 - 1)
COUNTER = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def valid_packets(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    count = draw(st.integers(min_value=1, max_value=19))
    body = draw(st.binary(min_size=12 * count, max_size=12 * count))
    return draw(SEQUENCE), draw(COUNTER), list(struct.unpack(f"<{6 * count}h", body))


@settings(max_examples=200, deadline=None)
@given(st.lists(valid_packets(), min_size=1, max_size=30))
def test_round_trip_of_reference_encoded_packets(specs: list[tuple[int, int, list[int]]]) -> None:
    packets = [core.pack_data(seq, counter, samples) for seq, counter, samples in specs]
    decoded = decode_packets(packets)
    assert decoded.ok.all()
    assert decoded.sequence.tolist() == [seq for seq, _, _ in specs]
    assert decoded.first_counter.tolist() == [counter for _, counter, _ in specs]
    assert decoded.sample_count.tolist() == [len(samples) // 6 for _, _, samples in specs]
    assert decoded.raw.ravel().tolist() == [v for _, _, samples in specs for v in samples]


@st.composite
def mutated_packets(draw: st.DrawFn) -> bytes:
    seq, counter, samples = draw(valid_packets())
    packet = bytearray(core.pack_data(seq, counter, samples))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        kind = draw(st.sampled_from(("flip", "insert", "delete", "truncate")))
        if kind == "insert":
            packet.insert(draw(st.integers(0, len(packet))), draw(st.integers(0, 255)))
        elif not packet:
            continue
        elif kind == "flip":
            packet[draw(st.integers(0, len(packet) - 1))] ^= 1 << draw(st.integers(0, 7))
        elif kind == "delete":
            del packet[draw(st.integers(0, len(packet) - 1))]
        else:
            del packet[draw(st.integers(0, len(packet))) :]
    return bytes(packet)


ANY_PACKET = st.one_of(
    st.binary(max_size=48), mutated_packets(), valid_packets().map(lambda s: core.pack_data(*s))
)
BATCH = st.lists(st.tuples(ANY_PACKET, st.floats(min_value=0.0, max_value=0.5)), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BATCH, min_size=1, max_size=5))
def test_fuzz_never_raises_and_counts_add_up(batches: list[list[tuple[bytes, float]]]) -> None:
    tracker = LinkTracker()
    stream = SensorStream(SensorInfo("shin", 100, 8, 2000, "emulator", "1.0.0"))
    now = 0.0
    kept_total = 0
    received_total = 0
    expected_malformed = dict.fromkeys((m.label for m in Malformed if m), 0)
    delivered = []
    for batch in batches:
        packets = [packet for packet, _ in batch]
        arrival = now + np.cumsum([delay for _, delay in batch])
        now = float(arrival[-1]) if batch else now
        decoded = decode_packets(packets)
        assert_matches_reference(decoded, packets)
        for status in decoded.status.tolist():
            if status:
                expected_malformed[Malformed(status).label] += 1
        kept = tracker.update(decoded)
        assert set(kept.index.tolist()) <= set(np.flatnonzero(decoded.ok).tolist())
        assert np.all(np.diff(kept.index) > 0)
        kept_total += kept.index.shape[0]
        received_total += len(packets)
        delivered.append(stream.push(packets, arrival))

    stats = tracker.stats
    assert stats.packets_received == received_total
    assert kept_total + stats.duplicates + stats.malformed_total == stats.packets_received
    assert stats.malformed == expected_malformed
    assert stream.stats == stats  # the stream tracks exactly like a bare tracker
    times = np.concatenate([d.time_s for d in delivered])
    assert times.shape[0] == stats.samples
    assert np.isfinite(times).all()
    assert np.all(np.diff(times) >= 0)
    assert int(sum(d.gap_before.sum() for d in delivered)) == stats.gaps
