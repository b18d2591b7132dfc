"""Phone exports: Sensor Logger and phyphox layouts, detection, and merging two sensor streams.

The fixtures write files the way the apps document them (Sensor Logger: awesome-sensor-logger
UNITS.md and README; phyphox: DataExport.java and the experiment definitions), filled
with analytic signals so the merged result can be checked against the formula.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from imu_reader._errors import InputFileError
from imu_reader.csvio import (
    CsvLayout,
    detect_layout,
    read_phyphox,
    read_sensor_csv,
    read_sensor_logger,
)
from imu_reader.csvio._merge import Stream, merge_streams

FloatArray = npt.NDArray[np.float64]
Signal = Callable[[FloatArray], FloatArray]
G = 9.80665
EPOCH_NS = 1_700_000_000_000_000_000

# Interpolating these slow sines at 100 Hz is off by at most (2*pi*f*dt)^2/8 * amplitude,
# about 3e-4 here; the tolerance leaves room for that and nothing more.
ATOL = 2e-3


def specific_force(time_s: FloatArray) -> FloatArray:
    """What an accelerometer reads (Android convention): gravity up on z plus motion."""
    return np.column_stack(
        [
            1.5 * np.sin(2 * math.pi * 0.5 * time_s),
            0.8 * np.cos(2 * math.pi * 0.3 * time_s),
            G + 0.5 * np.sin(2 * math.pi * 0.2 * time_s),
        ]
    )


def gravity(time_s: FloatArray) -> FloatArray:
    """Android's gravity sensor for a phone tilting slowly about x."""
    tilt = 0.3 * np.sin(2 * math.pi * 0.1 * time_s)
    return np.column_stack([np.zeros_like(time_s), G * np.sin(tilt), G * np.cos(tilt)])


def angular_rate(time_s: FloatArray) -> FloatArray:
    return np.column_stack(
        [
            0.6 * np.sin(2 * math.pi * 0.4 * time_s),
            -0.4 * np.cos(2 * math.pi * 0.25 * time_s),
            0.2 * np.sin(2 * math.pi * 0.15 * time_s + 1.0),
        ]
    )


def sample_times(
    rate_hz: float, start_s: float, end_s: float, seed: int, jitter_s: float = 2e-4
) -> FloatArray:
    rng = np.random.default_rng(seed)
    n = int((end_s - start_s) * rate_hz) + 1
    return start_s + np.arange(n) / rate_hz + rng.uniform(-jitter_s, jitter_s, n)


# --- Sensor Logger fixtures ---------------------------------------------------------


def write_sensor_logger_file(path: Path, time_s: FloatArray, xyz: FloatArray) -> None:
    """One sensor file: time (epoch ns), seconds_elapsed, then z, y, x as the app orders them."""
    lines = ["time,seconds_elapsed,z,y,x"]
    for t, (x, y, z) in zip(time_s.tolist(), xyz.tolist(), strict=True):
        lines.append(f"{EPOCH_NS + round(t * 1e9)},{t!r},{z!r},{y!r},{x!r}")
    path.write_text("\n".join(lines) + "\n")


def write_metadata(folder: Path, platform: str, standardisation: str = "false") -> None:
    (folder / "Metadata.csv").write_text(
        "version,device name,recording epoch time,recording time,recording timezone,platform,"
        "appVersion,device id,sensors,sampleRateMs,standardisation,platform version\n"
        f"3,Test Phone,{EPOCH_NS},2026-11-22_10-00-00,Europe/Berlin,{platform},1.64,abc,"
        f"Accelerometer|Gyroscope|Gravity,10|10|10,{standardisation},17\n"
    )


