"""`reptempo sim --ble TRANSPORT`: the simulated workout, live, as sensors on a virtual BLE link."""

from __future__ import annotations

import argparse
import asyncio
import math
from typing import TYPE_CHECKING

from reptempo.cli import EXIT_OK, CommandError, OptionError
from reptempo.sim_process import READY_PREFIX

if TYPE_CHECKING:
    from imu_reader.ble.emulator import LinkFaults, VirtualLink
    from imu_reader.sim import Simulation
    from reptempo.commands.sim import SimRequest

PROGRESS_EVERY_S = 10.0


def link_faults(args: argparse.Namespace, request: SimRequest) -> dict[str, LinkFaults]:
    """Each sensor's emulated faults, from --loss and --drop-*; `OptionError` names a bad one."""
    from imu_reader.ble.emulator import LinkFaults

    roles = request.settings.sensors
    if request.link.samples_per_packet != 1:
        raise OptionError("--samples-per-packet", "not with --ble: the negotiated MTU decides")
    if request.link.loss_burst_packets != 1.0:
        raise OptionError("--loss-burst", "not with --ble: the virtual link loses packets independently")
    drop_role = args.drop_sensor or roles[0]
    if drop_role not in roles:
        raise OptionError("--drop-sensor", f"{drop_role!r} is not one of --sensors ({', '.join(roles)})")
    if args.drop_after is not None and not (math.isfinite(args.drop_after) and args.drop_after >= 0):
        raise OptionError("--drop-after", f"must be a number of seconds >= 0, got {args.drop_after}")
    if not (math.isfinite(args.drop_for) and args.drop_for > 0):
        raise OptionError("--drop-for", f"must be a number of seconds > 0, got {args.drop_for}")
    seed = request.settings.plan.seed
    return {
        role: LinkFaults(
            loss=request.link.loss,
            drop_after_s=args.drop_after if role == drop_role else None,
            drop_for_s=args.drop_for,
            seed=seed * 16 + k,
        )
        for k, role in enumerate(roles)
    }


def run_ble(args: argparse.Namespace, request: SimRequest) -> int:
    from imu_reader.ble.emulator import parse_tcp_spec
    from reptempo.commands import quiet_bumble

    quiet_bumble()
    try:
        host, port = parse_tcp_spec(args.ble)
    except ValueError as exc:
        raise OptionError("--ble", str(exc)) from None
    faults = link_faults(args, request)

    from imu_reader.sim import simulate

    sim = simulate(request.settings)
    asyncio.run(_serve(sim, faults, host, port))
    return EXIT_OK


def _say(text: str) -> None:
    print(text, flush=True)


async def _serve(sim: Simulation, faults: dict[str, LinkFaults], host: str, port: int) -> None:
    from imu_reader.ble.emulator import emulate

    link = emulate(sim, faults)
    try:
        bound_host, bound_port = await link.serve(host, port)
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        await link.start()
        names = ", ".join(f"{s.name} ({s.info.rate_hz} Hz)" for s in link.sensors)
        truth = sim.truth
        _say(
            f"reptempo sim: {len(link.sensors)} emulated sensors on a virtual BLE link: {names}.\n"
            f"The workout ({len(truth.reps)} reps in {len(truth.sets)} sets, {sim.duration_s:.0f} s) "
            "runs from now, in real time, whether or not an app listens; Ctrl-C ends it.\n"
            f"{READY_PREFIX}bumble:tcp-client:{bound_host}:{bound_port}"
        )
        await _report_until_done(link, sim)
    finally:
        await link.close()


async def _report_until_done(link: VirtualLink, sim: Simulation) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    apps = 0
    next_progress = PROGRESS_EVERY_S
    over = False
    while True:
        elapsed = loop.time() - start
        if elapsed >= sim.duration_s and not over:
            over = True
            sent = sum(s.notifications_sent for s in link.sensors)
            _say(
                f"{elapsed:7.1f} s  workout over ({sent} notifications sent); the sensors lie still "
                "and stay on the link until Ctrl-C"
            )
        if link.apps != apps:
            apps = link.apps
            _say(f"{elapsed:7.1f} s  an app connected to the link (app {apps})")
        if elapsed >= next_progress and not over:
            done = sum(1 for r in sim.truth.reps if r.end_s <= elapsed)
            links = "; ".join(
                f"{s.info.role}: {'streaming' if s.streaming else 'idle'}, {s.notifications_sent} sent, "
                f"{s.notifications_lost} lost"
                for s in link.sensors
            )
            _say(f"{elapsed:7.1f} s  {done} of {len(sim.truth.reps)} reps done; {links}")
            next_progress += PROGRESS_EVERY_S
        await asyncio.sleep(0.1)
