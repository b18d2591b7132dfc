# Raspberry Pi Pico W + ICM-42688-P breakout (AP_AD0 to GND: address 0x68).
# Wiring: VCC -> 3V3(OUT) (pin 36), GND -> GND, SDA -> GP4 (pin 6), SCL -> GP5 (pin 7).
# Battery: LiPo + through 100k/100k to GP26 (ADC0). The LED is on the wireless chip
# ("LED"). A jumper from GP15 to GND at reset skips the firmware (the Pico has no
# user button).
BOARD = {
    "name": "picow-icm42688",
    "mcu": "rp2040",
    "i2c": {"bus": 0, "sda": 4, "scl": 5, "freq_hz": 400000},
    "imu": {"model": "ICM-42688-P", "address": 0x68},
    "acc_range_g": 8,
    "gyro_range_dps": 2000,
    "led": {"kind": "pin", "pin": "LED", "active_low": False},
    "battery": {"adc_pin": 26, "divider": 2.0},
    "safe_mode_pin": 15,
}
