"""Tilt episodes on hand-built tilt series, and the validation of
`dsp.settings.Settings` and `dsp.events`.

The tilt series are closed-form (power laws, piecewise-linear ramps), so every crossing
time is known exactly; the onset model of `dsp.tilt` (tilt growing as a power 1.5 of the
time since the onset) is checked on a series that follows it.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsp.events import (
    FLAGS,
    PHASES,
    Calibrated,
    Event,
    Phase,
    Rep,
    SetDone,
    TiltOnset,
    TiltRecovered,
    event_dict,
)
from dsp.settings import Settings
from dsp.tilt import HYSTERESIS_DEG, ONSET_POWER, TiltEpisode, TiltEpisodes, _last_under

FloatArray = npt.NDArray[np.float64]
THRESHOLD_DEG = 5.0
RATE_HZ = 100.0


def piecewise(
    points: Sequence[tuple[float, float]], *, rate_hz: float = RATE_HZ
) -> tuple[FloatArray, FloatArray]:
    """A piecewise-linear tilt through (time_s, deg) corners, sampled from the first corner."""
    t = points[0][0] + np.arange(math.floor((points[-1][0] - points[0][0]) * rate_hz)) / rate_hz
    return t, np.interp(t, [p[0] for p in points], [p[1] for p in points])


def crossing(points: Sequence[tuple[float, float]], level: float, after_s: float = -math.inf) -> float:
    """Exact time a piecewise-linear series crosses `level` first after `after_s`."""
    for (t0, x0), (t1, x1) in itertools.pairwise(points):
        if t1 <= after_s or x0 == x1:
            continue
        f = (level - x0) / (x1 - x0)
        if 0.0 <= f <= 1.0 and t0 + f * (t1 - t0) > after_s:
            return t0 + f * (t1 - t0)
    raise AssertionError(f"no crossing of {level}")


def episodes(t: FloatArray, x: FloatArray, *, block: int | None = None) -> list[TiltEpisode]:
    finder = TiltEpisodes(THRESHOLD_DEG)
    if block is None:
        return finder.update(t, x)
    out: list[TiltEpisode] = []
    for i in range(0, t.size, block):
        out += finder.update(t[i : i + block], x[i : i + block])
    return out


# -- onset -------------------------------------------------------------------------------


@pytest.mark.parametrize(("onset_s", "growth"), [(3.0, 2.0), (3.456, 0.7), (10.0, 8.0)])
def test_onset_is_extrapolated_from_a_tilt_that_grows_as_the_model_says(
    onset_s: float, growth: float
) -> None:
    """Tilt = growth * (t - onset) ** 1.5 after a still baseline: the onset is found back."""
    t = np.arange(0.0, onset_s + (12.0 / growth) ** (1 / ONSET_POWER), 1 / RATE_HZ)
    x = growth * np.clip(t - onset_s, 0.0, None) ** ONSET_POWER
    opened, *rest = episodes(t, x)
    assert rest == []  # still above the threshold at the end
    threshold_s = onset_s + (THRESHOLD_DEG / growth) ** (1 / ONSET_POWER)
    assert opened.end_s is None
    assert opened.onset_s == pytest.approx(onset_s, abs=0.01)
    # Linear interpolation of a curve with this little curvature: well under a millisecond.
    assert opened.threshold_s == pytest.approx(threshold_s, abs=0.001)
    assert opened.tilt_deg == THRESHOLD_DEG
    # Known at the first sample over the threshold.
    assert threshold_s <= opened.known_s < threshold_s + 1 / RATE_HZ + 1e-9
    assert opened.peak_deg == pytest.approx(float(np.interp(opened.known_s, t, x)))


def test_onset_is_never_after_the_tilt_left_the_baseline_band() -> None:
    """Whatever the shape of the rise, the onset comes before the tilt passed 0.5 deg."""
    points = [(0.0, 0.0), (4.0, 0.0), (4.2, 0.4), (6.0, 0.6), (6.5, 7.0), (9.0, 7.0)]
    t, x = piecewise(points)
    opened = episodes(t, x)[0]
    assert opened.onset_s <= crossing(points, 0.5) + 1e-9
    assert opened.onset_s <= opened.threshold_s


def test_a_tilt_held_above_its_baseline_before_it_rises_began_when_it_left_the_baseline() -> None:
    """Held at 0.4 deg for 2 s (the load barely beats the core at the top of a raise), then
    the legs come down: control was lost when the tilt left its baseline, not at the rise."""
    points = [(0.0, 0.0), (4.0, 0.0), (4.3, 0.4), (6.5, 0.4), (6.8, 7.0), (9.0, 7.0)]
    t, x = piecewise(points)
    x = x + 0.05 * np.sin(2 * np.pi * 7.3 * t)  # noise of the held level
    opened = episodes(t, x)[0]
    assert opened.onset_s == pytest.approx(4.0, abs=0.05)


GROWTH = 6.0
"""Tilt growth of the suite's straight-leg lifts, deg / s ** ONSET_POWER."""


