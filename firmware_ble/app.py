# The sensor application: the hardware and asyncio shell around the pure core.
#
# MicroPython only (machine, bluetooth, aioble): it cannot run off the board, so it is
# kept thin. Every decision it carries out comes from the pure modules that the tests
# run in MicroPython and CPython: control.SensorState (what a command does),
# batcher.PacketBatcher (when a packet goes and what is in it), sample_ring.SampleRing
# (buffering, overflow, the sample counter), imu_* (register sequences, FIFO decoding),
# adv (advertising payloads), battery, status_led, role_store, board_check.

import asyncio
import binascii
import time

import aioble
import bluetooth
import machine

import adv
import battery
import board_check
import control
import imu
import imu_catalog
import protocol_core as core
import role_store
import status_led
from batcher import PacketBatcher
from board import BOARD
from micropython import const
from sample_ring import DEFAULT_CAPACITY, SampleRing, samples_in

FIRMWARE_VERSION = (1, 0, 0)
MANUFACTURER = "reptempo"

_WDT_TIMEOUT_MS = const(8000)  # the RP2040's watchdog allows at most 8388 ms
_ADV_INTERVAL_US = const(100000)  # found within a second by a scanning host
_CONN_INTERVAL_MIN_US = const(7500)
_CONN_INTERVAL_MAX_US = const(15000)
_PREFERRED_MTU = const(247)  # 244-byte payload: 19 samples per packet
_DEFAULT_MTU = const(23)
_POLL_MS = const(10)  # FIFO poll while streaming: ~10 ms between a sample and its read
_IDLE_POLL_MS = const(100)
_MAX_BURSTS_PER_POLL = const(8)
_MAX_I2C_ERRORS = const(5)  # consecutive failed FIFO reads before giving up
_BATTERY_PERIOD_MS = const(20000)
_LED_PERIOD_MS = const(30)


