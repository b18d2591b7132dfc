"""The simulator's front: a plan in, sensor streams and ground truth out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from imu_reader.link_model import LinkModelSettings, Transmission, transmit
from imu_reader.protocol import SensorInfo
from imu_reader.sim._choreography import Choreography, choreograph
from imu_reader.sim._plan import EXERCISES, SessionPlan
from imu_reader.sim._sensors import ImuErrors, Placement, add_errors, placement, sensor_kinematics, to_counts
from imu_reader.sim._tilt import TiltModel, model_tilt
from imu_reader.sim._truth import GroundTruth, PostureSpan, RepTruth, SetTruth, TiltEpisode

FloatArray = npt.NDArray[np.float64]

SIM_ROLES = ("shin", "pelvis", "shin_left", "shin_right")


@dataclass(frozen=True)
class SimSettings:
    """How to simulate a session.

    Attributes:
        plan: the workout and the athlete.
        sensors: roles to simulate; `shin` and `shin_right` sit on the right (working) leg.
        rate_hz: the sensors' nominal rate, 25 to 400 Hz.
        acc_range_g: accelerometer full scale, g.
        gyro_range_dps: gyroscope full scale, degrees per second.
        errors: the IMUs' noise, bias, drift and scale errors.
        max_clock_error: each sensor's oscillator error is drawn uniformly in +-this.
        random_mount: strap each sensor at a random orientation (else aligned with the segment).
        tilt_threshold_deg: anterior tilt that makes a tilt episode, degrees.
        series_rate_hz: rate of the ground-truth angle series, Hz.
    """

    plan: SessionPlan
    sensors: tuple[str, ...] = ("shin", "pelvis")
    rate_hz: int = 100
    acc_range_g: int = 8
    gyro_range_dps: int = 1000
    errors: ImuErrors = field(default_factory=ImuErrors)
    max_clock_error: float = 0.03
    random_mount: bool = True
    tilt_threshold_deg: float = 5.0
    series_rate_hz: float = 50.0

    def __post_init__(self) -> None:
        if not self.sensors:
            raise ValueError("simulate at least one sensor")
        unknown = [r for r in self.sensors if r not in SIM_ROLES]
        if unknown or len(set(self.sensors)) != len(self.sensors):
            raise ValueError(
                f"sensors must be distinct roles from {', '.join(SIM_ROLES)}, got {self.sensors}"
            )
        if "shin" in self.sensors and "shin_right" in self.sensors:
            raise ValueError("shin and shin_right are the same leg: choose one")
        # SensorInfo validates the rate and ranges against the protocol.
        SensorInfo("shin", self.rate_hz, self.acc_range_g, self.gyro_range_dps)
        if not 0.0 <= self.max_clock_error <= 0.05:
            raise ValueError(f"max_clock_error must be in [0, 0.05], got {self.max_clock_error}")


@dataclass(frozen=True)
class SimulatedSensor:
    """One sensor's stream, with the truth behind its clock.

    Attributes:
        info: what the sensor reports about itself.
        placement: where it is strapped.
        rate_error: its oscillator's relative error.
        start_s: true time of its first sample, s.
        sample_time_s: true time of every sample, s, shape (n,).
        acc_mps2: specific force it reads (errors included, before quantisation), shape (n, 3).
        gyr_rps: angular rate it reads, shape (n, 3).
        raw: the int16 counts it sends, shape (n, 6).
    """

    info: SensorInfo
    placement: Placement
    rate_error: float
    start_s: float
    sample_time_s: FloatArray
    acc_mps2: FloatArray
    gyr_rps: FloatArray
    raw: npt.NDArray[np.int16]


@dataclass(frozen=True)
class Simulation:
    """A simulated session: sensor streams and ground truth."""

    settings: SimSettings
    duration_s: float
    sensors: dict[str, SimulatedSensor]
    truth: GroundTruth
    choreography: Choreography
    tilt: TiltModel


def simulate(settings: SimSettings) -> Simulation:
    """Simulate a session; the same settings (seed included) give the same result."""
    plan = settings.plan
    rng = np.random.default_rng([plan.seed, 0])
    chor = choreograph(plan, rng)
    tilt = model_tilt(plan.body, chor)
    sensors = {}
    for k, role in enumerate(settings.sensors):
        sensor_rng = np.random.default_rng([plan.seed, 1, k])
        where = placement(role, plan.body, sensor_rng, random_mount=settings.random_mount)
        rate_error = float(sensor_rng.uniform(-settings.max_clock_error, settings.max_clock_error))
        start_s = float(sensor_rng.uniform(0.0, 0.1))
        period_s = 1.0 / (settings.rate_hz * (1.0 + rate_error))
        t = start_s + np.arange(int((chor.duration_s - start_s) / period_s), dtype=np.float64) * period_s
        acc, gyr, _ = sensor_kinematics(chor, tilt, plan.body, where, t)
        acc, gyr = add_errors(acc, gyr, period_s, settings.errors, sensor_rng)
        info = SensorInfo(
            role, settings.rate_hz, settings.acc_range_g, settings.gyro_range_dps, "emulator", "1.0.0"
        )
        raw = to_counts(acc, gyr, info)
        sensors[role] = SimulatedSensor(info, where, rate_error, start_s, t, acc, gyr, raw)
    truth = _ground_truth(settings, chor, tilt)
    return Simulation(settings, chor.duration_s, sensors, truth, chor, tilt)


def transmit_all(
    sim: Simulation,
    *,
    samples_per_packet: int = 1,
    loss: float = 0.0,
    loss_burst_packets: float = 1.0,
    jitter_s: float = 0.01,
    latency_s: float = 0.0075,
    outages: dict[str, tuple[tuple[float, float], ...]] | None = None,
) -> dict[str, Transmission]:
    """Each sensor's notifications and their host arrival times (deterministic from the seed).

    Args:
        sim: the simulation.
        samples_per_packet: samples per notification (1 fits the default 23-byte ATT MTU).
        loss: long-run share of lost packets.
        loss_burst_packets: mean length of a burst of losses (1 = independent).
        jitter_s: arrival jitter, uniform in [0, jitter_s], s.
        latency_s: the smallest delay from a packet's last sample to its arrival, s.
        outages: per role, (start_s, duration_s) spans when that sensor is disconnected.
    """
    out = {}
    for k, (role, sensor) in enumerate(sim.sensors.items()):
        link = LinkModelSettings(
            rate_hz=sensor.info.rate_hz,
            rate_error=sensor.rate_error,
            samples_per_packet=samples_per_packet,
            latency_s=latency_s,
            jitter_s=jitter_s,
            loss=loss,
            loss_burst_packets=loss_burst_packets,
            outages=(outages or {}).get(role, ()),
            start_s=sensor.start_s,
        )
        out[role] = transmit(sensor.raw, link, np.random.default_rng([sim.settings.plan.seed, 2, k]))
    return out


def _ground_truth(settings: SimSettings, chor: Choreography, tilt: TiltModel) -> GroundTruth:
    threshold = settings.tilt_threshold_deg
    grid = np.asarray(tilt.spline.x)
    tilt_deg = _net_tilt_deg(chor, tilt, grid)
    theta = chor.tracks["theta_r"]
    episodes = []
    above = tilt_deg >= threshold
    starts = np.flatnonzero(above[1:] & ~above[:-1]) + 1
    ends = np.flatnonzero(~above[1:] & above[:-1]) + 1
    for i0 in starts:
        i1_candidates = ends[ends > i0]
        i1 = int(i1_candidates[0]) if i1_candidates.size else grid.size - 1
        threshold_s = _cross(grid, tilt_deg, int(i0), threshold)
        end_s = _cross(grid, tilt_deg, i1, threshold) if i1_candidates.size else float(grid[-1])
        # Control is lost at the capacity crossing; the pelvis leaves its baseline then, or,
        # against an exercise's curl, only when the load wins over it (a sensor sees no
        # earlier onset): the later of the two.
        before = tilt.crossings_s[tilt.crossings_s <= threshold_s]
        onset_s = float(before[-1]) if before.size else threshold_s
        at_rest = np.flatnonzero(tilt_deg[: int(i0)] <= 0.0)
        if at_rest.size:
            onset_s = max(onset_s, float(grid[at_rest[-1]]))
        at = theta.eval(np.array([onset_s, threshold_s]))[0]
        episodes.append(
            TiltEpisode(
                onset_s, threshold_s, end_s, float(tilt_deg[i0 : i1 + 1].max()), float(at[0]), float(at[1])
            )
        )
    reps: list[RepTruth] = []
    sets: list[SetTruth] = []
    for set_index, event in enumerate(chor.sets):
        set_reps: list[RepTruth] = []
        for r in event.reps:
            window = (grid >= r.start_s) & (grid <= r.end_s)
            peak = max(float(tilt_deg[window].max()), 0.0) if window.any() else 0.0
            curl = max(-float(tilt_deg[window].min()), 0.0) if window.any() else 0.0
            set_reps.append(
                RepTruth(
                    len(reps) + len(set_reps),
                    set_index,
                    r.leg,
                    r.start_s,
                    r.top_s,
                    r.bottom_s,
                    r.end_s,
                    r.concentric_s,
                    r.pause_top_s,
                    r.eccentric_s,
                    r.pause_bottom_s,
                    r.rom_deg,
                    r.partial,
                    r.swing,
                    peak,
                    curl,
                )
            )
        reps.extend(set_reps)
        in_set = [e for e in episodes if event.start_s <= e.onset_s <= event.end_s]
        sets.append(
            SetTruth(
                set_index,
                event.plan.exercise,
                event.plan.core,
                str(event.plan.tempo),
                event.start_s,
                event.end_s,
                len(set_reps),
                sum(not r.partial for r in set_reps),
                max((e.leg_angle_at_onset_deg for e in in_set), default=None),
            )
        )
    postures = tuple(PostureSpan(p.posture, p.start_s, min(p.end_s, chor.duration_s)) for p in chor.postures)
    series_t = np.arange(0.0, chor.duration_s, 1.0 / settings.series_rate_hz)
    return GroundTruth(
        tuple(reps),
        tuple(episodes),
        tuple(sets),
        postures,
        threshold,
        settings.series_rate_hz,
        series_t,
        theta.eval(series_t)[0],
        _net_tilt_deg(chor, tilt, series_t),
    )


def _net_tilt_deg(chor: Choreography, tilt: TiltModel, t: FloatArray) -> FloatArray:
    """The pelvis's tilt as a sensor sees it: the load's anterior tilt plus, during sets, the
    posterior curl the exercise asks for (hanging leg raise, reverse crunch). A weak core
    curls less at the top; only when the load wins over the curl does the back arch."""
    net = np.degrees(np.maximum(tilt.spline(t), 0.0))
    pelvis = chor.tracks["pelvis"].eval(t)[0]
    for event in chor.sets:
        inside = (t >= event.start_s) & (t <= event.end_s)
        base = math.pi / 2 if EXERCISES[event.plan.exercise].posture == "hanging" else 0.0
        net[inside] += np.degrees(pelvis[inside] - base)
    return np.asarray(net, dtype=np.float64)


def _cross(t: FloatArray, y: FloatArray, i: int, level: float) -> float:
    """Time where y crosses `level` between samples i-1 and i (linear)."""
    y0, y1 = y[i - 1], y[i]
    if y1 == y0:
        return float(t[i])
    return float(t[i - 1] + (level - y0) / (y1 - y0) * (t[i] - t[i - 1]))
