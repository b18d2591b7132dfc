"""Properties of the firmware's sample path (ring buffer + batcher + protocol core), in CPython.

The shared checkers run fixed cases in both interpreters; here hypothesis drives the same
modules, through their typed stubs, with arbitrary FIFO bursts, FIFO losses, a BLE stack
that refuses packets, MTU and rate changes, and a ring that overflows. Whatever happens,
what the host decodes must be the samples taken at the counters the packets claim, with
sequence numbers stepping by one, and every sample taken is delivered or accounted for in
a counter gap. The stubs are checked against the modules with mypy's stubtest.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_ble import protocol_core as core
from firmware_ble.batcher import DEFAULT_MAX_LATENCY_MS, PacketBatcher
from firmware_ble.sample_ring import SampleRing

pytestmark = pytest.mark.firmware


def _sample(k: int) -> list[int]:
    return [k % 32768, -(k % 32768), (k * 7) % 32768, 4096, -1, k % 3]


@dataclass(frozen=True)
class Step:
    """One poll of the firmware loop."""

    burst: int  # samples read from the FIFO
    lost: int  # samples the FIFO lost before them (overrun)
    accept: int  # packets the BLE stack takes this time
    payload: int  # ATT MTU - 3 in force
    rate_hz: int


STEPS = st.builds(
    Step,
    burst=st.integers(0, 40),
    lost=st.sampled_from((0, 0, 0, 0, 1, 7)),
    accept=st.sampled_from((0, 0, 1, 2, 100)),
    payload=st.sampled_from((20, 20, 44, 104, 244, 500)),
    rate_hz=st.sampled_from(core.RATES_HZ),
)


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(STEPS, min_size=1, max_size=60), capacity=st.integers(8, 200))
def test_what_the_host_decodes_is_what_was_taken(steps: list[Step], capacity: int) -> None:
    ring = SampleRing(capacity)
    batcher = PacketBatcher(100, 20)
    taken = 0
    lost = 0
    packets: list[bytes] = []
    for step in steps:
        batcher.set_payload(step.payload)
        batcher.set_rate(step.rate_hz)
        if step.lost:
            ring.skip(step.lost)
            taken += step.lost
            lost += step.lost
        values: list[int] = []
        for k in range(taken, taken + step.burst):
            values.extend(_sample(k))
        ring.push(values)
        taken += step.burst
        for _ in range(step.accept):
            due = batcher.next_packet(ring)
            if due is None:
                break
            packet, count = due
            assert len(packet) <= min(step.payload, core.MAX_PAYLOAD)
            packets.append(packet)
            batcher.commit(ring, count)
    expected_counter = 0
    gaps = 0
    delivered = 0
    for index, packet in enumerate(packets):
        sequence, first, samples = core.unpack_data(packet)
        count = len(samples) // 6
        assert sequence == index % core.SEQUENCE_MODULUS
        assert first >= expected_counter
        assert list(samples) == [v for k in range(first, first + count) for v in _sample(k)]
        gaps += first - expected_counter
        delivered += count
        expected_counter = first + count
    # The counters after the last packet: what the ring holds, and the gaps among them.
    held_span = ring.next_counter() - expected_counter
    assert delivered + gaps + held_span == taken
    assert gaps + held_span - len(ring) == ring.overflow_samples + lost


@settings(max_examples=100, deadline=None)
@given(rate_hz=st.sampled_from(core.RATES_HZ), payload=st.integers(20, 600), backlog=st.integers(0, 60))
def test_a_due_packet_is_never_held_past_the_latency_bound(rate_hz: int, payload: int, backlog: int) -> None:
    ring = SampleRing(100)
    batcher = PacketBatcher(rate_hz, payload)
    waited = 0
    while True:  # samples arrive one at a time: the first packet leaves within the bound
        ring.push(_sample(waited))
        waited += 1
        if batcher.next_packet(ring) is not None:
            break
    assert waited * 1000 <= max(rate_hz * DEFAULT_MAX_LATENCY_MS, 1000)
    ring.push([v for k in range(backlog) for v in _sample(k)])
    due = batcher.next_packet(ring)
    assert due is not None
    assert due[1] == min(len(ring), core.max_samples_per_packet(payload))


def test_the_stubs_match_the_modules() -> None:
    modules = [
        "firmware_ble.sample_ring",
        "firmware_ble.batcher",
        "firmware_ble.control",
        "firmware_ble.protocol_core",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", *modules],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
