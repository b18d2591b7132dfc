"""Recordings: read time of a one-hour two-sensor MCAP recording, its size and write time;
and the canonical CSV's write and read time for one sensor's hour (information).

The file is written once, outside the timed reads, with `RecordingWriter` as a live
session would write it: both sensors' notifications interleaved in 50 ms steps of
arrival time, default `batch_s`/`flush_s`, no fsync (the disk is not what is measured).
Each timed read is a whole `read_recording(path)`: parse the MCAP, decompress, and
decode + align every notification into per-sensor SI arrays. The CSV figures write the
shin's aligned samples of that hour with `write_canonical_csv` and read them back with
`read_canonical_csv`, each repetition timed whole.
"""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks._data import PackedStream, hour_streams
from benchmarks._runner import Figure, benchmark, duration_figure, progress, time_repetitions
from imu_reader.csvio import read_canonical_csv, write_canonical_csv
from imu_reader.recording import RecordingWriter, SessionMetadata, read_recording

TARGET_READ_S = 0.3
"""Issue "Foundation", section 7: reading a one-hour two-sensor recording <= 0.3 s."""

SEED = 20261123
STEP_S = 0.05
"""A live session hands the writer each sensor's new notifications about every 50 ms."""
START_UNIX_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z


def write_session(path: Path, streams: list[PackedStream]) -> None:
    """Write `streams` as a live session would: sensors interleaved every `STEP_S` of arrival time."""
    metadata = SessionMetadata("bench", True, "sim", START_UNIX_NS, {"benchmark": "recording"})
    with RecordingWriter(path, metadata=metadata, fsync=False) as writer:
        for s in streams:
            writer.add_sensor(s.info, address="AA:BB:CC:DD:EE:FF")
            writer.add_link_event(s.info.role, "connected", 0.0)
        done = [0] * len(streams)
        end_s = max(float(s.arrival_s[-1]) for s in streams)
        for now in np.arange(STEP_S, end_s + 2 * STEP_S, STEP_S).tolist():
            for k, s in enumerate(streams):
                j = int(np.searchsorted(s.arrival_s, now, side="right"))
                if j > done[k]:
                    writer.add_notifications(
                        s.info.role, s.tx.packets[done[k] : j], s.arrival_s[done[k] : j].tolist()
                    )
                    done[k] = j


@benchmark("recording")
def bench_recording(repeat: int) -> list[Figure]:
    """read_recording of one hour x 2 sensors (1 sample/packet); file size and write time as information."""
    progress("recording: building one hour x 2 sensors, 1 sample per packet")
    streams = hour_streams(1, seed=SEED)
    hours = max(float(s.arrival_s[-1]) for s in streams) / 3600.0
    with tempfile.TemporaryDirectory(prefix="reptempo-bench-") as tmp:
        path = Path(tmp) / "hour.mcap"
        progress("recording: writing the file (once)")
        start = time.perf_counter()
        write_session(path, streams)
        write_s = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6
        recording = read_recording(path)  # untimed: check it, warm the imports
        for s in streams:
            got = len(recording.sensors[s.info.role].samples)
            if got != int(s.tx.received.sum()):
                raise AssertionError(f"{s.info.role}: read {got} samples, {int(s.tx.received.sum())} sent")
        frames = sum(len(r.samples) for r in recording.sensors.values())
        progress(f"recording: timing read_recording ({size_mb:.1f} MB, {frames} frames) x {repeat}")
        seconds = time_repetitions(partial(read_recording, path), repeat)
        shin = recording.sensors["shin"].samples
        csv_path = Path(tmp) / "shin.csv"
        progress(f"recording: timing the canonical CSV of the shin ({len(shin)} rows) x {repeat}")
        csv_write_s = time_repetitions(partial(write_canonical_csv, shin, csv_path), repeat)
        csv_read_s = time_repetitions(partial(read_canonical_csv, csv_path, role="shin"), repeat)
        back = read_canonical_csv(csv_path, role="shin")
        if len(back) != len(shin):
            raise AssertionError(f"CSV: read {len(back)} rows, {len(shin)} written")
    csv_note = f"canonical CSV of the shin's hour ({len(shin)} rows), s per hour of one sensor"
    return [
        duration_figure(
            "recording.read_hour",
            seconds,
            TARGET_READ_S,
            f"read_recording of one hour x 2 sensors ({frames} frames, 1 sample/packet) to SI arrays",
        ),
        Figure(
            "recording.file_size",
            size_mb,
            "MB",
            None,
            "lower",
            note=f"that file on disk (zstd chunks), {size_mb / hours:.1f} MB per hour of two sensors",
        ),
        duration_figure(
            "recording.write_per_hour",
            [write_s],
            None,
            "RecordingWriter, written once (not repeated), 50 ms interleaved steps, fsync off; "
            "s per hour of data",
            scale=1.0 / hours,
        ),
        duration_figure(
            "recording.csv_write_hour",
            csv_write_s,
            None,
            f"write_canonical_csv: {csv_note}",
            scale=1.0 / hours,
        ),
        duration_figure(
            "recording.csv_read_hour", csv_read_s, None, f"read_canonical_csv: {csv_note}", scale=1.0 / hours
        ),
    ]
