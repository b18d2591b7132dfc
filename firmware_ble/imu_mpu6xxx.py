# Driver for the InvenSense MPU-6050 and MPU-6886 over I2C, sampling into the
# hardware FIFO at the part's own output data rate.
#
# Register addresses and values from:
#   MPU-6050: "MPU-6000 and MPU-6050 Register Map and Descriptions", RM-MPU-6000A-00 rev 4.2
#   MPU-6886: "MPU-6886 datasheet", DS-000193 rev 1.1, section 10 (register descriptions)
# The two share the register map used here except where noted.
#
# `i2c` is anything with MicroPython's machine.I2C methods readfrom_mem(addr, reg, n)
# and writeto_mem(addr, reg, buf); `sleep_ms` is injected so tests can record waits.

try:
    from firmware_ble import imu_frames
except ImportError:  # on the sensor the modules sit side by side
    import imu_frames

try:
    from micropython import const
except ImportError:  # CPython
    def const(value):
        return value

_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)
_GYRO_CONFIG = const(0x1B)
_ACCEL_CONFIG = const(0x1C)
_ACCEL_CONFIG2 = const(0x1D)  # MPU-6886 only
_FIFO_EN = const(0x23)
_INT_ENABLE = const(0x38)
_INT_STATUS = const(0x3A)
_USER_CTRL = const(0x6A)
_PWR_MGMT_1 = const(0x6B)
_PWR_MGMT_2 = const(0x6C)
_FIFO_COUNT_H = const(0x72)
_FIFO_R_W = const(0x74)
_WHO_AM_I = const(0x75)

_PWR1_DEVICE_RESET = const(0x80)
_PWR1_SLEEP = const(0x40)
_PWR1_CLKSEL_PLL = const(0x01)  # PLL with X gyro (6050) / auto-select best clock (6886)
_USER_FIFO_EN = const(0x40)
_USER_FIFO_RESET = const(0x04)
_INT_FIFO_OFLOW = const(0x10)  # FIFO_OFLOW_EN in INT_ENABLE, FIFO_OFLOW_INT in INT_STATUS
_FIFO_EN_MPU6050 = const(0x78)  # XG, YG, ZG, ACCEL FIFO_EN
_FIFO_EN_MPU6886 = const(0x18)  # GYRO_FIFO_EN, ACCEL_FIFO_EN

_WHO_AM_I_VALUES = {"MPU-6050": 0x68, "MPU-6886": 0x19}
_FIFO_BYTES = 1024  # both parts: 1024-byte FIFO
_RESET_WAIT_MS = 100

# (DLPF_CFG, SMPLRT_DIV) per rate. The divider runs on the 1 kHz internal rate when the
# low-pass filter is on (DLPF_CFG 1..6); bandwidths stay below half the rate
# (register 26 table: 5 -> 10 Hz, 4 -> 20 Hz, 3 -> 42 Hz, 2 -> 98 Hz). At 400 Hz the
# MPU-6050 runs unfiltered (DLPF_CFG 0, 256 Hz), where the divider runs on 8 kHz.
_RATE_CONFIG = {25: (5, 39), 50: (4, 19), 100: (3, 9), 200: (2, 4), 400: (0, 19)}
_ACC_FS_SEL = {2: 0, 4: 1, 8: 2, 16: 3}  # AFS_SEL, ACCEL_CONFIG bits 4:3
_GYRO_FS_SEL = {250: 0, 500: 1, 1000: 2, 2000: 3}  # FS_SEL, GYRO_CONFIG bits 4:3


