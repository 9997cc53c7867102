"""Scores against labels: AUROC, a paired bootstrap of AUROC differences, compact curves.

The one-class benchmark (``benchmarks/one_class_mnist.py``) computes these from the
per-image test scores of each method and stores the results, so that the evaluation chapter can
show intervals and curves without keeping 10,000 scores per method, digit and seed.
Labels are 0/1 with 1 = anomaly (the positive class); a higher score means more
anomalous.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["auroc", "bootstrap_auroc_differences", "bootstrap_aurocs", "pr_points", "rank_mean", "roc_points",
           "tpr_at_fpr"]


def _labels_and_scores(labels: Sequence, scores: Sequence) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=float)
    if y.ndim != 1 or y.shape != s.shape[-1:]:
        raise ValueError(f"labels {y.shape} and scores {s.shape} do not match")
    if not np.isin(y, (0, 1)).all() or y.min() == y.max():
        raise ValueError("labels must be 0 (normal) and 1 (anomaly), with both present")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    return y.astype(bool), s


def _weighted_auroc(neg: np.ndarray, pos: np.ndarray, w_neg: np.ndarray, w_pos: np.ndarray) -> float:
    """AUROC of positives ``pos`` against negatives ``neg`` (sorted), each score counted
    with its weight (how often a bootstrap draw picked it); ties count one half."""
    cum = np.concatenate([[0.0], np.cumsum(w_neg)])
    below = cum[np.searchsorted(neg, pos, side="left")]
    not_above = cum[np.searchsorted(neg, pos, side="right")]
    wins = below + 0.5 * (not_above - below)
    return float(np.dot(w_pos, wins) / (w_pos.sum() * w_neg.sum()))


def auroc(labels: Sequence, scores: Sequence) -> float:
    """The area under the ROC curve: the chance that an anomaly outscores a normal one."""
    y, s = _labels_and_scores(labels, scores)
    order = np.argsort(s[~y])
    neg = s[~y][order]
    return _weighted_auroc(neg, s[y], np.ones(len(neg)), np.ones(int(y.sum())))


def _bootstrap_draws(labels: Sequence, scores: dict[str, Sequence], rounds: int,
                     seed: int) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Each method's AUROC on all images and in ``rounds`` stratified bootstrap draws
    of the images (the same draws for every method)."""
    y = _labels_and_scores(labels, np.zeros(len(labels)))[0]
    if not (isinstance(rounds, int) and rounds >= 100):
        raise ValueError(f"rounds={rounds!r}: give at least 100 bootstrap rounds")
    neg_idx, pos_idx = np.flatnonzero(~y), np.flatnonzero(y)
    # Per method and row: the order of its normal scores, and for each anomaly how
    # many sorted normal scores lie below it and at most level with it. These
    # positions do not change between draws; only the weights do.
    runs = {}
    for method, values in scores.items():
        rows = np.atleast_2d(_labels_and_scores(labels, values)[1])
        runs[method] = []
        for row in rows:
            order = np.argsort(row[neg_idx])
            neg = row[neg_idx][order]
            pos = row[pos_idx]
            runs[method].append((order, np.searchsorted(neg, pos, side="left"),
                                 np.searchsorted(neg, pos, side="right")))

    def aurocs(w_neg: np.ndarray, w_pos: np.ndarray) -> dict[str, float]:
        out = {}
        for m, rs in runs.items():
            values = []
            for order, below, not_above in rs:
                cum = np.concatenate([[0.0], np.cumsum(w_neg[order])])
                wins = cum[below] + 0.5 * (cum[not_above] - cum[below])
                values.append(np.dot(w_pos, wins) / (w_pos.sum() * w_neg.sum()))
            out[m] = float(np.mean(values))
        return out

    full = aurocs(np.ones(len(neg_idx)), np.ones(len(pos_idx)))
    rng = np.random.default_rng(seed)
    draws = {m: np.empty(rounds) for m in runs}
    for i in range(rounds):
        w_neg = np.bincount(rng.integers(0, len(neg_idx), len(neg_idx)), minlength=len(neg_idx)).astype(float)
        w_pos = np.bincount(rng.integers(0, len(pos_idx), len(pos_idx)), minlength=len(pos_idx)).astype(float)
        for m, value in aurocs(w_neg, w_pos).items():
            draws[m][i] = value
    return full, draws


def _check_level(level: float, family: int) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be between 0 and 1")
    if not (isinstance(family, int) and family >= 1):
        raise ValueError(f"family={family!r}: give the number of intervals read together, at least 1")


def _interval(estimate: float, draws: np.ndarray, rounds: int, level: float, family: int) -> dict:
    """The percentile interval of ``draws`` at ``level``, and with ``family > 1`` the
    Bonferroni interval at ``1 - (1 - level) / family`` as ``simultaneous``."""
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    out = {"estimate": estimate, "low": float(low), "high": float(high), "rounds": rounds, "level": level}
    if family > 1:
        joint = 1 - (1 - level) / family
        s_low, s_high = np.quantile(draws, [(1 - joint) / 2, (1 + joint) / 2])
        out["simultaneous"] = {"family": family, "level": joint, "low": float(s_low), "high": float(s_high)}
    return out


