"""Sensor Logger recordings (Kelvin Choi's app for iOS and Android): a folder or .zip of CSVs.

What the app's own documentation (github.com/tszheichoi/awesome-sensor-logger, UNITS.md,
COORDINATES.md, CROSSPLATFORM.md) says, and what this reader does with it:

- Each sensor is one file with columns `time` (Unix epoch, ns) and `seconds_elapsed`
  (s since the recording started), then `z`, `y`, `x`.
- Accelerometer, Gravity and TotalAcceleration are in m/s^2 (g = 9.80665 m/s^2),
  Gyroscope in rad/s.
- `Accelerometer.csv` is acceleration WITHOUT gravity. `TotalAcceleration.csv` includes
  gravity but is logged on Android only; on iOS, acceleration with gravity is
  Accelerometer + Gravity. The rep counter needs gravity, so TotalAcceleration is used
  when present, else Accelerometer + Gravity; Accelerometer alone is refused.
- iOS and Android differ by a sign on all three acceleration (and gravity) axes unless
  "Standardise Units & Frames" was on, which makes iOS follow Android. Android's
  convention is the specific force `dsp.SensorSamples` wants (+g up when resting), so iOS
  acceleration is negated unless the recording says it was standardised. Gyroscope
  definitions agree across platforms.

The platform and the standardisation flag come from `Metadata.csv` (columns `platform`
and `standardisation`); that layout is seen in third-party code, not in the app's docs.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from dsp import SensorSamples
from imu_reader._errors import InputFileError
from imu_reader.csvio._files import ExportBundle, Member
from imu_reader.csvio._merge import Stream, clean_stream, merge_streams
from imu_reader.csvio._table import CsvText, raise_if_not_finite
from imu_reader.csvio._units import check_rate_hz

TOTAL_ACCELERATION = "TotalAcceleration.csv"
ACCELEROMETER = "Accelerometer.csv"
GRAVITY = "Gravity.csv"
GYROSCOPE = "Gyroscope.csv"
METADATA = "Metadata.csv"
SENSOR_FILES = (GYROSCOPE, TOTAL_ACCELERATION, ACCELEROMETER, GRAVITY)
"""The files of a recording this reader uses, all laid out `time,seconds_elapsed,z,y,x`."""

_AXES = ("x", "y", "z")
_NS_TO_S = 1e-9


def is_sensor_logger_header(header: tuple[str, ...]) -> bool:
    """True for the header of one Sensor Logger sensor file (`time,seconds_elapsed,z,y,x`)."""
    names = set(header)
    return names.issuperset(_AXES) and bool(names & {"seconds_elapsed", "time"})


def _time_column(bundle: ExportBundle, gyro: Member) -> str:
    # One time base for every file: seconds_elapsed when the files have it, else time (ns).
    header = bundle.head(gyro)
    return "seconds_elapsed" if "seconds_elapsed" in header else "time"


def _read_stream(bundle: ExportBundle, member: Member, time_name: str) -> Stream:
    table = CsvText(member.display, bundle.read_text(member))
    missing = [name for name in (time_name, *_AXES) if name not in table.header]
    if missing:
        raise InputFileError(
            member.display,
            f"header is missing column(s) {', '.join(missing)}: "
            "Sensor Logger files have the columns time,seconds_elapsed,z,y,x",
            where=f"line {table.header_line}",
        )
    columns = [table.header.index(name) for name in (time_name, *_AXES)]
    values = table.numeric(columns)
    raise_if_not_finite(table, values, columns)
    scale = _NS_TO_S if time_name == "time" else 1.0
    return clean_stream(table, columns[0], values[:, 0] * scale, values[:, 1:], member.basename)


def _read_metadata(bundle: ExportBundle) -> dict[str, str]:
    """Metadata.csv as {column: value}, lower-case keys; empty when absent or unreadable."""
    member = bundle.find(METADATA)
    if member is None:
        return {}
    rows = list(csv.reader(bundle.read_text(member).splitlines()))
    if len(rows) < 2 or len(rows[0]) != len(rows[1]):
        return {}
    return {key.strip().lower(): value.strip() for key, value in zip(rows[0], rows[1], strict=True)}


def _with_gravity(display: Path, user: Stream, gravity: Stream) -> Stream:
    """User acceleration plus gravity, on the user acceleration's timestamps.

    Gravity is a smooth estimate, so interpolating it (even across a hole) is harmless.
    """
    inside = (user.time_s >= gravity.time_s[0]) & (user.time_s <= gravity.time_s[-1])
    time_s = user.time_s[inside]
    if time_s.shape[0] < 2:
        raise InputFileError(display, f"{ACCELEROMETER} and {GRAVITY} do not overlap in time")
    g = np.column_stack([np.interp(time_s, gravity.time_s, gravity.values[:, k]) for k in range(3)])
    return Stream(f"{user.name} + {gravity.name}", time_s, user.values[inside] + g)


def _needs_negation(display: Path, metadata: dict[str, str], summed: bool) -> bool:
    platform = metadata.get("platform", "").lower()
    standardised = metadata.get("standardisation", "").lower() == "true"
    if platform == "ios":
        return not standardised
    if platform == "android":
        return False
    if summed:
        raise InputFileError(
            display,
            f"cannot tell whether this recording is from iOS or Android ({METADATA} is missing or has "
            "no platform), and the sign of Accelerometer + Gravity differs between them",
        )
    # TotalAcceleration is logged on Android only, whose convention is already right.
    return False


def read_sensor_logger(path: str | Path, *, role: str, rate_hz: float | None = None) -> SensorSamples:
    """Read a Sensor Logger recording: its folder, or the .zip the app exports.

    Acceleration (with gravity) and rotation rate are merged onto one uniform grid over
    the span both cover; see `merge_streams`.

    Args:
        path: the recording's folder or .zip archive.
        role: where the phone was strapped, one of `dsp.ROLES`.
        rate_hz: grid rate in Hz; None uses the accelerometer's median rate.

    Returns:
        Samples in SI units, time 0 at the first grid sample.

    Raises:
        ValueError: a rate that is not a positive number.
        InputFileError: a file is missing or malformed, or only acceleration without
            gravity was recorded.
    """
    check_rate_hz(rate_hz)
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "no such file or folder")
    bundle = ExportBundle(path)
    gyro = bundle.find(GYROSCOPE)
    if gyro is None:
        raise InputFileError(
            path, f"no {GYROSCOPE} in this Sensor Logger recording: record the Gyroscope too"
        )
    time_name = _time_column(bundle, gyro)
    total = bundle.find(TOTAL_ACCELERATION)
    user = bundle.find(ACCELEROMETER)
    gravity = bundle.find(GRAVITY)
    metadata = _read_metadata(bundle)
    if total is not None:
        acc = _read_stream(bundle, total, time_name)
    elif user is not None and gravity is not None:
        acc = _with_gravity(
            path, _read_stream(bundle, user, time_name), _read_stream(bundle, gravity, time_name)
        )
    elif user is not None:
        raise InputFileError(
            path,
            f"{ACCELEROMETER} from Sensor Logger is acceleration without gravity, and the rep counter "
            f"needs gravity: also record Gravity (or TotalAcceleration on Android)",
        )
    else:
        raise InputFileError(
            path, f"no acceleration: expected {TOTAL_ACCELERATION}, or {ACCELEROMETER} with {GRAVITY}"
        )
    if _needs_negation(path, metadata, summed=total is None):
        acc = Stream(acc.name, acc.time_s, -acc.values)
    return merge_streams(path, acc, _read_stream(bundle, gyro, time_name), role=role, rate_hz=rate_hz)
