"""A continuous series: sliding windows, scores per time point, regions, baselines.

The time-series chapter cuts one recording into overlapping windows, lets an
autoencoder score each window, and turns the window scores back into one score per
sample. The same helpers find the top regions of any score (the autoencoder's, the
matrix profile's, a moving z-score's) so that the methods are compared on equal terms.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "SeriesError",
    "check_windows",
    "moving_zscore",
    "overlap",
    "point_scores",
    "sliding_windows",
    "top_regions",
]


class SeriesError(ValueError):
    """Windows or a stretch that cannot work on the series; the message names the fix."""


def check_windows(length: int, window: int, stride: int, stretch: tuple[int, int],
                  what: str = "The training stretch") -> None:
    """Raise :class:`SeriesError` unless ``window``, ``stride`` and the training
    ``stretch`` (first sample, end sample) fit a series of ``length`` samples;
    ``what`` names the stretch in the message."""
    if not 2 <= window <= length:
        raise SeriesError(f"window={window} does not fit a series of {length:,} samples: "
                          f"choose a window from 2 to {length:,} samples.")
    if stride < 1:
        raise SeriesError(f"stride={stride}: windows must move on by at least 1 sample; "
                          "choose a stride of 1 or more.")
    start, end = stretch
    if not 0 <= start < end <= length:
        raise SeriesError(f"{what} {start:,} to {end:,} lies outside the series "
                          f"(0 to {length:,}): choose 0 <= start < end <= {length:,}.")
    if end - start < window + stride:
        raise SeriesError(f"{what} {start:,} to {end:,} holds fewer than two "
                          f"windows of {window} samples: make it longer than window + stride "
                          f"({window + stride} samples).")


def sliding_windows(series: np.ndarray, window: int, stride: int,
                    start: int = 0, end: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The windows of ``series[start:end]`` (one per row) and their first samples."""
    series = np.asarray(series, dtype=float)
    end = len(series) if end is None else end
    starts = np.arange(start, end - window + 1, stride)
    view = np.lib.stride_tricks.sliding_window_view(series, window)
    return view[starts], starts


def point_scores(window_scores: Sequence[float], starts: np.ndarray, window: int,
                 length: int) -> np.ndarray:
    """One score per sample: the mean score of the windows that cover it (NaN where
    no window does)."""
    total = np.zeros(length + 1)
    count = np.zeros(length + 1)
    scores = np.asarray(window_scores, dtype=float)
    np.add.at(total, starts, scores)
    np.add.at(total, starts + window, -scores)
    np.add.at(count, starts, 1)
    np.add.at(count, starts + window, -1)
    total, count = np.cumsum(total)[:length], np.cumsum(count)[:length]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def top_regions(scores: np.ndarray, k: int, width: int) -> list[int]:
    """The positions of the ``k`` highest scores, no two closer than ``width`` (the
    exclusion zone of discord search: one region per anomaly)."""
    scores = np.asarray(scores, dtype=float)
    picked: list[int] = []
    for i in np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable"):
        if not np.isfinite(scores[i]):
            break
        if all(abs(int(i) - j) >= width for j in picked):
            picked.append(int(i))
            if len(picked) == k:
                break
    return picked


def overlap(region: tuple[int, int], other: tuple[int, int]) -> int:
    """The number of samples two half-open regions ``(start, end)`` share."""
    return max(0, min(region[1], other[1]) - max(region[0], other[0]))


def moving_zscore(series: np.ndarray, window: int) -> np.ndarray:
    """The one-line baseline: each sample's distance from the mean of the ``window``
    samples before it, in their standard deviations (NaN for the first window)."""
    series = np.asarray(series, dtype=float)
    view = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    mean, std = view.mean(axis=1), view.std(axis=1)
    out = np.full(len(series), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[window:] = np.abs(series[window:] - mean) / np.where(std > 0, std, np.nan)
    return out