def bootstrap_auroc_differences(labels: Sequence, scores: dict[str, Sequence],
                                pairs: Sequence[tuple[str, str]], *, rounds: int = 2000,
                                level: float = 0.95, seed: int = 0, family: int = 1) -> dict[str, dict]:
    """AUROC differences between methods on the same images, with paired bootstrap intervals.

    ``scores`` maps a method to an array of shape (n,) or (runs, n), e.g. one row per
    seed: the method's AUROC is the mean over its rows. For each pair ``(a, b)`` the
    result ``"a - b"`` holds the difference on all images (``estimate``) and its
    percentile interval. Each bootstrap round draws the normal and the anomalous
    images with replacement (stratified: both counts stay fixed) and uses the *same*
    draw for every method, so that the interval reflects which images happen to be
    in the test set, and the methods are compared on identical draws.

    ``family`` is the number of intervals that will be read together (for example
    one per digit). With ``family > 1`` each result also holds ``simultaneous``, the
    Bonferroni interval at level ``1 - (1 - level) / family``: if each of the
    ``family`` intervals covers its difference with that probability, all of them
    do with at least ``level``.
    """
    _check_level(level, family)
    for a, b in pairs:
        if a not in scores or b not in scores:
            raise ValueError(f"pair ({a!r}, {b!r}): both must be among the scores {sorted(scores)}")
    full, draws = _bootstrap_draws(labels, scores, rounds, seed)
    return {f"{a} - {b}": _interval(full[a] - full[b], draws[a] - draws[b], rounds, level, family)
            for a, b in pairs}


def bootstrap_aurocs(labels: Sequence, scores: dict[str, Sequence], *, rounds: int = 2000,
                     level: float = 0.95, seed: int = 0, family: int = 1) -> dict[str, dict]:
    """Each method's AUROC with its stratified bootstrap interval (the draws of
    :func:`bootstrap_auroc_differences`, with the same ``seed``), keyed by method."""
    _check_level(level, family)
    full, draws = _bootstrap_draws(labels, scores, rounds, seed)
    return {m: _interval(full[m], draws[m], rounds, level, family) for m in scores}


def _roc(labels: Sequence, scores: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """The exact ROC curve: false- and true-positive rates at every threshold between
    distinct scores, from (0, 0)."""
    y, s = _labels_and_scores(labels, scores)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # thresholds between distinct scores
    tpr = np.r_[0.0, np.cumsum(y)[last] / y.sum()]
    fpr = np.r_[0.0, np.cumsum(~y)[last] / (~y).sum()]
    return fpr, tpr


def tpr_at_fpr(labels: Sequence, scores: Sequence, fpr: float = 0.01) -> float:
    """The share of anomalies found (true-positive rate) at the best threshold that
    flags at most ``fpr`` of the normal ones: the ROC curve read at a low false-alarm
    rate, where a detector is used."""
    if not 0 <= fpr <= 1:
        raise ValueError(f"fpr={fpr!r} must be between 0 and 1")
    false, tpr = _roc(labels, scores)
    return float(tpr[false <= fpr + 1e-12].max())


def roc_points(labels: Sequence, scores: Sequence, grid: int = 101) -> dict:
    """The ROC curve at ``grid`` evenly spaced false-positive rates from 0 to 1:
    the highest true-positive rate reached without exceeding each rate."""
    fpr, tpr = _roc(labels, scores)
    fpr_grid = np.linspace(0, 1, grid)
    tpr_grid = tpr[np.searchsorted(fpr, fpr_grid, side="right") - 1]
    return {"fpr": fpr_grid.round(4).tolist(), "tpr": tpr_grid.round(4).tolist()}


def pr_points(labels: Sequence, scores: Sequence, grid: int = 101) -> dict:
    """The precision-recall curve at ``grid`` evenly spaced recalls from 0 to 1: the
    best precision reached at that recall or more (the usual interpolated curve)."""
    y, s = _labels_and_scores(labels, scores)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[last]
    recall = tp / y.sum()
    precision = tp / (last + 1)
    best = np.maximum.accumulate(precision[::-1])[::-1]  # best precision at this recall or more
    recall_grid = np.linspace(0, 1, grid)
    idx = np.minimum(np.searchsorted(recall, recall_grid, side="left"), len(recall) - 1)
    return {"recall": recall_grid.round(4).tolist(), "precision": best[idx].round(4).tolist(),
            "anomalous_fraction": round(float(y.mean()), 4)}


def rank_mean(scores: Sequence[Sequence]) -> np.ndarray:
    """An ensemble score: the mean over methods of each row's rank, each method's ranks
    divided by the number of rows (ties share their mean rank), so that scores on
    different scales count alike."""
    from scipy.stats import rankdata

    rows = np.asarray(scores, dtype=float)
    if rows.ndim != 2 or len(rows) == 0:
        raise ValueError("give one or more score arrays of the same length")
    return np.mean([rankdata(r) / len(r) for r in rows], axis=0)
