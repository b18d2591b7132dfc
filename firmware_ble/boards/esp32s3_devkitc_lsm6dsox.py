# ESP32-S3-DevKitC-1 + LSM6DSOX breakout (e.g. Adafruit 4438, STEMMA QT, address 0x6A).
# Wiring: VIN -> 3V3, GND -> GND, SDA -> GPIO8, SCL -> GPIO9.
# Battery: LiPo + through 100k/100k to GPIO4 (ADC1). RGB LED on GPIO48 (board v1.0;
# v1.1 boards have it on GPIO38: change "pin"). Hold BOOT (GPIO0) while resetting to
# skip the firmware.
BOARD = {
    "name": "esp32s3-lsm6dsox",
    "mcu": "esp32s3",
    "i2c": {"bus": 0, "sda": 8, "scl": 9, "freq_hz": 400000},
    "imu": {"model": "LSM6DSOX", "address": 0x6A},
    "acc_range_g": 8,
    "gyro_range_dps": 2000,
    "led": {"kind": "neopixel", "pin": 48},
    "battery": {"adc_pin": 4, "divider": 2.0},
    "safe_mode_pin": 0,
}
