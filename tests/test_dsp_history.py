"""`dsp._history.History` against the arrays it replaces: concatenation and slicing."""

from __future__ import annotations

import numpy as np
import pytest

from dsp._history import MIN_ROOM, History


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_history_matches_concatenation_and_slicing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    history = History(2)
    reference = [np.zeros(0), np.zeros(0)]
    for _ in range(300):
        n = int(rng.choice([1, 4, 12, 300, 3000]))
        block = [rng.normal(size=n), rng.normal(size=n)]
        history.add(*block)
        reference = [np.concatenate((r, b)) for r, b in zip(reference, block, strict=True)]
        drop = int(rng.integers(0, len(reference[0]) + 1)) if rng.random() < 0.3 else 0
        history.drop(drop)
        reference = [r[drop:] for r in reference]
        columns = history.columns()
        assert len(history) == len(reference[0])
        for column, expected in zip(columns, reference, strict=True):
            np.testing.assert_array_equal(column, expected)


def test_views_keep_their_values_when_the_buffer_grows() -> None:
    history = History(1)
    history.add(np.arange(10.0))
    (before,) = history.columns()
    kept = before.copy()
    history.drop(5)
    history.add(np.full(4 * MIN_ROOM, -1.0))  # past the buffer's room: a new one
    history.add(np.full(3, -2.0))
    np.testing.assert_array_equal(before, kept)
    (after,) = history.columns()
    np.testing.assert_array_equal(after[:5], np.arange(5.0, 10.0))
    assert after.size == 5 + 4 * MIN_ROOM + 3


def test_dropping_more_than_kept_leaves_nothing() -> None:
    history = History(3)
    history.add(np.ones(5), np.ones(5), np.ones(5))
    history.drop(8)
    assert len(history) == 0
    assert all(c.size == 0 for c in history.columns())


def test_columns_follow_every_add_and_drop() -> None:
    history = History(2)
    history.add(np.arange(4.0), -np.arange(4.0))
    first = history.columns()
    history.drop(0)  # nothing dropped: the same columns
    np.testing.assert_array_equal(history.columns()[0], first[0])
    history.add(np.array([4.0]), np.array([-4.0]))
    np.testing.assert_array_equal(history.columns()[1], -np.arange(5.0))
    history.drop(2)
    np.testing.assert_array_equal(history.columns()[0], np.arange(2.0, 5.0))
    np.testing.assert_array_equal(first[0], np.arange(4.0))  # views handed out keep their values


def test_a_block_of_another_count_of_signals_is_refused() -> None:
    history = History(3)
    with pytest.raises(ValueError, match="3 signals kept, 2 given"):
        history.add(np.ones(4), np.ones(4))


def test_a_refused_block_leaves_what_is_kept_as_it_was() -> None:
    history = History(2)
    history.add(np.arange(5.0), -np.arange(5.0))
    history.drop(1)
    with pytest.raises(ValueError, match="2 signals kept, 1 given"):
        history.add(np.ones(5000))  # would need a new buffer
    time_s, x = history.columns()
    np.testing.assert_array_equal(time_s, np.arange(1.0, 5.0))
    np.testing.assert_array_equal(x, -np.arange(1.0, 5.0))
    history.add(np.array([5.0]), np.array([-5.0]))
    np.testing.assert_array_equal(history.columns()[0], np.arange(1.0, 6.0))