class Mpu6xxx:
    """MPU-6050 or MPU-6886 (`model`), FIFO of accel + gyro at the chosen rate."""

    def __init__(self, i2c, address, model, acc_range_g, gyro_range_dps, sleep_ms=None):
        if model not in _WHO_AM_I_VALUES:
            raise ValueError("not an MPU-6xxx model: %r" % (model,))
        if acc_range_g not in _ACC_FS_SEL or gyro_range_dps not in _GYRO_FS_SEL:
            raise ValueError("%s cannot do +-%d g / +-%d dps" % (model, acc_range_g, gyro_range_dps))
        self.i2c = i2c
        self.address = address
        self.model = model
        self.acc_range_g = acc_range_g
        self.gyro_range_dps = gyro_range_dps
        self._sleep_ms = sleep_ms or _default_sleep_ms
        self._is_6886 = model == "MPU-6886"
        self.frame_bytes = imu_frames.MPU6886_FRAME_BYTES if self._is_6886 else imu_frames.MPU6050_FRAME_BYTES
        self.fifo_samples = _FIFO_BYTES // self.frame_bytes
        self.max_burst_samples = 32  # bounds one I2C read and the list it makes

    def _write(self, reg, value):
        self.i2c.writeto_mem(self.address, reg, bytes((value,)))

    def _read(self, reg, n):
        return self.i2c.readfrom_mem(self.address, reg, n)

    def probe(self):
        """Check WHO_AM_I; raises OSError if the part does not answer as expected."""
        who = self._read(_WHO_AM_I, 1)[0]
        if who != _WHO_AM_I_VALUES[self.model]:
            raise OSError("WHO_AM_I 0x%02x at 0x%02x is not an %s" % (who, self.address, self.model))

    def start(self, rate_hz):
        """Reset the part, configure rate and ranges, and start filling the FIFO."""
        if rate_hz not in _RATE_CONFIG or (self._is_6886 and rate_hz == 400):
            raise ValueError("%s cannot sample at %d Hz" % (self.model, rate_hz))
        dlpf_cfg, divider = _RATE_CONFIG[rate_hz]
        self._write(_PWR_MGMT_1, _PWR1_DEVICE_RESET)
        self._sleep_ms(_RESET_WAIT_MS)
        self._write(_PWR_MGMT_1, _PWR1_CLKSEL_PLL)  # SLEEP cleared: awake
        if self._is_6886:
            self._write(_PWR_MGMT_2, 0x00)  # every accel and gyro axis on
        self._write(_CONFIG, dlpf_cfg)  # FIFO_MODE 0 (6886): a full FIFO overwrites its oldest
        self._write(_SMPLRT_DIV, divider)
        self._write(_GYRO_CONFIG, _GYRO_FS_SEL[self.gyro_range_dps] << 3)  # FCHOICE_B 00 (6886)
        self._write(_ACCEL_CONFIG, _ACC_FS_SEL[self.acc_range_g] << 3)
        if self._is_6886:
            self._write(_ACCEL_CONFIG2, dlpf_cfg)  # A_DLPF_CFG like the gyro's, ACCEL_FCHOICE_B 0
        self._write(_INT_ENABLE, _INT_FIFO_OFLOW)  # latch overflows in INT_STATUS
        self._write(_USER_CTRL, _USER_FIFO_RESET)
        self._write(_FIFO_EN, _FIFO_EN_MPU6886 if self._is_6886 else _FIFO_EN_MPU6050)
        self._write(_USER_CTRL, _USER_FIFO_EN)

    def stop(self):
        """FIFO off and the part asleep (a few microamps) until the next start."""
        self._write(_USER_CTRL, 0x00)
        self._write(_FIFO_EN, 0x00)
        self._write(_PWR_MGMT_1, _PWR1_SLEEP | _PWR1_CLKSEL_PLL)

    def read(self):
        """Drain whole frames from the FIFO: (flat samples, skipped, overflowed).

        On overflow the FIFO has lost its oldest frames, how many is unknown, and a
        partial frame may sit at its head: it is reset and nothing is returned; the
        caller accounts the lost time in the sample counter. `skipped` is always 0 here.
        """
        status = self._read(_INT_STATUS, 1)[0]  # reading clears the latched bits
        if status & _INT_FIFO_OFLOW:
            self._write(_USER_CTRL, _USER_FIFO_EN | _USER_FIFO_RESET)
            return [], 0, True
        count_bytes = self._read(_FIFO_COUNT_H, 2)
        available = ((count_bytes[0] << 8) | count_bytes[1]) & 0x1FFF
        frames = min(available // self.frame_bytes, self.max_burst_samples)
        if frames == 0:
            return [], 0, False
        n_bytes = frames * self.frame_bytes
        data = self._read(_FIFO_R_W, n_bytes)  # FIFO_R_W does not auto-increment: a burst drains the FIFO
        if self._is_6886:
            return imu_frames.parse_mpu6886(data, n_bytes), 0, False
        return imu_frames.parse_mpu6050(data, n_bytes), 0, False


def _default_sleep_ms(ms):
    import time

    time.sleep_ms(ms)
