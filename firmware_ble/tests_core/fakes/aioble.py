# MOCK of micropython-lib's aioble (no radio here): services and characteristics keep
# what the firmware registers, writes and notifies, so a test can decode the packets.
# notify() raises OSError while `refuse_notify` > 0, as a BLE stack with full buffers does.
# advertise() waits until a test puts a Connection in `pending_connections`; a test
# "writes" a control command by appending (connection, bytes) to a characteristic's
# `inbox`. The waits poll with asyncio.sleep_ms, so they run on any asyncio.

import asyncio

registered = []
advertisements = []  # (interval_us, adv_data, resp_data) of every advertise() call
pending_connections = []
_POLL_MS = 5


class Service:
    def __init__(self, uuid):
        self.uuid = uuid
        self.characteristics = []


class Characteristic:
    def __init__(self, service, uuid, read=False, write=False, write_no_response=False,
                 notify=False, indicate=False, initial=None, capture=False):
        service.characteristics.append(self)
        self.uuid = uuid
        self.flags = {"read": read, "write": write, "notify": notify, "indicate": indicate,
                      "write_no_response": write_no_response, "capture": capture}
        self.value = initial
        self.notified = []
        self.updates = []
        self.refuse_notify = 0
        self.inbox = []

    def read(self):
        return self.value

    def write(self, data, send_update=False):
        self.value = bytes(data)
        if send_update:
            self.updates.append(bytes(data))

    def notify(self, connection, data=None):
        if not connection.is_connected():
            raise TypeError("notify on a closed connection")  # what a None handle gives
        if self.refuse_notify > 0:
            self.refuse_notify -= 1
            raise OSError(12)
        self.notified.append(bytes(data))

    async def written(self, timeout_ms=None):
        waited_ms = 0
        while not self.inbox:
            if timeout_ms is not None and waited_ms >= timeout_ms:
                raise asyncio.TimeoutError
            await asyncio.sleep_ms(_POLL_MS)
            waited_ms += _POLL_MS
        return self.inbox.pop(0)


class Connection:
    """A central's connection: `central_mtu` is what the central agrees to."""

    def __init__(self, central_mtu=247):
        self.central_mtu = central_mtu
        self.mtu = None
        self.connected = True

    def is_connected(self):
        return self.connected

    async def exchange_mtu(self, mtu=None, timeout_ms=1000):
        await asyncio.sleep_ms(_POLL_MS)
        self.mtu = min(mtu or 23, self.central_mtu)
        return self.mtu


def register_services(*services):
    registered.extend(services)


async def advertise(interval_us, adv_data=None, resp_data=None, **kwargs):
    advertisements.append((interval_us, adv_data, resp_data))
    while not pending_connections:
        await asyncio.sleep_ms(_POLL_MS)
    return pending_connections.pop(0)
