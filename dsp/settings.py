"""The pipeline's settings: every field carries its unit; the defaults are the product's."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Settings:
    """What a coach may tune. Loaded from the `[dsp]` table of a TOML config by the app.

    Attributes:
        eccentric_target_s: a lowering faster than this is flagged `eccentric_too_fast`.
        tilt_threshold_deg: anterior tilt beyond the baseline that makes a tilt episode.
        set_rest_s: a rest longer than this closes a set.
        min_rom_deg: a movement of the lift angle smaller than this is never a rep; once an
            exercise's full reps are known, 0.3 of their typical range is needed too.
        partial_fraction: a rep reaching less than this share of the set's typical range
            is partial.
        moving_dps: the leg moves when its lift angular speed is above this, deg/s.
        complementary_tau_s: time constant of the gyro/accelerometer blend of the lift angle.
        pelvis_tau_s: the same for the pelvis: short, so that the accelerometer leads. Hanging,
            the whole body swings about the hands like a pendulum, which the gyro sees but
            the accelerometer (reading along the body) does not; lying, the pelvis hardly
            accelerates.
        rest_window_s: stillness needed to capture a rest reference (gyro bias, baseline).
    """

    eccentric_target_s: float = 3.0
    tilt_threshold_deg: float = 5.0
    set_rest_s: float = 15.0
    min_rom_deg: float = 4.5
    partial_fraction: float = 0.7
    moving_dps: float = 2.5
    complementary_tau_s: float = 2.0
    pelvis_tau_s: float = 0.1
    rest_window_s: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not (
                isinstance(value, int | float) and math.isfinite(value) and value > 0
            ):
                raise ValueError(f"{f.name} must be a finite number > 0, got {value!r}")
        if self.partial_fraction >= 1:
            raise ValueError(f"partial_fraction must be < 1, got {self.partial_fraction}")

    @classmethod
    def from_dict(cls, table: dict[str, Any], *, where: str = "settings") -> Settings:
        """From a TOML table; unknown keys are an error naming `where` and the key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ValueError(f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
        for key, value in table.items():
            # TOML gives bools, strings and lists as they are: none of them is a setting.
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{where}: {key} must be a number, got {value!r}")
        try:
            return cls(**{k: float(v) for k, v in table.items()})
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
