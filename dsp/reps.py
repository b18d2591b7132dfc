"""Reps from strokes: one leg goes away from where it waits between reps and comes back.

Most exercises wait at the bottom: a rep raises the leg and lowers it (leg lifts, hanging
leg raises). Some wait at the top, the leg held up: a rep lowers it and raises it again
(heel taps from tabletop). The first rep-sized stroke of a set tells which: a lowering
that starts from a held leg (it shakes: `dsp.tremor`) makes a top-start set.

A rep's first stroke must be of rep size: at least `min_rom_deg`, and a quarter of the typical
range of the exercise's full reps once that is known; the second must bring the leg back
at least BACK_FRACTION of the way (or to about where it started). The rep ends where the leg
stops after its second stroke, and is told then: the pause that follows belongs to the next
rep (the pipeline gives each rep the pause before it), so no rep waits for the leg to move
again. Only a dropped lowering waits `BOUNCE_S`, to see whether the leg bounces off the
bottom.

What is not a rep: movements smaller than that (fidgeting, a twitch); a leg that comes
back to rest, lies there and then moves (fidgets in a row look like a raise, a hold and
a lowering, but the "hold" does not shake); a shin taken far below its rest (standing up).
A small rep by a leg that was resting before it may be a fidget: it is told once a second
rep of about its size confirms it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp._geometry import heights_m
from dsp._history import History
from dsp.events import Phase
from dsp.lift import AngleTrack
from dsp.settings import Settings
from dsp.strokes import RISE_UNDER_TURN_DEG, Stroke, StrokeDetector, StrokeStarted
from dsp.tremor import unsmoothed

FloatArray = npt.NDArray[np.float64]

MAX_HOLD_S = 12.0
"""A longer stay between a rep's two strokes is not a hold (sitting up, standing)."""
NEXT_MOVE_DPS = 2.5
"""The leg moves again (a bounce off the bottom) above this lift speed, deg/s."""
SWING_PEAK_POSITION = 0.7
"""A lowering whose speed peaks this late (0.5 for a controlled one) was dropped: a swing."""
BOUNCE_S = 0.4
"""A leg that moves up again this soon after a dropped lowering bounced off the bottom."""
TYPICAL_OF = 3
"""The typical range of motion is the median of the last full reps, this many."""
SMALLEST_OF_TYPICAL = 0.25
"""A rep reaches at least this share of the typical range: a twitch within a set of big
reps is not one. A partial one goes about half way at the hip, but where the knee bends
as the hip does (reverse crunches, bent-knee lifts) the shin turns by the difference, as
little as a quarter of its full range."""
REST_BAND_DEG = 10.0
"""A leg within this of its rest angle (or 0.3 of the stroke that took it there, if less)..."""
RESTING_S = 0.5
"""...for this long (enough to judge), not shaking, is resting, not holding the top of a rep."""
HELD_TREMOR = 2.5
"""A leg whose tremor is this many times the quietest is held up (see `dsp.tremor`): a
resting one reads 1 to 1.6, one held by a rested athlete from about 4 (the tremor is then
not far above the gyro's noise)."""
LOWEST_DEG = -65.0
"""No rep takes the shin further below its rest angle (bent knees go to about -45)."""
CONFIRM_BELOW_DEG = 25.0
"""A rep smaller than this, by a leg that was not held before it, waits for a second one
before it is told: a leg shifted or a knee bent and straightened at rest turns the shin by
up to about 20 degrees. (A leg held in position, shaking, is in a set.)"""
ALIKE_RATIO = (2.0 / 3.0, 1.5)
"""...one of about its size: this share of its range at least and at most. A set's reps
repeat their range (a partial one, about half, comes later in a set); fidgets vary."""
KEEP_S = MAX_HOLD_S + 20.0
"""Tremor and velocity kept for looking back (longer than a hold and a stroke)."""
BACK_FRACTION = 0.35
"""A rep's second stroke covers at least this share of its first."""
RISE_BACK_FRACTION = 0.4
"""...and, when the first moved the sensor further than its turn explains, brings the sensor
back this share of the way at least (a partial dead bug comes back 0.6 of it, and a return
whose placed ends miss some of the sensor's movement measures short: 0.45 of an extension
found by the sensor's height)."""
AGAINST_TURN_M = 0.08
"""A stroke that moves the sensor this far the other way from its turn of the shin moves the
leg against it (a leg lifted about the hip takes the shin sensor up by 0.3 m or more)."""
KNEES_AGAINST_M = 0.05
"""A stroke that moves the sensor this far against the shin's turn moves the knee, not the
leg about the hip (which takes the shin sensor 0.16 m or more the way it turns)."""
AGAINST_PER_RAD_M = 0.5
"""...and further than this per radian of the turn: more than turning about the hip can take
it the other way (past the vertical, a leg raised further moves the sensor down a little)."""
RISE_TRUSTED_S = 3.0
"""A stroke's rise (the double integral of its vertical acceleration) is trusted up to this
long: a slower one's drifts by as much as a dead bug moves the sensor."""
DECIDE_AFTER_STILL_S = 0.5
"""A set's first stroke starts at least this long after the leg's last one."""
HELD_BEFORE_S = 1.0
"""How long before a set's first stroke the leg must shake to be held (a top start)."""


