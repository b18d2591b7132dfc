"""Which way is anterior: the sign of the pelvis's tilt, decided from the legs.

The pelvis sensor alone cannot tell anterior from posterior (its axis has no preferred
way); the legs can. Evidence for one sign or the other is summed over the whole session,
and the sign is the one the sum favours once it is clear (`DECIDE_EVIDENCE`): a sign
decided on early, weak evidence turns over when later evidence outweighs it, and a sign
backed by many reps cannot be turned over by a few odd ones.

Evidence comes from three observations (units deg^2/s, as the first):

- Rates: the legs' weight pulls the pelvis forwards as they go down, and the pelvis curls
  backwards as they come up (reverse crunch, hanging leg raise), so the anterior rate
  times the legs' lift rate is negative. Counted only while every leg moves, the same way
  (a leg that waits while the other works says nothing), and only while they are low
  (`EVIDENCE_MAX_DEG`): hanging, high legs pull hardest, and anterior tilt then grows as
  they rise; low, the pelvis's motion is the curl starting.
- Turns: with the legs taking turns (dead bug, heel taps), one moving while the others are
  held, there is no curl: an excursion of the pelvis is anterior (`TURNS_VOTE`).
- Low legs: an excursion while the legs are low and not rising (long legs held near the
  floor) is anterior (`LOW_LEGS_VOTE`).

Until the sign is known the tilt passes on as its magnitude while it is small; from its
first excursion beyond `EXCURSION_DEG` the samples wait for the decision (for at most
`HOLD_S`, after which they pass on as posterior: an excursion the legs cannot explain is
not reported as anterior tilt). Everything is decided sample by sample with the state
carried, so the same samples give the same signs however they are split into blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp._geometry import differences
from dsp._quick import any_of, interp, interp_at

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

EVIDENCE_LEG_DPS = 10.0
"""Only legs moving faster than this give rate evidence, deg/s."""
EVIDENCE_MAX_DEG = 25.0
"""Only legs lower than this give rate evidence, degrees of lift."""
PELVIS_JUMP_DPS = 100.0
"""A pelvis turning faster than this has jumped (its axis was just found, or the
accelerometer that leads its angle was jolted): no evidence from that step."""
DECIDE_EVIDENCE = 30.0
"""Summed evidence that decides the sign (either way), deg^2/s."""
EXCURSION_DEG = 3.0
"""A pelvis this far from its baseline has made an excursion that needs a sign, degrees."""
TURNS_WINDOW_S = 3.0
"""How far back the legs' movement is looked at to tell whether they take turns, s."""
TURNS_MOVED_DEG = 2.5
"""The working leg moved at least this much over the window, degrees..."""
TURNS_OTHERS_FRACTION = 0.5
"""...and every other leg less than this fraction of it."""
TURNS_VOTE = 100.0
"""Evidence of one excursion while the legs take turns."""
LOW_LEGS_DEG = 50.0
"""Legs lower than this (and off the floor) pull the pelvis forwards, degrees of lift."""
LEGS_OFF_FLOOR_DEG = 2.0
"""Legs within this of their rest lie on the floor: the pelvis moving then is the athlete
sitting up or shifting, which says nothing about the sign."""
LOW_LEGS_VOTE = 100.0
"""Evidence of one excursion with the legs low and not rising."""
LEGS_RISING_DPS = 5.0
"""Legs rising faster than this are setting off on a raise, with which a curl starts
(reverse crunch: the shin leaves tabletop at 6 to 10 deg/s as the pelvis passes 3
degrees); slower, they are settling into position (a few deg/s), deg/s."""
HOLD_S = 5.0
"""Longest an excursion waits for the sign, s."""
SPARSE_LOOKUP_MIN = 256
"""Blocks of at least this many pelvis samples look the legs' angle up only where it is read
(a lookup costs tens of nanoseconds a sample; picking the samples out, a few microseconds
a block: a live block's few samples are looked up whole)."""