class Sensor:
    def __init__(self):
        errors = board_check.validate(BOARD)
        if errors:
            raise ValueError("board.py: " + "; ".join(errors))
        self.serial = binascii.hexlify(machine.unique_id()).decode()
        bus = BOARD["i2c"]
        self.i2c = machine.I2C(bus["bus"], sda=machine.Pin(bus["sda"]), scl=machine.Pin(bus["scl"]),
                               freq=bus["freq_hz"])
        self.imu = imu.open_imu(self.i2c, BOARD)
        self.imu.stop()  # idle in low power until a host starts a stream
        spec = imu_catalog.imu_spec(BOARD["imu"]["model"])
        self.state = control.SensorState(
            role_store.load_role(), control.DEFAULT_RATE_HZ, BOARD["acc_range_g"],
            BOARD["gyro_range_dps"], spec["model_id"], FIRMWARE_VERSION, spec["rates_hz"],
        )
        self.ring = SampleRing(DEFAULT_CAPACITY)
        self.batcher = PacketBatcher(self.state.rate_hz)
        self.payload_size = _DEFAULT_MTU - 3
        self.connection = None
        self.last_read_us = None  # when the counter was last in step with the IMU's FIFO
        self.fifo_overflows = 0
        self.identify_until_ms = 0
        self.led = _open_led(BOARD["led"])
        self.adc = _open_adc(BOARD["battery"])
        self.level = battery.LevelFilter()
        self.wdt = None
        self._register_services()

    # --- GATT ---------------------------------------------------------------
    def _register_services(self):
        uuid = bluetooth.UUID
        service = aioble.Service(uuid(core.SERVICE_UUID))
        self.data_char = aioble.Characteristic(service, uuid(core.DATA_CHAR_UUID), notify=True)
        # capture=True queues every write with its value: two quick commands are two commands.
        self.control_char = aioble.Characteristic(service, uuid(core.CONTROL_CHAR_UUID), write=True, capture=True)
        self.info_char = aioble.Characteristic(service, uuid(core.INFO_CHAR_UUID), read=True,
                                               initial=self.state.info())
        battery_service = aioble.Service(uuid(core.BATTERY_SERVICE_UUID16))
        self.level_char = aioble.Characteristic(battery_service, uuid(core.BATTERY_LEVEL_CHAR_UUID16),
                                                read=True, notify=True, initial=bytes((100,)))
        device_info = aioble.Service(uuid(core.DEVICE_INFO_SERVICE_UUID16))
        strings = (
            (0x2A29, MANUFACTURER),
            (0x2A24, "reptempo-imu-" + BOARD["name"]),
            (0x2A26, "%d.%d.%d" % FIRMWARE_VERSION),
            (0x2A25, self.serial),
        )
        for char_uuid, text in strings:
            aioble.Characteristic(device_info, uuid(char_uuid), read=True, initial=text.encode())
        aioble.register_services(service, battery_service, device_info)
        bluetooth.BLE().config(mtu=_PREFERRED_MTU)

    # --- control --------------------------------------------------------------
    def apply(self, actions):
        for action in actions:
            kind = action[0]
            if kind == control.ACT_START:
                self._start_stream()
            elif kind == control.ACT_STOP:
                self._stop_stream()
            elif kind == control.ACT_SET_RATE:
                self.batcher.set_rate(action[1])
                if self.state.started:
                    self._drain_fifo()  # samples at the old rate keep their counter values
                    self.imu.start(action[1])
                    self.last_read_us = time.ticks_us()
            elif kind == control.ACT_SAVE_ROLE:
                try:
                    role_store.save_role(action[1])  # the IMU's FIFO holds samples meanwhile
                except OSError as exc:  # a full or worn flash: the role holds until reboot
                    print("reptempo: role not saved:", exc)
            elif kind == control.ACT_UPDATE_INFO:
                self.info_char.write(action[1])
            elif kind == control.ACT_IDENTIFY:
                seconds = action[1]
                self.identify_until_ms = time.ticks_add(time.ticks_ms(), 1000 * seconds) if seconds else 0
            elif kind == control.ACT_IGNORED:
                print("reptempo: control ignored:", action[1])

    def _start_stream(self):
        now = time.ticks_us()
        if self.last_read_us is not None:
            # The IMU slept and counted nothing; the counter is the time base, so it
            # moves on by the time asleep and the host sees a gap, not a time warp.
            self.ring.skip(samples_in(time.ticks_diff(now, self.last_read_us), self.state.rate_hz))
        self.imu.start(self.state.rate_hz)
        self.last_read_us = now

    def _stop_stream(self):
        self.imu.stop()
        self.ring.clear()  # not sent, but their counter values stay used

    # --- sampling and sending -------------------------------------------------
    def _drain_fifo(self):
        for _ in range(_MAX_BURSTS_PER_POLL):
            samples, skipped, overflowed = self.imu.read()
            now = time.ticks_us()
            if overflowed:
                # Every sample since the last read went with the FIFO's reset.
                self.fifo_overflows += 1
                lost = samples_in(time.ticks_diff(now, self.last_read_us), self.state.rate_hz)
                self.ring.skip(max(lost, 1))
            else:
                self.ring.skip(skipped)
                if samples:
                    self.ring.push(samples)
            self.last_read_us = now
            if overflowed or len(samples) < 6 * self.imu.max_burst_samples:  # the FIFO is drained
                break

    def _send(self, connection):
        mtu = connection.mtu or _DEFAULT_MTU
        if mtu - 3 != self.payload_size:
            self.payload_size = mtu - 3
            self.batcher.set_payload(self.payload_size)
        while True:
            due = self.batcher.next_packet(self.ring)
            if due is None:
                return
            packet, count = due
            try:
                self.data_char.notify(connection, packet)
            except OSError:
                return  # the stack's buffers are full: the samples wait in the ring
            self.batcher.commit(self.ring, count)

    async def sample_loop(self):
        i2c_errors = 0
        while True:
            self.wdt.feed()  # only this loop feeds: if it stalls, the watchdog reboots
            connection = self.connection
            # is_connected: for up to a second after a disconnection the control task has
            # not noticed yet, and notifying a closed connection would raise.
            if self.state.started and connection is not None and connection.is_connected():
                try:
                    self._drain_fifo()
                    i2c_errors = 0
                except OSError:
                    # One glitch on the bus (a loose wire flexing) is survived: the FIFO
                    # keeps the samples for the next read. A bus that stays dead ends the
                    # firmware, and the supervisor reboots into advertising.
                    i2c_errors += 1
                    if i2c_errors > _MAX_I2C_ERRORS:
                        raise
                self._send(connection)
                await asyncio.sleep_ms(_POLL_MS)
            else:
                await asyncio.sleep_ms(_IDLE_POLL_MS)

    # --- connection -------------------------------------------------------------
    async def advertise_loop(self):
        ble = bluetooth.BLE()
        while True:
            name = control.advertised_name(self.state.role, self.serial)
            ble.config(gap_name=name)
            adv_data, resp_data = adv.payloads(name, core.SERVICE_UUID, _CONN_INTERVAL_MIN_US,
                                               _CONN_INTERVAL_MAX_US)
            connection = await aioble.advertise(_ADV_INTERVAL_US, adv_data=adv_data, resp_data=resp_data)
            self.connection = connection
            try:
                await self._serve(connection)
            finally:
                self.connection = None
                self.apply(self.state.on_disconnect())

    async def _serve(self, connection):
        asyncio.create_task(self._exchange_mtu(connection))
        while connection.is_connected():
            try:
                written = await self.control_char.written(timeout_ms=1000)
            except asyncio.TimeoutError:
                continue  # look at the connection again
            if written is None:
                continue
            writer, data = written
            if writer is connection:
                self.apply(self.state.on_control(data))

    async def _exchange_mtu(self, connection):
        try:
            await connection.exchange_mtu(_PREFERRED_MTU)
        except Exception as exc:  # the central may have done it already, or refuse: stay at 23
            print("reptempo: MTU exchange:", exc)

    # --- LED and battery ------------------------------------------------------------
    async def led_loop(self):
        lit = None
        while self.led is not None:
            if self.connection is None:
                mode = status_led.MODE_ADVERTISING
            elif self.state.started:
                mode = status_led.MODE_STREAMING
            else:
                mode = status_led.MODE_CONNECTED
            on = status_led.led_on(mode, time.ticks_ms(), self.identify_until_ms)
            if on != lit:  # a NeoPixel write blocks interrupts: only on a change
                self.led(on)
                lit = on
            await asyncio.sleep_ms(_LED_PERIOD_MS)

    async def battery_loop(self):
        while self.adc is not None:
            level = self.level.update(battery.cell_mv(self.adc(), BOARD["battery"]["divider"]))
            if level is not None:
                self.level_char.write(bytes((level,)), send_update=True)
            await asyncio.sleep_ms(_BATTERY_PERIOD_MS)

    async def run(self):
        self.wdt = machine.WDT(timeout=_WDT_TIMEOUT_MS)
        tasks = [
            asyncio.create_task(self.sample_loop()),
            asyncio.create_task(self.advertise_loop()),
            asyncio.create_task(self.led_loop()),
            asyncio.create_task(self.battery_loop()),
        ]
        # A task that ends by an exception ends the firmware; main.py then reboots it.
        await asyncio.gather(*tasks)


def _open_led(spec):
    """A function setting the LED on or off, or None for a board without one."""
    if spec is None:
        return None
    pin = machine.Pin(spec["pin"], machine.Pin.OUT)
    if spec["kind"] == "neopixel":
        import neopixel

        pixel = neopixel.NeoPixel(pin, 1)

        def set_pixel(on):
            pixel[0] = (0, 0, 40) if on else (0, 0, 0)
            pixel.write()

        return set_pixel
    active_low = spec["active_low"]

    def set_pin(on):
        pin.value(0 if on == active_low else 1)

    return set_pin


def _open_adc(spec):
    """A function returning the battery pin's voltage in microvolts, or None."""
    if spec is None:
        return None
    adc = machine.ADC(machine.Pin(spec["adc_pin"]))
    if hasattr(adc, "read_uv"):  # ESP32 ports: calibrated reading
        try:
            adc.atten(machine.ADC.ATTN_11DB)  # up to ~3.1 V at the pin
        except AttributeError:
            pass
        return adc.read_uv
    return lambda: adc.read_u16() * 3300000 // 65535  # RP2040: 3.3 V reference


def run():
    sensor = Sensor()  # a board or IMU problem surfaces here, before any task starts
    asyncio.run(sensor.run())
