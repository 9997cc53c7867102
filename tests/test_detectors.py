"""The PyOD peers: each finds a known anomaly, and bad input stops with one sentence."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from aebook.detectors import CANDIDATES, PEERS, DetectorError, peer_scores


@pytest.fixture(scope="module")
def known_anomalies():
    """400 normal rows from one Gaussian in 8 dimensions; 40 test anomalies shifted
    by 5 standard deviations in every dimension, beside 200 new normal rows."""
    rng = np.random.default_rng(0)
    fit = rng.normal(size=(400, 8))
    normal = rng.normal(size=(200, 8))
    anomalies = rng.normal(size=(40, 8))
    anomalies += 5
    return fit, np.vstack([normal, anomalies]), np.r_[np.zeros(200), np.ones(40)]


def test_every_peer_has_candidates_within_the_autoencoders_budget():
    assert set(CANDIDATES) == set(PEERS)
    assert all(1 <= len(c) <= 8 for c in CANDIDATES.values())


@pytest.mark.parametrize("method, name", [(m, n) for m in PEERS for n in CANDIDATES[m]])
def test_each_candidate_ranks_the_known_anomalies_first(known_anomalies, method, name):
    fit, rows, anomalous = known_anomalies
    scores, fit_seconds, score_seconds = peer_scores(method, CANDIDATES[method][name], fit, rows)
    assert scores.shape == (len(rows),)
    assert fit_seconds >= 0 and score_seconds >= 0
    # higher means more anomalous: a reversed score would give an AUROC near 0
    assert roc_auc_score(anomalous, scores) > 0.95


def test_a_detector_that_sees_the_same_rows_twice_scores_them_alike(known_anomalies):
    fit, rows, _ = known_anomalies
    first, *_ = peer_scores("knn", CANDIDATES["knn"]["k5"], fit, rows)
    again, *_ = peer_scores("knn", CANDIDATES["knn"]["k5"], fit, rows)
    np.testing.assert_allclose(first, again)


@pytest.mark.parametrize("method, params, fit, rows, message", [
    ("iforest", {}, np.ones((5, 2)), np.ones((5, 2)), "is not one of the peers"),
    ("knn", {"n_neighbours": 3}, np.ones((5, 2)), np.ones((5, 2)), "give settings from aebook.detectors"),
    ("knn", {}, np.ones((5, 2)), np.ones((5, 3)), "must be two tables with the same columns"),
    ("knn", {}, np.ones(5), np.ones(5), "must be two tables with the same columns"),
    ("lof", {}, np.array([[1.0, np.nan]] * 30), np.ones((5, 2)), "missing or infinite values"),
    ("knn", {"n_neighbors": 10}, np.ones((10, 2)), np.ones((5, 2)), "needs more than 10 rows"),
])
def test_bad_input_gives_one_sentence_that_names_the_fix(method, params, fit, rows, message):
    with pytest.raises(DetectorError, match=message) as err:
        peer_scores(method, params, fit, rows)
    assert str(err.value).count(". ") == 0 and str(err.value).endswith(".")
