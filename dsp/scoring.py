"""Scoring detected events against ground truth: rep matching, tilt episode matching, errors.

Pure and deterministic: detected events (`Rep`, `TiltOnset`) and the truth as plain frozen
dataclasses in, matches and errors out. The truth types are this module's own so that
`dsp` never imports `imu_reader`: whoever holds labels (the simulator, hand-labelled
recordings) converts them.

- Reps are matched one to one by time overlap: pairs are taken in order of decreasing
  overlap of `[start_s, end_s]`, each detected and each true rep used at most once, so a
  detected rep gets the true rep it overlaps most unless a better-overlapping detection
  already took it. Only reps of the same leg are paired.
- A detected tilt onset matches a true episode when its `onset_s` falls within
  `[true onset_s - ONSET_EARLY_S, true end_s]`; pairs are taken closest onsets first (and,
  between equally close ones, closest threshold crossings: the episodes of one loss of
  control share its onset), each used once. The `TiltRecovered` that closes a detected
  episode (the first after it with the same `onset_s`) joins its match, for the
  episode's end and peak. `latency_split` tells how much of a matched onset's latency the
  data caused (the first sample past the true crossing came late, or samples were lost)
  and how much is the pipeline's own.
- Postures are compared as timelines: from the first told posture (its `start_s`) to the
  end, the share of time the told posture is the true one; a true change is found when a
  `PostureChanged` to the same posture starts within `POSTURE_CHANGE_S` of it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsp.events import Event, PostureChanged, Rep, TiltOnset, TiltRecovered

FloatArray = npt.NDArray[np.float64]

ONSET_EARLY_S = 0.5
"""A detected tilt onset up to this long before the true onset still matches its episode, s.
The true onset is when the core's capacity was exceeded; the tilt only starts to show
after it, so a detection earlier than this is a guess, not a measurement."""

POSTURE_CHANGE_S = 1.0
"""A told posture change starting this close to a true one finds it, s."""


@dataclass(frozen=True)
class TrueRep:
    """A labelled rep, on the session timeline.

    Attributes:
        start_s, end_s: the rep's span, s.
        top_s: when the top was reached (end of the raise), s; NaN when unlabelled.
        bottom_s: when the bottom was reached (end of the lowering), s; NaN when unlabelled.
        eccentric_s: duration of the lowering, s; NaN when unlabelled.
        set_index: the set it belongs to (0-based).
        leg: the role of the shin sensor that should detect it (`shin`, `shin_left`...).
        max_anterior_tilt_deg: largest anterior pelvic tilt during the rep, 0 when the
            pelvis never tilted anteriorly; NaN when unlabelled.
        max_posterior_tilt_deg: the same for posterior tilt (the pelvis curling up).
    """

    start_s: float
    end_s: float
    top_s: float = math.nan
    bottom_s: float = math.nan
    eccentric_s: float = math.nan
    set_index: int = 0
    leg: str = "shin"
    max_anterior_tilt_deg: float = math.nan
    max_posterior_tilt_deg: float = math.nan

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s) and self.start_s <= self.end_s):
            raise ValueError(f"a true rep needs finite start_s <= end_s, got {self.start_s} .. {self.end_s}")


@dataclass(frozen=True)
class TrueTiltEpisode:
    """A labelled anterior tilt episode.

    Attributes:
        onset_s: when control was lost (the tilt starts to grow), s.
        threshold_s: when the tilt crossed the threshold, s.
        end_s: when it came back under the threshold, s.
        peak_deg: largest tilt of the episode, degrees.
        leg_angle_at_onset_deg: the working leg's lift angle at `onset_s`, degrees.
    """

    onset_s: float
    threshold_s: float
    end_s: float
    peak_deg: float
    leg_angle_at_onset_deg: float

    def __post_init__(self) -> None:
        if not self.onset_s <= self.end_s:
            raise ValueError(f"a tilt episode must end after its onset: {self.onset_s} .. {self.end_s}")


@dataclass(frozen=True)
class RepMatch:
    """A detected rep paired with the true rep it overlaps most."""

    detected: Rep
    true: TrueRep

    @property
    def eccentric_error_s(self) -> float:
        """Detected minus true eccentric duration, s (NaN when the truth has none)."""
        return self.detected.eccentric_s - self.true.eccentric_s

    @property
    def latency_s(self) -> float:
        """How long after the true end of the rep its event came out, s."""
        return self.detected.time_s - self.true.end_s

    @property
    def start_error_s(self) -> float:
        """Detected minus true start, s."""
        return self.detected.start_s - self.true.start_s

    @property
    def end_error_s(self) -> float:
        """Detected minus true end, s."""
        return self.detected.end_s - self.true.end_s

    @property
    def max_tilt_error_deg(self) -> float | None:
        """Detected minus true largest anterior tilt in the rep, degrees; None when either is
        missing. A detected maximum below zero (posterior all along) counts as 0, as the
        truth's does."""
        if self.detected.max_anterior_tilt_deg is None or math.isnan(self.true.max_anterior_tilt_deg):
            return None
        return max(self.detected.max_anterior_tilt_deg, 0.0) - self.true.max_anterior_tilt_deg

    @property
    def curl_error_deg(self) -> float | None:
        """Detected minus true largest posterior tilt in the rep, degrees; None when either
        is missing."""
        if self.detected.max_posterior_tilt_deg is None or math.isnan(self.true.max_posterior_tilt_deg):
            return None
        return self.detected.max_posterior_tilt_deg - self.true.max_posterior_tilt_deg