def sensor_logger_recording(
    folder: Path,
    *,
    acceleration: str = "total",
    platform: str | None = "android",
    standardisation: str = "false",
    gyro: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """Write a recording; returns the accelerometer and gyroscope sample times."""
    folder.mkdir(parents=True, exist_ok=True)
    acc_t = sample_times(100.0, 0.05, 10.0, seed=1)
    gyr_t = sample_times(98.7, 0.0, 9.9, seed=2)
    f = specific_force(acc_t)
    g = gravity(acc_t)
    sign = -1.0 if platform == "ios" and standardisation != "true" else 1.0
    if acceleration == "total":
        write_sensor_logger_file(folder / "TotalAcceleration.csv", acc_t, f)
        write_sensor_logger_file(folder / "Accelerometer.csv", acc_t, f - g)
    elif acceleration in ("user+gravity", "user"):
        write_sensor_logger_file(folder / "Accelerometer.csv", acc_t, sign * (f - g))
        if acceleration == "user+gravity":
            write_sensor_logger_file(folder / "Gravity.csv", acc_t, sign * g)
    if gyro:
        write_sensor_logger_file(folder / "Gyroscope.csv", gyr_t, angular_rate(gyr_t))
    if platform is not None:
        write_metadata(folder, platform, standardisation)
    return acc_t, gyr_t


def zip_folder(folder: Path, archive: Path, *, inside: str = "") -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, inside + file.relative_to(folder).as_posix())
    return archive


def check_against_signals(
    samples_time_s: FloatArray, start_s: float, acc: FloatArray, gyr: FloatArray
) -> None:
    absolute_s = samples_time_s + start_s
    np.testing.assert_allclose(acc, specific_force(absolute_s), rtol=0, atol=ATOL)
    np.testing.assert_allclose(gyr, angular_rate(absolute_s), rtol=0, atol=ATOL)


def test_sensor_logger_folder_with_total_acceleration(tmp_path: Path) -> None:
    folder = tmp_path / "Recording_2026-11-22"
    acc_t, gyr_t = sensor_logger_recording(folder)

    assert detect_layout(folder) is CsvLayout.SENSOR_LOGGER
    samples = read_sensor_csv(folder, role="pelvis")

    start_s = max(acc_t[0], gyr_t[0])
    assert samples.role == "pelvis"
    assert samples.time_s[0] == 0.0
    np.testing.assert_allclose(np.diff(samples.time_s), np.median(np.diff(acc_t)), rtol=0, atol=1e-9)
    assert samples.time_s[-1] + start_s <= min(acc_t[-1], gyr_t[-1]) + 1e-9
    assert len(samples) == pytest.approx((min(acc_t[-1], gyr_t[-1]) - start_s) * 100, abs=2)
    check_against_signals(samples.time_s, start_s, samples.acc_mps2, samples.gyr_rps)
    assert not samples.gap_before.any()


def test_sensor_logger_zip_with_a_top_folder(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    acc_t, gyr_t = sensor_logger_recording(folder)
    archive = zip_folder(folder, tmp_path / "rec.zip", inside="Recording_2026-11-22_10-00-00/")

    assert detect_layout(archive) is CsvLayout.SENSOR_LOGGER
    samples = read_sensor_logger(archive, role="shin")

    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)


@pytest.mark.parametrize(
    ("platform", "standardisation"), [("android", "false"), ("ios", "false"), ("ios", "true")]
)
def test_sensor_logger_accelerometer_plus_gravity(
    tmp_path: Path, platform: str, standardisation: str
) -> None:
    folder = tmp_path / "rec"
    acc_t, gyr_t = sensor_logger_recording(
        folder, acceleration="user+gravity", platform=platform, standardisation=standardisation
    )

    samples = read_sensor_csv(folder, role="shin")

    # iOS without "Standardise Units & Frames" has the opposite sign; the reader undoes it,
    # so every case comes out as specific force with +g up.
    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)
    assert samples.acc_mps2[:, 2].mean() > 9.0


def test_sensor_logger_accelerometer_alone_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    sensor_logger_recording(folder, acceleration="user")

    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(folder, role="shin")

    assert str(caught.value) == (
        f"{folder}: Accelerometer.csv from Sensor Logger is acceleration without gravity, and the rep "
        "counter needs gravity: also record Gravity (or TotalAcceleration on Android)"
    )


