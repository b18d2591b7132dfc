"""`reptempo live`: a live session with the sensors, events printed as they happen."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

from reptempo.cli import EXIT_OK, CommandError, OptionError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
CALIBRATE_SIGNAL = signal.SIGUSR1
"""Takes the pelvis baseline again (`kill -USR1 PID`): a headless session has no keyboard."""

if TYPE_CHECKING:
    from dsp.events import Event
    from imu_reader.ble import SensorTarget


def targets(args: argparse.Namespace) -> list[SensorTarget]:
    """The sensors asked for, validated; `OptionError` names the bad option."""
    from imu_reader.ble import SensorTarget

    roles = [part.strip() for part in args.sensors.split(",")]
    if not all(roles) or len(set(roles)) != len(roles):
        raise OptionError(
            "--sensors", f"expected distinct comma-separated roles such as shin,pelvis, got {args.sensors!r}"
        )
    addresses: dict[str, str] = {}
    for item in args.address:
        role, sep, address = item.partition("=")
        if not sep or not address or role not in roles:
            raise OptionError("--address", f"expected ROLE=ADDRESS with ROLE one of --sensors, got {item!r}")
        addresses[role] = address
    out = []
    for role in roles:
        option = "--rate" if role in addresses or args.rate is not None else "--sensors"
        try:
            out.append(SensorTarget(role, addresses.get(role), args.rate))
        except ValueError as exc:
            raise OptionError(option if "rate" in str(exc) else "--sensors", str(exc)) from None
    return out


def run(args: argparse.Namespace) -> int:
    from imu_reader.ble import BleCentral, UserFixableError
    from reptempo.commands import ble_backend_option

    backend = ble_backend_option(args.ble_backend)
    wanted = targets(args)
    printer = LinePrinter(args.format)
    try:
        asyncio.run(_live(BleCentral(backend), wanted, printer, args.duration))
    except UserFixableError as exc:
        raise CommandError(str(exc)) from None
    return EXIT_OK


async def _live(
    central: Any, wanted: list[SensorTarget], printer: LinePrinter, duration_s: float | None
) -> None:
    from reptempo.live_session import LiveSession

    session = LiveSession(central, wanted, printer, measure_latency=True)
    loop = asyncio.get_running_loop()

    def stop() -> None:
        # The first Ctrl-C (or SIGTERM) ends the session cleanly; a second one interrupts.
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        session.request_stop()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop)
    loop.add_signal_handler(CALIBRATE_SIGNAL, session.calibrate)
    cpu_start = time.process_time()
    wall_start = time.monotonic()
    try:
        stats = await session.run(duration_s)
    finally:
        await central.close()
    printer(
        {
            "type": "summary",
            "duration_s": round(time.monotonic() - wall_start, 3),
            "reps": stats.reps,
            "events": stats.events,
            "cpu_s": round(time.process_time() - cpu_start, 3),
            **latency_ms(stats.latency_s),
        }
    )


def latency_ms(latency_s: list[float]) -> dict[str, float | None]:
    """Median and 99th percentile of the time from the arrival of a notification that
    completes a DSP batch to the hand-off of the batch's events, ms."""
    if not latency_s:
        return {"latency_median_ms": None, "latency_p99_ms": None}
    ordered = sorted(latency_s)
    median = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"latency_median_ms": round(1e3 * median, 3), "latency_p99_ms": round(1e3 * p99, 3)}


class LinePrinter:
    """Prints each event or link record as one line of text or JSON, flushed at once."""

    def __init__(self, output_format: str) -> None:
        self.json = output_format == "json"
        self.set_reps: dict[int, int] = {}

    def __call__(self, item: Event | dict[str, Any]) -> None:
        line = self.line(item)
        if line is not None:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def line(self, item: Event | dict[str, Any]) -> str | None:
        if self.json:
            from dsp.events import event_dict

            return json.dumps(item if isinstance(item, dict) else event_dict(item))
        if not isinstance(item, dict):
            from reptempo._demo_status import event_line

            return event_line(item, self.set_reps)
        return link_line(item)


def link_line(record: dict[str, Any]) -> str | None:
    """A readable line for a link record (None for those text output leaves out)."""
    from reptempo._demo_status import clock_text

    kind = record["type"]
    when = clock_text(record.get("t_s", 0.0))
    role = record.get("role", "")
    if kind == "sensor":
        state = record["state"]
        if state == "connected":
            battery = "?" if record["battery_percent"] is None else record["battery_percent"]
            return (
                f"{when}  {role}: connected to {record['address']} "
                f"({record['rate_hz']} Hz, MTU {record['mtu']}, battery {battery}%)"
            )
        if state == "disconnected" and record["reason"] == "stopped":
            return f"{when}  {role}: disconnected"
        if state == "disconnected":
            return f"{when}  {role}: link lost; looking for it again"
        if state == "retrying":
            return f"{when}  {role}: {record['reason']}; next try in {record['retry_in_s']:.2f} s"
        return f"{when}  {role}: {record.get('note', state)}"
    if kind == "note":
        return f"{when}  {record['note']}"
    if kind in ("link", "link_summary"):
        rate = "?" if record["rate_hz"] is None else f"{record['rate_hz']:.1f}"
        malformed = sum(record["malformed"].values())
        label = "at the end" if kind == "link_summary" else ""
        return (
            f"{when}  {role}: {rate} Hz, {record['loss_percent']:.1f}% lost, {malformed} malformed, "
            f"{record['duplicates']} duplicates {label}".rstrip()
        )
    if kind == "summary":
        return (
            f"session over: {record['reps']} reps in {record['duration_s']:.0f} s "
            f"(CPU {record['cpu_s']:.1f} s)"
        )
    return None
