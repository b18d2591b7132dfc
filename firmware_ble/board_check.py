# Validation of a board file (firmware_ble/boards/*.py, copied to the sensor as
# board.py): everything the firmware needs to know about the hardware, checked at
# boot and in the tests so that a typo is a clear message, not a dead sensor.
#
# Pure: runs in MicroPython and CPython.

try:
    from firmware_ble import protocol_core as core
    from firmware_ble.imu_catalog import IMUS
except ImportError:  # on the sensor the modules sit side by side
    import protocol_core as core
    from imu_catalog import IMUS

MCUS = ("esp32", "esp32s3", "esp32c3", "rp2040")
LED_KINDS = ("pin", "neopixel")
MAX_I2C_FREQ_HZ = 400000  # fast mode: the fastest all the supported IMUs take over I2C
MAX_NAME_LENGTH = 20  # model string "reptempo-imu-" + name stays readable and short
KEYS = ("name", "mcu", "i2c", "imu", "acc_range_g", "gyro_range_dps", "led", "battery", "safe_mode_pin")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return (isinstance(value, int) or isinstance(value, float)) and not isinstance(value, bool)


def _is_pin(value):
    # A GPIO number, or a name the port knows (the Pico W's "LED" sits on the radio chip).
    return (_is_int(value) and 0 <= value <= 48) or (isinstance(value, str) and 0 < len(value) <= 8)


def _check_name(board, errors):
    name = board.get("name")
    if not isinstance(name, str) or not name:
        errors.append("name: must be a non-empty string")
        return
    if len(name) > MAX_NAME_LENGTH:
        errors.append("name: %r is longer than %d characters" % (name, MAX_NAME_LENGTH))
    for ch in name:
        if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch == "-"):
            errors.append("name: %r may hold only a-z, 0-9 and '-'" % name)
            break


def _check_i2c(board, errors):
    i2c = board.get("i2c")
    if not isinstance(i2c, dict):
        errors.append("i2c: must be a dict with bus, sda, scl, freq_hz")
        return
    if not _is_int(i2c.get("bus")) or not 0 <= i2c.get("bus") <= 1:
        errors.append("i2c.bus: must be 0 or 1")
    for key in ("sda", "scl"):
        if not _is_int(i2c.get(key)) or not 0 <= i2c.get(key) <= 48:
            errors.append("i2c.%s: must be a GPIO number" % key)
    if _is_int(i2c.get("sda")) and i2c.get("sda") == i2c.get("scl"):
        errors.append("i2c: sda and scl are the same pin %d" % i2c.get("sda"))
    freq = i2c.get("freq_hz")
    if not _is_int(freq) or not 10000 <= freq <= MAX_I2C_FREQ_HZ:
        errors.append("i2c.freq_hz: must be 10000..%d, got %r" % (MAX_I2C_FREQ_HZ, freq))


def _check_imu(board, errors):
    imu = board.get("imu")
    if not isinstance(imu, dict):
        errors.append("imu: must be a dict with model and address")
        return None
    spec = IMUS.get(imu.get("model"))
    if spec is None:
        errors.append("imu.model: %r is not one of %s" % (imu.get("model"), ", ".join(sorted(IMUS))))
        return None
    address = imu.get("address")
    if address not in spec["addresses"]:
        errors.append("imu.address: %r is not an address of the %s (%s)" % (
            address, imu["model"], ", ".join("0x%02x" % a for a in spec["addresses"])))
    return spec


def _check_ranges(board, spec, errors):
    acc = board.get("acc_range_g")
    if acc not in core.ACC_RANGES_G:
        errors.append("acc_range_g: %r is not a protocol range %r" % (acc, core.ACC_RANGES_G))
    elif spec is not None and acc not in spec["acc_ranges_g"]:
        errors.append("acc_range_g: the IMU cannot do +-%d g" % acc)
    gyro = board.get("gyro_range_dps")
    if gyro not in core.GYRO_RANGES_DPS:
        errors.append("gyro_range_dps: %r is not a protocol range %r" % (gyro, core.GYRO_RANGES_DPS))
    elif spec is not None and gyro not in spec["gyro_ranges_dps"]:
        errors.append("gyro_range_dps: the IMU cannot do +-%d dps" % gyro)


def _check_led(board, errors):
    led = board.get("led")
    if led is None:
        return
    if not isinstance(led, dict) or led.get("kind") not in LED_KINDS:
        errors.append("led: must be None or a dict with kind in %r" % (LED_KINDS,))
        return
    if not _is_pin(led.get("pin")):
        errors.append("led.pin: %r is not a pin" % (led.get("pin"),))
    if led["kind"] == "pin" and not isinstance(led.get("active_low"), bool):
        errors.append("led.active_low: must be True or False for a pin LED")


def _check_battery(board, errors):
    battery = board.get("battery")
    if battery is None:
        return
    if not isinstance(battery, dict):
        errors.append("battery: must be None or a dict with adc_pin and divider")
        return
    if not _is_int(battery.get("adc_pin")) or not 0 <= battery.get("adc_pin") <= 48:
        errors.append("battery.adc_pin: must be a GPIO number")
    divider = battery.get("divider")
    if not _is_number(divider) or not 1 <= divider <= 10:
        errors.append("battery.divider: cell voltage / ADC voltage, 1..10, got %r" % (divider,))


def validate(board):
    """List of problems with the board dict (empty when it is usable)."""
    if not isinstance(board, dict):
        return ["BOARD must be a dict"]
    errors = []
    for key in KEYS:
        if key not in board:
            errors.append("%s: missing" % key)
    for key in board:
        if key not in KEYS:
            errors.append("%s: unknown key" % key)
    _check_name(board, errors)
    if board.get("mcu") not in MCUS:
        errors.append("mcu: %r is not one of %s" % (board.get("mcu"), ", ".join(MCUS)))
    _check_i2c(board, errors)
    spec = _check_imu(board, errors)
    _check_ranges(board, spec, errors)
    _check_led(board, errors)
    _check_battery(board, errors)
    safe = board.get("safe_mode_pin")
    if safe is not None and not (_is_int(safe) and 0 <= safe <= 48):
        errors.append("safe_mode_pin: must be None or a GPIO number")
    return errors