class LegsAt:
    """The legs beside a block of pelvis samples: their lift rate at each sample (one row per
    leg, one column per sample), and their lift angle looked up only where it is read (where
    they move fast, where an excursion starts): most samples' never is.

    Args:
        time_s: the pelvis's sample times.
        rate_dps: each leg's lift rate at them.
        angles: each leg's lift angle series (times, degrees), None for a leg that has sent
            none (its angle is taken as 0).
    """

    def __init__(
        self, time_s: FloatArray, rate_dps: FloatArray, angles: list[tuple[FloatArray, FloatArray] | None]
    ) -> None:
        self.time_s = time_s
        self.rate_dps = rate_dps
        self.angles = angles

    def angle_deg(self, columns: IntArray | None = None) -> FloatArray:
        """The legs' lift angle at these samples (all, by default): one row per leg."""
        t = self.time_s if columns is None else self.time_s[columns]
        rows = [np.zeros(t.shape[0]) if a is None else interp_at(t, a[0], a[1]) for a in self.angles]
        return rows[0].reshape(1, -1) if len(rows) == 1 else np.stack(rows)

    def position(self, k: int) -> tuple[FloatArray, FloatArray]:
        """Each leg's lift angle at sample k, and how far it moved over the `TURNS_WINDOW_S`
        before (its angle then minus its angle `TURNS_WINDOW_S` earlier)."""
        t = float(self.time_s[k])
        now = [0.0 if a is None else interp(t, a[0], a[1]) for a in self.angles]
        before = [0.0 if a is None else interp(t - TURNS_WINDOW_S, a[0], a[1]) for a in self.angles]
        angle = np.array(now)
        # A leg with no angle series has not moved (0.0, as 0.0 - 0.0 is).
        return angle, angle - np.array(before)


@dataclass(frozen=True)
class SignedTilt:
    """Pelvis samples passed on: tilt anterior positive, when each was told (later than the
    sample when it waited for the sign), and whether its sign was known (else the tilt is
    a guess: its size while small, minus its size after waiting in vain)."""

    time_s: FloatArray
    tilt_deg: FloatArray
    told_s: FloatArray
    sign_known: BoolArray

    @staticmethod
    def known(time_s: FloatArray, tilt_deg: FloatArray) -> SignedTilt:
        """Samples told at once with their sign known."""
        known = np.empty(time_s.size, dtype=bool)
        known.fill(True)  # cheaper than np.ones on the few samples of a live call
        return SignedTilt(time_s, tilt_deg, time_s, known)

    def then(self, later: SignedTilt) -> SignedTilt:
        """These samples followed by `later`'s."""
        return SignedTilt(
            np.concatenate((self.time_s, later.time_s)),
            np.concatenate((self.tilt_deg, later.tilt_deg)),
            np.concatenate((self.told_s, later.told_s)),
            np.concatenate((self.sign_known, later.sign_known)),
        )


