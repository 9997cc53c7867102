"""Stratified samples of row indices that grow without changing.

A chapter that compares methods on a few labelled rows needs the *same* rows for
every method and seed, and a ladder of sizes (100, 300, 1,000 ...) where each rung
holds the previous one. :func:`stratified_order` gives one random order of the rows
in which every prefix is stratified: its first ``n`` rows hold each class in about
the share it has among all rows. Take ``order[:n]`` for every ``n``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["stratified_order"]


def stratified_order(labels: Iterable[object], seed: int,
                     exclude: Iterable[int] = ()) -> np.ndarray:
    """Row indices of ``labels`` (rows in ``exclude`` left out) in a stratified order.

    Within each class the rows are in a random order fixed by ``seed``. A row that is
    the r-th of its class (counting from 0) among the N rows of that class gets the
    key (r + 0.5) / N, and the rows are sorted by key (ties broken at random, also by
    ``seed``). So each class is spread evenly along the order: in every prefix of
    length n, a class with share p of the rows has n p rows give or take less than
    0.5 + p C / 2, for C classes. That is within one row when the classes are about
    equally common, as MNIST's ten digits are.
    """
    labels = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, not of shape {labels.shape}")
    left_out = np.fromiter((int(i) for i in exclude), dtype=np.int64)
    if left_out.size and (left_out.min() < 0 or left_out.max() >= len(labels)):
        raise ValueError(f"exclude holds row indices outside 0 to {len(labels) - 1}")
    rng = np.random.default_rng(seed)
    rows = np.setdiff1d(np.arange(len(labels)), left_out)
    rows = rows[rng.permutation(len(rows))]      # a random order of the rows we keep
    keys = np.empty(len(rows))
    for value in np.unique(labels[rows]):
        here = np.flatnonzero(labels[rows] == value)  # this class, in the random order
        keys[here] = (np.arange(len(here)) + 0.5) / len(here)
    return rows[np.argsort(keys, kind="stable")]  # stable: ties keep the random order