def _fall_then_rise(level_deg: float, held_s: float) -> tuple[FloatArray, FloatArray, float]:
    """A power-law rise from a still baseline (onset at 2 s) to 10 deg, a fall back as a
    pelvis returns (time constant 0.25 s) towards `level_deg`, held there `held_s`, then a
    second rise (its start returned)."""
    t = np.arange(0.0, 8.0, 1 / RATE_HZ)
    x = GROWTH * np.clip(t - 2.0, 0.0, None) ** ONSET_POWER
    top_s = 2.0 + (10.0 / GROWTH) ** (1 / ONSET_POWER)
    fall = t >= top_s
    x[fall] = level_deg + (10.0 - level_deg) * np.exp(-(t[fall] - top_s) / 0.25)
    rise_s = top_s + 1.0 + held_s
    rising = t >= rise_s
    x[rising] += GROWTH * (t[rising] - rise_s) ** ONSET_POWER
    return t, x, rise_s


@pytest.mark.parametrize("level_deg", [0.4, 1.5])
def test_an_episode_that_falls_back_to_a_hold_and_rises_again_shares_the_first_onset(
    level_deg: float,
) -> None:
    """Back under the threshold but held off the baseline (under the lower onset level, or
    over it): the same loss of control."""
    t, x, _ = _fall_then_rise(level_deg, 1.5)
    first, ended, second, *_ = episodes(t, x)
    assert ended.end_s is not None
    assert second.end_s is None
    assert second.onset_s == first.onset_s == pytest.approx(2.0, abs=0.01)
    assert episodes(t, x, block=1) == episodes(t, x)


@pytest.mark.parametrize(("level_deg", "held_s"), [(0.0, 1.5), (0.0, -0.2), (0.0, -0.45), (0.1, 1.5)])
def test_an_episode_that_falls_back_towards_the_baseline_has_its_own_onset(
    level_deg: float, held_s: float
) -> None:
    """Back at the baseline, or rising again while still falling towards it (no hold: from
    under the lower onset level, or from about 1 degree), or held within the baseline's noise: a
    new onset, at the second rise."""
    t, x, rise_s = _fall_then_rise(level_deg, held_s)
    first, ended, second, *_ = episodes(t, x)
    assert first.onset_s == pytest.approx(2.0, abs=0.01)
    assert ended.end_s is not None
    assert ended.end_s < second.onset_s
    assert second.onset_s == pytest.approx(rise_s, abs=0.2)


# -- threshold, hysteresis, peak ---------------------------------------------------------


def test_threshold_crossing_and_end_on_a_ramp() -> None:
    points = [(0.0, 0.0), (2.0, 0.0), (5.123, 8.0), (7.0, 8.0), (10.0, 0.0), (12.0, 0.0)]
    t, x = piecewise(points)
    opened, ended = episodes(t, x)
    threshold_s = crossing(points, THRESHOLD_DEG)
    end_s = crossing(points, THRESHOLD_DEG - HYSTERESIS_DEG, after_s=7.0)
    # The series is linear between samples: the crossings are exact.
    assert opened.threshold_s == pytest.approx(threshold_s, abs=1e-9)
    assert ended.threshold_s == opened.threshold_s
    assert ended.onset_s == opened.onset_s
    assert opened.end_s is None
    assert ended.end_s == pytest.approx(end_s, abs=1e-9)
    assert end_s <= ended.known_s < end_s + 1 / RATE_HZ + 1e-9
    assert ended.peak_deg == pytest.approx(8.0)


