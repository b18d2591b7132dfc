"""Channel names, schemas and the binary layout of raw notification batches.

Raw batches use ROS 2 message definitions with CDR encoding (little-endian, XCDR1 as
ROS 2 writes it), so that Foxglove and the `mcap` CLI can list and decode them; every
other channel is JSON with a JSON Schema.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import numpy.typing as npt

SESSION_METADATA_NAME = "reptempo.session"
FORMAT_VERSION = "1"

RAW_SCHEMA_NAME = "reptempo_msgs/msg/NotificationBatch"
RAW_SCHEMA_TEXT = """\
# One batch of BLE notifications from one sensor, in arrival order.
# receive_time_s: host arrival time of each notification, seconds on the session timeline.
# packet_length: bytes of each notification; packet_bytes holds them back to back.
float64[] receive_time_s
uint16[] packet_length
uint8[] packet_bytes
"""

_CDR_LE_HEADER = b"\x00\x01\x00\x00"
_LITTLE_ENDIAN = sys.byteorder == "little"  # memoryview casts use the host's byte order


def raw_topic(role: str) -> str:
    """Raw notifications of the sensor at `role`."""
    return f"/sensors/{role}/raw"


def info_topic(role: str) -> str:
    """Sensor info (JSON), written at every (re)connection."""
    return f"/sensors/{role}/info"


def link_topic(role: str) -> str:
    """Link events of one sensor: connected, disconnected (JSON)."""
    return f"/sensors/{role}/link"


EVENTS_TOPIC = "/events"
LABELS_TOPIC = "/labels"


def json_schema(title: str, properties: dict[str, object], required: list[str]) -> bytes:
    """A JSON Schema document as bytes, for an MCAP schema record."""
    return json.dumps(
        {"title": title, "type": "object", "properties": properties, "required": required},
        sort_keys=True,
    ).encode()


INFO_SCHEMA = json_schema(
    "reptempo.SensorInfo",
    {
        "role": {"type": "string"},
        "rate_hz": {"type": "integer"},
        "acc_range_g": {"type": "integer"},
        "gyro_range_dps": {"type": "integer"},
        "imu_model": {"type": "string"},
        "firmware_version": {"type": "string"},
        "address": {"type": ["string", "null"]},
        "name": {"type": ["string", "null"]},
        "time_s": {"type": "number"},
    },
    ["role", "rate_hz", "acc_range_g", "gyro_range_dps", "time_s"],
)
LINK_SCHEMA = json_schema(
    "reptempo.LinkEvent",
    {"event": {"enum": ["connected", "disconnected"]}, "time_s": {"type": "number"}},
    ["event", "time_s"],
)
EVENT_SCHEMA = json_schema(
    "reptempo.Event", {"type": {"type": "string"}, "time_s": {"type": "number"}}, ["type", "time_s"]
)
LABELS_SCHEMA = json_schema("reptempo.GroundTruth", {}, [])


def _pad(offset: int, align: int) -> int:
    return (-offset) % align


def encode_raw_batch(
    arrival_s: npt.NDArray[np.float64], lengths: npt.NDArray[np.uint16], data: bytes
) -> bytes:
    """CDR-encode one batch: arrival times, packet lengths and the packets back to back."""
    n = arrival_s.shape[0]
    parts = [_CDR_LE_HEADER]
    offset = 0  # CDR alignment counts from the end of the 4-byte encapsulation header

    def put(raw: bytes, align: int) -> None:
        nonlocal offset
        pad = _pad(offset, align)
        parts.append(b"\x00" * pad + raw)
        offset += pad + len(raw)

    put(np.uint32(n).tobytes(), 4)
    put(arrival_s.astype("<f8").tobytes(), 8 if n else 1)
    put(np.uint32(n).tobytes(), 4)
    put(lengths.astype("<u2").tobytes(), 2)
    put(np.uint32(len(data)).tobytes(), 4)
    put(data, 1)
    return b"".join(parts)


def split_raw_batch(message: bytes) -> tuple[memoryview, memoryview, memoryview]:
    """Inverse of `encode_raw_batch`, without copies: the little-endian bytes of the
    arrival times (float64), the packet lengths (uint16) and the packets.

    Raises ValueError on a malformed message.
    """
    if message[:4] != _CDR_LE_HEADER:
        raise ValueError("raw batch is not little-endian CDR")
    view = memoryview(message)[4:]
    size = len(view)
    # Offsets count from the end of the encapsulation header, as CDR alignment does.
    n = int.from_bytes(view[0:4], "little")
    times_at = 8 if n else 4
    lengths_count_at = times_at + 8 * n
    lengths_at = lengths_count_at + 4
    data_count_at = lengths_at + 2 * n
    data_count_at += _pad(data_count_at, 4)
    if data_count_at + 4 > size:
        raise ValueError("raw batch truncated")
    if int.from_bytes(view[lengths_count_at:lengths_at], "little") != n:
        raise ValueError("raw batch has different numbers of times and lengths")
    n_bytes = int.from_bytes(view[data_count_at : data_count_at + 4], "little")
    data_at = data_count_at + 4
    if data_at + n_bytes > size:
        raise ValueError("raw batch truncated")
    lengths = view[lengths_at : lengths_at + 2 * n]
    total = sum(lengths.cast("H")) if _LITTLE_ENDIAN else int(np.frombuffer(lengths, "<u2").sum())
    if total != n_bytes:
        raise ValueError("raw batch lengths do not add up to its bytes")
    return view[times_at:lengths_count_at], lengths, view[data_at : data_at + n_bytes]
