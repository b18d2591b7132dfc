"""Where the sensors meet: reps numbered into sets, tilt joined to the legs.

A rep needs the pelvis tilt over its span and a tilt onset needs the leg angle at its
onset; whichever sensor is behind, the event waits for it (up to `WAIT_FOR_OTHER_S`
of the other's lag, after which the value is null). Sets close when the legs have rested
for `set_rest_s` since the last rep ended.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dsp._history import with_room
from dsp._quick import all_of, interp, interp_at
from dsp._tilt_sign import EXCURSION_DEG, LegsAt, PelvisSign, SignedTilt
from dsp.events import Event, Phase, Rep, SetDone, TiltOnset, TiltRecovered
from dsp.lift import AngleTrack
from dsp.reps import LegRep
from dsp.settings import Settings
from dsp.tilt import TiltEpisode, TiltEpisodes, TiltTrack

FloatArray = npt.NDArray[np.float64]

WAIT_FOR_OTHER_S = 40.0
"""How far one sensor may lag (a lost sensor) before events stop waiting for it."""
LEGS_AT_REST_DEG = 2.0
"""Legs within this of their rest angle are at rest (see `_legs_at_rest`): a weak core
loses control as soon as the feet leave the floor, a few degrees up."""
TOGETHER_FRACTION = 0.5
"""Another leg moving through this share of a rep's range while it is made moves with it."""
KEEP_S = 60.0
"""History kept for joining the sensors: longer than a rep."""
MIN_SERIES_ROOM = 1024
"""Samples a history's buffers hold at least (they grow as needed)."""


class _Series:
    """A bounded history of one scalar signal on the session timeline.

    `t` and `x` are views of the last `keep_s` in buffers with room to append: a live
    session adds a few samples at a time, and copying the whole history for each would
    cost more than the rest of the addition.
    """

    def __init__(self, keep_s: float = KEEP_S) -> None:
        self.keep_s = keep_s
        self._t = np.zeros(0)
        self._x = np.zeros(0)
        self._start = 0
        self._end = 0
        self.until_s = -math.inf
        self.first_s = math.inf  # the time of the first sample kept (inf when none is)

    @property
    def t(self) -> FloatArray:
        return self._t[self._start : self._end]

    @property
    def x(self) -> FloatArray:
        return self._x[self._start : self._end]

    def head(self, n: int) -> tuple[FloatArray, FloatArray]:
        """The oldest `n` samples' times and values (views, which stay valid)."""
        return self._t[self._start : self._start + n], self._x[self._start : self._start + n]

    def add(self, t: FloatArray, x: FloatArray) -> None:
        n = t.shape[0]
        if not n:
            return
        end = self._end + n
        if end > self._t.shape[0]:
            # New buffers (never written over: views handed out stay valid), twice what is kept.
            kept = self._end - self._start
            size = max(2 * (kept + n), MIN_SERIES_ROOM)
            self._t = with_room(self.t, size)
            self._x = with_room(self.x, size)
            self._start, self._end, end = 0, kept, kept + n
        if self._start == self._end:
            self.first_s = float(t[0])
        self._t[self._end : end] = t
        self._x[self._end : end] = x
        self._end = end
        self.until_s = float(t[-1])
        if self.first_s < self.until_s - self.keep_s:  # else nothing is old enough
            self._start += int(self._t[self._start : end].searchsorted(self.until_s - self.keep_s))
            self.first_s = float(self._t[self._start])

    def __len__(self) -> int:
        return self._end - self._start

    def drop(self, n: int) -> None:
        """Forget the oldest `n` samples."""
        self._start += n
        self.first_s = float(self._t[self._start]) if self._start < self._end else math.inf

    def at(self, time_s: float) -> float | None:
        t = self.t
        if not t.size or not t[0] <= time_s <= t[-1]:
            return None
        return interp(time_s, t, self.x)

    def max_between(self, t0: float, t1: float) -> float | None:
        i0, i1 = np.searchsorted(self.t, (t0, t1))
        return float(self.x[i0:i1].max()) if i1 > i0 else None

    def min_between(self, t0: float, t1: float) -> float | None:
        i0, i1 = np.searchsorted(self.t, (t0, t1))
        return float(self.x[i0:i1].min()) if i1 > i0 else None


class _Growing:
    """A whole signal, kept in chunks (for analysis and benchmarks, not live sessions)."""

    def __init__(self) -> None:
        self._t: list[FloatArray] = []
        self._x: list[FloatArray] = []

    def add(self, t: FloatArray, x: FloatArray) -> None:
        self._t.append(t)
        self._x.append(x)

    def arrays(self) -> tuple[FloatArray, FloatArray]:
        if not self._t:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self._t), np.concatenate(self._x)


