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


def run(args: argparse.Namespace) -> int:
    from imu_reader.ble import BleCentral, UserFixableError, check_backend_spec
    from reptempo.commands import quiet_bumble

    quiet_bumble()
    try:
        check_backend_spec(args.ble_backend)
    except ValueError as exc:
        raise OptionError("--ble-backend", str(exc)) from None
    try:
        found = asyncio.run(_scan(BleCentral(args.ble_backend), args.timeout, not args.no_connect))
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
