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

from dsp.events import Event, Phase, Rep, SetDone, TiltOnset, TiltRecovered
from dsp.lift import AngleTrack
from dsp.reps import LegRep
from dsp.settings import Settings
from dsp.tilt import TiltEpisode, TiltEpisodes, TiltTrack, sign_from_legs

FloatArray = npt.NDArray[np.float64]

WAIT_FOR_OTHER_S = 20.0
"""How far one sensor may lag (a lost sensor) before events stop waiting for it."""
UNDECIDED_S = 30.0
"""After this long with no decision, the pelvis axis is taken as it is."""
SIGN_AT_DEG = 3.0
"""The pelvis's first excursion this large decides which way is anterior."""
KEEP_S = 60.0
"""History kept for joining the sensors: longer than a rep."""


class _Series:
    """A bounded history of one scalar signal on the session timeline."""

    def __init__(self) -> None:
        self.t = np.zeros(0)
        self.x = np.zeros(0)

    def add(self, t: FloatArray, x: FloatArray) -> None:
        if not t.size:
            return
        self.t = np.concatenate((self.t, t))
        self.x = np.concatenate((self.x, x))
        keep = int(np.searchsorted(self.t, self.t[-1] - KEEP_S))
        if keep:
            self.t, self.x = self.t[keep:], self.x[keep:]

    @property
    def until_s(self) -> float:
        return float(self.t[-1]) if self.t.size else -math.inf

    def at(self, time_s: float) -> float | None:
        if not self.t.size or not self.t[0] <= time_s <= self.t[-1]:
            return None
        return float(np.interp(time_s, self.t, self.x))

    def max_between(self, t0: float, t1: float) -> float | None:
        i0, i1 = np.searchsorted(self.t, (t0, t1))
        return float(self.x[i0:i1].max()) if i1 > i0 else None


@dataclass
class _Set:
    index: int
    reps: list[Rep] = field(default_factory=list)
    onsets: list[TiltOnset] = field(default_factory=list)


