"""The lift angle of a leg from its shin sensor, whatever way the strap was put on.

1. Rest: the first still second gives the gyro bias and the up direction (`_rest`).
2. Lift axis: a shin turns about one axis (the knee's and hip's, across the body). Its
   direction in the sensor frame is the principal axis of the gyro's motion, latched
   once the leg has turned through `AXIS_AFTER_RAD`. Which way is up comes from physics:
   the centripetal acceleration of the sensor points from the sensor towards the joint,
   which gives the segment's distal direction, and raising moves that end upwards. When
   the shin hangs (no up or down to tell at rest) the first big movement is taken as a
   raise, and so is it when the shin hardly turns (`MIN_SIGN_TURN_DEG`: a dead bug). Until the
   axis is known, samples wait in a buffer (the first rep comes later).
3. Angle: a complementary filter blends the integrated gyro (fast, drifts) with the
   accelerometer's gravity angle (slow, disturbed by motion), both about the lift axis.
   It is a first-order linear filter, so it runs as `scipy.signal.lfilter` (`dsp._filters`)
   with its state carried between blocks: the same numbers whatever the block size.
4. Velocity: the gyro about the lift axis, low-passed against tremor; the track carries
   its group delay (`velocity_delay_s`) for the users of the velocity to take off.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.signal import butter, group_delay, lfilter_zi

from dsp._filters import linear_filter
from dsp._geometry import Offset, SignedAngle, differences, principal_axis, rotate, row_norms
from dsp._quick import all_of, any_of
from dsp._rest import RestDetector, RestReference
from dsp._samples import STANDARD_GRAVITY_MPS2, SensorSamples
from dsp.events import Calibrated
from dsp.settings import Settings
from dsp.tremor import Tremor

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

AXIS_AFTER_RAD = math.radians(30.0)
"""Rotation (sum of |gyro| dt after the rest) before the lift axis is decided, and again
each time the motion so far does not tell which way is up."""
MIN_RADIUS_M = 0.2
"""A centre of rotation closer than this to the sensor says nothing reliable about up."""
MAX_RADIUS_M = 1.5
"""A centre of rotation further than this from the sensor is no joint of the leg (a shin sensor
sits under 1 m from the hip): the sensor moved more than the shin turned, as when the hip and
the knee straighten together (a dead bug). Its offset is then no sign of a hanging leg."""
MAX_ATTEMPTS = 8
"""Bouts of motion looked at before falling back to "the first big movement is a raise"."""
MIN_RISE_M = 0.1
"""Raising must move the sensor up by at least this much per radian to tell which way is up."""
MIN_SIGN_TURN_DEG = 20.0
"""Until the shin has turned this far from its rest, the motion tells nothing of which way is
up; one that has not by the second look hardly turns: its first big movement is taken as the
raise. A dead bug turns the shin 10 to 15 degrees a stroke, and up as the leg goes down (the
knee straightens more than the hip: the sensor goes down 0.3 m as the shin's far end rises),
so a vote from how the sensor moved with the turn comes out upside down; the leg going out is
its first big movement. Every other exercise turns the shin 25 degrees or more."""
MAX_WAIT_S = 120.0
"""Samples kept while waiting for the axis; older ones are dropped (no rep there). A shin that
hardly turns (a dead bug: 10 degrees a stroke) may need a minute of reps for its votes to
agree; its first reps must still be there."""
MAX_BRIDGED_GAP_S = 1.2
"""Samples missing for up to this long between strokes are bridged (`dsp.strokes`: a stroke
in progress is followed across any gap); after a longer gap a stroke starts only once the
leg has slowed down, and the angle in it is not interpolated."""
LONG_GAP_S = 0.2
"""A gap longer than this sends the angle back to the accelerometer once it is quiet (`QUIET_S`)."""
QUIET_RPS = 0.1
QUIET_ACC_MPS2 = 0.8
"""A sensor turning slower than QUIET_RPS and reading 1 g within QUIET_ACC_MPS2 may show
gravity well enough to take its angle from (but see QUIET_S)."""
QUIET_S = 0.3
QUIET_SPREAD_RAD = math.radians(2.0)
"""... if it has done so for QUIET_S, and over that time the accelerometer's angle, less the
gyro's turn, has stayed within QUIET_SPREAD_RAD (its standard deviation) of its mean, which
is then taken. A shin that hardly turns may still be carried by the knee (a dead bug's, as
the thigh moves): its accelerometer reads gravity plus that acceleration, mostly across the
shin, which the norm does not show but which changes as the leg moves (and a held leg
shakes: tremor), while gravity does not. The gyro's bridged turn is kept until then."""
VELOCITY_CUTOFF_HZ = 5.0
"""Low-pass of the lift velocity: keeps the movement (under 2 Hz), drops tremor (8-12 Hz)."""


@dataclass(frozen=True)
class AngleTrack:
    """A stretch of a segment's angle about its axis, on the session timeline.

    Attributes:
        role: the sensor.
        time_s: sample times, shape (n,).
        angle_deg: angle from the rest position, degrees (for a leg: raising is positive).
        velocity_dps: its rate, deg/s, low-passed, aligned to `time_s`.
        gap_before: samples missing just before this one.
        velocity_delay_s: how late `velocity_dps` is (the group delay of its low-pass).
        tremor: tremor power over the quietest seen (`dsp.tremor`): about 1 for a leg at
            rest, several times that for a leg held up.
        vertical_mps2: the sensor's upward acceleration, m/s^2 (its accelerometer along the
            up direction turned by the angle, less gravity); None where not measured.
    """

    role: str
    time_s: FloatArray
    angle_deg: FloatArray
    velocity_dps: FloatArray
    gap_before: BoolArray
    velocity_delay_s: float
    tremor: FloatArray
    vertical_mps2: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.time_s)

    def pieces(self, cuts: list[int]) -> list[AngleTrack]:
        """The track cut before each index in `cuts` (for feeding it in blocks)."""
        edges = [0, *sorted(set(cuts)), len(self)]
        return [
            AngleTrack(
                self.role,
                self.time_s[a:b],
                self.angle_deg[a:b],
                self.velocity_dps[a:b],
                self.gap_before[a:b],
                self.velocity_delay_s,
                self.tremor[a:b],
                None if self.vertical_mps2 is None else self.vertical_mps2[a:b],
            )
            for a, b in itertools.pairwise(edges)
        ]


