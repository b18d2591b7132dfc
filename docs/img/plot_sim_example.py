"""Draw docs/img/sim_example.png from a simulated recording.

Needs matplotlib, which is not a dependency of reptempo: `pip install matplotlib` into
the environment first. Run from the repository root:

    python docs/img/plot_sim_example.py [recordings/straight_leg_lift_weak_core.mcap]

It exports the recording with `reptempo export` (one CSV per sensor plus labels.json)
into a temporary directory and plots what a newcomer should see in it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib as mpl
import numpy as np

mpl.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "recordings" / "straight_leg_lift_weak_core.mcap"
OUT = Path(__file__).resolve().parent / "sim_example.png"


def export(recording: Path, into: Path) -> None:
    """`reptempo export RECORDING --out INTO` (m/s2 and deg/s)."""
    command = [sys.executable, "-m", "reptempo", "export", str(recording), "--out", str(into)]
    subprocess.run([*command, "--gyr-unit", "dps"], check=True, capture_output=True)


def load(path: Path) -> dict[str, np.ndarray]:
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return {"t": data[:, 0], "acc": data[:, 1:4], "gyr": data[:, 4:7]}


def shade_reps(ax: plt.Axes, labels: dict) -> None:
    """Concentric (raise) in green, eccentric (lower) in blue."""
    for rep in labels["reps"]:
        concentric = (rep["top_s"] - rep["concentric_s"], rep["top_s"])
        eccentric = (rep["bottom_s"] - rep["eccentric_s"], rep["bottom_s"])
        ax.axvspan(*concentric, color="tab:green", alpha=0.10, lw=0)
        ax.axvspan(*eccentric, color="tab:blue", alpha=0.10, lw=0)


def main() -> None:
    recording = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with tempfile.TemporaryDirectory() as tmp:
        export(recording, Path(tmp))
        shin = load(Path(tmp) / "shin.csv")
        pelvis = load(Path(tmp) / "pelvis.csv")
        labels = json.loads((Path(tmp) / "labels.json").read_text())
    series = labels["series"]
    lift = np.asarray(series["lift_angle_deg"])
    tilt = np.asarray(series["pelvis_tilt_deg"])
    t_truth = series["start_s"] + np.arange(lift.size) / series["rate_hz"]

    fig, axes = plt.subplots(4, 1, figsize=(10, 8.4), sharex=True, layout="constrained")
    ax = axes[0]
    shade_reps(ax, labels)
    ax.plot(shin["t"], np.linalg.norm(shin["gyr"], axis=1), color="k", lw=0.7)
    ax.set_ylabel("shin |gyro|\n(deg/s)")
    for rep in labels["reps"]:
        ax.annotate(
            f"rep {rep['index'] + 1}\n{rep['tempo']}",
            ((rep["start_s"] + rep["end_s"]) / 2, 1.0),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="top",
            fontsize=7,
        )
    for ax, sensor, name in ((axes[1], shin, "shin"), (axes[2], pelvis, "pelvis")):
        shade_reps(ax, labels)
        for k, axis in enumerate("xyz"):
            ax.plot(sensor["t"], sensor["acc"][:, k], lw=0.6, label=axis)
        ax.set_ylabel(f"{name} accel\n(m/s$^2$)")
        ax.legend(loc="upper right", ncol=3, fontsize=7, frameon=False)
    ax = axes[3]
    shade_reps(ax, labels)
    ax.plot(t_truth, lift, color="tab:green", lw=1.2, label="lift angle (true)")
    ax.plot(t_truth, tilt, color="tab:red", lw=1.2, label="pelvic tilt (true)")
    ax.axhline(labels["tilt_threshold_deg"], color="tab:red", lw=0.6, ls="--")
    for episode in labels["tilt_episodes"]:
        ax.axvspan(episode["threshold_s"], episode["end_s"], color="tab:red", alpha=0.15, lw=0)
        ax.plot(episode["onset_s"], episode["leg_angle_at_onset_deg"], "v", color="tab:red", ms=5)
    ax.set_ylabel("truth (deg)")
    ax.set_xlabel("session time (s)")
    ax.legend(loc="upper right", ncol=2, fontsize=7, frameon=False)
    axes[0].set_title(
        f"{recording.name}: green = raising (concentric), blue = lowering (eccentric), "
        "red = back arching (tilt > 5 deg)",
        fontsize=9,
    )
    fig.savefig(OUT, dpi=90)
    print(OUT)


if __name__ == "__main__":
    main()
