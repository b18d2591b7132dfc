# Checks of the IMU drivers against a recording fake I2C bus (fake_i2c.RecordingI2C,
# a MOCK: no bus, no part). The expected register writes are taken from the datasheets,
# written out here independently of the drivers' own tables:
#
#   MPU-6050    "MPU-6000 and MPU-6050 Register Map and Descriptions", RM-MPU-6000A-00 rev 4.2
#   MPU-6886    "MPU-6886 datasheet", DS-000193 rev 1.1, section 10
#   LSM6DS3     "LSM6DS3" datasheet, DocID026899, section 9
#   LSM6DSOX    "LSM6DSOX" datasheet, DS12814, section 9
#   ICM-42688-P "ICM-42688-P datasheet", DS-000347, section 14 (bank 0)
#
# Runs unchanged in MicroPython and CPython; run(modules) returns (checks, failures).

from expect import Expect
from fake_i2c import RecordingI2C, SleepRecorder

# --- MPU-6050, RM-MPU-6000A-00 ------------------------------------------------------
MPU6050_START_100HZ_8G_2000DPS = [
    (0x6B, 0x80),  # 4.28 PWR_MGMT_1: DEVICE_RESET
    (0x6B, 0x01),  # PWR_MGMT_1: SLEEP 0, CLKSEL 1 = PLL with X axis gyroscope reference
    (0x1A, 0x03),  # 4.3 CONFIG: DLPF_CFG 3 = accel 44 Hz / gyro 42 Hz, gyro output rate 1 kHz
    (0x19, 0x09),  # 4.2 SMPLRT_DIV: 1 kHz / (1 + 9) = 100 Hz
    (0x1B, 0x18),  # 4.4 GYRO_CONFIG: FS_SEL 3 = +-2000 dps
    (0x1C, 0x10),  # 4.5 ACCEL_CONFIG: AFS_SEL 2 = +-8 g
    (0x38, 0x10),  # 4.16 INT_ENABLE: FIFO_OFLOW_EN
    (0x6A, 0x04),  # 4.27 USER_CTRL: FIFO_RESET
    (0x23, 0x78),  # 4.7 FIFO_EN: XG, YG, ZG, ACCEL_FIFO_EN
    (0x6A, 0x40),  # USER_CTRL: FIFO_EN
]
MPU6050_START_400HZ_2G_250DPS = [
    (0x6B, 0x80), (0x6B, 0x01),
    (0x1A, 0x00),  # DLPF_CFG 0 = 260 / 256 Hz, gyro output rate 8 kHz
    (0x19, 19),  # 8 kHz / (1 + 19) = 400 Hz
    (0x1B, 0x00),  # FS_SEL 0 = +-250 dps
    (0x1C, 0x00),  # AFS_SEL 0 = +-2 g
    (0x38, 0x10), (0x6A, 0x04), (0x23, 0x78), (0x6A, 0x40),
]
MPU6050_START_25HZ_16G_500DPS = [
    (0x6B, 0x80), (0x6B, 0x01),
    (0x1A, 0x05),  # DLPF_CFG 5 = 10 Hz
    (0x19, 39),  # 1 kHz / 40 = 25 Hz
    (0x1B, 0x08),  # FS_SEL 1 = +-500 dps
    (0x1C, 0x18),  # AFS_SEL 3 = +-16 g
    (0x38, 0x10), (0x6A, 0x04), (0x23, 0x78), (0x6A, 0x40),
]
MPU_STOP = [
    (0x6A, 0x00),  # USER_CTRL: FIFO off
    (0x23, 0x00),  # FIFO_EN: nothing
    (0x6B, 0x41),  # PWR_MGMT_1: SLEEP, CLKSEL 1
]