@dataclass(frozen=True)
class LegRep:
    """A rep of one leg as the counter sees it; the pipeline numbers it and adds the tilt."""

    leg: str
    known_s: float
    start_s: float
    top_s: float
    bottom_s: float
    end_s: float
    concentric_s: float
    pause_top_s: float
    eccentric_s: float
    pause_bottom_s: float
    rom_deg: float
    bottom_deg: float
    peak_velocity_dps: float
    partial: bool
    flags: tuple[str, ...]


class RepCounter:
    """One leg's reps, from its angle track, block by block."""

    def __init__(self, leg: str, settings: Settings, rate_hz: float | None = None) -> None:
        """`rate_hz`: the sensor's nominal rate, for the strokes' tremor filter (none without)."""
        self.leg = leg
        self.settings = settings
        self._strokes = StrokeDetector(settings.moving_dps, rate_hz)
        self._rate_hz = rate_hz
        # +1: reps raise then lower (wait at the bottom); -1: lower then raise; 0: not known.
        self._mode = 0
        self._first: Stroke | None = None
        self._pending: tuple[Stroke, Stroke] | None = None
        self._last_rep_stroke_s = -np.inf  # the end of the last rep's second stroke
        self._last_stroke_end_s = -np.inf
        self._rep_starts_s: list[float] = []
        self._unconfirmed: LegRep | None = None
        self._set_rests = False  # a rep of this set was told from a leg resting before it
        self._full_roms: list[float] = []
        self._last_t = -np.inf
        # Recent tremor, to tell a held leg from a resting one, and the sensor's upward
        # acceleration (NaN where unknown): views of the history.
        self._history = History(3)
        self._t, self._tremor, self._vertical = self._history.columns()
        self._delay_s = 0.0

    def update(self, track: AngleTrack) -> list[LegRep | Phase]:
        """Reps told and phases entered in this block."""
        out: list[LegRep | Phase] = []
        if not len(track):
            return out
        # Histories of tremor and velocity, trimmed after the block's strokes are handled.
        vertical = np.full(len(track), np.nan) if track.vertical_mps2 is None else track.vertical_mps2
        self._history.add(track.time_s, track.tremor, vertical)
        self._t, self._tremor, self._vertical = self._history.columns()
        self._delay_s = track.velocity_delay_s
        last_s = float(track.time_s[-1]) - self._delay_s  # the last velocity's time
        for item in self._strokes.update(track):
            self._settle(track, item.known_s - self._delay_s, out)
            if isinstance(item, StrokeStarted):
                phase = "concentric" if item.direction > 0 else "eccentric"
                out.append(Phase(item.known_s, self.leg, phase, item.known_s, item.angle_deg))
            else:
                out.append(Phase(item.known_s, self.leg, _phase_after(item), item.end_s, item.end_deg))
                self._on_stroke(item)
        self._settle(track, last_s + 1e-9, out)
        self._last_t = last_s
        self._history.drop(int(self._t.searchsorted(self._t[-1] - KEEP_S)))
        self._t, self._tremor, self._vertical = self._history.columns()
        return out

    def finish(self) -> list[LegRep | Phase]:
        """End of session: tell the rep that waits for its end."""
        out: list[LegRep | Phase] = []
        if self._pending is not None:
            first, second = self._pending
            self._pending = None
            known_s = max(second.known_s, min(second.end_s, self._last_t + self._delay_s))
            self._tell(self._rep(first, second, known_s, moved_soon=False), out)
        return out

    def _tell(self, rep: LegRep, out: list[LegRep | Phase]) -> None:
        """Tell a rep, unless it may be a fidget (`_may_be_fidget`): that one waits for a
        second rep of about its size to confirm it, and is dropped if none comes within a
        set's rest. A rep held back and not confirmed is no rep: it keeps no set going."""
        held, self._unconfirmed = self._unconfirmed, None
        # Confirmed by a rep soon after and of about its size (fidgets vary).
        alike = held is not None and ALIKE_RATIO[0] <= rep.rom_deg / max(held.rom_deg, 1e-9) <= ALIKE_RATIO[1]
        if held is not None and alike and rep.start_s - held.end_s <= self.settings.set_rest_s:
            self._told(held)
            out.append(LegRep(**{**held.__dict__, "known_s": rep.known_s}))
        elif self._may_be_fidget(rep):
            self._unconfirmed = rep
            return
        self._told(rep)
        out.append(rep)

    def _told(self, rep: LegRep) -> None:
        """Only a rep told keeps its set going (a fidget held for confirmation does not). Note
        whether the leg rested before it, for `_may_be_fidget`."""
        rested = not self._held_before(rep.start_s)
        first = rep.start_s - self._last_rep_stroke_s > self.settings.set_rest_s
        self._set_rests = rested or (self._set_rests and not first)
        self._last_rep_stroke_s = max(rep.top_s, rep.bottom_s)

    def _on_stroke(self, stroke: Stroke) -> None:
        if min(stroke.start_deg, stroke.end_deg) < LOWEST_DEG:
            return  # standing up, lying down again
        if stroke.hidden and not self._shaking_through(stroke.start_s, stroke.end_s):
            return  # a dead bug's leg is held off the floor, shaking; one lying still drifts
        if self._first is not None and stroke.start_s - self._first.end_s > MAX_HOLD_S:
            self._first = None  # held too long to be a rep's
        reach = stroke.reach_deg  # asked for again and again below: a property, not a field
        still_s = stroke.start_s - self._last_stroke_end_s
        self._last_stroke_end_s = stroke.end_s
        first = self._first
        if (
            first is not None
            and reach < BACK_FRACTION * first.reach_deg
            and not _ends_near_start(first, stroke)
        ):
            return  # a bounce off the bottom, an adjustment: the rep goes on
        # Only reps told keep a set going (not a fidget, whose first stroke may have looked
        # like a rep's), nor the one about to be told (it waits for its last samples, or for
        # a bounce: a slow stroke meanwhile does not end its set); a rep's second stroke is
        # judged by its hold.
        last_rep_stroke_s = self._last_rep_stroke_s if self._pending is None else self._pending[1].end_s
        if (
            self._first is None
            and not self._may_confirm(stroke)
            and stroke.start_s - last_rep_stroke_s > max(self.settings.set_rest_s, 1.5 * self._rhythm_s())
        ):
            # A new set, perhaps of another exercise: find out how it goes again.
            self._mode, self._first, self._full_roms, self._rep_starts_s = 0, None, [], []
        smallest = self._smallest_rep_deg()
        if reach < 0.5 * smallest:
            return  # an adjustment at the top or the bottom
        if self._mode == 0:
            # A set's first rep leaves a leg that waited still (for the set to start); a
            # movement straight out of another one is still getting into position.
            if reach < smallest or still_s < DECIDE_AFTER_STILL_S:
                return
            if stroke.direction > 0:
                self._mode = 1
            elif self._held_before(stroke.start_s) and not _against_turn(stroke):
                self._mode = -1
            else:
                # Lowering from rest: getting into position (knees drawn up); or the shin turned
                # down while the sensor rose: a dead bug's return, the rest of a rep not seen.
                return
        if stroke.direction == self._mode:
            # A top-start rep leaves a held leg; one at rest is moving about (repositioning).
            held = self._mode > 0 or self._held_before(stroke.start_s)
            self._first = stroke if reach >= smallest and held else None
            return
        first, self._first = self._first, None
        if first is None or stroke.start_s - first.end_s > MAX_HOLD_S:
            return
        # Back a good part of the way (a partial rep comes back from about half way), or to
        # about where it started (a held leg may sag during a long hold, shortening the way).
        back = reach >= BACK_FRACTION * first.reach_deg or _ends_near_start(first, stroke)
        if not back or not _rises_back(first, stroke) or not self._plausible(first, stroke):
            return
        self._pending = (first, stroke)
        self._rep_starts_s.append(first.start_s)

    def _rhythm_s(self) -> float:
        """The set's own rhythm: the median time between its last reps' starts (0 if not
        known). A leg that takes turns with the other (heel taps) waits through the other's
        rep: a rest is longer than that too."""
        starts = self._rep_starts_s[-TYPICAL_OF - 1 :]
        return _median([b - a for a, b in itertools.pairwise(starts)]) if len(starts) > 1 else 0.0

    def _may_be_fidget(self, rep: LegRep) -> bool:
        """A small rep by a leg that was resting before it: a leg at rest shifted, or a knee
        bent and straightened, looks like that, between sets or in the rest just after one.
        A leg held in position shakes (`dsp.tremor`): at the start of a set, and between its
        reps (a leg put down between reps shakes from the landing too). In a set whose reps
        start from a leg put down, though, one more is no fidget."""
        if rep.rom_deg >= CONFIRM_BELOW_DEG or self._held_before(rep.start_s):
            return False
        in_set = rep.start_s - self._last_rep_stroke_s <= self.settings.set_rest_s
        return not (in_set and self._set_rests)

    def _may_confirm(self, stroke: Stroke) -> bool:
        """The stroke may start the rep that confirms a small rep held back (see
        `_tell`): one of about its size, soon after it. That rep's set goes on."""
        held = self._unconfirmed
        return (
            held is not None
            and stroke.start_s - held.end_s <= self.settings.set_rest_s
            and ALIKE_RATIO[0] <= stroke.reach_deg / max(held.rom_deg, 1e-9) <= ALIKE_RATIO[1]
        )

    def _smallest_rep_deg(self) -> float:
        """`min_rom_deg`, or more once the exercise's typical range is known."""
        if not self._full_roms:
            return self.settings.min_rom_deg
        typical = _median(self._full_roms[-TYPICAL_OF:])
        return max(self.settings.min_rom_deg, SMALLEST_OF_TYPICAL * typical)

    def _tremor_between(self, t0: float, t1: float) -> float | None:
        i0, i1 = self._t.searchsorted((t0, t1))
        return _lower_quartile(self._tremor[i0:i1]) if i1 > i0 else None

    def _shaking_through(self, t0: float, t1: float) -> bool:
        """The leg shook most of the time from t0 to t1 (held up): the median of its tremor
        power, unsmoothed (`dsp.tremor.unsmoothed`), is over HELD_TREMOR. The smoothed ratio
        stays over it for seconds after a leg at rest is put down."""
        i0, i1 = (int(i) for i in np.searchsorted(self._t, (t0, t1)))
        if i1 - i0 < 2:
            return False
        i0 = max(i0 - 1, 0)  # the smoothing undone needs the value before
        rate_hz = self._rate_hz or (i1 - i0 - 1) / max(float(self._t[i1 - 1] - self._t[i0]), 1e-9)
        return _median_of(unsmoothed(self._tremor[i0:i1], rate_hz)) > HELD_TREMOR

    def _held_before(self, time_s: float) -> bool:
        tremor = self._tremor_between(time_s - HELD_BEFORE_S, time_s)
        return tremor is not None and tremor > HELD_TREMOR

    def _plausible(self, first: Stroke, second: Stroke) -> bool:
        """Not a movement between reps that happens to go away and back (see the module)."""
        if min(first.end_deg, second.end_deg) < LOWEST_DEG:
            return False
        band = min(REST_BAND_DEG, 0.3 * first.size_deg)
        if self._mode < 0 or abs(first.end_deg) >= band:
            return True
        if second.start_s - first.end_s <= RESTING_S:
            # No time to tell a held leg from one put down; the accelerometer may.
            return not self._knees_only(first, second)
        # Level with the rest angle for a while: held there (bent knees over the hips), or
        # put down? A held leg shakes all the time; a resting one only when it is moved (and
        # from the jolt when it is put down).
        return self._shaking_through(first.end_s, second.start_s)

    def _rise_m(self, stroke: Stroke) -> float:
        """How far the sensor went up during a stroke, m, from rest to rest (`heights_m`);
        NaN if not known."""
        i0, i1 = (int(i) for i in self._t.searchsorted((stroke.start_s, stroke.end_s)))
        # Up to the sample that completed it at most, whenever it is asked: the same samples
        # must give the same rise whatever the blocks.
        i1 = min(i1, int(self._t.searchsorted(stroke.known_s, side="right")))
        if i0 == 0 or i1 - i0 < 4:
            return math.nan  # not all of it kept
        return float(heights_m(self._t[i0:i1], self._vertical[i0:i1])[-1])

    def _lowered_on_the_turn_up(self, first: Stroke, second: Stroke) -> bool:
        """The leg went down while the shin turned up, and back (a dead bug: the hip and the
        knee straighten together, the shin's inclination hardly changes and rises a little):
        the strokes moved the sensor clearly the other way from their turn. The double
        integral of a slow stroke drifts by as much as it measures: when one stroke is
        quick enough to trust (RISE_TRUSTED_S) and controlled, it decides."""
        # Each stroke's rise is measured only where it decides (its double integral costs more
        # than the rest of the rep).
        strokes = (first, second)
        trusted = [
            s.end_s - s.start_s <= RISE_TRUSTED_S
            and 1 - SWING_PEAK_POSITION <= s.peak_position <= SWING_PEAK_POSITION
            for s in strokes
        ]
        if not any(trusted):
            return all(self._against(s) > 0 for s in strokes)
        told = False
        for stroke, sure in zip(strokes, trusted, strict=True):
            if sure:
                way = self._against(stroke)
                if way < 0:
                    return False  # denied
                told = told or way > 0
        return told

    def _against(self, stroke: Stroke) -> int:
        """+1 where the stroke moved the sensor clearly the other way from its turn, -1 where
        clearly its way, 0 if neither or not known (see `_lowered_on_the_turn_up`)."""
        against = -stroke.direction * self._rise_m(stroke)
        clear = AGAINST_PER_RAD_M * math.radians(stroke.size_deg)
        # NaN (not known) compares False: the shin's turn decides.
        if against > AGAINST_TURN_M and against > clear:
            return 1
        return -1 if -against > AGAINST_TURN_M and -against > clear else 0

    def _knees_only(self, first: Stroke, second: Stroke) -> bool:
        """Both controlled strokes moved the sensor against the shin's turn, but less than a
        leg straightening at hip and knee does (see `_lowered_on_the_turn_up`): the knee
        moved, not the leg about the hip. Legs put down flat after bent-knee lifts turn the
        shin up to its rest angle while the knee comes down; drawing the knees up again at
        once turns it down while the knee rises. (A ballistic stroke's abrupt start or stop
        is not sampled well enough for the double integral.)"""
        if not all(
            1 - SWING_PEAK_POSITION <= s.peak_position <= SWING_PEAK_POSITION for s in (first, second)
        ):
            return False
        against = [-s.direction * self._rise_m(s) for s in (first, second)]
        per_rad = [
            a / max(math.radians(s.size_deg), 1e-9) for a, s in zip(against, (first, second), strict=True)
        ]
        return all(a > KNEES_AGAINST_M for a in against) and all(p < AGAINST_PER_RAD_M for p in per_rad)

    def _settle(self, track: AngleTrack, until_s: float, out: list[LegRep | Phase]) -> None:
        """Tell the pending rep once the block's samples (up to velocity time `until_s`) reach
        its end, or, after a dropped lowering, once the leg moved again or `BOUNCE_S` passed."""
        if self._pending is None:
            return
        first, second = self._pending
        last_s = float(track.time_s[-1]) - self._delay_s  # the last velocity's time
        if not _may_bounce(first, second):
            # The samples' own times run `_delay_s` ahead of the velocity's.
            if until_s + self._delay_s >= second.end_s and last_s + self._delay_s >= second.end_s:
                self._pending = None
                self._tell(self._rep(first, second, max(second.known_s, second.end_s), moved_soon=False), out)
            return
        # Velocity times of the samples where the leg moves.
        moving_s = (track.time_s - self._delay_s)[np.abs(track.velocity_dps) > NEXT_MOVE_DPS]
        after = moving_s[(moving_s > second.end_s) & (moving_s <= until_s)]
        deadline = second.end_s + BOUNCE_S
        if after.size and float(after[0]) <= deadline:
            self._pending = None
            known_s = float(after[0]) + self._delay_s  # the sample's own time
            self._tell(self._rep(first, second, known_s, moved_soon=True), out)
        elif until_s >= deadline and last_s >= deadline:
            self._pending = None
            self._tell(self._rep(first, second, deadline + self._delay_s, moved_soon=False), out)

    def _rep(self, first: Stroke, second: Stroke, known_s: float, *, moved_soon: bool) -> LegRep:
        """The rep of two strokes; of its pauses only the one between them is known (the
        pipeline adds the one before it)."""
        up, down = (first, second) if first.direction > 0 else (second, first)
        if self._lowered_on_the_turn_up(first, second):
            up, down = down, up
        angles = (first.start_deg, first.end_deg, second.start_deg, second.end_deg)
        rom = max(max(angles) - min(angles), first.reach_deg, second.reach_deg)
        typical = _median(self._full_roms[-TYPICAL_OF:]) if self._full_roms else None
        partial = typical is not None and rom < self.settings.partial_fraction * typical
        if not partial:
            self._full_roms.append(rom)
        eccentric_s = down.end_s - down.start_s
        dropped = down.peak_position > SWING_PEAK_POSITION
        flags = [
            name
            for name, on in (
                ("eccentric_too_fast", eccentric_s < self.settings.eccentric_target_s),
                ("swing", dropped or up.peak_position < 1 - SWING_PEAK_POSITION),
                # Off the bottom again at once after a drop: after the rep (bottom start),
                # or straight into the raise (top start).
                (
                    "bounce",
                    dropped and (moved_soon if first.direction > 0 else up.start_s - down.end_s < BOUNCE_S),
                ),
                ("partial", partial),
            )
            if on
        ]
        middle_pause = max(second.start_s - first.end_s, 0.0)
        return LegRep(
            leg=self.leg,
            known_s=known_s,
            start_s=first.start_s,
            top_s=up.end_s,
            bottom_s=down.end_s,
            end_s=second.end_s,
            concentric_s=up.end_s - up.start_s,
            pause_top_s=middle_pause if first.direction > 0 else 0.0,
            eccentric_s=eccentric_s,
            pause_bottom_s=0.0 if first.direction > 0 else middle_pause,
            rom_deg=rom,
            bottom_deg=down.end_deg,
            peak_velocity_dps=max(up.peak_dps, down.peak_dps),
            partial=partial,
            flags=tuple(flags),
        )


