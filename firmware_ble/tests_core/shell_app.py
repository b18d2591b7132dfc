# The hardware shell (app.py) driven in MicroPython with MOCK hardware: the fakes in
# tests_core/fakes stand in for machine, bluetooth and aioble (there is no board, radio
# or I2C bus here), and SimMpu6050 below plays an MPU-6050's FIFO. What is real: app.py
# itself and every pure module it calls. Here the synchronous methods the asyncio loops
# call are driven step by step; shell_loops.py runs the loops themselves.
# run() returns (checks, failures). MicroPython only.

import struct

import aioble
import bluetooth
import machine
import protocol_core as core
from expect import Expect
from fake_i2c import RecordingI2C


def sample(k):
    return (k % 30000, -(k % 30000), 4096, k % 100, -(k % 7), 3)


def frames(first, n):
    out = b""
    for k in range(first, first + n):
        out += struct.pack(">6h", *sample(k))
    return out


class SimMpu6050(RecordingI2C):
    """An MPU-6050 as the driver sees it: WHO_AM_I, INT_STATUS cleared by reading it,
    a FIFO whose count follows its content and that USER_CTRL.FIFO_RESET empties."""

    def __init__(self):
        super().__init__()
        self.fifo = b""
        self.int_status = 0
        self.set_register(0x68, 0x75, b"\x68")

    def writeto_mem(self, address, register, buf):
        super().writeto_mem(address, register, buf)
        if register == 0x6A and buf[0] & 0x04:
            self.fifo = b""

    def readfrom_mem(self, address, register, n):
        if register == 0x72:
            self.set_register(address, 0x72, struct.pack(">H", len(self.fifo)))
        elif register == 0x3A:
            self.set_register(address, 0x3A, bytes((self.int_status,)))
            self.int_status = 0
        elif register == 0x74:
            self.set_stream(address, 0x74, self.fifo)
            self.fifo = self.fifo[n:]
        return super().readfrom_mem(address, register, n)


class Connection:
    def __init__(self, mtu):
        self.mtu = mtu

    def is_connected(self):
        return True


def _decode(packets):
    return [core.unpack_data(p) for p in packets]


def _gatt(sensor, ex):
    services = aioble.registered
    ex.eq("services registered", [s.uuid.value for s in services],
          [core.SERVICE_UUID, core.BATTERY_SERVICE_UUID16, core.DEVICE_INFO_SERVICE_UUID16])
    chars = services[0].characteristics
    ex.eq("reptempo characteristics", [c.uuid.value for c in chars],
          [core.DATA_CHAR_UUID, core.CONTROL_CHAR_UUID, core.INFO_CHAR_UUID])
    ex.eq("data: notify only", (chars[0].flags["notify"], chars[0].flags["read"], chars[0].flags["indicate"]),
          (True, False, False))
    ex.eq("control: write with response, not without", (chars[1].flags["write"], chars[1].flags["write_no_response"]),
          (True, False))
    info = core.unpack_info(chars[2].value)
    ex.eq("info at boot", (info["role"], info["rate_hz"], info["imu_model"], info["firmware_version"]),
          ("shin", 100, "MPU-6050", "1.0.0"))
    ex.eq("battery level readable and notifying", (services[1].characteristics[0].uuid.value,
                                                   services[1].characteristics[0].flags["notify"]), (0x2A19, True))
    ex.eq("device information strings", [(c.uuid.value, c.value) for c in services[2].characteristics], [
        (0x2A29, b"reptempo"), (0x2A24, b"reptempo-imu-esp32-mpu6050"), (0x2A26, b"1.0.0"), (0x2A25, b"a4cf12fe00b7"),
    ])
    ex.true("an ATT MTU of 247 is offered", {"mtu": 247} in bluetooth.config_calls)