# --- MPU-6886, DS-000193 --------------------------------------------------------------
MPU6886_START_100HZ_8G_2000DPS = [
    (0x6B, 0x80),  # PWR_MGMT_1: DEVICE_RESET
    (0x6B, 0x01),  # PWR_MGMT_1: CLKSEL 1 = auto-select the best clock
    (0x6C, 0x00),  # PWR_MGMT_2: all accel and gyro axes on
    (0x1A, 0x03),  # CONFIG: FIFO_MODE 0, DLPF_CFG 3 = gyro 41 Hz, 1 kHz internal rate
    (0x19, 0x09),  # SMPLRT_DIV: 1 kHz / 10 = 100 Hz
    (0x1B, 0x18),  # GYRO_CONFIG: FS_SEL 3 = +-2000 dps, FCHOICE_B 00
    (0x1C, 0x10),  # ACCEL_CONFIG: ACCEL_FS_SEL 2 = +-8 g
    (0x1D, 0x03),  # ACCEL_CONFIG2: ACCEL_FCHOICE_B 0, A_DLPF_CFG 3 = 44.8 Hz
    (0x38, 0x10),  # INT_ENABLE: FIFO_OFLOW_EN
    (0x6A, 0x04),  # USER_CTRL: FIFO_RST
    (0x23, 0x18),  # FIFO_EN: GYRO_FIFO_EN, ACCEL_FIFO_EN
    (0x6A, 0x40),  # USER_CTRL: FIFO_EN
]

# --- LSM6DS3, DocID026899 ---------------------------------------------------------------
LSM6DS3_START_100HZ_8G_2000DPS = [
    (0x12, 0x01),  # CTRL3_C: SW_RESET
    (0x12, 0x44),  # CTRL3_C: BDU, IF_INC
    (0x0A, 0x00),  # FIFO_CTRL5: FIFO_MODE 000 = bypass (empties the FIFO)
    (0x10, 0x4C),  # CTRL1_XL: ODR_XL 0100 = 104 Hz, FS_XL 11 = +-8 g
    (0x11, 0x4C),  # CTRL2_G: ODR_G 0100 = 104 Hz, FS_G 11 = 2000 dps
    (0x08, 0x09),  # FIFO_CTRL3: DEC_FIFO_GYRO 001, DEC_FIFO_XL 001 = no decimation
    (0x0A, 0x26),  # FIFO_CTRL5: ODR_FIFO 0100 = 104 Hz, FIFO_MODE 110 = continuous
]
LSM6DS3_START_400HZ_16G_125DPS = [
    (0x12, 0x01), (0x12, 0x44), (0x0A, 0x00),
    (0x10, 0x64),  # ODR_XL 0110 = 416 Hz, FS_XL 01 = +-16 g
    (0x11, 0x62),  # ODR_G 0110 = 416 Hz, FS_125 = 1
    (0x08, 0x09),
    (0x0A, 0x36),  # ODR_FIFO 0110 = 416 Hz, continuous
]
LSM6DS3_STOP = [
    (0x0A, 0x00),  # FIFO_CTRL5: bypass
    (0x10, 0x00),  # CTRL1_XL: ODR_XL 0000 = power-down
    (0x11, 0x00),  # CTRL2_G: ODR_G 0000 = power-down
]

# --- LSM6DSOX, DS12814 -------------------------------------------------------------------
LSM6DSOX_START_100HZ_8G_2000DPS = [
    (0x12, 0x01),  # CTRL3_C: SW_RESET
    (0x12, 0x44),  # CTRL3_C: BDU, IF_INC
    (0x0A, 0x00),  # FIFO_CTRL4: FIFO_MODE 000 = bypass
    (0x10, 0x4C),  # CTRL1_XL: ODR_XL 0100 = 104 Hz, FS_XL 11 = +-8 g
    (0x11, 0x4C),  # CTRL2_G: ODR_G 0100 = 104 Hz, FS_G 11 = 2000 dps
    (0x09, 0x44),  # FIFO_CTRL3: BDR_GY 0100, BDR_XL 0100 = 104 Hz
    (0x0A, 0x06),  # FIFO_CTRL4: FIFO_MODE 110 = continuous, no temperature or timestamp
]
LSM6DSOX_START_25HZ_4G_500DPS = [
    (0x12, 0x01), (0x12, 0x44), (0x0A, 0x00),
    (0x10, 0x28),  # ODR_XL 0010 = 26 Hz, FS_XL 10 = +-4 g
    (0x11, 0x24),  # ODR_G 0010 = 26 Hz, FS_G 01 = 500 dps
    (0x09, 0x22),  # BDR_GY, BDR_XL 0010 = 26 Hz
    (0x0A, 0x06),
]

