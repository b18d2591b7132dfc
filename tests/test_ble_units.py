"""The BLE front's pure parts: advice for user-fixable errors, options, the packet inbox."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakError,
)

from firmware_ble import protocol_core as core
from imu_reader.ble import PacketInbox, SensorTarget, advice_for, check_backend_spec
from imu_reader.ble.emulator import LinkFaults, SensorSamples, parse_tcp_spec


def _raised_from(filename: str, error: BaseException) -> BaseException:
    """`error` raised by code that says it lives in `filename` (as a library's frame would)."""
    try:
        exec(compile("raise error", filename, "exec"), {"error": error})
    except BaseException as raised:
        return raised
    raise AssertionError("not raised")


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (
            BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
            "Bluetooth is off: turn it on",
        ),
        (
            BleakBluetoothNotAvailableError("none", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
            "this computer has no Bluetooth adapter",
        ),
        (BleakDBusError("org.bluez.Error.NotReady", []), "Bluetooth is off"),
        (BleakDBusError("org.freedesktop.DBus.Error.AccessDenied", []), "no permission to use Bluetooth"),
        (
            _raised_from(
                "/venv/dbus_fast/aio/message_bus.py", FileNotFoundError(2, "No such file or directory")
            ),
            "cannot reach BlueZ over D-Bus",
        ),
        (
            BleakError("cannot open the bumble transport 'usb:0': no device"),
            "cannot open the bumble transport",
        ),
        (
            BleakError("could not connect: HCI_CONNECTION_LIMIT_EXCEEDED_ERROR"),
            "the Bluetooth adapter is out of connection slots",
        ),
    ],
)
def test_errors_a_user_can_fix_get_one_line_of_advice(error: BaseException, advice: str) -> None:
    fixable = advice_for(error)
    assert fixable is not None
    assert str(fixable).startswith(advice)
    assert "\n" not in str(fixable)


@pytest.mark.parametrize(
    "error",
    [
        BleakError("could not connect to C0:52:54:00:00:01: timed out"),
        FileNotFoundError(2, "No such file or directory"),  # not from D-Bus: not ours to explain
        BleakDBusError("org.bluez.Error.Failed", []),
        TimeoutError(),
    ],
)
def test_errors_that_may_pass_are_retried_not_explained(error: BaseException) -> None:
    assert advice_for(error) is None


def test_backend_specs() -> None:
    assert check_backend_spec("platform") == "platform"
    assert check_backend_spec("bumble:tcp-client:127.0.0.1:9100") == "bumble:tcp-client:127.0.0.1:9100"
    for bad in ("", "bumble:", "bluez", "Platform"):
        with pytest.raises(ValueError, match="expected 'platform' or 'bumble:TRANSPORT'"):
            check_backend_spec(bad)
    assert parse_tcp_spec("tcp-server:127.0.0.1:9100") == ("127.0.0.1", 9100)
    for bad in ("tcp-client:127.0.0.1:9100", "tcp-server:9100", "tcp-server:h:99999", "tcp-server:h:x"):
        with pytest.raises(ValueError, match="expected tcp-server:HOST:PORT"):
            parse_tcp_spec(bad)


def test_targets_and_faults_validate_themselves() -> None:
    with pytest.raises(ValueError, match="unknown role 'knee'"):
        SensorTarget("knee")
    with pytest.raises(ValueError, match="unsupported rate 60 Hz"):
        SensorTarget("shin", rate_hz=60)
    assert SensorTarget("shin", address="c0:52:54:00:00:01").address == "c0:52:54:00:00:01"
    with pytest.raises(ValueError, match="loss"):
        LinkFaults(loss=1.0)
    with pytest.raises(ValueError, match="drop_for_s"):
        LinkFaults(drop_for_s=0.0)
    with pytest.raises(ValueError, match="int16 of shape"):
        SensorSamples(np.zeros((10, 5), dtype=np.int16), 100.0)
    with pytest.raises(ValueError, match="rate_error"):
        SensorSamples(np.zeros((10, 6), dtype=np.int16), 100.0, 0.2)


def test_samples_are_looked_up_by_time_and_hold_the_last_one() -> None:
    raw = np.arange(60, dtype=np.int16).reshape(10, 6)
    samples = SensorSamples(raw, 10.0)
    got = samples.at(np.array([0.0, 0.149, 0.151, 5.0]))
    assert got[:, 0].tolist() == [0, 6, 12, 54]


def test_the_inbox_wakes_its_reader_once_a_sensor_has_a_batch() -> None:
    def packet(samples: int) -> bytes:
        return core.pack_data(0, 0, [0] * (6 * samples))

    async def scenario() -> list[tuple[bool, float | None]]:
        inbox = PacketInbox()
        inbox.set_batch("shin", 8)
        steps = []
        for t in (1.0, 1.04):
            inbox.put("shin", packet(4), t)
            steps.append((inbox.ready, inbox.woken_by_s))
        inbox.put("pelvis", packet(1), 1.05)  # no batch set: every packet wakes the reader
        await asyncio.wait_for(inbox.wait(), 1.0)
        taken = inbox.take()
        steps.append((inbox.ready, float(len(taken["shin"][0]) + len(taken["pelvis"][0]))))
        inbox.put("shin", b"\x01", 1.1)  # a malformed packet counts as one sample
        steps.append((inbox.ready, inbox.woken_by_s))
        return steps

    assert asyncio.run(scenario()) == [(False, None), (True, 1.04), (False, 3.0), (False, 1.04)]