class AxisAngle:
    """Complementary-filter angle and low-passed rate about a known axis (block-invariant)."""

    def __init__(
        self,
        rate_hz: float,
        tau_s: float,
        rest: RestReference,
        axis: FloatArray,
        saturation_rps: float | None = None,
    ) -> None:
        self.dt_s = 1.0 / rate_hz
        self.saturation_rps = saturation_rps
        self._lost_turn = False
        self._quiet = _QuietWindows(max(2, round(QUIET_S * rate_hz)))
        self.alpha = tau_s / (tau_s + self.dt_s)
        self._angle_b = np.array([1.0])
        self._angle_a = np.array([1.0, -self.alpha])
        self.rest = rest
        self.axis = axis
        self._bias = Offset(rest.gyro_bias_rps)
        self._gravity_angle = SignedAngle(rest.up, axis)
        self._minus_across, self._along = -self._gravity_angle.across, self._gravity_angle.along
        self._beta = 1.0 - self.alpha
        on_axis = axis * float(axis @ rest.up)
        self._vertical_basis = np.column_stack((rest.up - on_axis, np.cross(axis, rest.up), on_axis))
        self._vertical_rows = np.ascontiguousarray(self._vertical_basis.T)
        # The complementary filter's state: alpha times the last angle (lfilter's final state).
        self._angle_zi: FloatArray | None = None
        self._last_time_s = math.nan
        self._last_rate = 0.0
        b, a = butter(2, min(VELOCITY_CUTOFF_HZ, 0.4 * rate_hz), fs=rate_hz)
        self._b, self._a = np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64)
        self._zi_unit = np.asarray(lfilter_zi(self._b, self._a), dtype=np.float64)
        self._zi: FloatArray | None = None
        # Group delay of the low-pass at the movement's frequencies (about 0.5 Hz), seconds.
        _, delay = group_delay((self._b, self._a), w=[0.5], fs=rate_hz)
        self.delay_s = float(delay[0]) / rate_hz

    def unbiased(self, gyr_rps: FloatArray) -> FloatArray:
        """Gyro readings (n, 3) less the rest's bias."""
        return self._bias.from_rows(gyr_rps)

    def _saturated(self, gyr_rps: FloatArray) -> bool:
        """Whether any of these gyro readings reached the gyro's range (as `_anchors` tells)."""
        return self.saturation_rps is not None and any_of(np.abs(gyr_rps) >= 0.98 * self.saturation_rps)

    def _anchors(
        self,
        samples: SensorSamples,
        rate: FloatArray,
        step_s: FloatArray,
        turn: FloatArray,
        from_acc: FloatArray,
    ) -> dict[int, float]:
        """Samples where the angle is taken from the accelerometer again, and the angle (rad):
        the turn may have been lost, in a long gap or to a saturated gyro (a swung leg can
        outrun its range). The accelerometer is trusted only once the sensor has been quiet
        for `QUIET_S` (see `QUIET_SPREAD_RAD`)."""
        # A lost packet or two is bridged well enough; a longer gap may hide a turn.
        lost = samples.gap_before & ~(step_s <= LONG_GAP_S)
        if self.saturation_rps is not None:
            lost |= (np.abs(samples.gyr_rps) >= 0.98 * self.saturation_rps).any(axis=1)
        if not self._lost_turn and not any_of(lost):
            return {}  # the usual case: nothing lost, no quiet sample needed
        quiet = (np.abs(rate) < QUIET_RPS) & (
            np.abs(row_norms(samples.acc_mps2) - STANDARD_GRAVITY_MPS2) < QUIET_ACC_MPS2
        )
        turned = np.cumsum(turn)
        first = 0 if self._lost_turn else int(np.argmax(lost))  # where a wait may begin
        # The residual is constant while the accelerometer shows gravity alone (its angle goes
        # with the turn); no calm window is needed without a quiet sample after `first`.
        calm, mean = self._quiet.update(
            quiet, lost, from_acc - turned, float(turned[-1]), any_of(quiet[first:])
        )
        anchors: dict[int, float] = {}
        i = 0
        while i < rate.size:
            if not self._lost_turn:
                hit = np.flatnonzero(lost[i:])
                if not hit.size:
                    break
                i += int(hit[0])
                self._lost_turn = True
            found = np.flatnonzero(calm[i:])
            if not found.size:
                break
            i += int(found[0])
            anchors[i] = float(mean[i] + turned[i])
            self._lost_turn = False
            i += 1
        return anchors

    def vertical(self, acc_mps2: FloatArray, angle_deg: FloatArray) -> FloatArray:
        """Upward acceleration (m/s^2) of the sensor at each sample: the accelerometer along
        the rest's up direction turned by the angle, less gravity."""
        turn = np.radians(angle_deg)
        # Rodrigues' formula for the up direction turned by -angle, dotted with each sample:
        # cos * (up less its part along the axis) - sin * (axis x up) + its part along the axis.
        if turn.size > 1 and acc_mps2.flags.c_contiguous:
            # The product with the basis as rows, of the samples as columns, gives the same
            # numbers (for two contiguous samples or more), each component contiguous.
            on_plane, on_across, on_axis = np.dot(self._vertical_rows, acc_mps2.T)
        else:
            on_plane, on_across, on_axis = np.dot(acc_mps2, self._vertical_basis).T
        along: FloatArray = np.cos(turn) * on_plane
        along -= np.sin(turn) * on_across
        along += on_axis
        along -= STANDARD_GRAVITY_MPS2
        return along

    def accel_angle(self, acc_mps2: FloatArray) -> FloatArray:
        """Angle (rad) of the gravity seen by the accelerometer, from the rest, about the axis."""
        return -self._gravity_angle(acc_mps2)

    def _angle_run(self, turn: FloatArray, from_acc: FloatArray, anchor: float | None) -> FloatArray:
        """The complementary filter over a run of samples (rad), from `anchor` (the angle at
        its first sample) if the turn before it was lost."""
        if anchor is not None:
            # The turn was lost: take the accelerometer's angle.
            zi = np.array([self.alpha * (anchor - float(turn[0]))])
        elif self._angle_zi is None:
            zi = np.array([self.alpha * float(from_acc[0])])
        else:
            zi = self._angle_zi
        drive = self.alpha * turn + self._beta * from_acc
        out, self._angle_zi = linear_filter(self._angle_b, self._angle_a, drive, zi)
        return out

    def update(
        self, samples: SensorSamples, gyr_rps: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Angle (deg) and velocity (deg/s) of each sample; `gyr_rps`: their gyro less the
        rest's bias, if the caller has it (see `_angle_rad`)."""
        angle, rate = self._angle_rad(samples, gyr_rps)
        if self._zi is None:
            self._zi = self._zi_unit * rate[0]
        # The filter's state carries over: one call for the block gives what one per run would.
        velocity, self._zi = linear_filter(self._b, self._a, rate, self._zi)
        return np.degrees(angle), np.degrees(velocity)

    def angle_deg(self, samples: SensorSamples) -> FloatArray:
        """Angle (deg) of each sample, for a user of the angle alone (the pelvis): the same
        angles as `update`'s, without the velocity (whose filter state it then leaves unset:
        an `AxisAngle` is used through one of the two)."""
        return np.degrees(self._angle_rad(samples)[0])

    def _angle_rad(
        self, samples: SensorSamples, gyr_rps: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Angle (rad) and rate about the axis (rad/s, unfiltered) of each sample; `gyr_rps`:
        their gyro less the rest's bias, if the caller has it (`dsp.strap` does)."""
        if gyr_rps is None:
            gyr_rps = self.unbiased(samples.gyr_rps)
        rate = np.dot(gyr_rps, self.axis)
        # `accel_angle`, without its calls nor the negation (arctan2 is odd in y, exactly).
        from_acc = np.arctan2(
            np.dot(samples.acc_mps2, self._minus_across), np.dot(samples.acc_mps2, self._along)
        )
        # Integrate over the samples' own times (a sensor's clock may be off by a few %).
        # Across a gap, one nominal step plus the turn in the gap, bridged at about the
        # speeds on either side (until the accelerometer can be trusted again: an anchor).
        step_s = differences(samples.time_s, self._last_time_s)
        finite = np.isfinite(step_s)
        gapped = any_of(samples.gap_before)
        if gapped:
            turn = rate * np.where(finite & ~samples.gap_before, step_s, self.dt_s)
            gaps = (samples.gap_before & finite).nonzero()[0]
            before = np.where(gaps > 0, rate[np.maximum(gaps - 1, 0)], self._last_rate)
            turn[gaps] += 0.5 * (before + rate[gaps]) * np.maximum(step_s[gaps] - self.dt_s, 0.0)
        else:  # the usual block: fewer calls, the same numbers
            turn = rate * (step_s if all_of(finite) else np.where(finite, step_s, self.dt_s))
        if not (gapped or self._lost_turn or self._saturated(samples.gyr_rps)):
            # No sample lost nor saturated, and no turn lost before: no anchor (`_anchors`).
            angle = self._angle_run(turn, from_acc, None)
        else:
            anchors = self._anchors(samples, rate, step_s, turn, from_acc)
            cuts = sorted({0, *anchors, rate.size})
            runs = [
                self._angle_run(turn[i0:i1], from_acc[i0:i1], anchors.get(i0))
                for i0, i1 in itertools.pairwise(cuts)
            ]
            angle = runs[0] if len(runs) == 1 else np.concatenate(runs)
        self._last_time_s = float(samples.time_s[-1])
        self._last_rate = float(rate[-1])
        return angle, rate


class LiftAngle:
    """Samples of one shin sensor in, its lift angle out (see the module's docstring)."""

    def __init__(
        self, role: str, rate_hz: float, settings: Settings, gyro_range_dps: float | None = None
    ) -> None:
        self.role = role
        self.saturation_rps = None if gyro_range_dps is None else math.radians(gyro_range_dps)
        self.rate_hz = rate_hz
        self.settings = settings
        self._rest_finder = RestDetector(max(2, round(settings.rest_window_s * rate_hz)))
        self.rest: RestReference | None = None
        self._waiting: list[SensorSamples] = []
        self._turned_rad = 0.0
        self._axis_after_rad = AXIS_AFTER_RAD
        self._bout_from = 0
        self._attempts = 0
        self._last_vote = 0.0
        self.angle: AxisAngle | None = None
        self._tremor = Tremor(rate_hz)

    @property
    def axis(self) -> FloatArray | None:
        """The lift axis in the sensor frame (raising turns positively about it), once known."""
        return None if self.angle is None else self.angle.axis

    def update(self, samples: SensorSamples) -> tuple[AngleTrack, list[Calibrated]]:
        """The angle track of whatever samples can be placed now, and calibration events."""
        ready, events = self.learn(samples)
        return self.place(ready), events

    def learn(self, samples: SensorSamples) -> tuple[SensorSamples, list[Calibrated]]:
        """The samples that can be placed now (all of them once the axis is known; until then
        none, then all those waited for), and calibration events."""
        events: list[Calibrated] = []
        if self.angle is None:
            samples = self._before_axis(samples, events)
        return samples, events

    def place(self, samples: SensorSamples, gyr_rps: FloatArray | None = None) -> AngleTrack:
        """The angle track of samples about the axis in force (`angle`, once known);
        `gyr_rps`: their gyro less its rest's bias, if the caller has it."""
        if self.angle is None or not len(samples):
            return self._empty()
        angle_deg, velocity_dps = self.angle.update(samples, gyr_rps)
        return AngleTrack(
            self.role,
            samples.time_s,
            angle_deg,
            velocity_dps,
            samples.gap_before,
            self.angle.delay_s,
            self._tremor.update(samples.gyr_rps),
            self.angle.vertical(samples.acc_mps2, angle_deg),
        )

    def _empty(self) -> AngleTrack:
        z = np.zeros(0)
        return AngleTrack(self.role, z, z, z, np.zeros(0, dtype=np.bool_), 0.0, z)

    def _before_axis(self, samples: SensorSamples, events: list[Calibrated]) -> SensorSamples:
        """Find the rest, then wait for enough motion to know the axis; returns the samples
        that now have an angle (all those waited for), or none."""
        if self.rest is None:
            found = self._rest_finder.find(samples)
            if found is None:
                return samples.part(0, 0)
            k, self.rest = found
            bias_dps = np.degrees(self.rest.gyro_bias_rps)
            events.append(
                Calibrated(self.rest.time_s, self.role, "rest", (bias_dps[0], bias_dps[1], bias_dps[2]))
            )
            samples = samples.part(k + 1, len(samples))
        assert self.rest is not None
        # Sum of |gyro| dt, continuing over blocks (cumsum seeded with the carry, so that the
        # order of additions is the same whatever the blocks).
        speed = row_norms(samples.gyr_rps - self.rest.gyro_bias_rps) / self.rate_hz
        if speed.size:
            speed[0] += self._turned_rad
        turned = np.cumsum(speed)
        reached = np.flatnonzero(turned >= self._axis_after_rad)
        if reached.size == 0:
            self._turned_rad = float(turned[-1]) if turned.size else self._turned_rad
            self._waiting.append(samples)
            self._trim_waiting()
            return samples.part(0, 0)
        k = int(reached[0])
        waited = SensorSamples.concatenate([*self._waiting, samples.part(0, k + 1)])
        axis = self._lift_axis(waited, self._bout_from)
        if axis is None:
            # Look again after as much motion again, from the sample after this one.
            self._bout_from = len(waited)
            self._waiting = [waited]
            self._turned_rad = float(turned[k])
            self._axis_after_rad += AXIS_AFTER_RAD
            return self._before_axis(samples.part(k + 1, len(samples)), events)
        self._waiting = []
        self.angle = AxisAngle(
            self.rate_hz, self.settings.complementary_tau_s, self.rest, axis, self.saturation_rps
        )
        events.append(Calibrated(float(waited.time_s[-1]), self.role, "lift_axis"))
        return SensorSamples.concatenate([waited, samples.part(k + 1, len(samples))])

    def _trim_waiting(self) -> None:
        total = sum(len(s) for s in self._waiting)
        limit = round(MAX_WAIT_S * self.rate_hz)
        while total > limit and len(self._waiting) > 1:
            dropped = len(self._waiting.pop(0))
            total -= dropped
            self._bout_from = max(self._bout_from - dropped, 0)

    def _lift_axis(self, waited: SensorSamples, bout_from: int) -> FloatArray | None:
        """The principal axis of the motion, signed so that raising the leg is positive;
        None until two bouts of motion in a row (the latest from sample `bout_from`) agree on
        which way is up."""
        assert self.rest is not None
        gyr = waited.gyr_rps - self.rest.gyro_bias_rps
        axis = principal_axis(gyr)
        axis *= 1.0 if axis[int(np.argmax(np.abs(axis)))] > 0 else -1.0  # one sign for the votes
        rate = gyr @ axis
        turned = np.cumsum(rate) / self.rate_hz
        far = int(np.argmax(np.abs(turned)))
        first_move = 1.0 if turned[far] >= 0 else -1.0
        hardly_turns = abs(float(turned[far])) < math.radians(MIN_SIGN_TURN_DEG)
        if self._attempts >= MAX_ATTEMPTS or (self._attempts and hardly_turns):
            # Still no telling (a shin that hardly turns): the first big movement was a raise.
            return first_move * axis
        self._attempts += 1
        if hardly_turns:
            return None
        offset = _centre_to_sensor(waited.acc_mps2, self.rest.up, axis, rate, turned, self.rate_hz, bout_from)
        radius_m = float(np.linalg.norm(offset))
        if radius_m < MIN_RADIUS_M:
            vote = 0.0
        elif radius_m <= MAX_RADIUS_M and float(offset @ self.rest.up) < -0.8 * radius_m:
            # The leg hangs below its centre of rotation: both ways raise it. The first big
            # movement is taken as the raise (forwards).
            vote = first_move
        else:
            # Otherwise raising moves the sensor upwards. A centre further away than any joint
            # is no joint: the shin was carried more than it turned (a dead bug's hip and knee
            # straighten together), and how the sensor rose with the turn still tells.
            rising = float(np.cross(axis, offset) @ self.rest.up)
            vote = 0.0 if abs(rising) < MIN_RISE_M else float(np.sign(rising))
        if vote == 0.0:
            return None
        agreed = vote == self._last_vote
        self._last_vote = vote
        return vote * axis if agreed else None


class _QuietWindows:
    """Windows of `k` samples, over blocks, that may give the angle after a lost turn: calm
    (quiet throughout, no long gap after their first sample, and the accelerometer's angle
    less the gyro's turn within `QUIET_SPREAD_RAD` of its mean), and that mean. A window
    may begin in an earlier block."""

    def __init__(self, k: int) -> None:
        self.k = k
        # The last k - 1 samples' quiet test, lost flag and residual (less the turn to the
        # end of their block).
        self._quiet = np.zeros(0, dtype=np.bool_)
        self._lost = np.zeros(0, dtype=np.bool_)
        self._residual = np.zeros(0)

    def update(
        self, quiet: BoolArray, lost: BoolArray, residual: FloatArray, turned_rad: float, wanted: bool
    ) -> tuple[BoolArray, FloatArray]:
        """Whether the window ending at each sample of a block is calm, and its mean residual
        (rad); none is calm unless `wanted`. `turned_rad`: the gyro's turn over the block."""
        n, k = quiet.size, self.k
        q = np.concatenate((self._quiet, quiet))
        g = np.concatenate((self._lost, lost))
        r = np.concatenate((self._residual, residual))
        self._quiet, self._lost, self._residual = q[-(k - 1) :], g[-(k - 1) :], (r + turned_rad)[-(k - 1) :]
        if not wanted or q.size < k:
            return np.zeros(n, dtype=np.bool_), np.zeros(n)
        # Over each window: the quiet samples, the long gaps after its first sample, the
        # residual's mean and spread (from the first residual, for rounding).
        centred = r - r[0]
        mean_k = _window_sums(centred, k) / k
        spread2 = _window_sums(centred**2, k) / k - mean_k**2
        across = _window_sums(g.astype(np.float64), k) - g[: g.size - k + 1]
        ok = (_window_sums(q.astype(np.float64), k) == k) & (across == 0) & (spread2 < QUIET_SPREAD_RAD**2)
        mean = mean_k + r[0]
        lead = q.size - n  # samples of earlier blocks in front
        if lead >= k - 1:
            return ok[lead - k + 1 :], mean[lead - k + 1 :]
        missing = k - 1 - lead  # the block's first samples end no whole window
        return np.concatenate((np.zeros(missing, dtype=np.bool_), ok)), np.concatenate(
            (np.zeros(missing), mean)
        )


def _window_sums(x: FloatArray, k: int) -> FloatArray:
    """Sums of each k consecutive values, by a running sum."""
    run = np.concatenate(([0.0], np.cumsum(x)))
    return np.asarray(run[k:] - run[:-k], dtype=np.float64)


def _centre_to_sensor(  # noqa: PLR0917 (the bout's arrays, all of one length)
    acc_mps2: FloatArray,
    up: FloatArray,
    axis: FloatArray,
    rate: FloatArray,
    turned: FloatArray,
    rate_hz: float,
    bout_from: int,
) -> FloatArray:
    """Where the sensor sits from its centre of rotation (m, sensor frame, normal to the axis).

    What the accelerometer reads beyond gravity turned by the angle is the sensor's linear
    acceleration: centripetal -w^2 x and tangential w' (axis x x), plus a constant (its
    bias): linear in x. One bout of motion at a time (from `bout_from`): getting into
    position moves several joints at once, with no one centre, a rep turns the leg about
    the hip.
    """
    g = float(np.linalg.norm(acc_mps2[0]))
    linear = (acc_mps2 - g * rotate(up, axis, -turned))[bout_from:]
    spin = (np.gradient(rate) * rate_hz if rate.size > 1 else np.zeros_like(rate))[bout_from:]
    rate = rate[bout_from:]
    cross = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    design = np.zeros((3 * rate.size, 6))
    design[:, :3] = (-(rate**2)[:, None, None] * np.eye(3) + spin[:, None, None] * cross).reshape(-1, 3)
    design[:, 3:] = np.tile(np.eye(3), (rate.size, 1))
    solution, *_ = np.linalg.lstsq(design, linear.reshape(-1), rcond=None)
    return np.asarray(solution[:3] - axis * float(axis @ solution[:3]), dtype=np.float64)