@dataclass
class _Set:
    index: int
    reps: list[Rep] = field(default_factory=list)
    bottoms_deg: list[float] = field(default_factory=list)
    legs: set[str] = field(default_factory=set)
    together: bool = False  # two legs' reps came at once: the legs do not take turns


class Fusion:
    """Joins the legs' reps and the pelvis tilt into numbered reps, tilt events and sets."""

    def __init__(
        self, settings: Settings, *, legs: list[str], has_pelvis: bool, keep_series: bool = False
    ) -> None:
        self.settings = settings
        self.series: _Growing | None = _Growing() if keep_series else None
        self.legs = legs
        self.has_pelvis = has_pelvis
        self._angle = {leg: _Series() for leg in legs}
        self._ignored_onsets: set[float] = set()
        self._told_onsets: list[TiltOnset] = []  # since the last set closed
        self._tilt = _Series()
        # The tilt of the samples whose sign was known: the others' is a guess (see
        # `dsp._tilt_sign.SignedTilt`), which says nothing of a curl.
        self._signed = _Series()
        self._raw = _Series(math.inf)  # the pelvis's samples not yet signed
        self._rate = {leg: _Series() for leg in legs}
        self._pelvis_sign = PelvisSign()
        self._first_s = math.inf  # the first sample of any sensor
        self._pelvis_seen_s = -math.inf
        self._episodes = TiltEpisodes(settings.tilt_threshold_deg)
        self._reps: list[LegRep] = []
        self._onsets: list[TiltEpisode] = []
        self._rep_count = 0
        self._set: _Set | None = None
        self._sets_done = 0
        self._last_end_s = -math.inf

    def add_leg(self, leg: str, track: AngleTrack | None, found: list[LegRep | Phase]) -> list[Event]:
        """A leg's new angles and what its counter found; returns what can be told now."""
        if track is not None:
            self._angle[leg].add(track.time_s, track.angle_deg)
            if len(track):
                self._first_s = min(self._first_s, float(track.time_s[0]))
            self._rate[leg].add(track.time_s - track.velocity_delay_s, track.velocity_dps)
        events: list[Event] = [e for e in found if isinstance(e, Phase)]
        self._reps += [e for e in found if isinstance(e, LegRep)]
        return events + self._release()

    def add_pelvis(self, track: TiltTrack) -> list[Event]:
        """The pelvis's new tilt (raw sign); returns what can be told now."""
        if len(track):
            self._first_s = min(self._first_s, float(track.time_s[0]))
            self._pelvis_seen_s = float(track.time_s[-1])
        self._raw.add(track.time_s, track.tilt_deg)
        return self._release()

    def _legs_at(self, t: FloatArray) -> LegsAt:
        """Every leg's rate at times t, and its angle series (looked up where it is read)."""
        rates, angles = [], []
        for leg in self.legs:
            angle, speed = self._angle[leg], self._rate[leg]
            # Views, which stay valid: the buffers are never written over.
            angles.append((angle.t, angle.x) if len(angle) else None)
            rates.append(interp_at(t, speed.t, speed.x) if len(speed) else np.zeros(t.shape[0]))
        return LegsAt(t, _rows(rates), angles)

    def _signed_tilt(self, final: bool) -> None:
        """Pass on the pelvis samples whose sign is known, and find their episodes."""
        waiting = self._raw
        if not len(waiting) and not final:
            return  # nothing to sign
        leg = self._angle[self.legs[0]] if self.legs else None
        if leg is None or final or waiting.until_s <= leg.until_s or self._lost(self.legs[0]):
            covered = len(waiting)
        elif leg.until_s < waiting.first_s:
            covered = 0
        else:
            covered = int(waiting.t.searchsorted(leg.until_s, side="right"))
        if not covered and not final:
            return  # nothing new the legs have covered (most calls of a live session)
        # Views, which stay valid: the buffers are never written over.
        t, raw = waiting.head(covered)
        waiting.drop(covered)
        if self.legs:
            out = np.abs(raw) >= EXCURSION_DEG
            signed = self._pelvis_sign.update(t, raw, self._legs_at(t), out)
        else:
            signed = SignedTilt.known(t, raw)
        if final:
            signed = signed.then(self._pelvis_sign.flush(self._watermark()))
        self._tilt.add(signed.time_s, signed.tilt_deg)
        if all_of(signed.sign_known):  # the usual case: no copies
            self._signed.add(signed.time_s, signed.tilt_deg)
        else:
            self._signed.add(signed.time_s[signed.sign_known], signed.tilt_deg[signed.sign_known])
        if self.series is not None:
            self.series.add(signed.time_s, signed.tilt_deg)
        self._onsets += self._episodes.update(signed.time_s, signed.tilt_deg, signed.told_s)

    def finish(self) -> list[Event]:
        """End of session: tell everything still waiting and close the last set."""
        events = self._release(final=True)
        if self._set is not None:
            events.append(self._close_set(self._watermark()))
        return events

    def _arrived_s(self, sensor: str) -> float:
        """Up to when a sensor's samples have come (the pelvis's, signed or not yet)."""
        if sensor == "pelvis":
            raw = self._raw.until_s if len(self._raw) else -math.inf
            return max(self._tilt.until_s, raw, self._pelvis_seen_s)
        return self._angle[sensor].until_s

    def _watermark(self) -> float:
        now = self._arrived_s("pelvis") if self.has_pelvis else -math.inf
        for leg in self.legs:
            now = max(now, self._angle[leg].until_s)
        return now

    def _lost(self, sensor: str) -> bool:
        """A sensor that lags the others by more than WAIT_FOR_OTHER_S (counted from the first
        sample of any sensor if it has sent none)."""
        arrived = self._arrived_s(sensor)
        since = arrived if math.isfinite(arrived) else self._first_s
        return self._watermark() - since > WAIT_FOR_OTHER_S

    def _covered(self, series: _Series, sensor: str, time_s: float, final: bool) -> bool:
        return final or series.until_s >= time_s or self._lost(sensor)

    def _release(self, *, final: bool = False) -> list[Event]:
        events: list[Event] = []
        if self.has_pelvis:
            self._signed_tilt(final)
        while self._onsets and all(
            self._covered(self._angle[leg], leg, self._onsets[0].onset_s, final) for leg in self.legs
        ):
            events += self._tell_tilt(self._onsets.pop(0))
        if len(self._reps) > 1:
            self._reps.sort(key=lambda r: r.start_s)
        while self._reps and self._can_tell(self._reps[0], final):
            events += self._tell_rep(self._reps.pop(0))
        if (
            self._set is not None
            and not self._reps
            and self._watermark() - self._last_end_s > self.settings.set_rest_s
        ):
            events.append(self._close_set(self._last_end_s + self.settings.set_rest_s))
        return events

    def _can_tell(self, rep: LegRep, final: bool) -> bool:
        """The pelvis has covered the rep, and every other leg its movement."""
        if self.has_pelvis and not self._covered(self._tilt, "pelvis", rep.end_s, final):
            return False
        moved_s = max(rep.top_s, rep.bottom_s)
        return all(
            self._covered(self._angle[leg], leg, moved_s, final) for leg in self.legs if leg != rep.leg
        )

    def _moved_together(self, rep: LegRep) -> bool:
        """Another leg went through a good part of the rep's range during each of its two
        strokes (not merely during its pause, when a leg that takes turns moves)."""
        if rep.top_s > rep.bottom_s:  # lowered first (a top start)
            strokes = ((rep.start_s, rep.bottom_s), (rep.bottom_s + rep.pause_bottom_s, rep.top_s))
        else:
            strokes = ((rep.start_s, rep.top_s), (rep.top_s + rep.pause_top_s, rep.bottom_s))
        for leg in self.legs:
            if leg == rep.leg:
                continue
            series = self._angle[leg]
            ranges = []
            for t0, t1 in strokes:
                i0, i1 = np.searchsorted(series.t, (t0, t1))
                ranges.append(float(np.ptp(series.x[i0:i1])) if i1 > i0 else 0.0)
            if min(ranges) >= TOGETHER_FRACTION * rep.rom_deg:
                return True
        return False

    def _leg_angle(self, time_s: float) -> float | None:
        """The working leg's angle at `time_s`: with a sensor on each leg, the one that moved
        most over the second before (the other waits, held still)."""
        best: tuple[float, float] | None = None
        for leg in self.legs:
            now, before = self._angle[leg].at(time_s), self._angle[leg].at(time_s - 1.0)
            if now is None:
                continue
            moved = abs(now - before) if before is not None else 0.0
            if best is None or moved > best[0]:
                best = (moved, now)
        return None if best is None else best[1]

    def _legs_at_rest(self, time_s: float) -> bool:
        """Every leg lies at rest (flat, not held up): the pelvis moving then is the athlete
        sitting up or shifting, not a core losing control of the legs."""
        seen = False
        for leg in self.legs:
            angle = self._angle[leg].at(time_s)
            if angle is None:
                continue
            seen = True
            if abs(angle) >= LEGS_AT_REST_DEG:
                return False
        return seen

    def _tell_tilt(self, episode: TiltEpisode) -> list[Event]:
        if episode.onset_s in self._ignored_onsets:
            if episode.end_s is not None:
                self._ignored_onsets.discard(episode.onset_s)
            return []
        if (
            episode.end_s is None
            and self._legs_at_rest(episode.onset_s)
            and self._legs_at_rest(episode.threshold_s)
        ):
            self._ignored_onsets.add(episode.onset_s)
            return []
        angle = self._leg_angle(episode.onset_s)
        if episode.end_s is None:
            onset = TiltOnset(episode.known_s, episode.onset_s, episode.threshold_s, episode.tilt_deg, angle)
            self._told_onsets.append(onset)
            return [onset]
        return [TiltRecovered(episode.known_s, episode.onset_s, episode.end_s, episode.peak_deg, angle)]

    def _tell_rep(self, leg_rep: LegRep) -> list[Event]:
        events: list[Event] = []
        if self._set is not None and leg_rep.start_s - self._last_end_s > self.settings.set_rest_s:
            events.append(self._close_set(self._last_end_s + self.settings.set_rest_s))
        if self._set is None:
            self._set = _Set(self._sets_done)
        if self._moved_together(leg_rep):
            if len(self._set.legs) > 1 and not self._set.together:
                # The legs have taken turns in this set (heel taps, dead bug): both legs at
                # once is the athlete putting them down or shifting, not a rep.
                return events
            self._set.together = True
        self._set.legs.add(leg_rep.leg)
        # The pause before the rep, since the set's last rep of either leg (the pause after
        # a rep is only known when the next starts): at the bottom for a rep that starts
        # there, at the top for one that starts at the top.
        before_s = max(leg_rep.start_s - self._last_end_s, 0.0) if self._set.reps else 0.0
        raised_first = leg_rep.top_s <= leg_rep.bottom_s
        tilt = self._tilt.max_between(leg_rep.start_s, leg_rep.end_s) if self.has_pelvis else None
        signed = self._signed.min_between(leg_rep.start_s, leg_rep.end_s) if self.has_pelvis else None
        flags = leg_rep.flags
        if tilt is not None and tilt > self.settings.tilt_threshold_deg:
            flags = (*flags, "tilt")
        rep = Rep(
            time_s=leg_rep.known_s,
            index=self._rep_count,
            set_index=self._set.index,
            leg=leg_rep.leg,
            start_s=leg_rep.start_s,
            top_s=leg_rep.top_s,
            bottom_s=leg_rep.bottom_s,
            end_s=leg_rep.end_s,
            concentric_s=leg_rep.concentric_s,
            pause_top_s=leg_rep.pause_top_s if raised_first else before_s,
            eccentric_s=leg_rep.eccentric_s,
            pause_bottom_s=before_s if raised_first else leg_rep.pause_bottom_s,
            rom_deg=leg_rep.rom_deg,
            peak_velocity_dps=leg_rep.peak_velocity_dps,
            partial=leg_rep.partial,
            max_anterior_tilt_deg=None if tilt is None else max(tilt, 0.0),
            flags=flags,
            max_posterior_tilt_deg=None if signed is None else max(-signed, 0.0),
        )
        self._rep_count += 1
        self._set.reps.append(rep)
        self._set.bottoms_deg.append(leg_rep.bottom_deg)
        self._last_end_s = rep.end_s
        return [*events, rep]

    def _close_set(self, time_s: float) -> SetDone:
        assert self._set is not None
        s, self._set = self._set, None
        self._sets_done += 1
        reps = s.reps
        # The set's episodes by their time, however the sensors' blocks were cut.
        onsets = [o for o in self._told_onsets if reps[0].start_s <= o.onset_s <= reps[-1].end_s]
        self._told_onsets = [o for o in self._told_onsets if o.onset_s > reps[-1].end_s]
        ecc = np.array([r.eccentric_s for r in reps if not r.partial])
        safe: float | None = None
        if self.has_pelvis and self.legs:
            # Where control was lost (the highest of those), or else the lowest point reached.
            onset_angles = [o.leg_angle_at_onset_deg for o in onsets if o.leg_angle_at_onset_deg is not None]
            safe = max(onset_angles) if onset_angles else min(s.bottoms_deg)
        return SetDone(
            time_s=time_s,
            index=s.index,
            start_s=reps[0].start_s,
            end_s=reps[-1].end_s,
            rep_count=len(reps),
            full_rep_count=sum(not r.partial for r in reps),
            eccentric_mean_s=float(ecc.mean()) if ecc.size else None,
            eccentric_sd_s=float(ecc.std()) if ecc.size > 1 else None,
            tilt_count=len(onsets),
            safe_end_range_deg=safe,
        )


def _rows(rows: list[FloatArray]) -> FloatArray:
    """One row per array (the legs at the pelvis's times)."""
    return rows[0].reshape(1, -1) if len(rows) == 1 else np.stack(rows)
