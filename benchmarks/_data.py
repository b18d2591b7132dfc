"""Synthetic sensor streams shared by the benchmarks, built once per benchmark, seeded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from imu_reader.link_model import LinkModelSettings, Transmission, transmit
from imu_reader.protocol import SensorInfo

RATE_HZ = 100
HOUR_SAMPLES = 3600 * RATE_HZ
"""One hour of one sensor at its nominal rate: 360 000 samples."""

# Two sensors with oscillators off in opposite directions, on a bad link.
SENSOR_RATE_ERRORS = {"shin": 0.03, "pelvis": -0.02}
LINK_JITTER_S = 0.02
LINK_STALL_EVERY_S = 2.0
LINK_LOSS = 0.01


def sensor_info(role: str) -> SensorInfo:
    """The info characteristic of a 100 Hz emulated sensor at `role`."""
    return SensorInfo(role, RATE_HZ, 8, 2000, "emulator", "1.2.3")


def random_raw(n: int, rng: np.random.Generator) -> npt.NDArray[np.int16]:
    """`n` raw int16 samples (acc xyz + gyr xyz); their values do not matter to the link."""
    return rng.integers(-4000, 4000, size=(n, 6)).astype(np.int16)


@dataclass(frozen=True)
class PackedStream:
    """One sensor's notifications back to back in memory, as `SensorStream.push_buffer` takes them.

    Attributes:
        info: the sensor.
        tx: the transmission (packets as bytes objects, arrival times, truth).
        buf: every notification back to back, shape (bytes,).
        lengths: byte length of each notification, shape (p,).
        arrival_s: host arrival time of each notification, shape (p,).
    """

    info: SensorInfo
    tx: Transmission
    buf: npt.NDArray[np.uint8]
    lengths: npt.NDArray[np.int64]
    arrival_s: npt.NDArray[np.float64]


def hour_streams(samples_per_packet: int, *, seed: int) -> list[PackedStream]:
    """One hour of both sensors through the link model (rate errors +3 % and -2 %, 20 ms
    jitter, a 0.1 s stall every 2 s, 1 % loss), packed for `push_buffer`."""
    rng = np.random.default_rng(seed)
    streams = []
    for role, rate_error in SENSOR_RATE_ERRORS.items():
        settings = LinkModelSettings(
            rate_hz=RATE_HZ,
            rate_error=rate_error,
            samples_per_packet=samples_per_packet,
            jitter_s=LINK_JITTER_S,
            stall_every_s=LINK_STALL_EVERY_S,
            loss=LINK_LOSS,
        )
        tx = transmit(random_raw(HOUR_SAMPLES, rng), settings, rng)
        lengths = np.fromiter(map(len, tx.packets), dtype=np.int64, count=len(tx.packets))
        buf = np.frombuffer(b"".join(tx.packets), dtype=np.uint8)
        streams.append(PackedStream(sensor_info(role), tx, buf, lengths, tx.arrival_s))
    return streams
