"""Our bleak backend on bumble, against emulated sensors on a virtual link, through bleak's
public API (`BleakScanner`, `BleakClient`) as the application uses it. No mocks."""

from __future__ import annotations

import asyncio

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakError

from firmware_ble import protocol_core as core
from imu_reader.ble import BleCentral, configure_sensor, scan_sensors
from imu_reader.ble.backends.bumble import BumbleAdapter, BumbleClient, BumbleScanner
from imu_reader.protocol import SensorInfo
from tests.virtual_ble import run, served, still_link

BATTERY = "00002a19-0000-1000-8000-00805f9b34fb"
FIRMWARE = "00002a26-0000-1000-8000-00805f9b34fb"
MODEL = "00002a24-0000-1000-8000-00805f9b34fb"


def test_scan_finds_sensors_by_service_uuid_with_name_and_rssi() -> None:
    async def scenario() -> tuple[list[tuple[str, str | None, list[str], int]], int]:
        async with served(still_link(("shin", "pelvis"))) as central:
            found = await BleakScanner.discover(
                timeout=0.3, return_adv=True, service_uuids=[core.SERVICE_UUID], **central.scanner_kwargs()
            )
            other = await BleakScanner.discover(
                timeout=0.3,
                service_uuids=["0000feed-0000-1000-8000-00805f9b34fb"],
                **central.scanner_kwargs(),
            )
            rows = [(d.address, a.local_name, a.service_uuids, a.rssi) for d, a in found.values()]
            return sorted(rows), len(other)

    rows, others = run(scenario())
    assert [(address, name) for address, name, _, _ in rows] == [
        ("C0:52:54:00:00:01", "reptempo-shin"),
        ("C0:52:54:00:00:02", "reptempo-pelvis"),
    ]
    assert all(uuids == [core.SERVICE_UUID] for _, _, uuids, _ in rows)
    assert all(-127 <= rssi <= 20 for _, _, _, rssi in rows)
    assert others == 0


def test_client_discovers_the_gatt_layout_and_reads_the_sensor() -> None:
    async def scenario() -> dict[str, object]:
        async with served(still_link(("pelvis",))) as central:
            device = await BleakScanner.find_device_by_address(
                "C0:52:54:00:00:01", timeout=2.0, **central.scanner_kwargs()
            )
            assert device is not None
            async with BleakClient(device, backend=BumbleClient) as client:
                service = client.services.get_service(core.SERVICE_UUID)
                assert service is not None
                props = {c.uuid: sorted(c.properties) for c in service.characteristics}
                data = service.get_characteristic(core.DATA_CHAR_UUID)
                assert data is not None
                return {
                    "props": props,
                    "cccd": [d.uuid for d in data.descriptors],
                    "info": SensorInfo.from_bytes(bytes(await client.read_gatt_char(core.INFO_CHAR_UUID))),
                    "battery": bytes(await client.read_gatt_char(BATTERY)),
                    "firmware": bytes(await client.read_gatt_char(FIRMWARE)).decode(),
                    "model": bytes(await client.read_gatt_char(MODEL)).decode(),
                    "mtu": client.mtu_size,
                    "backend": client.backend_id,
                }

    got = run(scenario())
    assert got["props"] == {
        core.DATA_CHAR_UUID: ["notify"],
        core.CONTROL_CHAR_UUID: ["write"],
        core.INFO_CHAR_UUID: ["read"],
    }
    assert got["cccd"] == ["00002902-0000-1000-8000-00805f9b34fb"]
    assert got["info"] == SensorInfo("pelvis", 100, 8, 1000, "emulator", "1.0.0")
    assert got["battery"] == bytes([100])
    assert got["firmware"] == "1.0.0"
    assert got["model"] == "reptempo-emulator"
    assert got["mtu"] == 247
    assert got["backend"] == "BumbleClient"


def test_notifications_flow_after_start_and_stop_after_stop() -> None:
    async def scenario() -> tuple[int, int, int, list[int]]:
        link = still_link(("shin",))
        async with served(link) as central:
            client = BleakClient("C0:52:54:00:00:01", backend=BumbleClient, bumble=central.adapter)
            await client.connect()
            packets: list[bytes] = []
            await client.start_notify(core.DATA_CHAR_UUID, lambda _c, data: packets.append(bytes(data)))
            await asyncio.sleep(0.3)
            before_start = len(packets)
            await client.write_gatt_char(
                core.CONTROL_CHAR_UUID, core.pack_control(core.CMD_START), response=True
            )
            await asyncio.sleep(1.0)
            await client.write_gatt_char(
                core.CONTROL_CHAR_UUID, core.pack_control(core.CMD_STOP), response=True
            )
            await asyncio.sleep(0.1)
            streamed = len(packets)
            await asyncio.sleep(0.5)
            after_stop = len(packets) - streamed
            await client.disconnect()
            sequences = [core.unpack_data(p)[0] for p in packets]
            samples = sum(len(core.unpack_data(p)[2]) // 6 for p in packets)
            return before_start, samples, after_stop, sequences

    before_start, samples, after_stop, sequences = run(scenario())
    assert before_start == 0
    assert 80 <= samples <= 115  # a second at 100 Hz, less what was still held at STOP
    assert after_stop == 0
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))


