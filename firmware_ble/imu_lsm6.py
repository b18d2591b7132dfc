# Driver for the ST LSM6DS3 and LSM6DSOX over I2C, sampling into the hardware FIFO at
# the part's own output data rate (12.5 Hz * 2^k: 26, 52, 104, 208, 416/417 Hz for the
# nominal 25..400 Hz; see imu_catalog.py).
#
# Register addresses and values from:
#   LSM6DS3:  "LSM6DS3 iNEMO inertial module" datasheet, DocID026899, section 9
#             (register description) and section 8 (FIFO); WHO_AM_I 0x69
#             (0x6A on the LSM6DS3TR-C, whose FIFO registers used here are the same).
#   LSM6DSOX: "LSM6DSOX iNEMO inertial module" datasheet, DS12814, section 9.
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

_WHO_AM_I = const(0x0F)
_CTRL1_XL = const(0x10)
_CTRL2_G = const(0x11)
_CTRL3_C = const(0x12)
_FIFO_STATUS1 = const(0x3A)
# LSM6DS3 FIFO registers
_DS3_FIFO_CTRL3 = const(0x08)
_DS3_FIFO_CTRL5 = const(0x0A)
_DS3_FIFO_DATA_OUT_L = const(0x3E)
# LSM6DSOX FIFO registers
_DSOX_FIFO_CTRL3 = const(0x09)
_DSOX_FIFO_CTRL4 = const(0x0A)
_DSOX_FIFO_DATA_OUT_TAG = const(0x78)

_CTRL3_SW_RESET = const(0x01)
_CTRL3_BDU_IF_INC = const(0x44)  # BDU: no torn high/low bytes; IF_INC: burst reads
_FIFO_MODE_CONTINUOUS = const(0x06)  # FIFO_MODE 110: a full FIFO overwrites its oldest
_DS3_FIFO_NO_DECIMATION = const(0x09)  # DEC_FIFO_GYRO 001, DEC_FIFO_XL 001
_STATUS2_OVERRUN = const(0x40)  # OVER_RUN (DS3) / FIFO_OVR_IA (DSOX), FIFO_STATUS2 bit 6

_WHO_AM_I_VALUES = {"LSM6DS3": (0x69, 0x6A), "LSM6DSOX": (0x6C,)}
_RESET_POLLS = 10

# ODR_XL / ODR_G / ODR_FIFO / BDR code for each nominal rate: 0010 26 Hz, 0011 52 Hz,
# 0100 104 Hz, 0101 208 Hz, 0110 416 Hz (DS3 CTRL1_XL table; DSOX: 417 Hz).
_ODR_CODE = {25: 0x2, 50: 0x3, 100: 0x4, 200: 0x5, 400: 0x6}
# FS_XL, CTRL1_XL bits 3:2: 00 +-2 g, 01 +-16 g, 10 +-4 g, 11 +-8 g.
_FS_XL = {2: 0x0, 16: 0x1, 4: 0x2, 8: 0x3}
# CTRL2_G bits 3:1: FS_G (bits 3:2) 00 250 (245 on DS3), 01 500, 10 1000, 11 2000 dps;
# FS_125 (bit 1) selects +-125 dps.
_CTRL2_G_FS = {125: 0x2, 250: 0x0, 500: 0x4, 1000: 0x8, 2000: 0xC}


