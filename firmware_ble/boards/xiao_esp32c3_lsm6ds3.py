# Seeed Studio XIAO ESP32C3 + Grove 6-axis LSM6DS3 (address 0x6A).
# Wiring: Grove VCC -> 3V3, GND -> GND, SDA -> D4 (GPIO6), SCL -> D5 (GPIO7).
# Battery: the XIAO charges a LiPo on its BAT pads but cannot measure it; add two 220k
# resistors from BAT+ to A0 (GPIO2) and from A0 to GND. No user LED. Hold BOOT
# (GPIO9) while resetting to skip the firmware.
BOARD = {
    "name": "xiao-c3-lsm6ds3",
    "mcu": "esp32c3",
    "i2c": {"bus": 0, "sda": 6, "scl": 7, "freq_hz": 400000},
    "imu": {"model": "LSM6DS3", "address": 0x6A},
    "acc_range_g": 8,
    "gyro_range_dps": 2000,
    "led": None,
    "battery": {"adc_pin": 2, "divider": 2.0},
    "safe_mode_pin": 9,
}
