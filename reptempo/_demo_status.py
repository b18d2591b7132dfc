"""What `reptempo demo` prints: the athlete's phase from the ground truth, status lines, and
a line for each event the DSP detects.

Pure functions of a `GroundTruth`, a session time or an event, tested without any timing.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dsp.events import Event, PostureChanged, Rep, SetDone, TiltOnset, TiltRecovered

if TYPE_CHECKING:
    # Types only: `reptempo live` formats its events with this module, and importing the
    # simulator costs it about 50 ms of CPU at the first event.
    from imu_reader.sim import GroundTruth, RepTruth

READY_LIFT_DEG = 1.0
"""Between sets the legs rest flat (lift angle 0); getting into position for the next set
starts when the lift angle last leaves this band before the set's first rep."""
READY_FALLBACK_S = 3.0
"""Getting into position when the series cannot tell (no series): this long before a set."""


@dataclass(frozen=True)
class Phase:
    """What the athlete is doing at one moment.

    Attributes:
        activity: `resting`, `getting into position`, `rep`, `sitting` or `standing`.
        set_number: 1-based set of the rep, or of the set being prepared.
        rep_number: 1-based rep within its set (for `rep`).
        rep_phase: `concentric`, `top`, `eccentric` or `bottom` (for `rep`).
    """

    activity: str
    set_number: int | None = None
    rep_number: int | None = None
    rep_phase: str | None = None

    def __str__(self) -> str:
        if self.activity == "rep":
            return f"set {self.set_number} rep {self.rep_number} {self.rep_phase}"
        return self.activity


@dataclass(frozen=True)
class SensorStatus:
    """One sensor's stream as the host sees it.

    Attributes:
        role: where it is strapped.
        rate_hz: its measured rate, Hz, or None before the clock has been fitted.
        loss_percent: packets lost so far, %.
    """

    role: str
    rate_hz: float | None
    loss_percent: float


def _rep_phase(rep: RepTruth, t: float) -> str:
    """The phase of `rep` at `t` (start_s <= t < end_s), from the rep's phase boundaries.

    The concentric ends at `top_s` and the top hold follows it; the eccentric ends at
    `bottom_s` and the bottom pause follows it, whichever order the exercise uses.
    """
    spans = (
        ("concentric", rep.top_s - rep.concentric_s, rep.top_s),
        ("top", rep.top_s, rep.top_s + rep.pause_top_s),
        ("eccentric", rep.bottom_s - rep.eccentric_s, rep.bottom_s),
        ("bottom", rep.bottom_s, rep.bottom_s + rep.pause_bottom_s),
    )
    for name, start, end in spans:
        if start <= t < end:
            return name
    # Rounding at a boundary: the nearest span.
    return min(spans, key=lambda s: min(abs(t - s[1]), abs(t - s[2])))[0]


def _posture(truth: GroundTruth, t: float) -> str | None:
    for span in truth.postures:
        if span.start_s <= t < span.end_s:
            return span.posture
    return None


def _ready_start_s(truth: GroundTruth, set_index: int) -> float:
    """When the athlete starts getting into position for set `set_index`."""
    start_s = truth.sets[set_index].start_s
    for span in truth.postures:
        if span.posture == "hanging" and span.start_s <= start_s < span.end_s:
            return span.start_s  # from the jump onto the bar
    times, lift = truth.series_time_s, truth.lift_angle_deg
    i = int(np.searchsorted(times, start_s))
    flat = np.flatnonzero(np.abs(lift[:i]) < READY_LIFT_DEG)
    if flat.size == 0:
        return max(0.0, start_s - READY_FALLBACK_S)
    moving_from = int(flat[-1]) + 1
    return float(times[moving_from]) if moving_from < i else start_s


def phase_at(truth: GroundTruth, t: float) -> Phase:
    """What the athlete is doing at session time `t` (true seconds)."""
    starts = [r.start_s for r in truth.reps]
    k = bisect.bisect_right(starts, t) - 1
    if k >= 0 and t < truth.reps[k].end_s:
        rep = truth.reps[k]
        rep_number = sum(1 for r in truth.reps[: k + 1] if r.set == rep.set)
        return Phase("rep", rep.set + 1, rep_number, _rep_phase(rep, t))
    posture = _posture(truth, t)
    if posture in ("sitting", "standing"):
        return Phase(posture)
    upcoming = next((s for s in truth.sets if s.start_s > t), None)
    if upcoming is not None and t >= _ready_start_s(truth, upcoming.index):
        return Phase("getting into position", upcoming.index + 1)
    return Phase("resting")