class Fusion:
    """Joins the legs' reps and the pelvis tilt into numbered reps, tilt events and sets."""

    def __init__(self, settings: Settings, *, legs: list[str], has_pelvis: bool) -> None:
        self.settings = settings
        self.legs = legs
        self.has_pelvis = has_pelvis
        self._angle = {leg: _Series() for leg in legs}
        self._tilt = _Series()
        self._raw_t = np.zeros(0)
        self._raw_x = np.zeros(0)
        self._sign = 0 if legs else 1
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
        events: list[Event] = [e for e in found if isinstance(e, Phase)]
        self._reps += [e for e in found if isinstance(e, LegRep)]
        return events + self._release()

    def add_pelvis(self, track: TiltTrack) -> list[Event]:
        """The pelvis's new tilt (raw sign); returns what can be told now."""
        self._raw_t = np.concatenate((self._raw_t, track.time_s))
        self._raw_x = np.concatenate((self._raw_x, track.tilt_deg))
        return self._release()

    def _decide_sign(self, final: bool) -> int:
        """Which way is anterior (+1: as the pelvis axis, -1: against it, 0: not known yet)."""
        big = np.flatnonzero(np.abs(self._raw_x) >= SIGN_AT_DEG)
        if not big.size:
            return 1 if final else 0
        leg = self._angle[self.legs[0]]
        t = self._raw_t[big]
        known = t <= leg.until_s
        if leg.t.size:
            known &= t >= leg.t[0]
        angles = np.interp(t[known], leg.t, leg.x) if leg.t.size else np.zeros(0)
        for raw, angle in zip(self._raw_x[big][known].tolist(), angles.tolist(), strict=True):
            sign = sign_from_legs(raw, angle)
            if sign:
                return sign
        # Never decided (the pelvis only moved with the legs midway): take it as anterior.
        if final or float(self._raw_t[-1] - t[0]) > UNDECIDED_S:
            return 1
        return 0

    def _signed_tilt(self, final: bool) -> None:
        """Pass on the pelvis samples whose sign is known, and find their episodes."""
        if self._sign == 0:
            self._sign = self._decide_sign(final)
        if self._sign == 0:
            # Before the first big excursion, the tilt is small either way: pass it on as
            # anterior (an upper bound), never enough for an episode.
            big = np.flatnonzero(np.abs(self._raw_x) >= SIGN_AT_DEG)
            n = int(big[0]) if big.size else self._raw_x.size
            t, x = self._raw_t[:n], np.abs(self._raw_x[:n])
        else:
            n = self._raw_x.size
            t, x = self._raw_t, self._sign * self._raw_x
        self._raw_t, self._raw_x = self._raw_t[n:], self._raw_x[n:]
        self._tilt.add(t, x)
        self._onsets += self._episodes.update(t, x)

    def finish(self) -> list[Event]:
        """End of session: tell everything still waiting and close the last set."""
        events = self._release(final=True)
        if self._set is not None:
            events.append(self._close_set(self._watermark()))
        return events

    def _watermark(self) -> float:
        times = [self._angle[leg].until_s for leg in self.legs]
        if self.has_pelvis:
            times.append(self._tilt.until_s)
        return max(times) if times else -math.inf

    def _covered(self, series: _Series, time_s: float, final: bool) -> bool:
        return final or series.until_s >= time_s or self._watermark() - series.until_s > WAIT_FOR_OTHER_S

    def _release(self, *, final: bool = False) -> list[Event]:
        events: list[Event] = []
        if self.has_pelvis:
            self._signed_tilt(final)
        while self._onsets and (
            not self.legs or self._covered(self._angle[self.legs[0]], self._onsets[0].onset_s, final)
        ):
            events += self._tell_tilt(self._onsets.pop(0))
        self._reps.sort(key=lambda r: r.start_s)
        while self._reps and (not self.has_pelvis or self._covered(self._tilt, self._reps[0].end_s, final)):
            events += self._tell_rep(self._reps.pop(0))
        now = self._watermark()
        if self._set is not None and not self._reps and now - self._last_end_s > self.settings.set_rest_s:
            events.append(self._close_set(self._last_end_s + self.settings.set_rest_s))
        return events

    def _leg_angle(self, time_s: float) -> float | None:
        return self._angle[self.legs[0]].at(time_s) if self.legs else None

    def _tell_tilt(self, episode: TiltEpisode) -> list[Event]:
        angle = self._leg_angle(episode.onset_s)
        if episode.end_s is None:
            onset = TiltOnset(episode.known_s, episode.onset_s, episode.threshold_s, episode.tilt_deg, angle)
            if self._set is not None:
                self._set.onsets.append(onset)
            return [onset]
        return [TiltRecovered(episode.known_s, episode.onset_s, episode.end_s, episode.peak_deg, angle)]

    def _tell_rep(self, leg_rep: LegRep) -> list[Event]:
        events: list[Event] = []
        if self._set is not None and leg_rep.start_s - self._last_end_s > self.settings.set_rest_s:
            events.append(self._close_set(self._last_end_s + self.settings.set_rest_s))
        if self._set is None:
            self._set = _Set(self._sets_done)
        tilt = self._tilt.max_between(leg_rep.start_s, leg_rep.end_s) if self.has_pelvis else None
        flags = leg_rep.flags
        if tilt is not None and tilt > self.settings.tilt_threshold_deg:
            flags = (*flags, "tilt")
        up, down = leg_rep.up, leg_rep.down
        rep = Rep(
            time_s=leg_rep.known_s,
            index=self._rep_count,
            set_index=self._set.index,
            leg=leg_rep.leg,
            start_s=up.start_s,
            top_s=up.end_s,
            bottom_s=down.end_s,
            end_s=leg_rep.end_s,
            concentric_s=up.end_s - up.start_s,
            pause_top_s=max(down.start_s - up.end_s, 0.0),
            eccentric_s=down.end_s - down.start_s,
            pause_bottom_s=max(leg_rep.end_s - down.end_s, 0.0),
            rom_deg=leg_rep.rom_deg,
            peak_velocity_dps=max(up.peak_dps, down.peak_dps),
            partial=leg_rep.partial,
            max_anterior_tilt_deg=None if tilt is None else max(tilt, 0.0),
            flags=flags,
        )
        self._rep_count += 1
        self._set.reps.append(rep)
        self._last_end_s = rep.end_s
        return [*events, rep]

    def _close_set(self, time_s: float) -> SetDone:
        assert self._set is not None
        s, self._set = self._set, None
        self._sets_done += 1
        reps = s.reps
        ecc = np.array([r.eccentric_s for r in reps if not r.partial])
        safe: float | None = None
        if self.has_pelvis and self.legs:
            # Where control was lost (the highest of those), or else the lowest point reached.
            onset_angles = [
                o.leg_angle_at_onset_deg for o in s.onsets if o.leg_angle_at_onset_deg is not None
            ]
            safe = max(onset_angles) if onset_angles else min(self._bottom(r) for r in reps)
        return SetDone(
            time_s=time_s,
            index=s.index,
            start_s=reps[0].start_s,
            end_s=reps[-1].end_s,
            rep_count=len(reps),
            full_rep_count=sum(not r.partial for r in reps),
            eccentric_mean_s=float(ecc.mean()) if ecc.size else None,
            eccentric_sd_s=float(ecc.std()) if ecc.size > 1 else None,
            tilt_count=len(s.onsets),
            safe_end_range_deg=safe,
        )

    def _bottom(self, rep: Rep) -> float:
        angle = self._angle[rep.leg].at(rep.bottom_s)
        return angle if angle is not None else 0.0
