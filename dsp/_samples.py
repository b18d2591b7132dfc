"""Aligned samples: the one data type that crosses from `imu_reader` into `dsp`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

STANDARD_GRAVITY_MPS2 = 9.80665
"""g, by definition (CGPM 1901): the unit "g" of accelerometers."""

ROLES: tuple[str, ...] = ("shin", "pelvis", "shin_left", "shin_right")
"""Where a sensor is strapped. `shin` is the lifted leg; `shin_left`/`shin_right` name both legs."""

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class SensorSamples:
    """Samples of one sensor on the session timeline, in SI units.

    Attributes:
        role: where the sensor is strapped, one of `ROLES`.
        time_s: sample times on the session timeline in seconds, shape (n,), non-decreasing.
        acc_mps2: specific force in m/s^2 in the sensor frame, shape (n, 3).
        gyr_rps: angular rate in rad/s in the sensor frame, shape (n, 3).
        gap_before: True where samples are missing just before this one (lost packets,
            a disconnect, a sensor restart), shape (n,). Gaps are never interpolated.
    """

    role: str
    time_s: FloatArray
    acc_mps2: FloatArray
    gyr_rps: FloatArray
    gap_before: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")
        n = self.time_s.shape[0] if self.time_s.ndim == 1 else -1
        if n < 0:
            raise ValueError(f"time_s must have shape (n,), got {self.time_s.shape}")
        for name in ("acc_mps2", "gyr_rps"):
            shape = getattr(self, name).shape
            if shape != (n, 3):
                raise ValueError(f"{name} must have shape ({n}, 3), got {shape}")
        if self.gap_before.shape == (0,) and n:
            object.__setattr__(self, "gap_before", np.zeros(n, dtype=np.bool_))
        elif self.gap_before.shape != (n,):
            raise ValueError(f"gap_before must have shape ({n},), got {self.gap_before.shape}")

    def __len__(self) -> int:
        return len(self.time_s)

    @classmethod
    def _checked(
        cls, role: str, time_s: FloatArray, acc_mps2: FloatArray, gyr_rps: FloatArray, gap_before: BoolArray
    ) -> SensorSamples:
        """Samples made from parts of valid ones, without checking them again: the checks cost
        several times the making, and a live session cuts and joins blocks at every call."""
        samples = object.__new__(cls)
        fields = samples.__dict__
        fields["role"] = role
        fields["time_s"] = time_s
        fields["acc_mps2"] = acc_mps2
        fields["gyr_rps"] = gyr_rps
        fields["gap_before"] = gap_before
        return samples

    def part(self, start: int, stop: int) -> SensorSamples:
        """Samples [start, stop) (views, not copies)."""
        return SensorSamples._checked(
            self.role,
            self.time_s[start:stop],
            self.acc_mps2[start:stop],
            self.gyr_rps[start:stop],
            self.gap_before[start:stop],
        )

    @classmethod
    def empty(cls, role: str) -> SensorSamples:
        """No samples for `role`."""
        return cls(role, np.zeros(0), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, dtype=np.bool_))

    @classmethod
    def concatenate(cls, parts: list[SensorSamples]) -> SensorSamples:
        """Join consecutive blocks of one sensor; `parts` must not be empty and share a role."""
        if not parts:
            raise ValueError("nothing to concatenate")
        role = parts[0].role
        # One pass over the parts (a live batch joins a few short ones: numpy's four joins
        # should be most of the cost).
        fields = [(p.time_s, p.acc_mps2, p.gyr_rps, p.gap_before) for p in parts if p.role == role]
        if len(fields) != len(parts):
            raise ValueError(f"cannot concatenate different roles: {sorted({p.role for p in parts})}")
        time_s, acc_mps2, gyr_rps, gap_before = zip(*fields, strict=True)
        return cls._checked(
            role,
            np.concatenate(time_s),
            np.concatenate(acc_mps2),
            np.concatenate(gyr_rps),
            np.concatenate(gap_before),
        )
