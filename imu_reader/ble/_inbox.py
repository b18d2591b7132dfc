"""Where notification callbacks leave packets for the session: nothing more happens there."""

from __future__ import annotations

import asyncio

from firmware_ble import protocol_core as core


class PacketInbox:
    """Packets with their host arrival times, per sensor, and a wake-up for their reader.

    `put` is all a notification callback does (bleak calls it on the event loop), so the
    radio's callbacks never wait for decoding or the DSP. The reader is woken when a sensor
    has `batch_samples` waiting (by default at every packet): decoding costs about the
    same for one packet as for ten, and the DSP analyses no less than a batch anyway.
    """

    def __init__(self) -> None:
        self._packets: dict[str, list[bytes]] = {}
        self._arrivals: dict[str, list[float]] = {}
        self._waiting: dict[str, int] = {}
        self._batch: dict[str, int] = {}
        self._ready = asyncio.Event()
        self.woken_by_s: float | None = None
        """Arrival time of the packet that completed the batch that woke the reader last."""

    def set_batch(self, role: str, samples: int) -> None:
        """Wake the reader when `role` has `samples` samples waiting (1: at every packet)."""
        self._batch[role] = max(1, samples)

    def put(self, role: str, packet: bytes, arrival_s: float) -> None:
        self._packets.setdefault(role, []).append(packet)
        self._arrivals.setdefault(role, []).append(arrival_s)
        waiting = self._waiting.get(role, 0) + max(
            1, (len(packet) - core.DATA_HEADER_SIZE) // core.SAMPLE_SIZE
        )
        self._waiting[role] = waiting
        if waiting >= self._batch.get(role, 1) and not self._ready.is_set():
            self.woken_by_s = arrival_s
            self._ready.set()

    @property
    def ready(self) -> bool:
        """A sensor has a batch waiting (the reader would be woken)."""
        return self._ready.is_set()

    def wake(self) -> None:
        """Wake the reader now, batch or not (to tell it something else)."""
        self._ready.set()

    async def wait(self) -> None:
        """Until a sensor has a batch waiting."""
        await self._ready.wait()

    def take(self) -> dict[str, tuple[list[bytes], list[float]]]:
        """Every waiting packet, per sensor in arrival order; the inbox is empty after."""
        out = {role: (packets, self._arrivals[role]) for role, packets in self._packets.items() if packets}
        self._packets = {}
        self._arrivals = {}
        self._waiting = {}
        self._ready.clear()
        return out
