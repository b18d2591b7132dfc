# What each supported IMU can do, as the protocol sees it: its model id in the info
# characteristic, its I2C addresses, and the protocol rates and ranges it supports.
#
# Pure data, shared by board-file validation, the control state machine and the
# drivers. Rates the part cannot produce from its own oscillator and FIFO (an integer
# divider of its internal rate) are left out on purpose: the firmware never resamples
# in software, so a SET_RATE for them is ignored and the host reads the info back.

# "true_rates_mhz": the part's own output data rate for each nominal protocol rate, in
# millihertz, from its datasheet's ODR table. The host estimates the true rate from
# arrival times (docs/clock.md); the LSM6 parts run 4 % fast of the nominal rate.
IMUS = {
    "MPU-6050": {
        "model_id": 1,
        "driver": "imu_mpu6xxx",
        "addresses": (0x68, 0x69),  # AD0 low / high
        "rates_hz": (25, 50, 100, 200, 400),
        "true_rates_mhz": (25000, 50000, 100000, 200000, 400000),
        "acc_ranges_g": (2, 4, 8, 16),
        "gyro_ranges_dps": (250, 500, 1000, 2000),
    },
    "MPU-6886": {
        "model_id": 2,
        "driver": "imu_mpu6xxx",
        "addresses": (0x68, 0x69),
        # 1 kHz internal rate / (1 + SMPLRT_DIV); 400 Hz is not an integer divider.
        "rates_hz": (25, 50, 100, 200),
        "true_rates_mhz": (25000, 50000, 100000, 200000),
        "acc_ranges_g": (2, 4, 8, 16),
        "gyro_ranges_dps": (250, 500, 1000, 2000),
    },
    "LSM6DS3": {
        "model_id": 3,
        "driver": "imu_lsm6",
        "addresses": (0x6A, 0x6B),  # SDO/SA0 low / high
        "rates_hz": (25, 50, 100, 200, 400),
        "true_rates_mhz": (26000, 52000, 104000, 208000, 416000),
        "acc_ranges_g": (2, 4, 8, 16),
        "gyro_ranges_dps": (125, 250, 500, 1000, 2000),
    },
    "LSM6DSOX": {
        "model_id": 4,
        "driver": "imu_lsm6",
        "addresses": (0x6A, 0x6B),
        "rates_hz": (25, 50, 100, 200, 400),
        "true_rates_mhz": (26000, 52000, 104000, 208000, 417000),
        "acc_ranges_g": (2, 4, 8, 16),
        "gyro_ranges_dps": (125, 250, 500, 1000, 2000),
    },
    "ICM-42688-P": {
        "model_id": 5,
        "driver": "imu_icm42688",
        "addresses": (0x68, 0x69),  # AP_AD0 low / high
        # ODRs 25, 50, 100, 200, 500 Hz...: no 400 Hz.
        "rates_hz": (25, 50, 100, 200),
        "true_rates_mhz": (25000, 50000, 100000, 200000),
        "acc_ranges_g": (2, 4, 8, 16),
        "gyro_ranges_dps": (125, 250, 500, 1000, 2000),
    },
}


def imu_spec(name):
    """The catalogue entry of IMU `name`; ValueError naming the known ones if unknown."""
    spec = IMUS.get(name)
    if spec is None:
        raise ValueError("unknown IMU %r, known: %s" % (name, ", ".join(sorted(IMUS))))
    return spec