def _median(values: list[float]) -> float:
    """`np.median` of a few numbers (not empty), the same number at a small part of its cost
    (its argument handling costs about 25 us)."""
    if any(math.isnan(v) for v in values):
        return math.nan
    ordered = sorted(values)
    half = len(ordered) // 2
    # numpy sums from 0.0 (so -0.0 comes out as 0.0).
    return 0.0 + ordered[half] if len(ordered) % 2 else (0.0 + ordered[half - 1] + ordered[half]) / 2


def _median_of(values: FloatArray) -> float:
    """`np.median(values)` of a float array (not empty), the same number at a fraction of its
    cost: the middle order statistics from numpy's partition, averaged as its mean has them."""
    n = values.size
    half = n // 2
    kth = [half - 1, half, n - 1] if n % 2 == 0 else [half, n - 1]
    ordered = values.copy()  # partitioned in place: `np.partition`'s wrapper costs more
    ordered.partition(kth)
    if math.isnan(ordered[-1]):  # numpy's partition places NaN last
        return math.nan
    if n % 2:
        return float(ordered[half])
    return (float(ordered[half - 1]) + float(ordered[half])) / 2


def _lower_quartile(values: FloatArray) -> float:
    """`np.percentile(values, 25)` (not empty), the same number at a tenth of its cost: the
    two order statistics around it, interpolated as numpy does (from the nearer one)."""
    n = values.size
    at = (n - 1) * 0.25
    if n == 1:  # numpy takes the last number from both sides, at a weight of 1
        a = b = float(values[0])
        gamma = 1.0
    else:
        below = math.floor(at)
        # numpy's partition (which places equal numbers, 0.0 and -0.0, as these indices have
        # it), in place on a copy (`np.partition`'s wrapper costs more); NaN goes last.
        ordered = values.copy()
        ordered.partition(sorted({0, below, below + 1, n - 1}))
        if math.isnan(ordered[-1]):
            return math.nan
        a, b, gamma = float(ordered[below]), float(ordered[below + 1]), at - below
    step = b - a
    return b - step * (1 - gamma) if gamma >= 0.5 else a + step * gamma