@dataclass(frozen=True)
class SetCount:
    """Reps counted in one true set against the truth.

    A detected rep belongs to the set of the true rep it matched; an unmatched one to the
    set whose span (first true start to last true end) is nearest its middle.
    """

    set_index: int
    true_count: int
    detected_count: int

    @property
    def error(self) -> int:
        """Detected minus true count."""
        return self.detected_count - self.true_count


@dataclass(frozen=True)
class RepScore:
    """Reps of one session scored against the truth.

    Attributes:
        matches: detected reps paired with true reps, in true-rep order.
        extra: detected reps that match no true rep.
        missed: true reps no detected rep matched.
        sets: counts per true set, in set order. Extra reps are lost from these counts only
            when the truth has no set at all.
    """

    matches: tuple[RepMatch, ...]
    extra: tuple[Rep, ...]
    missed: tuple[TrueRep, ...]
    sets: tuple[SetCount, ...]

    def boundary_hits(self, tolerance_s: float) -> int:
        """True reps whose matched detection has start and end both within `tolerance_s`."""
        return sum(
            abs(m.start_error_s) <= tolerance_s and abs(m.end_error_s) <= tolerance_s for m in self.matches
        )

    def split_errors_s(self) -> list[float]:
        """For each two consecutive true reps of one leg, both matched, where the detection
        splits them minus where the truth does, s. A split is the middle of the time between one rep's
        end and the next one's start: hand labels that agree with the detection on where one
        rep gives way to the next, but give the rest between them to neither rep, or all to
        one, score well here and badly on `boundary_hits`."""
        errors = []
        for before, after in itertools.pairwise(self.matches):
            between = (before.true.end_s, after.true.start_s)
            if before.true.leg != after.true.leg or between[1] < between[0]:
                continue
            if any(between[0] <= t.start_s < between[1] for t in self.missed):
                continue
            true_split_s = 0.5 * (before.true.end_s + after.true.start_s)
            detected_split_s = 0.5 * (before.detected.end_s + after.detected.start_s)
            errors.append(detected_split_s - true_split_s)
        return errors


