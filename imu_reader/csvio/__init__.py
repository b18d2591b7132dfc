"""CSV import and export: the canonical per-sensor CSV and phone app exports.

- Canonical CSV, one file per sensor: `time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z`, units
  chosen by the caller (default SI: m/s2 and rad/s); `read_canonical_csv`,
  `write_canonical_csv` (atomic).
- Sensor Logger recordings (folder or .zip) and phyphox exports (.csv, folder or .zip):
  `read_sensor_logger`, `read_phyphox`; both merge the phone's accelerometer and
  gyroscope onto one uniform time grid.
- Sensor files of the UCI "Physical Therapy Exercises" data set (`time index;acc_x;...`,
  sample numbers instead of time, so the rate must be given): `read_uci_pt`.
- `read_sensor_csv` recognises which of these a path is (`detect_layout`) and reads it.

Errors about the input are `imu_reader._errors.InputFileError` with one-line messages
naming the file, the line and what is wrong. See docs/csv.md.
"""

from imu_reader.csvio._canonical import CANONICAL_COLUMNS, read_canonical_csv, write_canonical_csv
from imu_reader.csvio._detect import EXPECTED_LAYOUTS, CsvLayout, detect_layout, read_sensor_csv
from imu_reader.csvio._merge import GAP_FACTOR
from imu_reader.csvio._phyphox import read_phyphox
from imu_reader.csvio._sensorlogger import read_sensor_logger
from imu_reader.csvio._uci import UCI_PT_COLUMNS, UCI_PT_RATE_HZ, read_uci_pt
from imu_reader.csvio._units import (
    ACC_UNITS,
    DEFAULT_ACC_UNIT,
    DEFAULT_GYR_UNIT,
    GYR_UNITS,
    acc_unit_scale,
    gyr_unit_scale,
)

__all__ = [
    "ACC_UNITS",
    "CANONICAL_COLUMNS",
    "DEFAULT_ACC_UNIT",
    "DEFAULT_GYR_UNIT",
    "EXPECTED_LAYOUTS",
    "GAP_FACTOR",
    "GYR_UNITS",
    "UCI_PT_COLUMNS",
    "UCI_PT_RATE_HZ",
    "CsvLayout",
    "acc_unit_scale",
    "detect_layout",
    "gyr_unit_scale",
    "read_canonical_csv",
    "read_phyphox",
    "read_sensor_csv",
    "read_sensor_logger",
    "read_uci_pt",
    "write_canonical_csv",
]
