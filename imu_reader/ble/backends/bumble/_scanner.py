"""bleak's scanner interface on a bumble adapter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement
from bumble.hci import Address

from imu_reader.ble.backends.bumble._adapter import BumbleAdapter
from imu_reader.ble.backends.bumble._uuids import bleak_uuid

_UUID_LISTS = (
    AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
)


@dataclass(frozen=True)
class BumbleDeviceDetails:
    """What a `BumbleClient` needs to connect to a device a `BumbleScanner` found."""

    adapter: BumbleAdapter
    address: Address


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else None


def advertisement_data(advertisement: Advertisement) -> AdvertisementData:
    """bumble's advertisement as bleak's `AdvertisementData`."""
    data = advertisement.data
    name = _text(data.get(AdvertisingData.COMPLETE_LOCAL_NAME)) or _text(
        data.get(AdvertisingData.SHORTENED_LOCAL_NAME)
    )
    uuids: list[str] = []
    for kind in _UUID_LISTS:
        for value in data.get_all(kind):
            uuids += [
                bleak_uuid(u) for u in (value if isinstance(value, list) else [value]) if isinstance(u, UUID)
            ]
    uuids = list(dict.fromkeys(uuids))  # an advertisement and its scan response may both list one
    manufacturer: dict[int, bytes] = {}
    for value in data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA):
        if isinstance(value, tuple) and len(value) == 2:
            manufacturer[int(value[0])] = bytes(value[1])
    tx_power = advertisement.tx_power
    return AdvertisementData(
        local_name=name,
        manufacturer_data=manufacturer,
        service_data={},
        service_uuids=uuids,
        tx_power=None if tx_power == Advertisement.TX_POWER_NOT_AVAILABLE else tx_power,
        rssi=advertisement.rssi,
        platform_data=(advertisement,),
    )


class BumbleScanner(BaseBleakScanner):
    """Scans through a `BumbleAdapter`: `BleakScanner(backend=BumbleScanner, bumble=adapter)`."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: Literal["active", "passive"] = "active",
        *,
        bumble: BumbleAdapter | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        if bumble is None:
            raise TypeError("BumbleScanner needs bumble=BumbleAdapter(...)")
        self.adapter = bumble
        self._token = object()

    async def start(self) -> None:
        self.seen_devices = {}
        await self.adapter.add_scan_listener(self._token, self._on_advertisement)

    async def stop(self) -> None:
        await self.adapter.remove_scan_listener(self._token)

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        adv = advertisement_data(advertisement)
        if not self.is_allowed_uuid(adv.service_uuids):
            return
        address = advertisement.address.to_string(with_type_qualifier=False)
        details = BumbleDeviceDetails(self.adapter, advertisement.address)
        device = self.create_or_update_device(address, address, adv.local_name, details, adv)
        self.call_detection_callbacks(device, adv)
