"""Clock alignment on link-model streams: accuracy, block-size invariance and restarts.

The truth is the link model's sampling instants. The aligner can only see arrival times, and
every arrival is at least `latency_s` after its packet's last sample; that constant minimum
delay is unobservable from the host (it is indistinguishable from a clock offset), so the
timeline is compared with `true sample time + latency_s`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from dsp import SensorSamples
from imu_reader import SensorStream
from imu_reader.clock import ClockAligner, ClockSettings
from imu_reader.link_model import LinkModelSettings, Transmission, transmit
from imu_reader.protocol import SensorInfo

RATE_HZ = 100
LATENCY_S = 0.0075  # the smallest delay of every packet: unobservable, so part of the timeline
LINK: dict[str, Any] = {"jitter_s": 0.02, "stall_every_s": 2.0, "stall_s": 0.1, "latency_s": LATENCY_S}
RATE_ERRORS = [-0.03, 0.0, 0.03, 0.06]
"""+-3 % is a cheap oscillator; +6 % an LSM6 part (104 Hz for 100) at the fast end of its tolerance."""
INFO = SensorInfo("shin", RATE_HZ, 8, 2000, "emulator", "1.0.0")


@functools.cache
def link_stream(rate_error: float, seconds: float, seed: int, loss: float = 0.0) -> Transmission:
    """`seconds` of true time at 100 Hz nominal, one sample per packet (do not mutate: cached)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE_HZ * (1 + rate_error))
    raw = rng.integers(-4000, 4000, size=(n, 6)).astype(np.int16)
    settings = LinkModelSettings(rate_hz=RATE_HZ, rate_error=rate_error, loss=loss, duplicate=loss, **LINK)
    return transmit(raw, settings, rng)


def push_chunks(stream: SensorStream, tx: Transmission, sizes: Sequence[int]) -> SensorSamples:
    parts = []
    start = 0
    for size in sizes:
        parts.append(stream.push(tx.packets[start : start + size], tx.arrival_s[start : start + size]))
        start += size
    assert start == len(tx.packets)
    return SensorSamples.concatenate(parts)


def random_sizes(rng: np.random.Generator, n: int, high: int) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(min(int(rng.integers(1, high)), n - sum(sizes)))
    return sizes


def timeline_error(samples: SensorSamples, tx: Transmission) -> npt.NDArray[np.float64]:
    """Aligned time minus (true sample time + the minimum latency), for a loss-free stream."""
    assert len(samples) == tx.sample_time_s.shape[0]
    return samples.time_s - (tx.sample_time_s + LATENCY_S)


@pytest.mark.parametrize("rate_error", RATE_ERRORS)
def test_timeline_error_after_30_s_is_within_5_ms(rate_error: float) -> None:
    tx = link_stream(rate_error, 40.0, seed=1)
    rng = np.random.default_rng(2)
    samples = push_chunks(SensorStream(INFO), tx, random_sizes(rng, len(tx.packets), 30))
    error = timeline_error(samples, tx)
    settled = tx.sample_time_s >= 30.0
    assert np.count_nonzero(settled) > 900
    assert np.abs(error[settled]).max() <= 0.005
    assert np.all(np.diff(samples.time_s) > 0)


@pytest.mark.parametrize("rate_error", RATE_ERRORS)
def test_duration_between_samples_30_s_apart_after_60_s(rate_error: float) -> None:
    tx = link_stream(rate_error, 95.0, seed=3)
    rng = np.random.default_rng(4)
    samples = push_chunks(SensorStream(INFO), tx, random_sizes(rng, len(tx.packets), 30))
    true_rate_hz = RATE_HZ * (1 + rate_error)
    apart = round(30.0 * true_rate_hz)
    first = np.flatnonzero(tx.sample_time_s >= 60.0)
    first = first[first + apart < len(samples)]
    assert first.size > 300
    measured = samples.time_s[first + apart] - samples.time_s[first]
    truth = tx.sample_time_s[first + apart] - tx.sample_time_s[first]
    assert truth == pytest.approx(30.0, abs=0.02)
    assert np.abs(measured / truth - 1.0).max() <= 1e-3


@pytest.mark.parametrize("rate_error", RATE_ERRORS)
def test_rate_error_estimate_after_60_s(rate_error: float) -> None:
    tx = link_stream(rate_error, 95.0, seed=3)
    stream = SensorStream(INFO)
    upto = int(np.searchsorted(tx.arrival_s, 60.0, side="right"))
    for start in range(0, upto, 25):
        stream.push(tx.packets[start : min(start + 25, upto)], tx.arrival_s[start : min(start + 25, upto)])
    estimate = stream.clock
    assert estimate.fitted_span_s > 50.0
    assert abs(estimate.rate_error - rate_error) <= 1e-4
    assert estimate.rate_hz == pytest.approx(RATE_HZ * (1 + rate_error), rel=1e-4)
    assert estimate.period_s == pytest.approx(1.0 / (RATE_HZ * (1 + rate_error)), rel=1e-4)