# --- ICM-42688-P, DS-000347 ----------------------------------------------------------------
ICM42688_START_100HZ_8G_2000DPS = [
    (0x76, 0x00),  # REG_BANK_SEL: bank 0
    (0x11, 0x01),  # DEVICE_CONFIG: SOFT_RESET_CONFIG
    (0x4C, 0x30),  # INTF_CONFIG0: FIFO_COUNT_ENDIAN, SENSOR_DATA_ENDIAN big; count in bytes
    (0x4F, 0x08),  # GYRO_CONFIG0: GYRO_FS_SEL 000 = +-2000 dps, GYRO_ODR 1000 = 100 Hz
    (0x50, 0x28),  # ACCEL_CONFIG0: ACCEL_FS_SEL 001 = +-8 g, ACCEL_ODR 1000 = 100 Hz
    (0x5F, 0x07),  # FIFO_CONFIG1: FIFO_TEMP_EN, FIFO_GYRO_EN, FIFO_ACCEL_EN (16-byte packets)
    (0x16, 0x40),  # FIFO_CONFIG: FIFO_MODE 01 = stream-to-FIFO
    (0x4B, 0x02),  # SIGNAL_PATH_RESET: FIFO_FLUSH
    (0x4E, 0x0F),  # PWR_MGMT0: GYRO_MODE 11, ACCEL_MODE 11 = low noise
]
ICM42688_START_200HZ_2G_125DPS = [
    (0x76, 0x00), (0x11, 0x01), (0x4C, 0x30),
    (0x4F, 0x87),  # GYRO_FS_SEL 100 = +-125 dps, GYRO_ODR 0111 = 200 Hz
    (0x50, 0x67),  # ACCEL_FS_SEL 011 = +-2 g, ACCEL_ODR 0111 = 200 Hz
    (0x5F, 0x07), (0x16, 0x40), (0x4B, 0x02), (0x4E, 0x0F),
]
ICM42688_STOP = [
    (0x4E, 0x00),  # PWR_MGMT0: gyro and accel off
    (0x16, 0x00),  # FIFO_CONFIG: bypass
]


def _driver(cls, model, address, acc_g, gyro_dps, who_am_i_reg, who_am_i):
    bus = RecordingI2C()
    bus.set_register(address, who_am_i_reg, bytes((who_am_i,)))
    sleeps = SleepRecorder()
    return cls(bus, address, model, acc_g, gyro_dps, sleeps), bus, sleeps


