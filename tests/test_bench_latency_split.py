"""The accuracy benchmark splits each tilt onset's latency with the samples that came."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks._suite import pelvis_taken_s, run_session, suite


def test_pelvis_samples_are_told_apart_only_when_each_came_once() -> None:
    taken = np.arange(10.0)
    received = np.array([True] * 4 + [False] * 2 + [True] * 4)
    decoded = [np.arange(3.0), np.arange(5.0)]
    got = pelvis_taken_s(taken, received, decoded)
    assert got is not None
    assert got.tolist() == [0.0, 1.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0]
    assert pelvis_taken_s(taken, received, [np.arange(7.0)]) is None


def test_a_session_with_packets_lost_at_a_crossing_splits_its_latency() -> None:
    # Session 12 (50 Hz, 5 % loss in bursts, 4 samples a packet) lost the packets at one
    # threshold crossing: its first sample past the crossing came over 0.2 s late.
    result = run_session(suite()[12])
    assert result.tilt_score is not None
    assert len(result.latency_splits) == len(result.tilt_score.matches) > 0
    for match, split in zip(result.tilt_score.matches, result.latency_splits, strict=True):
        assert split is not None
        assert split.data_s + split.lost_s + split.pipeline_s == pytest.approx(match.latency_s)
        assert split.data_s > 0.0
        assert split.lost_s >= 0.0
    assert max(s.data_s for s in result.latency_splits if s is not None) > 0.2
