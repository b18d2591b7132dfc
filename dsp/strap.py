"""A shin strap turned between sets: the lift axis is learnt again from the motion after it.

A lift axis (the hip's and knee's, across the body) is level whatever the exercise: lying,
sitting or hanging. So is the one `dsp.lift` learnt, at every still second, until the
sensor sits differently on the shin. A still second (`StillSeconds`) with the axis over
`OFF_LEVEL_DEG` out of the horizontal, or with the leg over `TURNED_OVER_DEG` from its rest
(a sensor turned over keeps the axis's line), does not fit it: a turned strap, or a leg
lying on its side a moment.

From there the samples are held, and the movements that follow judge. Each bout (the gyro
over `BOUT_RPS` until under it for `BOUT_END_S`) of `MIN_BOUT_DEG` or more turns about its
principal axis. Only a bout whose centre of rotation is a joint (`dsp.lift`'s
`MIN_RADIUS_M` to `MAX_RADIUS_M` from the sensor) counts: rolling the leg about its own
length, or turning the strap round it, turns the sensor about itself. Two such bouts in a
row about one line, and two votes in a row on which way is up (raising moves the sensor up)
from bouts that start at the still second's pose, give the axis the leg now works about:
- within `KEPT_AXIS_DEG` of the old one (the leg rolled back and went on): nothing changes;
- otherwise, if level at the still second, it is the new lift axis, with that still second
  as the new rest (zero angle): the held samples and all after go through it, and a
  `Calibrated` event (`lift_axis`) marks it.
A still second that fits the old axis before any joint bout off it (the leg rolled back)
releases the held samples through the old axis, as if nothing had happened. So does
`MAX_HOLD_S` without a decision, up to the last still second that did not fit, which the
judging starts again from. Either way the axis changes at a still second, never mid-rep, and
no sample is lost: the reps after a turned strap come once the first of them has told the
new axis. A session whose strap stays put never has a sample held.

A turn that leaves the old axis level (round a shin that hangs or stands vertical at rest,
or on the skin about the vertical) fits every still second: it shows only in the movements
(`_OffAxisBouts`). Two joint bouts in a row about one level line off the axis, the second
ending with the leg back at its rest's pose, give the new axis, with the old rest as its
zero (such a turn leaves gravity where it was at rest) and its sign from the way the leg
rose. Nothing is held there: the reps before it are measured about the old axis.

The sign is checked there too: a bout about the axis's line that starts at the rest's pose
and turns the shin `MIN_SIGN_TURN_DEG` or more about a centre `SIGN_RADIUS_M` from the
sensor (the hip; not a hanging leg) moves the sensor up as the shin turns up. After two such
bouts in a row the other way, the next still second at the rest's pose turns the axis round,
about the same rest: a sign learnt from motions that do not tell it (a dead bug's, whose shin
turns up as the leg goes down) is put right by the next set's reps, for the sets after it
(not mid-set: the reps of a set keep the way up they started with).

Per sample, with the state carried between blocks: the same samples give the same tracks
whatever the blocks.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp._geometry import (
    Offset,
    SignedAngle,
    principal_axis,
    row_norms,
    squared_at_most,
    squared_norms,
    surely_within,
)
from dsp._quick import all_of, any_of
from dsp._rest import RestReference
from dsp._samples import SensorSamples
from dsp._still_seconds import StillSeconds
from dsp.events import Calibrated
from dsp.lift import (
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    MIN_RISE_M,
    MIN_SIGN_TURN_DEG,
    AngleTrack,
    AxisAngle,
    LiftAngle,
    _centre_to_sensor,
)

FloatArray = npt.NDArray[np.float64]

OFF_LEVEL_DEG = 35.0
"""A still leg whose lift axis is further than this out of the horizontal does not fit it
(the real sessions stay within 18 degrees: a prone leg rests a little rolled)."""
TURNED_OVER_DEG = 135.0
"""...nor one this far from its rest about it (no shin turns further than knees to chest)."""
BOUT_RPS = 0.15
"""A bout of movement turns the sensor faster than this (8.6 deg/s: an 8 s lowering peaks at 20)..."""
BOUT_END_S = 0.3
"""...and ends once it has turned slower than that for this long."""
MIN_BOUT_DEG = 20.0
"""Smaller bouts (a twitch, a fidget) are not judged."""
SAME_AXIS_DEG = 20.0
"""Two bouts whose signed axes lie within this of each other turn the leg about one axis."""
KEPT_AXIS_DEG = 35.0
"""An axis found within this of the old one is the old one (a leg lifted well inside its
plane stays within 10 to 15 degrees of it)."""
MAX_HOLD_S = 30.0
"""Samples are held at most this long for a decision: events wait for them, and the fusion
takes a leg that lags 40 s for lost."""
REST_POSE_DEG = 20.0
"""A leg within this of a rest's pose (its gravity) is at that rest: a bout that starts
there tells which way is up (its turn is measured from there)."""
HANGING_COS = 0.8
"""A sensor this far below its centre of rotation (cosine from straight below) hangs:
both ways raise it, and the bout's first movement is taken as the raise."""
SIGN_RADIUS_M = (0.3, 1.0)
"""A bout that checks the sign turns the shin about a centre this far from the sensor, m: the
hip (0.35 to 0.9 m). A fidget turns it about the knee or the foot on the floor (0.1 to 0.3 m),
which may lie either side of the sensor; the knees drawn up from flat legs turn it down as
the sensor rises, about no one centre (one came out 1.34 m away)."""
SIGN_AGAINST_BOUTS = 2
"""Bouts in a row that tell the other sign turn the axis round."""
SIGN_CONFIRMED_BOUTS = 4
"""Bouts in a row that tell the sign in force confirm it: no bout checks it again until the
axis is learnt anew (each check fits a centre of rotation, a fifth of the hour's DSP time
when every rep was checked)."""
_BOUT_SQUARED = squared_at_most(BOUT_RPS)
"""A gyro reading (less the bias) turns faster than `BOUT_RPS` where its squared length exceeds this."""