def _starts(mods, ex):
    mpu = mods["imu_mpu6xxx"].Mpu6xxx
    lsm = mods["imu_lsm6"].Lsm6
    icm = mods["imu_icm42688"].Icm42688
    cases = (
        ("MPU-6050 100 Hz", mpu, "MPU-6050", 0x68, 8, 2000, 100, MPU6050_START_100HZ_8G_2000DPS),
        ("MPU-6050 400 Hz", mpu, "MPU-6050", 0x69, 2, 250, 400, MPU6050_START_400HZ_2G_250DPS),
        ("MPU-6050 25 Hz", mpu, "MPU-6050", 0x68, 16, 500, 25, MPU6050_START_25HZ_16G_500DPS),
        ("MPU-6886 100 Hz", mpu, "MPU-6886", 0x68, 8, 2000, 100, MPU6886_START_100HZ_8G_2000DPS),
        ("LSM6DS3 100 Hz", lsm, "LSM6DS3", 0x6A, 8, 2000, 100, LSM6DS3_START_100HZ_8G_2000DPS),
        ("LSM6DS3 400 Hz", lsm, "LSM6DS3", 0x6B, 16, 125, 400, LSM6DS3_START_400HZ_16G_125DPS),
        ("LSM6DSOX 100 Hz", lsm, "LSM6DSOX", 0x6A, 8, 2000, 100, LSM6DSOX_START_100HZ_8G_2000DPS),
        ("LSM6DSOX 25 Hz", lsm, "LSM6DSOX", 0x6A, 4, 500, 25, LSM6DSOX_START_25HZ_4G_500DPS),
        ("ICM-42688-P 100 Hz", icm, "ICM-42688-P", 0x68, 8, 2000, 100, ICM42688_START_100HZ_8G_2000DPS),
        ("ICM-42688-P 200 Hz", icm, "ICM-42688-P", 0x69, 2, 125, 200, ICM42688_START_200HZ_2G_125DPS),
    )
    for what, cls, model, address, acc_g, gyro_dps, rate, expected in cases:
        bus = RecordingI2C()
        sleeps = SleepRecorder()
        driver = cls(bus, address, model, acc_g, gyro_dps, sleeps)
        driver.start(rate)
        ex.eq(what + ": register writes", bus.writes(), expected)
        addresses = []
        for entry in bus.log:
            if entry[1] not in addresses:
                addresses.append(entry[1])
        ex.eq(what + ": only its own address", addresses, [address])
    # Waits the datasheets ask for after a reset.
    driver, bus, sleeps = _driver(mpu, "MPU-6050", 0x68, 8, 2000, 0x75, 0x68)
    driver.start(100)
    ex.true("MPU-6050 waits >= 100 ms after DEVICE_RESET", len(sleeps.waits_ms) > 0 and sleeps.waits_ms[0] >= 100)
    driver, bus, sleeps = _driver(icm, "ICM-42688-P", 0x68, 8, 2000, 0x75, 0x47)
    driver.start(100)
    ex.true("ICM-42688-P waits >= 1 ms after soft reset", len(sleeps.waits_ms) > 0 and sleeps.waits_ms[0] >= 1)
    # The LSM6 software reset is polled until CTRL3_C.SW_RESET clears; a part that never
    # clears it is an error, not a hang.
    driver, bus, sleeps = _driver(lsm, "LSM6DS3", 0x6A, 8, 2000, 0x0F, 0x69)
    bus.set_register(0x6A, 0x12, b"\x01")
    ex.raises("LSM6DS3 stuck in reset", driver.start, (100,), OSError)
    # Rates a part cannot make from its own oscillator are refused, not approximated.
    for what, cls, model, address in (("MPU-6886", mpu, "MPU-6886", 0x68), ("ICM-42688-P", icm, "ICM-42688-P", 0x68)):
        driver = cls(RecordingI2C(), address, model, 8, 2000, SleepRecorder())
        ex.raises(what + " at 400 Hz", driver.start, (400,))
    ex.raises("MPU-6050 at +-125 dps", mpu, (RecordingI2C(), 0x68, "MPU-6050", 8, 125, None))


def _stops(mods, ex):
    cases = (
        ("MPU-6050", mods["imu_mpu6xxx"].Mpu6xxx, 0x68, MPU_STOP),
        ("MPU-6886", mods["imu_mpu6xxx"].Mpu6xxx, 0x68, MPU_STOP),
        ("LSM6DS3", mods["imu_lsm6"].Lsm6, 0x6A, LSM6DS3_STOP),
        ("LSM6DSOX", mods["imu_lsm6"].Lsm6, 0x6A, LSM6DS3_STOP),  # same addresses and values
        ("ICM-42688-P", mods["imu_icm42688"].Icm42688, 0x68, ICM42688_STOP),
    )
    for model, cls, address, expected in cases:
        bus = RecordingI2C()
        cls(bus, address, model, 8, 2000, SleepRecorder()).stop()
        ex.eq(model + " stop: low-power writes", bus.writes(), expected)


