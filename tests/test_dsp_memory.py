"""The pipeline's memory stays bounded over a long session (issue "dsp", Contract).

A simulated session of three sets is played again and again, each pass shifted in time to
follow the last, so the pipeline sees one long workout. The memory it holds (traced by
`tracemalloc` after a garbage collection, the input and the events let go) must be about
the same at the end as after the first pass. Histories append into buffers with room and
drop from the front, so what they hold swings between one and two times what they keep:
the peaks over three passes are compared, early and late. The control, a pipeline asked
to keep the whole tilt series, shows that the measure sees memory that grows with the
session.
"""

from __future__ import annotations

import functools
import gc
import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest

from dsp import SensorSamples
from dsp.events import Rep
from dsp.pipeline import Pipeline
from imu_reader.sim import SessionPlan, SetPlan, SimSettings, simulate

RATE_HZ = 50
BLOCK_S = 1.0
PASSES = 8
PEAK_OF_PASSES = 3
"""The held memory's peak is taken over this many passes (see the module docstring)."""
GROWTH_ALLOWED_BYTES = 64 * 1024
"""From the peak of passes 2-4 to that of the last three (four passes of 139 s apart), under
a third of what keeping one float per sample of one sensor would take (8 bytes x 50 Hz x
557 s = 223 kB). NumPy's cache of small buffers, which fills to a bound, grows by about
10 kB over that time."""


@functools.cache
def session() -> tuple[dict[str, SensorSamples], float]:
    """Three sets of straight-leg lifts, shin and pelvis, and the session's length in s."""
    plan = SessionPlan(
        sets=tuple(SetPlan("straight_leg_lift", reps=4, core="weak", rest_after_s=16.0) for _ in range(3)),
        seed=5,
    )
    sim = simulate(SimSettings(plan, sensors=("shin", "pelvis"), rate_hz=RATE_HZ))
    data = {
        role: SensorSamples(role, s.sample_time_s, s.acc_mps2, s.gyr_rps) for role, s in sim.sensors.items()
    }
    return data, sim.duration_s + 1.0 / RATE_HZ


def blocks(roles: tuple[str, ...], shift_s: float) -> Iterator[dict[str, SensorSamples]]:
    """One pass of the session's `roles`, `shift_s` later, in blocks of `BLOCK_S`."""
    data, duration_s = session()
    edges = np.arange(BLOCK_S, duration_s + BLOCK_S, BLOCK_S)
    for lo, hi in zip([0.0, *edges[:-1]], edges, strict=True):
        block = {}
        for role in roles:
            s = data[role]
            i, j = np.searchsorted(s.time_s, [lo, hi], side="left")
            block[role] = SensorSamples(role, s.time_s[i:j] + shift_s, s.acc_mps2[i:j], s.gyr_rps[i:j])
        yield block


def held_bytes_per_pass(roles: tuple[str, ...], *, keep_tilt_series: bool = False) -> tuple[list[int], int]:
    """The traced memory after each pass through a new pipeline, and the reps found in all."""
    _, duration_s = session()  # simulated before tracing starts
    pipeline = Pipeline(dict.fromkeys(roles, float(RATE_HZ)), keep_tilt_series=keep_tilt_series)
    reps = 0
    held = []
    tracemalloc.start()
    try:
        for k in range(PASSES):
            for block in blocks(roles, k * duration_s):
                reps += sum(isinstance(e, Rep) for e in pipeline.process(block))
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    return held, reps


@pytest.mark.parametrize("roles", [("shin", "pelvis"), ("shin",)], ids=["shin+pelvis", "shin"])
def test_memory_does_not_grow_with_the_session(roles: tuple[str, ...]) -> None:
    held, reps = held_bytes_per_pass(roles)
    assert reps >= PASSES * 12 - 2, "the passes must be analysed as a workout, not skipped"
    assert growth_bytes(held) <= GROWTH_ALLOWED_BYTES, held


def test_the_measure_sees_a_series_that_grows() -> None:
    held, _ = held_bytes_per_pass(("shin", "pelvis"), keep_tilt_series=True)
    assert growth_bytes(held) > 2 * GROWTH_ALLOWED_BYTES, held


def growth_bytes(held: list[int]) -> int:
    """The peak held over the last passes less that over the first after the first pass
    (which fills the histories)."""
    return max(held[-PEAK_OF_PASSES:]) - max(held[1 : 1 + PEAK_OF_PASSES])