def test_sensor_logger_sum_without_metadata_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    sensor_logger_recording(folder, acceleration="user+gravity", platform=None)

    with pytest.raises(InputFileError) as caught:
        read_sensor_logger(folder, role="shin")

    assert "cannot tell whether this recording is from iOS or Android" in str(caught.value)
    assert str(caught.value).startswith(f"{folder}: ")


def test_sensor_logger_without_gyroscope(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    sensor_logger_recording(folder, gyro=False)

    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(folder, role="shin")

    assert (
        str(caught.value)
        == f"{folder}: no Gyroscope.csv in this Sensor Logger recording: record the Gyroscope too"
    )


def test_one_sensor_logger_file_alone_is_explained(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    sensor_logger_recording(folder)

    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(folder / "Gyroscope.csv", role="shin")

    assert "one file of a Sensor Logger recording: pass the whole recording" in str(caught.value)


def test_sensor_logger_bad_cell_names_member_line_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    sensor_logger_recording(folder)
    gyro = folder / "Gyroscope.csv"
    lines = gyro.read_text().splitlines()
    fields = lines[6].split(",")
    fields[3] = "oops"
    lines[6] = ",".join(fields)
    gyro.write_text("\n".join(lines) + "\n")
    archive = zip_folder(folder, tmp_path / "rec.zip")

    with pytest.raises(InputFileError) as caught:
        read_sensor_logger(archive, role="shin")

    assert str(caught.value) == f"{archive / 'Gyroscope.csv'}: line 7: column y: 'oops' is not a number"


def test_sensor_logger_repeated_timestamps_are_dropped_and_backwards_time_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    acc_t, gyr_t = sensor_logger_recording(folder)
    gyro = folder / "Gyroscope.csv"
    lines = gyro.read_text().splitlines()
    lines.insert(11, lines[10])  # the same reading logged twice
    gyro.write_text("\n".join(lines) + "\n")

    samples = read_sensor_logger(folder, role="shin")
    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)

    lines[20], lines[21] = lines[21], lines[20]
    gyro.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputFileError) as caught:
        read_sensor_logger(folder, role="shin")
    assert caught.value.path == gyro
    assert caught.value.where == "line 22"
    assert caught.value.reason.startswith("time does not increase: seconds_elapsed goes backwards")


