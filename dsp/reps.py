"""Reps from strokes: a raise followed by a lowering of one leg.

A rep is an up-stroke of at least `min_rom_deg` followed, after a hold at the top of at
most `MAX_TOP_HOLD_S`, by a down-stroke that brings the leg back at least half way. Its
bottom pause lasts until the leg moves again (or `MAX_BOTTOM_PAUSE_S`), and the rep is
told then: when the next movement starts, which is the rep's true end.

Small movements (fidgeting, a twitch, shifting) never reach the size of a rep; a rep
that reaches less than `partial_fraction` of the set's typical range is partial.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsp.events import Phase
from dsp.lift import AngleTrack
from dsp.settings import Settings
from dsp.strokes import Stroke, StrokeDetector, StrokeStarted

MAX_TOP_HOLD_S = 12.0
"""A longer stay up is not a hold at the top of a rep (sitting up, standing)."""
MAX_BOTTOM_PAUSE_S = 2.0
"""The bottom pause is counted up to this; a longer stay down ends the rep."""
NEXT_MOVE_DPS = 5.0
"""The leg moves again (the rep's end) above this lift speed, deg/s."""
SWING_PEAK_POSITION = 0.7
"""A lowering whose speed peaks this late (0.5 for a controlled one) was dropped: a swing."""
BOUNCE_S = 0.4
"""A leg that moves up again this soon after a dropped lowering bounced off the bottom."""
REST_BAND_DEG = 10.0
"""A leg within this of its rest angle..."""
RESTING_S = 2.0
"""...for this long is resting, not holding the top of a rep."""
HELD_TREMOR = 4.0
"""A leg whose tremor is this many times the quietest is held up (see `dsp.tremor`)."""
LOWEST_DEG = -65.0
"""No rep takes the shin further below its rest angle (bent knees go to about -45)."""
TYPICAL_OF = 3
"""The set's typical range of motion is the median of its last full reps, this many."""


@dataclass(frozen=True)
class LegRep:
    """A rep of one leg as the counter sees it; the pipeline numbers it and adds the tilt."""

    leg: str
    known_s: float
    up: Stroke
    down: Stroke
    end_s: float
    partial: bool
    flags: tuple[str, ...]

    @property
    def start_s(self) -> float:
        return self.up.start_s

    @property
    def rom_deg(self) -> float:
        high = max(self.up.end_deg, self.down.start_deg)
        return high - min(self.up.start_deg, self.down.end_deg)


class RepCounter:
    """One leg's reps, from its angle track, block by block."""

    def __init__(self, leg: str, rate_hz: float, settings: Settings) -> None:
        self.leg = leg
        self.settings = settings
        self._strokes = StrokeDetector(settings.moving_dps)
        self._up: Stroke | None = None
        self._pending: tuple[Stroke, Stroke] | None = None
        self._full_roms: list[float] = []
        self._last_t = -np.inf
        # Recent tremor, to tell a held leg from a resting one.
        self._t = np.zeros(0)
        self._tremor = np.zeros(0)
        self._keep = round((MAX_TOP_HOLD_S + 5.0) * rate_hz)

    def update(self, track: AngleTrack) -> list[LegRep | Phase]:
        """Reps told and phases entered in this block."""
        out: list[LegRep | Phase] = []
        if not len(track):
            return out
        self._t = np.concatenate((self._t, track.time_s))[-self._keep :]
        self._tremor = np.concatenate((self._tremor, track.tremor))[-self._keep :]
        items = self._strokes.update(track)
        t = track.time_s - track.velocity_delay_s
        moving = np.flatnonzero(np.abs(track.velocity_dps) > NEXT_MOVE_DPS)
        for item in items:
            self._settle_pending(t, moving, item.known_s, out)
            if isinstance(item, StrokeStarted):
                phase = "concentric" if item.direction > 0 else "eccentric"
                out.append(Phase(item.known_s, self.leg, phase, item.known_s, item.angle_deg))
            else:
                self._on_stroke(item, out)
        self._settle_pending(t, moving, float(t[-1]) + 1e-9, out)
        self._last_t = float(t[-1])
        return out

    def finish(self) -> list[LegRep | Phase]:
        """End of session: tell the rep that waits for its end."""
        out: list[LegRep | Phase] = []
        if self._pending is not None:
            up, down = self._pending
            end = min(self._last_t, down.end_s + MAX_BOTTOM_PAUSE_S)
            out.append(self._rep(up, down, max(end, down.end_s), self._last_t, bounced=False))
            self._pending = None
        return out

    def _on_stroke(self, stroke: Stroke, out: list[LegRep | Phase]) -> None:
        phase = "top" if stroke.direction > 0 else "bottom"
        out.append(Phase(stroke.known_s, self.leg, phase, stroke.end_s, stroke.end_deg))
        if stroke.direction > 0:
            self._up = stroke if stroke.size_deg >= self.settings.min_rom_deg else None
            return
        up, self._up = self._up, None
        if up is None or stroke.start_s - up.end_s > MAX_TOP_HOLD_S:
            return
        if stroke.size_deg < 0.5 * up.size_deg or not self._plausible(up, stroke):
            return
        self._pending = (up, stroke)

    def _plausible(self, up: Stroke, down: Stroke) -> bool:
        """Not a movement between reps that happens to go up and then down.

        The angle is measured from the leg at rest (on the floor, or hanging). A leg that
        comes back to rest, stays there and then moves below it (knees drawn up, or a
        fidget) has no top; a leg more than `LOWEST_DEG` below rest is standing up.
        """
        if down.end_deg < LOWEST_DEG:
            return False
        if abs(up.end_deg) >= REST_BAND_DEG or down.start_s - up.end_s <= RESTING_S:
            return True
        # Level with the rest angle for a while: held there (bent knees over the hips), or
        # put down? A held leg shakes all the time; a resting one only when it is moved.
        i0, i1 = np.searchsorted(self._t, (up.end_s, down.start_s))
        return i1 > i0 and float(np.percentile(self._tremor[i0:i1], 25)) > HELD_TREMOR

    def _settle_pending(
        self, t: np.ndarray, moving: np.ndarray, until_s: float, out: list[LegRep | Phase]
    ) -> None:
        """Tell the pending rep if the leg moved again, or stayed down long enough, by `until_s`."""
        if self._pending is None:
            return
        up, down = self._pending
        after = moving[t[moving] > down.end_s] if moving.size else moving
        after = after[t[after] <= until_s]
        deadline = down.end_s + MAX_BOTTOM_PAUSE_S
        if after.size and float(t[after[0]]) <= deadline:
            k = int(after[0])
            end = self._back_to_still(t, k, down.end_s)
            bounced = end - down.end_s < BOUNCE_S and down.peak_position > SWING_PEAK_POSITION
            out.append(self._rep(up, down, end, float(t[k]), bounced=bounced))
            self._pending = None
        elif until_s >= deadline and (t.size == 0 or float(t[-1]) >= deadline):
            out.append(self._rep(up, down, deadline, deadline, bounced=False))
            self._pending = None

    def _back_to_still(self, t: np.ndarray, k: int, not_before_s: float) -> float:
        """The time the movement that was fast at sample k started (the rep's end)."""
        return max(float(t[k]) - 0.05, not_before_s)

    def _rep(self, up: Stroke, down: Stroke, end_s: float, known_s: float, *, bounced: bool) -> LegRep:
        rom = max(up.end_deg, down.start_deg) - min(up.start_deg, down.end_deg)
        typical = float(np.median(self._full_roms[-TYPICAL_OF:])) if self._full_roms else None
        partial = typical is not None and rom < self.settings.partial_fraction * typical
        if not partial:
            self._full_roms.append(rom)
        flags: list[str] = []
        eccentric_s = down.end_s - down.start_s
        if eccentric_s < self.settings.eccentric_target_s:
            flags.append("eccentric_too_fast")
        if down.peak_position > SWING_PEAK_POSITION or up.peak_position < 1 - SWING_PEAK_POSITION:
            flags.append("swing")
        if bounced:
            flags.append("bounce")
        if partial:
            flags.append("partial")
        return LegRep(self.leg, known_s, up, down, max(end_s, down.end_s), partial, tuple(flags))
