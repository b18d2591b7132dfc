"""Wire protocol v1 on the host: vectorised decoding, link bookkeeping and sensor info.

The byte layout itself lives in `firmware_ble.protocol_core`, shared with the firmware.
"""

from firmware_ble import protocol_core as core
from imu_reader.protocol._decode import DecodedPackets, Malformed, decode_buffer, decode_packets
from imu_reader.protocol._info import SensorInfo
from imu_reader.protocol._tracker import DUPLICATE_WINDOW, LinkStats, LinkTracker, TrackedPackets

__all__ = [
    "DUPLICATE_WINDOW",
    "DecodedPackets",
    "LinkStats",
    "LinkTracker",
    "Malformed",
    "SensorInfo",
    "TrackedPackets",
    "core",
    "decode_buffer",
    "decode_packets",
]
