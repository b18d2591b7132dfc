"""`reptempo scan`: the reptempo sensors in range."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from reptempo.cli import EXIT_OK, CommandError, OptionError

if TYPE_CHECKING:
    from imu_reader.ble import BleCentral, FoundSensor
    from imu_reader.protocol import SensorInfo


def run(args: argparse.Namespace) -> int:
    from imu_reader.ble import BleCentral, UserFixableError
    from reptempo.commands import ble_backend_option

    backend = ble_backend_option(args.ble_backend)
    if args.set_role is not None or args.identify is not None:
        return _configure(args, backend)
    try:
        found = asyncio.run(_scan(BleCentral(backend), args.timeout, not args.no_connect))
    except UserFixableError as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        print(json.dumps({"sensors": [asdict(s) for s in found]}))
    else:
        print(table(found, args.timeout))
    return EXIT_OK


async def _scan(central: BleCentral, timeout_s: float, details: bool) -> list[FoundSensor]:
    from bleak.exc import BleakError

    from imu_reader.ble import advice_for, scan_sensors

    try:
        return await scan_sensors(central, timeout_s, details=details)
    except (BleakError, OSError) as exc:
        raise advice_for(exc) or CommandError(f"scan failed: {exc}") from None
    finally:
        await central.close()


IDENTIFY_S = 10


def _configure(args: argparse.Namespace, backend: str) -> int:
    from firmware_ble import protocol_core as core
    from imu_reader.ble import BleCentral, UserFixableError

    role = identify_s = None
    addresses = set()
    if args.set_role is not None:
        address, sep, role = args.set_role.partition("=")
        if not sep or not address or role not in core.ROLES:
            raise OptionError(
                "--set-role",
                f"expected ADDRESS=ROLE, ROLE one of {', '.join(core.ROLES)}, got {args.set_role!r}",
            )
        addresses.add(address.upper())
    if args.identify is not None:
        address, sep, seconds = args.identify.partition("=")
        if not address or (sep and not (seconds.isdigit() and int(seconds) <= 255)):
            raise OptionError(
                "--identify", f"expected ADDRESS or ADDRESS=S with S 0 to 255, got {args.identify!r}"
            )
        identify_s = int(seconds) if sep else IDENTIFY_S
        addresses.add(address.upper())
    if len(addresses) != 1:
        raise OptionError("--identify", "--set-role and --identify must name the same sensor")
    address = addresses.pop()
    try:
        info = asyncio.run(_configure_one(BleCentral(backend), address, role, identify_s, args.timeout))
    except UserFixableError as exc:
        raise CommandError(str(exc)) from None
    if role is not None and info.role != role:
        raise CommandError(f"{address} did not take the role {role} (it is still {info.role})")
    if args.format == "json":
        print(json.dumps({"address": address, "info": info.to_dict(), "identify_s": identify_s}))
        return EXIT_OK
    told = [f"{address}: a {info.role} sensor at {info.rate_hz} Hz"]
    if role is not None:
        told.append(f"it advertises as reptempo-{info.role} from now on")
    if identify_s:
        told.append(f"blinking for {identify_s} s")
    print("; ".join(told))
    return EXIT_OK


async def _configure_one(
    central: BleCentral, address: str, role: str | None, identify_s: int | None, timeout_s: float
) -> SensorInfo:
    from bleak.exc import BleakError

    from imu_reader.ble import advice_for, configure_sensor

    try:
        return await configure_sensor(central, address, role=role, identify_s=identify_s, timeout_s=timeout_s)
    except (BleakError, OSError) as exc:
        raise advice_for(exc) or CommandError(str(exc)) from None
    finally:
        await central.close()


def table(found: list[FoundSensor], timeout_s: float) -> str:
    """The sensors as an aligned table, or a line saying none was found."""
    if not found:
        return (
            f"no reptempo sensor found in {timeout_s:g} s: is it switched on and near? "
            "(a sensor connected to another app does not advertise)"
        )
    rows = [("name", "address", "role", "battery", "RSSI", "rate", "firmware")]
    for s in found:
        rows.append(
            (
                s.name or "?",
                s.address,
                s.role or "?",
                "-" if s.battery_percent is None else f"{s.battery_percent}%",
                f"{s.rssi_dbm} dBm",
                "-" if s.rate_hz is None else f"{s.rate_hz} Hz",
                s.firmware or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines += [f"{s.address}: could not read its details: {s.problem}" for s in found if s.problem]
    return "\n".join(lines)
