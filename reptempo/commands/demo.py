"""`reptempo demo`: a simulated workout replayed in real time through the live decoding path."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from reptempo.cli import EXIT_OK, OptionError

if TYPE_CHECKING:
    from dsp.events import Event
    from dsp.pipeline import Pipeline
    from imu_reader import SensorStream
    from imu_reader.link_model import Transmission
    from imu_reader.sim import SessionPlan, Simulation
    from reptempo._demo_status import SensorStatus

STEP_S = 0.05
"""The live link hands over each sensor's new notifications about every 50 ms."""
STATUS_EVERY_S = 1.0
LOSS = 0.02
SENSORS = ("shin", "pelvis")
RATE_HZ = 100
TEMPO = "4-0-2-1"

INTRO = """\
reptempo demo: a simulated workout, no sensors needed (seed {seed}, {duration}).
  set 1  warm-up: 6 bent-knee lifts, strong core
  set 2  6 straight-leg lifts at tempo {tempo}, strong core: the back stays flat
  set 3  6 straight-leg lifts, weak core: the lower back arches as the legs go low
Shin and pelvis sensors at {rate} Hz, {loss:.0f}% packet loss, decoded and clock-aligned as in a
live session; replayed at {speed} (Ctrl-C stops).
Each second a status line gives the streams' status (measured rate, loss) and the
simulator's truth (phase, lift angle, pelvic tilt); lines marked >> are what the DSP
detects from the sensors: each rep with its tempo, the back arching, each set, the posture.
"""


def demo_plan(seed: int) -> SessionPlan:
    """The demo's workout: warm-up, a good set, and a set where the core gives out."""
    from imu_reader.sim import SessionPlan, SetPlan, Tempo

    tempo = Tempo.parse(TEMPO)
    return SessionPlan(
        sets=(
            SetPlan("bent_knee_lift", reps=6, tempo=tempo, core="strong", rest_after_s=25.0),
            SetPlan("straight_leg_lift", reps=6, tempo=tempo, core="strong", rest_after_s=30.0),
            SetPlan("straight_leg_lift", reps=6, tempo=tempo, core="weak"),
        ),
        seed=seed,
    )


