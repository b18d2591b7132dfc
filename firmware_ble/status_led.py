# What the status LED shows, as a pure function of time, so the pattern is tested
# without a pin: identify blinks fast; advertising flashes briefly every 2 s;
# connected flashes every second; streaming stays dark (the sensor is strapped on,
# and the LED would cost battery).

try:
    from micropython import const
except ImportError:  # CPython
    def const(value):
        return value

MODE_ADVERTISING = const(0)
MODE_CONNECTED = const(1)
MODE_STREAMING = const(2)

_IDENTIFY_PERIOD_MS = const(250)  # 4 Hz: unmistakable next to the slow status flash
_FLASH_MS = const(60)


def led_on(mode, now_ms, identify_until_ms=0):
    """Whether the LED is lit at `now_ms` (a ticks_ms value, compared by difference)."""
    if identify_until_ms and _ticks_diff(identify_until_ms, now_ms) > 0:
        return (now_ms % _IDENTIFY_PERIOD_MS) < _IDENTIFY_PERIOD_MS // 2
    if mode == MODE_ADVERTISING:
        return now_ms % 2000 < _FLASH_MS
    if mode == MODE_CONNECTED:
        return now_ms % 1000 < _FLASH_MS
    return False


def _ticks_diff(a, b):
    try:
        import time

        return time.ticks_diff(a, b)
    except AttributeError:  # CPython: plain integers
        return a - b
