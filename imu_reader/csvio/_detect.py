"""Recognising which kind of CSV input a path is, and reading it."""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path

from dsp import SensorSamples
from imu_reader._errors import InputFileError
from imu_reader.csvio._canonical import is_canonical_header, read_canonical_csv
from imu_reader.csvio._files import ExportBundle, read_head
from imu_reader.csvio._phyphox import is_phyphox_header, read_phyphox
from imu_reader.csvio._sensorlogger import SENSOR_FILES, is_sensor_logger_header, read_sensor_logger
from imu_reader.csvio._table import SEPARATORS, split_header
from imu_reader.csvio._uci import is_uci_pt_header, read_uci_pt
from imu_reader.csvio._units import (
    DEFAULT_ACC_UNIT,
    DEFAULT_GYR_UNIT,
    acc_unit_scale,
    check_rate_hz,
    gyr_unit_scale,
)


class CsvLayout(StrEnum):
    """The kinds of CSV input `read_sensor_csv` understands."""

    CANONICAL = "canonical"
    SENSOR_LOGGER = "sensor_logger"
    PHYPHOX = "phyphox"
    UCI_PT = "uci_pt"

    @property
    def label(self) -> str:
        """Name for messages."""
        return _LABELS[self.value]


_LABELS = {
    "canonical": "a canonical CSV",
    "sensor_logger": "Sensor Logger",
    "phyphox": "phyphox",
    "uci_pt": "the UCI physical-therapy data set",
}


EXPECTED_LAYOUTS = (
    "expected a canonical CSV (header time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z), "
    "a Sensor Logger recording (folder or .zip with Gyroscope.csv and TotalAcceleration.csv, "
    "or Accelerometer.csv with Gravity.csv) or a phyphox export (.csv, folder or .zip with the "
    "columns Time (s), Acceleration x (m/s^2) and Gyroscope x (rad/s)) "
    "or a file of the UCI physical-therapy data set (header time index;acc_x;...;gyr_z;mag_x;...)"
)
"""What `detect_layout` says it looked for when it recognises nothing."""


def _header(line: str) -> tuple[str, ...]:
    return split_header(line, SEPARATORS)[1]


def _detect_bundle(path: Path) -> CsvLayout:
    bundle = ExportBundle(path)
    for name in SENSOR_FILES:
        member = bundle.find(name)
        if member is not None and is_sensor_logger_header(_header(bundle.head(member))):
            return CsvLayout.SENSOR_LOGGER
    if any(is_phyphox_header(_header(bundle.head(m))) for m in bundle.members):
        return CsvLayout.PHYPHOX
    names = ", ".join(m.name for m in bundle.members[:8]) or "no CSV files"
    if len(bundle.members) > 8:
        names += ", ..."
    raise InputFileError(path, f"layout not recognised ({names}): {EXPECTED_LAYOUTS}")


def detect_layout(path: str | Path) -> CsvLayout:
    """Which kind of CSV input `path` is, from its headers and file names.

    Args:
        path: a CSV file, a folder or a .zip archive.

    Raises:
        InputFileError: the path is missing, empty, or of no known layout (the message
            lists the layouts looked for); or it is one file of a Sensor Logger recording.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "no such file or folder")
    if path.is_dir() or zipfile.is_zipfile(path):
        return _detect_bundle(path)
    if path.suffix.lower() == ".zip":
        raise InputFileError(path, "not a readable zip archive (damaged or cut short?)")
    line = read_head(path)
    if not line:
        raise InputFileError(path, "file is empty")
    header = _header(line)
    # Before the canonical check: this header names acc_x..gyr_z too, but counts samples
    # instead of giving seconds, and adds columns a canonical file may not have.
    if is_uci_pt_header(header):
        return CsvLayout.UCI_PT
    if is_canonical_header(header):
        return CsvLayout.CANONICAL
    if is_phyphox_header(header):
        return CsvLayout.PHYPHOX
    if is_sensor_logger_header(header):
        raise InputFileError(
            path,
            "this is one file of a Sensor Logger recording: pass the whole recording (its folder or "
            ".zip) so acceleration and rotation rate can be combined",
        )
    shown = line if len(line) <= 80 else line[:77] + "..."
    raise InputFileError(
        path, f"layout not recognised (header {shown!r}): {EXPECTED_LAYOUTS}", where="line 1"
    )


def _check_fixed_unit(path: Path, layout: CsvLayout, what: str, given: str | None, fixed: str) -> None:
    if given is not None and given != fixed:
        if layout is CsvLayout.UCI_PT:
            verb, kind = "gives", "this data set"
        else:
            verb, kind = "exports", "phone exports"
        raise InputFileError(
            path,
            f"{layout.label} {verb} {what} in {fixed}, which contradicts the unit {given} "
            f"that was given: leave the unit unset for {kind}",
        )


def read_sensor_csv(
    path: str | Path,
    *,
    role: str,
    rate_hz: float | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
) -> SensorSamples:
    """Read one sensor's samples from any supported CSV input, recognising its layout.

    Accepts a canonical CSV file, a Sensor Logger recording (folder or .zip), a phyphox
    export (.csv, folder or .zip) or a sensor file of the UCI physical-therapy data set;
    see `detect_layout`.

    Args:
        path: the file, folder or archive.
        role: where the sensor was strapped, one of `dsp.ROLES`.
        rate_hz: for a canonical CSV without `time_s`, its sample rate in Hz; for a phone
            export, the rate in Hz of the grid both sensors are resampled onto (None: the
            accelerometer's median rate); for the UCI data set, its sample rate in Hz
            (required: its files count samples but have no time).
        acc_unit: acceleration unit of a canonical CSV, one of `ACC_UNITS` (None: m/s2).
            Phone exports and the UCI data set are always m/s2; giving another unit for
            them is an error.
        gyr_unit: angular rate unit of a canonical CSV, one of `GYR_UNITS` (None: rad/s).
            Phone exports and the UCI data set are always rad/s; giving another unit for
            them is an error.

    Returns:
        Samples in SI units.

    Raises:
        ValueError: an unknown unit, or a rate that is not a positive number.
        InputFileError: the input is missing, malformed, of no known layout, or a unit
            contradicts a phone export's fixed units.
    """
    if acc_unit is not None:
        acc_unit_scale(acc_unit)
    if gyr_unit is not None:
        gyr_unit_scale(gyr_unit)
    check_rate_hz(rate_hz)
    path = Path(path)
    layout = detect_layout(path)
    if layout is CsvLayout.CANONICAL:
        return read_canonical_csv(
            path,
            role=role,
            rate_hz=rate_hz,
            acc_unit=acc_unit or DEFAULT_ACC_UNIT,
            gyr_unit=gyr_unit or DEFAULT_GYR_UNIT,
        )
    _check_fixed_unit(path, layout, "acceleration", acc_unit, "m/s2")
    _check_fixed_unit(path, layout, "angular rate", gyr_unit, "rad/s")
    if layout is CsvLayout.UCI_PT:
        return read_uci_pt(path, role=role, rate_hz=rate_hz)
    if layout is CsvLayout.SENSOR_LOGGER:
        return read_sensor_logger(path, role=role, rate_hz=rate_hz)
    return read_phyphox(path, role=role, rate_hz=rate_hz)
