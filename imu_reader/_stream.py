"""One sensor's notifications in, aligned SI samples out: decode, track, align, scale."""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dsp import SensorSamples
from firmware_ble import protocol_core as core
from imu_reader.clock import ClockAligner, ClockEstimate, ClockSettings
from imu_reader.protocol import LinkStats, LinkTracker, SensorInfo, decode_buffer

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_HEADER = struct.Struct(core.DATA_HEADER_FORMAT)
_HEADER_SIZE = core.DATA_HEADER_SIZE


class SensorStream:
    """Stateful decoder of one sensor's stream onto the session timeline.

    Feed notifications in arrival order with their host arrival times (seconds on the
    session clock); get back the new samples. Malformed, duplicate and late packets are
    counted in `stats` and skipped; lost samples show as `gap_before`.
    """

    def __init__(self, info: SensorInfo, *, clock: ClockSettings | None = None) -> None:
        self._info = info
        self._tracker = LinkTracker()
        self._aligner = ClockAligner(clock or ClockSettings(nominal_rate_hz=info.rate_hz))
        self._acc_scale = info.acc_scale_mps2
        self._gyr_scale = info.gyr_scale_rps
        self._gap_next = False

    @property
    def info(self) -> SensorInfo:
        """What the sensor reported about itself."""
        return self._info

    @property
    def stats(self) -> LinkStats:
        """Link counters so far."""
        return self._tracker.stats

    @property
    def clock(self) -> ClockEstimate:
        """The sensor's current clock estimate."""
        return self._aligner.estimate

    def restart(self) -> None:
        """The link reconnected: the sensor may have restarted its counters."""
        self._tracker.restart()

    def reconfigure(self, info: SensorInfo) -> None:
        """The sensor reports new settings (a new rate or range): later packets use them.

        A new rate starts the clock fit again at that rate, keeping the oscillator's error
        and the timeline; the stream tracking restarts as after a reconnect.
        """
        if info.role != self._info.role:
            raise ValueError(f"sensor {self._info.role!r} cannot become {info.role!r}")
        if info == self._info:
            return
        if info.rate_hz != self._info.rate_hz:
            self._aligner = self._aligner.resumed(info.rate_hz)
        self._info = info
        self._acc_scale = info.acc_scale_mps2
        self._gyr_scale = info.gyr_scale_rps
        self._tracker.restart()
        self._gap_next = True  # the sampling changed: what follows does not continue what came before

    def push(self, packets: Sequence[bytes], arrival_s: Sequence[float] | FloatArray) -> SensorSamples:
        """Decode notifications that arrived at `arrival_s` (session seconds, one per packet)."""
        if len(packets) == 1 and len(arrival_s) == 1:
            one = self._push_next(packets[0], float(arrival_s[0]))
            if one is not None:
                return one
        lengths = np.fromiter(map(len, packets), dtype=np.int64, count=len(packets))
        buf = np.frombuffer(b"".join(packets), dtype=np.uint8)
        return self.push_buffer(buf, lengths, np.asarray(arrival_s, dtype=np.float64))

    def _push_next(self, packet: bytes, arrival_s: float) -> SensorSamples | None:
        """`push` of one well-formed packet that follows the last one kept: what a live link
        delivers nearly every time, decoded without the batch path's arrays (a hundred
        numpy calls of fixed cost). None, having changed nothing, for anything else."""
        size = len(packet)
        if size < _HEADER_SIZE:
            return None
        version, count, sequence, first_counter = _HEADER.unpack_from(packet)
        if version != core.PROTOCOL_VERSION or count == 0 or size != _HEADER_SIZE + core.SAMPLE_SIZE * count:
            return None
        taken = self._tracker.take_next(sequence, first_counter, count)
        if taken is None:
            return None
        first, gap = taken
        time_s = self._aligner.align_packet(first + count - 1, arrival_s, self._tracker.epoch, first, count)
        raw = np.frombuffer(packet, dtype="<i2", count=6 * count, offset=_HEADER_SIZE).reshape(count, 6)
        gap_before = np.zeros(count, dtype=np.bool_)
        gap_before[0] = gap
        return self._samples(time_s, raw, gap_before)

    def push_buffer(
        self, buf: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64], arrival_s: FloatArray
    ) -> SensorSamples:
        """Like `push`, for notifications stored back to back in `buf` (`lengths` bytes each)."""
        if arrival_s.shape != lengths.shape:
            raise ValueError(f"need one arrival time per packet: {arrival_s.shape} vs {lengths.shape}")
        decoded = decode_buffer(buf, lengths)
        kept = self._tracker.update(decoded)
        count = kept.sample_count
        total = int(count.sum())
        if total == 0:
            return SensorSamples.empty(self._info.role)
        first_row = np.cumsum(count) - count
        one_each = bool((count == 1).all())
        if one_each:  # one sample per packet: the packets' arrays are the samples'
            counter, sample_epoch = kept.first_counter, kept.epoch
        else:
            # Sample i of the batch is row i - first_row of its packet: counters and rows go
            # up by one from each packet's first, so one repeat gives them all.
            counter = np.repeat(kept.first_counter - first_row, count) + np.arange(total)
            sample_epoch = np.repeat(kept.epoch, count)
        if total == decoded.raw.shape[0]:
            raw = decoded.raw  # every good packet kept: no gather needed
        else:
            # Where each kept packet's samples sit in `decoded.raw` (which holds every good packet's).
            raw_start = (np.cumsum(decoded.sample_count) - decoded.sample_count)[kept.index]
            if one_each:
                raw = decoded.raw[raw_start]
            else:
                raw = decoded.raw[np.repeat(raw_start - first_row, count) + np.arange(total)]
        # Every packet kept (the usual case): the kept ones' arrival times are all of them.
        arrival_kept = arrival_s if kept.index.shape[0] == arrival_s.shape[0] else arrival_s[kept.index]
        time_s = self._aligner.align(
            kept.first_counter + count - 1, arrival_kept, kept.epoch, counter, sample_epoch
        )
        gap = np.zeros(total, dtype=np.bool_)
        gap[first_row[kept.gap_before]] = True
        return self._samples(time_s, raw, gap)

    def _samples(
        self, time_s: FloatArray, raw: npt.NDArray[np.int16], gap_before: BoolArray
    ) -> SensorSamples:
        """Raw rows (acc then gyro counts) scaled to SI units, with a gap left over from
        before (a reconnection) marked at the first."""
        gap_before[0] |= self._gap_next
        self._gap_next = False
        return SensorSamples(
            self._info.role,
            time_s,
            np.multiply(raw[:, :3], self._acc_scale, dtype=np.float64),
            np.multiply(raw[:, 3:], self._gyr_scale, dtype=np.float64),
            gap_before,
        )
