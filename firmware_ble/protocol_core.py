# reptempo wire protocol v1: the bytes on the air, shared by the sensor firmware
# (MicroPython) and the host-side emulator (CPython). docs/protocol.md is the
# specification; firmware_ble/protocol_v1_vectors.json holds the golden vectors.
#
# MicroPython constraints: only `struct`, no dataclasses, no typing, no f-strings.

import struct

PROTOCOL_VERSION = 1

SERVICE_UUID = "e9b00001-7e31-48a4-8f0d-e73edd0cb4f2"
DATA_CHAR_UUID = "e9b00002-7e31-48a4-8f0d-e73edd0cb4f2"
CONTROL_CHAR_UUID = "e9b00003-7e31-48a4-8f0d-e73edd0cb4f2"
INFO_CHAR_UUID = "e9b00004-7e31-48a4-8f0d-e73edd0cb4f2"
BATTERY_SERVICE_UUID16 = 0x180F
BATTERY_LEVEL_CHAR_UUID16 = 0x2A19
DEVICE_INFO_SERVICE_UUID16 = 0x180A

# Data packet: version u8, sample count u8, sequence u16, first sample counter u32,
# then count x (acc x,y,z, gyr x,y,z) int16, all little-endian.
DATA_HEADER_FORMAT = "<BBHI"
DATA_HEADER_SIZE = 8
SAMPLE_SIZE = 12
SEQUENCE_MODULUS = 0x10000
COUNTER_MODULUS = 0x100000000
MIN_PAYLOAD = 20  # default ATT MTU 23 minus the 3-byte notification header
MAX_PAYLOAD = 244  # LE data length extension: 251-byte PDU minus L2CAP and ATT headers

# Info characteristic: version u8, role u8, rate_hz u16, acc range g u8,
# gyro range dps u16, imu model u8, firmware major/minor/patch u8 = 11 bytes.
# Later v1 firmware may append fields; readers ignore trailing bytes.
INFO_FORMAT = "<BBHBHBBBB"
INFO_SIZE = 11

ROLES = ("shin", "pelvis", "shin_left", "shin_right")
IMU_MODELS = {
    0: "unknown",
    1: "MPU-6050",
    2: "MPU-6886",
    3: "LSM6DS3",
    4: "LSM6DSOX",
    5: "ICM-42688-P",
    254: "emulator",
}
RATES_HZ = (25, 50, 100, 200, 400)
ACC_RANGES_G = (2, 4, 8, 16)
GYRO_RANGES_DPS = (125, 250, 500, 1000, 2000)

# Control commands: opcode u8 followed by its argument.
CMD_START = 0x01
CMD_STOP = 0x02
CMD_SET_RATE = 0x03  # u16 rate_hz
CMD_SET_ROLE = 0x04  # u8 role index
CMD_IDENTIFY = 0x05  # u8 blink duration in seconds
CONTROL_ARG_SIZE = {CMD_START: 0, CMD_STOP: 0, CMD_SET_RATE: 2, CMD_SET_ROLE: 1, CMD_IDENTIFY: 1}


def max_samples_per_packet(payload_size):
    """Samples that fit in one notification of `payload_size` bytes (ATT MTU - 3)."""
    if payload_size < DATA_HEADER_SIZE + SAMPLE_SIZE:
        raise ValueError("payload size %d below one sample packet (%d)" % (payload_size, MIN_PAYLOAD))
    return (min(payload_size, MAX_PAYLOAD) - DATA_HEADER_SIZE) // SAMPLE_SIZE


def pack_data(sequence, first_counter, samples):
    """Encode one data packet.

    `samples` is a flat sequence of int16 values, six per sample
    (acc x, y, z, gyr x, y, z), as the IMU delivers them; they are not range-checked
    (this runs per packet on the sensor). Sequence and counter wrap modulo 2**16 and 2**32.
    """
    n_values = len(samples)
    if n_values == 0 or n_values % 6:
        raise ValueError("samples must hold a positive multiple of 6 values, got %d" % n_values)
    count = n_values // 6
    if count > 255:
        raise ValueError("at most 255 samples per packet, got %d" % count)
    buf = bytearray(DATA_HEADER_SIZE + SAMPLE_SIZE * count)
    struct.pack_into(
        DATA_HEADER_FORMAT, buf, 0, PROTOCOL_VERSION, count,
        sequence % SEQUENCE_MODULUS, first_counter % COUNTER_MODULUS,
    )
    struct.pack_into("<%dh" % n_values, buf, DATA_HEADER_SIZE, *samples)
    return bytes(buf)


