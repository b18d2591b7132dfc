"""Everything that produces samples: protocol codec, clock alignment, recordings, CSV."""

from imu_reader._errors import InfoDecodeError, InputFileError, ReaderError
from imu_reader._stream import SensorStream

__all__ = ["InfoDecodeError", "InputFileError", "ReaderError", "SensorStream"]
