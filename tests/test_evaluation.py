"""aebook.evaluation: AUROC, the paired bootstrap of AUROC differences and compact curves."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import auc, precision_recall_curve, roc_auc_score, roc_curve

from aebook.evaluation import auroc, bootstrap_auroc_differences, pr_points, roc_points, tpr_at_fpr


def _data(n: int = 2000, shift: float = 1.0, seed: int = 0, ties: bool = False):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.9).astype(int)
    s = rng.normal(size=n) + shift * y
    return y, (np.round(s, 1) if ties else s)


@pytest.mark.parametrize("ties", [False, True])
def test_auroc_is_sklearns(ties):
    y, s = _data(ties=ties)
    assert auroc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_the_bootstrap_interval_holds_the_difference_and_shrinks_with_a_larger_gap():
    y, a = _data(shift=1.5, seed=1)
    _, b = _data(shift=0.5, seed=2)
    scores = {"a": np.vstack([a, a + 0.01]), "b": b}
    out = bootstrap_auroc_differences(y, scores, [("a", "b"), ("b", "a")], rounds=200)
    ab = out["a - b"]
    expected = np.mean([roc_auc_score(y, a), roc_auc_score(y, a + 0.01)]) - roc_auc_score(y, b)
    assert ab["estimate"] == pytest.approx(expected, abs=1e-12)
    assert 0 < ab["low"] < ab["estimate"] < ab["high"]  # a clear difference excludes 0
    assert out["b - a"]["estimate"] == pytest.approx(-expected)
    assert out["b - a"]["low"] == pytest.approx(-ab["high"]) and out["b - a"]["high"] == pytest.approx(-ab["low"])


def test_the_same_scores_give_a_zero_interval_and_the_draws_are_paired():
    y, a = _data(seed=3)
    out = bootstrap_auroc_differences(y, {"a": a, "b": a.copy()}, [("a", "b")], rounds=100)["a - b"]
    assert out["estimate"] == out["low"] == out["high"] == 0.0  # unpaired draws would scatter


def test_simultaneous_intervals_are_wider_at_the_bonferroni_level():
    y, a = _data(shift=1.2, seed=9)
    _, b = _data(shift=1.0, seed=10)
    out = bootstrap_auroc_differences(y, {"a": a, "b": b}, [("a", "b")], rounds=400, family=10)["a - b"]
    joint = out["simultaneous"]
    assert joint["family"] == 10 and joint["level"] == pytest.approx(0.995)
    assert joint["low"] <= out["low"] < out["high"] <= joint["high"]
    assert "simultaneous" not in bootstrap_auroc_differences(y, {"a": a, "b": b}, [("a", "b")],
                                                             rounds=100)["a - b"]


def test_tpr_at_fpr_is_the_roc_curve_at_that_rate():
    y, s = _data(seed=11)
    fpr, tpr, _ = roc_curve(y, s)
    for rate in (0.0, 0.01, 0.05, 0.3, 1.0):
        assert tpr_at_fpr(y, s, rate) == pytest.approx(tpr[fpr <= rate + 1e-12].max(), abs=1e-12)
    y, s = _data(seed=12, ties=True)
    fpr, tpr, _ = roc_curve(y, s)
    assert tpr_at_fpr(y, s, 0.01) == pytest.approx(tpr[fpr <= 0.01 + 1e-12].max(), abs=1e-12)
    with pytest.raises(ValueError, match="between 0 and 1"):
        tpr_at_fpr(y, s, 1.5)


def test_the_bootstrap_repeats_for_a_seed():
    y, a = _data(seed=4)
    _, b = _data(seed=5)
    one = bootstrap_auroc_differences(y, {"a": a, "b": b}, [("a", "b")], rounds=100, seed=7)
    assert one == bootstrap_auroc_differences(y, {"a": a, "b": b}, [("a", "b")], rounds=100, seed=7)


@pytest.mark.parametrize("kwargs, message", [
    ({"rounds": 10}, "at least 100 bootstrap rounds"),
    ({"level": 1.5}, "must be between 0 and 1"),
    ({"pairs": [("a", "c")]}, "both must be among the scores"),
    ({"family": 0}, "number of intervals read together"),
])
def test_bad_bootstrap_arguments(kwargs, message):
    y, a = _data()
    args = {"labels": y, "scores": {"a": a, "b": a}, "pairs": [("a", "b")], **kwargs}
    with pytest.raises(ValueError, match=message):
        bootstrap_auroc_differences(**args)


@pytest.mark.parametrize("labels, scores, message", [
    ([1, 1, 1], [0.1, 0.2, 0.3], "both present"),
    ([0, 1, 2], [0.1, 0.2, 0.3], "labels must be 0"),
    ([0, 1], [0.1, np.nan], "finite"),
    ([0, 1, 1], [0.1, 0.2], "do not match"),
])
def test_bad_labels_or_scores(labels, scores, message):
    with pytest.raises(ValueError, match=message):
        auroc(labels, scores)


def test_roc_points_follow_the_roc_curve():
    y, s = _data(seed=6)
    points = roc_points(y, s)
    fpr, tpr, _ = roc_curve(y, s)
    assert len(points["fpr"]) == len(points["tpr"]) == 101
    assert points["tpr"][0] >= 0 and points["tpr"][-1] == 1.0
    assert np.all(np.diff(points["tpr"]) >= 0)
    for f, t in zip(points["fpr"][1:-1], points["tpr"][1:-1], strict=True):
        assert t == pytest.approx(tpr[fpr <= f + 1e-12].max(), abs=1e-4)
    # the area under the gridded curve is close to the AUROC
    assert np.trapezoid(points["tpr"], points["fpr"]) == pytest.approx(roc_auc_score(y, s), abs=0.01)


def test_pr_points_are_the_interpolated_precision():
    y, s = _data(seed=8)
    points = pr_points(y, s)
    precision, recall, _ = precision_recall_curve(y, s)
    assert points["anomalous_fraction"] == pytest.approx(y.mean(), abs=1e-4)
    assert np.all(np.diff(points["precision"]) <= 1e-12)  # interpolated: never rises with recall
    for r, p in zip(points["recall"][1:], points["precision"][1:], strict=True):
        assert p == pytest.approx(precision[recall >= r - 1e-12].max(), abs=1e-4)
    assert auc(points["recall"], points["precision"]) == pytest.approx(auc(recall, precision), abs=0.02)


def test_rank_mean_counts_scores_on_different_scales_alike():
    from aebook.evaluation import rank_mean

    small = np.array([0.1, 0.3, 0.2, 0.4])
    large = np.array([10.0, 40.0, 20.0, 30.0])
    np.testing.assert_allclose(rank_mean([small, large]), [0.25, 0.875, 0.5, 0.875])
    np.testing.assert_allclose(rank_mean([small, small * 1000]), rank_mean([small]))
    with pytest.raises(ValueError, match="give one or more score arrays of the same length"):
        rank_mean([])


def test_bootstrap_aurocs_contain_each_estimate_and_share_the_draws_of_the_differences():
    from aebook.evaluation import bootstrap_aurocs

    rng = np.random.default_rng(3)
    labels = np.r_[np.zeros(300), np.ones(100)].astype(int)
    good = labels + rng.normal(scale=0.8, size=400)
    weak = labels + rng.normal(scale=2.0, size=400)
    intervals = bootstrap_aurocs(labels, {"good": good, "weak": weak}, rounds=2000, seed=5, family=4)
    for name, scores in (("good", good), ("weak", weak)):
        iv = intervals[name]
        assert iv["low"] < iv["estimate"] < iv["high"]
        assert iv["estimate"] == pytest.approx(auroc(labels, scores))
        assert iv["simultaneous"]["low"] <= iv["low"] and iv["simultaneous"]["high"] >= iv["high"]
    assert intervals["good"]["low"] > intervals["weak"]["high"]