def test_a_dip_within_the_hysteresis_does_not_end_the_episode() -> None:
    dip = THRESHOLD_DEG - HYSTERESIS_DEG / 2  # under the threshold, not by the hysteresis
    points = [(0.0, 0.0), (2.0, 0.0), (4.0, 7.0), (5.0, dip), (6.0, 6.5), (8.0, 0.0), (9.0, 0.0)]
    t, x = piecewise(points)
    opened, ended = episodes(t, x)
    assert opened.end_s is None
    assert ended.end_s == pytest.approx(crossing(points, THRESHOLD_DEG - HYSTERESIS_DEG, after_s=6.0))
    assert ended.peak_deg == pytest.approx(7.0)


def test_a_dip_beyond_the_hysteresis_makes_two_episodes() -> None:
    dip = THRESHOLD_DEG - 2 * HYSTERESIS_DEG
    points = [(0.0, 0.0), (2.0, 0.0), (4.0, 7.0), (5.0, dip), (6.0, 9.0), (8.0, 0.0), (9.0, 0.0)]
    t, x = piecewise(points)
    found = episodes(t, x)
    assert [e.end_s is None for e in found] == [True, False, True, False]
    assert [e.peak_deg for e in found[1::2]] == pytest.approx([7.0, 9.0])
    assert found[2].threshold_s == pytest.approx(crossing(points, THRESHOLD_DEG, after_s=5.0))
    assert found[1].end_s == pytest.approx(crossing(points, THRESHOLD_DEG - HYSTERESIS_DEG, after_s=4.0))


def test_tilt_under_the_threshold_is_no_episode() -> None:
    t, x = piecewise([(0.0, 0.0), (3.0, THRESHOLD_DEG - 0.01), (6.0, -20.0), (8.0, 0.0)])
    assert episodes(t, x) == []


def test_posterior_tilt_is_no_episode() -> None:
    t, x = piecewise([(0.0, 0.0), (3.0, -30.0), (6.0, 0.0)])
    assert episodes(t, x) == []


def test_peak_grows_while_the_episode_lasts() -> None:
    """The onset carries the tilt when it was told; the end carries the episode's largest."""
    points = [(0.0, 0.0), (2.0, 0.0), (3.0, 6.0), (4.0, 6.0), (5.0, 12.5), (7.0, 0.0)]
    t, x = piecewise(points)
    opened, ended = episodes(t, x, block=50)
    assert THRESHOLD_DEG < opened.peak_deg < THRESHOLD_DEG + 0.1
    assert ended.peak_deg == pytest.approx(12.5, abs=0.07)


# -- block invariance --------------------------------------------------------------------

_SERIES_POINTS = [
    (0.0, 0.0),
    (3.0, 0.2),
    (4.0, 6.0),
    (5.0, 4.5),
    (5.5, 7.5),
    (7.0, 2.0),
    (9.0, 0.0),
    (11.0, 9.0),
    (11.5, 3.9),
    (12.0, 5.5),
    (14.0, -3.0),
    (20.0, -3.0),
    (22.0, 8.0),
    (40.0, 8.0),
    (41.0, 0.0),
    (45.0, 0.0),
]
SERIES_T, SERIES_X = piecewise(_SERIES_POINTS)
SERIES_X = SERIES_X + 0.05 * np.sin(2 * np.pi * 3.3 * SERIES_T)
WHOLE = episodes(SERIES_T, SERIES_X)


def test_reference_series_has_its_episodes() -> None:
    assert [e.end_s is None for e in WHOLE] == [True, False] * 4


@given(cuts=st.lists(st.integers(1, SERIES_T.size - 1), max_size=30))
@settings(max_examples=60, deadline=None)
def test_episodes_do_not_depend_on_the_blocks(cuts: list[int]) -> None:
    edges = [0, *sorted(set(cuts)), SERIES_T.size]
    finder = TiltEpisodes(THRESHOLD_DEG)
    out: list[TiltEpisode] = []
    for a, b in itertools.pairwise(edges):
        out += finder.update(SERIES_T[a:b], SERIES_X[a:b])
    assert out == WHOLE


