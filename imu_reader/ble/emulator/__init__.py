"""Emulated reptempo sensors on a virtual BLE link (bumble), for tests, demos and development.

The sensors run the firmware's protocol core (`firmware_ble.protocol_core`) on simulated
motion; an app connects to the link over TCP with bumble's `tcp-client:` transport, through
the same bleak code as with real sensors. See docs/ble.md.
"""

from __future__ import annotations

from imu_reader.ble.emulator._link import VirtualLink, parse_tcp_spec, sensor_address
from imu_reader.ble.emulator._sensor import EmulatedSensor, LinkFaults, SensorSamples
from imu_reader.sim import Simulation


def emulate(sim: Simulation, faults: dict[str, LinkFaults] | None = None) -> VirtualLink:
    """A virtual link with one emulated sensor per simulated sensor (not started yet)."""
    link = VirtualLink()
    for role, sensor in sim.sensors.items():
        samples = SensorSamples(sensor.raw, float(sensor.info.rate_hz), sensor.rate_error)
        link.add_sensor(sensor.info, samples, (faults or {}).get(role))
    return link


__all__ = [
    "EmulatedSensor",
    "LinkFaults",
    "SensorSamples",
    "VirtualLink",
    "emulate",
    "parse_tcp_spec",
    "sensor_address",
]