class StrapWatch:
    """A leg's `LiftAngle`, its axis learnt again when its strap is turned (see the module).

    Args:
        lift: the leg's lift angle; it finds the first axis itself, as ever.
    """

    def __init__(self, lift: LiftAngle) -> None:
        self.lift = lift
        self._still = StillSeconds(max(2, round(lift.settings.rest_window_s * lift.rate_hz)))
        self._end_n = max(1, round(BOUT_END_S * lift.rate_hz))
        self._turn: _Relearning | None = None
        self._moves = _OffAxisBouts(lift.rate_hz, self._end_n)
        self._latest: tuple[int, RestReference] | None = None
        """The last still second that did not fit while holding: samples held before it, and it."""

    @property
    def axis(self) -> FloatArray | None:
        """The lift axis in force, in the sensor frame, once known."""
        return self.lift.axis

    def update(self, samples: SensorSamples) -> tuple[AngleTrack, list[Calibrated]]:
        """The angle track of whatever samples can be placed now, and calibration events."""
        had_axis = self.lift.angle is not None
        ready, events = self.lift.learn(samples)
        tracks: list[AngleTrack] = []
        n = len(ready)
        if not had_axis and n:
            # The samples up to the one that told the first axis are placed as they are;
            # the watch starts after it (at the same sample whatever the blocks).
            found_s = next(e.time_s for e in events if e.what == "lift_axis")
            k = int(np.searchsorted(ready.time_s, found_s, "right"))
            tracks.append(self.lift.place(ready.part(0, k)))
            ready, n = ready.part(k, n), n - k
        if n:
            start = 0
            seconds = self._still.update(ready)
            for j, end in enumerate(seconds.ends):
                # Unless held, a still period's later windows show the pose its first did.
                if self._turn is None and not seconds.firsts[j]:
                    continue
                # What comes before it first: the movements may have changed the axis.
                tracks += self._advance(ready.part(start, end + 1), events)
                tracks += self._still_second(seconds.reference(j), events)
                start = end + 1
            tracks += self._advance(ready if start == 0 else ready.part(start, n), events)
        parts = [t for t in tracks if t.time_s.size]
        if not parts:
            return self.lift.place(ready.part(0, 0)), events
        return (parts[0] if len(parts) == 1 else _joined(parts)), events

    def _advance(self, samples: SensorSamples, events: list[Calibrated]) -> list[AngleTrack]:
        """Place `samples` (no still second ends among them), or hold them while judging."""
        out: list[AngleTrack] = []
        while len(samples):
            turn = self._turn
            if turn is None:
                angle = self.lift.angle
                assert angle is not None
                # The gyro less the bias, for the bouts and the angle alike.
                gyr = angle.unbiased(samples.gyr_rps)
                moved = self._moves.update(samples, gyr, angle)
                if moved is None:
                    out.append(self.lift.place(samples, gyr))
                    break
                # The leg works about another level axis, and is back at its rest's pose:
                # the old rest (zero) stays, about the new axis.
                k, axis = moved
                out.append(self.lift.place(samples.part(0, k + 1), gyr[: k + 1]))
                self.lift.angle = AxisAngle(
                    self.lift.rate_hz,
                    self.lift.settings.complementary_tau_s,
                    angle.rest,
                    axis,
                    self.lift.saturation_rps,
                )
                events.append(Calibrated(float(samples.time_s[k]), self.lift.role, "lift_axis"))
                self._moves = _OffAxisBouts(self.lift.rate_hz, self._end_n)
                samples = samples.part(k + 1, len(samples))
                continue
            decided = turn.update(samples, self.lift.axis)
            if decided is None:
                break
            if decided.timed_out and self._latest is not None:
                # Judge again from the last still second that did not fit: what came before it
                # goes through the old axis, what came after it is judged again.
                held = turn.release(decided.index)
                at, rest = self._latest
                out.append(self.lift.place(held.part(0, at)))
                self._turn, self._latest = _Relearning(rest, self.lift.rate_hz, self._end_n), None
                samples = SensorSamples.concatenate(
                    [held.part(at, len(held)), samples.part(decided.index, len(samples))]
                )
                continue
            end = decided.index if decided.timed_out else decided.index + 1
            held = turn.release(end)
            self._turn, self._latest = None, None
            if decided.axis is not None:
                self.lift.angle = AxisAngle(
                    self.lift.rate_hz,
                    self.lift.settings.complementary_tau_s,
                    turn.rest,
                    decided.axis,
                    self.lift.saturation_rps,
                )
                events.append(Calibrated(float(held.time_s[-1]), self.lift.role, "lift_axis"))
            out.append(self.lift.place(held))
            samples = samples.part(end, len(samples))
        return out

    def _fits(self, rest: RestReference) -> bool:
        """Whether a still second fits the lift axis in force (see the module)."""
        angle = self.lift.angle
        assert angle is not None
        level = abs(float(rest.up @ angle.axis)) < math.sin(math.radians(OFF_LEVEL_DEG))
        turned_over = abs(float(angle.accel_angle(rest.up[None, :])[0])) > math.radians(TURNED_OVER_DEG)
        return level and not turned_over

    def _rest_up(self) -> FloatArray:
        """The up direction of the rest the angle is measured from."""
        assert self.lift.angle is not None
        return self.lift.angle.rest.up

    def _turn_round(self, at: RestReference, events: list[Calibrated]) -> None:
        """The axis the other way round, about the same rest, from this still second on."""
        angle = self.lift.angle
        assert angle is not None
        self.lift.angle = AxisAngle(
            self.lift.rate_hz,
            self.lift.settings.complementary_tau_s,
            angle.rest,
            np.asarray(-angle.axis, dtype=np.float64),
            self.lift.saturation_rps,
        )
        events.append(Calibrated(at.time_s, self.lift.role, "lift_axis"))
        self._moves = _OffAxisBouts(self.lift.rate_hz, self._end_n)

    def _still_second(self, rest: RestReference, events: list[Calibrated]) -> list[AngleTrack]:
        """Act on a still second: hold the samples after it, or release those held."""
        fits = self._fits(rest)
        turn = self._turn
        if turn is None:
            if not fits:
                self._turn = _Relearning(rest, self.lift.rate_hz, self._end_n)
                self._moves = _OffAxisBouts(self.lift.rate_hz, self._end_n)
            elif self._moves.upside_down and _at_pose(rest.up, self._rest_up()):
                self._turn_round(rest, events)
            return []
        if not fits:
            self._latest = (turn.held_count, rest)
            return []
        if turn.off_axis_seen:
            return []  # a raise of the turned strap's leg may pass through a pose that fits
        self._turn, self._latest = None, None
        return [self.lift.place(turn.release(None))]