def test_episodes_one_sample_at_a_time() -> None:
    assert episodes(SERIES_T, SERIES_X, block=1) == WHOLE


def test_onset_of_a_slow_creep_does_not_depend_on_the_blocks() -> None:
    t, x = piecewise([(0.0, 0.0), (2.0, 0.0), (62.0, 6.0), (70.0, 6.0), (76.0, 0.0), (80.0, 0.0)])
    assert episodes(t, x, block=100) == episodes(t, x)


# -- settings ----------------------------------------------------------------------------

SETTING_NAMES = [f.name for f in fields(Settings)]


def test_default_settings_are_valid_and_positive() -> None:
    s = Settings()
    assert all(getattr(s, name) > 0 for name in SETTING_NAMES)
    assert 0 < s.partial_fraction < 1


@pytest.mark.parametrize("name", SETTING_NAMES)
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, -math.inf, "3"])
def test_settings_reject_bad_values_naming_the_field(name: str, bad: object) -> None:
    with pytest.raises(ValueError, match=name):
        Settings(**{name: bad})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1.0, 1.5])
def test_partial_fraction_must_be_under_one(value: float) -> None:
    with pytest.raises(ValueError, match="partial_fraction"):
        Settings(partial_fraction=value)


def test_settings_from_dict() -> None:
    s = Settings.from_dict({"set_rest_s": 20, "tilt_threshold_deg": 7.5})
    assert s == Settings(set_rest_s=20.0, tilt_threshold_deg=7.5)
    assert isinstance(s.set_rest_s, float)
    assert Settings.from_dict({}) == Settings()


def test_settings_from_dict_unknown_key_names_where_and_the_key() -> None:
    with pytest.raises(ValueError, match="unknown setting") as info:
        Settings.from_dict({"set_rest_s": 20, "min_rom": 10}, where="reptempo.toml [dsp]")
    message = str(info.value)
    assert message.startswith("reptempo.toml [dsp]: ")
    assert "'min_rom'" in message
    # ... and says what is known, so the typo can be fixed.
    assert all(name in message for name in SETTING_NAMES)


def test_settings_from_dict_bad_value_names_where_and_the_key() -> None:
    with pytest.raises(ValueError, match=r"^cfg \[dsp\]: .*min_rom_deg"):
        Settings.from_dict({"min_rom_deg": -3}, where="cfg [dsp]")


