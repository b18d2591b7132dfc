# Opening the board's IMU: the catalogue names the driver module, imported only when
# chosen so that a sensor loads the one driver it needs.

try:
    from firmware_ble.imu_catalog import imu_spec
except ImportError:  # on the sensor the modules sit side by side
    from imu_catalog import imu_spec


def _driver_class(driver):
    if driver == "imu_mpu6xxx":
        try:
            from firmware_ble.imu_mpu6xxx import Mpu6xxx
        except ImportError:
            from imu_mpu6xxx import Mpu6xxx
        return Mpu6xxx
    if driver == "imu_lsm6":
        try:
            from firmware_ble.imu_lsm6 import Lsm6
        except ImportError:
            from imu_lsm6 import Lsm6
        return Lsm6
    if driver == "imu_icm42688":
        try:
            from firmware_ble.imu_icm42688 import Icm42688
        except ImportError:
            from imu_icm42688 import Icm42688
        return Icm42688
    raise ValueError("no driver module %r" % (driver,))


def open_imu(i2c, board, sleep_ms=None):
    """The driver for `board`'s IMU on `i2c`, probed (WHO_AM_I checked), not started."""
    imu = board["imu"]
    spec = imu_spec(imu["model"])
    driver = _driver_class(spec["driver"])(
        i2c, imu["address"], imu["model"], board["acc_range_g"], board["gyro_range_dps"], sleep_ms
    )
    driver.probe()
    return driver
