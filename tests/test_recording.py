"""MCAP recordings: round trip, crash tolerance, replay fidelity, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mcap.reader import make_reader

from imu_reader import InputFileError, SensorStream
from imu_reader.link_model import Transmission
from imu_reader.protocol import SensorInfo
from imu_reader.recording import (
    RAW_SCHEMA_NAME,
    LinkEvent,
    RawBatch,
    RecordingWriter,
    SessionMetadata,
    iter_recording,
    raw_topic,
    read_recording,
)
from tests.sessions import START_UNIX_NS, make_transmission, write_session


def test_round_trip_equals_live_decoding(two_sensor_session: tuple[Path, dict[str, Transmission]]) -> None:
    path, streams = two_sensor_session
    rec = read_recording(path)
    assert set(rec.sensors) == {"shin", "pelvis"}
    assert rec.synthetic
    assert rec.config == {"tilt_threshold_deg": 5.0}
    assert rec.events == [{"type": "rep", "time_s": 5.0, "eccentric_s": 3.2}]
    assert rec.labels == {"reps": [{"start_s": 1.0, "end_s": 4.0}]}
    assert not rec.truncated
    assert rec.warnings == []
    for role, tx in streams.items():
        sensor = rec.sensors[role]
        assert sensor.packets == len(tx.packets)
        assert sensor.address == "AA:BB"
        assert sensor.info == SensorInfo(role, 100, 8, 2000, "emulator", "1.2.3")
        # Live: the same packets pushed in small arrival-ordered batches.
        live = SensorStream(sensor.info)
        parts = [
            live.push(tx.packets[i : i + 3], tx.arrival_s[i : i + 3]) for i in range(0, len(tx.packets), 3)
        ]
        assert np.array_equal(np.concatenate([p.time_s for p in parts]), sensor.samples.time_s)
        assert np.array_equal(np.concatenate([p.acc_mps2 for p in parts]), sensor.samples.acc_mps2)
        assert np.array_equal(np.concatenate([p.gap_before for p in parts]), sensor.samples.gap_before)
        assert live.stats == sensor.stats
    assert rec.sensors["pelvis"].stats.packets_lost == streams["pelvis"].packets_lost
    assert rec.sensors["shin"].stats.packets_lost == 0


def test_samples_equal_what_was_sent(tmp_path: Path) -> None:
    tx = make_transmission(5, seed=7)
    path = tmp_path / "one.mcap"
    write_session(path, {"shin": tx})
    rec = read_recording(path)
    raw = np.frombuffer(b"".join(p[8:] for p in tx.packets), dtype="<i2").reshape(-1, 6)
    info = rec.sensors["shin"].info
    assert np.allclose(rec.sensors["shin"].samples.acc_mps2, raw[:, :3] * 8 * 9.80665 / 32768, atol=1e-12)
    assert np.allclose(rec.sensors["shin"].samples.gyr_rps, raw[:, 3:] * np.radians(2000) / 32768, atol=1e-12)
    assert info.rate_hz == 100


def test_mcap_library_reads_our_files(two_sensor_session: tuple[Path, dict[str, Transmission]]) -> None:
    # The mcap package is the independent reference for the file structure.
    path, streams = two_sensor_session
    with path.open("rb") as handle:
        reader = make_reader(handle)
        summary = reader.get_summary()
        assert summary is not None
        topics = {c.topic for c in summary.channels.values()}
        assert {raw_topic("shin"), raw_topic("pelvis"), "/events", "/labels"} <= topics
        schemas = {s.name: s.encoding for s in summary.schemas.values()}
        assert schemas[RAW_SCHEMA_NAME] == "ros2msg"
        metadata = list(reader.iter_metadata())
        assert metadata[0].name == "reptempo.session"
        count = sum(1 for _ in reader.iter_messages(topics=[raw_topic("shin")]))
    ours = [b for b in iter_recording(path) if isinstance(b, RawBatch) and b.role == "shin"]
    assert count == len(ours)
    assert sum(len(b.lengths) for b in ours) == len(streams["shin"].packets)


def test_chunks_are_flushed_at_least_every_2_s(tmp_path: Path) -> None:
    tx = make_transmission(30, seed=3)
    path = tmp_path / "long.mcap"
    write_session(path, {"shin": tx})
    with path.open("rb") as handle:
        summary = make_reader(handle).get_summary()
    assert summary is not None
    ends = sorted(c.message_end_time for c in summary.chunk_indexes)
    spans_s = np.diff([START_UNIX_NS, *ends]) / 1e9
    assert len(ends) >= 14
    assert spans_s.max() <= 2.0


@pytest.mark.parametrize("seed", range(3))
def test_cut_at_random_offsets_replays_up_to_last_chunk(tmp_path: Path, seed: int) -> None:
    tx = make_transmission(16, seed=10 + seed)
    path = tmp_path / "full.mcap"
    write_session(path, {"shin": tx})
    data = path.read_bytes()
    full = read_recording(path).sensors["shin"].samples
    rng = np.random.default_rng(seed)
    cut_path = tmp_path / "cut.mcap"
    previous = -1
    truncated = 0
    for cut in sorted(rng.integers(8, len(data) - 1, size=25)):
        cut_path.write_bytes(data[:cut])
        try:
            rec = read_recording(cut_path)
        except InputFileError as exc:
            # Only a cut before the session metadata is complete leaves nothing to read.
            message = str(exc)
            assert "not a reptempo recording" in message
            continue
        sensor = rec.sensors.get("shin")
        n = 0 if sensor is None else len(sensor.samples)
        # A cut in the summary section, after the data end record, loses nothing.
        assert rec.truncated or n == len(full)
        assert rec.truncated == any("file ends early" in w for w in rec.warnings)
        truncated += rec.truncated
        assert n >= previous  # a longer prefix never yields less
        previous = n
        if n:
            # What is there is exactly the beginning of the full recording.
            assert np.array_equal(sensor.samples.time_s, full.time_s[:n])  # type: ignore[union-attr]
            assert np.array_equal(sensor.samples.acc_mps2, full.acc_mps2[:n])  # type: ignore[union-attr]
    assert previous > 0
    assert truncated > 10


def test_unclosed_writer_file_replays_flushed_part(tmp_path: Path) -> None:
    tx = make_transmission(10, seed=5)
    path = tmp_path / "crash.mcap"
    metadata = SessionMetadata("0.1.0", True, "test", START_UNIX_NS)
    writer = RecordingWriter(path, metadata=metadata, fsync=False)
    writer.add_sensor(SensorInfo("shin", 100, 8, 2000))
    writer.add_notifications("shin", tx.packets, tx.arrival_s.tolist())
    writer.flush()
    writer.add_notifications("shin", tx.packets[:50], (tx.arrival_s[-1] + 0.01 * np.arange(1, 51)).tolist())
    # Simulate a crash: the process dies without close(); only flushed bytes are on disk.
    rec = read_recording(path)
    assert rec.truncated
    assert len(rec.sensors["shin"].samples) == len(tx.packets)
    writer.close()


def test_link_events_restart_tracking_on_replay(tmp_path: Path) -> None:
    a = make_transmission(3, seed=8)
    b = make_transmission(3, seed=9)  # the sensor rebooted: sequence and counter start again at 0
    path = tmp_path / "reconnect.mcap"
    metadata = SessionMetadata("0.1.0", True, "test", START_UNIX_NS)
    with RecordingWriter(path, metadata=metadata, fsync=False) as writer:
        writer.add_sensor(SensorInfo("shin", 100, 8, 2000))
        writer.add_link_event("shin", "connected", 0.0)
        writer.add_notifications("shin", a.packets, a.arrival_s.tolist())
        writer.add_link_event("shin", "disconnected", 3.1)
        writer.add_link_event("shin", "connected", 5.0)
        writer.add_notifications("shin", b.packets, (b.arrival_s + 5.0).tolist())
    items = list(iter_recording(path))
    assert [i.event for i in items if isinstance(i, LinkEvent)] == ["connected", "disconnected", "connected"]
    shin = read_recording(path).sensors["shin"]
    assert len(shin.samples) == len(a.packets) + len(b.packets)
    assert shin.stats.restarts == 1
    assert shin.stats.duplicates == 0
    first_after = len(a.packets)
    assert shin.samples.gap_before[first_after]
    assert shin.samples.time_s[first_after] == pytest.approx(5.0, abs=0.05)


def test_not_mcap(tmp_path: Path) -> None:
    path = tmp_path / "notes.mcap"
    path.write_text("time_s,acc_x\n")
    with pytest.raises(InputFileError, match=r"notes\.mcap: not an MCAP file"):
        read_recording(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mcap"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"empty\.mcap: not an MCAP file"):
        read_recording(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.mcap: cannot read"):
        read_recording(tmp_path / "nope.mcap")


def test_mcap_from_another_program(tmp_path: Path) -> None:
    from mcap.writer import Writer

    path = tmp_path / "other.mcap"
    with path.open("wb") as handle:
        writer = Writer(handle)
        writer.start()
        schema = writer.register_schema("foo", "jsonschema", b"{}")
        channel = writer.register_channel("/foo", "json", schema)
        writer.add_message(channel, 1, b"{}", 1)
        writer.finish()
    with pytest.raises(InputFileError, match=r"other\.mcap: no reptempo\.session metadata"):
        read_recording(path)


def test_raw_data_without_sensor_info(tmp_path: Path) -> None:
    tx = make_transmission(1, seed=4)
    path = tmp_path / "noinfo.mcap"
    with RecordingWriter(path, metadata=SessionMetadata("0.1.0", True, "test", 0), fsync=False) as writer:
        writer.add_notifications("shin", tx.packets, tx.arrival_s.tolist())
    with pytest.raises(InputFileError, match=r"noinfo\.mcap: sensor 'shin' has raw data but no info message"):
        read_recording(path)


def test_corrupt_raw_message_is_skipped_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.mcap"
    with RecordingWriter(path, metadata=SessionMetadata("0.1.0", True, "test", 0), fsync=False) as writer:
        writer.add_sensor(SensorInfo("shin", 100, 8, 2000))
        channel = writer._channel(  # a foreign writer that puts garbage on our topic
            raw_topic("shin"), RAW_SCHEMA_NAME, "ros2msg", b"", "cdr"
        )
        writer._add(channel, 0.5, b"\x00\x01\x00\x00\xff\xff")
    rec = read_recording(path)
    assert len(rec.sensors["shin"].samples) == 0
    assert any("skipped" in w and "/sensors/shin/raw" in w for w in rec.warnings)


def test_writer_rejects_bad_calls(tmp_path: Path) -> None:
    metadata = SessionMetadata("0.1.0", False, "ble", 0)
    with RecordingWriter(tmp_path / "w.mcap", metadata=metadata, fsync=False) as writer:
        with pytest.raises(ValueError, match="2 packets but 1 arrival"):
            writer.add_notifications("shin", [b"a", b"b"], [0.0])
        with pytest.raises(ValueError, match="connected or disconnected"):
            writer.add_link_event("shin", "lost", 0.0)
        with pytest.raises(ValueError, match="'type' and 'time_s'"):
            writer.add_event({"type": "rep"})
    with pytest.raises(ValueError, match="closed"):
        writer.add_event({"type": "rep", "time_s": 1.0})
    with pytest.raises(ValueError, match="reserved"):
        SessionMetadata("0.1.0", False, "ble", 0, extra={"source": "x"})


def test_rate_change_mid_recording_follows_the_new_info(tmp_path: Path) -> None:
    from imu_reader.link_model import LinkModelSettings, transmit

    rng = np.random.default_rng(21)
    raw = rng.integers(-100, 100, size=(1000, 6)).astype(np.int16)
    first = transmit(raw, LinkModelSettings(rate_hz=100, rate_error=0.02), rng)
    # After STOP, SET_RATE 50, START: the counter goes on at the new rate.
    second = transmit(
        raw,
        LinkModelSettings(rate_hz=50, rate_error=0.02, start_s=12.0, first_counter=1000, first_sequence=1000),
        rng,
    )
    path = tmp_path / "rate.mcap"
    with RecordingWriter(path, metadata=SessionMetadata("0.1.0", True, "test", 0), fsync=False) as writer:
        writer.add_sensor(SensorInfo("shin", 100, 8, 2000))
        writer.add_notifications("shin", first.packets, first.arrival_s.tolist())
        writer.add_sensor(SensorInfo("shin", 50, 8, 2000), time_s=11.0)
        writer.add_notifications("shin", second.packets, second.arrival_s.tolist())
    shin = read_recording(path).sensors["shin"]
    assert shin.info.rate_hz == 100
    assert shin.clock.rate_hz == pytest.approx(51.0, rel=1e-3)  # the oscillator's 2 % carried over
    t = shin.samples.time_s
    assert len(t) == 2000
    assert np.all(np.diff(t) > 0)
    later = t[1000:] - (second.sample_time_s + 0.0075)
    assert np.abs(later[500:]).max() < 0.005
    assert shin.samples.gap_before[1000]


def test_info_on_another_sensors_topic_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed_up.mcap"
    with RecordingWriter(path, metadata=SessionMetadata("0.1.0", True, "test", 0), fsync=False) as writer:
        channel = writer._channel(  # a foreign writer that mixed up its topics
            "/sensors/shin/info", "reptempo.SensorInfo", "jsonschema", b"{}", "json"
        )
        payload = {**SensorInfo("pelvis", 100, 8, 2000).to_dict(), "time_s": 0.0}
        writer._add(channel, 0.0, json.dumps(payload).encode())
    with pytest.raises(
        InputFileError, match=r"mixed_up\.mcap: record \d+: info of sensor 'pelvis' on /sensors/shin/info"
    ):
        read_recording(path)
