# Driver for the TDK InvenSense ICM-42688-P over I2C, sampling into the hardware FIFO
# at the part's own output data rate.
#
# Register addresses and values from the "ICM-42688-P datasheet", DS-000347,
# section 14 (user bank 0 register map) and section 6 (FIFO).
#
# `i2c` has MicroPython's machine.I2C readfrom_mem / writeto_mem; `sleep_ms` is injected.

try:
    from firmware_ble import imu_frames
except ImportError:  # on the sensor the modules sit side by side
    import imu_frames

try:
    from micropython import const
except ImportError:  # CPython
    def const(value):
        return value

_DEVICE_CONFIG = const(0x11)
_FIFO_CONFIG = const(0x16)
_INT_STATUS = const(0x2D)
_FIFO_COUNTH = const(0x2E)
_FIFO_DATA = const(0x30)
_SIGNAL_PATH_RESET = const(0x4B)
_INTF_CONFIG0 = const(0x4C)
_PWR_MGMT0 = const(0x4E)
_GYRO_CONFIG0 = const(0x4F)
_ACCEL_CONFIG0 = const(0x50)
_FIFO_CONFIG1 = const(0x5F)
_WHO_AM_I = const(0x75)
_REG_BANK_SEL = const(0x76)

_WHO_AM_I_VALUE = const(0x47)
_SOFT_RESET = const(0x01)  # DEVICE_CONFIG SOFT_RESET_CONFIG
_RESET_WAIT_MS = const(1)  # "wait 1 ms after soft reset" before touching registers
_INTF_BIG_ENDIAN_BYTES = const(0x30)  # FIFO_COUNT_ENDIAN, SENSOR_DATA_ENDIAN big; count in bytes
_FIFO_STREAM = const(0x40)  # FIFO_CONFIG FIFO_MODE 01: stream-to-FIFO
_FIFO_TEMP_GYRO_ACCEL = const(0x07)  # FIFO_TEMP_EN, FIFO_GYRO_EN, FIFO_ACCEL_EN: packet 3
_FIFO_FLUSH = const(0x02)  # SIGNAL_PATH_RESET FIFO_FLUSH
_PWR_LOW_NOISE = const(0x0F)  # GYRO_MODE 11, ACCEL_MODE 11: both in low-noise mode
_SENSOR_ON_WAIT_MS = const(1)  # no register writes for 200 us after turning sensors on
_INT_FIFO_FULL = const(0x02)  # INT_STATUS FIFO_FULL_INT

_FIFO_BYTES = 2048
# ODR codes (GYRO_CONFIG0 / ACCEL_CONFIG0 bits 3:0): 0111 200 Hz, 1000 100 Hz,
# 1001 50 Hz, 1010 25 Hz.
_ODR_CODE = {25: 0x0A, 50: 0x09, 100: 0x08, 200: 0x07}
# GYRO_FS_SEL (bits 7:5): 000 2000, 001 1000, 010 500, 011 250, 100 125 dps.
_GYRO_FS_SEL = {2000: 0, 1000: 1, 500: 2, 250: 3, 125: 4}
# ACCEL_FS_SEL (bits 7:5): 000 +-16 g, 001 +-8 g, 010 +-4 g, 011 +-2 g.
_ACCEL_FS_SEL = {16: 0, 8: 1, 4: 2, 2: 3}


class Icm42688:
    """ICM-42688-P, FIFO of accel + gyro packets at the chosen rate."""

    def __init__(self, i2c, address, model, acc_range_g, gyro_range_dps, sleep_ms=None):
        if model != "ICM-42688-P":
            raise ValueError("not an ICM-42688-P: %r" % (model,))
        if acc_range_g not in _ACCEL_FS_SEL or gyro_range_dps not in _GYRO_FS_SEL:
            raise ValueError("%s cannot do +-%d g / +-%d dps" % (model, acc_range_g, gyro_range_dps))
        self.i2c = i2c
        self.address = address
        self.model = model
        self.acc_range_g = acc_range_g
        self.gyro_range_dps = gyro_range_dps
        self._sleep_ms = sleep_ms or _default_sleep_ms
        self.fifo_samples = _FIFO_BYTES // imu_frames.ICM42688_PACKET_BYTES
        self.max_burst_samples = 32

    def _write(self, reg, value):
        self.i2c.writeto_mem(self.address, reg, bytes((value,)))

    def _read(self, reg, n):
        return self.i2c.readfrom_mem(self.address, reg, n)

    def probe(self):
        self._write(_REG_BANK_SEL, 0x00)
        who = self._read(_WHO_AM_I, 1)[0]
        if who != _WHO_AM_I_VALUE:
            raise OSError("WHO_AM_I 0x%02x at 0x%02x is not an ICM-42688-P" % (who, self.address))

    def start(self, rate_hz):
        """Reset the part, configure rate and ranges, stream into the FIFO."""
        odr = _ODR_CODE.get(rate_hz)
        if odr is None:
            raise ValueError("ICM-42688-P cannot sample at %d Hz" % rate_hz)
        self._write(_REG_BANK_SEL, 0x00)
        self._write(_DEVICE_CONFIG, _SOFT_RESET)
        self._sleep_ms(_RESET_WAIT_MS)
        self._write(_INTF_CONFIG0, _INTF_BIG_ENDIAN_BYTES)
        self._write(_GYRO_CONFIG0, (_GYRO_FS_SEL[self.gyro_range_dps] << 5) | odr)
        self._write(_ACCEL_CONFIG0, (_ACCEL_FS_SEL[self.acc_range_g] << 5) | odr)
        self._write(_FIFO_CONFIG1, _FIFO_TEMP_GYRO_ACCEL)
        self._write(_FIFO_CONFIG, _FIFO_STREAM)
        self._write(_SIGNAL_PATH_RESET, _FIFO_FLUSH)
        self._write(_PWR_MGMT0, _PWR_LOW_NOISE)
        self._sleep_ms(_SENSOR_ON_WAIT_MS)

    def stop(self):
        """Sensors off, FIFO in bypass."""
        self._write(_PWR_MGMT0, 0x00)
        self._write(_FIFO_CONFIG, 0x00)

    def read(self):
        """Drain whole packets from the FIFO: (flat samples, skipped, overflowed).

        FIFO_FULL_INT means packets were lost (how many is unknown): the FIFO is
        flushed, nothing is returned, and the caller accounts the lost time.
        """
        status = self._read(_INT_STATUS, 1)[0]  # reading clears it
        if status & _INT_FIFO_FULL:
            self._write(_SIGNAL_PATH_RESET, _FIFO_FLUSH)
            return [], 0, True
        count = self._read(_FIFO_COUNTH, 2)
        available = (count[0] << 8) | count[1]
        packets = min(available // imu_frames.ICM42688_PACKET_BYTES, self.max_burst_samples)
        if packets == 0:
            return [], 0, False
        n_bytes = packets * imu_frames.ICM42688_PACKET_BYTES
        data = self._read(_FIFO_DATA, n_bytes)
        samples, bad = imu_frames.parse_icm42688(data, n_bytes)
        return samples, bad, False


def _default_sleep_ms(ms):
    import time

    time.sleep_ms(ms)
