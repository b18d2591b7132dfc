"""The simulator: one hour of two sensors at 100 Hz, from a session plan to notifications.

The session is one long supine workout (a session never mixes hanging and floor work):
20 sets of 12 reps at tempo 4-0-2-1, straight-leg and bent-knee lifts in turn, 95 s rests,
shin and pelvis sensors at 100 Hz with random mounts and the default IMU errors. Each
timed run is `simulate` (choreography, tilt model, sensor kinematics, errors,
quantisation, ground truth) followed by `transmit_all` (1 sample per notification, 1 %
loss, 10 ms jitter). The figure is normalised to one hour of session.
"""

from __future__ import annotations

import time

from benchmarks._runner import Figure, benchmark, duration_figure, progress, time_repetitions
from imu_reader.sim import SessionPlan, SetPlan, SimSettings, Simulation, Tempo, simulate, transmit_all

TARGET_HOUR_S = 2.0
"""Issue "Ground-truth simulator", Benchmark: one hour of two sensors at 100 Hz simulated
to packets in <= 2 s."""

SEED = 20261125
SETS = 20
REPS = 12
REST_S = 95.0
LOSS = 0.01


def hour_settings() -> SimSettings:
    """About one hour of supine leg lifts, shin and pelvis at 100 Hz."""
    tempo = Tempo.parse("4-0-2-1")
    exercises = ("straight_leg_lift", "bent_knee_lift")
    sets = tuple(
        SetPlan(exercises[i % 2], reps=REPS, tempo=tempo, core="moderate", rest_after_s=REST_S)
        for i in range(SETS)
    )
    return SimSettings(SessionPlan(sets=sets, seed=SEED), sensors=("shin", "pelvis"), rate_hz=100)


def _check(sim: Simulation, packets: int) -> None:
    if len(sim.truth.reps) != SETS * REPS:
        raise AssertionError(f"{len(sim.truth.reps)} reps simulated, {SETS * REPS} planned")
    samples = sum(s.raw.shape[0] for s in sim.sensors.values())
    if not 0.95 * samples < packets <= samples:
        raise AssertionError(f"{packets} packets delivered for {samples} samples at 1 % loss")


@benchmark("sim")
def bench_sim(repeat: int) -> list[Figure]:
    """simulate + transmit_all of about an hour of two 100 Hz sensors, per hour of session."""
    settings = hour_settings()
    progress(f"sim: {SETS} sets x {REPS} reps, shin + pelvis at 100 Hz (untimed check run)")
    sim = simulate(settings)  # untimed: check it, warm imports and caches
    streams = transmit_all(sim, loss=LOSS)
    _check(sim, sum(len(tx.packets) for tx in streams.values()))
    hours = sim.duration_s / 3600.0
    frames = sum(s.raw.shape[0] for s in sim.sensors.values())
    simulate_s: list[float] = []

    def work() -> None:
        start = time.perf_counter()
        done = simulate(settings)
        simulate_s.append(time.perf_counter() - start)
        transmit_all(done, loss=LOSS)

    progress(f"sim: timing {sim.duration_s:.0f} s of session ({frames} frames) x {repeat}")
    seconds = time_repetitions(work, repeat)
    transmit_s = [total - part for total, part in zip(seconds, simulate_s, strict=True)]
    scale = 1.0 / hours
    session = f"{sim.duration_s / 60:.1f} min of session, {SETS} sets x {REPS} reps, 2 sensors at 100 Hz"
    return [
        duration_figure(
            "sim.hour_to_packets",
            seconds,
            TARGET_HOUR_S,
            f"simulate + transmit_all (1 sample/packet, 1 % loss), s per hour of session ({session})",
            scale=scale,
        ),
        duration_figure(
            "sim.simulate_per_hour",
            simulate_s,
            None,
            "of which simulate: choreography, tilt model, sensor signals, ground truth; s per hour",
            scale=scale,
        ),
        duration_figure(
            "sim.transmit_per_hour",
            transmit_s,
            None,
            "of which transmit_all: notifications and arrival times; s per hour",
            scale=scale,
        ),
    ]
