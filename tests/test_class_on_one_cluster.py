"""A class on one cluster: two students run the same chapter at the same time, on one H2O
and one object store (as `python -m aebook.build_cluster` gives a class). Both runs pass,
and the cluster and the store end as they began, but for the input tables that the
object-storage chapter shares on purpose (no session removes what another may read).

And the quick book's own parallel execution (`make book QUICK=1`), where every chapter
meets the others on one H2O and one store, repeated: no chapter collides with another."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import cluster_keys

from aebook.build_cluster import one_cluster
from aebook.h2o_session import URL_ENV
from scripts import run_at_once

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
RUN_SECONDS = 1200  # the two quick runs together, on 2 cores beside one H2O
BUILD_ROUNDS = 2  # benchmarks/quick_book.py repeats it three times and records each
BUILD_SECONDS = 900  # bounds one round (the test's timeout): about 75 s on a quiet 2-core machine
CELL_SECONDS = 600  # the limit per cell, as make book QUICK=1 gives it


def _store_objects() -> set[tuple[str, str]]:
    from aebook.object_storage import start_object_store

    store = start_object_store()  # the shared one, from the environment
    return {(bucket.name, key) for bucket in store.client.list_buckets()
            for key, _size in store.list(bucket.name)}


def _cluster_keys() -> set[str]:
    return cluster_keys(os.environ[URL_ENV])


def _left_in_store(objects: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """What is in the store now and was not in ``objects``, but for the shared input tables;
    asserts that nothing of ``objects`` went."""
    now = _store_objects()
    assert objects <= now, f"a run removed an object it did not write: {sorted(objects - now)}"
    return {(bucket, key) for bucket, key in now - objects if not (key.endswith(".svm") and "/" not in key)}


def _run_twice_at_once(stem: str, folder: Path, variables: dict[str, str]) -> list[str]:
    """Two papermill runs of the chapter, started together; what went wrong, if anything."""
    commands = []
    for run in (1, 2):
        extra = ["-p", "output_folder", str(folder / f"report{run}")] if stem == "12_your_own_data" else []
        commands.append([sys.executable, "-m", "papermill", "--no-progress-bar", str(NOTEBOOKS / f"{stem}.ipynb"),
                         str(folder / f"{stem}_{run}.ipynb"), *extra])
    return run_at_once(commands, RUN_SECONDS, env={**os.environ, **variables, "AEBOOK_QUICK": "1"})


@pytest.mark.slow
@pytest.mark.h2o
@pytest.mark.timeout(RUN_SECONDS + 300)
@pytest.mark.parametrize("stem", ["10_object_storage_cluster"])  # chapter 12: tests/test_your_own_data.py
def test_two_students_run_one_chapter_at_once_on_one_cluster(stem, tmp_path, monkeypatch):
    with one_cluster(max_mem_size="3G") as variables:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        keys, objects = _cluster_keys(), _store_objects()
        problems = _run_twice_at_once(stem, tmp_path, variables)
        assert not problems, "\n".join(problems)
        assert _cluster_keys() - keys == set(), "keys of the runs are left on the cluster"
        left = _left_in_store(objects)
        assert not left, f"objects of the runs are left in the store: {sorted(left)}"


@pytest.mark.slow
@pytest.mark.h2o
@pytest.mark.timeout(BUILD_ROUNDS * BUILD_SECONDS + 300)
def test_the_quick_books_parallel_execution_repeated_has_no_collision(tmp_path, monkeypatch):
    """As ``make book QUICK=1`` executes the book: every chapter, several at a time (one worker more
    than cores), on one H2O and one store made for short jobs, into an empty cache; then again on
    the same cluster and store. Every chapter passes each round, and the cluster, the store and
    the notebooks' folder end each round as they began."""
    from aebook.book_execution import execute_into_cache

    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    files = set(NOTEBOOKS.iterdir())
    monkeypatch.setenv("AEBOOK_QUICK", "1")
    with one_cluster(max_mem_size="3G", short_jobs=True) as variables:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)  # the kernels the workers start inherit them
        keys, objects = _cluster_keys(), _store_objects()
        for round_ in range(1, BUILD_ROUNDS + 1):
            runs, wall = execute_into_cache(notebooks, tmp_path / f"cache{round_}", timeout=CELL_SECONDS)
            assert [r.path.name for r in runs] == [p.name for p in notebooks]
            assert all(r.seconds is not None for r in runs), f"round {round_}: a chapter was not executed"
            assert _cluster_keys() - keys == set(), f"round {round_} left keys on the cluster"
            left = _left_in_store(objects)
            assert not left, f"round {round_} left objects in the store: {sorted(left)}"
            assert set(NOTEBOOKS.iterdir()) == files, f"round {round_} left files beside the notebooks"
            print(f"round {round_}: {len(runs)} chapters in {wall:.0f} s")
