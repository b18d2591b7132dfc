"""The sensor's info characteristic as a typed value, and raw-to-SI scaling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dsp import STANDARD_GRAVITY_MPS2
from firmware_ble import protocol_core as core
from imu_reader._errors import InfoDecodeError

_INT16_FULL_SCALE = 32768.0


@dataclass(frozen=True)
class SensorInfo:
    """What a sensor says about itself (info characteristic, protocol v1).

    Attributes:
        role: where the sensor is strapped (`shin`, `pelvis`, `shin_left`, `shin_right`).
        rate_hz: nominal output data rate in Hz; the true rate differs by the oscillator's error.
        acc_range_g: accelerometer full scale in g (int16 +-32768 spans +-range).
        gyro_range_dps: gyroscope full scale in degrees per second.
        imu_model: IMU part name, or `emulator`.
        firmware_version: `major.minor.patch`.
    """

    role: str
    rate_hz: int
    acc_range_g: int
    gyro_range_dps: int
    imu_model: str = "unknown"
    firmware_version: str = "0.0.0"

    def __post_init__(self) -> None:
        checks = (
            ("role", self.role, core.ROLES),
            ("rate_hz", self.rate_hz, core.RATES_HZ),
            ("acc_range_g", self.acc_range_g, core.ACC_RANGES_G),
            ("gyro_range_dps", self.gyro_range_dps, core.GYRO_RANGES_DPS),
        )
        for name, value, allowed in checks:
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}")
        if self.imu_model not in core.IMU_MODELS.values():
            raise ValueError(f"unknown imu_model {self.imu_model!r}")
        parts = self.firmware_version.split(".")
        if len(parts) != 3 or not all(p.isdigit() and str(int(p)) == p and int(p) < 256 for p in parts):
            raise ValueError(
                f"firmware_version must be major.minor.patch (0-255 each), got {self.firmware_version!r}"
            )

    @property
    def acc_scale_mps2(self) -> float:
        """m/s^2 per accelerometer LSB."""
        return self.acc_range_g * STANDARD_GRAVITY_MPS2 / _INT16_FULL_SCALE

    @property
    def gyr_scale_rps(self) -> float:
        """rad/s per gyroscope LSB."""
        return math.radians(self.gyro_range_dps) / _INT16_FULL_SCALE

    @classmethod
    def from_bytes(cls, data: bytes) -> SensorInfo:
        """Decode the info characteristic; raises `InfoDecodeError` naming the bad field."""
        try:
            fields: dict[str, Any] = core.unpack_info(bytes(data))
        except ValueError as exc:
            raise InfoDecodeError(data, str(exc)) from None
        del fields["protocol_version"]
        return cls(**fields)

    def to_bytes(self) -> bytes:
        """Encode as the info characteristic."""
        model = next(k for k, v in core.IMU_MODELS.items() if v == self.imu_model)
        major, minor, patch = (int(p) for p in self.firmware_version.split("."))
        encoded: bytes = core.pack_info(
            self.role, self.rate_hz, self.acc_range_g, self.gyro_range_dps, model, (major, minor, patch)
        )
        return encoded

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "role": self.role,
            "rate_hz": self.rate_hz,
            "acc_range_g": self.acc_range_g,
            "gyro_range_dps": self.gyro_range_dps,
            "imu_model": self.imu_model,
            "firmware_version": self.firmware_version,
        }

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> SensorInfo:
        """Inverse of `to_dict`; raises ValueError naming a missing or bad field."""
        known = ("role", "rate_hz", "acc_range_g", "gyro_range_dps", "imu_model", "firmware_version")
        missing = [k for k in known[:4] if k not in fields]
        if missing:
            raise ValueError(f"sensor info lacks {', '.join(missing)}")
        return cls(**{k: fields[k] for k in known if k in fields})
