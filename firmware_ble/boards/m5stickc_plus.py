# M5StickC Plus (ESP32-PICO-D4) with its built-in MPU-6886 on the internal I2C bus.
# Nothing to wire. The battery sits behind the AXP192 power chip, not an ADC pin, so
# the sensor reports 100 %. Red LED on GPIO10 (lit when low). Hold button A (GPIO37)
# while resetting to skip the firmware.
BOARD = {
    "name": "m5stickc-plus",
    "mcu": "esp32",
    "i2c": {"bus": 0, "sda": 21, "scl": 22, "freq_hz": 400000},
    "imu": {"model": "MPU-6886", "address": 0x68},
    "acc_range_g": 8,
    "gyro_range_dps": 2000,
    "led": {"kind": "pin", "pin": 10, "active_low": True},
    "battery": None,
    "safe_mode_pin": 37,
}
