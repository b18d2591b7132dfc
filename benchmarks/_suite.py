"""The accuracy benchmark's fixed suite of simulated sessions, and running one through the pipeline.

The suite is deterministic: session `k` has plan seed `SEED_BASE + k` and its settings
follow from `k` alone, so any case can be rerun on its own:

    from benchmarks._suite import suite, run_session
    result = run_session(suite()[17])

Coverage: the first set's exercise cycles through all seven exercises and the sample rate
through 25/50/100/200 Hz once per exercise cycle; the lowering time cycles through
`ECCENTRIC_S` (0.5 to 8 s) set by set; core, mount, link loss, packet size and the other
phases come from the session's own generator. Each sensor's oscillator is off by up to
3 % (the simulator's default `max_clock_error`).

A session goes through the live path: notifications are decoded and clock-aligned by
`SensorStream` as they arrive, and every `STEP_S` of arrival time the new samples of all
sensors go to `Pipeline.process` together, then `finish()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dsp.events import Event
from dsp.pipeline import Pipeline
from dsp.scoring import (
    LatencySplit,
    PostureScore,
    RepScore,
    TiltScore,
    TruePosture,
    TrueRep,
    TrueTiltEpisode,
    latency_split,
    score_postures,
    score_reps,
    score_tilt,
)
from imu_reader import SensorStream
from imu_reader.sim import (
    EXERCISES,
    SessionPlan,
    SetPlan,
    SimSettings,
    Simulation,
    Tempo,
    simulate,
    transmit_all,
)

FloatArray = npt.NDArray[np.float64]

SEED_BASE = 7000
SESSIONS = 105
"""Sessions of 1, 2 and 3 sets in turn: 210 sets."""
STEP_S = 0.5
"""Samples go to the pipeline every this much arrival time, all sensors together, s."""

FAMILIES = {
    "alternate": ("dead_bug", "heel_taps"),
    "supine": ("single_leg_lift", "bent_knee_lift", "straight_leg_lift", "reverse_crunch"),
    "hanging": ("hanging_leg_raise",),
}
"""Exercises that may share a session: a session is all supine or all hanging, and
alternating exercises need a sensor on each shin (one leg's reps are invisible to the other)."""
EXERCISE_ORDER = tuple(EXERCISES)
RATES_HZ = (25, 50, 100, 200)
ECCENTRIC_S = (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)
CORES = ("weak", "moderate", "strong")
LINKS = ((0.0, 1.0), (0.01, 1.0), (0.03, 2.0), (0.05, 3.0))
"""(loss share, mean burst length in packets) of the simulated link."""


@dataclass(frozen=True)
class SessionCase:
    """One simulated session of the suite.

    Attributes:
        number: position in the suite.
        settings: what to simulate (the plan's seed is `SEED_BASE + number`).
        loss: long-run share of lost notifications.
        loss_burst_packets: mean length of a burst of losses.
        samples_per_packet: samples per notification.
    """

    number: int
    settings: SimSettings
    loss: float
    loss_burst_packets: float
    samples_per_packet: int

    @property
    def seed(self) -> int:
        """The plan's seed."""
        return self.settings.plan.seed

    def describe(self, set_index: int | None = None) -> str:
        """`session 17 (seed 7017, 100 Hz, random mounts, 3 % loss)`, with one set's plan if given."""
        s = self.settings
        mounts = "random" if s.random_mount else "aligned"
        text = (
            f"session {self.number} (seed {self.seed}, {s.rate_hz} Hz, {mounts} mounts, "
            f"{100 * self.loss:g} % loss, {self.samples_per_packet} spp)"
        )
        if set_index is not None:
            p = s.plan.sets[set_index]
            text += f" set {set_index}: {p.exercise} {p.tempo} {p.core}" + (
                " swing" if p.swing_probability else ""
            )
        return text


def leg_roles(sensors: tuple[str, ...]) -> dict[str, str]:
    """Which shin role should see each true leg's reps (`right` -> `shin` or `shin_right`)."""
    out = {}
    for role in sensors:
        if role in ("shin", "shin_right"):
            out["right"] = role
        elif role == "shin_left":
            out["left"] = role
    return out


def suite() -> list[SessionCase]:
    """The fixed suite: `SESSIONS` sessions, 210 sets."""
    cases = []
    set_counter = 0
    for k in range(SESSIONS):
        rng = np.random.default_rng([SEED_BASE, k])
        first = EXERCISE_ORDER[k % len(EXERCISE_ORDER)]
        family = next(name for name, members in FAMILIES.items() if first in members)
        n_sets = 1 + k % 3
        sets = []
        for i in range(n_sets):
            exercise = first if i == 0 else str(rng.choice(FAMILIES[family]))
            tempo = Tempo(
                eccentric_s=ECCENTRIC_S[set_counter % len(ECCENTRIC_S)],
                bottom_s=float(rng.choice([0.0, 0.0, 0.5, 1.0])),
                concentric_s=round(float(rng.uniform(0.6, 3.0)), 1),
                top_s=float(rng.choice([0.0, 0.5, 1.0, 2.0])),
            )
            set_counter += 1
            sets.append(
                SetPlan(
                    exercise,
                    reps=int(rng.integers(6, 11)),
                    tempo=tempo,
                    core=str(rng.choice(CORES)),
                    swing_probability=0.2 if rng.random() < 0.15 else 0.0,
                    rest_after_s=5.0 if i == n_sets - 1 else round(float(rng.uniform(20.0, 45.0)), 1),
                )
            )
        if family == "alternate":
            sensors: tuple[str, ...] = ("shin_right", "shin_left", "pelvis")
        elif rng.random() < 0.12:
            sensors = ("shin",)  # the one-sensor product: reps and tempo, no tilt
        else:
            sensors = ("shin", "pelvis")
        loss, burst = LINKS[int(rng.integers(len(LINKS)))]
        settings = SimSettings(
            SessionPlan(sets=tuple(sets), seed=SEED_BASE + k),
            sensors=sensors,
            rate_hz=RATES_HZ[(k // len(EXERCISE_ORDER)) % len(RATES_HZ)],
            random_mount=bool(rng.random() < 0.7),
        )
        cases.append(SessionCase(k, settings, loss, burst, int(rng.choice([1, 4]))))
    return cases


@dataclass(frozen=True)
class SessionResult:
    """A session run through the pipeline and scored.

    Attributes:
        case: what was simulated.
        events: everything the pipeline emitted, `finish()` included.
        reps: the truth's reps, as scored.
        episodes: the truth's tilt episodes (empty without a pelvis sensor).
        rep_score: detected reps against `reps`.
        tilt_score: detected onsets against `episodes`, None without a pelvis sensor.
        frames: samples that reached the pipeline, all sensors.
        error: the exception the pipeline raised, if it did (the events up to it are kept
            and scored: a crash costs the reps it loses).
        tilt_errors_deg: the pipeline's pelvic tilt minus the simulator's, sample by sample
            during the sets (`tilt_errors`); empty without a pelvis sensor.
        posture_score: told postures against the truth's, None without a pelvis sensor.
        latency_splits: each of `tilt_score.matches`' latency split into the data's delay,
            the samples lost and the pipeline's own (`dsp.scoring.latency_split`), None
            where the pelvis samples cannot be told apart (`pelvis_taken_s`).
    """

    case: SessionCase
    events: tuple[Event, ...]
    reps: tuple[TrueRep, ...]
    episodes: tuple[TrueTiltEpisode, ...]
    rep_score: RepScore
    tilt_score: TiltScore | None
    frames: int
    error: str | None = None
    tilt_errors_deg: FloatArray = field(default_factory=lambda: np.zeros(0))
    posture_score: PostureScore | None = None
    latency_splits: tuple[LatencySplit | None, ...] = ()


def true_reps(sim: Simulation) -> tuple[TrueRep, ...]:
    """The simulator's reps, each on the shin role that should see it."""
    legs = leg_roles(sim.settings.sensors)
    pelvis = "pelvis" in sim.settings.sensors
    return tuple(
        TrueRep(
            r.start_s,
            r.end_s,
            r.top_s,
            r.bottom_s,
            r.eccentric_s,
            r.set,
            legs[r.leg],
            r.max_anterior_tilt_deg if pelvis else math.nan,
            r.max_posterior_tilt_deg if pelvis else math.nan,
        )
        for r in sim.truth.reps
        if r.leg in legs
    )


def true_episodes(sim: Simulation) -> tuple[TrueTiltEpisode, ...]:
    """The simulator's tilt episodes, with the lift angle of the leg that was moving.

    The angle is the working leg's **shin** inclination from its rest at the start, the
    quantity a shin sensor measures and the DSP reports (docs/dsp.md): for straight legs it
    is the simulator's hip angle (`leg_angle_at_onset_deg`), with bent knees it is not. The
    working leg is the one whose rep contains the onset (the left one, in alternating
    exercises, half of the time).
    """
    out = []
    for e in sim.truth.tilt_episodes:
        rep = next((r for r in sim.truth.reps if r.start_s <= e.onset_s <= r.end_s), None)
        track = sim.choreography.tracks["shin_l" if rep is not None and rep.leg == "left" else "shin_r"]
        shin, _, _ = track.eval(np.array([0.0, e.onset_s]))
        angle = -math.degrees(float(shin[1] - shin[0]))
        out.append(TrueTiltEpisode(e.onset_s, e.threshold_s, e.end_s, e.peak_deg, angle))
    return tuple(out)


def tilt_errors(sim: Simulation, time_s: FloatArray, tilt_deg: FloatArray) -> FloatArray:
    """Pipeline tilt minus the simulator's, during the sets (outside them the athlete sits
    up, stands or shifts, which the truth's tilt leaves out by definition)."""
    inside = np.zeros(time_s.shape, dtype=bool)
    for s in sim.truth.sets:
        inside |= (time_s >= s.start_s) & (time_s <= s.end_s)
    true = np.interp(time_s[inside], sim.truth.series_time_s, sim.truth.pelvis_tilt_deg)
    return np.asarray(tilt_deg[inside] - true, dtype=np.float64)


def run_session(case: SessionCase) -> SessionResult:
    """Simulate, transmit, decode and align, run the pipeline in `STEP_S` steps, and score."""
    sim = simulate(case.settings)
    tx = transmit_all(
        sim,
        samples_per_packet=case.samples_per_packet,
        loss=case.loss,
        loss_burst_packets=case.loss_burst_packets,
    )
    streams = {role: SensorStream(sensor.info) for role, sensor in sim.sensors.items()}
    pipeline = Pipeline(
        {role: float(sensor.info.rate_hz) for role, sensor in sim.sensors.items()},
        gyro_range_dps={role: float(sensor.info.gyro_range_dps) for role, sensor in sim.sensors.items()},
        keep_tilt_series="pelvis" in sim.sensors,
    )
    done = dict.fromkeys(streams, 0)
    pelvis_s: list[FloatArray] = []
    events: list[Event] = []
    frames = 0
    error = None
    last_arrival = max(float(t.arrival_s[-1]) for t in tx.values() if t.arrival_s.size)
    try:
        for now in np.arange(STEP_S, last_arrival + 2 * STEP_S, STEP_S).tolist():
            block = {}
            for role, t in tx.items():
                j = int(np.searchsorted(t.arrival_s, now, side="right"))
                if j > done[role]:
                    samples = streams[role].push(t.packets[done[role] : j], t.arrival_s[done[role] : j])
                    done[role] = j
                    if len(samples):
                        block[role] = samples
                        frames += len(samples)
                        if role == "pelvis":
                            pelvis_s.append(samples.time_s)
            if block:
                events += pipeline.process(block)
        events += pipeline.finish()
    except Exception as exc:  # a benchmark reports a crashing case and goes on
        error = f"{type(exc).__name__}: {exc}"
    reps = true_reps(sim)
    episodes = true_episodes(sim) if pipeline.has_tilt else ()
    errors = tilt_errors(sim, *pipeline.tilt_series()) if pipeline.has_tilt else np.zeros(0)
    tilt_score = score_tilt(events, episodes) if pipeline.has_tilt else None
    splits: tuple[LatencySplit | None, ...] = ()
    if tilt_score is not None:
        taken = pelvis_taken_s(tx["pelvis"].sample_time_s, tx["pelvis"].received, pelvis_s)
        aligned = np.concatenate(pelvis_s) if pelvis_s else np.zeros(0)
        splits = tuple(
            None if taken is None else latency_split(m, aligned, taken) for m in tilt_score.matches
        )
    return SessionResult(
        case,
        tuple(events),
        reps,
        episodes,
        score_reps(events, reps),
        tilt_score,
        frames,
        error,
        errors,
        score_postures(events, [TruePosture(p.posture, p.start_s, p.end_s) for p in sim.truth.postures])
        if pipeline.has_tilt
        else None,
        splits,
    )


def pelvis_taken_s(
    sample_time_s: FloatArray, received: npt.NDArray[np.bool_], decoded: list[FloatArray]
) -> FloatArray | None:
    """When each decoded pelvis sample was taken, on the truth's clock: the received ones in
    order, when the stream gave them all once (None when it did not: a sample dropped or
    repeated would shift every one after it)."""
    taken = sample_time_s[received]
    return taken if taken.size == sum(d.size for d in decoded) else None
