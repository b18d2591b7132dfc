"""`dsp._fusion.Fusion` joining the reps of two legs, on hand-built angle tracks."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from dsp._fusion import Fusion
from dsp.events import Event, Rep, TiltOnset
from dsp.lift import AngleTrack
from dsp.reps import RepCounter
from dsp.settings import Settings
from dsp.tilt import TiltTrack
from tests.test_dsp_reps import RATE_HZ, Move, motion

HELD = 5.0
"""Tremor of a leg held up (dsp.tremor); 1 is a leg at rest."""
TAP = [Move(2.0, -45.0), Move(0.5), Move(1.5, 0.0)]
"""A heel tap: the leg held level with its rest angle (knees over the hips), lowered to
tap the floor and raised again: 4 s."""


def _run(tracks: dict[str, AngleTrack], block_s: float = 2.0) -> list[Event]:
    """Both legs through their counters and one Fusion, block by block, in step."""
    settings = Settings()
    fusion = Fusion(settings, legs=list(tracks), has_pelvis=False)
    counters = {leg: RepCounter(leg, settings) for leg in tracks}
    step = round(block_s * RATE_HZ)
    n = max(len(t) for t in tracks.values())
    events: list[Event] = []
    for i in range(0, n, step):
        for leg, track in tracks.items():
            for part in track.pieces([i, i + step])[1:2]:
                events += fusion.add_leg(leg, part, counters[leg].update(part))
    for leg in tracks:
        events += fusion.add_leg(leg, None, counters[leg].finish())
    return events + fusion.finish()


def _leg(leg: str, moves: Sequence[Move], held: Sequence[tuple[float, float]]) -> AngleTrack:
    track = motion(moves, tremor_spans=[(a, b, HELD) for a, b in held] + [(0.0, 0.0, 1.0)])
    return dataclasses.replace(track, role=leg)


def test_both_legs_at_once_in_a_set_where_they_take_turns_is_no_rep() -> None:
    """Heel taps, right and left in turn (each holds still while the other taps), then both
    legs lowered together and raised again (the athlete drawing the knees up to shift the
    hips): four reps, not six."""
    wait = [Move(4.0)]
    shift = [Move(2.0), Move(1.2, -45.0), Move(1.5), Move(1.2, 0.0), Move(5.0)]
    right = [Move(3.0), *TAP, *wait, *TAP, *wait, *shift]
    left = [Move(3.0), *wait, *TAP, *wait, *TAP, *shift]
    held = [(1.0, 21.0)]  # shaking until the knees are drawn up (put down, the shin level)
    events = _run({"shin_right": _leg("shin_right", right, held), "shin_left": _leg("shin_left", left, held)})
    reps = [e for e in events if isinstance(e, Rep)]
    assert [(r.leg, round(r.start_s, 1)) for r in reps] == [
        ("shin_right", 3.0),
        ("shin_left", 7.0),
        ("shin_right", 11.0),
        ("shin_left", 15.0),
    ]


def test_tilt_is_told_when_a_bent_leg_passes_its_rest_angle_at_the_onset() -> None:
    """Dead bug: the working shin goes from below its rest angle to above it (tabletop to
    extended), passing through it just as the pelvis starts to tip; the held leg's shin
    lies level, at its rest angle. The legs are not at rest at the threshold crossing, so
    the episode is the core losing control, not the athlete sitting up."""
    rate = 50.0
    t = np.arange(0.0, 20.0, 1.0 / rate)
    right = np.interp(t, [0, 8, 11, 14, 16, 20], [-4, -4, 8, 8, -4, -4])
    left = np.full_like(t, 1.0)
    since = np.clip(t - 9.0, 0.0, None)
    raw = np.interp(t, [0, 14, 15, 20], [1, 1, 0, 0]) * np.minimum(8.0 * (since / 1.5) ** 1.5, 8.0)
    fusion = Fusion(Settings(), legs=["shin_right", "shin_left"], has_pelvis=True)
    events: list[Event] = []
    for leg, angle in (("shin_right", right), ("shin_left", left)):
        track = AngleTrack(
            leg, t, angle, np.gradient(angle, t), np.zeros(t.size, dtype=bool), 0.0, np.full(t.size, HELD)
        )
        events += fusion.add_leg(leg, track, [])
    events += fusion.add_pelvis(TiltTrack(t, raw))
    events += fusion.finish()
    onsets = [e for e in events if isinstance(e, TiltOnset)]
    assert len(onsets) == 1
    assert abs(float(np.interp(onsets[0].onset_s, t, right))) < 2.0  # at rest, just then
