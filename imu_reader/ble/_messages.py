"""What a sensor link reports about itself (frozen dataclasses, one per kind)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from imu_reader.protocol import SensorInfo


@dataclass(frozen=True)
class SensorConnected:
    """Connected, the sensor described itself, and it streams from now on.

    Attributes:
        at_s: host monotonic time, s.
        attempt: 1 for the first connection, then one more per reconnection.
        mtu: the ATT MTU negotiated, bytes.
        battery_percent: None if it could not be read.
    """

    role: str
    address: str
    info: SensorInfo
    at_s: float
    attempt: int
    mtu: int
    battery_percent: int | None
    kind: ClassVar[str] = "connected"


@dataclass(frozen=True)
class SensorDisconnected:
    """The link broke (or was closed); what the sensor sends until it is back is lost."""

    role: str
    at_s: float
    reason: str
    kind: ClassVar[str] = "disconnected"


@dataclass(frozen=True)
class SensorRetrying:
    """The next attempt to find and connect the sensor comes after `delay_s`."""

    role: str
    at_s: float
    delay_s: float
    reason: str
    kind: ClassVar[str] = "retrying"


LinkMessage = SensorConnected | SensorDisconnected | SensorRetrying
