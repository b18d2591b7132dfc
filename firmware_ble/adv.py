# Advertising and scan-response payloads (Bluetooth Core Specification Supplement,
# part A, section 1: AD structures of length, type, data).
#
# Pure: runs in MicroPython and CPython. Built here rather than by aioble so that the
# advertising data can carry the preferred connection interval, which MicroPython's
# BLE API offers no other way to ask for from a peripheral.

try:
    from micropython import const
except ImportError:  # CPython
    def const(value):
        return value

AD_FLAGS = const(0x01)
AD_UUID128_COMPLETE = const(0x07)
AD_NAME_COMPLETE = const(0x09)
AD_CONN_INTERVAL_RANGE = const(0x12)  # Peripheral Connection Interval Range (CSS part A 1.9)
FLAGS_GENERAL_DISC_NO_BREDR = const(0x06)  # LE General Discoverable, BR/EDR not supported
MAX_PAYLOAD = const(31)  # legacy advertising PDU data
CONN_INTERVAL_UNIT_US = const(1250)


def uuid128_le(uuid):
    """'xxxxxxxx-xxxx-...' -> 16 bytes in the little-endian order used on the air."""
    digits = uuid.replace("-", "")
    if len(digits) != 32:
        raise ValueError("not a 128-bit UUID: %r" % (uuid,))
    out = bytearray(16)
    for i in range(16):
        out[15 - i] = int(digits[2 * i:2 * i + 2], 16)
    return bytes(out)


def _ad(ad_type, data):
    return bytes((len(data) + 1, ad_type)) + data


def conn_interval_units(interval_us):
    """A connection interval in microseconds -> units of 1.25 ms (6..3200 allowed)."""
    units = interval_us // CONN_INTERVAL_UNIT_US
    if units * CONN_INTERVAL_UNIT_US != interval_us or not 6 <= units <= 3200:
        raise ValueError("connection interval %d us is not a multiple of 1250 in 7.5 ms..4 s" % interval_us)
    return units


def payloads(name, service_uuid, min_interval_us, max_interval_us):
    """(advertising data, scan response): flags, the service UUID and the wished-for
    connection interval range advertised; the name in the scan response."""
    lo = conn_interval_units(min_interval_us)
    hi = conn_interval_units(max_interval_us)
    if lo > hi:
        raise ValueError("minimum connection interval above the maximum")
    adv = (
        _ad(AD_FLAGS, bytes((FLAGS_GENERAL_DISC_NO_BREDR,)))
        + _ad(AD_UUID128_COMPLETE, uuid128_le(service_uuid))
        + _ad(AD_CONN_INTERVAL_RANGE, bytes((lo & 0xFF, lo >> 8, hi & 0xFF, hi >> 8)))
    )
    resp = _ad(AD_NAME_COMPLETE, name.encode())
    if len(adv) > MAX_PAYLOAD or len(resp) > MAX_PAYLOAD:
        raise ValueError("advertising payload over %d bytes (name %r)" % (MAX_PAYLOAD, name))
    return adv, resp


def parse(payload):
    """AD structures of a payload -> list of (type, data bytes); ValueError if malformed."""
    out = []
    i = 0
    while i < len(payload):
        length = payload[i]
        if length == 0 or i + 1 + length > len(payload):
            raise ValueError("bad AD structure at offset %d" % i)
        out.append((payload[i + 1], bytes(payload[i + 2:i + 1 + length])))
        i += 1 + length
    return out