@dataclass(frozen=True)
class TiltMatch:
    """A detected tilt onset paired with a true episode, with the detected end if it came."""

    detected: TiltOnset
    true: TrueTiltEpisode
    recovered: TiltRecovered | None = None

    @property
    def peak_error_deg(self) -> float | None:
        """Detected minus true peak tilt of the episode, degrees; None before it ended."""
        return None if self.recovered is None else self.recovered.peak_deg - self.true.peak_deg

    @property
    def end_error_s(self) -> float | None:
        """Detected minus true end of the episode, s; None before it ended."""
        return None if self.recovered is None else self.recovered.end_s - self.true.end_s

    @property
    def onset_error_s(self) -> float:
        """Detected minus true onset, s."""
        return self.detected.onset_s - self.true.onset_s

    @property
    def leg_angle_error_deg(self) -> float | None:
        """Detected minus true lift angle at the onset, degrees; None when none was detected."""
        if self.detected.leg_angle_at_onset_deg is None:
            return None
        return self.detected.leg_angle_at_onset_deg - self.true.leg_angle_at_onset_deg

    @property
    def latency_s(self) -> float:
        """How long after the true threshold crossing the onset event came out, s."""
        return self.detected.time_s - self.true.threshold_s


@dataclass(frozen=True)
class LatencySplit:
    """Where a tilt onset's latency went, s: `data_s + lost_s + pipeline_s` is its `latency_s`.

    Attributes:
        data_s: from the true threshold crossing to the first sample taken at or after it
            that reached the pipeline (its time on the events' timeline): the sampling
            interval, the link's constant latency and packets lost at the crossing. No
            pipeline can tell the crossing before this sample.
        lost_s: time missing from the samples that reached the pipeline after that one, up
            to the sample where the measured tilt passed the threshold (packets lost while
            the measured tilt was still under it).
        measured_s: the rest up to that sample: the measured tilt passing the threshold
            after the truth's (filter lag, measurement error; below zero when it passed
            first).
        waited_s: from that sample to the event (the sample waited for the tilt's sign).
    """

    data_s: float
    lost_s: float
    measured_s: float
    waited_s: float

    @property
    def pipeline_s(self) -> float:
        """The pipeline's own delay: `measured_s + waited_s`."""
        return self.measured_s + self.waited_s


def latency_split(match: TiltMatch, time_s: FloatArray, taken_s: FloatArray) -> LatencySplit | None:
    """Split `match.latency_s` (see `LatencySplit`) with the pelvis samples that reached the
    pipeline: `time_s` on the events' timeline, `taken_s` when each was taken on the
    truth's clock (both increasing, one per sample). None without such a sample."""
    if time_s.shape != taken_s.shape:
        raise ValueError(f"need one taken_s per sample: {time_s.shape} vs {taken_s.shape}")
    first = int(np.searchsorted(taken_s, match.true.threshold_s))
    if first >= time_s.size or time_s.size < 2:
        return None
    data_s = float(time_s[first]) - match.true.threshold_s
    # The measured crossing lies between two samples (or on the first): the later one told it.
    crossed = min(int(np.searchsorted(time_s, match.detected.threshold_s, side="right")), time_s.size - 1)
    steps = np.diff(time_s[first : crossed + 1])
    period_s = float(np.median(np.diff(time_s)))
    # A step of more than one and a half periods left samples out (the aligned clock is steady).
    lost_s = float((steps - period_s)[steps > 1.5 * period_s].sum())
    waited_s = match.detected.time_s - float(time_s[crossed])
    return LatencySplit(data_s, lost_s, match.latency_s - data_s - lost_s - waited_s, waited_s)


