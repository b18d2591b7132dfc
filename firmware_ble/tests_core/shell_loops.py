# The asyncio loops of app.py (Sensor.run: sampling, advertising and control, LED,
# battery) running in MicroPython's asyncio on MOCK hardware: tests_core/fakes stands in
# for machine, bluetooth and aioble (no board or radio here) and shell_app.SimMpu6050
# plays the IMU. A central connects, exchanges the MTU, starts a stream, gets its
# packets, disconnects; the sensor stops and advertises again.
#
# MicroPython's WebAssembly port runs tasks on the JavaScript event loop after the
# script returns, so start() only schedules the scenario; it prints "CHECK n f" and
# "FAIL ..." lines when done and ends the process (a guard ends a scenario that hangs).

import asyncio

import aioble
import js
import machine
import protocol_core as core
from expect import Expect
from shell_app import SimMpu6050, frames, sample

_GUARD_MS = 20000


def _finish(ex):
    print("CHECK", ex.checks, len(ex.failures))
    for failure in ex.failures:
        print("FAIL", failure)
    js.process.exit(0)


async def _scenario(ex):
    machine.I2C_CLASS = SimMpu6050
    import adv
    import app

    sensor = app.Sensor()
    dev = machine.buses[-1]
    asyncio.create_task(sensor.run())
    await asyncio.sleep_ms(50)
    ex.eq("advertising once", len(aioble.advertisements), 1)
    if aioble.advertisements:
        interval_us, adv_data, resp_data = aioble.advertisements[0]
        fields = adv.parse(adv_data)
        ex.true("service UUID advertised", (0x07, adv.uuid128_le(core.SERVICE_UUID)) in fields)
        ex.true("7.5-15 ms connection interval asked", (0x12, b"\x06\x00\x0c\x00") in fields)
        ex.eq("role in the name", adv.parse(resp_data), [(0x09, b"reptempo-shin-00b7")])
    ex.eq("watchdog started at 8 s", [w.timeout for w in machine.watchdogs], [8000])
    ex.eq("battery level published", sensor.level_char.updates, [bytes((50,))])  # 1.9 V x 2 = 3.8 V

    connection = aioble.Connection(central_mtu=185)
    aioble.pending_connections.append(connection)
    await asyncio.sleep_ms(50)
    ex.eq("MTU exchanged (the central's 185)", connection.mtu, 185)
    sensor.control_char.inbox.append((connection, core.pack_control(core.CMD_START)))
    await asyncio.sleep_ms(30)  # START resets the IMU and its FIFO: feed it after that
    ex.eq("START taken", sensor.state.started, True)
    taken = 0
    for _ in range(30):  # 100 Hz: two samples every 20 ms
        dev.fifo += frames(taken, 2)
        taken += 2
        await asyncio.sleep_ms(20)
    decoded = [core.unpack_data(p) for p in sensor.data_char.notified]
    ex.true("packets streamed (%d)" % len(decoded), len(decoded) >= 3)
    expected = 0
    for i in range(len(decoded)):
        seq, first, values = decoded[i]
        n = len(values) // 6
        ok = seq == i and first == expected and n == 8  # 80 ms at 100 Hz (a 182-byte payload holds 14)
        want = []
        for k in range(first, first + n):
            want.extend(sample(k))
        ex.true("packet %d (sequence %d, counter %d, %d samples) in order, 80 ms each, with the samples taken"
                % (i, seq, first, n), ok and list(values) == want)
        expected = first + n
    ex.true("watchdog fed while streaming", machine.watchdogs and machine.watchdogs[0].feeds > 10)
    led = machine.pins[2]
    ex.eq("LED dark while streaming", led.level, 0)

    dev.clear_log()
    connection.connected = False
    sent = len(sensor.data_char.notified)
    dev.fifo += frames(taken, 40)  # read before the control task notices the disconnection
    await asyncio.sleep_ms(1300)  # the control task looks at the link once a second
    ex.eq("disconnection stops the stream", sensor.state.started, False)
    ex.eq("disconnection puts the IMU to sleep", dev.writes()[-3:], [(0x6A, 0x00), (0x23, 0x00), (0x6B, 0x41)])
    ex.eq("advertising again", len(aioble.advertisements), 2)
    ex.eq("nothing sent on the closed connection", len(sensor.data_char.notified), sent)
    feeds = machine.watchdogs[0].feeds if machine.watchdogs else 0
    await asyncio.sleep_ms(300)
    ex.true("the sampling loop lives on (watchdog fed)", machine.watchdogs and machine.watchdogs[0].feeds > feeds)


async def _run(ex):
    try:
        await _scenario(ex)
    except Exception as exc:
        import sys

        sys.print_exception(exc)
        ex.failures.append("scenario raised %s %r" % (type(exc).__name__, str(exc)))
    _finish(ex)


async def _guard(ex):
    await asyncio.sleep_ms(_GUARD_MS)
    ex.failures.append("scenario did not finish in %d ms" % _GUARD_MS)
    _finish(ex)


def start():
    ex = Expect()
    asyncio.create_task(_run(ex))
    asyncio.create_task(_guard(ex))
