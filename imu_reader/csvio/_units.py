"""Units a CSV file may use, and their factors to the SI units of `dsp.SensorSamples`."""

from __future__ import annotations

import math

from dsp import STANDARD_GRAVITY_MPS2  # the value Sensor Logger documents too

ACC_UNITS: tuple[str, ...] = ("m/s2", "g")
"""Accepted acceleration units, first the default; use as argparse `choices=`."""

GYR_UNITS: tuple[str, ...] = ("rad/s", "dps")
"""Accepted angular-rate units, first the default (dps = degrees per second)."""

DEFAULT_ACC_UNIT = "m/s2"
"""SI, what phones export."""

DEFAULT_GYR_UNIT = "rad/s"
"""SI, what phones export."""

_ACC_TO_MPS2 = {"m/s2": 1.0, "g": STANDARD_GRAVITY_MPS2}
_GYR_TO_RPS = {"rad/s": 1.0, "dps": math.pi / 180.0}


def acc_unit_scale(unit: str) -> float:
    """Factor that turns acceleration in `unit` into m/s^2.

    Args:
        unit: one of `ACC_UNITS`.

    Raises:
        ValueError: `unit` is not one of `ACC_UNITS`; the message names the valid choices.
    """
    try:
        return _ACC_TO_MPS2[unit]
    except KeyError:
        raise ValueError(
            f"unknown acceleration unit {unit!r}: choose one of {', '.join(ACC_UNITS)}"
        ) from None


def gyr_unit_scale(unit: str) -> float:
    """Factor that turns angular rate in `unit` into rad/s.

    Args:
        unit: one of `GYR_UNITS`.

    Raises:
        ValueError: `unit` is not one of `GYR_UNITS`; the message names the valid choices.
    """
    try:
        return _GYR_TO_RPS[unit]
    except KeyError:
        raise ValueError(
            f"unknown angular rate unit {unit!r}: choose one of {', '.join(GYR_UNITS)}"
        ) from None


def check_rate_hz(rate_hz: float | None) -> None:
    """Reject a sample rate that is not a finite positive number of Hz.

    Raises:
        ValueError: `rate_hz` is zero, negative, NaN or infinite.
    """
    if rate_hz is not None and not (math.isfinite(rate_hz) and rate_hz > 0):
        raise ValueError(f"rate_hz must be a positive number of Hz, got {rate_hz!r}")