def _check_options(args: argparse.Namespace) -> None:
    if not (math.isfinite(args.speed) and args.speed > 0):
        raise OptionError("--speed", f"must be a number > 0, got {args.speed}")
    if args.seed < 0:
        raise OptionError("--seed", f"must be >= 0, got {args.seed}")
    if args.duration is not None and not (math.isfinite(args.duration) and args.duration > 0):
        raise OptionError("--duration", f"must be a number of seconds > 0, got {args.duration}")


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM stops the demo as Ctrl-C does (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Replay:
    """Feeds each sensor's notifications to its `SensorStream` as their arrival time passes."""

    def __init__(self, sim: Simulation, transmissions: dict[str, Transmission]) -> None:
        from dsp.pipeline import Pipeline
        from imu_reader import SensorStream

        self.sim = sim
        self.transmissions = transmissions
        self.streams: dict[str, SensorStream] = {
            role: SensorStream(sensor.info) for role, sensor in sim.sensors.items()
        }
        infos = {role: sensor.info for role, sensor in sim.sensors.items()}
        self.pipeline: Pipeline = Pipeline(
            {role: float(info.rate_hz) for role, info in infos.items()},
            gyro_range_dps={role: float(info.gyro_range_dps) for role, info in infos.items()},
        )
        self.events: list[Event] = []
        self.samples = dict.fromkeys(self.streams, 0)
        self.reached_s = 0.0
        """Session time up to which notifications have been pushed, s."""
        self._done = dict.fromkeys(self.streams, 0)

    def advance(self, now_s: float) -> list[Event]:
        """Push every notification that has arrived by session time `now_s` through the
        decoding and the DSP; returns the events detected."""
        import numpy as np

        block = {}
        for role, tx in self.transmissions.items():
            j = int(np.searchsorted(tx.arrival_s, now_s, side="right"))
            done = self._done[role]
            if j > done:
                got = self.streams[role].push(tx.packets[done:j], tx.arrival_s[done:j])
                self.samples[role] += len(got)
                self._done[role] = j
                if len(got):
                    block[role] = got
        events = self.pipeline.process(block) if block else []
        self.events += events
        return events

    def finish(self) -> list[Event]:
        """The end of the workout: the events it settles (the last rep, the last set)."""
        events = self.pipeline.finish()
        self.events += events
        return events

    def sensor_status(self) -> list[SensorStatus]:
        """Each stream's measured rate (None before the clock is fitted) and loss so far."""
        from reptempo._demo_status import SensorStatus

        out = []
        for role, stream in self.streams.items():
            clock = stream.clock
            rate = clock.rate_hz if clock.fitted_span_s > 0 else None
            out.append(SensorStatus(role, rate, 100.0 * stream.stats.loss_fraction))
        return out


def summary_line(replay: Replay, t: float, *, complete: bool) -> str:
    """One line on how far the demo got."""
    from reptempo._demo_status import clock_text

    truth = replay.sim.truth
    reps = sum(1 for r in truth.reps if r.end_s <= t)
    tilts = sum(1 for e in truth.tilt_episodes if e.threshold_s <= t)
    found = sum(1 for e in replay.events if e.kind == "rep")
    arching = sum(1 for e in replay.events if e.kind == "tilt_onset")
    sensors = ", ".join(
        f"{s.role} {replay.samples[s.role]} samples ({s.loss_percent:.1f}% lost)"
        for s in replay.sensor_status()
    )
    how = (
        "workout complete"
        if complete
        else f"stopped at {clock_text(t).strip()} of {clock_text(replay.sim.duration_s).strip()}"
    )
    return (
        f"demo: {how}: {reps} of {len(truth.reps)} reps done, {tilts} tilt episodes; "
        f"detected {found} reps, {arching} tilt episodes; {sensors}."
    )


def replay_session(
    replay: Replay,
    *,
    end_s: float,
    speed: float,
    emit: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Replay up to session time `end_s` at `speed`, emitting a status line every second.

    `clock` and `sleep` pace the replay (wall seconds). Returns the session time reached;
    a KeyboardInterrupt propagates, with the time reached in `replay.reached_s`.
    """
    from reptempo._demo_status import event_line, header_line, status_at

    truth = replay.sim.truth
    set_reps: dict[int, int] = {}

    def tell(events: list[Event]) -> None:
        for event in events:
            line = event_line(event, set_reps)
            if line is not None:
                emit(line)

    emit(header_line(list(replay.streams)))
    wall_start = clock()
    next_status = STATUS_EVERY_S
    step = 0
    t = 0.0
    while t < end_s:
        step += 1
        t = min(step * STEP_S, end_s)
        wait = wall_start + t / speed - clock()
        if wait > 0:
            sleep(wait)
        events = replay.advance(t)
        replay.reached_s = t
        while next_status <= t + 1e-9:
            emit(status_at(truth, next_status, replay.sensor_status()))
            next_status += STATUS_EVERY_S
        tell(events)
    if t >= replay.sim.duration_s:
        tell(replay.finish())
    return t


def run(args: argparse.Namespace) -> int:
    """Simulate the demo workout and replay it in real time (or `--speed` times faster)."""
    _check_options(args)
    replay: Replay | None = None
    try:
        with _sigterm_interrupts():
            replay = _prepare(args)
            end_s = (
                replay.sim.duration_s if args.duration is None else min(args.duration, replay.sim.duration_s)
            )
            t = replay_session(replay, end_s=end_s, speed=args.speed, emit=_emit)
    except KeyboardInterrupt:
        if replay is None:
            _emit("demo: stopped before the replay started.")
        else:
            _emit(summary_line(replay, replay.reached_s, complete=False))
        return EXIT_OK
    _emit(summary_line(replay, t, complete=t >= replay.sim.duration_s))
    return EXIT_OK


def _emit(line: str) -> None:
    print(line, flush=True)


def _prepare(args: argparse.Namespace) -> Replay:
    """Simulate and transmit the workout, print the introduction, and set up the streams."""
    from imu_reader.sim import SimSettings, simulate, transmit_all
    from reptempo._demo_status import clock_text

    sim = simulate(SimSettings(demo_plan(args.seed), sensors=SENSORS, rate_hz=RATE_HZ))
    transmissions = transmit_all(sim, loss=LOSS)
    length = f"{clock_text(sim.duration_s).strip()} of session"
    if args.duration is not None and args.duration < sim.duration_s:
        length += f", the first {args.duration:g} s shown"
    speed = "real time" if args.speed == 1 else f"{args.speed:g}x speed"
    intro = INTRO.format(
        seed=args.seed, duration=length, tempo=TEMPO, rate=RATE_HZ, loss=100 * LOSS, speed=speed
    )
    sys.stdout.write(intro)
    sys.stdout.flush()
    return Replay(sim, transmissions)
