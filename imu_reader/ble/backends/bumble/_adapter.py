"""One bumble host on one HCI transport, shared by every scanner and client of a session."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable

from bleak.exc import BleakError
from bumble.core import BaseBumbleError
from bumble.device import Advertisement, Device
from bumble.hci import Address
from bumble.transport import open_transport
from bumble.transport.common import Transport

logger = logging.getLogger(__name__)

AdvertisementListener = Callable[[Advertisement], None]


class BumbleAdapter:
    """A Bluetooth adapter driven by bumble over `transport` (any bumble transport spec:
    `tcp-client:127.0.0.1:9100` for the virtual link, `usb:0` for a USB dongle...).

    It opens on first use. Connections are made one at a time and scans are shared:
    a bumble controller refuses a second connection while one is pending
    (COMMAND_DISALLOWED), and two scans on one controller starve each other.
    """

    def __init__(self, transport: str) -> None:
        self.transport_spec = transport
        self.connect_lock = asyncio.Lock()
        self._open_lock = asyncio.Lock()
        self._transport: Transport | None = None
        self._device: Device | None = None
        self._listeners: dict[object, AdvertisementListener] = {}
        self._scan_lock = asyncio.Lock()

    async def device(self) -> Device:
        """The bumble device (host), powered on; opens the transport on first use."""
        async with self._open_lock:
            if self._device is None:
                try:
                    transport = await open_transport(self.transport_spec)
                except (OSError, ValueError) as error:
                    raise BleakError(
                        f"cannot open the bumble transport {self.transport_spec!r}: {error}"
                    ) from error
                address = Address.generate_static_address()
                device = Device.with_hci(
                    f"reptempo-{secrets.token_hex(2)}", address, transport.source, transport.sink
                )
                try:
                    await asyncio.wait_for(device.power_on(), 10.0)
                except (TimeoutError, OSError) as error:
                    await transport.close()
                    raise BleakError(
                        f"no Bluetooth controller answers on {self.transport_spec!r}: {error or 'timed out'}"
                    ) from error
                device.on(device.EVENT_ADVERTISEMENT, self._on_advertisement)
                self._transport = transport
                self._device = device
                transport.source.terminated.add_done_callback(lambda _: self._lost(transport))
            return self._device

    def _lost(self, transport: Transport) -> None:
        """The transport went away (a dongle unplugged, the virtual link ended): the next
        use opens it again, and says so if it cannot."""
        if self._transport is transport:
            logger.info("the bumble transport %s was lost", self.transport_spec)
            self._device = self._transport = None
            self._listeners.clear()

    @property
    def is_open(self) -> bool:
        return self._device is not None

    async def close(self) -> None:
        """Power off and close the transport (connections end)."""
        async with self._open_lock:
            device, transport = self._device, self._transport
            self._device = self._transport = None
            self._listeners.clear()
            if device is not None:
                try:
                    await asyncio.wait_for(device.power_off(), 2.0)
                except (TimeoutError, OSError, BleakError) as error:  # closing anyway
                    logger.debug("power off failed: %s", error)
            if transport is not None:
                await transport.close()

    async def add_scan_listener(self, token: object, listener: AdvertisementListener) -> None:
        """Deliver advertisements to `listener` until `remove_scan_listener(token)`;
        the controller scans while anyone listens."""
        device = await self.device()
        async with self._scan_lock:
            self._listeners[token] = listener
            if not device.is_scanning:
                try:
                    await device.start_scanning(filter_duplicates=False)
                except BaseBumbleError as error:
                    self._listeners.pop(token, None)
                    raise BleakError(f"could not scan on {self.transport_spec!r}: {error}") from error

    async def remove_scan_listener(self, token: object) -> None:
        async with self._scan_lock:
            self._listeners.pop(token, None)
            device = self._device
            if not self._listeners and device is not None and device.is_scanning:
                try:
                    await device.stop_scanning()
                except BaseBumbleError as error:  # the transport is gone: nothing scans any more
                    logger.debug("stop scanning failed: %s", error)

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        for listener in list(self._listeners.values()):
            listener(advertisement)