@dataclass(frozen=True)
class TiltScore:
    """Tilt onsets of one session scored against the true episodes."""

    matches: tuple[TiltMatch, ...]
    extra: tuple[TiltOnset, ...]
    missed: tuple[TrueTiltEpisode, ...]

    @property
    def precision(self) -> float:
        """Share of detected onsets that match an episode (1 when nothing was detected)."""
        return _ratio(len(self.matches), len(self.matches) + len(self.extra))

    @property
    def recall(self) -> float:
        """Share of true episodes detected (1 when there were none)."""
        return _ratio(len(self.matches), len(self.matches) + len(self.missed))

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall, from the counts."""
        return f1_score(len(self.matches), len(self.extra), len(self.missed))


def f1_score(true_positives: int, false_positives: int, false_negatives: int) -> float:
    """2 TP / (2 TP + FP + FN): 1 when there was nothing to find and nothing was found."""
    return _ratio(2 * true_positives, 2 * true_positives + false_positives + false_negatives)


def _ratio(num: int, den: int) -> float:
    return 1.0 if den == 0 else num / den


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def score_reps(events: Iterable[Event], truth: Sequence[TrueRep]) -> RepScore:
    """Match the `Rep` events among `events` to `truth` and count reps per true set."""
    detected = [e for e in events if isinstance(e, Rep)]
    candidates: list[tuple[float, float, int, int]] = []
    for i, d in enumerate(detected):
        for j, t in enumerate(truth):
            if d.leg != t.leg:
                continue
            overlap = _overlap(d.start_s, d.end_s, t.start_s, t.end_s)
            # A zero-length detection inside a true rep still overlaps it (touching ends do not).
            point_inside = d.start_s == d.end_s and t.start_s < d.start_s < t.end_s
            if overlap > 0 or point_inside:
                middle_gap = abs((d.start_s + d.end_s) - (t.start_s + t.end_s)) / 2
                candidates.append((-overlap, middle_gap, j, i))
    candidates.sort()  # most overlap first; ties by closer middles, then by order
    det_of_true: dict[int, int] = {}
    used: set[int] = set()
    for _, _, j, i in candidates:
        if j in det_of_true or i in used:
            continue
        det_of_true[j] = i
        used.add(i)
    matches = tuple(RepMatch(detected[det_of_true[j]], truth[j]) for j in sorted(det_of_true))
    extra = tuple(d for i, d in enumerate(detected) if i not in used)
    missed = tuple(t for j, t in enumerate(truth) if j not in det_of_true)
    return RepScore(matches, extra, missed, _set_counts(matches, extra, truth))


def _set_counts(
    matches: Sequence[RepMatch], extra: Sequence[Rep], truth: Sequence[TrueRep]
) -> tuple[SetCount, ...]:
    spans: dict[int, tuple[float, float]] = {}
    true_count: dict[int, int] = {}
    for t in truth:
        lo, hi = spans.get(t.set_index, (t.start_s, t.end_s))
        spans[t.set_index] = (min(lo, t.start_s), max(hi, t.end_s))
        true_count[t.set_index] = true_count.get(t.set_index, 0) + 1
    detected_count = dict.fromkeys(spans, 0)
    for m in matches:
        detected_count[m.true.set_index] += 1
    for d in extra:
        if not spans:
            break
        middle = (d.start_s + d.end_s) / 2
        nearest = min(spans, key=lambda k: (max(spans[k][0] - middle, middle - spans[k][1], 0.0), k))
        detected_count[nearest] += 1
    return tuple(SetCount(k, true_count[k], detected_count[k]) for k in sorted(spans))


def score_tilt(
    events: Iterable[Event], truth: Sequence[TrueTiltEpisode], *, early_s: float = ONSET_EARLY_S
) -> TiltScore:
    """Match the `TiltOnset` events among `events` to the true episodes.

    A detected onset can match an episode when its `onset_s` lies within
    `[true onset_s - early_s, true end_s]`; the closest onsets pair first (ties: the
    closest threshold crossings), each used once.
    """
    detected: list[TiltOnset] = []
    recovered: dict[int, TiltRecovered] = {}
    waiting: dict[float, list[int]] = {}  # onsets not yet recovered, by onset_s, first first
    for e in events:
        if isinstance(e, TiltOnset):
            waiting.setdefault(e.onset_s, []).append(len(detected))
            detected.append(e)
        elif isinstance(e, TiltRecovered) and waiting.get(e.onset_s):
            recovered[waiting[e.onset_s].pop(0)] = e
    candidates: list[tuple[float, float, int, int]] = []
    for i, d in enumerate(detected):
        for j, t in enumerate(truth):
            if t.onset_s - early_s <= d.onset_s <= t.end_s:
                candidates.append((abs(d.onset_s - t.onset_s), abs(d.threshold_s - t.threshold_s), j, i))
    candidates.sort()
    det_of_true: dict[int, int] = {}
    used: set[int] = set()
    for _, _, j, i in candidates:
        if j in det_of_true or i in used:
            continue
        det_of_true[j] = i
        used.add(i)
    matches = tuple(
        TiltMatch(detected[det_of_true[j]], truth[j], recovered.get(det_of_true[j]))
        for j in sorted(det_of_true)
    )
    extra = tuple(d for i, d in enumerate(detected) if i not in used)
    missed = tuple(t for j, t in enumerate(truth) if j not in det_of_true)
    return TiltScore(matches, extra, missed)


def series_errors(
    time_s: FloatArray, value: FloatArray, true_time_s: FloatArray, true_value: FloatArray
) -> FloatArray:
    """`value` minus the truth linearly interpolated at `time_s`.

    Only samples inside the truth's span with finite values on both sides are compared
    (a series that starts late, or has NaN while it calibrates, is judged where it exists).
    `true_time_s` must be increasing.
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    value = np.asarray(value, dtype=np.float64)
    if time_s.shape != value.shape or true_time_s.shape != true_value.shape:
        raise ValueError(
            f"times and values must have the same shape: {time_s.shape} vs {value.shape}, "
            f"{true_time_s.shape} vs {true_value.shape}"
        )
    if true_time_s.size == 0:
        return np.zeros(0)
    inside = (time_s >= true_time_s[0]) & (time_s <= true_time_s[-1]) & np.isfinite(value)
    truth = np.interp(time_s[inside], true_time_s, true_value)
    diff: FloatArray = value[inside] - truth
    kept: FloatArray = diff[np.isfinite(diff)]
    return kept