class PelvisSign:
    """Raw pelvis tilt (and the legs beside it) in, tilt anterior positive out."""

    def __init__(self) -> None:
        self.evidence = 0.0
        self.sign = 0
        self._last_raw: float | None = None
        self._last_time_s = -np.inf
        self._was_out = False
        self._held_t: list[FloatArray] = []
        self._held_x: list[FloatArray] = []
        self._hold_start_s: float | None = None
        self._true = np.ones(64, dtype=bool)

    def update(
        self, time_s: FloatArray, raw_deg: FloatArray, legs: LegsAt, out: BoolArray | None = None
    ) -> SignedTilt:
        """Sign these samples (legs given at their times) and return those that can be told;
        `out`, where the raw tilt is `EXCURSION_DEG` or more from its baseline, if known."""
        n = time_s.size
        if not n:
            return _empty()
        if out is None:
            out = np.abs(raw_deg) >= EXCURSION_DEG
        steps = self._rate_evidence(time_s, raw_deg, legs) + self._votes(raw_deg, out, legs)
        if isinstance(steps, float):
            # No evidence in the block (the legs still or apart, no excursion starting): the
            # sum stays as it is (adding zeros changes no sum).
            if self.sign and self._hold_start_s is None and self.sign * self.evidence < DECIDE_EVIDENCE:
                return self._known(time_s, raw_deg)  # known all along
            evidence = np.full(n, self.evidence)
        else:
            summed = steps.cumsum()
            if self.sign and self._hold_start_s is None:
                # The block's largest sign * evidence, evidence being self.evidence + summed
                # (adding a number keeps the order: the same float as the array's maximum).
                extreme = float(summed.max()) if self.sign > 0 else float(summed.min())
                if self.sign * (self.evidence + extreme) < DECIDE_EVIDENCE:
                    self.evidence += float(summed[-1])
                    return self._known(time_s, raw_deg)  # nothing turns it over
            evidence = self.evidence + summed
        self.evidence = float(evidence[-1])
        if self.sign and self._hold_start_s is None and float((self.sign * evidence).max()) < DECIDE_EVIDENCE:
            return SignedTilt.known(time_s, float(self.sign) * raw_deg)  # nothing turns it over
        signs = _hysteresis(evidence, self.sign)
        self.sign = int(signs[-1])
        if self._hold_start_s is None and signs[0] != 0 and (signs == signs[0]).all():
            return SignedTilt.known(time_s, signs[0] * raw_deg)  # the usual case: known all along
        out_t: list[FloatArray] = [np.zeros(0)]
        out_x: list[FloatArray] = [np.zeros(0)]
        out_told: list[FloatArray] = [np.zeros(0)]
        out_known: list[BoolArray] = [np.zeros(0, dtype=bool)]
        i = 0
        while i < n:
            if self._hold_start_s is None:
                waits = np.flatnonzero((signs[i:] == 0) & (np.abs(raw_deg[i:]) >= EXCURSION_DEG))
                j = i + int(waits[0]) if waits.size else n
                s = signs[i:j]
                out_t.append(time_s[i:j])
                out_x.append(np.where(s != 0, s * raw_deg[i:j], np.abs(raw_deg[i:j])))
                out_told.append(time_s[i:j])
                out_known.append(s != 0)
                if j < n:
                    self._hold_start_s = float(time_s[j])
                i = j
                continue
            decided = np.flatnonzero(signs[i:] != 0)
            late = np.flatnonzero(time_s[i:] >= self._hold_start_s + HOLD_S)
            j = i + int(decided[0]) if decided.size else n
            k = i + int(late[0]) if late.size else n
            if j == n and k == n:
                self._held_t.append(time_s[i:])
                self._held_x.append(raw_deg[i:])
                break
            stop = min(j, k)
            held_t = np.concatenate([*self._held_t, time_s[i:stop]])
            held_x = np.concatenate([*self._held_x, raw_deg[i:stop]])
            self._held_t, self._held_x = [], []
            out_t.append(held_t)
            out_x.append(signs[j] * held_x if j <= k else -np.abs(held_x))
            out_told.append(np.maximum(held_t, time_s[stop]))
            out_known.append(np.full(held_t.size, j <= k))
            self._hold_start_s = None if j <= k else float(time_s[k])
            i = stop
        return SignedTilt(
            np.concatenate(out_t), np.concatenate(out_x), np.concatenate(out_told), np.concatenate(out_known)
        )

    def _known(self, time_s: FloatArray, raw_deg: FloatArray) -> SignedTilt:
        """Samples told at once with the sign as it stands (known)."""
        n = time_s.shape[0]
        if n > self._true.shape[0]:
            self._true = np.ones(2 * n, dtype=bool)  # never written over: slices handed out stay valid
        # 1.0 * x is x: the samples themselves (views of the caller's, as the times are).
        tilt_deg = raw_deg if self.sign > 0 else float(self.sign) * raw_deg
        return SignedTilt(time_s, tilt_deg, time_s, self._true[:n])

    def flush(self, now_s: float) -> SignedTilt:
        """The samples still waiting (the session ends), with the sign as it stands."""
        if not self._held_t:
            return _empty()
        t, x = np.concatenate(self._held_t), np.concatenate(self._held_x)
        self._held_t, self._held_x = [], []
        self._hold_start_s = None
        signed = self.sign * x if self.sign else -np.abs(x)
        return SignedTilt(t, signed, np.maximum(t, now_s), np.full(t.size, self.sign != 0))

    def _rate_evidence(self, time_s: FloatArray, raw_deg: FloatArray, legs: LegsAt) -> FloatArray | float:
        """Raw tilt rate times the legs' rate where they all move the same way, low (0.0 for
        all of the block when no leg does)."""
        previous = float(raw_deg[0]) if self._last_raw is None else self._last_raw
        self._last_raw = float(raw_deg[-1])
        last_time_s, self._last_time_s = self._last_time_s, float(time_s[-1])
        rate = legs.rate_dps
        fast = np.abs(rate) >= EVIDENCE_LEG_DPS
        if not any_of(fast):  # most blocks: the legs held or slow (their angle not looked at)
            return 0.0
        any_fast: BoolArray = fast[0, :] if rate.shape[0] == 1 else np.logical_or.reduce(fast, axis=0)
        columns = any_fast.nonzero()[0]
        if columns.size == any_fast.size or any_fast.size < SPARSE_LOOKUP_MIN:
            moving = fast & (legs.angle_deg() <= EVIDENCE_MAX_DEG)
        else:  # the same, the angle looked up only where a leg is fast
            moving = np.zeros_like(fast)
            moving[:, columns] = fast[:, columns] & (legs.angle_deg(columns) <= EVIDENCE_MAX_DEG)
        if not any_of(moving):
            return 0.0
        step = differences(raw_deg, previous)
        dt = differences(time_s, last_time_s)  # finite, or inf after the first sample
        jumped = np.abs(step) > PELVIS_JUMP_DPS * dt
        if rate.shape[0] == 1:
            legs_dps = np.where(moving[0], rate[0], 0.0)
        else:
            together = moving.all(axis=0) & ((rate > 0).all(axis=0) | (rate < 0).all(axis=0))
            legs_dps = np.where(together, rate.mean(axis=0), 0.0)
        # The sign is minus the sum's: anterior rate times leg rate is negative.
        evidence = step * legs_dps
        evidence[jumped] = 0.0
        return evidence

    def _votes(self, raw_deg: FloatArray, out: BoolArray, legs: LegsAt) -> FloatArray | float:
        """Evidence at the first sample of each excursion (see the module; `out`, the samples
        out on one); 0.0 for all of the block when none starts in it."""
        was_out, self._was_out = self._was_out, bool(out[-1])
        if not any_of(out):
            return 0.0
        before = np.concatenate(([was_out], out[:-1]))
        votes = np.zeros(raw_deg.size)
        for k in (out & ~before).nonzero()[0].tolist():
            anterior = _anterior_by_position(*legs.position(k), legs.rate_dps[:, k])
            if anterior:
                votes[k] = -anterior * float(np.sign(raw_deg[k]))
        return votes