def _probes(mods, ex):
    cases = (
        ("MPU-6050", mods["imu_mpu6xxx"].Mpu6xxx, 0x68, 0x75, 0x68),
        ("MPU-6886", mods["imu_mpu6xxx"].Mpu6xxx, 0x68, 0x75, 0x19),
        ("LSM6DS3", mods["imu_lsm6"].Lsm6, 0x6A, 0x0F, 0x69),
        ("LSM6DSOX", mods["imu_lsm6"].Lsm6, 0x6A, 0x0F, 0x6C),
        ("ICM-42688-P", mods["imu_icm42688"].Icm42688, 0x68, 0x75, 0x47),
    )
    for model, cls, address, reg, value in cases:
        driver, bus, sleeps = _driver(cls, model, address, 8, 2000, reg, value)
        ex.eq(model + ": probe accepts WHO_AM_I 0x%02x" % value, ex.call(model + " probe", driver.probe, ()), None)
        ex.true(model + ": probe read WHO_AM_I (0x%02x)" % reg, (reg, 1) in bus.reads())
        bus.set_register(address, reg, b"\x00")
        ex.raises(model + ": probe refuses WHO_AM_I 0x00", driver.probe, (), OSError)
    # open_imu picks the driver for the board's IMU and probes it.
    imu = mods["imu"]
    bus = RecordingI2C()
    bus.set_register(0x6B, 0x0F, b"\x6c")
    board = {"imu": {"model": "LSM6DSOX", "address": 0x6B}, "acc_range_g": 4, "gyro_range_dps": 500}
    driver = ex.call("open_imu", imu.open_imu, (bus, board, SleepRecorder()))
    ex.eq("open_imu: an Lsm6 for the LSM6DSOX", type(driver).__name__, "Lsm6")
    ex.true("open_imu: probed at the board's address", (0x6B, 0x0F, 1) in [(e[1], e[2], e[3]) for e in bus.log])
    board["imu"]["model"] = "BMI160"
    ex.raises("open_imu: unknown IMU", imu.open_imu, (bus, board, SleepRecorder()))


