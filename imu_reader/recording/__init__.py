"""Session recordings in MCAP: raw notifications, sensor info, events, labels."""

from imu_reader.recording._reader import (
    InfoMessage,
    LinkEvent,
    RawBatch,
    Recording,
    RecordingContents,
    SensorRecord,
    iter_recording,
    read_recording,
)
from imu_reader.recording._schema import (
    EVENTS_TOPIC,
    LABELS_TOPIC,
    RAW_SCHEMA_NAME,
    SESSION_METADATA_NAME,
    info_topic,
    link_topic,
    raw_topic,
)
from imu_reader.recording._writer import RecordingWriter, SessionMetadata

__all__ = [
    "EVENTS_TOPIC",
    "LABELS_TOPIC",
    "RAW_SCHEMA_NAME",
    "SESSION_METADATA_NAME",
    "InfoMessage",
    "LinkEvent",
    "RawBatch",
    "Recording",
    "RecordingContents",
    "RecordingWriter",
    "SensorRecord",
    "SessionMetadata",
    "info_topic",
    "iter_recording",
    "link_topic",
    "raw_topic",
    "read_recording",
]
