# MOCK of MicroPython's `machine` module, for running app.py and supervisor.py in
# MicroPython off the board (tests/test_firmware_app.py). There are no pins, no I2C
# bus, no ADC and no watchdog here: these classes only record what the firmware asks
# of them. I2C buses are built by I2C_CLASS, which a test sets to a simulated IMU.

import fake_i2c

I2C_CLASS = fake_i2c.RecordingI2C
PIN_LEVELS = {}  # pin id -> level an input reads (default 1: pulled up, not pressed)
buses = []
pins = {}
resets = []
watchdogs = []


class Pin:
    IN = 1
    OUT = 3
    PULL_UP = 1

    def __init__(self, pin_id, mode=None, pull=None):
        self.pin_id = pin_id
        self.mode = mode
        self.level = PIN_LEVELS.get(pin_id, 1)
        pins[pin_id] = self

    def value(self, level=None):
        if level is None:
            return self.level
        self.level = level
        return None


def I2C(bus, sda=None, scl=None, freq=None):
    device = I2C_CLASS()
    device.bus_id = bus
    device.freq = freq
    buses.append(device)
    return device


class ADC:
    ATTN_11DB = 3
    PIN_UV = 1900000  # what every ADC pin reads, in microvolts

    def __init__(self, pin):
        self.pin = pin
        self.attenuation = None

    def atten(self, attenuation):
        self.attenuation = attenuation

    def read_uv(self):
        return ADC.PIN_UV


class WDT:
    def __init__(self, timeout=5000):
        self.timeout = timeout
        self.feeds = 0
        watchdogs.append(self)

    def feed(self):
        self.feeds += 1


def unique_id():
    return b"\xa4\xcf\x12\xfe\x00\xb7"


def reset():
    resets.append(True)
