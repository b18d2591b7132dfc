"""One emulated sensor: a bumble GATT server running the firmware's own pure core.

The control state machine (`firmware_ble.control`), the sample ring with its device
counter (`firmware_ble.sample_ring`) and the packing of notifications to the MTU
(`firmware_ble.batcher`, over `protocol_core`) are the very modules the sensors run, so
the bytes on the virtual air are the firmware's. What the emulator adds is what the
hardware does: an IMU sampling simulated motion at its own oscillator's pace, a radio
that may lose notifications or drop off the link.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from bumble import gatt
from bumble.core import UUID, AdvertisingData
from bumble.device import Connection, Device
from bumble.hci import HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR

from firmware_ble import control
from firmware_ble import protocol_core as core
from firmware_ble.batcher import PacketBatcher
from firmware_ble.sample_ring import DEFAULT_CAPACITY, SampleRing
from imu_reader.protocol import SensorInfo

logger = logging.getLogger(__name__)

ADVERTISING_INTERVAL_MS = 20.0
"""Short, so that a scan finds the sensor in milliseconds, not seconds (bumble's default
interval makes a scan and connect take about 2 s)."""

TICK_S = 0.02
"""How often the emulated IMU's FIFO is read."""
EMULATOR_IMU_MODEL = next(k for k, name in core.IMU_MODELS.items() if name == "emulator")

BATTERY_SERVICE_UUID = "180F"
BATTERY_LEVEL_UUID = "2A19"
DEVICE_INFORMATION_UUID = "180A"
MANUFACTURER_NAME_UUID = "2A29"
MODEL_NUMBER_UUID = "2A24"
SERIAL_NUMBER_UUID = "2A25"
FIRMWARE_REVISION_UUID = "2A26"
FIRMWARE_VERSION = (1, 0, 0)


@dataclass(frozen=True)
class SensorSamples:
    """What an emulated sensor measures: raw counts at a nominal rate, looked up by time.

    Attributes:
        raw: int16 counts, shape (n, 6): acc x y z, gyr x y z, at the protocol's scaling
            for `info`'s ranges.
        rate_hz: the rate `raw` was sampled at.
        rate_error: the sensor oscillator's relative error (its samples come that much faster).
    """

    raw: npt.NDArray[np.int16]
    rate_hz: float
    rate_error: float = 0.0

    def __post_init__(self) -> None:
        if self.raw.ndim != 2 or self.raw.shape[1] != 6 or self.raw.dtype != np.int16:
            raise ValueError(f"raw must be int16 of shape (n, 6), got {self.raw.dtype} {self.raw.shape}")
        if not (math.isfinite(self.rate_hz) and self.rate_hz > 0):
            raise ValueError(f"rate_hz must be > 0, got {self.rate_hz}")
        if abs(self.rate_error) > 0.05:
            raise ValueError(f"rate_error must be within +-0.05, got {self.rate_error}")

    @property
    def duration_s(self) -> float:
        """How long the recorded motion lasts, s."""
        return len(self.raw) / self.rate_hz

    def at(self, t_s: npt.NDArray[np.float64]) -> npt.NDArray[np.int16]:
        """The samples nearest to times `t_s` (seconds of the motion), clipped to its end."""
        index = np.clip(np.rint(t_s * self.rate_hz).astype(np.int64), 0, len(self.raw) - 1)
        return self.raw[index]


@dataclass(frozen=True)
class LinkFaults:
    """Faults to emulate on one sensor's link.

    Attributes:
        loss: share of data notifications lost on the air (their sequence numbers are used up).
        drop_after_s: seconds after power-on when the sensor drops off the link (None: never).
        drop_for_s: how long it stays away (no connection, no advertising), s.
        seed: for the losses.
    """

    loss: float = 0.0
    drop_after_s: float | None = None
    drop_for_s: float = 5.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.loss < 1.0:
            raise ValueError(f"loss must be in [0, 1), got {self.loss}")
        if self.drop_after_s is not None and not (
            math.isfinite(self.drop_after_s) and self.drop_after_s >= 0
        ):
            raise ValueError(f"drop_after_s must be >= 0, got {self.drop_after_s}")
        if not (math.isfinite(self.drop_for_s) and self.drop_for_s > 0):
            raise ValueError(f"drop_for_s must be > 0, got {self.drop_for_s}")


