"""numpy's checks and sums of products for the short blocks of a live session.

A reduction (`ndarray.any`, `ndarray.all`) costs over a microsecond of numpy's handling
whatever the length of the array, `np.einsum` as much again in its Python wrapper, and a
live block of a few samples goes through dozens of them (and a stroke placed, through
`np.interp`'s checks; a tremor mean, through `np.convolve`'s). The kernels behind them cost
a tenth of that: these call them where numpy has them (the same answers, the same
numbers), and numpy's public functions where it has moved them. Likewise `np.dot` of
samples (n, 3) and a vector or a 3 x 3 matrix makes the BLAS call `@` makes, the same
numbers for rows stored contiguously (as samples are), at about half the cost of the
`matmul` ufunc.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

try:
    from numpy._core.multiarray import c_einsum, correlate, count_nonzero
    from numpy._core.multiarray import interp as _interp
except ImportError:
    c_einsum = np.einsum
    correlate = np.correlate
    count_nonzero = np.count_nonzero
    _interp = np.interp

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

__all__ = ["all_of", "any_of", "c_einsum", "correlate", "interp", "interp_at"]


def any_of(flags: BoolArray) -> bool:
    """`flags.any()` of a boolean array."""
    return int(count_nonzero(flags)) > 0


def all_of(flags: BoolArray) -> bool:
    """`flags.all()` of a boolean array."""
    return int(count_nonzero(flags)) == flags.size


def interp(x: float, xp: FloatArray, fp: FloatArray) -> float:
    """`np.interp(x, xp, fp)` at one point, of float64 arrays (its Python wrapper skipped)."""
    return float(_interp(x, xp, fp, None, None))


def interp_at(x: FloatArray, xp: FloatArray, fp: FloatArray) -> FloatArray:
    """`np.interp(x, xp, fp)` at the points `x`, of float64 arrays (its Python wrapper skipped)."""
    out: FloatArray = _interp(x, xp, fp, None, None)
    return out