class _OffAxisBouts:
    """While nothing is held: joint bouts in a row about one level line off the lift axis.
    A strap turned so that the old axis stays level (round a shin that hangs or stands
    vertical at rest, or on the skin about the vertical) shows no still second that does
    not fit, only movements about another axis; the rest's gravity (the zero) is as it was.
    Two such bouts, the second ending with the leg back at its rest's pose, give the new
    axis: the reps before it are lost, none after."""

    def __init__(self, rate_hz: float, end_n: int) -> None:
        self._rate_hz = rate_hz
        self._end_n = end_n
        self._quiet = end_n  # slow samples in a row at the end of those seen: no bout open
        # The open bout, and the slow samples before it: their gyro less the bias (the rest
        # stays that of the axis given: a new axis gets new bouts) and their accelerometer.
        self._kept: list[tuple[FloatArray, FloatArray]] = []
        self._kept_n = 0
        self._line: FloatArray | None = None
        self._bouts = 0
        self._against = 0  # bouts in a row that told the other sign
        self._agreed = 0  # bouts in a row that told the sign in force

    def update(
        self, samples: SensorSamples, gyr: FloatArray, angle: AxisAngle
    ) -> tuple[int, FloatArray] | None:
        """Look at the next samples (`gyr`: their gyro less the bias of the rest of `angle`,
        the lift axis in force); the index of the one that tells a new axis, and that axis,
        if one does."""
        n = len(samples)
        moving = squared_norms(gyr) > _BOUT_SQUARED
        acc = samples.acc_mps2
        if self._quiet >= self._end_n and not any_of(moving):
            self._quiet += n
            self._keep(gyr, acc, n)
            return None
        if all_of(moving):  # no bout ends in a block that moves throughout
            self._quiet = 0
            self._keep(gyr, acc, n)
            return None
        idx = np.arange(n)
        quiet = idx - np.maximum.accumulate(np.where(moving, idx, -1 - self._quiet))
        start = 0
        for end in (quiet == self._end_n).nonzero()[0].tolist():
            self._kept.append((gyr[start : end + 1], acc[start : end + 1]))
            axis = self._judge(self._kept, angle)
            if axis is not None:
                return end, axis
            self._kept, self._kept_n = [], 0
            self._quiet = self._end_n
            first = max(end + 1 - self._end_n, 0)
            self._keep(gyr[first : end + 1], acc[first : end + 1], end + 1 - first)
            start = end + 1
        self._quiet = int(quiet[-1])
        if start < n:
            self._keep(gyr[start:], acc[start:], n - start)
        return None

    def _keep(self, gyr: FloatArray, acc: FloatArray, n: int) -> None:
        """Keep samples (`n` of them) for the open bout, or as the slow samples before the next."""
        self._kept.append((gyr, acc))
        self._kept_n += n
        if self._quiet >= self._end_n:  # no bout open: the last `end_n` samples will do
            while self._kept_n - self._kept[0][0].shape[0] >= self._end_n:
                self._kept_n -= self._kept.pop(0)[0].shape[0]

    def _judge(self, bout: list[tuple[FloatArray, FloatArray]], angle: AxisAngle) -> FloatArray | None:
        """Judge the bout given in parts (its gyro joined first: most bouts need no more)."""
        gyr = _rows([part[0] for part in bout])
        if float(row_norms(gyr).sum()) / self._rate_hz < math.radians(MIN_BOUT_DEG):
            return None
        # Most bouts turn about the lift axis itself (the reps): told without the eigenvectors.
        axis = None if surely_within(gyr, angle.axis, KEPT_AXIS_DEG) else principal_axis(gyr)
        if axis is None or abs(float(axis @ angle.axis)) > math.cos(math.radians(KEPT_AXIS_DEG)):
            self._line, self._bouts = None, 0
            self._check_sign(bout, gyr, angle)
            return None
        acc = _rows([part[1] for part in bout])
        pre = acc[: self._end_n].mean(axis=0)
        rate = gyr @ axis
        turned = np.cumsum(rate) / self._rate_hz
        offset = _centre_to_sensor(
            acc, pre / float(np.linalg.norm(pre)), axis, rate, turned, self._rate_hz, 0
        )
        if not MIN_RADIUS_M <= float(np.linalg.norm(offset)) <= MAX_RADIUS_M:
            return None  # no joint: the sensor turned about itself (a leg rolled, a strap turned)
        if self._line is not None and abs(float(axis @ self._line)) > math.cos(math.radians(SAME_AXIS_DEG)):
            self._line = self._line + axis * float(np.sign(axis @ self._line))
            self._bouts += 1
        else:
            self._line, self._bouts = axis, 1
        line = self._line / float(np.linalg.norm(self._line))
        up = angle.rest.up
        post = acc[-self._end_n :].mean(axis=0)
        if (
            self._bouts < 2
            or abs(float(line @ up)) > math.sin(math.radians(OFF_LEVEL_DEG))
            or float(post @ up) < math.cos(math.radians(REST_POSE_DEG)) * float(np.linalg.norm(post))
        ):
            return None
        # Raising takes the leg's gravity angle about the axis positive (the bout went up and back).
        lifted = -SignedAngle(up, line)(acc)
        far = int(np.argmax(np.abs(lifted)))
        return np.asarray((1.0 if lifted[far] >= 0 else -1.0) * line, dtype=np.float64)

    @property
    def upside_down(self) -> bool:
        """The last bouts that told the sign told the other one (see the module)."""
        return self._against >= SIGN_AGAINST_BOUTS

    def _check_sign(
        self, bout: list[tuple[FloatArray, FloatArray]], gyr: FloatArray, angle: AxisAngle
    ) -> None:
        """Count the bout's vote on the sign, if it has one (see the module)."""
        if self._agreed >= SIGN_CONFIRMED_BOUTS:
            return
        up = angle.rest.up
        acc = _rows([part[1] for part in bout])
        start = acc[: self._end_n].mean(axis=0)
        if float(start @ up) < math.cos(math.radians(REST_POSE_DEG)) * float(np.linalg.norm(start)):
            return  # the rest's gravity is the bout's at its start only from the rest's pose
        rate = gyr @ angle.axis
        turned = np.cumsum(rate) / self._rate_hz
        if float(np.abs(turned).max()) < math.radians(MIN_SIGN_TURN_DEG):
            return
        offset = _centre_to_sensor(acc, up, angle.axis, rate, turned, self._rate_hz, 0)
        radius_m = float(np.linalg.norm(offset))
        rising = float(np.cross(angle.axis, offset) @ up)
        # About the hip, not hanging (both ways raise a hanging leg).
        if (
            SIGN_RADIUS_M[0] <= radius_m <= SIGN_RADIUS_M[1]
            and float(offset @ up) >= -HANGING_COS * radius_m
            and abs(rising) >= MIN_RISE_M
        ):
            against = rising < 0.0
            self._against = self._against + 1 if against else 0
            self._agreed = 0 if against else self._agreed + 1


