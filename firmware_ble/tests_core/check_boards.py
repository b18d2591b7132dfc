# Checks of board_check.validate against the shipped board files and against broken
# variants of them. Runs unchanged in MicroPython and CPython; run(modules) returns
# (checks, failures). modules["boards"] maps each board file's name to its BOARD.

from expect import Expect


def _copy(board):
    out = {}
    for key in board:
        value = board[key]
        out[key] = dict(value) if isinstance(value, dict) else value
    return out


def _mutations():
    """(what, change(board), text the error must contain), on a valid MPU-6050 board."""

    def set_key(key, value):
        def change(board):
            board[key] = value
        return change

    def set_sub(key, sub, value):
        def change(board):
            board[key][sub] = value
        return change

    def delete(key):
        def change(board):
            del board[key]
        return change

    return (
        ("missing imu", delete("imu"), "imu: missing"),
        ("unknown key", set_key("colour", "red"), "colour: unknown key"),
        ("unknown IMU", set_sub("imu", "model", "BMI160"), "imu.model"),
        ("address of another part", set_sub("imu", "address", 0x6A), "imu.address"),
        ("acc range not in the protocol", set_key("acc_range_g", 3), "acc_range_g"),
        ("gyro range the MPU-6050 lacks", set_key("gyro_range_dps", 125), "cannot do +-125 dps"),
        ("I2C too fast", set_sub("i2c", "freq_hz", 1000000), "i2c.freq_hz"),
        ("sda and scl on one pin", set_sub("i2c", "scl", 21), "same pin"),
        ("I2C bus 2", set_sub("i2c", "bus", 2), "i2c.bus"),
        ("LED of unknown kind", set_key("led", {"kind": "rgb", "pin": 2}), "led"),
        ("pin LED without polarity", set_key("led", {"kind": "pin", "pin": 2}), "led.active_low"),
        ("battery divider below 1", set_key("battery", {"adc_pin": 34, "divider": 0.5}), "battery.divider"),
        ("battery without pin", set_key("battery", {"divider": 2}), "battery.adc_pin"),
        ("name with capitals", set_key("name", "ESP32 Board"), "name"),
        ("name too long", set_key("name", "a-very-long-board-name-indeed"), "longer than"),
        ("unsupported MCU", set_key("mcu", "esp8266"), "mcu"),
        ("safe-mode pin as text", set_key("safe_mode_pin", "BOOT"), "safe_mode_pin"),
        ("boolean I2C frequency", set_sub("i2c", "freq_hz", True), "i2c.freq_hz"),
    )


VALID = {
    "name": "test-board",
    "mcu": "esp32",
    "i2c": {"bus": 0, "sda": 21, "scl": 22, "freq_hz": 400000},
    "imu": {"model": "MPU-6050", "address": 0x68},
    "acc_range_g": 8,
    "gyro_range_dps": 2000,
    "led": {"kind": "pin", "pin": 2, "active_low": False},
    "battery": {"adc_pin": 34, "divider": 2.0},
    "safe_mode_pin": 0,
}


def run(modules):
    check = modules["board_check"]
    catalog = modules["imu_catalog"]
    boards = modules["boards"]
    ex = Expect()
    ex.true("board files found", len(boards) >= 5)
    models = []
    mcus = []
    for name in sorted(boards):
        board = boards[name]
        ex.eq("board %s is valid" % name, check.validate(board), [])
        models.append(board["imu"]["model"])
        mcus.append(board["mcu"])
    for model in catalog.IMUS:
        ex.true("a board file uses the %s" % model, model in models)
    for mcu in check.MCUS:
        ex.true("a board file is for the %s" % mcu, mcu in mcus)
    ex.eq("the reference board is valid", check.validate(VALID), [])
    ex.eq("BOARD not a dict", check.validate([1, 2]), ["BOARD must be a dict"])
    for what, change, contains in _mutations():
        board = _copy(VALID)
        change(board)
        errors = check.validate(board)
        found = False
        for error in errors:
            if contains in error:
                found = True
        ex.true("%s: an error names %r (got %r)" % (what, contains, errors), found)
    return ex.result()
