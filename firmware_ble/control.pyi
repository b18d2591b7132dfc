# Host-side type stubs for control.py, which stays untyped to run under MicroPython.
from collections.abc import Iterable

ACT_START: int
ACT_STOP: int
ACT_SET_RATE: int
ACT_SAVE_ROLE: int
ACT_UPDATE_INFO: int
ACT_IDENTIFY: int
ACT_IGNORED: int
DEFAULT_ROLE: str
DEFAULT_RATE_HZ: int

# (ACT_..., argument): the argument is an int (rate, seconds), a str (role, reason) or
# bytes (info value); START and STOP are 1-tuples.
_Action = tuple[int] | tuple[int, int] | tuple[int, str] | tuple[int, bytes]

class SensorState:
    supported_rates_hz: tuple[int, ...]
    role: str
    rate_hz: int
    acc_range_g: int
    gyro_range_dps: int
    imu_model: int
    firmware_version: tuple[int, int, int]
    started: bool
    def __init__(
        self,
        role: str,
        rate_hz: int,
        acc_range_g: int,
        gyro_range_dps: int,
        imu_model: int,
        firmware_version: tuple[int, int, int],
        supported_rates_hz: Iterable[int],
    ) -> None: ...
    def info(self) -> bytes: ...
    def on_control(self, data: bytes | bytearray | memoryview) -> list[_Action]: ...
    def on_disconnect(self) -> list[_Action]: ...

def advertised_name(role: str, serial_hex: str) -> str: ...