def series_rmse(
    time_s: FloatArray, value: FloatArray, true_time_s: FloatArray, true_value: FloatArray
) -> float | None:
    """Root mean square of `series_errors`; None when no sample can be compared."""
    diff = series_errors(time_s, value, true_time_s, true_value)
    if diff.size == 0:
        return None
    return float(np.sqrt(np.mean(diff * diff)))


@dataclass(frozen=True)
class TruePosture:
    """A labelled posture (`dsp.events.POSTURES`) over `[start_s, end_s)`."""

    posture: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class PostureScore:
    """Told postures against the truth.

    Attributes:
        judged_s: time from the first told posture to the end of the truth.
        agreed_s: the part of it where the told posture was the true one.
        changes: true posture changes after the first told posture.
        latencies_s: for each change found, when it was told after it happened.
    """

    judged_s: float
    agreed_s: float
    changes: int
    latencies_s: tuple[float, ...]

    @property
    def agreed_fraction(self) -> float:
        return self.agreed_s / self.judged_s if self.judged_s > 0 else math.nan


def score_postures(events: Iterable[Event], truth: Sequence[TruePosture]) -> PostureScore:
    """Compare the told posture timeline with `truth` (spans in time order)."""
    # A later event from the same start replaces an earlier one.
    latest = {e.start_s: e for e in events if isinstance(e, PostureChanged)}
    told = [latest[t] for t in sorted(latest)]
    if not told or not truth:
        return PostureScore(0.0, 0.0, 0, ())
    begin, end = told[0].start_s, truth[-1].end_s
    agreed = 0.0
    for k, event in enumerate(told):
        until = told[k + 1].start_s if k + 1 < len(told) else end
        for span in truth:
            if span.posture == event.posture:
                agreed += max(0.0, min(until, span.end_s) - max(event.start_s, span.start_s))
    changes = [span for span in truth[1:] if span.start_s > begin]
    latencies = []
    for span in changes:
        near = [
            e for e in told if e.posture == span.posture and abs(e.start_s - span.start_s) <= POSTURE_CHANGE_S
        ]
        if near:
            latencies.append(min(near, key=lambda e: abs(e.start_s - span.start_s)).time_s - span.start_s)
    return PostureScore(max(end - begin, 0.0), agreed, len(changes), tuple(latencies))