def test_phone_units_are_fixed(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    sensor_logger_recording(folder)

    same = read_sensor_csv(folder, role="shin", acc_unit="m/s2", gyr_unit="rad/s")
    assert len(same) > 900
    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(folder, role="shin", acc_unit="g")
    assert str(caught.value) == (
        f"{folder}: Sensor Logger exports acceleration in m/s2, which contradicts the unit g that was "
        "given: leave the unit unset for phone exports"
    )
    with pytest.raises(InputFileError, match="exports angular rate in rad/s, which contradicts the unit dps"):
        read_sensor_csv(folder, role="shin", gyr_unit="dps")


# --- phyphox fixtures ---------------------------------------------------------------


def java_scientific(value: float, decimal_comma: bool = False) -> str:
    """A number as phyphox-android writes it (DecimalFormat "0.000000000E0")."""
    if math.isnan(value):
        return "NaN"
    mantissa, exponent = f"{value:.9E}".split("E")
    text = f"{mantissa}E{int(exponent)}"
    return text.replace(".", ",") if decimal_comma else text


def phyphox_table(
    columns: dict[str, FloatArray], *, separator: str = ",", decimal_comma: bool = False
) -> str:
    """One export set: quoted header, rows as long as the longest column, NaN padding."""
    names = list(columns)
    rows = max(len(v) for v in columns.values())
    lines = [separator.join(f'"{name}"' for name in names)]
    for i in range(rows):
        cells = [
            java_scientific(float(columns[name][i]) if i < len(columns[name]) else math.nan, decimal_comma)
            for name in names
        ]
        lines.append(separator.join(cells))
    return "\n".join(lines) + "\n"


def acc_columns(time_s: FloatArray, values: FloatArray, *, linear: bool = False) -> dict[str, FloatArray]:
    prefix = "Linear Acceleration" if linear else "Acceleration"
    return {
        "Time (s)": time_s,
        f"{prefix} x (m/s^2)": values[:, 0],
        f"{prefix} y (m/s^2)": values[:, 1],
        f"{prefix} z (m/s^2)": values[:, 2],
        "Absolute acceleration (m/s^2)": np.linalg.norm(values, axis=1),
    }


def gyr_columns(time_s: FloatArray, values: FloatArray) -> dict[str, FloatArray]:
    return {
        "Time (s)": time_s,
        "Gyroscope x (rad/s)": values[:, 0],
        "Gyroscope y (rad/s)": values[:, 1],
        "Gyroscope z (rad/s)": values[:, 2],
        "Absolute (rad/s)": np.linalg.norm(values, axis=1),
    }


def phyphox_streams() -> tuple[FloatArray, FloatArray]:
    return sample_times(100.0, 0.0, 8.0, seed=5), sample_times(98.7, 0.013, 8.0, seed=6)


def test_phyphox_single_file_with_two_time_columns(tmp_path: Path) -> None:
    acc_t, gyr_t = phyphox_streams()
    columns = {**acc_columns(acc_t, specific_force(acc_t))}
    gyro = gyr_columns(gyr_t, angular_rate(gyr_t))
    # A custom experiment exporting both sensors in one set: two "Time (s)" columns.
    names = list(columns) + list(gyro)
    arrays = list(columns.values()) + list(gyro.values())
    text_lines = [",".join(f'"{n}"' for n in names)]
    for i in range(max(len(a) for a in arrays)):
        text_lines.append(",".join(java_scientific(float(a[i]) if i < len(a) else math.nan) for a in arrays))
    path = tmp_path / "Custom 2026-11-22 10-00-00.csv"
    path.write_text("\n".join(text_lines) + "\n")

    assert detect_layout(path) is CsvLayout.PHYPHOX
    samples = read_sensor_csv(path, role="shin")

    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)
    np.testing.assert_allclose(np.diff(samples.time_s), np.median(np.diff(acc_t)), rtol=0, atol=1e-9)


def test_phyphox_single_file_with_one_shared_time_column(tmp_path: Path) -> None:
    time_s = sample_times(50.0, 0.0, 6.0, seed=9, jitter_s=0.0)
    columns = {**acc_columns(time_s, specific_force(time_s)), **gyr_columns(time_s, angular_rate(time_s))}
    path = tmp_path / "both.csv"
    path.write_text(phyphox_table(columns))

    samples = read_phyphox(path, role="shin")

    assert len(samples) == len(time_s)
    np.testing.assert_allclose(samples.time_s, time_s, rtol=0, atol=1e-9)
    np.testing.assert_allclose(samples.acc_mps2, specific_force(time_s), rtol=0, atol=1e-8)
    np.testing.assert_allclose(samples.gyr_rps, angular_rate(time_s), rtol=0, atol=1e-8)


def write_phyphox_pair(
    folder: Path, *, separator: str = ",", decimal_comma: bool = False
) -> tuple[FloatArray, FloatArray]:
    """A zip-style export of a custom experiment with two sets, "Accelerometer" and "Gyroscope"."""
    folder.mkdir(parents=True, exist_ok=True)
    acc_t, gyr_t = phyphox_streams()
    acc_table = phyphox_table(
        acc_columns(acc_t, specific_force(acc_t)), separator=separator, decimal_comma=decimal_comma
    )
    (folder / "Accelerometer.csv").write_text(acc_table)
    gyr_table = phyphox_table(
        gyr_columns(gyr_t, angular_rate(gyr_t)), separator=separator, decimal_comma=decimal_comma
    )
    (folder / "Gyroscope.csv").write_text(gyr_table)
    (folder / "meta").mkdir()
    (folder / "meta" / "device.csv").write_text('"property","value"\n"deviceModel","Pixel"\n')
    (folder / "meta" / "time.csv").write_text('"event","experiment time","system time","system time text"\n')
    return acc_t, gyr_t


