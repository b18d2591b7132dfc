"""MCAP recording writer: crash-tolerant, batched, readable by Foxglove."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import numpy as np
from mcap.writer import CompressionType, Writer

from imu_reader.protocol import SensorInfo
from imu_reader.recording import _schema as schema


@dataclass(frozen=True)
class SessionMetadata:
    """What a recording says about the session that made it.

    Attributes:
        software_version: reptempo version that wrote the file.
        synthetic: True when the data comes from the simulator, not from a body.
        source: what produced the samples (`sim`, `ble`, `csv`, ...).
        start_unix_ns: wall-clock time of session time 0, in ns since the Unix epoch.
        config: the configuration in force, JSON-serialisable.
        extra: any further string fields (exercise, athlete, notes).
    """

    software_version: str
    synthetic: bool
    source: str
    start_unix_ns: int
    config: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start_unix_ns < 0:
            raise ValueError(f"start_unix_ns must be >= 0, got {self.start_unix_ns}")
        reserved = {"software_version", "synthetic", "source", "start_unix_ns", "config", "format_version"}
        clash = reserved & set(self.extra)
        if clash:
            raise ValueError(f"extra metadata may not use the reserved keys {sorted(clash)}")

    def to_record(self) -> dict[str, str]:
        """The MCAP metadata record (string to string)."""
        return {
            "format_version": schema.FORMAT_VERSION,
            "software_version": self.software_version,
            "synthetic": "true" if self.synthetic else "false",
            "source": self.source,
            "start_unix_ns": str(self.start_unix_ns),
            "config": json.dumps(self.config, sort_keys=True),
            **self.extra,
        }


class RecordingWriter:
    """Writes one session to an MCAP file.

    Notifications are buffered per sensor and written as one message per `batch_s` of
    session time; the chunk in progress is closed and flushed (and fsynced) at the first
    data `flush_s` of session time after the last flush, so while data flows at least
    every 2 s, and a crash loses at most that much. Use it as a
    context manager, or call `close()`; without `close()` the file has no summary but
    still replays up to its last flushed chunk.

    Args:
        path: file to create (replaced if it exists).
        metadata: session metadata, written first.
        batch_s: session seconds of notifications per raw message.
        flush_s: longest session time between chunk flushes, in seconds.
        fsync: also fsync at each flush (survives power loss, not only a crash).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        metadata: SessionMetadata,
        batch_s: float = 1.5,
        flush_s: float = 1.5,
        fsync: bool = True,
    ) -> None:
        if not 0 < batch_s <= flush_s:
            raise ValueError(f"need 0 < batch_s <= flush_s, got {batch_s}, {flush_s}")
        self.path = Path(path)
        self._metadata = metadata
        self._batch_s = batch_s
        self._flush_s = flush_s
        self._fsync = fsync
        self._file: IO[bytes] = self.path.open("wb")
        self._writer = Writer(self._file, compression=CompressionType.ZSTD)
        self._writer.start(profile="", library=f"reptempo {metadata.software_version}")
        self._writer.add_metadata(schema.SESSION_METADATA_NAME, metadata.to_record())
        self._schema_ids: dict[str, int] = {}
        self._channel_ids: dict[str, int] = {}
        self._pending: dict[str, tuple[list[bytes], list[float]]] = {}
        self._last_flush_s = 0.0
        self._closed = False
        self._sequence = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _channel(self, topic: str, schema_name: str, encoding: str, data: bytes, msg_encoding: str) -> int:
        channel_id = self._channel_ids.get(topic)
        if channel_id is None:
            schema_id = self._schema_ids.get(schema_name)
            if schema_id is None:
                schema_id = self._writer.register_schema(schema_name, encoding, data)
                self._schema_ids[schema_name] = schema_id
            channel_id = self._writer.register_channel(topic, msg_encoding, schema_id)
            self._channel_ids[topic] = channel_id
        return channel_id

    def _json_message(self, topic: str, title: str, schema_data: bytes, payload: Mapping[str, Any]) -> None:
        channel_id = self._channel(topic, title, "jsonschema", schema_data, "json")
        self._add(channel_id, float(payload["time_s"]), json.dumps(payload, sort_keys=True).encode())

    def _add(self, channel_id: int, time_s: float, data: bytes) -> None:
        self._check_open()
        log_time = self._metadata.start_unix_ns + max(0, round(time_s * 1e9))
        self._sequence += 1
        self._writer.add_message(channel_id, log_time, data, log_time, self._sequence)
        self.tick(time_s)

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"{self.path}: recording is closed")

    def add_sensor(
        self, info: SensorInfo, *, time_s: float = 0.0, address: str | None = None, name: str | None = None
    ) -> None:
        """Record a sensor's info; call it at every (re)connection."""
        payload = {**info.to_dict(), "address": address, "name": name, "time_s": time_s}
        self._json_message(schema.info_topic(info.role), "reptempo.SensorInfo", schema.INFO_SCHEMA, payload)

    def add_link_event(self, role: str, event: str, time_s: float) -> None:
        """Record that a sensor `connected` or `disconnected` at `time_s`.

        A `connected` after a `disconnected` makes replay restart that sensor's stream
        tracking, exactly as the live link did.
        """
        if event not in ("connected", "disconnected"):
            raise ValueError(f"link event must be connected or disconnected, got {event!r}")
        self._write_batch(role)
        payload = {"event": event, "time_s": time_s}
        self._json_message(schema.link_topic(role), "reptempo.LinkEvent", schema.LINK_SCHEMA, payload)

    def add_notifications(self, role: str, packets: Sequence[bytes], arrival_s: Sequence[float]) -> None:
        """Buffer raw notifications of one sensor with their session arrival times."""
        if len(packets) != len(arrival_s):
            raise ValueError(f"{len(packets)} packets but {len(arrival_s)} arrival times")
        self._check_open()
        if not packets:
            return
        buf_packets, buf_times = self._pending.setdefault(role, ([], []))
        buf_packets.extend(packets)
        buf_times.extend(arrival_s)
        if buf_times[-1] - buf_times[0] >= self._batch_s:
            self._write_batch(role)
        self.tick(buf_times[-1])

    def tick(self, time_s: float) -> None:
        """Flush if `flush_s` of session time has passed since the last flush.

        Adding data calls it; a live session also calls it while no data arrives (a
        stalled sensor), so that what was buffered still reaches the disk in time.
        """
        if time_s - self._last_flush_s >= self._flush_s:
            self._last_flush_s = time_s
            self.flush()

    def _write_batch(self, role: str) -> None:
        pending = self._pending.pop(role, None)
        if not pending or not pending[0]:
            return
        packets, times = pending
        lengths = np.fromiter(map(len, packets), dtype=np.uint16, count=len(packets))
        data = schema.encode_raw_batch(np.asarray(times, dtype=np.float64), lengths, b"".join(packets))
        channel_id = self._channel(
            schema.raw_topic(role), schema.RAW_SCHEMA_NAME, "ros2msg", schema.RAW_SCHEMA_TEXT.encode(), "cdr"
        )
        self._add(channel_id, times[-1], data)

    def add_event(self, event: Mapping[str, Any]) -> None:
        """Record one pipeline event, already serialised to a JSON object with `type` and `time_s`."""
        if "type" not in event or "time_s" not in event:
            raise ValueError("an event needs 'type' and 'time_s'")
        self._json_message(schema.EVENTS_TOPIC, "reptempo.Event", schema.EVENT_SCHEMA, event)

    def add_labels(self, labels: Mapping[str, Any]) -> None:
        """Record ground-truth labels (a JSON object); a later call replaces earlier keys."""
        payload = {"time_s": 0.0, "labels": dict(labels)}
        self._json_message(schema.LABELS_TOPIC, "reptempo.GroundTruth", schema.LABELS_SCHEMA, payload)

    def flush(self) -> None:
        """Write every buffered batch, close the chunk and flush it to disk."""
        self._check_open()
        for role in list(self._pending):
            self._write_batch(role)
        self._writer.flush()
        if self._fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Flush everything and write the summary; safe to call twice."""
        if self._closed:
            return
        try:
            for role in list(self._pending):
                self._write_batch(role)
            self._writer.finish()
            self._file.flush()
            if self._fsync:
                os.fsync(self._file.fileno())
        finally:
            self._closed = True
            self._file.close()
