"""A virtual BLE link: emulated sensors and, for each app that connects, a controller.

Every emulated sensor has its own bumble controller on one in-process `LocalLink`. An app
reaches the link through a TCP port speaking HCI (bumble's `tcp-client:` transport on the
app's side): each TCP connection gets a fresh controller of its own, and when the app goes
away its controller leaves the link and its connections to the sensors end, so the sensors
advertise again for the next app.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bumble import ll
from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR, Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink, StreamPacketSource

from imu_reader.ble.emulator._sensor import EmulatedSensor, LinkFaults, SensorSamples
from imu_reader.protocol import SensorInfo

logger = logging.getLogger(__name__)


def sensor_address(index: int) -> str:
    """The emulated sensor number `index`'s random static address (top two bits set)."""
    return f"C0:52:54:00:00:{index + 1:02X}"


class _TcpSink:
    """HCI packets from a controller to its app, over the app's TCP connection."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def on_packet(self, packet: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(packet)


class _AppConnection(StreamPacketSource):
    """One app's TCP connection: HCI packets in, a controller on the link for it."""

    def __init__(self, link: VirtualLink) -> None:
        super().__init__()
        self._link = link
        self.controller: Controller | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.controller = self._link.add_app_controller(self, _TcpSink(transport))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.controller is not None:
            self._link.remove_app_controller(self.controller)
            self.controller = None


class VirtualLink:
    """Emulated sensors on one virtual radio, and the apps connected to it over TCP."""

    def __init__(self) -> None:
        self.link = LocalLink()  # type: ignore[no-untyped-call]
        self.sensors: list[EmulatedSensor] = []
        self.apps = 0
        self._server: asyncio.Server | None = None
        self._app_controllers: list[Controller] = []

    def add_sensor(
        self, info: SensorInfo, samples: SensorSamples, faults: LinkFaults | None = None
    ) -> EmulatedSensor:
        """A new sensor on the link (it starts advertising with `start`)."""
        index = len(self.sensors)
        address = sensor_address(index)
        controller = Controller(f"sensor{index}", link=self.link, public_address=address)
        host = Host(controller, AsyncPipeSink(controller))
        device = Device(name=f"reptempo-{info.role}", address=Address(address), host=host)
        sensor = EmulatedSensor(device, info, samples, serial=f"EMU{index:09d}", faults=faults)
        self.sensors.append(sensor)
        return sensor

    async def start(self) -> None:
        """Power every sensor on; they advertise until an app connects."""
        for sensor in self.sensors:
            await sensor.start()

    async def serve(self, host: str, port: int) -> tuple[str, int]:
        """Accept apps on TCP `host:port` (port 0: any free port); returns the address bound."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _AppConnection(self), host, port)
        bound = self._server.sockets[0].getsockname()
        return str(bound[0]), int(bound[1])

    def add_app_controller(self, source: StreamPacketSource, sink: _TcpSink) -> Controller:
        self.apps += 1
        controller = Controller(
            f"app{self.apps}",
            host_source=source,
            host_sink=sink,
            link=self.link,
            public_address=f"C0:A9:90:00:00:{self.apps % 256:02X}",
        )
        self._app_controllers.append(controller)
        logger.info("an app connected to the virtual link (app %d)", self.apps)
        return controller

    def remove_app_controller(self, controller: Controller) -> None:
        if controller not in self._app_controllers:
            return  # the link closed first
        # The app is gone without a word: end its links as a radio that fell silent would
        # (a supervision timeout), so that the sensors advertise again.
        for connection in list(controller.le_connections.values()):
            connection.send_ll_control_pdu(ll.TerminateInd(HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR))
        controller.le_connections.clear()
        self.link.remove_controller(controller)
        self._app_controllers.remove(controller)
        logger.info("an app left the virtual link")

    async def close(self) -> None:
        """Stop the sensors and the server."""
        for sensor in self.sensors:
            await sensor.close()
        if self._server is not None:
            self._server.close()
            for controller in list(self._app_controllers):
                self.remove_app_controller(controller)
            await self._server.wait_closed()
            self._server = None

    @property
    def sensors_by_role(self) -> dict[str, EmulatedSensor]:
        return {sensor.info.role: sensor for sensor in self.sensors}


def parse_tcp_spec(spec: str) -> tuple[str, int]:
    """`tcp-server:HOST:PORT` -> (HOST, PORT); ValueError naming what is wrong."""
    kind, _, rest = spec.partition(":")
    host, _, port = rest.rpartition(":")
    if kind != "tcp-server" or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected tcp-server:HOST:PORT (e.g. tcp-server:127.0.0.1:9100), got {spec!r}")
    return host, int(port)


__all__: Sequence[str] = ("VirtualLink", "parse_tcp_spec", "sensor_address")
