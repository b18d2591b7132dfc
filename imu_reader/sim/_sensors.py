"""Sensor signals: where each sensor sits, what it feels, and how a real IMU garbles it.

A sensor on a segment reads the specific force (its acceleration minus gravity) and the
angular rate, both in its own frame. Its frame is the segment frame (e1 along the
segment, e2 lateral = world Y, e3 = e1 x e2) turned by the strap's mounting rotation,
which may be anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial.transform import Rotation

from dsp import STANDARD_GRAVITY_MPS2
from imu_reader.protocol import SensorInfo
from imu_reader.sim._anthropometry import Body
from imu_reader.sim._choreography import Choreography
from imu_reader.sim._tilt import TiltModel

FloatArray = npt.NDArray[np.float64]
Motion = tuple[FloatArray, FloatArray, FloatArray]

_HANG_RADIUS_PER_HEIGHT = 0.57
"""Hands on the bar to hip joint, as a fraction of height (arm plus trunk, Winter Fig. 4.1)."""


@dataclass(frozen=True)
class ImuErrors:
    """How far a real IMU is from the truth (one standard deviation each).

    Attributes:
        acc_noise_mps2: white noise per sample, m/s^2.
        gyr_noise_rps: white noise per sample, rad/s.
        acc_bias_mps2: constant bias, m/s^2.
        gyr_bias_rps: constant bias, rad/s.
        gyr_bias_walk_rps_per_sqrt_s: random walk of the gyro bias, rad/s per sqrt(s).
        scale_error: relative scale error per axis.
    """

    acc_noise_mps2: float = 0.03
    gyr_noise_rps: float = 0.002
    acc_bias_mps2: float = 0.05
    gyr_bias_rps: float = 0.01
    gyr_bias_walk_rps_per_sqrt_s: float = 1e-4
    scale_error: float = 0.01


NO_ERRORS = ImuErrors(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
"""An ideal sensor, for physics tests (its packets still carry int16 counts)."""


@dataclass(frozen=True)
class Placement:
    """Where a sensor is strapped.

    Attributes:
        segment: `shin_r`, `shin_l` or `pelvis`.
        along_m: distance from the proximal joint (knee, hip) along the segment, m.
        across_m: offset along the segment's e3 axis, m.
        mount: rotation from the segment frame to the sensor frame.
    """

    segment: str
    along_m: float
    across_m: float
    mount: Rotation


def placement(role: str, body: Body, rng: np.random.Generator, *, random_mount: bool = True) -> Placement:
    """The usual spot for `role`, with a random strap orientation unless asked otherwise."""
    mount = Rotation.random(rng=rng) if random_mount else Rotation.identity()
    if role == "pelvis":
        # Over the sacrum: slightly superior and about 10 cm posterior of the hip joints.
        return Placement("pelvis", 0.03, -0.10, mount)
    side = "l" if role == "shin_left" else "r"
    # Flat on the front of the tibia, midway; the front of the shin is -e3.
    return Placement(f"shin_{side}", 0.5 * body.shank_m, -0.045, mount)


def _u(a: FloatArray) -> tuple[FloatArray, FloatArray]:
    return np.cos(a), np.sin(a)


def _point_on(
    angle: Motion, along_m: float, across_m: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Offset of a point fixed on a rotating segment: x, z and their first and second derivatives."""
    a, da, dda = angle
    c, s = _u(a)
    # r = along*u + across*n, u = (c, s), n = (-s, c)
    x = along_m * c - across_m * s
    z = along_m * s + across_m * c
    dx, dz = -da * z, da * x
    ddx = -dda * z - da * dz
    ddz = dda * x + da * dx
    return x, z, dx, dz, ddx, ddz


def segment_motion(chor: Choreography, tilt: TiltModel, body: Body, segment: str, t: FloatArray) -> Motion:
    """Absolute angle (rad) of a segment and its derivatives at true times `t`."""
    a, da, dda = chor.tracks[segment].eval(t)
    sw, dsw, ddsw = chor.swing.eval(t)
    a, da, dda = a + sw, da + dsw, dda + ddsw
    if segment == "pelvis":
        ta, tda, tdda = tilt.eval(t)
        a, da, dda = a + ta, da + tda, dda + tdda
    return a, da, dda


