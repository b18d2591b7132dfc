"""Subject 1 of the UCI "Physical Therapy Exercises" data set: real shin recordings, hand labels.

Read from `../shared/datasets/uci-pt-subject1/` (never copied into the repository; see
its README). Each exercise folder `e1`, `e3`, `e4`, `e5` holds one test session of 30
reps: `u2/test.txt` is the moving (right) shin at 25 Hz, `test_times.csv` the hand-labelled
start and end of every rep as 1-based sample indices. The sensors' own timing is taken
as exact: sample `i` (1-based) is at `(i - 1) / 25` s.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsp import SensorSamples
from dsp.scoring import TrueRep

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "uci-pt-subject1"
SESSIONS = {
    "e1": "seated knee extension",
    "e3": "supine straight-leg raise",
    "e4": "supine leg raise, second variant",
    "e5": "prone leg raise",
}
RATE_HZ = 25.0
SHIN_UNIT = "u2"
"""The moving (right) shin."""


@dataclass(frozen=True)
class RealSession:
    """One labelled session of the shin sensor.

    Attributes:
        name: the exercise folder (`e1`).
        samples: the shin's samples, role `shin`, SI units, times from 0.
        reps: the hand-labelled reps (no phases: start and end only).
    """

    name: str
    samples: SensorSamples
    reps: tuple[TrueRep, ...]


def load_session(name: str, root: Path = DATASET) -> RealSession:
    """Read `root/name/u2/test.txt` and `root/name/test_times.csv`."""
    folder = root / name
    # time index; acc_x; acc_y; acc_z (m/s^2); gyr_x; gyr_y; gyr_z (rad/s); mag_x; mag_y; mag_z
    table = np.loadtxt(folder / SHIN_UNIT / "test.txt", delimiter=";", skiprows=1, ndmin=2)
    if table.shape[1] < 7:
        raise ValueError(
            f"{folder / SHIN_UNIT / 'test.txt'}: expected at least 7 columns, got {table.shape[1]}"
        )
    time_s = (table[:, 0] - 1.0) / RATE_HZ
    samples = SensorSamples("shin", time_s, table[:, 1:4].copy(), table[:, 4:7].copy())
    with (folder / "test_times.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    reps = tuple(
        TrueRep((int(row["start"]) - 1) / RATE_HZ, (int(row["end"]) - 1) / RATE_HZ, leg="shin")
        for row in rows
    )
    return RealSession(name, samples, reps)


def blocks(samples: SensorSamples, step_s: float) -> list[SensorSamples]:
    """`samples` cut into consecutive blocks of `step_s` seconds, as a live link hands them over."""
    edges = np.searchsorted(
        samples.time_s, np.arange(step_s, samples.time_s[-1] + step_s, step_s), side="right"
    )
    out = []
    start = 0
    for stop in [*edges.tolist(), len(samples)]:
        if stop > start:
            out.append(
                SensorSamples(
                    samples.role,
                    samples.time_s[start:stop],
                    samples.acc_mps2[start:stop],
                    samples.gyr_rps[start:stop],
                    samples.gap_before[start:stop],
                )
            )
            start = stop
    return out
