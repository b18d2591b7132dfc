"""`reptempo sim --out FILE.mcap --exercise NAME`: a simulated workout as a labelled recording."""

from __future__ import annotations

import argparse
import math
import os
import textwrap
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reptempo import __version__
from reptempo.cli import EXIT_OK, OptionError

if TYPE_CHECKING:
    from imu_reader.link_model import Transmission
    from imu_reader.recording import SessionMetadata
    from imu_reader.sim import SimSettings, Simulation

T = TypeVar("T")

STEP_S = 0.05
"""A live session hands the writer each sensor's new notifications about every 50 ms."""
SIM_EPOCH_UNIX_S = 1_767_225_600
"""2026-01-01T00:00:00Z: simulated sessions start then plus `seed % 86400` seconds, so that
the same options give the same bytes (no wall clock in the file)."""
MAX_SETS = 20
MAX_LOSS = 0.5
JITTER_S = 0.01
"""Arrival jitter of the simulated link, uniform in [0, JITTER_S], s."""
LATENCY_S = 0.0075
"""Smallest delay from a packet's last sample to its arrival, s."""


@dataclass(frozen=True)
class LinkOptions:
    """How the simulated notifications travel (see `imu_reader.sim.transmit_all`).

    Attributes:
        samples_per_packet: samples per notification.
        loss: long-run share of lost packets.
        loss_burst_packets: mean length of a run of lost packets (1 = independent losses).
        jitter_s: arrival jitter, uniform in [0, jitter_s], s.
        latency_s: smallest delay from a packet's last sample to its arrival, s.
    """

    samples_per_packet: int = 1
    loss: float = 0.01
    loss_burst_packets: float = 1.0
    jitter_s: float = JITTER_S
    latency_s: float = LATENCY_S


@dataclass(frozen=True)
class SimRequest:
    """Everything `reptempo sim` was asked for, validated."""

    settings: SimSettings
    link: LinkOptions


def _check(option: str, build: Callable[[], T]) -> T:
    """`build()`, with the library's ValueError turned into an error naming `option`."""
    try:
        return build()
    except ValueError as exc:
        raise OptionError(option, str(exc)) from None


def _sensor_roles(text: str) -> tuple[str, ...]:
    roles = tuple(part.strip() for part in text.split(","))
    if not all(roles):
        raise OptionError("--sensors", f"expected comma-separated roles such as shin,pelvis, got {text!r}")
    return roles


def sim_request(args: argparse.Namespace) -> SimRequest:
    """Validate the options into simulation and link settings; `OptionError` names the bad one.

    Each option is checked by building the library object it feeds with that option alone
    changed from the defaults, so the message is the library's own.
    """
    from firmware_ble import protocol_core as core
    from imu_reader.link_model import LinkModelSettings
    from imu_reader.sim import Body, SessionPlan, SetPlan, SimSettings, Tempo

    if args.seed < 0:
        raise OptionError("--seed", f"must be >= 0, got {args.seed}")
    if not 1 <= args.sets <= MAX_SETS:
        raise OptionError("--sets", f"must be 1 to {MAX_SETS}, got {args.sets}")
    tempo = _check("--tempo", lambda: Tempo.parse(args.tempo))
    exercise = args.exercise
    _check("--exercise", lambda: SetPlan(exercise))
    _check("--reps", lambda: SetPlan(exercise, reps=args.reps))
    _check("--core", lambda: SetPlan(exercise, core=args.core))
    _check("--swing", lambda: SetPlan(exercise, swing_probability=args.swing))
    _check("--partial", lambda: SetPlan(exercise, partial_probability=args.partial))
    set_plan = _check(
        "--rest",
        lambda: SetPlan(
            exercise,
            reps=args.reps,
            tempo=tempo,
            core=args.core,
            swing_probability=args.swing,
            partial_probability=args.partial,
            rest_after_s=args.rest,
        ),
    )
    _check("--height", lambda: Body(height_m=args.height))
    body = _check("--mass", lambda: Body(height_m=args.height, mass_kg=args.mass))
    plan = SessionPlan(sets=(set_plan,) * args.sets, body=body, seed=args.seed)
    roles = _sensor_roles(args.sensors)
    _check("--sensors", lambda: SimSettings(plan, sensors=roles))
    settings = _check(
        "--rate",
        lambda: SimSettings(plan, sensors=roles, rate_hz=args.rate, random_mount=not args.aligned_mounts),
    )
    largest = core.max_samples_per_packet(core.MAX_PAYLOAD)
    if not 1 <= args.samples_per_packet <= largest:
        raise OptionError(
            "--samples-per-packet",
            f"must be 1 to {largest} (a {core.MAX_PAYLOAD}-byte notification holds {largest}), "
            f"got {args.samples_per_packet}",
        )
    if not 0.0 <= args.loss <= MAX_LOSS:
        raise OptionError("--loss", f"must be in [0, {MAX_LOSS}], got {args.loss}")
    _check("--loss-burst", lambda: LinkModelSettings(loss_burst_packets=args.loss_burst))
    if not math.isfinite(args.loss_burst):
        raise OptionError("--loss-burst", f"must be a finite number >= 1, got {args.loss_burst}")
    link = LinkOptions(args.samples_per_packet, args.loss, args.loss_burst)
    return SimRequest(settings, link)


def start_unix_ns(seed: int) -> int:
    """Wall-clock time of session time 0 of a simulated session: fixed by the seed."""
    return (SIM_EPOCH_UNIX_S + seed % 86_400) * 1_000_000_000


def sim_config(request: SimRequest) -> dict[str, Any]:
    """Every parameter of the simulation and the link, JSON-ready (the recording's `config`)."""
    return {
        "simulation": asdict(request.settings),
        "link": asdict(request.link),
        "writer": {"step_s": STEP_S},
    }


