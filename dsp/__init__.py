"""Pure computation on aligned IMU samples: numpy in, frozen dataclasses out, no I/O."""

from dsp._samples import ROLES, SensorSamples

__all__ = ["ROLES", "SensorSamples"]
