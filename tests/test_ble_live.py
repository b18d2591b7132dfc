"""Live sessions end to end on the virtual BLE link: emulated sensors running the firmware's
protocol core on simulated workouts, our bleak backend on bumble, the supervisors, the
decoding and the DSP. Real time: each test lasts as long as its workout.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from dsp.events import Calibrated, Event, Rep
from imu_reader.ble import SensorTarget
from imu_reader.ble.emulator import LinkFaults, SensorSamples, VirtualLink
from imu_reader.protocol import LinkStats
from imu_reader.sim import Simulation
from reptempo.live_session import LiveSession, SessionStats
from tests.virtual_ble import emulated, run, served, workout

pytestmark = pytest.mark.slow

PHASE_TOLERANCE_S = 0.35
"""A rep's eccentric and concentric times against the truth (the DSP's own error is far
smaller on straight-leg lifts: the accuracy benchmark measures it)."""


class Collected:
    """Everything a session emitted, by kind."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.records: list[dict[str, Any]] = []
        self.at: list[float] = []

    def __call__(self, item: Event | dict[str, Any]) -> None:
        self.at.append(time.monotonic())
        if isinstance(item, dict):
            self.records.append(item)
        else:
            self.events.append(item)

    @property
    def reps(self) -> list[Rep]:
        return [e for e in self.events if isinstance(e, Rep)]

    def sensor(self, role: str, state: str) -> list[dict[str, Any]]:
        return [
            r for r in self.records if r["type"] == "sensor" and r["role"] == role and r["state"] == state
        ]


async def live(
    sim: Simulation,
    faults: dict[str, LinkFaults] | None = None,
    *,
    extra_s: float = 2.0,
    calibrate_at_s: float | None = None,
) -> tuple[Collected, SessionStats, dict[str, LinkStats], VirtualLink, LiveSession]:
    out = Collected()
    async with emulated(sim, faults) as (link, central):
        session = LiveSession(central, [SensorTarget(r) for r in sim.sensors], out, measure_latency=True)
        if calibrate_at_s is not None:
            asyncio.get_running_loop().call_later(calibrate_at_s, session.calibrate)
        stats = await session.run(sim.duration_s + extra_s)
        links = {role: stream.stats for role, stream in session.streams.items()}
    return out, stats, links, link, session


def check_reps_against_truth(reps: list[Rep], sim: Simulation) -> None:
    truth = sim.truth.reps
    assert len(reps) == len(truth)
    for found, true in zip(reps, truth, strict=True):
        assert found.eccentric_s == pytest.approx(true.eccentric_s, abs=PHASE_TOLERANCE_S)
        assert found.concentric_s == pytest.approx(true.concentric_s, abs=PHASE_TOLERANCE_S)


def test_two_sensors_for_a_minute_lose_nothing_and_count_every_rep() -> None:
    sim = workout("straight_leg_lift", reps=6, seed=3)
    assert 45 <= sim.duration_s <= 75
    # A calibrate asked for 3 s in takes a new pelvis baseline at the next still second
    # (when depends on how far the link's delivery lags), and the reps are counted as ever.
    out, stats, links, link, _ = run(live(sim, calibrate_at_s=3.0))
    rests = [e for e in out.events if isinstance(e, Calibrated) and e.role == "pelvis" and e.what == "rest"]
    assert len(rests) == 2
    assert rests[0].time_s < 3.0 <= rests[1].time_s
    assert [r["note"] for r in out.records if r["type"] == "note"] == [
        "calibrating: lie still on your back for a second"
    ]
    for role, sensor in link.sensors_by_role.items():
        got = links[role]
        assert got.packets_lost == 0, role
        assert got.duplicates == 0, role
        assert got.malformed_total == 0, role
        # Everything the sensor sent arrived, but for what was in flight when the session stopped.
        assert sensor.notifications_sent - 3 <= got.packets_received <= sensor.notifications_sent
    check_reps_against_truth(out.reps, sim)
    assert stats.reps == len(sim.truth.reps)
    assert [e.kind for e in out.events].count("set") == 1


def test_a_sensor_that_drops_for_5_s_mid_set_is_back_within_2_s_and_the_other_streams_on() -> None:
    sim = workout("straight_leg_lift", reps=6, seed=4)
    drop_after_s, drop_for_s = 24.0, 5.0
    faults = {"shin": LinkFaults(drop_after_s=drop_after_s, drop_for_s=drop_for_s)}
    out, _, links, link, session = run(live(sim, faults))
    shin = link.sensors_by_role["shin"]
    back_at = shin.powered_on_s + drop_after_s + drop_for_s  # when the sensor advertised again (monotonic)
    connected = out.sensor("shin", "connected")
    assert len(connected) == 2
    assert len(out.sensor("shin", "disconnected")) == 2  # the drop, and the end of the session
    reconnected_at = connected[1]["t_s"] + session.started_s
    assert 0.0 <= reconnected_at - back_at <= 2.0
    assert links["shin"].restarts == 1
    # The sensor kept counting while away: the samples it took meanwhile are a gap, reported.
    assert links["shin"].gaps >= 1
    assert 100 * drop_for_s <= links["shin"].samples_lost <= 100 * (drop_for_s + 2.5)
    pelvis = links["pelvis"]
    assert (pelvis.packets_lost, pelvis.restarts, len(out.sensor("pelvis", "connected"))) == (0, 0, 1)
    # Reps that ended before the drop and started after the return are all counted.
    offset = shin.powered_on_s - session.started_s - sim.sensors["shin"].start_s
    gone = (drop_after_s + offset, drop_after_s + drop_for_s + offset + 2.0)
    truth = [r for r in sim.truth.reps if r.end_s + offset < gone[0] or r.start_s + offset > gone[1]]
    assert len(truth) >= 3
    for true in truth:
        assert any(abs(r.end_s - (true.end_s + offset)) < 1.0 for r in out.reps), true


