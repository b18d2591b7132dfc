# Checks of imu_frames: each IMU's FIFO bytes decoded to protocol raw samples. The byte
# dumps are written out by hand from each datasheet's FIFO layout (cited in
# imu_frames.py); the expected values are what those bytes mean. Runs unchanged in
# MicroPython and CPython; run(modules) returns (checks, failures).

from expect import Expect, unhex

# MPU-6050: two frames, big-endian acc x,y,z gyr x,y,z, then 5 bytes of a frame still
# being written (not returned).
MPU6050_DUMP = (
    "1000 ffde 0800 0003 fffe 0001"  # 4096, -34, 2048, 3, -2, 1
    "8000 7fff 0000 ff00 00ff 0100"  # -32768, 32767, 0, -256, 255, 256
    "0102 0304 05"
)
MPU6050_VALUES = [4096, -34, 2048, 3, -2, 1, -32768, 32767, 0, -256, 255, 256]

# MPU-6886: 14-byte frames, the temperature (0x0b0c, 0x1234) between accel and gyro.
MPU6886_DUMP = (
    "0010 0020 f000 0b0c 0001 0002 0003"
    "ffff 0000 1000 1234 8000 7fff fffe"
)
MPU6886_VALUES = [16, 32, -4096, 1, 2, 3, -1, 0, 4096, -32768, 32767, -2]

# ICM-42688-P: packet 3 records: header, accel, gyro (big-endian), temperature (1),
# timestamp (2). Header 0x68: accel, gyro, ODR timestamp. 0x48: accel only (not a
# sample). 0x80: the FIFO is empty, the rest is padding.
ICM42688_DUMP = (
    "68 0800 fff8 1000 0010 ffe0 0040 1c 1234"
    "48 0001 0002 0003 0004 0005 0006 1c 1235"
    "68 f800 0008 f000 fff0 0020 ffc0 1d 1236"
    "80 0000 0000 0000 0000 0000 0000 00 0000"
    "68 0101 0101 0101 0101 0101 0101 00 0000"
)
ICM42688_VALUES = [2048, -8, 4096, 16, -32, 64, -2048, 8, -4096, -16, 32, -64]

# LSM6DS3: little-endian words, gyro x,y,z then accel x,y,z; gyro scaled by 3584/3125.
# Gyro 14286 LSB = 1000 dps at 70 mdps/LSB -> protocol 16384 (1000 of 2000 dps).
LSM6DS3_DUMP = (
    "ce37 0000 18fc  0010 00f0 0040"  # gyro 14286, 0, -1000; accel 4096, -4096, 16384
    "9b6f 646f 6490  0100 ffff 0000"  # gyro 28571, 28516, -28572; accel 1, -1, 0
    "0100 0200"  # two words of the next sample: not returned
)
LSM6DS3_VALUES = [4096, -4096, 16384, 16384, 0, -1147, 1, -1, 0, 32767, 32704, -32768]

# LSM6DSOX tagged records: tag = sensor << 3 | slot << 1 | parity; sensor 1 gyro,
# 2 accel, 3 temperature. Slot 0: gyro then accel. Slot 1: accel then gyro. A
# temperature record in between. Slot 2: accel alone (incomplete). Slot 3: complete.
DSOX_DUMP = (
    "08 e803 0000 18fc"  # gyro slot 0: 1000, 0, -1000
    "10 0010 0000 0040"  # accel slot 0: 4096, 0, 16384
    "13 0100 0200 0300"  # accel slot 1: 1, 2, 3
    "19 aa00 0000 0000"  # temperature: ignored
    "0a 0400 0500 0600"  # gyro slot 1: 4, 5, 6
    "14 0700 0800 0900"  # accel slot 2, alone
    "0e 0a00 0b00 0c00"  # gyro slot 3: 10, 11, 12
)
DSOX_DUMP_REST = "17 0d00 0e00 0f00"  # accel slot 3, in the next read: 13, 14, 15
DSOX_VALUES = [4096, 0, 16384, 1147, 0, -1147, 1, 2, 3, 5, 6, 7]
DSOX_VALUES_REST = [13, 14, 15, 11, 13, 14]


def _scale(frames, ex):
    f = frames.scale_lsm6_gyro
    pairs = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (7, 8), (-4, -5), (1000, 1147), (-1000, -1147),
             (14286, 16384), (28570, 32766), (28571, 32767), (32767, 32767), (-28572, -32768), (-32768, -32768))
    for raw, want in pairs:
        ex.eq("scale_lsm6_gyro(%d)" % raw, f(raw), want)


def run(modules):
    frames = modules["imu_frames"]
    ex = Expect()
    try:
        _scale(frames, ex)
        dump = unhex(MPU6050_DUMP)
        ex.eq("MPU-6050 frames", frames.parse_mpu6050(dump, len(dump)), MPU6050_VALUES)
        ex.eq("MPU-6050 one frame of the bytes", frames.parse_mpu6050(dump, 12), MPU6050_VALUES[:6])
        dump = unhex(MPU6886_DUMP)
        ex.eq("MPU-6886 frames without temperature", frames.parse_mpu6886(dump, len(dump)), MPU6886_VALUES)
        dump = unhex(ICM42688_DUMP)
        values, bad = frames.parse_icm42688(dump, len(dump))
        ex.eq("ICM-42688-P packets up to the empty marker", values, ICM42688_VALUES)
        ex.eq("ICM-42688-P accel-only packet counted", bad, 1)
        dump = unhex(LSM6DS3_DUMP)
        ex.eq("LSM6DS3 patterns, gyro scaled", frames.parse_lsm6ds3(dump, len(dump) // 2), LSM6DS3_VALUES)
        pairer = frames.Lsm6dsoxPairer()
        dump = unhex(DSOX_DUMP)
        ex.eq("LSM6DSOX records paired by slot", pairer.feed(dump, len(dump) // 7), DSOX_VALUES)
        ex.eq("LSM6DSOX incomplete slot counted", pairer.incomplete, 1)
        rest = unhex(DSOX_DUMP_REST)
        ex.eq("LSM6DSOX slot completed by the next read", pairer.feed(rest, 1), DSOX_VALUES_REST)
        pairer.reset()
        ex.eq("LSM6DSOX reset forgets a half slot", pairer.feed(rest, 1), [])
    except Exception as exc:
        ex.failures.append("raised %s %r" % (type(exc).__name__, str(exc)))
    return ex.result()