def test_phyphox_folder(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    acc_t, gyr_t = write_phyphox_pair(folder)

    assert detect_layout(folder) is CsvLayout.PHYPHOX
    samples = read_sensor_csv(folder, role="shin")

    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)


def test_phyphox_zip(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    acc_t, gyr_t = write_phyphox_pair(folder)
    archive = zip_folder(folder, tmp_path / "Acc and Gyro 2026-11-22 10-00-00.zip")

    assert detect_layout(archive) is CsvLayout.PHYPHOX
    samples = read_phyphox(archive, role="pelvis")

    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)


@pytest.mark.parametrize(
    ("separator", "decimal_comma"), [(";", False), ("\t", False), (";", True), ("\t", True)]
)
def test_phyphox_separators_and_decimal_comma(tmp_path: Path, separator: str, decimal_comma: bool) -> None:
    folder = tmp_path / "export"
    acc_t, gyr_t = write_phyphox_pair(folder, separator=separator, decimal_comma=decimal_comma)

    samples = read_sensor_csv(folder, role="shin")

    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)


def test_phyphox_ios_style_empty_padding(tmp_path: Path) -> None:
    time_s = sample_times(100.0, 0.0, 3.0, seed=4, jitter_s=0.0)
    short = time_s[:-20]
    acc = specific_force(time_s)
    gyr = angular_rate(short)
    lines = [
        '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)",'
        '"Time (s)","Gyroscope x (rad/s)","Gyroscope y (rad/s)","Gyroscope z (rad/s)"'
    ]
    for i, t in enumerate(time_s):
        gyro_cells = (
            [java_scientific(short[i]), *(java_scientific(v) for v in gyr[i])]
            if i < len(short)
            else ['""'] * 4
        )
        lines.append(",".join([java_scientific(t), *(java_scientific(v) for v in acc[i]), *gyro_cells]))
    path = tmp_path / "ios.csv"
    path.write_text("\n".join(lines))  # old iOS versions wrote no final newline

    samples = read_phyphox(path, role="shin")

    assert samples.time_s[-1] == pytest.approx(short[-1], abs=1e-9)
    check_against_signals(samples.time_s, 0.0, samples.acc_mps2, samples.gyr_rps)


def test_phyphox_linear_acceleration_is_refused(tmp_path: Path) -> None:
    acc_t, gyr_t = phyphox_streams()
    folder = tmp_path / "export"
    folder.mkdir()
    lin = folder / "Linear.csv"
    lin.write_text(phyphox_table(acc_columns(acc_t, specific_force(acc_t) - gravity(acc_t), linear=True)))
    (folder / "Gyroscope.csv").write_text(phyphox_table(gyr_columns(gyr_t, angular_rate(gyr_t))))

    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(folder, role="shin")

    assert str(caught.value) == (
        f"{lin}: holds linear acceleration (phyphox 'Acceleration (without g)'), but the rep counter "
        "needs acceleration including gravity: record with 'Acceleration with g' instead"
    )


def test_phyphox_without_gyroscope(tmp_path: Path) -> None:
    acc_t, _ = phyphox_streams()
    path = tmp_path / "Raw Data.csv"
    path.write_text(phyphox_table(acc_columns(acc_t, specific_force(acc_t))))

    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(path, role="shin")

    assert str(caught.value).startswith(f"{path}: no phyphox gyroscope columns (Gyroscope x (rad/s), ...)")


