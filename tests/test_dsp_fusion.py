"""`dsp._fusion.Fusion` joining the reps of two legs, on hand-built angle tracks."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dsp._fusion import Fusion
from dsp.events import Event, Rep
from dsp.lift import AngleTrack
from dsp.reps import RepCounter
from dsp.settings import Settings
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