def _reads(mods, ex):
    mpu = mods["imu_mpu6xxx"].Mpu6xxx
    # MPU-6050: FIFO_COUNT (0x72, big-endian) says 28 bytes: two whole frames are read
    # from FIFO_R_W (0x74) in one burst; INT_STATUS (0x3A) clear.
    bus = RecordingI2C()
    bus.set_register(0x68, 0x72, b"\x00\x1c")
    frame1 = b"\x10\x00\xff\xde\x08\x00\x00\x03\xff\xfe\x00\x01"
    frame2 = b"\x00\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06"
    bus.set_stream(0x68, 0x74, frame1 + frame2)
    driver = mpu(bus, 0x68, "MPU-6050", 8, 2000, SleepRecorder())
    got = driver.read()
    ex.eq("MPU-6050 read: samples", got, ([4096, -34, 2048, 3, -2, 1, 1, 2, 3, 4, 5, 6], 0, False))
    ex.true("MPU-6050 read: one 24-byte burst from FIFO_R_W", (0x74, 24) in bus.reads())
    # FIFO_OFLOW_INT: the FIFO is reset (USER_CTRL FIFO_EN | FIFO_RESET), nothing returned.
    bus = RecordingI2C()
    bus.set_register(0x68, 0x3A, b"\x10")
    driver = mpu(bus, 0x68, "MPU-6050", 8, 2000, SleepRecorder())
    ex.eq("MPU-6050 overflow: flagged", driver.read(), ([], 0, True))
    ex.eq("MPU-6050 overflow: FIFO reset", bus.writes(), [(0x6A, 0x44)])
    # MPU-6886: 14-byte frames.
    bus = RecordingI2C()
    bus.set_register(0x68, 0x72, b"\x00\x0e")
    bus.set_stream(0x68, 0x74, b"\x00\x10\x00\x20\xf0\x00\x0b\x0c\x00\x01\x00\x02\x00\x03")
    driver = mpu(bus, 0x68, "MPU-6886", 8, 2000, SleepRecorder())
    ex.eq("MPU-6886 read", driver.read(), ([16, 32, -4096, 1, 2, 3], 0, False))
    # LSM6DS3: FIFO_STATUS1..4 (0x3A): 13 words unread, pattern 0: two samples (12 words)
    # read from FIFO_DATA_OUT_L (0x3E).
    lsm = mods["imu_lsm6"].Lsm6
    bus = RecordingI2C()
    bus.set_register(0x6A, 0x3A, b"\x0d\x00\x00\x00")
    words = b"\xe8\x03\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00" * 2
    bus.set_stream(0x6A, 0x3E, words)
    driver = lsm(bus, 0x6A, "LSM6DS3", 8, 2000, SleepRecorder())
    ex.eq("LSM6DS3 read", driver.read(), ([4096, 0, 0, 1147, 0, 0, 4096, 0, 0, 1147, 0, 0], 0, False))
    ex.true("LSM6DS3 read: 24 bytes from FIFO_DATA_OUT_L", (0x3E, 24) in bus.reads())
    # Caught mid-sample (FIFO_PATTERN 4): two words up to the next Gx are dropped and counted.
    bus = RecordingI2C()
    bus.set_register(0x6A, 0x3A, b"\x08\x00\x04\x00")
    bus.set_stream(0x6A, 0x3E, b"\x01\x00\x02\x00" + words[:12])
    driver = lsm(bus, 0x6A, "LSM6DS3", 8, 2000, SleepRecorder())
    ex.eq("LSM6DS3 mid-sample", driver.read(), ([4096, 0, 0, 1147, 0, 0], 1, False))
    # Overrun (FIFO_STATUS2 bit 6): the FIFO goes through bypass back to its mode.
    bus = RecordingI2C()
    bus.set_register(0x6A, 0x3A, b"\x00\x40\x00\x00")
    bus.set_register(0x6A, 0x0A, b"\x26")
    driver = lsm(bus, 0x6A, "LSM6DS3", 8, 2000, SleepRecorder())
    ex.eq("LSM6DS3 overrun: flagged", driver.read(), ([], 0, True))
    ex.eq("LSM6DS3 overrun: FIFO restarted", bus.writes(), [(0x0A, 0x00), (0x0A, 0x26)])
    # LSM6DSOX: FIFO_STATUS1/2 (0x3A): 2 records from FIFO_DATA_OUT_TAG (0x78).
    bus = RecordingI2C()
    bus.set_register(0x6A, 0x3A, b"\x02\x00")
    bus.set_stream(0x6A, 0x78, b"\x08\xe8\x03\x00\x00\x00\x00" + b"\x10\x00\x10\x00\x00\x00\x00")
    driver = lsm(bus, 0x6A, "LSM6DSOX", 8, 2000, SleepRecorder())
    ex.eq("LSM6DSOX read", driver.read(), ([4096, 0, 0, 1147, 0, 0], 0, False))
    ex.true("LSM6DSOX read: 14 bytes from FIFO_DATA_OUT_TAG", (0x78, 14) in bus.reads())
    # ICM-42688-P: FIFO_COUNTH/L (0x2E) = 35 bytes: two 16-byte packets from FIFO_DATA (0x30).
    icm = mods["imu_icm42688"].Icm42688
    bus = RecordingI2C()
    bus.set_register(0x68, 0x2E, b"\x00\x23")
    packet = b"\x68\x08\x00\xff\xf8\x10\x00\x00\x10\xff\xe0\x00\x40\x1c\x12\x34"
    bus.set_stream(0x68, 0x30, packet + packet)
    driver = icm(bus, 0x68, "ICM-42688-P", 8, 2000, SleepRecorder())
    ex.eq("ICM-42688-P read", driver.read(), ([2048, -8, 4096, 16, -32, 64] * 2, 0, False))
    ex.true("ICM-42688-P read: 32 bytes from FIFO_DATA", (0x30, 32) in bus.reads())
    bus = RecordingI2C()
    bus.set_register(0x68, 0x2D, b"\x02")
    driver = icm(bus, 0x68, "ICM-42688-P", 8, 2000, SleepRecorder())
    ex.eq("ICM-42688-P FIFO full: flagged", driver.read(), ([], 0, True))
    ex.eq("ICM-42688-P FIFO full: flushed", bus.writes(), [(0x4B, 0x02)])
    # A FIFO fuller than one burst is read one burst at a time.
    bus = RecordingI2C()
    bus.set_register(0x68, 0x72, b"\x03\xfc")  # 1020 bytes = 85 frames
    bus.set_stream(0x68, 0x74, bytes(1020))
    driver = mpu(bus, 0x68, "MPU-6050", 8, 2000, SleepRecorder())
    samples = driver.read()[0]
    ex.eq("MPU-6050 full FIFO: one burst of max_burst_samples", len(samples), 6 * driver.max_burst_samples)


def run(modules):
    ex = Expect()
    for part in (_starts, _stops, _probes, _reads):
        try:
            part(modules, ex)
        except Exception as exc:
            ex.failures.append("%s raised %s %r" % (part.__name__, type(exc).__name__, str(exc)))
    return ex.result()
