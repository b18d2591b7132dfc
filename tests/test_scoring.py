"""Scoring detected events against ground truth, on hand-built cases."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from dsp.events import Event, Rep, SetDone, TiltOnset, TiltRecovered
from dsp.scoring import (
    TiltMatch,
    TrueRep,
    TrueTiltEpisode,
    f1_score,
    latency_split,
    score_reps,
    score_tilt,
    series_errors,
    series_rmse,
)


def rep(start: float, end: float, *, ecc: float = 3.0, time: float | None = None, leg: str = "shin") -> Rep:
    """A detected rep over [start, end] with an eccentric of `ecc`, reported at `time` (end + 0.2)."""
    return Rep(
        time_s=end + 0.2 if time is None else time,
        index=0,
        set_index=0,
        leg=leg,
        start_s=start,
        top_s=start + 1.0,
        bottom_s=end,
        end_s=end,
        concentric_s=1.0,
        pause_top_s=0.0,
        eccentric_s=ecc,
        pause_bottom_s=0.0,
        rom_deg=80.0,
        peak_velocity_dps=90.0,
        partial=False,
        max_anterior_tilt_deg=None,
        flags=(),
    )


def truth(start: float, end: float, *, ecc: float = 3.0, set_index: int = 0, leg: str = "shin") -> TrueRep:
    return TrueRep(start, end, start + 1.0, end, ecc, set_index, leg)


def onset(onset_s: float, *, time: float | None = None, angle: float | None = 40.0) -> TiltOnset:
    t = onset_s + 0.3 if time is None else time
    return TiltOnset(
        time_s=t, onset_s=onset_s, threshold_s=onset_s + 0.2, tilt_deg=5.0, leg_angle_at_onset_deg=angle
    )


def episode(onset_s: float, end_s: float, *, angle: float = 42.0) -> TrueTiltEpisode:
    return TrueTiltEpisode(onset_s, onset_s + 0.25, end_s, 8.0, angle)


TRUE_REPS = [truth(0.0, 5.0, ecc=3.0), truth(6.0, 11.0, ecc=3.2), truth(12.0, 17.0, ecc=2.8)]


def test_perfect_match_pairs_every_rep_with_zero_errors() -> None:
    detected = [rep(t.start_s, t.end_s, ecc=t.eccentric_s) for t in TRUE_REPS]
    score = score_reps(detected, TRUE_REPS)
    assert [m.true for m in score.matches] == TRUE_REPS
    assert [m.detected for m in score.matches] == detected
    assert score.extra == ()
    assert score.missed == ()
    assert [(s.set_index, s.true_count, s.detected_count, s.error) for s in score.sets] == [(0, 3, 3, 0)]
    assert [m.eccentric_error_s for m in score.matches] == pytest.approx([0.0, 0.0, 0.0])
    assert [m.latency_s for m in score.matches] == pytest.approx([0.2, 0.2, 0.2])
    assert score.boundary_hits(0.0) == 3


def test_errors_are_detected_minus_true() -> None:
    score = score_reps([rep(0.25, 5.5, ecc=3.5, time=5.9)], [truth(0.0, 5.0, ecc=3.0)])
    (m,) = score.matches
    assert m.eccentric_error_s == pytest.approx(0.5)
    assert m.latency_s == pytest.approx(0.9)
    assert m.start_error_s == pytest.approx(0.25)
    assert m.end_error_s == pytest.approx(0.5)
    assert score.boundary_hits(0.3) == 0
    assert score.boundary_hits(0.5) == 1


def test_split_errors_compare_the_middles_of_the_gaps_between_consecutive_reps() -> None:
    # Labels with no gap (5 | 5) against reps that leave the 1 s between them to neither:
    # every boundary is 0.5 s off, but the split between the reps agrees.
    labels = [truth(0.0, 5.0), truth(5.0, 10.0), truth(10.0, 15.0)]
    score = score_reps([rep(0.5, 4.5), rep(5.5, 9.5), rep(10.5, 14.5)], labels)
    assert score.boundary_hits(0.3) == 0
    assert score.split_errors_s() == pytest.approx([0.0, 0.0])
    # The detection splitting 0.4 s late, then 0.2 s early.
    score = score_reps([rep(0.0, 5.4), rep(5.4, 9.8), rep(9.8, 15.0)], labels)
    assert score.split_errors_s() == pytest.approx([0.4, -0.2])


def test_split_errors_skip_a_missed_rep_and_the_other_leg() -> None:
    labels = [truth(0.0, 5.0), truth(6.0, 11.0), truth(12.0, 17.0), truth(18.0, 23.0, leg="shin_left")]
    detected = [rep(0.0, 5.0), rep(12.2, 17.0), rep(18.0, 23.0, leg="shin_left")]
    score = score_reps(detected, labels)
    assert [m.true for m in score.matches] == [labels[0], labels[2], labels[3]]
    assert score.split_errors_s() == []


def test_missed_rep_lowers_the_count_of_its_set() -> None:
    detected = [rep(0.1, 5.1), rep(12.1, 17.1)]
    score = score_reps(detected, TRUE_REPS)
    assert score.missed == (TRUE_REPS[1],)
    assert score.extra == ()
    assert [m.true for m in score.matches] == [TRUE_REPS[0], TRUE_REPS[2]]
    assert score.sets[0].error == -1


def test_extra_rep_counts_in_the_nearest_set() -> None:
    sets = [truth(0.0, 5.0, set_index=0), truth(6.0, 11.0, set_index=0), truth(60.0, 65.0, set_index=1)]
    fidget = rep(50.0, 51.0)  # in the rest, nearer set 1 (starts at 60) than set 0 (ends at 11)
    detected = [rep(0.0, 5.0), rep(6.0, 11.0), fidget, rep(60.0, 65.0)]
    score = score_reps(detected, sets)
    assert score.extra == (fidget,)
    assert score.missed == ()
    assert [(s.set_index, s.error) for s in score.sets] == [(0, 0), (1, 1)]


def test_a_detection_spanning_two_reps_matches_the_one_it_overlaps_most() -> None:
    merged = rep(2.0, 11.0)  # overlaps rep 0 by 3 s, rep 1 by 5 s
    score = score_reps([merged], TRUE_REPS[:2])
    assert [m.true for m in score.matches] == [TRUE_REPS[1]]
    assert score.missed == (TRUE_REPS[0],)
    assert score.sets[0].error == -1


def test_each_true_rep_is_used_once_the_better_overlap_wins() -> None:
    good = rep(0.0, 5.0)
    late_part = rep(4.0, 5.5)  # overlaps the same true rep, by less
    score = score_reps([late_part, good], TRUE_REPS[:1])
    assert [m.detected for m in score.matches] == [good]
    assert score.extra == (late_part,)
    assert score.sets[0].error == 1


def test_swapped_order_of_detections_gives_the_same_matches() -> None:
    detected = [rep(t.start_s + 0.1, t.end_s + 0.1, ecc=t.eccentric_s + 0.1) for t in TRUE_REPS]
    forward = score_reps(detected, TRUE_REPS)
    backward = score_reps(list(reversed(detected)), TRUE_REPS)
    assert forward == backward
    assert [m.detected for m in backward.matches] == detected  # reported in true-rep order


def test_touching_reps_do_not_overlap() -> None:
    score = score_reps([rep(5.0, 6.0)], [truth(0.0, 5.0), truth(6.0, 11.0)])
    assert score.matches == ()
    assert len(score.extra) == 1


def test_reps_pair_only_within_one_leg() -> None:
    true = [truth(0.0, 5.0, leg="shin_right"), truth(6.0, 11.0, leg="shin_left")]
    detected = [rep(0.0, 5.0, leg="shin_left"), rep(6.0, 11.0, leg="shin_left")]
    score = score_reps(detected, true)
    assert [m.true.leg for m in score.matches] == ["shin_left"]
    assert score.missed == (true[0],)
    assert score.extra == (detected[0],)


def test_other_events_are_ignored() -> None:
    others: list[Event] = [
        SetDone(20.0, 0, 0.0, 17.0, 3, 3, 3.0, 0.1, 0, None),
        TiltRecovered(3.0, 1.0, 2.0, 7.0, 40.0),
    ]
    score = score_reps([*others, rep(0.0, 5.0)], TRUE_REPS[:1])
    assert len(score.matches) == 1
    assert score_tilt(others, [episode(1.0, 2.0)]).matches == ()


def test_empty_inputs() -> None:
    none = score_reps([], [])
    assert (none.matches, none.extra, none.missed, none.sets) == ((), (), (), ())
    all_missed = score_reps([], TRUE_REPS)
    assert all_missed.missed == tuple(TRUE_REPS)
    assert [s.error for s in all_missed.sets] == [-3]
    no_truth = score_reps([rep(0.0, 5.0)], [])
    assert len(no_truth.extra) == 1
    assert no_truth.sets == ()
    tilt = score_tilt([], [])
    assert (tilt.precision, tilt.recall, tilt.f1) == (1.0, 1.0, 1.0)


def test_eccentric_error_is_nan_without_a_label() -> None:
    score = score_reps([rep(0.0, 5.0)], [TrueRep(0.0, 5.0)])
    assert math.isnan(score.matches[0].eccentric_error_s)


def test_true_rep_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="start_s <= end_s"):
        TrueRep(5.0, 4.0)


EPISODES = [episode(10.0, 12.0, angle=40.0), episode(20.0, 22.0, angle=35.0), episode(30.0, 31.0)]


def test_tilt_perfect_detection() -> None:
    detected = [
        onset(e.onset_s + 0.05, time=e.threshold_s + 0.1, angle=e.leg_angle_at_onset_deg + 1.0)
        for e in EPISODES
    ]
    score = score_tilt(detected, EPISODES)
    assert [m.true for m in score.matches] == EPISODES
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    assert [m.onset_error_s for m in score.matches] == pytest.approx([0.05] * 3)
    assert [m.leg_angle_error_deg for m in score.matches] == pytest.approx([1.0] * 3)
    assert [m.latency_s for m in score.matches] == pytest.approx([0.1] * 3)


def test_tilt_window_is_half_a_second_early_to_the_true_end() -> None:
    true = [episode(10.0, 12.0)]
    assert len(score_tilt([onset(9.5)], true).matches) == 1
    assert len(score_tilt([onset(12.0)], true).matches) == 1
    assert score_tilt([onset(9.49)], true).matches == ()
    assert score_tilt([onset(12.01)], true).matches == ()


def test_tilt_missed_and_extra_give_precision_recall_f1() -> None:
    detected = [onset(10.1), onset(20.1), onset(25.0), onset(26.0)]  # two right, two false alarms
    score = score_tilt(detected, EPISODES)  # the third episode is missed
    assert len(score.matches) == 2
    assert len(score.extra) == 2
    assert score.missed == (EPISODES[2],)
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(2 / 3)
    assert score.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_tilt_two_onsets_in_one_episode_the_closest_matches() -> None:
    early, close = onset(9.6), onset(10.05)
    score = score_tilt([early, close], EPISODES[:1])
    assert [m.detected for m in score.matches] == [close]
    assert score.extra == (early,)


def test_tilt_swapped_order_gives_the_same_matches() -> None:
    detected = [onset(e.onset_s + 0.1) for e in EPISODES]
    assert score_tilt(detected, EPISODES) == score_tilt(list(reversed(detected)), EPISODES)


def test_tilt_leg_angle_error_is_none_without_a_shin() -> None:
    (m,) = score_tilt([onset(10.0, angle=None)], EPISODES[:1]).matches
    assert m.leg_angle_error_deg is None


def test_f1_from_counts() -> None:
    assert f1_score(0, 0, 0) == 1.0
    assert f1_score(0, 1, 0) == 0.0
    assert f1_score(0, 0, 1) == 0.0
    assert f1_score(3, 1, 1) == pytest.approx(0.75)


def test_series_errors_interpolate_the_truth_and_skip_what_cannot_be_compared() -> None:
    true_t = np.arange(0.0, 10.01, 0.02)
    true_v = 2.0 * true_t  # a ramp: linear interpolation is exact
    t = np.array([-1.0, 0.5, 1.01, 3.333, 9.99, 10.5, 4.0])
    v = 2.0 * t + np.array([9.0, 0.1, -0.1, 0.1, -0.1, 9.0, np.nan])
    diff = series_errors(t, v, true_t, true_v)
    assert diff == pytest.approx([0.1, -0.1, 0.1, -0.1])
    assert series_rmse(t, v, true_t, true_v) == pytest.approx(0.1)


def test_series_rmse_none_when_nothing_overlaps() -> None:
    true_t = np.arange(0.0, 1.0, 0.02)
    assert series_rmse(np.array([5.0]), np.array([1.0]), true_t, np.zeros_like(true_t)) is None
    assert series_rmse(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0)) is None


def test_series_shapes_must_agree() -> None:
    with pytest.raises(ValueError, match="same shape"):
        series_errors(np.zeros(3), np.zeros(2), np.zeros(3), np.zeros(3))


def test_tilt_recovery_joins_its_onset_for_end_and_peak() -> None:
    detected: list[Event] = [
        onset(10.1),
        TiltRecovered(12.5, 10.1, 12.4, 9.0, 40.0),
        onset(20.1),  # not recovered yet
        TiltRecovered(40.0, 33.0, 39.0, 6.0, 40.0),  # closes an onset never seen: ignored
    ]
    first, second = score_tilt(detected, EPISODES[:2]).matches
    assert first.recovered is not None
    assert first.end_error_s == pytest.approx(0.4)
    assert first.peak_error_deg == pytest.approx(1.0)
    assert second.recovered is None
    assert second.end_error_s is None
    assert second.peak_error_deg is None


def test_rep_max_tilt_error_clamps_a_posterior_maximum_at_zero() -> None:
    def with_tilt(tilt: float | None) -> Rep:
        return dataclasses.replace(rep(0.0, 5.0), max_anterior_tilt_deg=tilt)

    true = [dataclasses.replace(truth(0.0, 5.0), max_anterior_tilt_deg=6.0)]
    assert score_reps([with_tilt(7.5)], true).matches[0].max_tilt_error_deg == pytest.approx(1.5)
    assert score_reps([with_tilt(-2.0)], true).matches[0].max_tilt_error_deg == pytest.approx(-6.0)
    assert score_reps([with_tilt(None)], true).matches[0].max_tilt_error_deg is None
    assert score_reps([with_tilt(7.5)], [truth(0.0, 5.0)]).matches[0].max_tilt_error_deg is None


def test_tilt_episodes_sharing_an_onset_pair_by_their_threshold_crossings() -> None:
    # One loss of control crossing the threshold three times: the true episodes share
    # their onset, and so do the detections; each pairs with its own crossing.
    truths = [TrueTiltEpisode(10.0, thr, thr + 1.0, 7.0, 40.0) for thr in (11.0, 14.0, 17.0)]
    detections = [
        TiltOnset(
            time_s=thr + 0.05, onset_s=10.02, threshold_s=thr, tilt_deg=5.0, leg_angle_at_onset_deg=40.0
        )
        for thr in (17.0, 11.0, 14.0)
    ]
    score = score_tilt(detections, truths)
    assert [m.detected.threshold_s for m in score.matches] == [11.0, 14.0, 17.0]
    assert all(m.latency_s == pytest.approx(0.05) for m in score.matches)


def test_tilt_recoveries_sharing_an_onset_join_their_own_episode() -> None:
    detected: list[Event] = [
        onset(10.1),
        TiltRecovered(12.5, 10.1, 12.4, 9.0, 40.0),
        TiltOnset(time_s=13.5, onset_s=10.1, threshold_s=13.4, tilt_deg=5.0, leg_angle_at_onset_deg=40.0),
        TiltRecovered(15.5, 10.1, 15.4, 11.0, 40.0),
    ]
    truths = [TrueTiltEpisode(10.0, 10.3, 12.0, 8.0, 42.0), TrueTiltEpisode(10.0, 13.4, 15.0, 10.0, 42.0)]
    first, second = score_tilt(detected, truths).matches
    assert first.recovered is not None
    assert first.recovered.end_s == 12.4
    assert second.recovered is not None
    assert second.recovered.end_s == 15.4
    assert second.peak_error_deg == pytest.approx(1.0)


def split_case(
    lost: slice | None = None, *, told_s: float = 10.09
) -> tuple[TiltMatch, np.ndarray, np.ndarray]:
    """A 50 Hz pelvis whose samples reach the events' timeline 10 ms after they are taken; the
    truth crosses at 10.005 s, the measured tilt at 10.085 s: the sample taken at 10.08 s, at
    10.09 s on the events' timeline, tells it at `told_s`."""
    taken = np.arange(0.0, 20.0, 0.02)
    keep = np.ones(taken.size, dtype=bool)
    if lost is not None:
        keep[lost] = False
    true = TrueTiltEpisode(9.0, 10.005, 12.0, 8.0, 40.0)
    told = TiltOnset(
        time_s=told_s, onset_s=9.1, threshold_s=10.085, tilt_deg=5.0, leg_angle_at_onset_deg=None
    )
    return TiltMatch(told, true), taken[keep] + 0.01, taken[keep]