def test_phyphox_nan_inside_the_data_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_phyphox_pair(folder)
    acc_file = folder / "Accelerometer.csv"
    lines = acc_file.read_text().splitlines()
    cells = lines[40].split(",")
    cells[2] = "NaN"
    lines[40] = ",".join(cells)
    acc_file.write_text("\n".join(lines) + "\n")

    with pytest.raises(InputFileError) as caught:
        read_phyphox(folder, role="shin")

    assert (
        str(caught.value)
        == f"{acc_file}: line 41: column Acceleration y (m/s^2): 'NaN' is not a finite number"
    )


def test_phyphox_missing_axis(tmp_path: Path) -> None:
    acc_t, gyr_t = phyphox_streams()
    columns = {**acc_columns(acc_t, specific_force(acc_t))}
    del columns["Acceleration z (m/s^2)"]
    path = tmp_path / "partial.csv"
    path.write_text(phyphox_table({**columns, **gyr_columns(gyr_t, angular_rate(gyr_t))}))

    with pytest.raises(InputFileError) as caught:
        read_phyphox(path, role="shin")

    assert (
        str(caught.value) == f"{path}: line 1: Acceleration x (m/s^2) is there but not the z axis column(s)"
    )


# --- detection ----------------------------------------------------------------------


def test_unknown_file_layout_lists_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("timestamp,ax,ay,az\n0,1,2,3\n")

    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(path, role="shin")

    text = str(caught.value)
    assert text.startswith(f"{path}: line 1: layout not recognised (header 'timestamp,ax,ay,az'): expected")
    for expected in ("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z", "Sensor Logger", "phyphox"):
        assert expected in text


def test_unknown_folder_layout_names_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("foo,bar\n1,2\n")
    (tmp_path / "b.csv").write_text("baz\n3\n")

    with pytest.raises(InputFileError) as caught:
        detect_layout(tmp_path)

    assert str(caught.value).startswith(f"{tmp_path}: layout not recognised (a.csv, b.csv): expected")


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(tmp_path / "nothing.zip", role="shin")

    assert str(caught.value) == f"{tmp_path / 'nothing.zip'}: no such file or folder"


def test_zip_with_loose_files_beside_the_recording_folder(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    acc_t, gyr_t = sensor_logger_recording(folder)
    (folder / "notes.txt").write_text("leg raises, set 1\n")
    archive = tmp_path / "rec.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("README.txt", "exported by hand\n")
        zf.writestr("__MACOSX/Recording/._Gyroscope.csv", "resource fork")
        for file in sorted(folder.iterdir()):
            zf.write(file, f"Recording/{file.name}")

    samples = read_sensor_csv(archive, role="shin")

    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)


