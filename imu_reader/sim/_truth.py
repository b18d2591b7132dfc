"""Ground truth of a simulated session, in true seconds (host clock, before any sensor's error)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class RepTruth:
    """One rep as performed.

    The phases run concentric (raise), top hold, eccentric (lower), bottom pause; a rep of
    an exercise that starts at the top (dead bug, heel taps) begins with its eccentric.
    """

    index: int
    set: int
    leg: str
    start_s: float
    top_s: float
    bottom_s: float
    end_s: float
    concentric_s: float
    pause_top_s: float
    eccentric_s: float
    pause_bottom_s: float
    rom_deg: float
    partial: bool
    swing: bool
    max_anterior_tilt_deg: float = 0.0
    max_posterior_tilt_deg: float = 0.0

    @property
    def tempo(self) -> str:
        """eccentric-bottom-concentric-top, rounded to 0.1 s."""
        return "-".join(
            f"{v:.1f}".rstrip("0").rstrip(".")
            for v in (self.eccentric_s, self.pause_bottom_s, self.concentric_s, self.pause_top_s)
        )


@dataclass(frozen=True)
class TiltEpisode:
    """Anterior pelvic tilt beyond the threshold.

    Attributes:
        onset_s: when the legs' torque crossed the core's capacity: control was lost.
        threshold_s: when the tilt reached the threshold.
        end_s: when the tilt fell back below the threshold.
        peak_deg: largest tilt of the episode.
        leg_angle_at_onset_deg: the working leg's hip angle at `onset_s`: the safe end range.
        leg_angle_at_threshold_deg: the same at `threshold_s`.
    """

    onset_s: float
    threshold_s: float
    end_s: float
    peak_deg: float
    leg_angle_at_onset_deg: float
    leg_angle_at_threshold_deg: float


@dataclass(frozen=True)
class SetTruth:
    """One set: its exercise, span (first rep start to last rep end) and reps."""

    index: int
    exercise: str
    core: str
    tempo: str
    start_s: float
    end_s: float
    reps: int
    full_reps: int
    safe_end_range_deg: float | None


@dataclass(frozen=True)
class PostureSpan:
    """The body's posture over [start_s, end_s): supine, sitting, standing or hanging."""

    posture: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class GroundTruth:
    """Everything the simulator knows, for scoring the DSP.

    Attributes:
        reps, tilt_episodes, sets, postures: the events.
        tilt_threshold_deg: the threshold the episodes use.
        series_time_s: times of the series, s (uniform, `series_rate_hz`).
        lift_angle_deg: the working (right) leg's hip angle: 0 at the floor (or hanging).
        pelvis_tilt_deg: pelvic tilt from the lying or hanging baseline, anterior positive.
    """

    reps: tuple[RepTruth, ...]
    tilt_episodes: tuple[TiltEpisode, ...]
    sets: tuple[SetTruth, ...]
    postures: tuple[PostureSpan, ...]
    tilt_threshold_deg: float
    series_rate_hz: float
    series_time_s: npt.NDArray[np.float64]
    lift_angle_deg: npt.NDArray[np.float64]
    pelvis_tilt_deg: npt.NDArray[np.float64]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready labels (series rounded to 0.01 degree)."""
        return {
            "synthetic": True,
            "reps": [{**asdict(r), "tempo": r.tempo} for r in self.reps],
            "tilt_episodes": [asdict(e) for e in self.tilt_episodes],
            "sets": [asdict(s) for s in self.sets],
            "postures": [asdict(p) for p in self.postures],
            "tilt_threshold_deg": self.tilt_threshold_deg,
            "series": {
                "rate_hz": self.series_rate_hz,
                "start_s": float(self.series_time_s[0]) if self.series_time_s.size else 0.0,
                "lift_angle_deg": np.round(self.lift_angle_deg, 2).tolist(),
                "pelvis_tilt_deg": np.round(self.pelvis_tilt_deg, 2).tolist(),
            },
        }