def hip_motion(chor: Choreography, body: Body, t: FloatArray) -> tuple[FloatArray, ...]:
    """Hip joint x, z (m) and their first and second derivatives, body swing included."""
    x, dx, ddx = chor.tracks["hip_x"].eval(t)
    z, dz, ddz = chor.tracks["hip_z"].eval(t)
    sw, dsw, ddsw = chor.swing.eval(t)
    # Hanging, the body turns about the hands: the hip moves on a circle.
    r = _HANG_RADIUS_PER_HEIGHT * body.height_m
    s, c = np.sin(sw), np.cos(sw)
    x = x + r * s
    z = z + r * (1 - c)
    dx = dx + r * c * dsw
    dz = dz + r * s * dsw
    ddx = ddx + r * (c * ddsw - s * dsw * dsw)
    ddz = ddz + r * (s * ddsw + c * dsw * dsw)
    return x, z, dx, dz, ddx, ddz


def sensor_kinematics(
    chor: Choreography, tilt: TiltModel, body: Body, where: Placement, t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Ideal readings at true times `t`: specific force (m/s^2) and angular rate (rad/s) in
    the sensor frame, shape (n, 3) each, and the sensor's world position (n, 3) in m."""
    hx, hz, _, _, hddx, hddz = hip_motion(chor, body, t)
    angle = segment_motion(chor, tilt, body, where.segment, t)
    px, pz, _, _, pddx, pddz = _point_on(angle, where.along_m, where.across_m)
    ax, az = hddx + pddx, hddz + pddz
    x, z = hx + px, hz + pz
    if where.segment != "pelvis":
        thigh = segment_motion(chor, tilt, body, where.segment.replace("shin", "thigh"), t)
        kx, kz, _, _, kddx, kddz = _point_on(thigh, body.thigh_m, 0.0)
        ax, az, x, z = ax + kddx, az + kddz, x + kx, z + kz
    fz = az + STANDARD_GRAVITY_MPS2
    c, s = _u(angle[0])
    # Into the segment frame: e1 = (c, 0, s), e2 = (0, 1, 0), e3 = (-s, 0, c).
    f_seg = np.stack((ax * c + fz * s, np.zeros_like(c), -ax * s + fz * c), axis=1)
    w_seg = np.stack((np.zeros_like(c), -angle[1], np.zeros_like(c)), axis=1)
    to_sensor = where.mount.inv()
    position = np.stack((x, np.zeros_like(x), z), axis=1)
    return to_sensor.apply(f_seg), to_sensor.apply(w_seg), position


def add_errors(
    acc_mps2: FloatArray, gyr_rps: FloatArray, dt_s: float, errors: ImuErrors, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """A real IMU's readings from ideal ones: scale, bias, drift, noise."""
    n = acc_mps2.shape[0]
    acc = acc_mps2 * (1 + rng.normal(0, errors.scale_error, 3)) + rng.normal(0, errors.acc_bias_mps2, 3)
    walk = np.cumsum(rng.normal(0, errors.gyr_bias_walk_rps_per_sqrt_s * math.sqrt(dt_s), (n, 3)), axis=0)
    gyr = gyr_rps * (1 + rng.normal(0, errors.scale_error, 3)) + rng.normal(0, errors.gyr_bias_rps, 3) + walk
    acc = acc + rng.normal(0, errors.acc_noise_mps2, (n, 3))
    gyr = gyr + rng.normal(0, errors.gyr_noise_rps, (n, 3))
    return acc, gyr


def to_counts(acc_mps2: FloatArray, gyr_rps: FloatArray, info: SensorInfo) -> npt.NDArray[np.int16]:
    """int16 counts at the sensor's full scale, clipped as the IMU saturates, shape (n, 6)."""
    counts = np.concatenate((acc_mps2 / info.acc_scale_mps2, gyr_rps / info.gyr_scale_rps), axis=1)
    return np.clip(np.rint(counts), -32768, 32767).astype(np.int16)
