# The supervisor of the reptempo sensor firmware, started by main.py.
#
# Whatever goes wrong, the sensor reboots into advertising rather than sitting dead:
# an exception is recorded in crash.txt and the board resets; a hang is caught by the
# watchdog that app.Sensor.run starts. Two ways out for a developer, before the
# watchdog starts (once started it cannot be stopped): hold the board's safe-mode pin
# low at reset, or press Ctrl-C during the first 1.5 s.

import sys
import time

import machine

_CTRL_C_WINDOW_MS = 1500
_RESET_DELAY_MS = 2000


def _safe_mode_requested():
    try:
        from board import BOARD

        pin_no = BOARD.get("safe_mode_pin")
        if pin_no is None:
            return False
        try:
            pin = machine.Pin(pin_no, machine.Pin.IN, machine.Pin.PULL_UP)
        except (ValueError, OSError):  # input-only pins (ESP32 GPIO34-39) have no pull-up
            pin = machine.Pin(pin_no, machine.Pin.IN)
        return pin.value() == 0
    except Exception:  # no usable board file: the firmware reports it below
        return False


def _record_crash(exc):
    sys.print_exception(exc)
    try:
        with open("crash.txt", "w") as f:
            sys.print_exception(exc, f)
    except OSError:
        pass


def main():
    if _safe_mode_requested():
        print("reptempo: safe mode, firmware not started")
        return
    time.sleep_ms(_CTRL_C_WINDOW_MS)
    try:
        import app

        app.run()
    except KeyboardInterrupt:
        print("reptempo: stopped from the REPL")
        return
    except Exception as exc:
        _record_crash(exc)
    time.sleep_ms(_RESET_DELAY_MS)
    machine.reset()

