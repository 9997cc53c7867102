"""The classical detectors a Python user would pick instead of an autoencoder (PyOD).

Each peer is a PyOD detector with a fixed list of candidate settings, the same budget
(at most eight) as the autoencoder's search; ECOD and COPOD have no settings to tune,
so they have one candidate each. :func:`peer_scores` fits a detector on normal rows
and returns the outlier scores of other rows (higher means more anomalous), with the
fit and scoring times.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

__all__ = ["CANDIDATES", "PEERS", "DetectorError", "make_detector", "peer_scores"]

PEERS = ("knn", "lof", "ocsvm", "ecod", "copod", "hbos")

CANDIDATES: dict[str, dict[str, dict[str, Any]]] = {
    # distance to the k-th nearest training row ("largest") or the mean of the k distances
    "knn": {**{f"k{k}": {"n_neighbors": k, "method": "largest"} for k in (1, 3, 5, 10, 20)},
            **{f"k{k}_mean": {"n_neighbors": k, "method": "mean"} for k in (5, 10, 20)}},
    # local outlier factor, as a novelty detector (scores new rows against the training rows)
    "lof": {f"k{k}": {"n_neighbors": k} for k in (5, 10, 20, 35, 50, 75, 100, 150)},
    # one-class SVM with an RBF kernel; gamma 1/784 is PyOD's "auto" on MNIST pixels
    "ocsvm": {f"g{g}_nu{nu}": {"kernel": "rbf", "gamma": g, "nu": nu}
              for g in (0.001, 0.003, 0.01, 0.03) for nu in (0.1, 0.5)},
    "ecod": {"default": {}},
    "copod": {"default": {}},
    # histogram-based: the number of bins per feature
    "hbos": {f"b{b}": {"n_bins": b} for b in (5, 10, 15, 20, 30, 50, 75, 100)},
}

LABELS = {"knn": "kNN", "lof": "LOF", "ocsvm": "OCSVM", "ecod": "ECOD", "copod": "COPOD", "hbos": "HBOS"}


class DetectorError(ValueError):
    """A detector name, its settings or its data are not usable."""


def make_detector(method: str, params: dict[str, Any]):
    """An unfitted PyOD detector ``method`` (one of :data:`PEERS`) with ``params``."""
    if method not in PEERS:
        raise DetectorError(f"{method!r} is not one of the peers: give one of {', '.join(PEERS)}.")
    if method == "knn":
        from pyod.models.knn import KNN as detector
    elif method == "lof":
        from pyod.models.lof import LOF as detector
    elif method == "ocsvm":
        from pyod.models.ocsvm import OCSVM as detector
    elif method == "ecod":
        from pyod.models.ecod import ECOD as detector
    elif method == "copod":
        from pyod.models.copod import COPOD as detector
    else:
        from pyod.models.hbos import HBOS as detector
    try:
        return detector(**params)
    except TypeError as err:
        raise DetectorError(f"{method}: {err}; give settings from aebook.detectors.CANDIDATES[{method!r}].") \
            from None


def peer_scores(method: str, params: dict[str, Any], fit_rows: np.ndarray,
                score_rows: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Fit ``method`` with ``params`` on ``fit_rows`` (the normal rows) and score ``score_rows``.

    Returns the outlier scores (higher: more anomalous), the fit seconds and the scoring
    seconds. Both arrays must be 2-D with the same number of columns and finite values.
    """
    fit_rows, score_rows = np.asarray(fit_rows, dtype=float), np.asarray(score_rows, dtype=float)
    if fit_rows.ndim != 2 or score_rows.ndim != 2 or fit_rows.shape[1] != score_rows.shape[1]:
        raise DetectorError(f"the rows to fit {fit_rows.shape} and to score {score_rows.shape} must be two "
                            "tables with the same columns: give 2-D arrays of one width.")
    if not (np.isfinite(fit_rows).all() and np.isfinite(score_rows).all()):
        raise DetectorError("the rows hold missing or infinite values: fill or drop them before scoring.")
    neighbours = params.get("n_neighbors", 0)
    if neighbours >= len(fit_rows):
        raise DetectorError(f"{method} with n_neighbors={neighbours} needs more than {neighbours} rows to fit, "
                            f"got {len(fit_rows)}: give more rows or fewer neighbours.")
    detector = make_detector(method, params)
    started = time.perf_counter()
    detector.fit(fit_rows)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    scores = np.asarray(detector.decision_function(score_rows), dtype=float)
    return scores, fit_seconds, time.perf_counter() - started