class Lsm6:
    """LSM6DS3 or LSM6DSOX (`model`), FIFO of gyro + accel at the chosen rate."""

    def __init__(self, i2c, address, model, acc_range_g, gyro_range_dps, sleep_ms=None):
        if model not in _WHO_AM_I_VALUES:
            raise ValueError("not an LSM6 model: %r" % (model,))
        if acc_range_g not in _FS_XL or gyro_range_dps not in _CTRL2_G_FS:
            raise ValueError("%s cannot do +-%d g / +-%d dps" % (model, acc_range_g, gyro_range_dps))
        self.i2c = i2c
        self.address = address
        self.model = model
        self.acc_range_g = acc_range_g
        self.gyro_range_dps = gyro_range_dps
        self._sleep_ms = sleep_ms or _default_sleep_ms
        self._dsox = model == "LSM6DSOX"
        self._pairer = imu_frames.Lsm6dsoxPairer()
        self.max_burst_samples = 32

    def _write(self, reg, value):
        self.i2c.writeto_mem(self.address, reg, bytes((value,)))

    def _read(self, reg, n):
        return self.i2c.readfrom_mem(self.address, reg, n)

    def probe(self):
        who = self._read(_WHO_AM_I, 1)[0]
        if who not in _WHO_AM_I_VALUES[self.model]:
            raise OSError("WHO_AM_I 0x%02x at 0x%02x is not an %s" % (who, self.address, self.model))

    def start(self, rate_hz):
        """Reset the part, configure rate and ranges, and start the FIFO in continuous mode."""
        odr = _ODR_CODE.get(rate_hz)
        if odr is None:
            raise ValueError("%s cannot sample at %d Hz" % (self.model, rate_hz))
        self._write(_CTRL3_C, _CTRL3_SW_RESET)
        for _ in range(_RESET_POLLS):  # SW_RESET clears itself when the reset is done
            self._sleep_ms(1)
            if not self._read(_CTRL3_C, 1)[0] & _CTRL3_SW_RESET:
                break
        else:
            raise OSError("%s at 0x%02x did not finish its software reset" % (self.model, self.address))
        self._write(_CTRL3_C, _CTRL3_BDU_IF_INC)
        fifo_mode_reg = _DSOX_FIFO_CTRL4 if self._dsox else _DS3_FIFO_CTRL5
        self._write(fifo_mode_reg, 0x00)  # bypass mode empties the FIFO
        self._write(_CTRL1_XL, (odr << 4) | (_FS_XL[self.acc_range_g] << 2))
        self._write(_CTRL2_G, (odr << 4) | _CTRL2_G_FS[self.gyro_range_dps])
        if self._dsox:
            self._write(_DSOX_FIFO_CTRL3, (odr << 4) | odr)  # BDR_GY, BDR_XL at the ODR
            self._write(_DSOX_FIFO_CTRL4, _FIFO_MODE_CONTINUOUS)
        else:
            self._write(_DS3_FIFO_CTRL3, _DS3_FIFO_NO_DECIMATION)
            self._write(_DS3_FIFO_CTRL5, (odr << 3) | _FIFO_MODE_CONTINUOUS)  # ODR_FIFO = ODR
        self._pairer.reset()

    def stop(self):
        """FIFO in bypass, accelerometer and gyroscope powered down."""
        self._write(_DSOX_FIFO_CTRL4 if self._dsox else _DS3_FIFO_CTRL5, 0x00)
        self._write(_CTRL1_XL, 0x00)
        self._write(_CTRL2_G, 0x00)

    def _restart_fifo(self):
        mode_reg = _DSOX_FIFO_CTRL4 if self._dsox else _DS3_FIFO_CTRL5
        mode = self._read(mode_reg, 1)[0]
        self._write(mode_reg, 0x00)
        self._write(mode_reg, mode)
        self._pairer.reset()

    def read(self):
        """Drain whole samples from the FIFO: (flat samples, skipped, overflowed).

        `skipped` counts sample periods the FIFO showed but that gave no whole sample.
        On overflow the FIFO is restarted and nothing is returned: how much was lost is
        unknown, and the caller accounts the lost time in the sample counter.
        """
        if self._dsox:
            return self._read_dsox()
        return self._read_ds3()

    def _read_ds3(self):
        status = self._read(_FIFO_STATUS1, 4)  # FIFO_STATUS1..4
        if status[1] & _STATUS2_OVERRUN:
            self._restart_fifo()
            return [], 0, True
        words = ((status[1] & 0x0F) << 8) | status[0]  # DIFF_FIFO[11:0], unread 16-bit words
        pattern = ((status[3] & 0x03) << 8) | status[2]  # FIFO_PATTERN: next word's place
        if pattern:
            # Mid-sample (only after a restart caught the FIFO between words): read up to
            # the next Gx and drop that sample; its period is still counted.
            skip_words = imu_frames.LSM6DS3_WORDS_PER_SAMPLE - pattern
            if words < skip_words:
                return [], 0, False
            self._read(_DS3_FIFO_DATA_OUT_L, 2 * skip_words)
            words -= skip_words
            skipped = 1
        else:
            skipped = 0
        samples = min(words // imu_frames.LSM6DS3_WORDS_PER_SAMPLE, self.max_burst_samples)
        if samples == 0:
            return [], skipped, False
        n_words = samples * imu_frames.LSM6DS3_WORDS_PER_SAMPLE
        # IF_INC wraps a burst from FIFO_DATA_OUT_H back to FIFO_DATA_OUT_L.
        data = self._read(_DS3_FIFO_DATA_OUT_L, 2 * n_words)
        return imu_frames.parse_lsm6ds3(data, n_words), skipped, False

    def _read_dsox(self):
        status = self._read(_FIFO_STATUS1, 2)  # FIFO_STATUS1, FIFO_STATUS2
        if status[1] & _STATUS2_OVERRUN:
            self._restart_fifo()
            return [], 0, True
        records = ((status[1] & 0x03) << 8) | status[0]  # DIFF_FIFO[9:0], unread records
        records = min(records, 2 * self.max_burst_samples)
        if records == 0:
            return [], 0, False
        # IF_INC wraps a burst from FIFO_DATA_OUT_Z_H (0x7E) back to the tag (0x78).
        data = self._read(_DSOX_FIFO_DATA_OUT_TAG, records * imu_frames.LSM6DSOX_RECORD_BYTES)
        before = self._pairer.incomplete
        samples = self._pairer.feed(data, records)
        return samples, self._pairer.incomplete - before, False


def _default_sleep_ms(ms):
    import time

    time.sleep_ms(ms)
