"""The whole book, in quick mode (``AEBOOK_QUICK=1``), against clusters that are not the notebook's own.

Each chapter runs with papermill and ``AEBOOK_H2O_URL`` (and the object store's
``AEBOOK_S3_*`` variables) pointing at a cluster this test started:

- a two-node cluster on localhost, as a class would share;
- a one-node cluster that cannot see the project's folder (a private mount namespace
  with an empty folder over it), as a cluster on another machine.

After every chapter the cluster must still run and hold exactly the keys it held
before: the chapter removed every frame and model it made, and touched nobody else's.
"""

from __future__ import annotations

import os
from pathlib import Path

import papermill
import pytest
from conftest import cluster_keys
from notebook_solutions import with_solutions

from aebook import start_h2o, start_object_store

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = [pytest.mark.slow, pytest.mark.h2o]


def run_chapter(path: Path, tmp_path: Path, cluster, store, solutions: bool = False) -> None:
    """Run ``path`` in quick mode on ``cluster``; with ``solutions``, the exercises' too."""
    source = path
    if solutions:
        source = tmp_path / "with_solutions" / path.name
        source.parent.mkdir()
        with_solutions(path, source)
    env = {"AEBOOK_H2O_URL": cluster.url, "AEBOOK_S3_ENDPOINT": store.endpoint,
           "AEBOOK_S3_ACCESS_KEY": store.access_key, "AEBOOK_S3_SECRET_KEY": store.secret_key,
           "AEBOOK_QUICK": "1"}  # the classroom switch: every chapter's quick parameters
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)  # the kernel papermill starts inherits them
    try:
        papermill.execute_notebook(
            str(source), str(tmp_path / path.name), cwd=str(path.parent),
            kernel_name="python3", progress_bar=False, execution_timeout=900,
        )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="class")
def store():
    with start_object_store() as s:
        yield s


class _EveryChapter:
    """Runs every chapter against ``self.cluster`` (a class-scoped fixture)."""

    solutions = False  # also run the exercises' solutions (closed in the notebooks)

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
    def test_chapter_runs_and_leaves_the_cluster_as_it_found_it(self, path, tmp_path, cluster, store):
        before = cluster_keys(cluster.url)
        run_chapter(path, tmp_path, cluster, store, solutions=self.solutions)
        executed = (tmp_path / path.name).read_text()
        assert "Quick mode (AEBOOK_QUICK=1)" in executed, "the chapter ran its quick parameters"
        after = cluster_keys(cluster.url)  # answers: the cluster still runs
        assert after == before, f"{path.stem} left keys behind: {sorted(after - before)[:10]}"


class TestTwoNodeCluster(_EveryChapter):
    solutions = True
    @pytest.fixture(scope="class")
    @classmethod
    def cluster(cls, store):
        import h2o

        with start_h2o(nodes=2, max_mem_size="1500M", store=store) as session:
            assert h2o.cluster().cloud_size == 2
            yield session


@pytest.mark.skipif(os.geteuid() != 0, reason="hiding a folder from H2O needs root (mount namespaces)")
class TestClusterThatCannotSeeTheProject(_EveryChapter):
    @pytest.fixture(scope="class")
    @classmethod
    def cluster(cls, store):
        with start_h2o(max_mem_size="3G", store=store, hide_folder=ROOT) as session:
            assert not session.shares_files
            yield session
