# M5Atom Matrix (ESP32-PICO-D4) with its built-in MPU-6886 (SDA GPIO25, SCL GPIO21).
# USB powered or from an external pack: no battery measurement (reports 100 %).
# The 5x5 RGB matrix is on GPIO27; the firmware lights its first pixel. Hold the
# screen button (GPIO39) while resetting to skip the firmware.
BOARD = {
    "name": "m5atom-matrix",
    "mcu": "esp32",
    "i2c": {"bus": 0, "sda": 25, "scl": 21, "freq_hz": 400000},
    "imu": {"model": "MPU-6886", "address": 0x68},
    "acc_range_g": 8,
    "gyro_range_dps": 2000,
    "led": {"kind": "neopixel", "pin": 27},
    "battery": None,
    "safe_mode_pin": 39,
}
