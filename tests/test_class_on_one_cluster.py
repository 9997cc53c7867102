"""A class on one cluster: two students run the same chapter at the same time, on one H2O
and one object store (as `python -m aebook.build_cluster` gives a class). Both runs pass,
and the cluster and the store end as they began, but for the input tables that the
object-storage chapter shares on purpose (no session removes what another may read)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aebook.build_cluster import one_cluster

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
RUN_SECONDS = 1200  # the two quick runs together, on 2 cores beside one H2O


def _store_objects() -> set[tuple[str, str]]:
    from aebook.object_storage import start_object_store

    store = start_object_store()  # the shared one, from the environment
    return {(bucket.name, key) for bucket in store.client.list_buckets()
            for key, _size in store.list(bucket.name)}


def _cluster_keys() -> set[str]:
    import h2o

    return set(h2o.ls()["key"])


def _run_twice_at_once(stem: str, folder: Path, variables: dict[str, str]) -> list[str]:
    """Two papermill runs of the chapter, started together; what went wrong, if anything."""
    env = {**os.environ, **variables, "AEBOOK_QUICK": "1"}
    runs = []
    for run in (1, 2):
        extra = ["-p", "output_folder", str(folder / f"report{run}")] if stem == "12_your_own_data" else []
        runs.append(subprocess.Popen(
            [sys.executable, "-m", "papermill", "--no-progress-bar", str(NOTEBOOKS / f"{stem}.ipynb"),
             str(folder / f"{stem}_{run}.ipynb"), *extra],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    deadline = time.monotonic() + RUN_SECONDS
    problems = []
    for run, process in enumerate(runs, 1):
        try:
            output, _ = process.communicate(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            problems.append(f"run {run} did not end within {RUN_SECONDS} s")
            continue
        if process.returncode:
            problems.append(f"run {run} failed:\n{output[-3000:]}")
    return problems


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
        left = _store_objects() - objects
        shared = {(bucket, key) for bucket, key in left if key.endswith(".svm") and "/" not in key}
        assert left == shared, f"objects of the runs are left in the store: {sorted(left - shared)}"
        assert objects <= _store_objects(), "a run removed an object it did not write"