def truth_at(truth: GroundTruth, t: float) -> tuple[float, float]:
    """True lift angle and pelvic tilt at `t`, degrees (linear between series samples)."""
    if truth.series_time_s.size == 0:
        return 0.0, 0.0
    lift = float(np.interp(t, truth.series_time_s, truth.lift_angle_deg))
    tilt = float(np.interp(t, truth.series_time_s, truth.pelvis_tilt_deg))
    return lift, tilt


def clock_text(t: float) -> str:
    """Session time as m:ss, right-aligned in 5 characters."""
    whole = int(t)
    return f"{whole // 60:2d}:{whole % 60:02d}"


PHASE_WIDTH = 24
ARCHING = "<< back arching"


def _sensor_width(role: str) -> int:
    return max(len(role) + 3, 6)


def header_line(roles: Sequence[str]) -> str:
    """The column heads above the status lines."""
    sensors = "  ".join(f"{role + ' Hz':>{_sensor_width(role)}}  {'lost':>5}" for role in roles)
    return f"{'time':>5}  {sensors}  {'phase':<{PHASE_WIDTH}}  lift deg  tilt deg"


def status_line(
    t: float,
    sensors: Sequence[SensorStatus],
    phase: Phase,
    *,
    lift_deg: float,
    tilt_deg: float,
    threshold_deg: float,
) -> str:
    """One status line under `header_line`: time, each sensor's measured rate (`---` before
    its clock is fitted) and loss, the phase, the true lift angle and tilt, and a marker when
    the tilt passes `threshold_deg`."""
    cells = []
    for s in sensors:
        rate = f"{s.rate_hz:.2f}" if s.rate_hz is not None else "---"
        cells.append(f"{rate:>{_sensor_width(s.role)}}  {s.loss_percent:4.1f}%")
    line = f"{clock_text(t)}  {'  '.join(cells)}  {phase!s:<{PHASE_WIDTH}}  {lift_deg:8.1f}  {tilt_deg:8.1f}"
    if tilt_deg > threshold_deg:
        line += f"  {ARCHING}"
    return line


def status_at(truth: GroundTruth, t: float, sensors: Sequence[SensorStatus]) -> str:
    """The status line at session time `t` from the truth and the sensors' status."""
    lift, tilt = truth_at(truth, t)
    return status_line(
        t, sensors, phase_at(truth, t), lift_deg=lift, tilt_deg=tilt, threshold_deg=truth.tilt_threshold_deg
    )


EVENT_MARK = ">>"


POSTURE_WORDS = {
    "supine": "lying on the back",
    "sitting": "sitting",
    "standing": "standing",
    "hanging": "hanging from the bar",
}


def event_line(event: Event, set_reps: dict[int, int]) -> str | None:
    """A line for a detected rep, tilt onset, recovery, set or posture (None for the others).

    `set_reps` counts reps told so far per set; a rep's line adds itself to it.
    """
    when = clock_text(event.time_s)
    if isinstance(event, Rep):
        set_reps[event.set_index] = set_reps.get(event.set_index, 0) + 1
        flags = f"  [{', '.join(event.flags)}]" if event.flags else ""
        tilt = "" if event.max_anterior_tilt_deg is None else f", tilt {event.max_anterior_tilt_deg:.0f} deg"
        rep = f"rep {set_reps[event.set_index]} of set {event.set_index + 1} ({event.leg})"
        return (
            f"{when}  {EVENT_MARK} {rep}: tempo {event.tempo}, lowered in {event.eccentric_s:.1f} s, "
            f"range {event.rom_deg:.0f} deg{tilt}{flags}"
        )
    if isinstance(event, TiltOnset):
        angle = (
            ""
            if event.leg_angle_at_onset_deg is None
            else f" with the legs at {event.leg_angle_at_onset_deg:.0f} deg"
        )
        return f"{when}  {EVENT_MARK} back arching: the pelvis tipped forwards{angle}"
    if isinstance(event, TiltRecovered):
        lasted = event.end_s - event.onset_s
        return f"{when}  {EVENT_MARK} back flat again (peak {event.peak_deg:.0f} deg, {lasted:.1f} s)"
    if isinstance(event, SetDone):
        ecc = (
            "" if event.eccentric_mean_s is None else f", lowering {event.eccentric_mean_s:.1f} s on average"
        )
        safe = (
            ""
            if event.safe_end_range_deg is None
            else f", {event.tilt_count} tilt episode(s), safe down to {event.safe_end_range_deg:.0f} deg"
        )
        return (
            f"{when}  {EVENT_MARK} set {event.index + 1} done: {event.rep_count} reps "
            f"({event.full_rep_count} full){ecc}{safe}"
        )
    if isinstance(event, PostureChanged):
        return f"{when}  {EVENT_MARK} posture: {POSTURE_WORDS[event.posture]}"
    return None
