"""A model of the radio link: packets a sensor sends and when the host receives them.

Takes raw int16 samples and produces protocol v1 notifications with host arrival times,
under a chosen oscillator error, latency, jitter, stalls, loss and duplication. It knows
nothing of bodies: the simulator feeds it samples; tests and benchmarks feed it anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from firmware_ble import protocol_core as core


@dataclass(frozen=True)
class LinkModelSettings:
    """How the link behaves.

    Attributes:
        rate_hz: the sensor's nominal rate in Hz.
        rate_error: relative error of its oscillator (0.03 = runs 3% fast).
        samples_per_packet: samples in every notification.
        latency_s: the smallest delay from a packet's last sample to its arrival, in s.
        jitter_s: extra delay, uniform in [0, jitter_s], in s.
        stall_every_s: every this many seconds the link stalls (0 = never), in s.
        stall_s: how long a stall holds packets back, then they arrive in one burst, in s.
        loss: probability that a packet is lost.
        loss_burst_packets: mean length of a run of lost packets (1 = independent losses);
            the long-run loss stays `loss`.
        duplicate: probability that a packet arrives twice.
        outages: (start_s, duration_s) spans of host time when the link is down: every
            packet that would arrive then is lost (a disconnection).
        first_counter: the device counter of the first sample (wraps at 2**32).
        first_sequence: the sequence number of the first packet (wraps at 2**16).
        start_s: host time at which the first sample is taken, in s.
    """

    rate_hz: float = 100.0
    rate_error: float = 0.0
    samples_per_packet: int = 1
    latency_s: float = 0.0075
    jitter_s: float = 0.0
    stall_every_s: float = 0.0
    stall_s: float = 0.1
    loss: float = 0.0
    loss_burst_packets: float = 1.0
    duplicate: float = 0.0
    outages: tuple[tuple[float, float], ...] = ()
    first_counter: int = 0
    first_sequence: int = 0
    start_s: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.samples_per_packet <= 255:
            raise ValueError(f"samples_per_packet must be in 1..255, got {self.samples_per_packet}")
        for name in ("loss", "duplicate"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if self.rate_hz <= 0 or abs(self.rate_error) >= 0.5:
            raise ValueError("rate_hz must be > 0 and |rate_error| < 0.5")
        if min(self.latency_s, self.jitter_s, self.stall_every_s, self.stall_s) < 0:
            raise ValueError("latency_s, jitter_s, stall_every_s and stall_s must be >= 0")
        if self.loss_burst_packets < 1.0:
            raise ValueError(f"loss_burst_packets must be >= 1, got {self.loss_burst_packets}")
        if any(duration <= 0 for _, duration in self.outages):
            raise ValueError("every outage needs a positive duration")


@dataclass(frozen=True)
class Transmission:
    """What the host receives, with the truth behind it.

    Attributes:
        packets: notifications in arrival order.
        arrival_s: host arrival time of each, non-decreasing, shape (p,).
        sample_time_s: true host time at which each input sample was taken, shape (n,).
        received: True for input samples that reached the host at least once, shape (n,).
        packets_sent: notifications the sensor sent (lost ones included).
        packets_lost: notifications that never arrived.
    """

    packets: list[bytes]
    arrival_s: npt.NDArray[np.float64]
    sample_time_s: npt.NDArray[np.float64]
    received: npt.NDArray[np.bool_]
    packets_sent: int
    packets_lost: int


def transmit(
    raw: npt.NDArray[np.int16], settings: LinkModelSettings, rng: np.random.Generator
) -> Transmission:
    """Pack `raw` (shape (n, 6), acc xyz + gyr xyz counts) into notifications and deliver them."""
    if raw.ndim != 2 or raw.shape[1] != 6:
        raise ValueError(f"raw must have shape (n, 6), got {raw.shape}")
    k = settings.samples_per_packet
    n_packets = raw.shape[0] // k
    n = n_packets * k
    true_period_s = 1.0 / (settings.rate_hz * (1.0 + settings.rate_error))
    sample_time_s = settings.start_s + np.arange(raw.shape[0], dtype=np.float64) * true_period_s
    # Vectorised packing: header and samples laid out as rows of one uint8 matrix.
    rows = np.zeros((n_packets, core.DATA_HEADER_SIZE + core.SAMPLE_SIZE * k), dtype=np.uint8)
    rows[:, 0] = core.PROTOCOL_VERSION
    rows[:, 1] = k
    seq = (settings.first_sequence + np.arange(n_packets)) % core.SEQUENCE_MODULUS
    counter = (settings.first_counter + np.arange(n_packets) * k) % core.COUNTER_MODULUS
    rows[:, 2:4] = seq.astype("<u2").view(np.uint8).reshape(-1, 2)
    rows[:, 4:8] = counter.astype("<u4").view(np.uint8).reshape(-1, 4)
    rows[:, 8:] = np.ascontiguousarray(raw[:n].astype("<i2")).view(np.uint8).reshape(n_packets, -1)
    sent_at = sample_time_s[k - 1 : n : k]
    arrival = sent_at + settings.latency_s + rng.uniform(0.0, settings.jitter_s, n_packets)
    if settings.stall_every_s > 0:
        phase = np.mod(sent_at, settings.stall_every_s)
        release = sent_at - phase + settings.stall_s + settings.latency_s
        arrival = np.where(phase < settings.stall_s, np.maximum(arrival, release), arrival)
    lost = _losses(n_packets, settings, rng)
    for start_s, duration_s in settings.outages:
        lost |= (arrival >= start_s) & (arrival < start_s + duration_s)
    copies = np.where(lost, 0, 1 + (rng.random(n_packets) < settings.duplicate))
    order = np.repeat(np.arange(n_packets), copies)
    # BLE delivers in the order sent: a delayed packet holds back the ones behind it.
    order_arrival = np.maximum.accumulate(arrival[order]) if order.size else np.zeros(0)
    packets = [rows[i].tobytes() for i in order.tolist()]
    received = np.zeros(raw.shape[0], dtype=np.bool_)
    received[:n] = np.repeat(~lost, k)
    return Transmission(packets, order_arrival, sample_time_s, received, n_packets, int(lost.sum()))


def _losses(n: int, settings: LinkModelSettings, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """Which packets are lost: a two-state (Gilbert) chain whose bad state lasts
    `loss_burst_packets` on average and whose long-run share of losses is `loss`."""
    if settings.loss == 0.0:
        return np.zeros(n, dtype=np.bool_)
    if settings.loss_burst_packets == 1.0:
        return rng.random(n) < settings.loss
    leave_bad = 1.0 / settings.loss_burst_packets
    enter_bad = settings.loss * leave_bad / (1.0 - settings.loss)
    # Alternate good and bad runs with geometric lengths, then cut to n packets.
    lengths: list[int] = []
    states: list[bool] = []
    bad = bool(rng.random() < settings.loss)
    total = 0
    while total < n:
        lengths.append(int(rng.geometric(leave_bad if bad else enter_bad)))
        states.append(bad)
        total += lengths[-1]
        bad = not bad
    return np.repeat(np.asarray(states, dtype=np.bool_), lengths)[:n]
