# ESP32 DevKit V1 (DOIT, 30 pins) + GY-521 MPU-6050 breakout.
# Wiring: GY-521 VCC -> 3V3, GND -> GND, SDA -> GPIO21, SCL -> GPIO22, AD0 open (0x68).
# Battery: LiPo + through 100k/100k to GPIO34 (ADC1, input only), so the ADC sees half.
# Hold BOOT (GPIO0) while resetting to skip the firmware (safe mode, for flashing).
BOARD = {
    "name": "esp32-mpu6050",
    "mcu": "esp32",
    "i2c": {"bus": 0, "sda": 21, "scl": 22, "freq_hz": 400000},
    "imu": {"model": "MPU-6050", "address": 0x68},
    "acc_range_g": 8,
    "gyro_range_dps": 2000,
    "led": {"kind": "pin", "pin": 2, "active_low": False},
    "battery": {"adc_pin": 34, "divider": 2.0},
    "safe_mode_pin": 0,
}
