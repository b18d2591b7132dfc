"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from imu_reader.link_model import Transmission
from tests.sessions import make_transmission, write_session


@pytest.fixture
def two_sensor_session(tmp_path: Path) -> tuple[Path, dict[str, Transmission]]:
    """A 20 s shin + pelvis recording with 2% loss on the pelvis, one event and labels."""
    streams = {
        "shin": make_transmission(20, seed=1, rate_error=0.02),
        "pelvis": make_transmission(20, seed=2, rate_error=-0.01, loss=0.02),
    }
    path = tmp_path / "session.mcap"
    write_session(
        path,
        streams,
        events=[{"type": "rep", "time_s": 5.0, "eccentric_s": 3.2}],
        labels={"reps": [{"start_s": 1.0, "end_s": 4.0}]},
    )
    return path, streams