@dataclass(frozen=True)
class _Decision:
    """What the held samples told, at sample `index` of the block given."""

    index: int
    axis: FloatArray | None
    """The new lift axis; None: the old one stays."""
    timed_out: bool = False


class _Relearning:
    """The samples after a still second that does not fit the lift axis, held while the
    bouts of movement after it are judged."""

    def __init__(self, rest: RestReference, rate_hz: float, end_n: int) -> None:
        self.rest = rest
        self._bias = Offset(rest.gyro_bias_rps)
        self._rate_hz = rate_hz
        self._end_n = end_n
        self._held: list[SensorSamples] = []
        self._held_from: list[int] = []  # where each of them starts, in those held
        self.held_count = 0
        self._quiet = end_n  # slow samples in a row at the end of those held: no bout open
        self._bout_from = 0  # where the open bout started (its first fast sample), in those held
        # The joint bouts in a row about one line: the sum of their axes (signed alike), how
        # many, the last vote of those from the rest's pose, and whether it agreed with the one before.
        self._line: FloatArray | None = None
        self._bouts = 0
        self._vote = 0.0
        self._agreed = False
        self.off_axis_seen = False
        """A joint bout off the old axis was seen."""

    def update(self, samples: SensorSamples, old_axis: FloatArray | None) -> _Decision | None:
        """Hold `samples`; what they decide, if they do."""
        n = len(samples)
        base = self.held_count
        self._held.append(samples)
        self._held_from.append(base)
        self.held_count += n
        gyr = self._bias.from_rows(samples.gyr_rps)
        moving = squared_norms(gyr) > _BOUT_SQUARED
        idx = np.arange(n)
        quiet = idx - np.maximum.accumulate(np.where(moving, idx, -1 - self._quiet))
        before = np.concatenate(([self._quiet], quiet[:-1]))
        starts = np.flatnonzero(moving & (before >= self._end_n))
        late = np.flatnonzero(samples.time_s - self.rest.time_s > MAX_HOLD_S)
        limit = int(late[0]) if late.size else n
        for end in np.flatnonzero(quiet[:limit] == self._end_n).tolist():
            opened = starts[starts < end]
            if opened.size:
                self._bout_from = base + int(opened[-1])
            axis = self._judge(base + end, old_axis)
            if axis is None:
                continue
            kept = old_axis is not None and float(axis @ old_axis) > math.cos(math.radians(KEPT_AXIS_DEG))
            level = abs(float(axis @ self.rest.up)) < math.sin(math.radians(OFF_LEVEL_DEG))
            return _Decision(end, None if kept or not level else axis)
        if limit < n:
            return _Decision(limit, None, timed_out=True)
        if starts.size:
            self._bout_from = base + int(starts[-1])
        self._quiet = int(quiet[-1])
        return None

    def release(self, count: int | None) -> SensorSamples:
        """The held samples: all (None), or those before sample `count` of the last block given."""
        parts = self._held if count is None else [*self._held[:-1], self._held[-1].part(0, count)]
        return SensorSamples.concatenate(parts)

    def _judge(self, end: int, old_axis: FloatArray | None) -> FloatArray | None:
        """Judge the bout that ended at held sample `end`; the signed axis, once two joint
        bouts in a row agree on its line and two from the rest's pose on which way is up."""
        first = max(self._bout_from - self._end_n, 0)  # with the slow samples before it
        # The blocks that hold the bout, joined (not all those held: a live hold has hundreds).
        k = bisect.bisect_right(self._held_from, first) - 1
        parts = self._held[k:]
        lo, hi = first - self._held_from[k], end + 1 - self._held_from[k]
        gyr = self._bias.from_rows(_rows([p.gyr_rps for p in parts])[lo:hi])
        if float(row_norms(gyr).sum()) / self._rate_hz < math.radians(MIN_BOUT_DEG):
            return None
        acc = _rows([p.acc_mps2 for p in parts])[lo:hi]
        pre = acc[: max(self._bout_from - first, 1)].mean(axis=0)
        at_rest = float(pre @ self.rest.up) > math.cos(math.radians(REST_POSE_DEG)) * float(
            np.linalg.norm(pre)
        )
        axis = principal_axis(gyr)
        rate = gyr @ axis
        turned = np.cumsum(rate) / self._rate_hz
        offset = _centre_to_sensor(acc, self.rest.up, axis, rate, turned, self._rate_hz, 0)
        radius_m = float(np.linalg.norm(offset))
        if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
            return None  # no joint: the sensor turned about itself (or was carried)
        if old_axis is not None and abs(float(axis @ old_axis)) < math.cos(math.radians(KEPT_AXIS_DEG)):
            self.off_axis_seen = True
        if self._line is not None and abs(float(axis @ self._line)) > math.cos(math.radians(SAME_AXIS_DEG)):
            axis *= float(np.sign(axis @ self._line))
            self._line = self._line + axis
            self._bouts += 1
        else:
            self._line, self._vote, self._bouts, self._agreed = axis, 0.0, 1, False
        vote = _vote(offset, self.rest.up, axis, turned, radius_m) if at_rest else 0.0
        if vote:
            # Two votes in a row must agree: a knee drawn up turns the shin down as it rises.
            self._agreed, self._vote = vote == self._vote, vote
        if self._bouts < 2 or not self._agreed:
            return None
        signed = self._vote * self._line
        return np.asarray(signed / float(np.linalg.norm(signed)), dtype=np.float64)