def test_latency_split_adds_up_to_the_latency() -> None:
    match, time_s, taken_s = split_case()
    split = latency_split(match, time_s, taken_s)
    assert split is not None
    # The first sample taken after the crossing: 10.02 s, on the events' timeline 10.03 s.
    assert split.data_s == pytest.approx(0.025)
    assert split.lost_s == pytest.approx(0.0)
    assert split.measured_s == pytest.approx(0.06)
    assert split.waited_s == pytest.approx(0.0)
    assert split.pipeline_s == pytest.approx(0.06)
    assert split.data_s + split.lost_s + split.pipeline_s == pytest.approx(match.latency_s)


def test_latency_split_tells_the_wait_for_the_sign() -> None:
    match, time_s, taken_s = split_case(told_s=10.59)
    split = latency_split(match, time_s, taken_s)
    assert split is not None
    assert (split.data_s, split.lost_s) == pytest.approx((0.025, 0.0))
    assert (split.measured_s, split.waited_s) == pytest.approx((0.06, 0.5))
    assert split.pipeline_s == pytest.approx(0.56)


def test_latency_split_counts_samples_lost_at_the_crossing_as_data() -> None:
    # 10.02 to 10.06 s lost: the first sample past the crossing that came was taken at 10.08 s.
    match, time_s, taken_s = split_case(slice(501, 504))
    split = latency_split(match, time_s, taken_s)
    assert split is not None
    assert split.data_s == pytest.approx(0.085)
    assert split.lost_s == pytest.approx(0.0)
    assert split.pipeline_s == pytest.approx(0.0)


def test_latency_split_counts_samples_lost_before_the_measured_crossing() -> None:
    # 10.04 and 10.06 s lost: after 10.02 s, the next sample came at 10.08 s.
    match, time_s, taken_s = split_case(slice(502, 504))
    split = latency_split(match, time_s, taken_s)
    assert split is not None
    assert split.data_s == pytest.approx(0.025)
    assert split.lost_s == pytest.approx(0.04)
    assert split.pipeline_s == pytest.approx(0.02)


def test_latency_split_needs_a_sample_after_the_crossing() -> None:
    match, time_s, taken_s = split_case()
    assert latency_split(match, time_s[:400], taken_s[:400]) is None
    with pytest.raises(ValueError, match="one taken_s per sample"):
        latency_split(match, time_s, taken_s[:-1])
