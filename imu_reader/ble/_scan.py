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


async def configure_sensor(
    central: BleCentral,
    address: str,
    *,
    role: str | None = None,
    identify_s: int | None = None,
    timeout_s: float = 5.0,
) -> SensorInfo:
    """Connect to the sensor at `address`, send it SET_ROLE and/or IDENTIFY, and return its
    info read back (a sensor ignores what it cannot do: the info says what it did).

    Raises ValueError for a role or duration the protocol cannot carry, BleakError if the
    sensor is not found or the link fails.
    """
    commands = []
    if role is not None:
        if role not in core.ROLES:
            raise ValueError(f"unknown role {role!r}: expected one of {', '.join(core.ROLES)}")
        commands.append(core.pack_control(core.CMD_SET_ROLE, core.ROLES.index(role)))
    if identify_s is not None:
        if not 0 <= identify_s <= 255:
            raise ValueError(f"identify takes 0 to 255 s, got {identify_s}")
        commands.append(core.pack_control(core.CMD_IDENTIFY, identify_s))
    device = None
    async with central.scanning() as adverts:
        try:
            async with asyncio.timeout(timeout_s):
                async for found, _adv in adverts:
                    if found.address.upper() == address.upper():
                        device = found
                        break
        except TimeoutError:
            pass
    if device is None:
        raise BleakError(f"no reptempo sensor at {address} seen for {timeout_s:g} s")
    async with central.connect_lock, central.client(device, timeout_s=10.0) as client:
        for command in commands:
            await client.write_gatt_char(core.CONTROL_CHAR_UUID, command, response=True)
        return SensorInfo.from_bytes(bytes(await client.read_gatt_char(core.INFO_CHAR_UUID)))
