"""Vectorised decoding of many data notifications in one call (protocol v1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from firmware_ble import protocol_core as core

_HEADER = core.DATA_HEADER_SIZE
_SAMPLE = core.SAMPLE_SIZE


class Malformed(IntEnum):
    """Why a notification was rejected; 0 means it decoded."""

    OK = 0
    TRUNCATED_HEADER = 1
    UNKNOWN_VERSION = 2
    EMPTY = 3
    WRONG_LENGTH = 4

    @property
    def label(self) -> str:
        """snake_case name used in stats and reports."""
        return self.name.lower()


@dataclass(frozen=True)
class DecodedPackets:
    """Headers and raw samples of a batch of notifications, in arrival order.

    Attributes:
        status: per packet, a `Malformed` code (0 = decoded), shape (p,).
        sequence: per packet sequence number (u16 on the wire), 0 where malformed, shape (p,).
        first_counter: per packet device counter of its first sample (u32), shape (p,).
        sample_count: samples in each packet, 0 where malformed, shape (p,).
        raw: int16 samples of the decoded packets in order, acc xyz + gyr xyz, shape (s, 6).
    """

    status: npt.NDArray[np.uint8]
    sequence: npt.NDArray[np.int64]
    first_counter: npt.NDArray[np.int64]
    sample_count: npt.NDArray[np.int64]
    raw: npt.NDArray[np.int16]

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        """Mask of packets that decoded."""
        return np.asarray(self.status == Malformed.OK, dtype=np.bool_)

    def __len__(self) -> int:
        return int(self.status.shape[0])


def decode_packets(packets: Sequence[bytes]) -> DecodedPackets:
    """Decode notifications; malformed ones are flagged in `status`, never raised."""
    lengths = np.fromiter(map(len, packets), dtype=np.int64, count=len(packets))
    return decode_buffer(np.frombuffer(b"".join(packets), dtype=np.uint8), lengths)


def decode_buffer(buf: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64]) -> DecodedPackets:
    """Decode notifications stored back to back in `buf`, `lengths[i]` bytes each."""
    n = lengths.shape[0]
    if int(lengths.sum()) != buf.shape[0]:
        raise ValueError(f"lengths add up to {int(lengths.sum())} bytes, buffer holds {buf.shape[0]}")
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return DecodedPackets(np.zeros(0, np.uint8), empty, empty, empty, np.zeros((0, 6), np.int16))
    if (lengths == lengths[0]).all() and lengths[0] >= _HEADER:
        return _decode_uniform(buf.reshape(n, int(lengths[0])))
    return _decode_mixed(buf, lengths)


def _decode_uniform(rows: npt.NDArray[np.uint8]) -> DecodedPackets:
    """Fast path: every packet has the same length (the normal case)."""
    n, length = rows.shape
    per_packet, rest = divmod(length - _HEADER, _SAMPLE)
    if per_packet and not rest:
        # Whole samples: copy the header and the samples as words, not byte by byte (a row
        # of 8 + 12 k bytes is whole 32-bit words, its samples whole 16-bit ones).
        header = np.ascontiguousarray(rows.view("<u4")[:, : _HEADER // 4]).view(np.uint8)
        if (header[:, 0] == core.PROTOCOL_VERSION).all() and (header[:, 1] == per_packet).all():
            # Every packet good (the normal case): the same fields without the masks.
            return DecodedPackets(
                np.zeros(n, dtype=np.uint8),
                header.view("<u2")[:, 1].astype(np.int64),
                header.view("<u4")[:, 1].astype(np.int64),
                np.full(n, per_packet, dtype=np.int64),
                np.ascontiguousarray(rows.view("<i2")[:, _HEADER // 2 :]).reshape(-1, 6),
            )
    else:
        header = np.ascontiguousarray(rows[:, :_HEADER])
    version = header[:, 0]
    count = header[:, 1].astype(np.int64)
    status = _status(version, count, np.full(n, length, dtype=np.int64))
    good = status == Malformed.OK
    sequence = np.where(good, header[:, 2:4].copy().view("<u2")[:, 0], 0).astype(np.int64)
    first = np.where(good, header[:, 4:8].copy().view("<u4")[:, 0], 0).astype(np.int64)
    count = np.where(good, count, 0)
    if good.all():
        raw = np.ascontiguousarray(rows[:, _HEADER:]).view("<i2").reshape(-1, 6)
    elif good.any():
        # Every row has one length, so a good row means every body is whole samples.
        raw = (
            np.ascontiguousarray(rows[good, _HEADER:]).view("<i2").reshape(-1, 6).astype(np.int16, copy=False)
        )
    else:
        raw = np.zeros((0, 6), dtype=np.int16)
    return DecodedPackets(status, sequence, first, count, raw)


def _decode_mixed(buf: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64]) -> DecodedPackets:
    # Padding lets header reads of short packets stay in bounds; their status masks them out.
    buf = np.concatenate((buf, np.zeros(_HEADER, dtype=np.uint8)))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    has_header = lengths >= _HEADER
    # Read header bytes only where a full header exists; elsewhere point at byte 0 (masked out later).
    base = np.where(has_header, starts, 0)
    hdr = buf[base[:, None] + np.arange(_HEADER)]
    version = np.where(has_header, hdr[:, 0], 0)
    count = hdr[:, 1].astype(np.int64)
    status = _status(version, count, lengths)
    status[~has_header] = Malformed.TRUNCATED_HEADER
    good = status == Malformed.OK
    sequence = np.where(good, hdr[:, 2].astype(np.int64) | (hdr[:, 3].astype(np.int64) << 8), 0)
    first = np.where(good, np.ascontiguousarray(hdr[:, 4:8]).view("<u4")[:, 0].astype(np.int64), 0)
    count = np.where(good, count, 0)
    body_bytes = count * _SAMPLE
    total = int(body_bytes.sum())
    body_starts = np.repeat(starts + _HEADER, body_bytes)
    within = np.arange(total) - np.repeat(np.cumsum(body_bytes) - body_bytes, body_bytes)
    raw = buf[body_starts + within].view("<i2").reshape(-1, 6).astype(np.int16, copy=False)
    return DecodedPackets(status.astype(np.uint8), sequence, first, count, raw)


def _status(
    version: npt.NDArray[np.uint8], count: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint8]:
    status = np.zeros(version.shape[0], dtype=np.uint8)
    status[length != _HEADER + _SAMPLE * count] = Malformed.WRONG_LENGTH
    status[count == 0] = Malformed.EMPTY
    status[version != core.PROTOCOL_VERSION] = Malformed.UNKNOWN_VERSION
    status[length < _HEADER] = Malformed.TRUNCATED_HEADER
    return status
