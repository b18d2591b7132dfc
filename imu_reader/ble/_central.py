"""The host's side of the radio: which bleak backend, and the rules every sensor link obeys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from firmware_ble import protocol_core as core
from imu_reader.ble.backends.bumble import BumbleAdapter, BumbleClient, BumbleScanner

PLATFORM = "platform"
BUMBLE_PREFIX = "bumble:"


def check_backend_spec(spec: str) -> str:
    """`platform` (bleak's own backend for this OS) or `bumble:TRANSPORT`; ValueError otherwise."""
    if spec == PLATFORM:
        return spec
    if spec.startswith(BUMBLE_PREFIX) and len(spec) > len(BUMBLE_PREFIX):
        return spec
    raise ValueError(
        f"expected 'platform' or 'bumble:TRANSPORT' (e.g. bumble:tcp-client:127.0.0.1:9100), got {spec!r}"
    )


class BleCentral:
    """A bleak backend and the locks that make several sensors share one controller.

    Sensors are found one scan at a time and connected one at a time: two scans on one
    controller starve each other, and a controller refuses a second connection while one is
    pending (seen with bumble's; BlueZ queues them, slowly).
    """

    def __init__(self, backend: str = PLATFORM) -> None:
        self.backend = check_backend_spec(backend)
        self.adapter = BumbleAdapter(backend[len(BUMBLE_PREFIX) :]) if backend != PLATFORM else None
        self.scan_lock = asyncio.Lock()
        self.connect_lock = asyncio.Lock()

    def scanner_kwargs(self) -> dict[str, Any]:
        if self.adapter is None:
            return {}
        return {"backend": BumbleScanner, "bumble": self.adapter}

    def client_kwargs(self) -> dict[str, Any]:
        if self.adapter is None:
            return {}
        return {"backend": BumbleClient, "bumble": self.adapter}

    def scanner(self) -> BleakScanner:
        """A scanner for reptempo sensors (by their service UUID)."""
        return BleakScanner(service_uuids=[core.SERVICE_UUID], **self.scanner_kwargs())

    def client(
        self,
        device: BLEDevice,
        *,
        timeout_s: float,
        on_disconnect: Callable[[BleakClient], None] | None = None,
    ) -> BleakClient:
        """A new client for `device` (never reused: see SensorSupervisor)."""
        return BleakClient(device, on_disconnect, timeout=timeout_s, **self.client_kwargs())

    @asynccontextmanager
    async def scanning(self) -> AsyncIterator[AsyncIterator[tuple[BLEDevice, AdvertisementData]]]:
        """Advertisements of reptempo sensors while the block runs, one scan at a time."""
        async with self.scan_lock, self.scanner() as scanner:
            yield scanner.advertisement_data()

    async def close(self) -> None:
        if self.adapter is not None:
            await self.adapter.close()
