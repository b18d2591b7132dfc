"""Sensors over Bluetooth LE through bleak's public API: scan, connect, stream, reconnect.

`BleCentral(backend)` picks bleak's platform backend (`platform`) or our bumble backend
(`bumble:TRANSPORT`, for the virtual link of `reptempo sim --ble` or a USB dongle driven
directly). A `SensorSupervisor` keeps one sensor streaming into a `PacketInbox`. See docs/ble.md.
"""

from imu_reader.ble._advice import UserFixableError, advice_for
from imu_reader.ble._central import PLATFORM, BleCentral, check_backend_spec
from imu_reader.ble._inbox import PacketInbox
from imu_reader.ble._messages import LinkMessage, SensorConnected, SensorDisconnected, SensorRetrying
from imu_reader.ble._scan import FoundSensor, configure_sensor, scan_sensors
from imu_reader.ble._supervisor import SensorSupervisor, SensorTarget

__all__ = [
    "PLATFORM",
    "BleCentral",
    "FoundSensor",
    "LinkMessage",
    "PacketInbox",
    "SensorConnected",
    "SensorDisconnected",
    "SensorRetrying",
    "SensorSupervisor",
    "SensorTarget",
    "UserFixableError",
    "advice_for",
    "check_backend_spec",
    "configure_sensor",
    "scan_sensors",
]
