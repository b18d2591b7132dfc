"""A live session: sensors over BLE -> decoding and clock alignment -> DSP -> events out.

The radio's callbacks only drop packets in a `PacketInbox`; this session's one task
decodes them, runs the DSP and hands every DSP event (a `dsp.events` dataclass) and every
change of a sensor's link (a JSON-ready dict with a `type`) to `emit`.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dsp import SensorSamples
from dsp.events import Event
from dsp.pipeline import BATCH_S, Pipeline
from imu_reader import SensorStream
from imu_reader.ble import (
    BleCentral,
    LinkMessage,
    PacketInbox,
    SensorConnected,
    SensorDisconnected,
    SensorSupervisor,
    SensorTarget,
)

STATUS_EVERY_S = 5.0
DRAIN_EVERY_S = 0.25
"""Packets are decoded at least this often, batch complete or not (link counters, gaps)."""
WAIT_FOR_ALL_S = 20.0
"""How long the DSP waits for every sensor asked for before it starts with those present."""
STOP_TIMEOUT_S = 3.0

Emit = Callable[["Event | dict[str, Any]"], None]


@dataclass
class SessionStats:
    """What a session did, for its summary line and for benchmarks.

    Attributes:
        batches: inbox batches processed.
        latency_s: per DSP batch: from the arrival of the notification that completed it to
            the hand-off of its events (when it had any: every batch can), s; kept only when
            asked for. The DSP analyses 80 ms of a sensor's samples at a time, so no event can
            come sooner.
        event_batches: batches that produced events.
    """

    events: int = 0
    reps: int = 0
    batches: int = 0
    event_batches: int = 0
    latency_s: list[float] = field(default_factory=list)


class LiveSession:
    """Keeps the `targets` streaming through `central` and emits what the DSP finds."""

    def __init__(
        self,
        central: BleCentral,
        targets: list[SensorTarget],
        emit: Emit,
        *,
        status_every_s: float = STATUS_EVERY_S,
        wait_for_all_s: float = WAIT_FOR_ALL_S,
        measure_latency: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not targets:
            raise ValueError("a session needs at least one sensor")
        roles = [t.role for t in targets]
        if len(set(roles)) != len(roles):
            raise ValueError(f"each role once: got {', '.join(roles)}")
        self.central = central
        self.targets = targets
        self.emit = emit
        self.status_every_s = status_every_s
        self.wait_for_all_s = wait_for_all_s
        self.measure_latency = measure_latency
        self.clock = clock
        self.inbox = PacketInbox()
        self.streams: dict[str, SensorStream] = {}
        self.pipeline: Pipeline | None = None
        self.stats = SessionStats()
        self.supervisors = [
            SensorSupervisor(t, central, self.inbox, self._on_link, clock=clock) for t in targets
        ]
        self._pending: dict[str, list[SensorSamples]] = {}
        self._t0 = clock()
        self._stop_requested = False

    @property
    def started_s(self) -> float:
        """When the session started: host monotonic time, s (session time 0)."""
        return self._t0

    def request_stop(self) -> None:
        """End the session as its duration would (from a signal handler, say): `run` settles
        the DSP, tells what it found and returns."""
        self._stop_requested = True
        self.inbox.wake()

    def calibrate(self) -> None:
        """Take the pelvis baseline again at its next still second (the athlete lies still
        on the back); says so as a note. Before the DSP has started there is nothing to do:
        it takes its first baseline at the first still second anyway."""
        if self.pipeline is None:
            note = "calibrate: the DSP has not started yet; it takes the baseline at the first still second"
        elif not self.pipeline.has_tilt:
            note = "calibrate: no pelvis sensor, no baseline to take"
        else:
            self.pipeline.calibrate()
            note = "calibrating: lie still on your back for a second"
        self.emit({"type": "note", "t_s": self._now_s(), "note": note})

    def session_s(self, monotonic_s: float) -> float:
        """Host monotonic time as session time (seconds since the session started)."""
        return monotonic_s - self._t0

    async def run(self, duration_s: float | None = None) -> SessionStats:
        """Stream until `duration_s` has passed (None: until `request_stop`), then settle the DSP.

        A user-fixable error of a sensor's link (no adapter, no permission) ends the session
        and propagates.
        """
        self._t0 = self.clock()
        tasks = [asyncio.create_task(s.run(), name=f"link-{s.target.role}") for s in self.supervisors]
        try:
            await self._consume(tasks, duration_s)
        finally:
            # Whatever ended the session, what was measured is settled and told.
            await self._stop(tasks)
            self._drain()
            if self.pipeline is not None:
                self._tell(self.pipeline.finish())
            self._status(final=True)
        return self.stats

    async def _consume(self, tasks: list[asyncio.Task[None]], duration_s: float | None) -> None:
        end = None if duration_s is None else self._t0 + duration_s
        next_status = self._t0 + self.status_every_s
        next_drain = self._t0 + DRAIN_EVERY_S
        while True:
            for task in tasks:
                if task.done():
                    task.result()  # a link that gave up raises its error here
            now = self.clock()
            if self._stop_requested or (end is not None and now >= end):
                return
            wake_at = min(next_status, next_drain) if end is None else min(next_status, next_drain, end)
            try:
                async with asyncio.timeout(max(0.0, wake_at - now)):
                    await self.inbox.wait()
            except TimeoutError:
                pass
            self._drain()
            next_drain = self.clock() + DRAIN_EVERY_S
            if self.pipeline is None:
                self._maybe_start_dsp()
            if self.clock() >= next_status:
                self._status()
                next_status += self.status_every_s

    def _drain(self) -> None:
        batch = self.inbox.take()
        if not batch:
            return
        self.stats.batches += 1
        block: dict[str, SensorSamples] = {}
        woken_by = self.inbox.woken_by_s
        self.inbox.woken_by_s = None
        for role, (packets, arrivals) in batch.items():
            stream = self.streams.get(role)
            if stream is None:
                continue
            samples = stream.push(packets, [a - self._t0 for a in arrivals])
            if len(samples):
                block[role] = samples
        if self.pipeline is None:
            for role, samples in block.items():
                self._pending.setdefault(role, []).append(samples)
            return
        events = self.pipeline.process({r: s for r, s in block.items() if r in self.pipeline.rates_hz})
        if events:
            self.stats.event_batches += 1
            self._tell(events)
        if self.measure_latency and woken_by is not None:
            self.stats.latency_s.append(self.clock() - woken_by)

    def _maybe_start_dsp(self) -> None:
        present = [t.role for t in self.targets if t.role in self.streams]
        waited = self.clock() - self._t0 >= self.wait_for_all_s
        if not present or (len(present) < len(self.targets) and not waited):
            return
        for target in self.targets:
            if target.role not in present:
                self.emit(
                    {
                        "type": "sensor",
                        "role": target.role,
                        "state": "missing",
                        "t_s": self._now_s(),
                        "note": f"not found in {self.wait_for_all_s:.0f} s: the session goes on without it",
                    }
                )
        infos = {role: self.streams[role].info for role in present}
        self.pipeline = Pipeline(
            {role: float(info.rate_hz) for role, info in infos.items()},
            gyro_range_dps={role: float(info.gyro_range_dps) for role, info in infos.items()},
        )
        if "pelvis" not in infos:
            self.emit(
                {
                    "type": "note",
                    "t_s": self._now_s(),
                    "note": "no pelvis sensor: reps and tempo only, no tilt analysis",
                }
            )
        pending = {
            role: SensorSamples.concatenate(parts) for role, parts in self._pending.items() if role in infos
        }
        self._pending = {}
        if pending:
            self._tell(self.pipeline.process(pending))

    def _on_link(self, message: LinkMessage) -> None:
        role = message.role
        record: dict[str, Any] = {
            "type": "sensor",
            "role": role,
            "state": message.kind,
            "t_s": round(self.session_s(message.at_s), 3),
        }
        if isinstance(message, SensorConnected):
            stream = self.streams.get(role)
            # Decoding waits for a batch of the DSP's size: see PacketInbox.
            self.inbox.set_batch(role, math.ceil(message.info.rate_hz * BATCH_S))
            if stream is None:
                self.streams[role] = SensorStream(message.info)
            else:
                stream.restart()  # a new epoch: the sensor may have rebooted meanwhile
                stream.reconfigure(message.info)
            record.update(
                address=message.address,
                rate_hz=message.info.rate_hz,
                mtu=message.mtu,
                battery_percent=message.battery_percent,
                connection=message.attempt,
            )
        elif isinstance(message, SensorDisconnected):
            record.update(reason=message.reason)
        else:
            record.update(reason=message.reason, retry_in_s=message.delay_s)
        self.emit(record)

    def _tell(self, events: list[Event]) -> None:
        for event in events:
            self.stats.events += 1
            if event.kind == "rep":
                self.stats.reps += 1
            self.emit(event)

    def _status(self, *, final: bool = False) -> None:
        for role, stream in self.streams.items():
            stats = stream.stats
            clock = stream.clock
            self.emit(
                {
                    "type": "link_summary" if final else "link",
                    "role": role,
                    "t_s": self._now_s(),
                    "rate_hz": round(clock.rate_hz, 3) if clock.fitted_span_s > 0 else None,
                    "loss_percent": round(100.0 * stats.loss_fraction, 2),
                    "packets": stats.packets_received,
                    "packets_lost": stats.packets_lost,
                    "duplicates": stats.duplicates,
                    "malformed": dict(stats.malformed),
                    "samples": stats.samples,
                    "samples_lost": stats.samples_lost,
                    "restarts": stats.restarts,
                    "gaps": stats.gaps,
                }
            )

    def _now_s(self) -> float:
        return round(self.clock() - self._t0, 3)

    async def _stop(self, tasks: list[asyncio.Task[None]]) -> None:
        for supervisor in self.supervisors:
            await supervisor.stop()
        _, running = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)
        for task in tasks:
            if not task.cancelled():
                task.exception()  # retrieved: _consume raised the first one already
