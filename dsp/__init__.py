"""Pure computation on aligned IMU samples: numpy in, frozen dataclasses out, no I/O."""

from dsp._samples import ROLES, STANDARD_GRAVITY_MPS2, SensorSamples

__all__ = ["ROLES", "STANDARD_GRAVITY_MPS2", "SensorSamples"]
