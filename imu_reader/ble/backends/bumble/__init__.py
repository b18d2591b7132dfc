"""A bleak backend on bumble (Google's Python Bluetooth stack), one folder as bleak's own.

bumble drives a controller over any HCI transport: the virtual link of `reptempo sim --ble`
(`tcp-client:127.0.0.1:9100`), or a USB Bluetooth dongle (`usb:0`). The app's bleak code
is the same as with bleak's platform backend:

    adapter = BumbleAdapter("tcp-client:127.0.0.1:9100")
    async with BleakScanner(backend=BumbleScanner, bumble=adapter) as scanner: ...
    async with BleakClient(device, backend=BumbleClient) as client: ...
"""

from imu_reader.ble.backends.bumble._adapter import BumbleAdapter
from imu_reader.ble.backends.bumble._client import BumbleClient
from imu_reader.ble.backends.bumble._scanner import BumbleDeviceDetails, BumbleScanner

__all__ = ["BumbleAdapter", "BumbleClient", "BumbleDeviceDetails", "BumbleScanner"]
