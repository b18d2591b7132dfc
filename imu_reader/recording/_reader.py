"""MCAP recording reader: whole-file arrays in one call, or notifications in order for replay."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import zstandard

from dsp import SensorSamples
from imu_reader._errors import InputFileError
from imu_reader._stream import SensorStream
from imu_reader.clock import ClockEstimate, ClockSettings
from imu_reader.protocol import LinkStats, SensorInfo
from imu_reader.recording import _records
from imu_reader.recording import _schema as schema


@dataclass(frozen=True)
class RawBatch:
    """Notifications of one sensor as stored in one message (views into the file).

    Attributes:
        role: the sensor.
        arrival_bytes: float64 little-endian host arrival times on the session timeline.
        length_bytes: uint16 little-endian byte length of each notification.
        data_bytes: the notifications back to back.
    """

    role: str
    arrival_bytes: memoryview
    length_bytes: memoryview
    data_bytes: memoryview

    @property
    def arrival_s(self) -> npt.NDArray[np.float64]:
        """Host arrival time of each notification on the session timeline, shape (n,)."""
        return np.frombuffer(self.arrival_bytes, dtype="<f8").astype(np.float64)

    @property
    def lengths(self) -> npt.NDArray[np.int64]:
        """Byte length of each notification, shape (n,)."""
        return np.frombuffer(self.length_bytes, dtype="<u2").astype(np.int64)

    @property
    def data(self) -> npt.NDArray[np.uint8]:
        """The notifications back to back."""
        return np.frombuffer(self.data_bytes, dtype=np.uint8)

    def __len__(self) -> int:
        return len(self.length_bytes) // 2

    def packets(self) -> list[bytes]:
        """The notifications as separate bytes objects."""
        ends = np.cumsum(self.lengths)
        raw = self.data.tobytes()
        return [raw[e - n : e] for e, n in zip(ends.tolist(), self.lengths.tolist(), strict=True)]


@dataclass(frozen=True)
class LinkEvent:
    """A sensor connected or disconnected at `time_s`."""

    role: str
    event: str
    time_s: float


@dataclass(frozen=True)
class InfoMessage:
    """A sensor's info as recorded at a (re)connection, at `time_s`."""

    role: str
    fields: dict[str, Any]
    time_s: float


@dataclass(frozen=True)
class SensorRecord:
    """One sensor of a recording, decoded.

    Attributes:
        info: what the sensor reported first (a later info may change rate or ranges;
            decoding follows each change).
        samples: every sample on the session timeline, SI units, gaps marked.
        stats: loss, duplicates and malformed packets over the whole file.
        clock: the final clock estimate (true rate, offset).
        packets: notifications stored.
        address: the sensor's BLE address, if recorded.
        name: its advertised name, if recorded.
    """

    info: SensorInfo
    samples: SensorSamples
    stats: LinkStats
    clock: ClockEstimate
    packets: int
    address: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Recording:
    """A whole recording in memory.

    Attributes:
        path: the file.
        metadata: the session metadata record (strings), `config` parsed into `config`.
        config: the configuration in force when it was recorded.
        sensors: decoded sensors by role.
        events: the events the live pipeline emitted, in order.
        labels: ground-truth labels, or None.
        truncated: True when the file ends early (a crash); everything up to the last
            complete chunk is here.
        warnings: human-readable notes about the file (truncation, bad messages).
    """

    path: Path
    metadata: dict[str, str]
    config: dict[str, Any]
    sensors: dict[str, SensorRecord]
    events: list[dict[str, Any]]
    labels: dict[str, Any] | None
    truncated: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """True when the data comes from the simulator."""
        return self.metadata.get("synthetic") == "true"

    @property
    def duration_s(self) -> float:
        """From session time 0 to the last sample of any sensor."""
        ends = [float(s.samples.time_s[-1]) for s in self.sensors.values() if len(s.samples)]
        return max(ends, default=0.0)


@dataclass
class RecordingContents:
    """What a recording holds besides raw batches, filled in by `iter_recording` as it goes.

    Attributes:
        metadata: the session metadata record.
        infos: each sensor's first info message, by role.
        events: the events the live pipeline emitted, in order.
        labels: ground-truth labels, or None.
        truncated: True once the iteration met the cut end of a crashed file.
        warnings: human-readable notes (truncation, skipped messages).
    """

    metadata: dict[str, str] = field(default_factory=dict)
    infos: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, Any] | None = None
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)


