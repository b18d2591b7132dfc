"""Decode + align throughput: one hour of two sensors at 100 Hz, from memory.

A frame is one sample of one sensor. Each repetition decodes both sensors' hour of
notifications with fresh `SensorStream`s (decode, link tracking, clock alignment,
scaling to SI units), as replay and `read_recording` do.
"""

from __future__ import annotations

from functools import partial

from benchmarks._data import PackedStream, hour_streams
from benchmarks._runner import Figure, benchmark, progress, throughput_figure, time_repetitions
from imu_reader import SensorStream

TARGET_FRAMES_PER_S = 5e6
"""Issue "Foundation", section 7: decode + align >= 5 M frames/s from memory."""

SEED = 20261122


def _push_buffer_all(streams: list[PackedStream]) -> int:
    frames = 0
    for s in streams:
        frames += len(SensorStream(s.info).push_buffer(s.buf, s.lengths, s.arrival_s))
    return frames


def _push_all(streams: list[PackedStream]) -> int:
    frames = 0
    for s in streams:
        frames += len(SensorStream(s.info).push(s.tx.packets, s.arrival_s))
    return frames


def _check_frames(streams: list[PackedStream]) -> int:
    """Frames one decode delivers; checks that they are exactly the samples that got through."""
    frames = _push_buffer_all(streams)
    expected = sum(int(s.tx.received.sum()) for s in streams)
    if frames != expected:
        raise AssertionError(f"decoded {frames} frames, {expected} reached the host")
    return frames


@benchmark("decode")
def bench_decode(repeat: int) -> list[Figure]:
    """push_buffer with 1 and 19 samples per packet, and push from bytes objects (1 per packet)."""
    figures = []
    for spp, payload in ((1, "23-byte ATT MTU, the worst case"), (19, "244-byte payload")):
        progress(f"decode: building one hour x 2 sensors, {spp} sample(s) per packet")
        streams = hour_streams(spp, seed=SEED + spp)
        packets = sum(s.lengths.shape[0] for s in streams)
        frames = _check_frames(streams)  # also warms caches and imports
        progress(f"decode: timing push_buffer, {frames} frames in {packets} packets x {repeat}")
        seconds = time_repetitions(partial(_push_buffer_all, streams), repeat)
        figures.append(
            throughput_figure(
                f"decode.push_buffer.spp{spp}",
                seconds,
                work=frames,
                unit="frames/s",
                target=TARGET_FRAMES_PER_S,
                note=f"SensorStream.push_buffer, {spp} sample(s)/packet ({payload}), {frames} frames",
            )
        )
        if spp == 1:
            progress(f"decode: timing push from {packets} bytes objects x {repeat}")
            seconds = time_repetitions(partial(_push_all, streams), repeat)
            figures.append(
                throughput_figure(
                    "decode.push.spp1",
                    seconds,
                    work=frames,
                    unit="frames/s",
                    target=None,
                    note="SensorStream.push from a list of bytes (live path), 1 sample/packet",
                )
            )
    return figures
