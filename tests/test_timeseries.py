"""aebook.timeseries: windows, scores per sample, top regions, the moving z-score."""

from __future__ import annotations

import numpy as np
import pytest

from aebook.timeseries import (
    SeriesError,
    check_windows,
    moving_zscore,
    overlap,
    point_scores,
    sliding_windows,
    top_regions,
)


def test_windows_start_every_stride_samples_and_stay_inside():
    series = np.arange(20.0)
    windows, starts = sliding_windows(series, window=5, stride=4)
    assert starts.tolist() == [0, 4, 8, 12]
    assert windows[1].tolist() == [4, 5, 6, 7, 8]
    windows, starts = sliding_windows(series, 5, 3, start=10, end=18)
    assert starts.tolist() == [10, 13] and windows[-1][-1] == 17


def test_a_sample_gets_the_mean_score_of_the_windows_that_cover_it():
    starts = np.array([0, 2, 4])
    scores = point_scores([1.0, 3.0, 5.0], starts, window=4, length=9)
    # sample 0-1: window 0; 2-3: windows 0, 1; 4-5: 1, 2; 6-7: 2; 8: none
    assert scores[:8].tolist() == [1, 1, 2, 2, 4, 4, 5, 5]
    assert np.isnan(scores[8])


def test_top_regions_keep_apart_by_the_exclusion_width():
    scores = np.array([0, 9, 8, 0, 0, 0, 7, 0, np.nan])
    assert top_regions(scores, k=2, width=3) == [1, 6]
    assert top_regions(scores, k=5, width=3) == [1, 6]  # nothing else far enough away


def test_overlap_counts_shared_samples():
    assert overlap((0, 10), (5, 20)) == 5
    assert overlap((0, 10), (10, 20)) == 0


def test_the_moving_zscore_flags_a_spike():
    rng = np.random.default_rng(0)
    series = rng.normal(size=500)
    series[300] = 12
    z = moving_zscore(series, 50)
    assert np.isnan(z[:50]).all() and int(np.nanargmax(z)) == 300


@pytest.mark.parametrize("window, stride, stretch, message", [
    (5000, 10, (0, 100), "does not fit a series of 1,000 samples"),
    (50, 0, (0, 100), "choose a stride of 1 or more"),
    (50, 10, (900, 1200), "lies outside the series"),
    (50, 10, (100, 100), "lies outside the series"),
    (50, 10, (0, 55), "fewer than two windows"),
])
def test_windows_that_cannot_work_are_refused_in_one_sentence(window, stride, stretch, message):
    with pytest.raises(SeriesError, match=message) as error:
        check_windows(1000, window, stride, stretch)
    assert "\n" not in str(error.value)
