"""Posture from the pelvis sensor: supine, sitting, standing or hanging.

However the sensor was strapped on, its accelerometer tells two things when the pelvis is
still before and after a movement:
- how far the pelvis has turned from its calibration rest (the angle between gravity then
  and now): sitting up turns it 60 to 90 degrees, a reverse crunch's curl under 40;
- how far it went up or down in the last `MEASURED_S` before it came to rest: its
  acceleration along gravity, integrated twice. Standing up from the floor raises the
  pelvis about 0.4 m, a jump to a bar or the drop from it about 0.35 m, each in a second
  or two; a longer stretch would let the integral drift.

The session is taken to start lying, the calibration posture (and the pipeline's
`calibrate` asks the athlete to lie still). A pelvis turned upright from there sits; rising
from sitting stands; rising from standing hangs (a bar), and dropping goes back down the
same way. A pelvis that rises without turning was never lying: the athlete stood at the
start and has just jumped to a bar. `standing` from the baseline is then told, followed by
`hanging`.

The posture is judged when the pelvis has been still for `STILL_S` after a movement, and
`MEASURED_S` into a movement that goes on (a body swinging on a bar may not come to rest).
Posture changes take a second or more, so every sample down to `WATCHED_RATE_HZ` is enough: at
100 Hz, one in four (counted over the session, whatever the blocks).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from dsp._geometry import differences, heights_m, row_norms
from dsp._history import with_room
from dsp._quick import all_of
from dsp._rest import STILL_GYRO_RPS, RestReference, still_runs
from dsp._samples import STANDARD_GRAVITY_MPS2, SensorSamples
from dsp.events import PostureChanged

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

WATCHED_RATE_HZ = 25.0
"""Samples looked at per second (at least; one in every n of the sensor's)."""
STILL_S = 0.5
"""A pelvis still this long has come to rest after a movement (its speed is zero)."""
STILL_ACC_MPS2 = 0.3
"""A still pelvis's |acc| is within this of 1 g: a jump's lift-off and landing are not still."""
MEASURED_S = 3.0
"""How far the pelvis rose is measured over this much before it came to rest (or the whole
movement, if shorter). A body hanging from a bar swings and does not come to rest; the drop
from it is the last thing it does before standing still."""
MAX_GAP_S = 0.25
"""Samples missing for longer than this break a still run."""
MAX_GAP_IN_RISE_S = 0.5
"""Samples missing for longer than this leave a rise unmeasured (a shorter hole is bridged
by a straight line: the speed's end points pin what it gets wrong)."""
UPRIGHT_DEG = 55.0
"""A pelvis turned further than this from its lying rest is upright (sitting up turns it 60 to
90 degrees; a reverse crunch curls it up to about 40)."""
LEVEL_TURN_DEG = 30.0
"""A movement that turns the pelvis more than this (over `MEASURED_S`) is judged by its turn,
not its height."""
BRISK_MPS2 = 0.5
"""A change of level is brisk: the pelvis's |acc| leaves 1 g by more than this (a smooth move
of D metres in T seconds peaks at 5.8 D / T^2: 0.65 m/s^2 for standing up 0.45 m in 2 s,
3 m/s^2 for a jump). Slower movements are not measured for height (nor is their cost paid)."""
RISE_M = 0.2
"""A movement that raises (lowers) the pelvis this far goes one level up (down): floor, feet,
bar. Legs raised while hanging move it under 0.15 m."""
LEVELS = ("sitting", "standing", "hanging")
"""An upright pelvis's levels, from the floor up."""
MIN_ROOM = 256
"""Watched samples the buffers hold at least (they grow as needed)."""


class PostureWatch:
    """Pelvis samples in (those after its rest reference), posture changes out."""

    def __init__(self, rate_hz: float) -> None:
        self.every = max(1, int(rate_hz // WATCHED_RATE_HZ))
        self.window = max(2, round(STILL_S * rate_hz / self.every))
        self._seen = 0
        self.posture: str | None = None
        self._baseline: RestReference | None = None
        self._upright_start = False
        self._run = 0
        self._last_time_s = -math.inf
        self._moved_from_s: float | None = None
        self._up_before = np.zeros(3)
        self._start_measured = False
        self._posture_from_s = -math.inf
        # The latest samples: at least `MEASURED_S + STILL_S` of them while the pelvis moves,
        # `window` (a still run's) while it rests.
        self._recent = _Recent()

    def update(self, samples: SensorSamples, rest: RestReference) -> list[PostureChanged]:
        """Posture changes settled by `samples`, which all come after `rest`.

        A new `rest` (the pipeline's `calibrate`) is a new lying baseline.
        """
        events: list[PostureChanged] = []
        if rest is not self._baseline:
            self._baseline = rest
            self._upright_start = False
            self._run = self.window  # the rest just found is still
            self._recent = _Recent()
            acc = np.tile(rest.up * STANDARD_GRAVITY_MPS2, (self.window, 1))
            self._recent.add(
                np.full(self.window, rest.time_s),
                acc,
                np.zeros((self.window, 3)),
                np.abs(row_norms(acc) - STANDARD_GRAVITY_MPS2),
            )
            self._moved_from_s = None
            self._tell("supine", rest.time_s, rest.time_s, events)
        first = -self._seen % self.every
        self._seen += samples.time_s.shape[0]
        if first >= samples.time_s.shape[0]:
            return events
        new_time = samples.time_s[first :: self.every]
        new_acc = samples.acc_mps2[first :: self.every]
        new_gyr = samples.gyr_rps[first :: self.every] - rest.gyro_bias_rps
        n = new_time.size
        joined = np.concatenate((new_gyr, new_acc))
        norms = row_norms(joined)  # one call for both
        off_g = np.abs(norms[n:] - STANDARD_GRAVITY_MPS2)
        off = self._recent.add(new_time, new_acc, new_gyr, off_g)
        still = (norms[:n] < 0.5 * STILL_GYRO_RPS) & (off_g < STILL_ACC_MPS2)
        restart = self._restarts(new_time)
        if all_of(still) and restart is None:
            # The usual block at rest (or coming to it): one still run goes on, nothing moves.
            last_run = self._run + n
            moves: list[int] = []
            rests = [self.window - self._run - 1] if self._run < self.window <= last_run else []
        else:
            run = still_runs(still, np.zeros(n, dtype=bool) if restart is None else restart, self._run)
            last_run = int(run[-1])
            before = np.concatenate(([self._run], run[:-1]))
            # A movement breaks a still run of at least the window; the pelvis has come to
            # rest where a still run reaches the window again.
            moves = ((run == 0) & (before >= self.window)).nonzero()[0].tolist()
            rests = (run == self.window).nonzero()[0].tolist()
        if moves or rests or (self._moved_from_s is not None and not self._start_measured):
            self._settle(off, moves, rests, events)
        if last_run >= self.window:
            self._recent.keep(self.window)
        else:
            self._recent.keep(max(self.window, self._measured_samples(self._recent.time_s)))
        self._run = last_run
        self._last_time_s = float(new_time[-1])
        return events

    def _restarts(self, time_s: FloatArray) -> BoolArray | None:
        """Where a watched sample follows a gap longer than MAX_GAP_S; None where none does
        (as in a block, in time order, that ends within MAX_GAP_S of the last sample)."""
        if float(time_s[0]) >= self._last_time_s and float(time_s[-1]) - self._last_time_s <= MAX_GAP_S:
            return None
        restart = differences(time_s, self._last_time_s) > MAX_GAP_S
        return restart if np.count_nonzero(restart) else None

    def _settle(self, off: int, moves: list[int], rests: list[int], events: list[PostureChanged]) -> None:
        """Movements and rests at these new samples (indices from `off`), in time order, and a
        movement's start measured once it has gone on long enough."""
        time_s, acc = self._recent.time_s, self._recent.acc
        for i, rests_here in [
            *sorted([(i, False) for i in moves] + [(i, True) for i in rests]),
            (None, False),
        ]:
            j = time_s.size if i is None else off + i
            if self._moved_from_s is not None and not self._start_measured:
                self._measure_start(j, events)
            if i is None:
                break
            if not rests_here:
                self._moved_from_s = float(time_s[j - 1])
                self._up_before = _mean_row(acc[max(j - self.window, 0) : j])
                self._start_measured = False
            elif self._moved_from_s is not None:
                start_s = max(self._moved_from_s, time_s[j] - MEASURED_S - STILL_S)
                first = min(int(time_s.searchsorted(start_s)), j - self.window + 1)
                self._judge(first, j + 1, events)
                self._moved_from_s = None

    def _measure_start(self, stop: int, events: list[PostureChanged]) -> None:
        """A movement still under way `MEASURED_S` after it left a rest: how far did it rise so
        far, in the watched samples before `stop`? (A body that jumped to a bar swings there
        and may not come to rest for a long time.) Later measurements start from here. (Asked
        while one is not yet measured.)"""
        assert self._moved_from_s is not None
        recent = self._recent
        time_s, acc, gyr, off_g = recent.time_s[:stop], recent.acc, recent.gyr, recent.off_g
        k = int(time_s.searchsorted(self._moved_from_s + MEASURED_S))
        if k >= time_s.size:
            return
        first = int(time_s.searchsorted(self._moved_from_s))
        self._start_measured = True
        self._moved_from_s = float(time_s[k])
        if float(off_g[first : k + 1].max()) <= BRISK_MPS2:
            return
        measured = _rise(
            time_s[first : k + 1], acc[first : k + 1], gyr[first : k + 1], self._up_before, at_end=False
        )
        if measured is not None:
            self._step(_level_step(measured[0]), None, measured[1], float(time_s[k]), events)

    def _measured_samples(self, time_s: FloatArray) -> int:
        """Samples covering the last `MEASURED_S + STILL_S`: what a judgement may look back on."""
        first = int(time_s.searchsorted(time_s[-1] - MEASURED_S - STILL_S, side="left"))
        return time_s.size - max(first - 1, 0)

    def _judge(self, first: int, stop: int, events: list[PostureChanged]) -> None:
        """The pelvis has just come to rest: the watched samples from `first` to `stop` run
        from the last still one before the movement (or `MEASURED_S` before the rest), and
        the last `window` are still."""
        assert self._baseline is not None
        recent = self._recent
        time_s, acc = recent.time_s[first:stop], recent.acc[first:stop]
        gyr, off_g = recent.gyr[first:stop], recent.off_g[first:stop]
        up = _mean_row(acc[-self.window :])
        brisk = float(off_g.max()) > BRISK_MPS2
        measured = _rise(time_s, acc, gyr, up, at_end=True) if brisk else None
        tipped = _angle_deg(self._baseline.up, up) > UPRIGHT_DEG
        step = 0 if measured is None else _level_step(measured[0])
        self._step(step, tipped, float(time_s[-self.window]), float(time_s[-1]), events)

    def _step(
        self, step: int, tipped: bool | None, start_s: float, time_s: float, events: list[PostureChanged]
    ) -> None:
        """Move `step` levels, and to lying or upright by `tipped` (None: as before)."""
        if step > 0 and self.posture == "supine" and not self._upright_start and not tipped:
            # Risen without turning: the athlete was never lying, but stood and is now on a bar.
            self._upright_start = True
            tipped = False
            if self._baseline is not None and self._posture_from_s == self._baseline.time_s:
                # Standing since the baseline, then: said now, from then.
                self._tell("standing", self._baseline.time_s, time_s, events)
        if tipped is None:
            tipped = (self.posture == "supine") == self._upright_start
        if tipped == self._upright_start:
            posture = "supine"
        elif self.posture in LEVELS:
            posture = LEVELS[min(max(LEVELS.index(self.posture) + step, 0), len(LEVELS) - 1)]
        else:
            # Up from lying is sitting, unless the rise that showed a standing start took it.
            posture = "hanging" if step > 0 and self._upright_start else "sitting"
        self._tell(posture, start_s, time_s, events)

    def _tell(self, posture: str, start_s: float, time_s: float, events: list[PostureChanged]) -> None:
        if posture != self.posture:
            self.posture = posture
            self._posture_from_s = start_s
            events.append(PostureChanged(time_s, start_s, posture))


class _Recent:
    """The latest watched samples, in buffers with room to append (a live session adds a few
    at a time): views of what is kept, valid until the next `add` or `keep`."""

    def __init__(self) -> None:
        self._t = np.zeros(0)
        self._acc = np.zeros((0, 3))
        self._gyr = np.zeros((0, 3))
        self._off_g = np.zeros(0)
        self._start = 0
        self._end = 0

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def time_s(self) -> FloatArray:
        return self._t[self._start : self._end]

    @property
    def acc(self) -> FloatArray:
        return self._acc[self._start : self._end]

    @property
    def gyr(self) -> FloatArray:
        return self._gyr[self._start : self._end]

    @property
    def off_g(self) -> FloatArray:
        """How far each sample's |acc| is from 1 g, m/s^2 (worked out once, as it arrives)."""
        return self._off_g[self._start : self._end]

    def add(self, time_s: FloatArray, acc: FloatArray, gyr: FloatArray, off_g: FloatArray) -> int:
        """Append samples; returns how many were kept before them."""
        end = self._end + time_s.size
        if end > self._t.size:
            kept = self._end - self._start
            size = max(2 * (kept + time_s.size), MIN_ROOM)
            self._t, self._acc, self._gyr, self._off_g = (
                with_room(self.time_s, size),
                with_room(self.acc, size),
                with_room(self.gyr, size),
                with_room(self.off_g, size),
            )
            self._start, self._end, end = 0, kept, kept + time_s.size
        self._t[self._end : end] = time_s
        self._acc[self._end : end] = acc
        self._gyr[self._end : end] = gyr
        self._off_g[self._end : end] = off_g
        self._end = end
        return end - time_s.size - self._start

    def keep(self, n: int) -> None:
        """Forget all but the last `n` samples."""
        self._start = max(self._end - n, self._start)


def _level_step(rise_m: float) -> int:
    return int(rise_m >= RISE_M) - int(rise_m <= -RISE_M)


def _rise(
    time_s: FloatArray, acc: FloatArray, gyr: FloatArray, up: FloatArray, *, at_end: bool
) -> tuple[float, float] | None:
    """How far the sensor went up over the samples (m), and when it got 90 % of the way (s);
    None if it turned more than LEVEL_TURN_DEG or samples are missing.

    `up` is what the accelerometer read still (gravity, m/s^2) at the end (`at_end`) or at
    the start. The acceleration along gravity is integrated twice. Gravity's direction at
    each sample is `up` turned by the gyro: a pelvis turns about one axis (its tilt), so the
    summed rotation vector is its turn (curling up 15 degrees without that reads as a drop of
    0.3 m in a second). The speed is zero at the still end and taken as zero at the start (a
    still moment, or a swinging body at the end of its swing): `heights_m`.
    """
    step_s = np.diff(time_s)
    if step_s.size == 0 or float(step_s.max()) > MAX_GAP_IN_RISE_S:
        return None
    turned = np.concatenate(
        (np.zeros((1, 3)), np.cumsum(0.5 * (gyr[1:] + gyr[:-1]) * step_s[:, None], axis=0))
    )
    if at_end:
        turned -= turned[-1]
    if math.degrees(_norm(turned[0] - turned[-1])) > LEVEL_TURN_DEG:
        return None
    g = _norm(up)
    vertical = np.einsum("ij,ij->i", acc, _turned_back(up / g, turned)) - g
    height = heights_m(time_s, vertical, still_at_end=at_end)
    reached = int(np.argmax(np.abs(height) >= 0.9 * abs(float(height[-1]))))
    return float(height[-1]), float(time_s[reached])


def _turned_back(v: FloatArray, rotvec: FloatArray) -> FloatArray:
    """`v` (3,) turned by minus each rotation vector (n, 3) (Rodrigues' formula): a world
    direction in the frame of a sensor that has turned by `rotvec`."""
    angle = row_norms(rotvec)
    axis = rotvec / np.where(angle > 0.0, angle, 1.0)[:, None]
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return np.asarray(
        v * c - np.cross(axis, v) * s + axis * (axis @ v)[:, None] * (1.0 - c), dtype=np.float64
    )


def _angle_deg(a: FloatArray, b: FloatArray) -> float:
    cos = float(a @ b) / (_norm(a) * _norm(b))
    return math.degrees(math.acos(min(max(cos, -1.0), 1.0)))


def _mean_row(rows: FloatArray) -> FloatArray:
    """`rows.mean(axis=0)`, the same numbers (its sum divided by the count) without the
    wrapper's overhead: a pelvis comes to rest hundreds of times an hour."""
    return np.asarray(np.add.reduce(rows, axis=0) / rows.shape[0], dtype=np.float64)


def _norm(v: FloatArray) -> float:
    """`np.linalg.norm` of a vector (n,), the same number: the square root of its dot product."""
    return math.sqrt(float(v.dot(v)))
