"""numpy's checks and sums of products for the short blocks of a live session.

A reduction (`ndarray.any`, `ndarray.all`) costs over a microsecond of numpy's handling
whatever the length of the array, `np.einsum` as much again in its Python wrapper, and a
live block of a few samples goes through dozens of them. The kernels behind them cost a
tenth of that: these call them where numpy has them (the same answers, the same numbers),
and numpy's public functions where it has moved them. Likewise `np.dot` of samples (n, 3)
and a vector or a 3 x 3 matrix makes the BLAS call `@` makes, the same numbers for rows
stored contiguously (as samples are), at about half the cost of the `matmul` ufunc.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

try:
    from numpy._core.multiarray import c_einsum, count_nonzero
except ImportError:
    c_einsum = np.einsum
    count_nonzero = np.count_nonzero

BoolArray = npt.NDArray[np.bool_]

__all__ = ["all_of", "any_of", "c_einsum"]


def any_of(flags: BoolArray) -> bool:
    """`flags.any()` of a boolean array."""
    return int(count_nonzero(flags)) > 0


def all_of(flags: BoolArray) -> bool:
    """`flags.all()` of a boolean array."""
    return int(count_nonzero(flags)) == flags.size
