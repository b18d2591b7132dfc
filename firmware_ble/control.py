# The sensor's control state machine: what a control write or a disconnection does
# (wire protocol v1, docs/protocol.md sections 2 and 6).
#
# Pure: it returns actions for the hardware shell (main.py) to carry out and never
# touches the IMU, the radio or the flash itself, so the same code runs in tests under
# MicroPython and CPython and in the host-side emulator.

try:
    from firmware_ble import protocol_core as core
except ImportError:  # on the sensor the modules sit side by side
    import protocol_core as core

try:
    from micropython import const
except ImportError:  # CPython
    def const(value):
        return value

# Actions, each a tuple whose first item is one of these.
ACT_START = const(1)  # (ACT_START,): wake the IMU, start its FIFO, begin sending
ACT_STOP = const(2)  # (ACT_STOP,): stop sending, put the IMU in low power
ACT_SET_RATE = const(3)  # (ACT_SET_RATE, rate_hz): reconfigure the IMU's output data rate
ACT_SAVE_ROLE = const(4)  # (ACT_SAVE_ROLE, role_name): persist the role in flash
ACT_UPDATE_INFO = const(5)  # (ACT_UPDATE_INFO, info_bytes): new value of the info characteristic
ACT_IDENTIFY = const(6)  # (ACT_IDENTIFY, seconds): blink the LED for that long, 0 stops
ACT_IGNORED = const(7)  # (ACT_IGNORED, reason): an invalid command, nothing changed

DEFAULT_ROLE = "shin"
DEFAULT_RATE_HZ = 100


class SensorState:
    """What the sensor is (info characteristic) and whether it is streaming.

    `supported_rates_hz` are the protocol rates this IMU can sample at; a SET_RATE for
    another one is ignored like an invalid command (the host reads the info back).
    """

    def __init__(self, role, rate_hz, acc_range_g, gyro_range_dps, imu_model,
                 firmware_version, supported_rates_hz):
        if role not in core.ROLES:
            role = DEFAULT_ROLE
        self.supported_rates_hz = tuple(r for r in supported_rates_hz if r in core.RATES_HZ)
        if not self.supported_rates_hz:
            raise ValueError("the IMU supports none of the protocol's rates")
        if rate_hz not in self.supported_rates_hz:
            rate_hz = DEFAULT_RATE_HZ if DEFAULT_RATE_HZ in self.supported_rates_hz else self.supported_rates_hz[0]
        self.role = role
        self.rate_hz = rate_hz
        self.acc_range_g = acc_range_g
        self.gyro_range_dps = gyro_range_dps
        self.imu_model = imu_model
        self.firmware_version = firmware_version
        self.started = False
        self.info()  # fail at boot, not at the first read, on a range the protocol cannot carry

    def info(self):
        """The info characteristic's value."""
        return core.pack_info(self.role, self.rate_hz, self.acc_range_g, self.gyro_range_dps,
                              self.imu_model, self.firmware_version)

    def on_control(self, data):
        """Actions for one write to the control characteristic."""
        try:
            opcode, arg = core.parse_control(data)
        except ValueError as exc:
            return [(ACT_IGNORED, str(exc))]
        if opcode == core.CMD_START:
            if self.started:
                return []
            self.started = True
            return [(ACT_START,)]
        if opcode == core.CMD_STOP:
            return self._stop()
        if opcode == core.CMD_SET_RATE:
            if arg not in self.supported_rates_hz:
                return [(ACT_IGNORED, "rate %d Hz not supported by this IMU" % arg)]
            if arg == self.rate_hz:
                return []
            self.rate_hz = arg
            return [(ACT_SET_RATE, arg), (ACT_UPDATE_INFO, self.info())]
        if opcode == core.CMD_SET_ROLE:
            role = core.ROLES[arg]
            if role == self.role:
                return []
            self.role = role
            return [(ACT_SAVE_ROLE, role), (ACT_UPDATE_INFO, self.info())]
        if opcode == core.CMD_IDENTIFY:
            return [(ACT_IDENTIFY, arg)]
        return [(ACT_IGNORED, "opcode 0x%02x not handled" % opcode)]  # parse_control knows more than we do

    def on_disconnect(self):
        """Actions when the central goes away: a reconnect always begins stopped."""
        return self._stop()

    def _stop(self):
        if not self.started:
            return []
        self.started = False
        return [(ACT_STOP,)]


def advertised_name(role, serial_hex):
    """The GAP name: the role is in it so the user can tell sensors apart when scanning."""
    return "reptempo-%s-%s" % (role, serial_hex[-4:])
