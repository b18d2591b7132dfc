"""Sensor clock alignment: device sample counters onto one session timeline."""

from imu_reader.clock._aligner import ClockAligner, ClockEstimate, ClockSettings

__all__ = ["ClockAligner", "ClockEstimate", "ClockSettings"]
