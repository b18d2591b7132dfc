"""dsp._rest.still_runs against a plain loop over the samples."""

from __future__ import annotations

import numpy as np
import pytest

from dsp._rest import still_runs


def _loop(still: np.ndarray, restart: np.ndarray, carried: int) -> list[int]:
    out, run = [], carried
    for s, r in zip(still.tolist(), restart.tolist(), strict=True):
        run = 0 if not s else 1 if r else run + 1
        out.append(run)
    return out


@pytest.mark.parametrize("p_still", [0.0, 0.5, 0.9, 1.0])
def test_still_runs_match_a_loop(p_still: float) -> None:
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(0, 40))
        still = rng.random(n) < p_still
        restart = rng.random(n) < rng.choice([0.0, 0.1])
        carried = int(rng.integers(0, 500))
        run = still_runs(still, restart, carried)
        assert run.dtype == np.intp
        assert run.tolist() == _loop(still, restart, carried)