def test_invalid_commands_are_ignored_and_valid_ones_change_the_info() -> None:
    async def scenario() -> tuple[SensorInfo, SensorInfo, int, str | None]:
        link = still_link(("shin",))
        async with served(link) as central:
            async with BleakClient(
                "C0:52:54:00:00:01", backend=BumbleClient, bumble=central.adapter
            ) as client:
                for bad in (b"", b"\x09", b"\x03\x10\x00", b"\x04\x07", b"\x01\x00"):
                    await client.write_gatt_char(core.CONTROL_CHAR_UUID, bad, response=True)
                unchanged = SensorInfo.from_bytes(bytes(await client.read_gatt_char(core.INFO_CHAR_UUID)))
                await client.write_gatt_char(
                    core.CONTROL_CHAR_UUID, core.pack_control(core.CMD_SET_RATE, 200), response=True
                )
                await client.write_gatt_char(
                    core.CONTROL_CHAR_UUID, core.pack_control(core.CMD_SET_ROLE, 3), response=True
                )
                changed = SensorInfo.from_bytes(bytes(await client.read_gatt_char(core.INFO_CHAR_UUID)))
            found = await scan_sensors(central, 0.3, details=False)
            return unchanged, changed, link.sensors[0].invalid_commands, found[0].name if found else None

    unchanged, changed, invalid, advertised = run(scenario())
    assert (unchanged.rate_hz, unchanged.role) == (100, "shin")
    assert invalid == 5
    assert (changed.rate_hz, changed.role) == (200, "shin_right")
    assert advertised == "reptempo-shin_right"  # the role is in the advertised name


def test_a_second_start_notify_is_refused_and_a_drop_calls_the_disconnect_callback() -> None:
    async def scenario() -> tuple[str, int, bool]:
        link = still_link(("shin",))
        async with served(link) as central:
            dropped = asyncio.Event()
            client = BleakClient(
                "C0:52:54:00:00:01", lambda _c: dropped.set(), backend=BumbleClient, bumble=central.adapter
            )
            await client.connect()
            await client.start_notify(core.DATA_CHAR_UUID, lambda _c, _d: None)
            with pytest.raises(BleakError) as refused:
                await client.start_notify(core.DATA_CHAR_UUID, lambda _c, _d: None)
            drop = asyncio.create_task(link.sensors[0].drop(0.2))
            await asyncio.wait_for(dropped.wait(), 2.0)
            await drop
            connected_after = client.is_connected
            return str(refused.value), link.sensors[0].connections, connected_after

    refused, connections, connected_after = run(scenario())
    assert "already started" in refused
    assert connections == 1
    assert connected_after is False


def test_a_disconnect_we_ask_for_does_not_call_the_disconnect_callback() -> None:
    async def scenario() -> list[str]:
        async with served(still_link(("shin",))) as central:
            calls: list[str] = []
            client = BleakClient(
                "C0:52:54:00:00:01",
                lambda _c: calls.append("x"),
                backend=BumbleClient,
                bumble=central.adapter,
            )
            await client.connect()
            await client.disconnect()
            await asyncio.sleep(0.1)
            with pytest.raises(BleakError):
                await client.read_gatt_char(core.INFO_CHAR_UUID)
            return calls

    assert run(scenario()) == []


def test_scan_sensors_reads_role_battery_and_firmware_one_at_a_time() -> None:
    async def scenario() -> list[tuple[str | None, str, str | None, int | None, str | None, int | None]]:
        async with served(still_link(("shin", "pelvis"), rate_hz=50)) as central:
            found = await scan_sensors(central, 0.3)
            return [(f.name, f.address, f.role, f.battery_percent, f.firmware, f.rate_hz) for f in found]

    assert run(scenario()) == [
        ("reptempo-shin", "C0:52:54:00:00:01", "shin", 100, "1.0.0", 50),
        ("reptempo-pelvis", "C0:52:54:00:00:02", "pelvis", 100, "1.0.0", 50),
    ]


def test_an_unreachable_transport_is_one_clear_error() -> None:
    async def scenario() -> str:
        adapter = BumbleAdapter("tcp-client:127.0.0.1:9")  # the discard port: nothing listens
        with pytest.raises(BleakError) as failed:
            await BleakScanner.discover(timeout=0.1, backend=BumbleScanner, bumble=adapter)  # type: ignore[call-overload]
        return str(failed.value)

    message = run(scenario())
    assert message.startswith("cannot open the bumble transport 'tcp-client:127.0.0.1:9'")


def test_the_backend_classes_refuse_to_run_without_an_adapter() -> None:
    with pytest.raises(TypeError, match="bumble=BumbleAdapter"):
        BumbleScanner(None, None)
    with pytest.raises(TypeError, match="bumble=BumbleAdapter"):
        BumbleClient("C0:52:54:00:00:01", disconnected_callback=None, timeout=1.0)


def test_configure_sensor_sets_the_role_and_makes_it_blink() -> None:
    async def scenario() -> tuple[SensorInfo, int, str | None, str]:
        link = still_link(("shin", "pelvis"))
        async with served(link) as central:
            info = await configure_sensor(central, "c0:52:54:00:00:02", role="shin_left", identify_s=7)
            with pytest.raises(BleakError) as missing:
                await configure_sensor(central, "C0:52:54:00:00:09", identify_s=1, timeout_s=0.3)
            pelvis = link.sensors[1]
            return info, pelvis.identify_s, pelvis.saved_role, str(missing.value)

    info, blinking, saved, missing = run(scenario())
    assert info.role == "shin_left"
    assert blinking == 7
    assert saved == "shin_left"
    assert missing == "no reptempo sensor at C0:52:54:00:00:09 seen for 0.3 s"
    with pytest.raises(ValueError, match="unknown role 'hip'"):
        run(configure_sensor(BleCentral("bumble:tcp-client:127.0.0.1:9"), "C0:52:54:00:00:01", role="hip"))
