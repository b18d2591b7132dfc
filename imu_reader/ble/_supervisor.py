"""One sensor's link, kept up: find, connect, subscribe, start; after a break, all again.

Each attempt uses a new `BleakClient`; the old one is disconnected and dropped first.
Users of bleak report notifications arriving twice, and "notifications already started"
errors, when a client is left behind across a reconnect (bleak issues #2002 and #1969).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError

from firmware_ble import protocol_core as core
from imu_reader._errors import InfoDecodeError
from imu_reader.ble._advice import advice_for
from imu_reader.ble._central import BleCentral
from imu_reader.ble._inbox import PacketInbox
from imu_reader.ble._messages import LinkMessage, SensorConnected, SensorDisconnected, SensorRetrying
from imu_reader.protocol import SensorInfo

logger = logging.getLogger(__name__)

BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"
FIRST_RETRY_S = 0.25
LAST_RETRY_S = 4.0
SCAN_S = 10.0
"""How long one attempt looks for the sensor: it connects as soon as the sensor is seen."""
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class SensorTarget:
    """Which sensor to keep connected: by role (its advertised name), or by address too.

    Attributes:
        role: shin, pelvis, shin_left or shin_right.
        address: the sensor's address; None takes the first sensor advertising the role.
        rate_hz: a rate to set on connecting; None keeps the sensor's own.
    """

    role: str
    address: str | None = None
    rate_hz: int | None = None

    def __post_init__(self) -> None:
        if self.role not in core.ROLES:
            raise ValueError(f"unknown role {self.role!r}: expected one of {', '.join(core.ROLES)}")
        if self.rate_hz is not None and self.rate_hz not in core.RATES_HZ:
            raise ValueError(f"unsupported rate {self.rate_hz} Hz: expected one of {core.RATES_HZ}")

    def matches(self, device: BLEDevice, local_name: str | None) -> bool:
        if self.address is not None:
            return device.address.upper() == self.address.upper()
        return local_name == f"reptempo-{self.role}"


class SensorSupervisor:
    """Keeps one sensor streaming into `inbox` until cancelled or `stop()`ped.

    Every change of the link goes to `report`; packets go to `inbox` with their
    `clock()` arrival time.
    """

    def __init__(
        self,
        target: SensorTarget,
        central: BleCentral,
        inbox: PacketInbox,
        report: Callable[[LinkMessage], None],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        self.central = central
        self.inbox = inbox
        self.report = report
        self.clock = clock
        self.connections = 0
        self.client: BleakClient | None = None
        self._broken = asyncio.Event()
        self._stopping = False

    async def run(self) -> None:
        """Connect, stream, and reconnect after every break, backing off while it fails.

        Raises UserFixableError when retrying cannot help (no adapter, no permission).
        """
        delay_s = FIRST_RETRY_S
        while not self._stopping:
            try:
                device = await self._find()
                if device is None:
                    who = self.target.address or f"reptempo-{self.target.role}"
                    reason = (
                        f"{who} not seen for {SCAN_S:.0f} s: is it switched on, charged and within a few "
                        "metres? (a sensor connected to another app does not advertise)"
                    )
                else:
                    await self._stream(device)
                    delay_s = FIRST_RETRY_S  # it worked for a while: start backing off afresh
                    if not self._stopping:
                        await asyncio.sleep(delay_s)
                    continue
            except (BleakError, TimeoutError, OSError, InfoDecodeError) as error:
                fixable = advice_for(error)
                if fixable is not None:
                    raise fixable from error
                reason = str(error) or type(error).__name__
            if self._stopping:
                break
            self.report(SensorRetrying(self.target.role, self.clock(), delay_s, reason))
            await asyncio.sleep(delay_s)
            delay_s = min(LAST_RETRY_S, 2 * delay_s)

    async def stop(self) -> None:
        """Ask the sensor to stop and disconnect (what `run` does next is to return)."""
        self._stopping = True
        self._broken.set()

    async def _find(self) -> BLEDevice | None:
        try:
            async with asyncio.timeout(SCAN_S), self.central.scanning() as adverts:
                async for device, adv in adverts:
                    if self.target.matches(device, adv.local_name):
                        return device
        except TimeoutError:
            pass
        return None

    async def _stream(self, device: BLEDevice) -> None:
        self._broken.clear()
        client = self.central.client(device, timeout_s=CONNECT_TIMEOUT_S, on_disconnect=self._on_disconnect)
        self.client = client
        reported = False
        reason = "the stream did not start"
        try:
            async with self.central.connect_lock:
                await client.connect()
            info = await self._configure(client)
            battery = await self._battery(client)
            role = self.target.role

            def on_packet(_sender: object, data: bytearray) -> None:
                self.inbox.put(role, bytes(data), self.clock())

            # Reported before the stream starts, so that the first packets find their decoder.
            self.connections += 1
            reported = True
            self.report(
                SensorConnected(
                    role, device.address, info, self.clock(), self.connections, client.mtu_size, battery
                )
            )
            await client.start_notify(core.DATA_CHAR_UUID, on_packet)
            await client.write_gatt_char(
                core.CONTROL_CHAR_UUID, core.pack_control(core.CMD_START), response=True
            )
            await self._broken.wait()
            reason = "stopped" if self._stopping else "link lost"
        finally:
            await self._dispose(client)
            if reported:
                self.report(SensorDisconnected(self.target.role, self.clock(), reason))

    async def _configure(self, client: BleakClient) -> SensorInfo:
        info = SensorInfo.from_bytes(bytes(await client.read_gatt_char(core.INFO_CHAR_UUID)))
        if info.role != self.target.role:
            raise BleakError(
                f"the sensor at {client.address} is a {info.role} sensor, not {self.target.role}"
            )
        rate = self.target.rate_hz
        if rate is not None and info.rate_hz != rate:
            command = core.pack_control(core.CMD_SET_RATE, rate)
            await client.write_gatt_char(core.CONTROL_CHAR_UUID, command, response=True)
            info = SensorInfo.from_bytes(bytes(await client.read_gatt_char(core.INFO_CHAR_UUID)))
            if info.rate_hz != rate:
                raise BleakError(
                    f"the {info.role} sensor refused the rate {rate} Hz (it runs at {info.rate_hz} Hz)"
                )
        return info

    async def _battery(self, client: BleakClient) -> int | None:
        try:
            return int(bytes(await client.read_gatt_char(BATTERY_LEVEL_UUID))[0])
        except (BleakError, IndexError):
            return None

    def _on_disconnect(self, _client: BleakClient) -> None:
        self._broken.set()

    async def _dispose(self, client: BleakClient) -> None:
        """Stop the sensor if it still listens, then disconnect; the client is not used again."""
        self.client = None
        if not client.is_connected:
            return
        try:
            await client.write_gatt_char(
                core.CONTROL_CHAR_UUID, core.pack_control(core.CMD_STOP), response=True
            )
            await client.stop_notify(core.DATA_CHAR_UUID)
        except (BleakError, TimeoutError, OSError) as error:
            logger.debug("%s: stopping the stream failed: %s", self.target.role, error)
        try:
            await client.disconnect()
        except (BleakError, TimeoutError, OSError) as error:
            logger.debug("%s: disconnect failed: %s", self.target.role, error)
