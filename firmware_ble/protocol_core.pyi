# Host-side type stubs for protocol_core.py, which stays untyped to run under MicroPython.
from collections.abc import Sequence

PROTOCOL_VERSION: int
SERVICE_UUID: str
DATA_CHAR_UUID: str
CONTROL_CHAR_UUID: str
INFO_CHAR_UUID: str
BATTERY_SERVICE_UUID16: int
BATTERY_LEVEL_CHAR_UUID16: int
DEVICE_INFO_SERVICE_UUID16: int
DATA_HEADER_FORMAT: str
DATA_HEADER_SIZE: int
SAMPLE_SIZE: int
SEQUENCE_MODULUS: int
COUNTER_MODULUS: int
MIN_PAYLOAD: int
MAX_PAYLOAD: int
INFO_FORMAT: str
INFO_SIZE: int
ROLES: tuple[str, ...]
IMU_MODELS: dict[int, str]
RATES_HZ: tuple[int, ...]
ACC_RANGES_G: tuple[int, ...]
GYRO_RANGES_DPS: tuple[int, ...]
CMD_START: int
CMD_STOP: int
CMD_SET_RATE: int
CMD_SET_ROLE: int
CMD_IDENTIFY: int
CONTROL_ARG_SIZE: dict[int, int]

def max_samples_per_packet(payload_size: int) -> int: ...
def pack_data(sequence: int, first_counter: int, samples: Sequence[int]) -> bytes: ...
def unpack_data(packet: bytes | bytearray | memoryview) -> tuple[int, int, tuple[int, ...]]: ...
def pack_info(
    role: str,
    rate_hz: int,
    acc_range_g: int,
    gyro_range_dps: int,
    imu_model: int,
    firmware_version: tuple[int, int, int],
) -> bytes: ...
def unpack_info(data: bytes | bytearray | memoryview) -> dict[str, str | int]: ...
def pack_control(opcode: int, arg: int | None = None) -> bytes: ...
def parse_control(data: bytes | bytearray | memoryview) -> tuple[int, int | None]: ...