def sim_metadata(request: SimRequest) -> SessionMetadata:
    """The session metadata of a simulated recording: synthetic, source `sim`, the whole config."""
    from imu_reader.recording import SessionMetadata

    plan = request.settings.plan
    first = plan.sets[0]
    return SessionMetadata(
        software_version=__version__,
        synthetic=True,
        source="sim",
        start_unix_ns=start_unix_ns(plan.seed),
        config=sim_config(request),
        extra={
            "exercise": first.exercise,
            "seed": str(plan.seed),
            "core": first.core,
            "tempo": str(first.tempo),
        },
    )


def transmit(sim: Simulation, link: LinkOptions) -> dict[str, Transmission]:
    """Each sensor's notifications with their host arrival times."""
    from imu_reader.sim import transmit_all

    return transmit_all(
        sim,
        samples_per_packet=link.samples_per_packet,
        loss=link.loss,
        loss_burst_packets=link.loss_burst_packets,
        jitter_s=link.jitter_s,
        latency_s=link.latency_s,
    )


def write_simulation(
    path: Path,
    sim: Simulation,
    streams: dict[str, Transmission],
    metadata: SessionMetadata,
    *,
    step_s: float = STEP_S,
) -> None:
    """Write a simulated session to `path` as a live session would.

    Labels (the ground truth) first, then each sensor's info and a `connected` link event
    at time 0, then the notifications of all sensors interleaved in `step_s` steps of
    arrival time, as the live link hands them to the recorder.
    """
    import numpy as np

    from imu_reader.recording import RecordingWriter

    with RecordingWriter(path, metadata=metadata, fsync=False) as writer:
        writer.add_labels(sim.truth.to_dict())
        for role, sensor in sim.sensors.items():
            writer.add_sensor(sensor.info, time_s=0.0)
            writer.add_link_event(role, "connected", 0.0)
        done = dict.fromkeys(streams, 0)
        end_s = max((float(tx.arrival_s[-1]) for tx in streams.values() if tx.arrival_s.size), default=0.0)
        for now in np.arange(step_s, end_s + 2 * step_s, step_s).tolist():
            for role, tx in streams.items():
                j = int(np.searchsorted(tx.arrival_s, now, side="right"))
                if j > done[role]:
                    writer.add_notifications(
                        role, tx.packets[done[role] : j], tx.arrival_s[done[role] : j].tolist()
                    )
                    done[role] = j


def write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` with a temporary name beside `out`, then rename it to `out`.

    On any error or Ctrl-C the temporary file is removed and `out` is left as it was.
    """
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        write(tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 1e6 else f"{n_bytes / 1e3:.0f} kB"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(path: Path, sim: Simulation, streams: dict[str, Transmission], link: LinkOptions) -> str:
    """One paragraph on what was written: duration, sensors and clocks, reps, tilt, file size."""
    truth = sim.truth
    plan = sim.settings.plan
    first = plan.sets[0]
    reps = truth.reps
    partial = sum(r.partial for r in reps)
    swung = sum(r.swing for r in reps)
    sensors = ", ".join(
        f"{role} clock {100 * s.rate_error:+.2f} % "
        f"({100 * streams[role].packets_lost / max(1, streams[role].packets_sent):.1f} % of packets lost)"
        for role, s in sim.sensors.items()
    )
    episodes = truth.tilt_episodes
    if episodes:
        ranges = [s.safe_end_range_deg for s in truth.sets if s.safe_end_range_deg is not None]
        tilt = (
            f"{_plural(len(episodes), 'tilt episode')} beyond {truth.tilt_threshold_deg:g} degrees "
            f"(peak {max(e.peak_deg for e in episodes):.1f} degrees"
            + (f"; control lost with the legs at up to {max(ranges):.0f} degrees" if ranges else "")
            + ")."
        )
    else:
        tilt = f"No tilt episode: the pelvis stayed within {truth.tilt_threshold_deg:g} degrees."
    text = (
        f"Wrote {path} ({_size(path.stat().st_size)}): {sim.duration_s:.1f} s of simulated session, "
        f"seed {plan.seed}: {_plural(len(plan.sets), 'set')} of {first.exercise} at tempo {first.tempo} "
        f"with a {first.core} core, {_plural(len(reps), 'rep')} ({partial} partial, {swung} swung). "
        f"Sensors at {sim.settings.rate_hz} Hz, {_plural(link.samples_per_packet, 'sample')} per "
        f"packet: {sensors}. {tilt}"
    )
    return textwrap.fill(text, width=100)


def run(args: argparse.Namespace) -> int:
    """Simulate, transmit and write `args.out`; print a summary. With `--ble`, emulate."""
    if args.ble is not None:
        from reptempo.commands._sim_ble import run_ble

        return run_ble(args, sim_request(args))
    for option in ("drop_after", "drop_sensor"):
        if getattr(args, option) is not None:
            raise OptionError(
                f"--{option.replace('_', '-')}", "only with --ble (a recording has no link to drop)"
            )
    out = Path(args.out)
    if out.suffix.lower() != ".mcap":
        raise OptionError("--out", f"{out} must end in .mcap (other names are read as CSV)")
    if not out.parent.is_dir():
        raise OptionError("--out", f"directory {out.parent} does not exist")
    if out.is_dir():
        raise OptionError("--out", f"{out} is a directory")
    request = sim_request(args)

    from imu_reader.sim import simulate

    sim = simulate(request.settings)
    streams = transmit(sim, request.link)
    metadata = sim_metadata(request)
    write_atomically(out, lambda tmp: write_simulation(tmp, sim, streams, metadata))
    print(summary(out, sim, streams, request.link))
    return EXIT_OK