@pytest.mark.parametrize("seed", [5, 6])
def test_sensor_stream_times_are_block_size_invariant(seed: int) -> None:
    tx = link_stream(0.03, 30.0, seed=seed, loss=0.02)
    n = len(tx.packets)
    rng = np.random.default_rng(seed)
    reference = push_chunks(SensorStream(INFO), tx, [n])
    assert len(reference) > 2800
    for sizes in ([1] * n, [7] * (n // 7) + [n % 7], random_sizes(rng, n, 100)):
        got = push_chunks(SensorStream(INFO), tx, [s for s in sizes if s])
        assert np.array_equal(got.time_s, reference.time_s)
        assert np.array_equal(got.acc_mps2, reference.acc_mps2)
        assert np.array_equal(got.gap_before, reference.gap_before)


def _anchors(rate_error: float, seconds: float, seed: int, count: int) -> tuple[Transmission, np.ndarray]:
    """A loss-free stream of `count`-sample packets and each packet's last-sample counter."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE_HZ * (1 + rate_error)) // count * count
    raw = np.zeros((n, 6), dtype=np.int16)
    tx = transmit(raw, LinkModelSettings(rate_error=rate_error, samples_per_packet=count, **LINK), rng)
    return tx, np.arange(1, tx.packets_sent + 1, dtype=np.int64) * count - 1


def align_in_chunks(
    aligner: ClockAligner, anchor: np.ndarray, arrival: np.ndarray, count: int, sizes: Sequence[int]
) -> np.ndarray:
    out = []
    start = 0
    for size in sizes:
        a = anchor[start : start + size]
        samples = np.arange(a[0] - count + 1, a[-1] + 1, dtype=np.int64)
        zeros_a = np.zeros(a.shape, dtype=np.int64)
        zeros_s = np.zeros(samples.shape, dtype=np.int64)
        out.append(aligner.align(a, arrival[start : start + size], zeros_a, samples, zeros_s))
        start += size
    return np.concatenate(out)


def test_aligner_is_block_size_invariant_and_accurate() -> None:
    count = 4
    tx, anchor = _anchors(-0.03, 45.0, seed=7, count=count)
    k = anchor.shape[0]
    reference = align_in_chunks(ClockAligner(ClockSettings(RATE_HZ)), anchor, tx.arrival_s, count, [k])
    rng = np.random.default_rng(8)
    for sizes in ([1] * k, [7] * (k // 7) + [k % 7], random_sizes(rng, k, 50)):
        got = align_in_chunks(
            ClockAligner(ClockSettings(RATE_HZ)), anchor, tx.arrival_s, count, [s for s in sizes if s]
        )
        assert np.array_equal(got, reference)
    error = reference - (tx.sample_time_s + LATENCY_S)
    assert np.abs(error[tx.sample_time_s >= 30.0]).max() <= 0.005


def test_restart_keeps_the_period_and_refinds_the_offset() -> None:
    rate_error = 0.03
    rng = np.random.default_rng(9)
    before = transmit(
        rng.integers(-99, 99, size=(4000, 6)).astype(np.int16),
        LinkModelSettings(rate_error=rate_error, first_sequence=1000, first_counter=77_777, **LINK),
        rng,
    )
    start_s = float(before.sample_time_s[-1]) + 5.0  # a 5 s pause, then counters from 0
    after = transmit(
        rng.integers(-99, 99, size=(2000, 6)).astype(np.int16),
        LinkModelSettings(rate_error=rate_error, start_s=start_s, **LINK),
        rng,
    )
    stream = SensorStream(INFO)
    first_part = push_chunks(stream, before, [10] * (len(before.packets) // 10) + [len(before.packets) % 10])
    period_before = stream.clock.period_s
    assert period_before == pytest.approx(1.0 / (RATE_HZ * (1 + rate_error)), rel=1e-4)

    parts = [stream.push(after.packets[:1], after.arrival_s[:1])]
    assert stream.stats.restarts == 1
    assert stream.clock.period_s == period_before  # the same oscillator: the period is kept
    for start in range(1, len(after.packets), 10):
        parts.append(stream.push(after.packets[start : start + 10], after.arrival_s[start : start + 10]))
    second_part = SensorSamples.concatenate(parts)
    assert len(second_part) == 2000
    assert second_part.gap_before[0]
    assert not second_part.gap_before[1:].any()
    error = second_part.time_s - (after.sample_time_s + LATENCY_S)
    settled = after.sample_time_s >= start_s + 10.0
    assert np.count_nonzero(settled) > 900
    assert np.abs(error[settled]).max() <= 0.005
    # Counter 0 of the new epoch sits at its true time plus the minimum latency.
    assert stream.clock.offset_s == pytest.approx(start_s + LATENCY_S, abs=0.005)
    everything = np.concatenate((first_part.time_s, second_part.time_s))
    assert np.all(np.diff(everything) > 0)


def test_aligner_restart_refinds_the_offset_directly() -> None:
    tx, anchor = _anchors(0.03, 30.0, seed=10, count=1)
    aligner = ClockAligner(ClockSettings(RATE_HZ))
    zeros = np.zeros(anchor.shape, dtype=np.int64)
    aligner.align(anchor, tx.arrival_s, zeros, anchor, zeros)
    period = aligner.estimate.period_s
    assert period == pytest.approx(1.0 / (RATE_HZ * 1.03), rel=1e-4)

    # The same oscillator again after a 5 s pause, its first counter now 5000 (epoch 1).
    shift_s = float(tx.sample_time_s[-1]) + 5.0
    counter = anchor + 5000
    ones = np.ones(anchor.shape, dtype=np.int64)
    first = aligner.align(counter[:1], tx.arrival_s[:1] + shift_s, ones[:1], counter[:1], ones[:1])
    assert aligner.estimate.period_s == period
    assert first[0] == pytest.approx(tx.arrival_s[0] + shift_s, abs=1e-9)  # first anchor of the epoch
    times = aligner.align(counter[1:], tx.arrival_s[1:] + shift_s, ones[1:], counter[1:], ones[1:])
    error = times - (tx.sample_time_s[1:] + shift_s + LATENCY_S)
    # Before the first bin of the new epoch closes, only the kept period maps counters; the
    # first anchor may sit in a 0.1 s stall plus 20 ms of jitter.
    assert np.abs(error[tx.sample_time_s[1:] < 2.0]).max() <= 0.13
    assert np.abs(error[tx.sample_time_s[1:] >= 10.0]).max() <= 0.005
    # Counter 0 of the epoch would have been sampled 5000 periods before the first sample.
    true_offset_s = shift_s + LATENCY_S - 5000 * period
    assert aligner.estimate.offset_s == pytest.approx(true_offset_s, abs=0.005)


def test_times_never_decrease_across_calls_even_when_a_restart_lands_earlier() -> None:
    aligner = ClockAligner(ClockSettings(RATE_HZ))
    counter = np.arange(500, dtype=np.int64)
    zeros = np.zeros(500, dtype=np.int64)
    early = aligner.align(
        counter, np.asarray(0.005 + counter * 0.01, dtype=np.float64), zeros, counter, zeros
    )
    assert early[-1] == pytest.approx(4.995, abs=1e-3)
    # A new epoch whose anchors say it began at 2 s, before the last time already given out.
    ones = np.ones(100, dtype=np.int64)
    late_arrival = np.asarray(2.0 + counter[:100] * 0.01, dtype=np.float64)
    late = aligner.align(counter[:100], late_arrival, ones, counter[:100], ones)
    assert late[0] > early[-1]
    assert np.all(np.diff(np.concatenate((early, late))) > 0)
    # And an empty call changes nothing.
    empty = np.zeros(0, dtype=np.int64)
    assert aligner.align(empty, np.zeros(0), empty, empty, empty).shape == (0,)
    after = aligner.align(counter[100:101], np.array([3.0]), ones[:1], counter[100:101], ones[:1])
    assert after[0] > late[-1]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"nominal_rate_hz": 0.5}, "nominal_rate_hz"),
        ({"nominal_rate_hz": 10_001.0}, "nominal_rate_hz"),
        ({"nominal_rate_hz": 100.0, "bin_s": 0.0}, "bin_s"),
        ({"nominal_rate_hz": 100.0, "bin_s": -1.0}, "bin_s"),
        ({"nominal_rate_hz": 100.0, "bin_s": 2.0, "window_s": 3.99}, "window_s"),
        ({"nominal_rate_hz": 100.0, "max_rate_error": 0.0}, "max_rate_error"),
        ({"nominal_rate_hz": 100.0, "max_rate_error": 0.5}, "max_rate_error"),
        ({"nominal_rate_hz": 100.0, "max_rate_error": -0.01}, "max_rate_error"),
    ],
)
def test_clock_settings_validation(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ClockSettings(**kwargs)


def test_clock_settings_boundaries_are_accepted() -> None:
    assert ClockSettings(1.0).nominal_rate_hz == 1.0
    assert ClockSettings(10_000.0).nominal_rate_hz == 10_000.0
    assert ClockSettings(100.0, bin_s=2.0, window_s=4.0).window_s == 4.0


def test_align_rejects_mismatched_shapes() -> None:
    aligner = ClockAligner(ClockSettings(RATE_HZ))
    three = np.arange(3, dtype=np.int64)
    with pytest.raises(ValueError, match="anchor arrays"):
        aligner.align(three, np.zeros(2), three, three, three)
    with pytest.raises(ValueError, match="sample_counter and sample_epoch"):
        aligner.align(three, np.zeros(3), three * 0, three, three[:2])
    with pytest.raises(ValueError, match="anchor of its epoch"):
        aligner.align(three, np.zeros(3) + three, three * 0, three, np.ones(3, dtype=np.int64))
