"""Noticing that a shin strap was turned: the leg then turns about another axis in the sensor frame.

A leg turns about its lift axis (the hip's and the knee's, across the body). Once that axis
is known, each bout of movement (the gyro above `BOUT_RPS` until it stays under it for
`BOUT_END_S`) that turns the sensor through `MIN_BOUT_DEG` or more about a principal axis
over `OFF_AXIS_DEG` off the lift axis is out of the plane the leg works in. `OFF_BOUTS` such
bouts in a row about one axis (a raise, its lowering and the next raise) say the sensor now
sits differently on the shin, and `dsp.lift` learns the axis again. Fewer are not enough:
rolling to the side, shifting and getting up turn a leg about other axes now and then (a
real athlete lying prone did so twice in a row, back and forth, between two sets).

The decision is per sample, with the bout in progress carried between blocks: the same
samples give the same decision however they are split.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from dsp._geometry import principal_axis_of_scatter, row_norms

FloatArray = npt.NDArray[np.float64]

BOUT_RPS = 0.15
"""A bout of movement turns the sensor faster than this (8.6 deg/s: an 8 s lowering peaks at 20)."""
BOUT_END_S = 0.3
"""...and ends once it has turned slower than that for this long."""
MIN_BOUT_DEG = 20.0
"""Smaller bouts (a twitch, a fidget) are not judged."""
OFF_AXIS_DEG = 35.0
"""A bout whose principal axis lies further than this from the lift axis is off it (a leg
lifted well inside its plane stays within 10 to 15 degrees of it)."""
SAME_AXIS_DEG = 20.0
"""Off-axis bouts whose axes lie within this of the first's turn about the same axis."""
OFF_BOUTS = 4
"""Off-axis bouts in a row about one axis that show the strap was turned."""


class StrapWatch:
    """Bouts of one shin's movement against its lift axis, block by block."""

    def __init__(self, rate_hz: float) -> None:
        self._dt_s = 1.0 / rate_hz
        self._end_n = max(1, round(BOUT_END_S * rate_hz))
        self._quiet_n = self._end_n  # quiet samples so far: no bout open at the start
        self._scatter = np.zeros((3, 3))  # sum of g g^T over the bout's moving samples
        self._turned_rad = 0.0
        self._bout_start_s = math.nan
        self._off_axis: FloatArray | None = None  # the axis of the off-axis bouts in a row
        self._off_bouts = 0
        self.run_start_s = math.nan
        """When the first of the off-axis bouts in a row started (its first fast sample)."""

    def update(self, time_s: FloatArray, gyr_rps: FloatArray, axis: FloatArray) -> int | None:
        """Take the samples' times and gyro (bias removed, rad/s, rows are samples) and the
        lift axis (unit, sensor frame); return the index of the sample that ended the
        `OFF_BOUTS`-th off-axis bout in a row about one axis (the strap was turned), or None."""
        n = gyr_rps.shape[0]
        if not n:
            return None
        speed = row_norms(gyr_rps)
        moving = speed > BOUT_RPS
        idx = np.arange(n)
        # Quiet samples up to each one, the last block's run carried in.
        last_move = np.maximum.accumulate(np.where(moving, idx, -1 - self._quiet_n))
        quiet_n = idx - last_move
        start = 0
        for end in np.flatnonzero(quiet_n == self._end_n).tolist():
            self._add(
                time_s[start : end + 1],
                gyr_rps[start : end + 1],
                speed[start : end + 1],
                moving[start : end + 1],
            )
            start = end + 1
            if self._bout_ended(axis):
                return int(end)
        self._add(time_s[start:], gyr_rps[start:], speed[start:], moving[start:])
        self._quiet_n = int(quiet_n[-1])
        return None

    def _add(
        self, time_s: FloatArray, gyr_rps: FloatArray, speed: FloatArray, moving: npt.NDArray[np.bool_]
    ) -> None:
        if moving.any():
            if self._turned_rad == 0.0:
                self._bout_start_s = float(time_s[int(np.argmax(moving))])
            g = gyr_rps[moving]
            self._scatter += g.T @ g
            self._turned_rad += float(speed[moving].sum()) * self._dt_s

    def _bout_ended(self, axis: FloatArray) -> bool:
        """Judge the bout that just ended; True when it makes `OFF_BOUTS` off-axis ones in a row."""
        scatter, turned_rad = self._scatter, self._turned_rad
        self._scatter, self._turned_rad = np.zeros((3, 3)), 0.0
        if turned_rad < math.radians(MIN_BOUT_DEG):
            return False
        turn_axis = principal_axis_of_scatter(scatter)
        if abs(float(turn_axis @ axis)) >= math.cos(math.radians(OFF_AXIS_DEG)):
            self._off_axis, self._off_bouts = None, 0
            return False
        if self._off_axis is None or abs(float(turn_axis @ self._off_axis)) <= math.cos(
            math.radians(SAME_AXIS_DEG)
        ):
            self._off_axis, self._off_bouts = turn_axis, 0
            self.run_start_s = self._bout_start_s
        self._off_bouts += 1
        return self._off_bouts >= OFF_BOUTS
