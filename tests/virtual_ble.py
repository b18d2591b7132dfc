"""A virtual BLE link for tests: emulated sensors served over TCP, and a central on it.

Everything here is real bumble (controllers, link, HCI over TCP) and bleak's public API
on our bumble backend; nothing is mocked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import numpy as np

from imu_reader.ble import BleCentral
from imu_reader.ble.emulator import LinkFaults, SensorSamples, VirtualLink, emulate
from imu_reader.protocol import SensorInfo
from imu_reader.sim import SessionPlan, SetPlan, SimSettings, Simulation, simulate

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T], timeout_s: float = 300.0) -> T:
    """Run a test's coroutine on a new event loop, with a limit."""

    async def limited() -> T:
        async with asyncio.timeout(timeout_s):
            return await coroutine

    return asyncio.run(limited())


def still_samples(seconds: float = 60.0, rate_hz: float = 100.0) -> SensorSamples:
    """A sensor lying still: 1 g on z, a little noise."""
    rng = np.random.default_rng(7)
    raw = np.zeros((round(seconds * rate_hz), 6), dtype=np.int16)
    raw[:, 2] = 4096  # 1 g at +-8 g full scale
    raw += rng.integers(-3, 4, size=raw.shape).astype(np.int16)
    return SensorSamples(raw, rate_hz)


def workout(
    exercise: str = "straight_leg_lift", reps: int = 5, *, seed: int = 1, **settings: Any
) -> Simulation:
    plan = SessionPlan(sets=(SetPlan(exercise, reps=reps),), seed=seed)
    return simulate(SimSettings(plan, **settings))


@asynccontextmanager
async def served(link: VirtualLink) -> AsyncIterator[BleCentral]:
    """Start `link`'s sensors and serve it on a free port; a central on it (bumble backend)."""
    host, port = await link.serve("127.0.0.1", 0)
    await link.start()
    central = BleCentral(f"bumble:tcp-client:{host}:{port}")
    try:
        yield central
    finally:
        await central.close()
        await link.close()


@asynccontextmanager
async def emulated(
    sim: Simulation, faults: dict[str, LinkFaults] | None = None
) -> AsyncIterator[tuple[VirtualLink, BleCentral]]:
    link = emulate(sim, faults)
    async with served(link) as central:
        yield link, central


def still_link(roles: tuple[str, ...] = ("shin",), rate_hz: int = 100) -> VirtualLink:
    link = VirtualLink()
    for role in roles:
        link.add_sensor(
            SensorInfo(role, rate_hz, 8, 1000, "emulator", "1.0.0"), still_samples(rate_hz=rate_hz)
        )
    return link