@pytest.mark.parametrize("bad", ["abc", None, [1.0]])
def test_settings_from_dict_non_number_names_the_key(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^cfg \[dsp\]: .*min_rom_deg"):
        Settings.from_dict({"min_rom_deg": bad}, where="cfg [dsp]")


def test_settings_reject_booleans() -> None:
    with pytest.raises(ValueError, match="min_rom_deg"):
        Settings.from_dict({"min_rom_deg": True})


# -- events ------------------------------------------------------------------------------


def make_rep(**changes: Any) -> Rep:
    values: dict[str, Any] = {
        "time_s": 12.0,
        "index": 0,
        "set_index": 0,
        "leg": "shin",
        "start_s": 2.0,
        "top_s": 4.0,
        "bottom_s": 9.1,
        "end_s": 10.0,
        "concentric_s": 2.0,
        "pause_top_s": 1.0,
        "eccentric_s": 4.1,
        "pause_bottom_s": 0.9,
        "rom_deg": 60.0,
        "peak_velocity_dps": 56.0,
        "partial": False,
        "max_anterior_tilt_deg": None,
        "flags": (),
    }
    values.update(changes)
    return Rep(**values)


def test_a_valid_rep_and_its_tempo() -> None:
    rep = make_rep(flags=("partial", "tilt"), max_anterior_tilt_deg=7.25)
    # Eccentric-bottom-concentric-top.
    assert rep.tempo == "4.1-0.9-2.0-1.0"


@pytest.mark.parametrize("name", ["concentric_s", "pause_top_s", "eccentric_s", "pause_bottom_s"])
def test_rep_rejects_negative_durations(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        make_rep(**{name: -0.1})


@pytest.mark.parametrize(
    "name",
    [
        "start_s",
        "top_s",
        "bottom_s",
        "end_s",
        "rom_deg",
        "peak_velocity_dps",
        "eccentric_s",
        "max_anterior_tilt_deg",
        "max_posterior_tilt_deg",
    ],
)
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_rep_rejects_non_finite_values(name: str, bad: float) -> None:
    with pytest.raises(ValueError, match=name):
        make_rep(**{name: bad})


def test_rep_rejects_an_end_before_its_start() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        make_rep(start_s=10.0, end_s=9.0)


@pytest.mark.parametrize("flag", ["fast", "Partial", ""])
def test_rep_rejects_unknown_flags(flag: str) -> None:
    with pytest.raises(ValueError, match="unknown flags"):
        make_rep(flags=("swing", flag))


def test_rep_accepts_every_known_flag() -> None:
    assert make_rep(flags=FLAGS).flags == FLAGS


@pytest.mark.parametrize("phase", ["raise", "Top", "lowering", ""])
def test_phase_rejects_unknown_phases(phase: str) -> None:
    with pytest.raises(ValueError, match="phase must be one of"):
        Phase(1.0, "shin", phase, 1.0, 0.0)


@pytest.mark.parametrize("phase", PHASES)
def test_phase_accepts_every_known_phase(phase: str) -> None:
    assert Phase(1.0, "shin", phase, 1.0, 0.0).phase == phase


def test_calibrated_rejects_unknown_values() -> None:
    with pytest.raises(ValueError, match="what must be"):
        Calibrated(1.0, "shin", "gyro")


ALL_EVENTS: list[Event] = [
    Calibrated(1.0, "pelvis", "rest", (0.5, -0.25, 0.125)),
    Phase(3.0, "shin", "top", 4.0, 59.5),
    make_rep(flags=("eccentric_too_fast", "swing"), max_anterior_tilt_deg=6.5),
    TiltOnset(8.1, 7.9, 8.05, 5.0, 42.0),
    TiltRecovered(10.5, 7.9, 10.4, 12.5, None),
    SetDone(40.0, 0, 2.0, 25.0, 3, 2, 3.9, 0.4, 1, 42.0),
]


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: e.kind)
def test_event_dict_names_the_kind_and_every_field(event: Event) -> None:
    out = event_dict(event)
    assert next(iter(out)) == "type"
    assert out["type"] == event.kind
    names = [f.name for f in fields(event)]
    assert [k for k in out if k not in ("type", "tempo")] == names
    for name in names:
        value = getattr(event, name)
        assert out[name] == (list(value) if isinstance(value, tuple) else value)
        assert not isinstance(out[name], tuple)
    # JSON-ready, and back.
    assert json.loads(json.dumps(out)) == out


def test_event_kinds_are_distinct() -> None:
    assert len({e.kind for e in ALL_EVENTS}) == len(ALL_EVENTS)


def test_event_dict_of_a_rep_adds_its_tempo() -> None:
    rep = make_rep(
        eccentric_s=3.96, pause_bottom_s=0.0, concentric_s=1.54, pause_top_s=1.01, flags=("swing",)
    )
    out = event_dict(rep)
    assert out["tempo"] == "4.0-0.0-1.5-1.0"
    assert out["flags"] == ["swing"]
    assert out["max_anterior_tilt_deg"] is None
    assert "tempo" not in event_dict(ALL_EVENTS[0])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 3.0]), min_size=0, max_size=400),
    st.integers(0, 400),
    st.integers(0, 400),
    st.sampled_from([0.0, 0.5, 2.0]),
    st.booleans(),
)
def test_the_last_sample_under_a_level_is_found_looking_back_a_stretch_at_a_time(
    values: list[float], lo: int, hi: int, level: float, strict: bool
) -> None:
    # Stretches of 64, 256, ... samples back from hi: the same index as looking at all of them.
    x = np.array(values)
    lo, hi = min(lo, x.size), min(hi, x.size)
    part = x[lo:hi]
    under = np.flatnonzero(part < level if strict else part <= level)
    assert _last_under(x, lo, hi, level, strict=strict) == (lo + int(under[-1]) if under.size else -1)