def _stream(sensor, dev, ex):
    conn = Connection(247)
    sensor.connection = conn
    dev.clear_log()
    sensor.apply(sensor.state.on_control(core.pack_control(core.CMD_START)))
    ex.true("START: the IMU is reset and set to 100 Hz", (0x6B, 0x80) in dev.writes() and (0x19, 9) in dev.writes())
    taken = 0
    for burst in (7, 30, 45, 3, 60):  # 45 and 60 take two FIFO reads of at most 32
        dev.fifo += frames(taken, burst)
        taken += burst
        sensor._drain_fifo()
        sensor._send(conn)
    decoded = _decode(sensor.data_char.notified)
    ex.true("packets sent", len(decoded) >= 7)
    expected = 0
    for i in range(len(decoded)):
        seq, first, values = decoded[i]
        ex.eq("packet %d: sequence" % i, seq, i)
        ex.eq("packet %d: counter" % i, first, expected)
        n = len(values) // 6
        ex.true("packet %d: 8 to 19 samples (80 ms to MTU 247 at 100 Hz), got %d" % (i, n), 8 <= n <= 19)
        want = []
        for k in range(first, first + len(values) // 6):
            want.extend(sample(k))
        ex.eq("packet %d: the samples taken" % i, list(values), want)
        expected = first + len(values) // 6
    ex.eq("every sample sent or waiting", expected + len(sensor.ring), taken)
    # The BLE stack refuses (buffers full): samples wait in the ring, nothing is lost.
    sent_before = len(sensor.data_char.notified)
    sensor.data_char.refuse_notify = 1000
    dev.fifo += frames(taken, 50)
    taken += 50
    sensor._drain_fifo()
    sensor._send(conn)
    ex.eq("stalled stack: nothing sent", len(sensor.data_char.notified), sent_before)
    sensor.data_char.refuse_notify = 0
    sensor._send(conn)
    decoded = _decode(sensor.data_char.notified[sent_before:])
    ex.eq("after the stall: sequence continues", decoded[0][0] if decoded else None, sent_before)
    ex.eq("after the stall: no gap", decoded[0][1] if decoded else None, expected)
    return taken


def _overflow(sensor, dev, taken, ex):
    conn = sensor.connection
    # Flush what is held with a burst that completes a packet.
    last = _decode(sensor.data_char.notified)[-1]
    next_counter = last[1] + len(last[2]) // 6
    held = len(sensor.ring)
    dev.fifo += frames(taken, 19 - held)
    taken += 19 - held
    sensor._drain_fifo()
    sensor._send(conn)
    next_counter += 19
    ex.eq("ring drained before the overflow", len(sensor.ring), 0)
    dev.fifo += frames(taken, 10)  # these are lost with the FIFO reset
    taken += 10
    dev.int_status = 0x10  # FIFO_OFLOW_INT
    sensor._drain_fifo()
    ex.eq("overflow counted", sensor.fifo_overflows, 1)
    dev.fifo += frames(taken, 19)
    sensor._drain_fifo()
    sensor._send(conn)
    seq, first, values = _decode(sensor.data_char.notified)[-1]
    ex.true("after the overflow: a gap of at least one sample (%d -> %d)" % (next_counter, first), first > next_counter)
    ex.eq("after the overflow: the samples read after it", list(values[:6]), list(sample(taken)))
    return taken + 19


def _commands(sensor, dev, taken, ex):
    conn = sensor.connection
    conn.mtu = 23
    sent = len(sensor.data_char.notified)
    dev.fifo += frames(taken, 4)
    sensor._drain_fifo()
    sensor._send(conn)
    sizes = [len(p) for p in sensor.data_char.notified[sent:]]
    ex.eq("MTU 23: one sample per 20-byte packet", sizes, [20, 20, 20, 20])
    dev.clear_log()
    sensor.apply(sensor.state.on_control(core.pack_control(core.CMD_SET_RATE, 50)))
    ex.true("SET_RATE 50: SMPLRT_DIV 19", (0x19, 19) in dev.writes())
    ex.eq("SET_RATE 50: info", core.unpack_info(sensor.info_char.value)["rate_hz"], 50)
    sensor.apply(sensor.state.on_control(core.pack_control(core.CMD_SET_ROLE, 1)))
    with open("role.txt") as f:
        ex.eq("SET_ROLE pelvis: kept in flash", f.read(), "pelvis")
    ex.eq("SET_ROLE pelvis: info", core.unpack_info(sensor.info_char.value)["role"], "pelvis")
    before = sensor.info_char.value
    sensor.apply(sensor.state.on_control(b"\x03\x3c\x00"))  # SET_RATE 60: invalid
    ex.eq("invalid command: info unchanged", sensor.info_char.value, before)
    sensor.apply(sensor.state.on_control(core.pack_control(core.CMD_IDENTIFY, 3)))
    ex.true("IDENTIFY 3: blinking", sensor.identify_until_ms != 0)
    sensor.apply(sensor.state.on_control(core.pack_control(core.CMD_IDENTIFY, 0)))
    ex.eq("IDENTIFY 0: stopped", sensor.identify_until_ms, 0)
    dev.clear_log()
    sensor.apply(sensor.state.on_control(core.pack_control(core.CMD_STOP)))
    ex.eq("STOP: IMU asleep", dev.writes(), [(0x6A, 0x00), (0x23, 0x00), (0x6B, 0x41)])
    ex.eq("STOP: ring emptied", len(sensor.ring), 0)
    sensor.apply(sensor.state.on_control(core.pack_control(core.CMD_START)))
    sensor.apply(sensor.state.on_disconnect())
    ex.eq("disconnect: stopped", sensor.state.started, False)


def _peripherals(sensor, ex):
    sensor.led(True)
    ex.eq("LED on: GPIO2 high (active high)", machine.pins[2].level, 1)
    sensor.led(False)
    ex.eq("LED off", machine.pins[2].level, 0)
    ex.eq("battery ADC in microvolts", sensor.adc(), machine.ADC.PIN_UV)


def run():
    ex = Expect()
    machine.I2C_CLASS = SimMpu6050
    try:
        import app

        sensor = app.Sensor()
        dev = machine.buses[-1]
        ex.eq("I2C bus from the board file", (dev.bus_id, dev.freq), (0, 400000))
        ex.eq("IMU asleep until a START", dev.writes()[-1], (0x6B, 0x41))
        _gatt(sensor, ex)
        taken = _stream(sensor, dev, ex)
        taken = _overflow(sensor, dev, taken, ex)
        _commands(sensor, dev, taken, ex)
        _peripherals(sensor, ex)
    except Exception as exc:
        import sys

        sys.print_exception(exc)
        ex.failures.append("raised %s %r" % (type(exc).__name__, str(exc)))
    return ex.result()