def _rows(parts: list[FloatArray]) -> FloatArray:
    """Rows kept in parts, as one array in C order (as `np.concatenate` gives them: the same
    sums whatever the blocks), a copy only if they are not one such part."""
    return np.ascontiguousarray(parts[0]) if len(parts) == 1 else np.concatenate(parts)


def _at_pose(up: FloatArray, rest_up: FloatArray) -> bool:
    """Whether a still leg whose up is `up` is at the pose of a rest whose up is `rest_up`."""
    return float(up @ rest_up) >= math.cos(math.radians(REST_POSE_DEG))


def _vote(offset: FloatArray, up: FloatArray, axis: FloatArray, turned: FloatArray, radius_m: float) -> float:
    """Which way about `axis` raises the leg (+1, -1), from a bout that starts at the rest's
    pose, where the sensor sits at `offset` from its centre of rotation; 0 if it cannot tell."""
    if float(offset @ up) < -HANGING_COS * radius_m:
        far = int(np.argmax(np.abs(turned)))
        return 1.0 if turned[far] >= 0 else -1.0
    rising = float(np.cross(axis, offset) @ up)
    return 0.0 if abs(rising) < MIN_RISE_M else float(np.sign(rising))


def _joined(tracks: list[AngleTrack]) -> AngleTrack:
    """Tracks of one leg (not empty), one after the other, as one."""
    a = tracks[0]
    verticals = [t.vertical_mps2 for t in tracks if t.vertical_mps2 is not None]
    return AngleTrack(
        a.role,
        np.concatenate([t.time_s for t in tracks]),
        np.concatenate([t.angle_deg for t in tracks]),
        np.concatenate([t.velocity_dps for t in tracks]),
        np.concatenate([t.gap_before for t in tracks]),
        a.velocity_delay_s,
        np.concatenate([t.tremor for t in tracks]),
        np.concatenate(verticals) if len(verticals) == len(tracks) else None,
    )
