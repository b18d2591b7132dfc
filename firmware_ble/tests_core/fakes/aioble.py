# MOCK of micropython-lib's aioble (no radio here): services and characteristics keep
# what the firmware registers, writes and notifies, so a test can decode the packets.
# notify() raises OSError while `refuse_notify` > 0, as a BLE stack with full buffers does.

registered = []


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

    def read(self):
        return self.value

    def write(self, data, send_update=False):
        self.value = bytes(data)
        if send_update:
            self.updates.append(bytes(data))

    def notify(self, connection, data=None):
        if self.refuse_notify > 0:
            self.refuse_notify -= 1
            raise OSError(12)
        self.notified.append(bytes(data))


def register_services(*services):
    registered.extend(services)


async def advertise(*args, **kwargs):
    raise OSError("no radio in the tests")