def _phase_after(stroke: Stroke) -> str:
    return "top" if stroke.direction > 0 else "bottom"


def _may_bounce(first: Stroke, second: Stroke) -> bool:
    """A bottom-start rep whose lowering was dropped: the leg may bounce off the bottom."""
    return first.direction > 0 and second.peak_position > SWING_PEAK_POSITION


def _against_turn(stroke: Stroke) -> bool:
    """The stroke moved the sensor clearly the other way from the shin's turn (see
    `RepCounter._lowered_on_the_turn_up`), and turned little enough for its rise to be
    measured well (`dsp.strokes.RISE_UNDER_TURN_DEG`)."""
    if stroke.rise_m is None or stroke.size_deg >= RISE_UNDER_TURN_DEG:
        return False
    against = -stroke.direction * stroke.rise_m
    return against > AGAINST_TURN_M and against > AGAINST_PER_RAD_M * math.radians(stroke.size_deg)


def _rises_back(first: Stroke, second: Stroke) -> bool:
    """A first stroke that moved the sensor further than its turn explains (`Stroke.reach_deg`)
    is followed by one that brings the sensor back a good part of its way (a dead bug's
    return), not by one that turns the shin (legs put down from tabletop, knees drawn up)."""
    if first.reach_deg <= first.size_deg or first.rise_m is None:
        return True
    return second.rise_m is not None and -second.rise_m / first.rise_m >= RISE_BACK_FRACTION


def _ends_near_start(first: Stroke, second: Stroke) -> bool:
    """The second stroke brings the leg back to about where the first took it from."""
    return (
        second.direction != first.direction and abs(second.end_deg - first.start_deg) <= 0.5 * first.size_deg
    )
