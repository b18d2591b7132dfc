"""bleak's client interface on a bumble adapter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from bleak.args import SizedBuffer
from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError, BleakGATTProtocolError
from bumble import core, gatt_client
from bumble.att import ATT_Error
from bumble.device import Connection, Peer
from bumble.gatt import Characteristic
from bumble.hci import HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR, Address

from imu_reader.ble.backends.bumble._adapter import BumbleAdapter
from imu_reader.ble.backends.bumble._scanner import BumbleDeviceDetails
from imu_reader.ble.backends.bumble._uuids import bleak_uuid

PREFERRED_MTU = 247
"""The largest ATT MTU a notification needs: 244 bytes of payload (docs/protocol.md 3.3)."""

_PROPERTY_NAMES: dict[Characteristic.Properties, CharacteristicPropertyName] = {
    Characteristic.Properties.BROADCAST: "broadcast",
    Characteristic.Properties.READ: "read",
    Characteristic.Properties.WRITE_WITHOUT_RESPONSE: "write-without-response",
    Characteristic.Properties.WRITE: "write",
    Characteristic.Properties.NOTIFY: "notify",
    Characteristic.Properties.INDICATE: "indicate",
    Characteristic.Properties.AUTHENTICATED_SIGNED_WRITES: "authenticated-signed-writes",
    Characteristic.Properties.EXTENDED_PROPERTIES: "extended-properties",
}


@asynccontextmanager
async def _bleak_errors(what: str) -> AsyncIterator[None]:
    """bumble's errors as bleak's, so that callers handle one family."""
    try:
        yield
    except ATT_Error as error:
        raise BleakGATTProtocolError(error.error_code) from error
    except (core.BaseBumbleError, TimeoutError) as error:
        raise BleakError(f"{what}: {error or type(error).__name__}") from error


class BumbleClient(BaseBleakClient):
    """Connects through a `BumbleAdapter`.

    `BleakClient(device, backend=BumbleClient)` for a device a `BumbleScanner` found, or
    `BleakClient("C0:52:54:00:00:01", backend=BumbleClient, bumble=adapter)` by address.
    """

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None,
        timeout: float,
        bumble: BumbleAdapter | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        details = address_or_ble_device.details if isinstance(address_or_ble_device, BLEDevice) else None
        if isinstance(details, BumbleDeviceDetails):
            self.adapter = details.adapter
            self._peer_address = details.address
        elif bumble is not None:
            self.adapter = bumble
            self._peer_address = Address(self.address, Address.RANDOM_DEVICE_ADDRESS)
        else:
            raise TypeError(
                "BumbleClient needs a device found by BumbleScanner, or bumble=BumbleAdapter(...)"
            )
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._subscribers: dict[int, Callable[[bytes], None]] = {}
        self._disconnected = asyncio.Event()

    @property
    def name(self) -> str:
        return self.address

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        if pair:
            raise BleakError("the bumble backend does not pair (reptempo sensors need no pairing)")
        device = await self.adapter.device()
        async with _bleak_errors(f"could not connect to {self.address}"):
            # One connection attempt at a time per controller (it refuses a second one).
            async with self.adapter.connect_lock:
                connection = await device.connect(self._peer_address, timeout=self._timeout)
            self._connection = connection
            self._disconnected.clear()
            connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
            try:
                peer = Peer(connection)
                await peer.request_mtu(PREFERRED_MTU)
                self.services = await self._discover(peer)
                self._peer = peer
            except BaseException:
                await self.disconnect()
                raise

    async def _discover(self, peer: Peer) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        await peer.discover_services()
        for service in peer.services:
            await service.discover_characteristics()
            bleak_service = BleakGATTService(service, service.handle, bleak_uuid(service.uuid))
            collection.add_service(bleak_service)
            for characteristic in service.characteristics:
                await characteristic.discover_descriptors()
                names = [name for flag, name in _PROPERTY_NAMES.items() if characteristic.properties & flag]
                bleak_characteristic = BleakGATTCharacteristic(
                    characteristic,
                    characteristic.handle,
                    bleak_uuid(characteristic.uuid),
                    names,
                    lambda: self.mtu_size - 3,
                    bleak_service,
                )
                collection.add_characteristic(bleak_characteristic)
                for descriptor in characteristic.descriptors:
                    collection.add_descriptor(
                        BleakGATTDescriptor(
                            descriptor, descriptor.handle, bleak_uuid(descriptor.type), bleak_characteristic
                        )
                    )
        return collection

    def _on_disconnection(self, _reason: int) -> None:
        self._connection = None
        self._peer = None
        self._subscribers.clear()
        self._disconnected.set()
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        connection = self._connection
        if connection is None:
            return
        # The callback is for unsolicited disconnections only.
        self._disconnected_callback = None
        try:
            async with _bleak_errors(f"could not disconnect from {self.address}"):
                await connection.disconnect(HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR)
        finally:
            if self._connection is connection:
                self._on_disconnection(HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR)

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise BleakError("the bumble backend does not pair (reptempo sensors need no pairing)")

    async def unpair(self) -> None:
        raise BleakError("the bumble backend does not pair (reptempo sensors need no pairing)")

    def _connected_peer(self) -> Peer:
        if self._peer is None:
            raise BleakError(f"not connected to {self.address}")
        return self._peer

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        self._connected_peer()
        proxy: gatt_client.CharacteristicProxy[bytes] = characteristic.obj
        async with _bleak_errors(f"could not read {characteristic.uuid}"):
            return bytearray(await proxy.read_value())

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        self._connected_peer()
        proxy: gatt_client.DescriptorProxy = descriptor.obj
        async with _bleak_errors(f"could not read descriptor {descriptor.uuid}"):
            return bytearray(await proxy.read_value())

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        self._connected_peer()
        proxy: gatt_client.CharacteristicProxy[bytes] = characteristic.obj
        async with _bleak_errors(f"could not write {characteristic.uuid}"):
            await proxy.write_value(bytes(data), with_response=response)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
        self._connected_peer()
        proxy: gatt_client.DescriptorProxy = descriptor.obj
        async with _bleak_errors(f"could not write descriptor {descriptor.uuid}"):
            await proxy.write_value(bytes(data), with_response=True)

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        peer = self._connected_peer()
        if characteristic.handle in self._subscribers:
            raise BleakError(f"notifications on {characteristic.uuid} are already started")

        def subscriber(value: bytes) -> None:
            callback(bytearray(value))

        proxy: gatt_client.CharacteristicProxy[bytes] = characteristic.obj
        async with _bleak_errors(f"could not start notifications on {characteristic.uuid}"):
            await peer.subscribe(proxy, subscriber, prefer_notify=True)
        self._subscribers[characteristic.handle] = subscriber

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        peer = self._connected_peer()
        subscriber = self._subscribers.pop(characteristic.handle, None)
        if subscriber is None:
            return
        proxy: gatt_client.CharacteristicProxy[bytes] = characteristic.obj
        async with _bleak_errors(f"could not stop notifications on {characteristic.uuid}"):
            await peer.unsubscribe(proxy, subscriber)
