"""Stratified orders: nested samples that keep the class shares, fixed by a seed."""

from __future__ import annotations

import numpy as np
import pytest

from aebook.sampling import stratified_order


def _deviation(labels: np.ndarray, order: np.ndarray) -> float:
    """The largest |count - n p| over classes and prefixes of ``order``."""
    classes = np.unique(labels)
    share = np.array([(labels[order] == c).mean() for c in classes])
    counts = np.cumsum(labels[order][:, None] == classes[None, :], axis=0)
    n = np.arange(1, len(order) + 1)[:, None]
    return float(np.abs(counts - n * share).max())


def test_every_prefix_keeps_the_shares_of_ten_nearly_equal_classes():
    rng = np.random.default_rng(0)
    labels = rng.choice(10, size=6000, p=np.linspace(0.08, 0.12, 10))
    for seed in range(3):
        order = stratified_order(labels, seed)
        assert sorted(order.tolist()) == list(range(len(labels)))
        assert _deviation(labels, order) <= 1


@pytest.mark.parametrize("classes", [2, 3, 7])
def test_the_bound_holds_for_unequal_classes(classes):
    rng = np.random.default_rng(classes)
    share = rng.dirichlet(np.ones(classes))
    labels = rng.choice(classes, size=500, p=share)
    order = stratified_order(labels, 1)
    present = len(np.unique(labels))
    assert _deviation(labels, order) < 0.5 + present / 2


def test_the_order_is_fixed_by_the_seed_and_changes_with_it():
    labels = np.repeat(np.arange(10), 50)
    assert np.array_equal(stratified_order(labels, 5), stratified_order(labels, 5))
    assert not np.array_equal(stratified_order(labels, 5), stratified_order(labels, 6))


def test_a_smaller_sample_is_the_start_of_a_larger_one():
    labels = np.repeat(np.arange(10), 100)
    order = stratified_order(labels, 2)
    first_100 = set(order[:100].tolist())
    assert first_100 <= set(order[:300].tolist())
    assert np.bincount(labels[order[:100]]).tolist() == [10] * 10


def test_excluded_rows_are_left_out():
    labels = np.array(list("abcab" * 40))
    held_out = stratified_order(labels, 0)[:20]
    order = stratified_order(labels, 1, exclude=held_out)
    assert len(order) == len(labels) - 20
    assert not set(order.tolist()) & set(held_out.tolist())
    assert len(set(order.tolist())) == len(order)


@pytest.mark.parametrize("exclude", [[-1], [200]])
def test_an_index_outside_the_rows_is_an_error(exclude):
    with pytest.raises(ValueError, match="outside 0 to 199"):
        stratified_order(np.zeros(200), 0, exclude=exclude)


def test_labels_must_be_one_dimensional():
    with pytest.raises(ValueError, match="one-dimensional"):
        stratified_order(np.zeros((3, 2)), 0)
