"""Pelvic tilt from a core-capacity model.

The legs' weight pulls the hips into extension with a torque about the hip joint: each
segment's mass times g times the horizontal distance of its centre of mass from the hip.
While that torque stays within what the abdominals can hold (the capacity), the pelvis
stays put. Beyond it, the pelvis tilts anteriorly in proportion to the excess, following
it with a first-order lag. Capacity falls with fatigue over a set (in `_choreography`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.interpolate import CubicHermiteSpline
from scipy.signal import lfilter

from dsp import STANDARD_GRAVITY_MPS2
from imu_reader.sim._anthropometry import SHANK_COM_FROM_KNEE, THIGH_COM_FROM_HIP, Body
from imu_reader.sim._choreography import Choreography

FloatArray = npt.NDArray[np.float64]

TILT_GAIN_DEG = 40.0
"""Anterior tilt per unit of excess torque (excess as a fraction of the reference torque)."""
TILT_LAG_S = 0.25
"""Time constant of the pelvis following the excess torque."""
GRID_HZ = 200.0
"""Rate of the grid the lag is integrated on; values between nodes are cubic Hermite."""
FOOT_CLEARANCE_M = 0.03
"""A foot this far off the floor is carried by the core; on the floor, by the floor."""


def reference_torque_nm(body: Body) -> float:
    """Torque of both straight legs held horizontal, N m: the unit of core capacity."""
    lt, ls = body.thigh_m, body.shank_m
    one_leg = body.thigh_kg * THIGH_COM_FROM_HIP * lt + body.shank_kg * (lt + SHANK_COM_FROM_KNEE * ls)
    return 2.0 * STANDARD_GRAVITY_MPS2 * (one_leg + body.foot_kg * (lt + ls))


def legs_torque_nm(body: Body, tracks: dict[str, FloatArray]) -> FloatArray:
    """Gravitational torque of the legs about the hip, N m, from evaluated segment angles.

    `tracks` holds the angles thigh_r, shin_r, thigh_l, shin_l (rad) and the weights
    hanging (1 when no floor can carry the legs).
    """
    lt, ls = body.thigh_m, body.shank_m
    g = STANDARD_GRAVITY_MPS2
    total = np.zeros_like(tracks["thigh_r"])
    for side in ("r", "l"):
        thigh, shin = tracks[f"thigh_{side}"], tracks[f"shin_{side}"]
        x_knee = lt * np.cos(thigh)
        x_thigh = THIGH_COM_FROM_HIP * x_knee
        x_shank = x_knee + SHANK_COM_FROM_KNEE * ls * np.cos(shin)
        x_ankle = x_knee + ls * np.cos(shin)
        moment = (
            body.thigh_kg * np.abs(x_thigh) + body.shank_kg * np.abs(x_shank) + body.foot_kg * np.abs(x_ankle)
        )
        # A foot resting on the floor takes the leg's weight off the core.
        ankle_height = lt * np.sin(thigh) + ls * np.sin(shin)
        carried = np.clip(ankle_height / FOOT_CLEARANCE_M, 0.0, 1.0)
        carried = np.maximum(carried, tracks["hanging"])
        total += g * moment * carried
    return total


@dataclass(frozen=True)
class TiltModel:
    """The tilt over a session: a Hermite interpolant and the exact capacity crossings.

    Attributes:
        spline: tilt in radians (anterior positive) as a function of true time.
        crossings_s: times where the load (torque over the reference, times engagement)
            rises through the capacity.
        reference_nm: the reference torque, N m.
    """

    spline: CubicHermiteSpline
    crossings_s: FloatArray
    reference_nm: float

    def eval(self, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Tilt (rad), its rate and its acceleration at times `t`.

        The interpolant can dip a hair below zero just before an onset; the value is
        clamped there (the derivatives, of order 1e-6 rad/s, are left as they are).
        """
        return np.maximum(self.spline(t), 0.0), self.spline(t, 1), self.spline(t, 2)


def _excess(body: Body, chor: Choreography, t: FloatArray, reference: float) -> FloatArray:
    values = {
        name: chor.tracks[name].eval(t)[0]
        for name in ("thigh_r", "shin_r", "thigh_l", "shin_l", "hanging", "engaged", "capacity")
    }
    load = legs_torque_nm(body, values) / reference * values["engaged"]
    return np.asarray(load - values["capacity"], dtype=np.float64)


def model_tilt(body: Body, chor: Choreography) -> TiltModel:
    """Integrate the lagged tilt on a grid and find every capacity crossing exactly."""
    reference = reference_torque_nm(body)
    t = np.arange(0.0, chor.duration_s + 2.0 / GRID_HZ, 1.0 / GRID_HZ)
    excess = _excess(body, chor, t, reference)
    target = np.radians(TILT_GAIN_DEG) * np.maximum(excess, 0.0)
    # First-order lag, exact for a target that is linear between grid nodes.
    decay = float(np.exp(-1.0 / (GRID_HZ * TILT_LAG_S)))
    beta = GRID_HZ * TILT_LAG_S * (1.0 - decay)
    tilt = lfilter([1.0 - beta, beta - decay], [1.0, -decay], target)
    # Refine each up-crossing of the excess through 0 by bisection on the exact tracks.
    up = np.flatnonzero((excess[:-1] <= 0) & (excess[1:] > 0))
    lo, hi = t[up], t[up + 1]
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        above = _excess(body, chor, mid, reference) > 0 if mid.size else np.zeros(0, dtype=bool)
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    onset_tilt = _start_at_crossings(t, target, tilt, up, hi)
    slope = (target - tilt) / TILT_LAG_S
    # The crossings become nodes, so that the interpolant stays at rest until the onset.
    nodes = np.insert(t, up + 1, hi)
    spline = CubicHermiteSpline(
        nodes, np.insert(tilt, up + 1, onset_tilt), np.insert(slope, up + 1, -onset_tilt / TILT_LAG_S)
    )
    return TiltModel(spline, hi, reference)


def _start_at_crossings(
    t: FloatArray,
    target: FloatArray,
    tilt: FloatArray,
    up: npt.NDArray[np.intp],
    crossings_s: FloatArray,
) -> FloatArray:
    """Correct `tilt` in place for targets that start at the crossings, not at the node before.

    On the grid, the target ramps up from the node before a crossing; truly it is zero
    until the crossing and ramps up from there. The lag is linear, so the difference at the
    node after the crossing decays by the lag's factor per node from there on. Returns the tilt at
    each crossing.
    """
    tau = TILT_LAG_S
    decay = float(np.exp(-1.0 / (GRID_HZ * tau)))
    horizon = int(np.ceil(40 * tau * GRID_HZ))  # e^-40: nothing left
    onset_tilt = np.empty_like(crossings_s)
    for i, (k, tc) in enumerate(zip(up, crossings_s, strict=True)):
        at_crossing = tilt[k] * np.exp(-(tc - t[k]) / tau)
        h = t[k + 1] - tc
        slope = target[k + 1] / h
        exact = target[k + 1] - slope * tau + (at_crossing + slope * tau) * np.exp(-h / tau)
        stop = min(tilt.size, k + 1 + horizon)
        tilt[k + 1 : stop] += (exact - tilt[k + 1]) * decay ** np.arange(stop - k - 1)
        onset_tilt[i] = at_crossing
    return onset_tilt