def _anterior_by_position(angle_deg: FloatArray, moved_deg: FloatArray, rate_dps: FloatArray) -> float:
    """Evidence weight that an excursion starting now is anterior (0 when the legs cannot tell)."""
    moved = np.abs(moved_deg)
    if moved.size > 1:
        w = int(np.argmax(moved))
        others = np.delete(moved, w)
        if moved[w] >= TURNS_MOVED_DEG and float(others.max()) < TURNS_OTHERS_FRACTION * moved[w]:
            return TURNS_VOTE
    low = (angle_deg >= LEGS_OFF_FLOOR_DEG) & (angle_deg <= LOW_LEGS_DEG)
    if low.all() and (rate_dps < LEGS_RISING_DPS).all():
        return LOW_LEGS_VOTE
    return 0.0


def _hysteresis(evidence: FloatArray, sign: int) -> FloatArray:
    """Sign per sample: minus the evidence's once it passes DECIDE_EVIDENCE, else as before."""
    if sign and float((sign * evidence).max()) < DECIDE_EVIDENCE:
        return np.full(evidence.size, float(sign))  # nothing turns it over
    clear = np.abs(evidence) >= DECIDE_EVIDENCE
    idx = np.where(clear, np.arange(evidence.size), -1)
    last = np.maximum.accumulate(idx)
    decided = -np.sign(evidence[np.maximum(last, 0)])
    return np.where(last >= 0, decided, float(sign))


def _empty() -> SignedTilt:
    return SignedTilt.known(np.zeros(0), np.zeros(0))