class EmulatedSensor:
    """A reptempo sensor on a bumble device: GATT services, advertising, streaming.

    `start()` powers the device on and advertises; the sensor's clock (its sample counter
    and the motion's time) starts then. After the motion's end the sensor lies still: it
    sends the last sample again. `finished` is set when it is closed.
    """

    def __init__(
        self,
        device: Device,
        info: SensorInfo,
        samples: SensorSamples,
        *,
        serial: str = "000000000000",
        faults: LinkFaults | None = None,
    ) -> None:
        self.device = device
        self.state = control.SensorState(
            info.role,
            info.rate_hz,
            info.acc_range_g,
            info.gyro_range_dps,
            EMULATOR_IMU_MODEL,
            FIRMWARE_VERSION,
            core.RATES_HZ,
        )
        self.ring = SampleRing(DEFAULT_CAPACITY)
        self.batcher = PacketBatcher(info.rate_hz, core.MIN_PAYLOAD)
        self.samples = samples
        self.serial = serial
        self.faults = faults or LinkFaults()
        self._rng = np.random.default_rng([self.faults.seed, 0x5E5])
        self.notifications_sent = 0
        self.notifications_lost = 0
        self.invalid_commands = 0
        self.identify_s = 0
        self.saved_role: str | None = None
        self.finished = asyncio.Event()
        self.connections = 0
        self._connection: Connection | None = None
        self._subscribed = False
        self._stream_task: asyncio.Task[None] | None = None
        self._drop_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._away = False
        # The counter runs from power-on at the current rate: counter = base + (t - t_base) * rate.
        self._t0 = 0.0
        self._rate_hz = info.rate_hz
        self._rate_t = 0.0
        self._rate_counter = 0
        self._read_counter = 0
        """Counter of the next sample the IMU's FIFO gives the ring."""
        self._data = gatt.Characteristic(
            core.DATA_CHAR_UUID, gatt.Characteristic.Properties.NOTIFY, gatt.Characteristic.READABLE, b""
        )
        control_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            core.CONTROL_CHAR_UUID,
            gatt.Characteristic.Properties.WRITE,
            gatt.Characteristic.WRITEABLE,
            gatt.CharacteristicValue(write=self._on_control),
        )
        info_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            core.INFO_CHAR_UUID,
            gatt.Characteristic.Properties.READ,
            gatt.Characteristic.READABLE,
            gatt.CharacteristicValue(read=lambda _connection: self.state.info()),
        )
        battery = gatt.Characteristic(
            BATTERY_LEVEL_UUID,
            gatt.Characteristic.Properties.READ | gatt.Characteristic.Properties.NOTIFY,
            gatt.Characteristic.READABLE,
            bytes([100]),  # mains-powered in effect: the protocol says an emulator reports 100
        )
        version = ".".join(map(str, FIRMWARE_VERSION)).encode()
        strings = {
            MANUFACTURER_NAME_UUID: b"reptempo",
            MODEL_NUMBER_UUID: b"reptempo-emulator",
            SERIAL_NUMBER_UUID: serial.encode(),
            FIRMWARE_REVISION_UUID: version,
        }
        device.add_services(
            [
                gatt.Service(core.SERVICE_UUID, [self._data, control_char, info_char]),
                gatt.Service(BATTERY_SERVICE_UUID, [battery]),
                gatt.Service(
                    DEVICE_INFORMATION_UUID,
                    [
                        gatt.Characteristic(
                            uuid, gatt.Characteristic.Properties.READ, gatt.Characteristic.READABLE, value
                        )
                        for uuid, value in strings.items()
                    ],
                ),
            ]
        )
        self._data.on(self._data.EVENT_SUBSCRIPTION, self._on_subscription)
        device.on(device.EVENT_CONNECTION, self._on_connection)

    # -- life cycle

    async def start(self) -> None:
        """Power on and advertise; the sensor's clock starts now."""
        await self.device.power_on()
        self._t0 = self._rate_t = asyncio.get_running_loop().time()
        await self._advertise()
        if self.faults.drop_after_s is not None:
            self._drop_task = asyncio.create_task(
                self._drop_once(self.faults.drop_after_s, self.faults.drop_for_s)
            )

    async def close(self) -> None:
        """Stop everything: tasks, the connection, advertising."""
        self._away = True
        tasks = [t for t in (self._stream_task, self._drop_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._stream_task = self._drop_task = None
        if self._connection is not None:
            await self._disconnect()
        if self.device.is_advertising:
            await self.device.stop_advertising()
        self.finished.set()

    @property
    def info(self) -> SensorInfo:
        """What the info characteristic says now."""
        return SensorInfo.from_bytes(self.state.info())

    @property
    def name(self) -> str:
        """The advertised name, with the role in it as the firmware's."""
        return f"reptempo-{self.state.role}"

    @property
    def powered_on_s(self) -> float:
        """When `start()` powered the sensor on: host monotonic time, s (the event loop's clock)."""
        return self._t0

    @property
    def elapsed_s(self) -> float:
        """Seconds since power-on, on the host's clock."""
        return asyncio.get_running_loop().time() - self._t0

    @property
    def streaming(self) -> bool:
        """Sending data notifications (started, subscribed and connected)."""
        return self.state.started and self._subscribed and self._connection is not None

    @property
    def sequence(self) -> int:
        """Sequence number of the next notification."""
        return self.batcher.sequence

    async def inject(self, payload: bytes) -> None:
        """Send `payload` as a data notification as it is: for tests of malformed packets."""
        if self._connection is not None:
            await self.device.notify_subscriber(self._connection, self._data, payload)

    async def drop(self, for_s: float) -> None:
        """Drop off the link now for `for_s` seconds, as a sensor out of range does."""
        self._away = True
        if self._connection is not None:
            await self._disconnect()
        if self.device.is_advertising:
            await self.device.stop_advertising()
        await asyncio.sleep(for_s)
        self._away = False
        if not self.finished.is_set():
            await self._advertise()

    # -- GATT and link events

    def _on_connection(self, connection: Connection) -> None:
        self.connections += 1
        self._connection = connection
        self._subscribed = False
        self.state.on_disconnect()  # a connection always begins stopped
        connection.on(connection.EVENT_DISCONNECTION, lambda _reason: self._on_disconnection(connection))

    def _on_disconnection(self, connection: Connection) -> None:
        if self._connection is connection:
            self._connection = None
        self._subscribed = False
        self.state.on_disconnect()
        self._update_streaming()
        if not self._away and not self.finished.is_set():
            task = asyncio.get_running_loop().create_task(self._advertise())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _on_subscription(self, _bearer: object, notify: bool, _indicate: bool) -> None:
        self._subscribed = notify
        self._update_streaming()

    def _on_control(self, _connection: Connection, value: bytes) -> None:
        for action in self.state.on_control(bytes(value)):
            match action:
                case (control.ACT_IGNORED, reason):
                    # The firmware cannot refuse a write (aioble acknowledges it first): it ignores it.
                    self.invalid_commands += 1
                    logger.info("%s: ignored control command %s: %s", self.name, bytes(value).hex(), reason)
                case (control.ACT_SET_RATE, int(rate_hz)):
                    self._set_rate(rate_hz)
                case (control.ACT_SAVE_ROLE, str(role)):
                    self.saved_role = role  # the sensor's flash: kept as long as the emulator runs
                case (control.ACT_IDENTIFY, int(seconds)):
                    self.identify_s = seconds
                    logger.info("%s: blinking for %d s", self.name, seconds)
        self._update_streaming()

    # -- the IMU and the stream

    def _counter_at(self, now: float) -> int:
        rate = self._rate_hz * (1.0 + self.samples.rate_error)
        return self._rate_counter + int((now - self._rate_t) * rate)

    def _set_rate(self, rate_hz: int) -> None:
        now = asyncio.get_running_loop().time()
        self._rate_counter = self._counter_at(now)
        self._rate_t = now
        self._rate_hz = rate_hz
        self.batcher.set_rate(rate_hz)

    def _update_streaming(self) -> None:
        loop = asyncio.get_running_loop()
        if self.streaming and self._stream_task is None:
            # The IMU slept while stopped: what it did not sample is a gap in the counter.
            self.ring.clear()
            due = self._counter_at(loop.time())
            self.ring.skip(due - self._read_counter)
            self._read_counter = due
            self._stream_task = loop.create_task(self._stream())
        elif not self.streaming and self._stream_task is not None:
            self._stream_task.cancel()
            self._stream_task = None

    async def _stream(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.streaming:
                await asyncio.sleep(TICK_S)
                await self._send_due(loop.time())
        except asyncio.CancelledError:
            raise
        except Exception:  # a dead stream task would leave a silent sensor: say why
            logger.exception("%s: streaming failed", self.name)
            raise
        finally:
            if self._stream_task is asyncio.current_task():
                self._stream_task = None

    def _read_fifo(self, now: float) -> None:
        """Move the samples the IMU took since the last read into the ring."""
        due = self._counter_at(now)
        if due <= self._read_counter:
            return
        rate = self._rate_hz * (1.0 + self.samples.rate_error)
        counters = np.arange(self._read_counter, due, dtype=np.int64)
        motion_s = (self._rate_t - self._t0) + (counters - self._rate_counter) / rate
        raw = self.samples.at(motion_s)  # after the motion's end, its last sample: lying still
        self.ring.push(raw.ravel().tolist(), len(raw))
        self._read_counter = due

    async def _send_due(self, now: float) -> None:
        connection = self._connection
        if connection is None:
            return
        self._read_fifo(now)
        payload = min(connection.att_mtu - 3, core.MAX_PAYLOAD)
        if core.max_samples_per_packet(payload) != self.batcher.max_samples:
            self.batcher.set_payload(payload)
        while (due := self.batcher.next_packet(self.ring)) is not None:
            packet, count = due
            if self.faults.loss and self._rng.random() < self.faults.loss:
                self.notifications_lost += 1  # sent, and lost on the air: its sequence number is used
            else:
                await self.device.notify_subscriber(connection, self._data, packet)
                self.notifications_sent += 1
            self.batcher.commit(self.ring, count)

    # -- advertising and faults

    def advertising_data(self) -> bytes:
        """Flags, the name (with the role in it) and the reptempo service UUID."""
        flags = bytes([0x06])  # LE general discoverable, BR/EDR not supported
        return bytes(
            AdvertisingData(
                [
                    (AdvertisingData.FLAGS, flags),
                    (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode()),
                    (
                        AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
                        UUID(core.SERVICE_UUID).to_bytes(),
                    ),
                ]
            )
        )

    async def _advertise(self) -> None:
        if self.device.is_advertising or self._connection is not None:
            return
        await self.device.start_advertising(
            advertising_data=self.advertising_data(),
            advertising_interval_min=ADVERTISING_INTERVAL_MS,
            advertising_interval_max=ADVERTISING_INTERVAL_MS,
        )

    async def _disconnect(self) -> None:
        connection = self._connection
        if connection is not None:
            await connection.disconnect(HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR)

    async def _drop_once(self, after_s: float, for_s: float) -> None:
        await asyncio.sleep(max(0.0, self._t0 + after_s - asyncio.get_running_loop().time()))
        logger.info("%s: dropping off the link for %.1f s", self.name, for_s)
        await self.drop(for_s)
