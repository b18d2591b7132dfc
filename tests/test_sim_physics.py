"""Physics of the simulator: what ideal sensors read follows from the choreographed motion.

Conventions (imu_reader.sim): world X from the feet to the head of a supine athlete, Z up;
a segment at absolute angle a points along u(a) = (cos a, 0, sin a); its frame is e1 = u,
e2 = world Y, e3 = (-sin a, 0, cos a); the sensor frame is the segment frame turned by
`Placement.mount`, so a sensor-frame vector v is R_seg(a) R_mount v in the world.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt
import pytest
from scipy.spatial.transform import Rotation

from dsp import STANDARD_GRAVITY_MPS2 as G
from imu_reader.sim import (
    NO_ERRORS,
    SessionPlan,
    SetPlan,
    SimSettings,
    Simulation,
    Tempo,
    simulate,
    transmit_all,
)
from imu_reader.sim._choreography import _TREMOR_HZ
from imu_reader.sim._sensors import segment_motion, sensor_kinematics
from imu_reader.sim._tilt import TILT_LAG_S, legs_torque_nm, reference_torque_nm

FloatArray = npt.NDArray[np.float64]

ROLES = ("shin", "pelvis", "shin_left")
STILL_S = 5.0
"""The choreography holds the athlete still for the first 6 s (calibration period)."""


@functools.cache
def session(
    exercise: str,
    *,
    reps: int = 4,
    swing: float = 0.0,
    core: str = "moderate",
    tempo: str = "4-0-2-1",
    seed: int = 1,
    rate_hz: int = 100,
) -> Simulation:
    """One seeded set with ideal sensors (no noise, bias, scale error, clock error)."""
    plan = SessionPlan(
        sets=(
            SetPlan(
                exercise,
                reps=reps,
                tempo=Tempo.parse(tempo),
                core=core,
                swing_probability=swing,
                partial_probability=0.0,
            ),
        ),
        seed=seed,
    )
    return simulate(SimSettings(plan, sensors=ROLES, rate_hz=rate_hz, errors=NO_ERRORS, max_clock_error=0.0))


def segment_angle(sim: Simulation, role: str, t: FloatArray) -> FloatArray:
    """True absolute angle (rad) of the segment `role` is strapped to."""
    segment = sim.sensors[role].placement.segment
    return segment_motion(sim.choreography, sim.tilt, sim.settings.plan.body, segment, t)[0]


def segment_rotation(a: FloatArray) -> Rotation:
    """Segment frame -> world: e1 = (cos a, 0, sin a) is a turn of -a about world Y."""
    return Rotation.from_rotvec(np.outer(-a, [0.0, 1.0, 0.0]))


def non_smooth_instants(sim: Simulation) -> FloatArray:
    """Instants where the choreography is deliberately not smooth.

    Ballistic profiles (swing reps) start or stop abruptly: a jump in velocity at the start
    of a swung raise and at the end of a dropped lowering, a jump in acceleration where they
    meet a hold. A bounce starts with a jump in velocity; the fades of an oscillation are
    smooth up to the acceleration, but its jerk jumps where they begin and end, which a
    central second difference (h = 0.1 ms) sees. Minimum-jerk joins between keyframes are
    smooth up to the acceleration and are not listed (their jerk is small).
    """
    times: list[float] = []
    for r in sim.truth.reps:
        if r.swing:
            times += [r.start_s, r.top_s, r.top_s + r.pause_top_s, r.bottom_s]
            times += [r.bottom_s + r.pause_bottom_s, r.end_s]
    chor = sim.choreography
    for track in [chor.swing, *chor.tracks.values()]:
        for osc in track.oscillations:
            times += [osc.start_s, osc.start_s + osc.fade_in_s, osc.end_s - osc.fade_out_s, osc.end_s]
    return np.asarray(sorted(times), dtype=np.float64)


def near(t: FloatArray, instants: FloatArray, within_s: float) -> npt.NDArray[np.bool_]:
    """True for times within `within_s` of any of `instants`."""
    out = np.zeros(t.shape, dtype=np.bool_)
    for x in instants:
        out |= np.abs(t - x) <= within_s
    return out


def integrate(t: FloatArray, rate: FloatArray, breaks: FloatArray) -> FloatArray:
    """Running trapezoid integral of `rate` (shape (n,) or (n, k)) sampled at `t`.

    The trapezoid rule is second order only for a smooth integrand. Across an instant where
    the rate jumps (a ballistic start or stop, a bounce), it would be off by up to
    jump * dt / 2 (0.4 degree at 400 Hz for a swung leg), so an interval holding one of
    `breaks` is split there and each side uses its own end's rate.
    """
    dt = np.diff(t)
    inc = 0.5 * (rate[1:] + rate[:-1]) * (dt if rate.ndim == 1 else dt[:, None])
    for tb in breaks:
        k = int(np.searchsorted(t, tb)) - 1
        if 0 <= k < dt.size:
            inc[k] = rate[k] * (tb - t[k]) + rate[k + 1] * (t[k + 1] - tb)
    return np.concatenate((np.zeros_like(rate[:1]), np.cumsum(inc, axis=0)))


def product(steps: Rotation) -> Rotation:
    """steps[0] * steps[1] * ... * steps[-1], by pairwise products (order kept)."""
    while len(steps) > 1:
        if len(steps) % 2:
            steps = Rotation.concatenate([steps, Rotation.identity()])
        steps = steps[0::2] * steps[1::2]
    return steps[0]


# 1. A still sensor reads 1 g.


@pytest.mark.parametrize("exercise", ["straight_leg_lift", "hanging_leg_raise"])
def test_ideal_still_sensor_reads_one_g_and_no_rotation(exercise: str) -> None:
    sim = session(exercise)
    for role, s in sim.sensors.items():
        still = s.sample_time_s < STILL_S
        assert still.sum() >= 0.98 * STILL_S * 100 - 10, role
        err_acc = np.abs(np.linalg.norm(s.acc_mps2[still], axis=1) - G).max()
        err_gyr = np.abs(s.gyr_rps[still]).max()
        # Measured: 1.8e-15 m/s^2 and 0 rad/s.
        assert err_acc < 1e-9, role
        assert err_gyr < 1e-12, role


def test_still_sensor_with_imu_errors_reads_about_one_g() -> None:
    # The default errors (one sigma): 1 % scale error per axis, 0.05 m/s^2 bias per axis
    # (0.5 % of g), 0.03 m/s^2 noise. Along gravity that is at most
    # sqrt(1 %^2 + 0.5 %^2) = 1.1 % per sensor, so a single sensor is within 2 % only
    # about 93 % of the time: each one is held to 3 sigma (3.4 %), their RMS to 2 %.
    deviations = []
    for seed in range(4):
        plan = SessionPlan(sets=(SetPlan("straight_leg_lift", reps=1),), seed=seed)
        sim = simulate(SimSettings(plan, sensors=ROLES))
        for role, s in sim.sensors.items():
            still = s.sample_time_s < STILL_S
            norm = np.linalg.norm(s.acc_mps2[still], axis=1)
            deviations.append(norm.mean() / G - 1)
            assert abs(deviations[-1]) < 0.034, (seed, role, deviations[-1])
            # The errors are there: noise on every sample, a bias on the gyro.
            assert norm.std() > 0.01, role
            assert 1e-4 < np.abs(s.gyr_rps[still].mean(axis=0)).max() < 0.05, role
    rms = float(np.sqrt(np.mean(np.square(deviations))))
    # Measured: RMS 0.87 %, largest single sensor 1.6 %.
    assert 1e-4 < rms < 0.02, deviations


# 2. Integrating the noise-free gyro reproduces the segment orientation.

GYRO_CASES = [
    pytest.param("straight_leg_lift", 0.0, 100, id="straight_leg_lift"),
    pytest.param("dead_bug", 0.0, 100, id="dead_bug"),
    # Swung reps: 300 degree/s reached abruptly; 400 Hz keeps the one-sided steps at the
    # breaks (acceleration * dt^2 / 2, bounce 1900 degree/s^2) at 0.006 degree each.
    pytest.param("hanging_leg_raise", 1.0, 400, id="hanging_leg_raise_swing"),
    pytest.param("reverse_crunch", 0.0, 100, id="reverse_crunch"),
]


@pytest.mark.parametrize(("exercise", "swing", "rate_hz"), GYRO_CASES)
def test_integrated_gyro_follows_the_segment_angle(exercise: str, swing: float, rate_hz: int) -> None:
    sim = session(exercise, swing=swing, rate_hz=rate_hz, core="weak")
    breaks = non_smooth_instants(sim)
    for role, s in sim.sensors.items():
        t = s.sample_time_s
        w_seg = s.placement.mount.apply(s.gyr_rps)
        # Planar motion: the segment only turns about e2, at -a'.
        assert np.abs(w_seg[:, [0, 2]]).max() < 1e-12, role
        a = segment_angle(sim, role, t)
        integrated = -integrate(t, w_seg[:, 1], breaks)
        err_deg = np.degrees(np.abs(integrated - (a - a[0]))).max()
        # Measured: 2e-3 degree (min-jerk, 100 Hz), 0.019 degree (hanging swing, 400 Hz).
        assert err_deg < 0.1, f"{role}: {err_deg:.3g} degree"


@pytest.mark.parametrize(("exercise", "swing", "rate_hz"), GYRO_CASES)
def test_gyro_composed_as_rotations_gives_the_orientation(exercise: str, swing: float, rate_hz: int) -> None:
    sim = session(exercise, swing=swing, rate_hz=rate_hz, core="weak")
    breaks = non_smooth_instants(sim)
    for role, s in sim.sensors.items():
        t = s.sample_time_s
        # Sensor-frame rate: the body-frame update R <- R exp([w dt]x), composed in order.
        steps = Rotation.from_rotvec(np.diff(integrate(t, s.gyr_rps, breaks), axis=0))
        # At the top and the bottom of every rep, and at the end.
        marks = [x for r in sim.truth.reps for x in (r.top_s, r.bottom_s)]
        checks = [int(np.searchsorted(t, x)) for x in marks] + [t.size - 1]
        start = segment_rotation(segment_angle(sim, role, t[:1])) * s.placement.mount
        turned = []
        for k in checks:
            integrated = product(steps[:k])
            now = segment_rotation(segment_angle(sim, role, t[k : k + 1])) * s.placement.mount
            true = start.inv() * now
            err_deg = math.degrees(float((true.inv() * integrated).magnitude()[0]))
            # Measured: 7e-4 degree (min-jerk, 100 Hz), 0.018 degree (hanging swing, 400 Hz).
            assert err_deg < 0.1, f"{role} at {t[k]:.2f} s: {err_deg:.3g} degree"
            turned.append(math.degrees(float(true.magnitude()[0])))
        # The check has teeth: the shins turn (dead bug: 10 degree, the others far more).
        assert role == "pelvis" or max(turned) > 5.0, (role, turned)


# 3. The accelerometer's gravity direction matches the segment angle.


def gravity_residual(sim: Simulation, role: str) -> FloatArray:
    """|specific force in the segment frame - g (sin a, 0, cos a)|: the linear acceleration."""
    s = sim.sensors[role]
    a = segment_angle(sim, role, s.sample_time_s)
    f_seg = s.placement.mount.apply(s.acc_mps2)
    gravity = G * np.stack((np.sin(a), np.zeros_like(a), np.cos(a)), axis=1)
    return np.asarray(np.linalg.norm(f_seg - gravity, axis=1), dtype=np.float64)


def test_accelerometer_sees_gravity_along_the_segment_while_still() -> None:
    sim = session("straight_leg_lift", tempo="4-0-2-3", reps=3)
    for role, s in sim.sensors.items():
        still = s.sample_time_s < STILL_S
        # Nothing moves: exact up to rounding (measured 5e-15 m/s^2).
        assert gravity_residual(sim, role)[still].max() < 1e-9, role


def test_accelerometer_sees_gravity_along_the_segment_at_the_top_hold() -> None:
    sim = session("straight_leg_lift", tempo="4-0-2-3", reps=3)
    chor, body = sim.choreography, sim.settings.plan.body
    w = 2 * np.pi * np.asarray(_TREMOR_HZ)
    for role, s in sim.sensors.items():
        residual = gravity_residual(sim, role)
        where = s.placement
        r_m = math.hypot(where.along_m, where.across_m)
        for rep in sim.truth.reps:
            assert rep.pause_top_s > 1.5
            hold = (s.sample_time_s >= rep.top_s) & (s.sample_time_s <= rep.top_s + rep.pause_top_s)
            t_hold = s.sample_time_s[hold]
            if role == "pelvis":
                # No tremor on the pelvis; the tilt left from the last bottom decays with the
                # lag (tilt' = -tilt / tau: legs vertical, no excess torque), so the sensor
                # r from the hip sees (tilt / tau^2 + (tilt / tau)^2) r; 10 % for the spline.
                tilt = float(sim.tilt.eval(t_hold)[0].max())
                bound = 1.1 * (tilt + tilt**2) / TILT_LAG_S**2 * r_m + 1e-9
                assert bound < 0.05
            else:
                # Legs held still but trembling: thigh and shank each shake by A sin(w t)
                # at two frequencies (A constant through the hold), so the knee and the
                # point on the shank accelerate by at most (sum w^2 A + (sum w A)^2) r.
                amp = float(chor.tracks["tremor"].eval(t_hold)[0].max())
                bound = (np.sum(w**2) * amp + (np.sum(w) * amp) ** 2) * (body.thigh_m + r_m) + 1e-9
            # Measured: shins 0.30 .. 0.54 m/s^2 under bounds 0.56 .. 0.96; pelvis 0.0010
            # under 0.0011.
            assert residual[hold].max() <= bound, (role, rep.index, residual[hold].max(), bound)


# 4. The linear acceleration is the second derivative of the sensor position.

KINEMATIC_CASES = [
    pytest.param("straight_leg_lift", 0.5, id="straight_leg_lift_swing"),
    pytest.param("dead_bug", 0.5, id="dead_bug_swing"),
    pytest.param("hanging_leg_raise", 1.0, id="hanging_leg_raise_swing"),
    pytest.param("reverse_crunch", 0.5, id="reverse_crunch_hip_lift"),
]
H_S = 1e-4


@pytest.mark.parametrize(("exercise", "swing"), KINEMATIC_CASES)
def test_linear_acceleration_is_the_second_derivative_of_position(exercise: str, swing: float) -> None:
    sim = session(exercise, swing=swing, core="weak", rate_hz=400)
    assert sum(r.swing for r in sim.truth.reps) >= 1
    chor, tilt, body = sim.choreography, sim.tilt, sim.settings.plan.body
    # Within 2 h of a jump in acceleration (or velocity) the central difference straddles it.
    # The pelvis tilt starts at each capacity crossing, where the lag's target starts to ramp
    # up: a jump in its acceleration.
    breaks = np.concatenate((non_smooth_instants(sim), sim.tilt.crossings_s))
    for role, s in sim.sensors.items():
        t = s.sample_time_s
        where = s.placement
        _, _, p0 = sensor_kinematics(chor, tilt, body, where, t)
        _, _, p_minus = sensor_kinematics(chor, tilt, body, where, t - H_S)
        _, _, p_plus = sensor_kinematics(chor, tilt, body, where, t + H_S)
        second_difference = (p_plus - 2 * p0 + p_minus) / H_S**2
        a = segment_angle(sim, role, t)
        acc_world = (segment_rotation(a) * where.mount).apply(s.acc_mps2) - [0.0, 0.0, G]
        err = np.linalg.norm(second_difference - acc_world, axis=1)
        keep = ~near(t, breaks, 2 * H_S)
        assert keep.mean() > 0.99
        # Truncation h^2/12 x'''' (tremor: 8e-6) and rounding 4 eps |p| / h^2 (1e-7).
        # Measured: 7.1e-6 m/s^2 at most.
        assert err[keep].max() < 1e-4, (role, float(t[keep][np.argmax(err[keep])]), err[keep].max())
        # The motion is not trivial: the shins accelerate by metres per s^2.
        assert role == "pelvis" or np.linalg.norm(acc_world, axis=1).max() > 1.0


def test_oscillations_end_without_a_jump() -> None:
    """A bounce (0.9 s) or a body swing (12 s) that ends must not teleport the body: a jump
    in segment angle or sensor position is a turn the gyro never sees."""
    sim = session("hanging_leg_raise", swing=1.0, reps=8, rate_hz=100)
    chor, tilt, body = sim.choreography, sim.tilt, sim.settings.plan.body
    eps = 1e-9
    worst: dict[str, tuple[str, str]] = {}
    # The body swing of each hanging rep, and the bounce at the bottom of each swung rep.
    for kind, track in [("body swing", chor.swing), ("bounce", chor.tracks["theta_r"])]:
        ends = np.array(sorted(o.end_s for o in track.oscillations if o.end_s < sim.duration_s - 0.1))
        assert ends.size >= 2, kind
        t = np.sort(np.concatenate([ends - eps, ends + eps]))
        jump_m = jump_deg = 0.0
        for role, s in sim.sensors.items():
            _, _, p = sensor_kinematics(chor, tilt, body, s.placement, t)
            a = segment_angle(sim, role, t)
            jump_m = max(jump_m, float(np.linalg.norm(p[1::2] - p[0::2], axis=1).max()))
            jump_deg = max(jump_deg, float(np.degrees(np.abs(a[1::2] - a[0::2])).max()))
        # A smooth motion moves at most a few m/s * 2 ns: 1e-8 m, 1e-6 degree.
        if jump_m > 1e-6 or jump_deg > 1e-4:
            worst[kind] = (f"{1e3 * jump_m:.3g} mm", f"{jump_deg:.3g} degree")
    assert not worst, worst


# 5. Ground-truth phases match the trajectory.


def lift_angle(
    sim: Simulation, leg: str, t: FloatArray, *, bounce: bool = True
) -> tuple[FloatArray, FloatArray]:
    """The working leg's hip angle (deg) and its rate at `t` (sorted).

    With bounce=False, without the bounce of swung reps (the track's oscillations): the
    keyframed motion alone.
    """
    track = sim.choreography.tracks["theta_r" if leg == "right" else "theta_l"]
    t = np.asarray(t, dtype=np.float64)
    x, v, _ = track.eval(t)
    if not bounce:
        osc = (np.zeros_like(t), np.zeros_like(t), np.zeros_like(t))
        for o in track.oscillations:
            o.add_to(t, osc)
        x, v = x - osc[0], v - osc[1]
    return x, v


@pytest.mark.parametrize(
    ("exercise", "swing"),
    [("straight_leg_lift", 0.0), ("dead_bug", 0.0), ("straight_leg_lift", 1.0), ("dead_bug", 1.0)],
)
def test_rep_phases_match_the_lift_trajectory(exercise: str, swing: float) -> None:
    sim = session(exercise, swing=swing, reps=4, rate_hz=100)
    starts_at_bottom = exercise == "straight_leg_lift"
    reps = sim.truth.reps
    assert len(reps) == 4
    for rep in reps:
        assert rep.swing == (swing == 1.0)
        if starts_at_bottom:
            assert rep.start_s < rep.top_s < rep.bottom_s <= rep.end_s
            assert rep.concentric_s == pytest.approx(rep.top_s - rep.start_s, abs=1e-9)
            assert rep.pause_top_s + rep.eccentric_s == pytest.approx(rep.bottom_s - rep.top_s, abs=1e-9)
            assert rep.pause_bottom_s == pytest.approx(rep.end_s - rep.bottom_s, abs=1e-9)
            lower_from = rep.top_s + rep.pause_top_s
            holds = [(rep.top_s, lower_from), (rep.bottom_s, rep.end_s)]
        else:
            assert rep.start_s < rep.bottom_s < rep.top_s <= rep.end_s
            assert rep.eccentric_s == pytest.approx(rep.bottom_s - rep.start_s, abs=1e-9)
            assert rep.pause_bottom_s + rep.concentric_s == pytest.approx(rep.top_s - rep.bottom_s, abs=1e-9)
            assert rep.pause_top_s == pytest.approx(rep.end_s - rep.top_s, abs=1e-9)
            holds = [(rep.bottom_s, rep.bottom_s + rep.pause_bottom_s), (rep.top_s, rep.end_s)]
        total = rep.concentric_s + rep.pause_top_s + rep.eccentric_s + rep.pause_bottom_s
        assert total == pytest.approx(rep.end_s - rep.start_s, abs=1e-9)
        (top, bottom), _ = lift_angle(sim, rep.leg, np.array([rep.top_s, rep.bottom_s]), bounce=False)
        # How the raise and the lowering end, 1 us before top_s and bottom_s.
        ends = np.sort(np.array([rep.top_s, rep.bottom_s]) - 1e-6)
        _, v_ends = lift_angle(sim, rep.leg, ends, bounce=False)
        v_top, v_bottom = v_ends if rep.top_s < rep.bottom_s else v_ends[::-1]
        # The top is the highest point of the raise, the bottom the lowest of the lowering.
        up = (rep.start_s, rep.top_s) if starts_at_bottom else (holds[0][1], rep.top_s)
        down = (holds[0][1], rep.bottom_s) if starts_at_bottom else (rep.start_s, rep.bottom_s)
        x_up, v_up = lift_angle(sim, rep.leg, np.linspace(*up, 400), bounce=False)
        x_down, v_down = lift_angle(sim, rep.leg, np.linspace(*down, 400), bounce=False)
        assert x_up.max() == pytest.approx(top, abs=1e-9)
        assert x_down.min() == pytest.approx(bottom, abs=1e-9)
        # Raising goes up only, lowering down only (swung or not).
        assert v_up.min() >= 0
        assert v_up.max() > 10
        assert v_down.max() <= 0
        assert v_down.min() < -10
        if rep.swing:
            # A swung raise slows to a stop (ballistic out); a dropped leg stops abruptly.
            assert abs(v_top) < 1e-2
            assert v_bottom < -50
            continue
        # Minimum-jerk moves stop at the top and at the bottom, and the holds hold.
        assert abs(v_top) < 1e-9
        assert abs(v_bottom) < 1e-9
        for t0, t1 in holds:
            x, v = lift_angle(sim, rep.leg, np.linspace(t0, t1, 50))
            assert np.ptp(x) < 1e-9
            assert np.abs(v).max() < 1e-9


def test_rep_durations_average_to_the_requested_tempo() -> None:
    tempo = Tempo.parse("4-1-2-1.5")
    plan = SessionPlan(
        sets=(SetPlan("straight_leg_lift", reps=20, tempo=tempo, core="strong", partial_probability=0),),
        seed=5,
    )
    sim = simulate(SimSettings(plan, sensors=("pelvis",), rate_hz=25, errors=NO_ERRORS))
    reps = sim.truth.reps
    assert len(reps) == 20
    for name, target in [
        ("eccentric_s", tempo.eccentric_s),
        ("pause_bottom_s", tempo.bottom_s),
        ("concentric_s", tempo.concentric_s),
        ("pause_top_s", tempo.top_s),
    ]:
        values = np.array([getattr(r, name) for r in reps])
        # Each rep varies (log-normal, 12 % for moves, 25 % for pauses) around the target.
        assert values.mean() == pytest.approx(target, rel=0.15), name
        assert values.std() > 0.02 * target, name


@pytest.mark.parametrize(
    ("exercise", "swing"), [("straight_leg_lift", 0.0), ("dead_bug", 0.0), ("straight_leg_lift", 1.0)]
)
def test_rep_rom_is_the_range_of_the_lift_angle(exercise: str, swing: float) -> None:
    """rom_deg is the range of the lift angle over [start_s, end_s].

    A swung rep bounces at the bottom (3-6 degree at 2.8 Hz, into the next rep), which
    overshoots the bottom: its range is measured on the keyframed motion, without the
    bounce, and the bounce may only widen it.
    """
    sim = session(exercise, swing=swing, reps=4, rate_hz=100)
    mismatches = []
    for rep in sim.truth.reps:
        t = np.linspace(rep.start_s, rep.end_s, 20001)
        x, _ = lift_angle(sim, rep.leg, t, bounce=False)
        measured = float(np.ptp(x))
        if abs(measured - rep.rom_deg) > 0.5:
            mismatches.append((rep.index, round(rep.rom_deg, 2), round(measured, 2), round(float(x[0]), 2)))
        if rep.swing:
            assert np.ptp(lift_angle(sim, rep.leg, t)[0]) > rep.rom_deg - 0.5
    # (rep, rom_deg, measured range, lift angle at start_s)
    assert not mismatches, mismatches


# 6. Tilt onset where the torque crosses the capacity.


def excess_at(sim: Simulation, t: FloatArray) -> FloatArray:
    """Legs' torque over the reference torque, times engagement, minus capacity."""
    names = ("thigh_r", "shin_r", "thigh_l", "shin_l", "hanging", "engaged", "capacity")
    values = {n: sim.choreography.tracks[n].eval(np.asarray(t, dtype=np.float64))[0] for n in names}
    body = sim.settings.plan.body
    load = legs_torque_nm(body, values) / reference_torque_nm(body) * values["engaged"]
    return np.asarray(load - values["capacity"], dtype=np.float64)


def tilt_session(core: str) -> Simulation:
    """Straight leg lifts, 5 reps at 4-0-2-4.

    The 4 s hold at the top (25 % spread) leaves at least 5 s from the end of one episode's
    excess torque to the next onset: at 0.2 s before it, the lagged tilt (0.25 s) of a
    17 degree episode is down to e^-19 of it, 1e-7 degree, under the 1e-6 degree allowed.
    """
    return session("straight_leg_lift", core=core, tempo="4-0-2-4", reps=5, seed=2, rate_hz=25)


def test_tilt_onset_is_where_the_torque_crosses_the_capacity() -> None:
    sim = tilt_session("weak")
    episodes = sim.truth.tilt_episodes
    assert episodes
    for e in episodes:
        t = np.array([e.onset_s - 1e-3, e.onset_s, e.onset_s + 1e-3])
        before, at, after = excess_at(sim, t)
        assert abs(at) < 1e-6, e
        assert before < 0 < after, e
        theta, _ = lift_angle(sim, "right", np.array([e.onset_s]))
        assert e.leg_angle_at_onset_deg == pytest.approx(float(theta[0]), abs=1e-9)
        assert e.onset_s < e.threshold_s < e.end_s


def test_tilt_is_zero_until_the_onset_and_grows_after() -> None:
    sim = tilt_session("weak")
    truth = sim.truth
    assert truth.tilt_episodes
    early = []
    for e in truth.tilt_episodes:
        # The true tilt, densely (every 0.02 ms), and the ground-truth series, in the 0.2 s
        # before the onset: the torque is within capacity there, so no tilt at all.
        assert np.degrees(sim.tilt.eval(np.array([e.onset_s - 0.2]))[0][0]) < 1e-7  # see tilt_session
        dense = np.linspace(e.onset_s - 0.2, e.onset_s, 10001)[:-1]
        tilt_deg = np.degrees(sim.tilt.eval(dense)[0])
        window = (truth.series_time_s >= e.onset_s - 0.2) & (truth.series_time_s < e.onset_s)
        worst = max(float(tilt_deg.max()), float(truth.pelvis_tilt_deg[window].max()))
        if worst > 1e-6:
            lead_ms = 1e3 * (e.onset_s - float(dense[np.argmax(tilt_deg > 1e-6)]))
            early.append((round(e.onset_s, 3), f"up to {worst:.2g} degree from {lead_ms:.2f} ms before"))
        # By 0.1 s after, the pelvis is clearly tilting (measured 0.3 .. 0.6 degree).
        after = float(np.degrees(sim.tilt.eval(np.array([e.onset_s + 0.1]))[0][0]))
        assert after > 0.05, e
        rising = (truth.series_time_s > e.onset_s + 0.1) & (truth.series_time_s < e.threshold_s)
        assert (truth.pelvis_tilt_deg[rising] > 0.05).all(), e
    assert not early, early


def test_weak_core_loses_control_on_most_reps_higher_as_it_tires() -> None:
    sim = tilt_session("weak")
    reps = sim.truth.reps
    per_rep = [[e for e in sim.truth.tilt_episodes if r.start_s <= e.onset_s <= r.end_s] for r in reps]
    assert sum(bool(p) for p in per_rep) >= 0.75 * len(reps)
    angles = np.array([p[0].leg_angle_at_onset_deg for p in per_rep if p])
    # Capacity falls by 0.3 * fatigue: the torque (about cos of the leg angle) reaches it
    # higher up. Measured 52.4 .. 56.1 degree over 5 reps, about +0.9 degree a rep.
    assert (np.diff(angles) > 0).all(), angles
    assert angles[-1] - angles[0] > 2.0, angles
    assert all(
        r.max_anterior_tilt_deg > sim.truth.tilt_threshold_deg
        for r, p in zip(reps, per_rep, strict=True)
        if p
    )
    safe = sim.truth.sets[0].safe_end_range_deg
    assert safe == pytest.approx(angles.max())


def test_strong_core_never_tilts() -> None:
    sim = tilt_session("strong")
    assert sim.truth.tilt_episodes == ()
    assert sim.tilt.crossings_s.size == 0
    assert np.abs(sim.truth.pelvis_tilt_deg).max() == 0.0
    assert all(r.max_anterior_tilt_deg == 0.0 for r in sim.truth.reps)
    assert sim.truth.sets[0].safe_end_range_deg is None


# 7. The same seed gives the same bytes.


def run_twice(seed: int) -> tuple[Simulation, dict[str, tuple[list[bytes], FloatArray]]]:
    plan = SessionPlan(sets=(SetPlan("dead_bug", reps=3, swing_probability=0.3),), seed=seed)
    sim = simulate(SimSettings(plan, sensors=ROLES))
    tx = transmit_all(sim, samples_per_packet=4, loss=0.05, loss_burst_packets=2.0)
    return sim, {role: (t.packets, t.arrival_s) for role, t in tx.items()}


def test_same_seed_gives_identical_bytes_and_arrivals() -> None:
    sim_a, tx_a = run_twice(21)
    sim_b, tx_b = run_twice(21)
    sim_c, tx_c = run_twice(22)
    for role in ROLES:
        raw_a = sim_a.sensors[role].raw
        assert raw_a.tobytes() == sim_b.sensors[role].raw.tobytes()
        assert tx_a[role][0] == tx_b[role][0]
        assert np.array_equal(tx_a[role][1], tx_b[role][1])
        assert sim_a.truth.to_dict() == sim_b.truth.to_dict()
        raw_c = sim_c.sensors[role].raw
        assert raw_a.shape != raw_c.shape or raw_a.tobytes() != raw_c.tobytes()
        assert tx_a[role][0] != tx_c[role][0]
        n = min(tx_a[role][1].size, tx_c[role][1].size)
        assert not np.array_equal(tx_a[role][1][:n], tx_c[role][1][:n])


# 8. Every protocol rate works.


@pytest.mark.parametrize("rate_hz", [25, 50, 200, 400])
def test_every_rate_gives_the_right_sample_count_and_one_g(rate_hz: int) -> None:
    plan = SessionPlan(sets=(SetPlan("straight_leg_lift", reps=1),), seed=3)
    sim = simulate(SimSettings(plan, sensors=ROLES, rate_hz=rate_hz, errors=NO_ERRORS, max_clock_error=0))
    for role, s in sim.sensors.items():
        n = s.sample_time_s.size
        assert n == pytest.approx(rate_hz * sim.duration_s, rel=0.01), role
        assert np.diff(s.sample_time_s) == pytest.approx(1.0 / rate_hz, abs=1e-12)
        assert s.raw.shape == (n, 6)
        still = s.sample_time_s < STILL_S
        assert np.abs(np.linalg.norm(s.acc_mps2[still], axis=1) - G).max() < 1e-9, role
    # With clock error, the count follows each sensor's own rate.
    drifting = simulate(SimSettings(plan, sensors=ROLES, rate_hz=rate_hz, errors=NO_ERRORS))
    for role, s in drifting.sensors.items():
        expected = rate_hz * (1 + s.rate_error) * (drifting.duration_s - s.start_s)
        assert s.sample_time_s.size == pytest.approx(expected, abs=1.0), role


# 9. Quantisation and clipping.


def test_raw_counts_are_the_readings_rounded_to_one_lsb() -> None:
    plan = SessionPlan(sets=(SetPlan("straight_leg_lift", reps=3),), seed=4)
    sim = simulate(SimSettings(plan, sensors=ROLES, acc_range_g=4, gyro_range_dps=500))
    for role, s in sim.sensors.items():
        scale = np.array([s.info.acc_scale_mps2] * 3 + [s.info.gyr_scale_rps] * 3)
        readings = np.concatenate((s.acc_mps2, s.gyr_rps), axis=1)
        assert np.abs(readings / scale).max() < 32767  # nothing clips here
        err_lsb = np.abs(s.raw * scale - readings) / scale
        assert err_lsb.max() <= 0.5 + 1e-9, role
        assert err_lsb.mean() == pytest.approx(0.25, abs=0.02), role  # uniform rounding error


def test_fast_swing_saturates_a_125_dps_gyro() -> None:
    plan = SessionPlan(sets=(SetPlan("straight_leg_lift", reps=3, swing_probability=1.0),), seed=4)
    sim = simulate(SimSettings(plan, sensors=("shin",), gyro_range_dps=125, acc_range_g=16))
    s = sim.sensors["shin"]
    counts = s.gyr_rps / s.info.gyr_scale_rps
    raw = s.raw[:, 3:].astype(np.int64)
    high, low = counts > 32767.5, counts < -32768.5
    assert high.any()
    assert low.any()
    assert (raw[high] == 32767).all()
    assert (raw[low] == -32768).all()
    inside = ~(high | low)
    assert np.abs(raw[inside] - counts[inside]).max() <= 0.5 + 1e-9
    # The true rate went well beyond full scale (swung legs: about 300 degree/s).
    assert np.degrees(np.linalg.norm(s.gyr_rps, axis=1)).max() > 200


# Still periods after the work.


def test_legs_rest_without_tremor_after_the_last_set() -> None:
    """After the last rep the legs are lowered and the session ends with a 3 s still hold.

    Between sets, `_rest` ramps the tremor to zero; after the last set nothing does, so the
    final hold keeps the last rep's tremor.
    """
    sim = session("straight_leg_lift", reps=4)
    for role in ("shin", "shin_left"):
        s = sim.sensors[role]
        end = s.sample_time_s > sim.duration_s - 2.0
        err_acc = float(np.abs(np.linalg.norm(s.acc_mps2[end], axis=1) - G).max())
        err_gyr = float(np.abs(s.gyr_rps[end]).max())
        assert max(err_acc, err_gyr) < 1e-3, f"{role}: {err_acc:.3g} m/s^2, {err_gyr:.3g} rad/s"


def test_body_stops_swinging_once_off_the_bar() -> None:
    """Standing on the floor after the set, the body no longer turns about the hands."""
    sim = session("hanging_leg_raise", swing=1.0, reps=4)
    standing = sim.truth.postures[-1]
    assert standing.posture == "standing"
    s = sim.sensors["pelvis"]  # no tremor on the pelvis
    t = s.sample_time_s
    end = t > sim.duration_s - 1.5
    assert (t[end] > standing.start_s).all()
    # The tilt of the last hanging rep has decayed by e^-9 here.
    err_gyr_dps = float(np.degrees(np.abs(s.gyr_rps[end]).max()))
    _, _, p = sensor_kinematics(sim.choreography, sim.tilt, sim.settings.plan.body, s.placement, t[end])
    moved_mm = 1e3 * float(np.ptp(p[:, 0]))
    assert max(err_gyr_dps / 0.05, moved_mm / 0.1) < 1.0, f"{err_gyr_dps:.3g} degree/s, {moved_mm:.3g} mm"
