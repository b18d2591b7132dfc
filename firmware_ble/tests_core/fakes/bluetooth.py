# MOCK of MicroPython's `bluetooth` module (no radio here): UUIDs compare by value and
# BLE().config records what the firmware configures.

config_calls = []


class UUID:
    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, UUID) and other.value == self.value

    def __repr__(self):
        return "UUID(%r)" % (self.value,)


class BLE:
    def config(self, *args, **kwargs):
        config_calls.append(kwargs)
