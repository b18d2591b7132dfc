"""Where notification callbacks leave packets for the session: nothing more happens there."""

from __future__ import annotations

import asyncio


class PacketInbox:
    """Packets with their host arrival times, per sensor, and a wake-up for their reader.

    `put` is all a notification callback does (bleak calls it on the event loop), so the
    radio's callbacks never wait for decoding or the DSP.
    """

    def __init__(self) -> None:
        self._packets: dict[str, list[bytes]] = {}
        self._arrivals: dict[str, list[float]] = {}
        self._ready = asyncio.Event()

    def put(self, role: str, packet: bytes, arrival_s: float) -> None:
        self._packets.setdefault(role, []).append(packet)
        self._arrivals.setdefault(role, []).append(arrival_s)
        self._ready.set()

    async def wait(self) -> None:
        """Until at least one packet is waiting."""
        await self._ready.wait()

    def take(self) -> dict[str, tuple[list[bytes], list[float]]]:
        """Every waiting packet, per sensor in arrival order; the inbox is empty after."""
        out = {role: (packets, self._arrivals[role]) for role, packets in self._packets.items() if packets}
        self._packets = {}
        self._arrivals = {}
        self._ready.clear()
        return out
