"""dsp._geometry: the quick principal-axis test against the eigenvectors; the fast row
sums and offsets against the numpy expressions whose numbers they must give."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsp._geometry import EINSUM_ROWS, Offset, principal_axis, squared_norms, surely_within


def _bout(rng: np.random.Generator, direction: np.ndarray, off_deg: float, noise: float) -> np.ndarray:
    """Turns about an axis `off_deg` from `direction`, with noise of relative size `noise`."""
    other = np.cross(direction, rng.normal(size=3))
    other /= np.linalg.norm(other)
    off = math.radians(off_deg)
    axis = math.cos(off) * direction + math.sin(off) * other
    n = int(rng.integers(3, 80))
    return np.outer(rng.normal(size=n), axis) + noise * rng.normal(size=(n, 3))


@pytest.mark.parametrize("limit_deg", [20.0, 35.0, 45.0])
def test_surely_within_is_never_wrong_and_mostly_answers(limit_deg: float) -> None:
    rng = np.random.default_rng(7)
    answered = inside = 0
    for _ in range(4000):
        d = rng.normal(size=3)
        d /= np.linalg.norm(d)
        v = _bout(rng, d, rng.uniform(0.0, 2.0 * limit_deg), rng.uniform(0.0, 0.5))
        cos = abs(float(principal_axis(v) @ d))
        if surely_within(v, d, limit_deg):
            answered += 1
            assert cos > math.cos(math.radians(limit_deg))
        if cos > math.cos(math.radians(0.5 * limit_deg)):
            inside += 1
    # It answers for most bouts well inside the limit (the reason it exists).
    assert answered >= 0.8 * inside > 0


def test_surely_within_at_the_boundary_of_a_rank_one_spread() -> None:
    # A spread along one line: d^T M d / tr M is exactly cos^2 of the angle.
    d = np.array([1.0, 0.0, 0.0])
    for off_deg in (34.0, 34.999, 35.0, 35.001, 36.0):
        off = math.radians(off_deg)
        v = np.outer(np.linspace(-1.0, 1.0, 9), [math.cos(off), math.sin(off), 0.0])
        assert surely_within(v, d, 35.0) == (off_deg < 35.0 - 1e-6)


def test_surely_within_checks_its_limit() -> None:
    with pytest.raises(ValueError, match="0 to 45"):
        surely_within(np.ones((3, 3)), np.array([1.0, 0.0, 0.0]), 50.0)


def _bits(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x).view(np.uint64)


@pytest.mark.parametrize("rows", [0, 1, 32, 33, 3000])
def test_squared_norms_add_in_one_order_whatever_the_block(rows: int) -> None:
    # Contiguous rows: (x^2 + z^2) + y^2 at any block size (einsum is used for short blocks
    # only where it adds so), so a row's length does not depend on its block's size.
    rng = np.random.default_rng(rows)
    for _ in range(20):
        # Magnitudes that differ by orders make any other order of the additions show.
        v = rng.normal(size=(rows + 1, 3)) * 10.0 ** rng.integers(-6, 4, size=(rows + 1, 3))
        part = v[1:]
        expected = (part[:, 0] * part[:, 0] + part[:, 2] * part[:, 2]) + part[:, 1] * part[:, 1]
        np.testing.assert_array_equal(_bits(squared_norms(part)), _bits(expected))
        strided = v[:, ::-1]
        np.testing.assert_array_equal(
            _bits(squared_norms(strided)), _bits(np.einsum("ij,ij->i", strided, strided))
        )


def test_squared_norms_use_einsum_for_short_blocks_only_where_it_adds_alike() -> None:
    rng = np.random.default_rng(5)
    v = rng.normal(size=(256, 3)) * 10.0 ** rng.integers(-6, 4, size=(256, 3))
    by_columns = (v[:, 0] * v[:, 0] + v[:, 2] * v[:, 2]) + v[:, 1] * v[:, 1]
    einsum_alike = bool(np.array_equal(np.einsum("ij,ij->i", v, v), by_columns))
    assert (EINSUM_ROWS > 0) == einsum_alike


def test_offset_gives_the_broadcast_difference_whatever_the_blocks() -> None:
    rng = np.random.default_rng(3)
    vector = rng.normal(size=3)
    offset = Offset(vector)
    for rows in [0, 4, 1, 3000, 7, Offset.MAX_ROWS + 5, 20]:
        v = rng.normal(size=(rows, 3))
        for part in (v, v[:, ::-1]):
            got = offset.from_rows(part)
            assert got.shape == part.shape
            np.testing.assert_array_equal(_bits(got), _bits(part - vector))
