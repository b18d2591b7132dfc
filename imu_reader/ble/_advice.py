"""Errors a user can fix, turned into one line of advice instead of a traceback."""

from __future__ import annotations

from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakError,
)

_Reason = BleakBluetoothNotAvailableReason
_NOT_AVAILABLE = {
    _Reason.NO_BLUETOOTH: "this computer has no Bluetooth adapter: plug in a USB "
    "Bluetooth LE dongle (or drive one directly with --ble-backend bumble:usb:0)",
    _Reason.NO_BLE_CENTRAL_ROLE: "this Bluetooth adapter cannot act as an LE central: "
    "use a Bluetooth 4.0 (LE) or newer adapter",
    _Reason.POWERED_OFF: "Bluetooth is off: turn it on (Linux: `bluetoothctl power on`)",
    _Reason.DENIED_BY_USER: "this program may not use Bluetooth: allow it in the system's privacy settings",
    _Reason.DENIED_BY_SYSTEM: "the system does not let this program use Bluetooth "
    "(an administrator's policy?)",
}

_DBUS = {
    "org.bluez.Error.NotReady": "Bluetooth is off: turn it on (`bluetoothctl power on`)",
    "org.freedesktop.DBus.Error.AccessDenied": "no permission to use Bluetooth: add yourself to the "
    "`bluetooth` group (`sudo usermod -aG bluetooth $USER`, then log in again)",
    "org.freedesktop.DBus.Error.ServiceUnknown": "the Bluetooth service is not running: start it "
    "(`sudo systemctl start bluetooth`)",
    "org.bluez.Error.NotPermitted": "BlueZ refused the operation: remove the sensor from the paired "
    "devices (`bluetoothctl remove ADDRESS`) and try again",
}

_HCI_CONNECTION_LIMIT_EXCEEDED = 0x09


class UserFixableError(Exception):
    """Retrying will not help, the user can: the message says what to do."""


def advice_for(error: BaseException) -> UserFixableError | None:
    """The advice for `error`, or None if it may pass by itself (retrying is right)."""
    if isinstance(error, BleakBluetoothNotAvailableError):
        text = _NOT_AVAILABLE.get(error.reason, f"Bluetooth is not available: {error}")
        return UserFixableError(text)
    if isinstance(error, BleakDBusError) and error.dbus_error in _DBUS:
        return UserFixableError(_DBUS[error.dbus_error])
    message = str(error)
    if isinstance(error, FileNotFoundError | ConnectionRefusedError) and _raised_in_dbus(error):
        return UserFixableError(
            "cannot reach BlueZ over D-Bus: is the Bluetooth service running? "
            "(`sudo systemctl start bluetooth`)"
        )
    if isinstance(error, BleakError) and message.startswith(
        ("cannot open the bumble transport", "no Bluetooth controller")
    ):
        return UserFixableError(message)
    if "CONNECTION_LIMIT_EXCEEDED" in message or f"error_code={_HCI_CONNECTION_LIMIT_EXCEEDED}" in message:
        return UserFixableError(
            "the Bluetooth adapter is out of connection slots: disconnect other devices "
            "(headphones, watches) or use a second adapter"
        )
    return None


def _raised_in_dbus(error: BaseException) -> bool:
    """Whether `error` came from the D-Bus client under bleak's BlueZ backend (its socket
    missing or refusing: BlueZ's D-Bus is not running), which names no file itself."""
    tb = error.__traceback__
    while tb is not None:
        if "dbus_fast" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False