def test_damaged_zip(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    sensor_logger_recording(folder)
    archive = zip_folder(folder, tmp_path / "rec.zip")
    data = bytearray(archive.read_bytes())
    cut = tmp_path / "cut.zip"
    cut.write_bytes(bytes(data[: len(data) // 2]))

    with pytest.raises(InputFileError) as caught:
        read_sensor_csv(cut, role="shin")

    assert str(caught.value) == f"{cut}: not a readable zip archive (damaged or cut short?)"


# --- merging two streams ------------------------------------------------------------


def test_merge_at_different_rates_with_a_gyroscope_hole() -> None:
    acc_t = np.arange(0.0, 6.0, 0.01)  # 100 Hz
    gyr_all = 0.004 + np.arange(0.0, 6.0, 1 / 98.7)  # 98.7 Hz, starts 4 ms later
    hole = (gyr_all > 2.0) & (gyr_all < 2.3)
    gyr_t = gyr_all[~hole]
    before, after = gyr_t[gyr_t <= 2.0][-1], gyr_t[gyr_t >= 2.3][0]
    acc = Stream("acc", acc_t, specific_force(acc_t))
    gyr = Stream("gyr", gyr_t, angular_rate(gyr_t))

    samples = merge_streams(Path("x"), acc, gyr, role="shin")

    start_s = gyr_t[0]
    absolute_s = samples.time_s + start_s
    # time zero is the first grid sample, the grid runs at the accelerometer's 100 Hz
    assert samples.time_s[0] == 0.0
    grid_index = np.round(samples.time_s / 0.01)
    np.testing.assert_allclose(samples.time_s, grid_index * 0.01, rtol=0, atol=1e-9)
    # nothing is interpolated across the hole: no sample strictly inside it
    assert not ((absolute_s > before + 1e-12) & (absolute_s < after - 1e-12)).any()
    # exactly one gap mark, on the first sample after the hole
    marked = np.flatnonzero(samples.gap_before)
    assert marked.tolist() == [int(np.searchsorted(absolute_s, after))]
    assert absolute_s[marked[0] - 1] <= before + 1e-12
    assert np.diff(grid_index)[marked[0] - 1] > 1
    np.testing.assert_allclose(samples.acc_mps2, specific_force(absolute_s), rtol=0, atol=ATOL)
    np.testing.assert_allclose(samples.gyr_rps, angular_rate(absolute_s), rtol=0, atol=ATOL)
    # the overlap ends where the shorter stream ends
    assert absolute_s[-1] <= min(acc_t[-1], gyr_t[-1]) + 1e-9


def test_merge_marks_an_accelerometer_hole_too() -> None:
    acc_all = np.arange(0.0, 4.0, 0.01)
    acc_t = np.delete(acc_all, np.arange(150, 155))  # five samples lost after 1.49 s
    gyr_t = np.arange(0.0, 4.0, 1 / 98.7)
    acc = Stream("acc", acc_t, specific_force(acc_t))
    gyr = Stream("gyr", gyr_t, angular_rate(gyr_t))

    samples = merge_streams(Path("x"), acc, gyr, role="shin")

    assert samples.time_s[np.flatnonzero(samples.gap_before)].tolist() == pytest.approx([1.55], abs=1e-9)
    assert not ((samples.time_s > 1.49 + 1e-9) & (samples.time_s < 1.55 - 1e-9)).any()


def test_merge_at_a_requested_rate() -> None:
    acc_t = np.arange(0.0, 3.0, 0.005)  # a 200 Hz phone
    gyr_t = np.arange(0.0, 3.0, 0.0049)
    acc = Stream("acc", acc_t, specific_force(acc_t))
    gyr = Stream("gyr", gyr_t, angular_rate(gyr_t))

    samples = merge_streams(Path("x"), acc, gyr, role="shin", rate_hz=50.0)

    np.testing.assert_allclose(np.diff(samples.time_s), 0.02, rtol=0, atol=1e-12)
    np.testing.assert_allclose(samples.acc_mps2, specific_force(samples.time_s), rtol=0, atol=ATOL)


def test_merge_refuses_streams_that_do_not_overlap() -> None:
    acc = Stream("Accelerometer.csv", np.arange(0.0, 1.0, 0.01), np.zeros((100, 3)))
    later = np.arange(5.0, 6.0, 0.01)
    gyr = Stream("Gyroscope.csv", later, np.zeros((later.shape[0], 3)))

    with pytest.raises(InputFileError) as caught:
        merge_streams(Path("rec"), acc, gyr, role="shin")

    assert str(caught.value) == (
        "rec: Accelerometer.csv (0.000 s to 0.990 s) and Gyroscope.csv (5.000 s to 5.990 s) "
        "do not overlap in time"
    )


def test_sensor_logger_rate_override_through_the_entry_point(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    acc_t, gyr_t = sensor_logger_recording(folder)

    samples = read_sensor_csv(folder, role="shin", rate_hz=25.0)

    np.testing.assert_allclose(np.diff(samples.time_s), 0.04, rtol=0, atol=1e-9)
    check_against_signals(samples.time_s, max(acc_t[0], gyr_t[0]), samples.acc_mps2, samples.gyr_rps)
