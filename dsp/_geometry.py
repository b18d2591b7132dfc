"""Small vector helpers shared by the angle estimators (rows are samples)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from dsp._quick import c_einsum

FloatArray = npt.NDArray[np.float64]


def rotate(v: FloatArray, axis: FloatArray, angle_rad: FloatArray) -> FloatArray:
    """Rotate the fixed vector `v` (3,) about the unit `axis` (3,) by each angle: (n, 3)."""
    c, s = np.cos(angle_rad)[:, None], np.sin(angle_rad)[:, None]
    return v * c + np.cross(axis, v) * s + axis * float(axis @ v) * (1.0 - c)


class SignedAngle:
    """Angle (rad) that turns `reference` (3,) onto each row of `v` (n, 3) about `axis`,
    both projected onto the plane normal to the axis."""

    def __init__(self, reference: FloatArray, axis: FloatArray) -> None:
        self.along = reference - axis * float(axis @ reference)
        # axis . (ref x v) = v . (axis x ref)
        self.across = np.cross(axis, self.along)

    def __call__(self, v: FloatArray) -> FloatArray:
        return np.asarray(np.arctan2(np.dot(v, self.across), np.dot(v, self.along)), dtype=np.float64)


def principal_axis(vectors: FloatArray) -> FloatArray:
    """Unit direction along which `vectors` (n, 3) spread most (sign arbitrary)."""
    _, eigvecs = np.linalg.eigh(vectors.T @ vectors)
    return np.asarray(eigvecs[:, -1], dtype=np.float64)


SURELY = 1e-9
"""Relative margin of `surely_within` over rounding (about 1e-15 here)."""


def surely_within(vectors: FloatArray, direction: FloatArray, limit_deg: float) -> bool:
    """True only if `principal_axis(vectors)` lies within `limit_deg` (up to 45) of the unit
    `direction`, either way; False tells nothing. No eigenvectors: with M = V^T V, its
    eigenpairs (l_i, v_i) and c = cos(limit), d^T M d = sum of l_i (v_i . d)^2, which
    (v_1 . d)^2 <= c^2 caps at c^2 l_1 + (1 - c^2) l_2 <= c^2 tr M (as c^2 >= 1/2)."""
    if not 0.0 <= limit_deg <= 45.0:
        raise ValueError(f"limit_deg must be 0 to 45, got {limit_deg}")
    along = vectors @ direction
    cos2 = math.cos(math.radians(limit_deg)) ** 2
    return float(along @ along) > cos2 * (1.0 + SURELY) * float(c_einsum("ij,ij->", vectors, vectors))


class Offset:
    """`rows - vector` for rows (n, 3) of samples (a gyro less its bias), the same numbers
    faster: numpy broadcasts the vector in an inner loop a row long, one call a row (ten
    times the cost at 3000 rows); this subtracts the vector repeated, kept between calls,
    from the rows as one flat array."""

    MAX_ROWS = 8192
    """Longer blocks (an offline session given at once) are not worth keeping the repeats for."""

    def __init__(self, vector: FloatArray) -> None:
        self.vector = vector
        self._repeated = np.zeros(0)

    def from_rows(self, rows: FloatArray) -> FloatArray:
        """`rows - vector`."""
        size = rows.size
        if size > 3 * self.MAX_ROWS or not rows.flags.c_contiguous:
            return np.asarray(rows - self.vector, dtype=np.float64)
        if self._repeated.size < size:
            self._repeated = np.tile(self.vector, min(max(size, 2 * self._repeated.size) // 3, self.MAX_ROWS))
        return (rows.reshape(size) - self._repeated[:size]).reshape(rows.shape)


def _by_columns(v: FloatArray) -> FloatArray:
    square = v * v
    out = square[:, 0] + square[:, 2]
    out += square[:, 1]
    return out


def _einsum_adds_as_columns() -> bool:
    """Whether einsum's row sums of squares are `_by_columns`' numbers on this machine: they
    are where its vector kernel adds the halves of [x^2, y^2, z^2, 0], (x^2 + z^2) + y^2."""
    rng = np.random.default_rng(0)
    # Magnitudes that differ by orders make any other order of the additions show.
    v = rng.normal(size=(256, 3)) * 10.0 ** rng.integers(-6, 4, size=(256, 3))
    return bool(np.array_equal(c_einsum("ij,ij->i", v, v), _by_columns(v)))


EINSUM_ROWS = 32 if _einsum_adds_as_columns() else 0
"""Up to this many rows, `squared_norms` calls einsum (cheaper to call than three ufuncs),
where einsum gives the same numbers: a row's length then never depends on its block's size."""


def squared_norms(v: FloatArray) -> FloatArray:
    """Squared length of each row of `v` (n, 3), added as (x^2 + z^2) + y^2 for rows stored
    contiguously (einsum's numbers elsewhere). einsum calls its kernel once a row: beyond a
    few dozen rows, whole-column ufuncs cost a tenth of that."""
    if v.shape[0] <= EINSUM_ROWS or not v.flags.c_contiguous:
        out: FloatArray = c_einsum("ij,ij->i", v, v)
        return out
    return _by_columns(v)


def row_norms(v: FloatArray) -> FloatArray:
    """Length of each row of `v` (n, 3): np.linalg.norm(v, axis=1), several times faster."""
    return np.asarray(np.sqrt(squared_norms(v)), dtype=np.float64)


def squared_at_most(limit: float) -> float:
    """The largest x whose square root is at most `limit` (>= 0): `row_norms(v) > limit`
    exactly where the rows' squared lengths exceed it (the root is correctly rounded, and
    so never decreases), without taking the roots."""
    x = limit * limit
    while math.sqrt(x) > limit:
        x = math.nextafter(x, 0.0)
    while math.sqrt(math.nextafter(x, math.inf)) <= limit:
        x = math.nextafter(x, math.inf)
    return x


def squared_within(centre: float, tolerance: float) -> tuple[float, float]:
    """The least and the largest x with |sqrt(x) - centre| < tolerance (0 < tolerance <
    centre): `np.abs(row_norms(v) - centre) < tolerance` exactly where the rows' squared
    lengths lie between them (the root and the difference never decrease)."""

    def inside(x: float) -> bool:
        return abs(math.sqrt(x) - centre) < tolerance

    low, high = (centre - tolerance) ** 2, (centre + tolerance) ** 2
    while inside(math.nextafter(low, 0.0)):
        low = math.nextafter(low, 0.0)
    while not inside(low):
        low = math.nextafter(low, math.inf)
    while inside(math.nextafter(high, math.inf)):
        high = math.nextafter(high, math.inf)
    while not inside(high):
        high = math.nextafter(high, 0.0)
    return low, high


def differences(x: FloatArray, before: float) -> FloatArray:
    """x[i] - x[i - 1], with `before` as x[-1] (np.diff with prepend, without its overhead)."""
    out = np.empty_like(x)
    if x.size:
        out[0] = x[0] - before
        np.subtract(x[1:], x[:-1], out=out[1:])
    return out


def heights_m(time_s: FloatArray, up_mps2: FloatArray, *, still_at_end: bool = True) -> FloatArray:
    """Height (m) at each time of a sensor still at the first, from its upward acceleration
    (m/s^2, gravity taken off) integrated twice (trapezoids). Still at the end too (the
    default), the speed the integral leaves there is the accelerometer's bias integrated: it
    is taken off in proportion to the time, as a constant bias leaves it."""
    step_s = time_s[1:] - time_s[:-1]  # np.diff's numbers, without its overhead
    speed = _trapezoid_sums(up_mps2, step_s)
    if still_at_end:
        elapsed = time_s - time_s[0]
        elapsed *= speed[-1]
        elapsed /= time_s[-1] - time_s[0]
        speed -= elapsed
    return _trapezoid_sums(speed, step_s)


def _trapezoid_sums(x: FloatArray, step_s: FloatArray) -> FloatArray:
    """The running integral of `x` by trapezoids from 0 at the first sample: 0.5 * (x[1:] +
    x[:-1]) * step_s added up, in place (a stroke's heights take a few dozen calls of numpy's
    handling, much of its cost)."""
    area = x[1:] + x[:-1]
    area *= 0.5
    area *= step_s
    out = np.empty(x.size)
    out[:1] = 0.0
    np.cumsum(area, out=out[1:])
    return out