def test_five_percent_loss_is_measured_within_half_a_point_and_the_count_stays_right() -> None:
    sim = workout("straight_leg_lift", reps=6, seed=5)
    faults = {role: LinkFaults(loss=0.05, seed=k) for k, role in enumerate(sim.sensors)}
    out, _, links, link, _ = run(live(sim, faults))
    for role, sensor in link.sensors_by_role.items():
        true_loss = sensor.notifications_lost / (sensor.notifications_sent + sensor.notifications_lost)
        assert 0.03 < true_loss < 0.07
        assert abs(links[role].loss_fraction - true_loss) <= 0.005, role
        assert links[role].duplicates == 0
    assert len(out.reps) == len(sim.truth.reps)


def test_garbage_and_three_reconnections_deliver_nothing_twice_and_leave_nothing_behind() -> None:
    async def scenario() -> tuple[Collected, dict[str, LinkStats], list[str], int, dict[str, int]]:
        sim = workout("bent_knee_lift", reps=3, seed=6)
        out = Collected()
        async with emulated(sim) as (link, central):
            session = LiveSession(central, [SensorTarget(r) for r in sim.sensors], out)
            running = asyncio.create_task(session.run(16.0))
            shin = link.sensors_by_role["shin"]
            await asyncio.sleep(2.0)
            for payload in (
                b"",
                b"\x01\x02",
                b"\x07" + bytes(19),
                b"\x01\x02\x00\x00" + bytes(16),
                b"\x01\x00" + bytes(6),
            ):
                await shin.inject(payload)
            for _ in range(3):
                await asyncio.sleep(2.0)
                await shin.drop(0.3)
            await running
            links = {role: stream.stats for role, stream in session.streams.items()}
            assert central.adapter is not None
            connections = len((await central.adapter.device()).connections)
            sent = {s.info.role: s.notifications_sent for s in link.sensors}
        left = [
            f"{t.get_name()} {t.get_coro()}" for t in asyncio.all_tasks() if t is not asyncio.current_task()
        ]
        return out, links, left, connections, sent

    out, links, left, connections, sent = run(scenario())
    shin = links["shin"]
    assert shin.malformed == {"truncated_header": 2, "unknown_version": 1, "empty": 1, "wrong_length": 1}
    assert shin.duplicates == 0
    assert shin.restarts == 3
    assert len(out.sensor("shin", "connected")) == 4
    assert links["pelvis"].duplicates == 0
    # Each notification reached the decoder once: received = sent + injected, less what was in flight.
    assert sent["shin"] + 5 - 3 * 4 <= shin.packets_received <= sent["shin"] + 5
    assert connections == 0
    assert left == []


def test_four_sensors_at_200_hz_for_30_s_keep_up() -> None:
    async def scenario() -> tuple[list[int], dict[str, LinkStats], float]:
        sim = workout("single_leg_lift", reps=2, seed=7, sensors=("shin", "shin_left", "pelvis"), rate_hz=200)
        link = VirtualLink()
        for s in sim.sensors.values():
            link.add_sensor(s.info, SensorSamples(s.raw, 200.0, s.rate_error))
        right = sim.sensors["shin"]
        info = type(right.info).from_dict({**right.info.to_dict(), "role": "shin_right"})
        link.add_sensor(info, SensorSamples(right.raw, 200.0, -right.rate_error))
        depth: list[int] = []
        async with served(link) as central:
            session = LiveSession(central, [SensorTarget(s.info.role) for s in link.sensors], lambda _i: None)
            take = session.inbox.take

            def measured_take() -> dict[str, tuple[list[bytes], list[float]]]:
                batch = take()
                depth.append(sum(len(p) for p, _ in batch.values()))
                return batch

            session.inbox.take = measured_take  # type: ignore[method-assign]
            started = time.monotonic()
            await session.run(30.0)
            elapsed = time.monotonic() - started
            links = {role: stream.stats for role, stream in session.streams.items()}
        return depth, links, elapsed

    depth, links, elapsed = run(scenario())
    assert len(links) == 4
    for role, stats in links.items():
        assert stats.packets_lost == 0, role
        assert stats.samples >= 200 * (elapsed - 8.0), role  # connecting four takes a few seconds
    third = len(depth) // 3
    # The inbox is drained as fast as it fills: batches stay small, and no bigger at the end.
    assert max(depth[-third:]) <= 20
    assert sum(depth[-third:]) / third <= 2.0 * sum(depth[third : 2 * third]) / third + 1.0
