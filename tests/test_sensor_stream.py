"""SensorStream: notifications in, SI samples on the session timeline out; SensorInfo."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from dsp import STANDARD_GRAVITY_MPS2, SensorSamples
from firmware_ble import protocol_core as core
from imu_reader import InfoDecodeError, ReaderError, SensorStream
from imu_reader.link_model import LinkModelSettings, transmit
from imu_reader.protocol import SensorInfo

G = 9.80665  # standard gravity, m/s^2 (CGPM 1901), written out independently of the library


def info(acc_range_g: int = 8, gyro_range_dps: int = 2000) -> SensorInfo:
    return SensorInfo("shin", 100, acc_range_g, gyro_range_dps, "emulator", "1.2.3")


# --- scaling -------------------------------------------------------------------------


def test_one_g_on_z_at_8_g_range_and_gyro_full_scale() -> None:
    stream = SensorStream(info(8, 2000))
    out = stream.push([core.pack_data(0, 0, [0, 0, 4096, 0, 0, 32767])], [0.01])
    assert len(out) == 1
    assert out.acc_mps2[0] == pytest.approx([0.0, 0.0, 9.80665], abs=1e-9)
    expected_gyro = math.radians(2000.0) * 32767 / 32768  # int16 +-32768 spans +-2000 dps
    assert out.gyr_rps[0, 2] == pytest.approx(expected_gyro, abs=1e-9)
    assert out.gyr_rps[0, 2] == pytest.approx(34.9, abs=0.01)
    assert out.acc_mps2.dtype == np.float64


@pytest.mark.parametrize(
    ("acc_range_g", "gyro_range_dps"), [(2, 125), (4, 250), (8, 500), (16, 1000), (2, 2000)]
)
def test_scaling_matches_an_independent_formula(acc_range_g: int, gyro_range_dps: int) -> None:
    rng = np.random.default_rng(acc_range_g)
    raw = rng.integers(-(2**15), 2**15, size=(50, 6))
    raw[0] = [-32768, 32767, 0, -32768, 32767, 0]
    packets = [core.pack_data(i, i, row.tolist()) for i, row in enumerate(raw)]
    out = SensorStream(info(acc_range_g, gyro_range_dps)).push(packets, np.linspace(0.01, 0.5, 50))
    acc_expected = raw[:, :3] / 32768.0 * acc_range_g * G
    gyr_expected = np.deg2rad(raw[:, 3:] / 32768.0 * gyro_range_dps)
    np.testing.assert_allclose(out.acc_mps2, acc_expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(out.gyr_rps, gyr_expected, rtol=0, atol=1e-9)
    assert out.acc_mps2[0, 0] == pytest.approx(-acc_range_g * G, abs=1e-9)
    assert out.gyr_rps[0, 0] == pytest.approx(-math.radians(gyro_range_dps), abs=1e-9)


def test_scale_properties() -> None:
    assert STANDARD_GRAVITY_MPS2 == G
    sensor = info(16, 500)
    assert sensor.acc_scale_mps2 == pytest.approx(16 * G / 32768, abs=1e-15)
    assert sensor.gyr_scale_rps == pytest.approx(500 * math.pi / 180 / 32768, abs=1e-15)


# --- SensorInfo ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"role": "wrist"}, "role"),
        ({"rate_hz": 60}, "rate_hz"),
        ({"acc_range_g": 3}, "acc_range_g"),
        ({"gyro_range_dps": 300}, "gyro_range_dps"),
        ({"imu_model": "BMI160"}, "imu_model"),
        ({"firmware_version": "1.2"}, "firmware_version"),
        ({"firmware_version": "1.2.3.4"}, "firmware_version"),
        ({"firmware_version": "1.2.256"}, "firmware_version"),
        ({"firmware_version": "1.-2.3"}, "firmware_version"),
        ({"firmware_version": "a.b.c"}, "firmware_version"),
        ({"firmware_version": "01.2.3"}, "firmware_version"),  # would not survive to_bytes/from_bytes
    ],
)
def test_sensor_info_validation(fields: dict[str, object], match: str) -> None:
    good: dict[str, object] = {
        "role": "pelvis",
        "rate_hz": 50,
        "acc_range_g": 4,
        "gyro_range_dps": 500,
        "imu_model": "LSM6DSOX",
        "firmware_version": "0.9.1",
    }
    SensorInfo(**good)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=match):
        SensorInfo(**{**good, **fields})  # type: ignore[arg-type]


def test_sensor_info_bytes_round_trip_over_every_setting() -> None:
    models = list(core.IMU_MODELS.values())
    combos = itertools.product(core.ROLES, core.RATES_HZ, core.ACC_RANGES_G, core.GYRO_RANGES_DPS)
    for i, (role, rate, acc, gyro) in enumerate(combos):
        original = SensorInfo(role, rate, acc, gyro, models[i % len(models)], f"{i % 256}.{i % 7}.255")
        data = original.to_bytes()
        assert len(data) == core.INFO_SIZE
        assert SensorInfo.from_bytes(data) == original
        # The reference codec reads the same bytes the same way.
        assert core.unpack_info(data)["role"] == role
        assert core.unpack_info(data)["gyro_range_dps"] == gyro


def test_sensor_info_bytes_layout_and_trailing_bytes() -> None:
    sensor = SensorInfo("shin_right", 200, 16, 1000, "ICM-42688-P", "2.10.3")
    data = sensor.to_bytes()
    assert data == bytes([1, 3, 200, 0, 16, 0xE8, 0x03, 5, 2, 10, 3])
    assert SensorInfo.from_bytes(data + b"\xff\x00later-fields") == sensor  # later v1 fields ignored
    # bleak hands a read characteristic over as a bytearray.
    assert SensorInfo.from_bytes(bytearray(data)) == sensor  # type: ignore[arg-type]
    assert SensorInfo.from_dict(sensor.to_dict()) == sensor


GOOD_INFO = SensorInfo("shin", 100, 8, 2000, "emulator", "1.2.3").to_bytes()


def _with(position: int, value: int) -> bytes:
    data = bytearray(GOOD_INFO)
    data[position] = value
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "need at least 11"),
        (GOOD_INFO[:10], "need at least 11"),
        (_with(0, 2), "protocol version"),
        (_with(1, 4), "role"),
        (_with(2, 30), "rate_hz"),
        (_with(4, 3), "acc_range_g"),
        (_with(5, 0x2D), "gyro_range_dps"),
    ],
)
def test_info_decode_error_on_short_or_bad_info(data: bytes, match: str) -> None:
    with pytest.raises(InfoDecodeError, match=match) as caught:
        SensorInfo.from_bytes(data)
    assert isinstance(caught.value, ReaderError)
    assert caught.value.data == data
    assert match in caught.value.reason
    assert data.hex() in str(caught.value)


def test_unknown_imu_model_code_decodes_as_unknown() -> None:
    assert SensorInfo.from_bytes(_with(7, 99)).imu_model == "unknown"


# --- gaps and loss -------------------------------------------------------------------


@pytest.mark.parametrize("split", [None, 3, 4, 6])
def test_gap_before_marks_the_first_sample_after_a_lost_packet(split: int | None) -> None:
    count = 4
    sent = [core.pack_data(s, count * s, [s] * (6 * count)) for s in range(10)]
    packets = sent[:3] + sent[4:]  # packet 3 lost
    arrival = np.linspace(0.04, 0.4, 10)[[0, 1, 2, 4, 5, 6, 7, 8, 9]]
    stream = SensorStream(info())
    if split is None:
        out = stream.push(packets, arrival)
    else:
        parts = [stream.push(packets[:split], arrival[:split]), stream.push(packets[split:], arrival[split:])]
        out = SensorSamples.concatenate(parts)
    assert len(out) == 36
    assert np.flatnonzero(out.gap_before).tolist() == [12]  # the first sample of packet 4
    expected_acc_x = np.repeat([0, 1, 2, 4, 5, 6, 7, 8, 9], count) * info().acc_scale_mps2
    np.testing.assert_allclose(out.acc_mps2[:, 0], expected_acc_x, rtol=0, atol=1e-12)
    assert stream.stats.packets_lost == 1
    assert stream.stats.samples_lost == 4
    assert stream.stats.gaps == 1
    # The gap is a hole in time, not an interpolation: about one packet's worth is missing.
    assert out.time_s[12] - out.time_s[11] == pytest.approx(5 * 0.01, abs=0.002)


@pytest.mark.parametrize("seed", [21, 22])
def test_five_percent_loss_over_60_s(seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.integers(-(2**15), 2**15, size=(6000, 6)).astype(np.int16)
    settings = LinkModelSettings(
        rate_error=0.02, jitter_s=0.02, loss=0.05, duplicate=0.01, first_sequence=65_000
    )
    tx = transmit(raw, settings, rng)
    sensor = info(4, 1000)
    stream = SensorStream(sensor)
    parts = []
    done = 0
    for now in np.arange(0.05, float(tx.arrival_s[-1]) + 0.1, 0.05):  # what arrived every 50 ms
        upto = int(np.searchsorted(tx.arrival_s, now, side="right"))
        parts.append(stream.push(tx.packets[done:upto], tx.arrival_s[done:upto]))
        done = upto
    assert done == len(tx.packets)
    out = SensorSamples.concatenate(parts)

    assert len(out) == int(tx.received.sum())  # every received sample once, duplicates dropped
    np.testing.assert_allclose(out.acc_mps2, raw[tx.received, :3] * (4 * G / 32768), rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        out.gyr_rps, np.deg2rad(raw[tx.received, 3:] * (1000 / 32768)), rtol=0, atol=1e-9
    )
    # A gap before every received sample whose predecessor was lost.
    received_at = np.flatnonzero(tx.received)
    expected_gap = np.concatenate(([False], ~tx.received[received_at[1:] - 1]))
    assert np.array_equal(out.gap_before, expected_gap)
    true_loss = tx.packets_lost / tx.packets_sent
    stats = stream.stats
    assert abs(stats.loss_fraction - true_loss) <= 0.005
    assert stats.samples == len(out)
    assert stats.gaps == int(expected_gap.sum())
    assert np.all(np.diff(out.time_s) > 0)


# --- one packet at a time ------------------------------------------------------------


def _messy_stream(seed: int) -> tuple[list[bytes], list[float], set[int]]:
    """Packets of a link that does everything wrong, with arrival times, and the indices
    before which the link reconnected (`SensorStream.restart`).

    Counters and sequence numbers wrap; packets are lost, duplicated, swapped, sent late,
    corrupted; the firmware skips counters; the sensor reboots (counters from 0) twice,
    once behind a reconnect and once without one.
    """
    rng = np.random.default_rng(seed)
    packets: list[bytes] = []
    reconnects: set[int] = set()
    for first_sequence, first_counter, count in ((65_400, 2**32 - 3000, 4), (0, 0, 1), (10, 500, 3)):
        if packets and rng.random() < 0.5:
            reconnects.add(len(packets))
        sequence, counter = first_sequence, first_counter
        for _ in range(int(rng.integers(600, 900))):
            raw = rng.integers(-(2**15), 2**15, size=6 * count).tolist()
            if rng.random() < 0.03:
                counter += int(rng.integers(1, 50))  # the firmware dropped samples
            if rng.random() >= 0.05:  # lost otherwise
                packets.append(core.pack_data(sequence, counter, raw))
            sequence += 1
            counter += count
    for _ in range(60):  # duplicates and late copies, near and far behind
        j = int(rng.integers(0, len(packets) - 5))
        packets.insert(j + int(rng.integers(1, 400)), packets[j])
    for _ in range(40):  # two packets swapped in flight
        j = int(rng.integers(0, len(packets) - 1))
        packets[j], packets[j + 1] = packets[j + 1], packets[j]
    for _ in range(40):  # corrupted: cut short, a wrong version, no samples, a wrong count
        j = int(rng.integers(0, len(packets)))
        bad = bytearray(packets[j])
        kind = int(rng.integers(0, 4))
        if kind == 0:
            packets[j] = bytes(bad[: int(rng.integers(0, len(bad)))])
        else:
            bad[0 if kind == 1 else 1] = 2 if kind == 1 else (0 if kind == 2 else bad[1] + 1)
            packets[j] = bytes(bad)
    arrival = np.cumsum(rng.uniform(0.0, 0.05, len(packets))).tolist()
    return packets, arrival, reconnects


@pytest.mark.parametrize("seed", [31, 32, 33, 34])
def test_one_packet_at_a_time_gives_what_the_batch_path_gives(seed: int) -> None:
    # `push` of a single packet takes a path of its own for the usual case; `push_buffer`
    # always takes the batch path. Fed the same packets one at a time, they must agree
    # on every sample and every counter.
    packets, arrival, reconnects = _messy_stream(seed)
    single, batch = SensorStream(info()), SensorStream(info())
    got: list[SensorSamples] = []
    expected: list[SensorSamples] = []
    for i, (packet, at) in enumerate(zip(packets, arrival, strict=True)):
        if i in reconnects:
            single.restart()
            batch.restart()
        got.append(single.push([packet], [at]))
        buf = np.frombuffer(packet, dtype=np.uint8)
        expected.append(batch.push_buffer(buf, np.array([len(packet)]), np.array([at])))
    one, many = SensorSamples.concatenate(got), SensorSamples.concatenate(expected)
    assert len(one) > 1500
    for name in ("time_s", "acc_mps2", "gyr_rps", "gap_before"):
        assert np.array_equal(getattr(one, name), getattr(many, name)), name
    assert single.stats == batch.stats
    assert single.clock == batch.clock
    stats = single.stats
    assert stats.restarts >= 2
    assert stats.duplicates > 0
    assert stats.malformed_total > 0
    assert stats.samples_lost > stats.packets_lost  # the firmware's skips as well as the losses
