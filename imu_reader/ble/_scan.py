"""`reptempo scan`: the reptempo sensors in range, and what they say about themselves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError

from firmware_ble import protocol_core as core
from imu_reader._errors import InfoDecodeError
from imu_reader.ble._central import BleCentral
from imu_reader.protocol import SensorInfo

FIRMWARE_REVISION_UUID = "00002a26-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"


@dataclass(frozen=True)
class FoundSensor:
    """A sensor seen by a scan; the fields after `rssi_dbm` are None when it could not be read.

    Attributes:
        rssi_dbm: signal strength of its last advertisement, dBm.
        problem: why its details could not be read, or None.
    """

    name: str | None
    address: str
    rssi_dbm: int
    role: str | None = None
    battery_percent: int | None = None
    firmware: str | None = None
    rate_hz: int | None = None
    problem: str | None = None


async def scan_sensors(central: BleCentral, duration_s: float, *, details: bool = True) -> list[FoundSensor]:
    """Every reptempo sensor advertising during `duration_s`; with `details`, each one is then
    connected in turn (one at a time) to read its role, battery and firmware."""
    seen: dict[str, tuple[BLEDevice, AdvertisementData]] = {}
    async with central.scanning() as adverts:
        try:
            async with asyncio.timeout(duration_s):
                async for device, adv in adverts:
                    seen[device.address] = (device, adv)
        except TimeoutError:
            pass
    found = []
    for device, adv in sorted(seen.values(), key=lambda item: item[0].address):
        sensor = FoundSensor(adv.local_name, device.address, adv.rssi)
        if details:
            sensor = await _details(central, device, sensor)
        found.append(sensor)
    return found


async def _details(central: BleCentral, device: BLEDevice, sensor: FoundSensor) -> FoundSensor:
    try:
        async with central.connect_lock, central.client(device, timeout_s=10.0) as client:
            info = SensorInfo.from_bytes(bytes(await client.read_gatt_char(core.INFO_CHAR_UUID)))
            battery = bytes(await client.read_gatt_char(BATTERY_LEVEL_UUID))
            firmware = bytes(await client.read_gatt_char(FIRMWARE_REVISION_UUID)).decode("utf-8", "replace")
    except (BleakError, TimeoutError, OSError, InfoDecodeError) as error:
        return FoundSensor(
            sensor.name, sensor.address, sensor.rssi_dbm, problem=str(error) or type(error).__name__
        )
    return FoundSensor(
        sensor.name,
        sensor.address,
        sensor.rssi_dbm,
        info.role,
        battery[0] if battery else None,
        firmware,
        info.rate_hz,
    )