def iter_recording(
    path: str | Path, contents: RecordingContents | None = None
) -> Iterator[RawBatch | LinkEvent | InfoMessage]:
    """Raw batches, link events and sensor infos in file order, for replay.

    Pass a `RecordingContents` to collect the metadata, sensor infos, events and labels
    met on the way. Raises `InputFileError` when the file is not a reptempo MCAP
    recording. A file cut off early ends the iteration after its last complete chunk and
    marks `contents` truncated, with a warning.
    """
    path = Path(path)
    contents = contents if contents is not None else RecordingContents()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror}") from None
    if not data.startswith(_records.MAGIC):
        raise InputFileError(path, "not an MCAP file (bad magic bytes)")
    topics: dict[int, str] = {}
    schemas: dict[int, _records.SchemaRecord] = {}
    index = 0
    try:
        for record in _records.walk(data):
            index += 1
            if isinstance(record, _records.SchemaRecord):
                schemas[record.id] = record
            elif isinstance(record, _records.ChannelRecord):
                _check_channel(path, index, record, schemas.get(record.schema_id))
                topics[record.id] = record.topic
            elif isinstance(record, _records.MetadataRecord):
                if record.name == schema.SESSION_METADATA_NAME:
                    contents.metadata = dict(record.fields)
            else:
                topic = topics.get(record.channel_id)
                if topic is None:
                    contents.warnings.append(f"{path}: record {index}: message on unknown channel")
                    continue
                item = _message(path, index, topic, record.data, contents)
                if item is not None:
                    yield item
    except _records.TruncatedError as exc:
        contents.truncated = True
        contents.warnings.append(
            f"{path}: file ends early (cut inside the record at byte {exc.offset}); "
            "read up to the last complete chunk"
        )
    except (ValueError, struct.error, zstandard.ZstdError) as exc:
        raise InputFileError(path, f"corrupt MCAP ({exc})", where=f"record {index + 1}") from None
    if not contents.metadata:
        raise InputFileError(path, f"no {schema.SESSION_METADATA_NAME} metadata: not a reptempo recording")


def _expected_schema(topic: str) -> tuple[str, str, str] | None:
    """(schema name, schema encoding, message encoding) our reader needs on `topic`."""
    parts = topic.split("/")
    if topic.startswith("/sensors/") and len(parts) == 4:
        if parts[3] == "raw":
            return schema.RAW_SCHEMA_NAME, "ros2msg", "cdr"
        if parts[3] == "info":
            return "reptempo.SensorInfo", "jsonschema", "json"
        if parts[3] == "link":
            return "reptempo.LinkEvent", "jsonschema", "json"
    if topic == schema.EVENTS_TOPIC:
        return "reptempo.Event", "jsonschema", "json"
    if topic == schema.LABELS_TOPIC:
        return "reptempo.GroundTruth", "jsonschema", "json"
    return None


def _check_channel(
    path: Path, index: int, channel: _records.ChannelRecord, found: _records.SchemaRecord | None
) -> None:
    expected = _expected_schema(channel.topic)
    if expected is None:
        return
    name, encoding, message_encoding = expected
    actual = (found.name, found.encoding) if found is not None else ("(none)", "")
    if actual != (name, encoding) or channel.message_encoding != message_encoding:
        raise InputFileError(
            path,
            f"channel {channel.topic} has schema {actual[0]!r} ({actual[1] or 'no'} encoding, "
            f"{channel.message_encoding} messages); expected {name!r} ({encoding}, {message_encoding})",
            where=f"record {index}",
        )


