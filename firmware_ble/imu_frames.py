# Decoding each IMU's hardware FIFO bytes into the protocol's raw samples:
# six int16 per sample, acc x, y, z then gyr x, y, z, where +-32768 spans the
# configured full scale (docs/protocol.md section 5).
#
# Pure: runs in MicroPython (the sensor) and CPython (tests). Layouts and
# sensitivities are from each part's datasheet, cited where they are used.

import struct

_I16_MIN = -32768
_I16_MAX = 32767

# MPU-6050 (RM-MPU-6000A-00 rev 4.2, 4.31 FIFO_R_W): data enters the FIFO in register
# order, ACCEL_XOUT_H (0x3B) .. ACCEL_ZOUT_L then GYRO_XOUT_H (0x43) .. GYRO_ZOUT_L,
# big-endian; with TEMP_FIFO_EN off a frame is 12 bytes.
MPU6050_FRAME_BYTES = 12
# MPU-6886 (DS-000193 rev 1.1, register 35 FIFO_EN): enabling the gyro or accel FIFO
# also writes TEMP_OUT_H/L, so a frame is accel (6), temperature (2), gyro (6).
MPU6886_FRAME_BYTES = 14
# ICM-42688-P (DS-000347, 6.1 FIFO packet structure): with accel and gyro in the FIFO
# every record is "packet 3": header (1), accel x,y,z (6), gyro x,y,z (6),
# temperature (1), timestamp (2), big-endian data (INTF_CONFIG0 SENSOR_DATA_ENDIAN = 1).
ICM42688_PACKET_BYTES = 16
_ICM_HEADER_EMPTY = 0x80  # HEADER_MSG: the FIFO is empty, the rest is not data
_ICM_HEADER_ACCEL_GYRO = 0x60  # HEADER_ACCEL | HEADER_GYRO
# LSM6DS3 (DocID026899, 8 FIFO): 16-bit little-endian words; with gyro and accel both
# batched undecimated the pattern is Gx, Gy, Gz, XLx, XLy, XLz (FIFO_PATTERN 0..5).
LSM6DS3_WORDS_PER_SAMPLE = 6
# LSM6DSOX (DS12814, 9.1 FIFO_DATA_OUT_TAG): 7-byte records, a tag byte then x, y, z
# little-endian; TAG_SENSOR = tag >> 3 (0x01 gyroscope, 0x02 accelerometer),
# TAG_CNT = (tag >> 1) & 3 marks the batch data rate slot the record belongs to.
LSM6DSOX_RECORD_BYTES = 7
_DSOX_TAG_GYRO = 0x01
_DSOX_TAG_ACCEL = 0x02


def scale_lsm6_gyro(raw):
    """LSM6 gyro raw -> protocol raw at the same nominal range.

    The LSM6 sensitivities (4.375, 8.75, 17.5, 35, 70 mdps/LSB at 125..2000 dps) put
    the nominal full scale at 87.2 % of int16, where the protocol puts it at 100 %:
    multiply by 70 mdps * 32768 / 2000 dps = 1.14688 = 3584 / 3125, round half away
    from zero, and clip to int16 (readings beyond the nominal range saturate).
    """
    scaled = raw * 3584
    if scaled >= 0:
        value = (scaled + 1562) // 3125
    else:
        value = -((-scaled + 1562) // 3125)
    if value > _I16_MAX:
        return _I16_MAX
    if value < _I16_MIN:
        return _I16_MIN
    return value


def parse_mpu6050(buf, n_bytes):
    """Whole 12-byte frames of `buf[:n_bytes]` -> flat list of samples."""
    out = []
    for off in range(0, n_bytes - MPU6050_FRAME_BYTES + 1, MPU6050_FRAME_BYTES):
        out.extend(struct.unpack_from(">6h", buf, off))
    return out


def parse_mpu6886(buf, n_bytes):
    """Whole 14-byte frames (accel, temperature, gyro) -> flat list without temperature."""
    out = []
    for off in range(0, n_bytes - MPU6886_FRAME_BYTES + 1, MPU6886_FRAME_BYTES):
        out.extend(struct.unpack_from(">3h", buf, off))
        out.extend(struct.unpack_from(">3h", buf, off + 8))
    return out


def parse_icm42688(buf, n_bytes):
    """Whole 16-byte FIFO packets -> (flat samples, packets that were not accel+gyro).

    An empty-FIFO header ends the data. A packet without both sensors cannot be a
    sample, but it took a sample period, so it is counted for the sample counter.
    """
    out = []
    bad = 0
    for off in range(0, n_bytes - ICM42688_PACKET_BYTES + 1, ICM42688_PACKET_BYTES):
        header = buf[off]
        if header & _ICM_HEADER_EMPTY:
            break
        if header & _ICM_HEADER_ACCEL_GYRO != _ICM_HEADER_ACCEL_GYRO:
            bad += 1
            continue
        out.extend(struct.unpack_from(">6h", buf, off + 1))
    return out, bad


def parse_lsm6ds3(buf, n_words):
    """Whole 6-word patterns (gyro first) read from pattern position 0 -> flat samples."""
    out = []
    n_bytes = 2 * (n_words - n_words % LSM6DS3_WORDS_PER_SAMPLE)
    for off in range(0, n_bytes, 12):
        gx, gy, gz, ax, ay, az = struct.unpack_from("<6h", buf, off)
        out.append(ax)
        out.append(ay)
        out.append(az)
        out.append(scale_lsm6_gyro(gx))
        out.append(scale_lsm6_gyro(gy))
        out.append(scale_lsm6_gyro(gz))
    return out


class Lsm6dsoxPairer:
    """Pairs LSM6DSOX tagged FIFO records into samples, across reads.

    The accel and gyro records of one slot share a TAG_CNT; their order within the
    slot is not fixed. A slot that ends with only one of them (after an overrun, or a
    record of another sensor) is dropped and counted in `incomplete`, since its sample
    period still happened.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self._slot = -1
        self._acc = None
        self._gyr = None
        self.incomplete = 0

    def feed(self, buf, n_records):
        """Records from `buf` -> flat samples completed by them."""
        out = []
        for i in range(n_records):
            off = i * LSM6DSOX_RECORD_BYTES
            tag = buf[off]
            sensor = tag >> 3
            if sensor != _DSOX_TAG_GYRO and sensor != _DSOX_TAG_ACCEL:
                continue  # temperature, timestamp, config-change records: not batched here
            slot = (tag >> 1) & 3
            if slot != self._slot:
                if self._acc is not None or self._gyr is not None:
                    self.incomplete += 1
                self._acc = None
                self._gyr = None
                self._slot = slot
            xyz = struct.unpack_from("<3h", buf, off + 1)
            if sensor == _DSOX_TAG_GYRO:
                self._gyr = xyz
            else:
                self._acc = xyz
            if self._acc is not None and self._gyr is not None:
                out.extend(self._acc)
                for value in self._gyr:
                    out.append(scale_lsm6_gyro(value))
                self._acc = None
                self._gyr = None
                self._slot = -1
        return out
