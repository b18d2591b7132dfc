"""Builders of small synthetic sessions, written through the real recording writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imu_reader.link_model import LinkModelSettings, Transmission, transmit
from imu_reader.protocol import SensorInfo
from imu_reader.recording import RecordingWriter, SessionMetadata

START_UNIX_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z


def make_transmission(
    seconds: float, *, seed: int, rate_error: float = 0.0, loss: float = 0.0
) -> Transmission:
    """A stream of random raw samples through the link model."""
    rng = np.random.default_rng(seed)
    raw = rng.integers(-4000, 4000, size=(round(seconds * 100), 6)).astype(np.int16)
    settings = LinkModelSettings(rate_error=rate_error, jitter_s=0.01, loss=loss)
    return transmit(raw, settings, rng)


def write_session(
    path: Path,
    streams: dict[str, Transmission],
    *,
    step_s: float = 0.05,
    events: list[dict[str, object]] | None = None,
    labels: dict[str, object] | None = None,
) -> None:
    """Write `streams` as a live session would: sensors interleaved every `step_s`."""
    metadata = SessionMetadata("0.1.0", True, "test", START_UNIX_NS, {"tilt_threshold_deg": 5.0})
    with RecordingWriter(path, metadata=metadata, fsync=False) as writer:
        if labels is not None:
            writer.add_labels(labels)
        for role in streams:
            writer.add_sensor(SensorInfo(role, 100, 8, 2000, "emulator", "1.2.3"), address="AA:BB")
            writer.add_link_event(role, "connected", 0.0)
        done = dict.fromkeys(streams, 0)
        end_s = max(float(t.arrival_s[-1]) for t in streams.values()) + step_s
        pending = list(events or [])
        for now in np.arange(step_s, end_s + step_s, step_s):
            for role, tx in streams.items():
                j = int(np.searchsorted(tx.arrival_s, now, side="right"))
                if j > done[role]:
                    writer.add_notifications(
                        role, tx.packets[done[role] : j], tx.arrival_s[done[role] : j].tolist()
                    )
                    done[role] = j
            while pending and float(pending[0]["time_s"]) <= now:  # type: ignore[arg-type]
                writer.add_event(pending.pop(0))