def _message(
    path: Path, index: int, topic: str, data: bytes, contents: RecordingContents
) -> RawBatch | LinkEvent | InfoMessage | None:
    parts = topic.split("/")
    try:
        if topic.startswith("/sensors/") and len(parts) == 4:
            role, kind = parts[2], parts[3]
            if kind == "raw":
                return RawBatch(role, *schema.split_raw_batch(data))
            payload = json.loads(data)
            if kind == "info":
                if payload.get("role") != role:
                    reason = f"info of sensor {payload.get('role')!r} on {topic}"
                    raise InputFileError(path, reason, where=f"record {index}")
                contents.infos.setdefault(role, payload)
                return InfoMessage(role, payload, float(payload.get("time_s", 0.0)))
            if kind == "link":
                return LinkEvent(role, str(payload["event"]), float(payload["time_s"]))
        elif topic == schema.EVENTS_TOPIC:
            contents.events.append(json.loads(data))
        elif topic == schema.LABELS_TOPIC:
            contents.labels = {**(contents.labels or {}), **json.loads(data)["labels"]}
    except (ValueError, KeyError, TypeError) as exc:
        contents.warnings.append(f"{path}: record {index} on {topic}: skipped ({exc})")
    return None


def read_recording(path: str | Path, *, clock: ClockSettings | None = None) -> Recording:
    """Read a whole recording: per-sensor samples on the session timeline, events, labels.

    Decoding runs the same `SensorStream` as a live session, so the samples equal what
    the live pipeline saw.

    Args:
        path: the MCAP file.
        clock: clock-alignment settings; None uses each sensor's nominal rate and defaults.

    Raises:
        InputFileError: not an MCAP file, not a reptempo recording, or a sensor without info.
    """
    path = Path(path)
    contents = RecordingContents()
    batches: dict[str, list[RawBatch | LinkEvent | InfoMessage]] = {}
    for item in iter_recording(path, contents):
        batches.setdefault(item.role, []).append(item)
    sensors: dict[str, SensorRecord] = {}
    for role in [*contents.infos, *(r for r in batches if r not in contents.infos)]:
        items = batches.get(role, [])
        info_fields = contents.infos.get(role)
        if info_fields is None:
            raise InputFileError(path, f"sensor {role!r} has raw data but no info message")
        info = _sensor_info(path, role, info_fields)
        sensors[role] = _decode_sensor(path, info, info_fields, items, clock)
    config_text = contents.metadata.get("config", "{}")
    try:
        config = json.loads(config_text)
    except ValueError:
        contents.warnings.append(f"{path}: metadata 'config' is not JSON; ignored")
        config = {}
    return Recording(
        path,
        contents.metadata,
        config,
        sensors,
        contents.events,
        contents.labels,
        contents.truncated,
        contents.warnings,
    )


def _sensor_info(path: Path, role: str, fields: dict[str, Any]) -> SensorInfo:
    try:
        return SensorInfo.from_dict(fields)
    except (ValueError, TypeError) as exc:
        raise InputFileError(path, f"sensor {role!r} info: {exc}") from None


def _decode_sensor(
    path: Path,
    info: SensorInfo,
    fields: dict[str, Any],
    items: list[RawBatch | LinkEvent | InfoMessage],
    clock: ClockSettings | None,
) -> SensorRecord:
    stream = SensorStream(info, clock=clock)
    parts: list[SensorSamples] = []
    run: list[RawBatch] = []
    packets = 0
    disconnected = False

    def decode_run() -> None:
        if run:
            # One join per array, then one vectorised decode of the whole run.
            arrival = np.frombuffer(b"".join(b.arrival_bytes for b in run), dtype="<f8")
            lengths = np.frombuffer(b"".join(b.length_bytes for b in run), dtype="<u2")
            data = np.frombuffer(b"".join(b.data_bytes for b in run), dtype=np.uint8)
            parts.append(stream.push_buffer(data, lengths.astype(np.int64), arrival.astype(np.float64)))
            run.clear()

    for item in items:
        if isinstance(item, RawBatch):
            run.append(item)
            packets += len(item)
        elif isinstance(item, InfoMessage):
            changed = _sensor_info(path, item.role, item.fields)
            if changed != stream.info:
                decode_run()
                stream.reconfigure(changed)
        elif item.event == "disconnected":
            disconnected = True
        elif disconnected:
            decode_run()
            stream.restart()
            disconnected = False
    decode_run()
    samples = SensorSamples.concatenate(parts) if parts else SensorSamples.empty(info.role)
    return SensorRecord(
        info, samples, stream.stats, stream.clock, packets, fields.get("address"), fields.get("name")
    )
