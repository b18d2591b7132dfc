# supervisor.py driven in MicroPython with MOCK hardware (tests_core/fakes: no board
# here): a sensor whose IMU does not answer records the crash and resets, to come back
# advertising; a held safe-mode pin skips the firmware. run(case) returns
# (checks, failures). MicroPython only; one case per interpreter, as on a board.

import sys

import machine
import supervisor
from expect import Expect
from fake_i2c import RecordingI2C


def run(case):
    ex = Expect()
    supervisor._CTRL_C_WINDOW_MS = 0
    supervisor._RESET_DELAY_MS = 0
    machine.I2C_CLASS = RecordingI2C  # answers WHO_AM_I with 0x00: no IMU on the bus
    if case == "safe_mode":
        machine.PIN_LEVELS[0] = 0  # the board's BOOT button, held
        supervisor.main()
        ex.eq("safe mode: no reset", machine.resets, [])
        ex.true("safe mode: firmware not loaded", "app" not in sys.modules)
    elif case == "crash":
        supervisor.main()
        ex.eq("crash: the board resets", machine.resets, [True])
        try:
            with open("crash.txt") as f:
                crash = f.read()
        except OSError:
            crash = ""
        ex.true("crash: recorded in crash.txt (%r)" % crash[-80:], "WHO_AM_I" in crash)
    else:
        ex.failures.append("unknown case %r" % case)
    return ex.result()