def unpack_data(packet):
    """Decode one data packet into (sequence, first_counter, samples).

    Raises ValueError naming what is wrong; the reference decoder that the host's
    vectorised one is checked against.
    """
    size = len(packet)
    if size < DATA_HEADER_SIZE:
        raise ValueError("truncated header: %d bytes, need %d" % (size, DATA_HEADER_SIZE))
    version, count, sequence, first_counter = struct.unpack_from(DATA_HEADER_FORMAT, packet, 0)
    if version != PROTOCOL_VERSION:
        raise ValueError("unknown protocol version %d" % version)
    if count == 0:
        raise ValueError("sample count is 0")
    expected = DATA_HEADER_SIZE + SAMPLE_SIZE * count
    if size != expected:
        raise ValueError("length %d does not match %d samples (%d bytes)" % (size, count, expected))
    samples = struct.unpack_from("<%dh" % (6 * count), packet, DATA_HEADER_SIZE)
    return sequence, first_counter, samples


def pack_info(role, rate_hz, acc_range_g, gyro_range_dps, imu_model, firmware_version):
    """Encode the info characteristic. `role` is a name from ROLES, `firmware_version` a 3-tuple.

    Raises ValueError for a value the protocol cannot carry (MicroPython's struct would
    silently truncate it instead).
    """
    if role not in ROLES:
        raise ValueError("unknown role %r" % (role,))
    if rate_hz not in RATES_HZ:
        raise ValueError("unsupported rate_hz %d" % rate_hz)
    if acc_range_g not in ACC_RANGES_G:
        raise ValueError("unsupported acc_range_g %d" % acc_range_g)
    if gyro_range_dps not in GYRO_RANGES_DPS:
        raise ValueError("unsupported gyro_range_dps %d" % gyro_range_dps)
    if not 0 <= imu_model <= 255:
        raise ValueError("imu_model %d out of range 0..255" % imu_model)
    major, minor, patch = firmware_version
    for part in (major, minor, patch):
        if not 0 <= part <= 255:
            raise ValueError("firmware version part %d out of range 0..255" % part)
    return struct.pack(
        INFO_FORMAT, PROTOCOL_VERSION, ROLES.index(role), rate_hz, acc_range_g,
        gyro_range_dps, imu_model, major, minor, patch,
    )


def unpack_info(data):
    """Decode the info characteristic into a dict; raises ValueError naming the bad field."""
    if len(data) < INFO_SIZE:
        raise ValueError("info is %d bytes, need at least %d" % (len(data), INFO_SIZE))
    version, role, rate_hz, acc_g, gyro_dps, model, major, minor, patch = struct.unpack_from(
        INFO_FORMAT, data, 0
    )
    if version != PROTOCOL_VERSION:
        raise ValueError("unknown protocol version %d" % version)
    if role >= len(ROLES):
        raise ValueError("unknown role %d" % role)
    if rate_hz not in RATES_HZ:
        raise ValueError("unsupported rate_hz %d" % rate_hz)
    if acc_g not in ACC_RANGES_G:
        raise ValueError("unsupported acc_range_g %d" % acc_g)
    if gyro_dps not in GYRO_RANGES_DPS:
        raise ValueError("unsupported gyro_range_dps %d" % gyro_dps)
    return {
        "protocol_version": version,
        "role": ROLES[role],
        "rate_hz": rate_hz,
        "acc_range_g": acc_g,
        "gyro_range_dps": gyro_dps,
        "imu_model": IMU_MODELS.get(model, "unknown"),
        "firmware_version": "%d.%d.%d" % (major, minor, patch),
    }


def pack_control(opcode, arg=None):
    """Encode a control command written by the host."""
    size = CONTROL_ARG_SIZE.get(opcode)
    if size is None:
        raise ValueError("unknown control opcode 0x%02x" % opcode)
    if size == 0:
        return bytes((opcode,))
    if arg is None:
        raise ValueError("control opcode 0x%02x needs an argument" % opcode)
    if not 0 <= arg < (1 << (8 * size)):
        raise ValueError("control argument %d does not fit %d bytes" % (arg, size))
    data = struct.pack("<BH" if size == 2 else "<BB", opcode, arg)
    parse_control(data)  # the same validation the sensor applies
    return data


def parse_control(data):
    """Decode and validate a control command into (opcode, arg or None); ValueError if invalid."""
    if len(data) == 0:
        raise ValueError("empty control command")
    opcode = data[0]
    size = CONTROL_ARG_SIZE.get(opcode)
    if size is None:
        raise ValueError("unknown control opcode 0x%02x" % opcode)
    if len(data) != 1 + size:
        raise ValueError("control opcode 0x%02x needs %d argument bytes, got %d" % (opcode, size, len(data) - 1))
    if size == 0:
        return opcode, None
    arg = struct.unpack_from("<H" if size == 2 else "<B", data, 1)[0]
    if opcode == CMD_SET_RATE and arg not in RATES_HZ:
        raise ValueError("unsupported rate_hz %d" % arg)
    if opcode == CMD_SET_ROLE and arg >= len(ROLES):
        raise ValueError("unknown role %d" % arg)
    return opcode, arg
