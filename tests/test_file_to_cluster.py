"""Getting a file into H2O (aebook.file_to_cluster): imports of one file at once, and paths that are not ASCII.

H2O names an imported file by its path, so two imports of one file at once used to
break each other ("... is already in use", "Key not loaded"): here several sessions
on one cluster, and several threads of one session, import the same file at the
same moment, round after round.
"""

from __future__ import annotations

import importlib
import multiprocessing
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from conftest import cluster_keys

from aebook import frame_from_file, path_of, start_h2o

hs = importlib.import_module("aebook.h2o_session")  # the module, not the function of that name

KDD = "kdd/KDDTest.arff.gz"
KDD_SHAPE = (22544, 42)
WORKERS = 4
ROUNDS = 3

pytestmark = pytest.mark.h2o


@pytest.fixture(scope="module")
def cluster():
    """One local H2O for the module; the tests connect to it as readers of a shared cluster."""
    with start_h2o(max_mem_size="1500M") as session:
        yield session


@pytest.fixture
def owner(cluster):
    """The module's cluster as this process's current session, again after the test."""
    yield cluster
    hs._current = cluster
    hs._connect(cluster.url)  # a guest session that stopped closed the connection


def leftover_folders(tags: list[str]) -> list[str]:
    """Temporary folders of ``tags``' imports (their links to the file) that are still there."""
    return [p.name for p in Path(tempfile.gettempdir()).iterdir() if any(p.name.startswith(t) for t in tags)]


def import_once(name: str, barrier, timeout: float) -> tuple[int, int] | str:
    """Wait for the others at ``barrier``, import the KDD file as ``name`` and remove it again:
    the frame's shape, or what went wrong in one line."""
    import h2o

    barrier.wait(timeout=timeout)
    try:
        frame = frame_from_file(path_of(KDD), name)
        shape = frame.shape
        h2o.remove(frame)
        return shape
    except Exception as err:
        return f"{type(err).__name__}: {str(err).strip()[:300]}"


def import_rounds(url: str, barrier, rounds: int, results) -> None:
    """In another process: a session on the cluster at ``url`` imports the KDD file
    ``rounds`` times, each time together with the other processes (``barrier``)."""
    session = start_h2o(url=url)
    shapes = [import_once(f"kdd_round_{i}", barrier, 120) for i in range(rounds)]
    session.stop()
    results.put((session.tag, shapes))


@pytest.mark.timeout(600)
def test_sessions_importing_one_file_at_once_all_get_it_and_leave_nothing(owner):
    before = cluster_keys(owner.url)
    spawn = multiprocessing.get_context("spawn")  # a new interpreter each, as another reader's
    barrier, results = spawn.Barrier(WORKERS), spawn.Queue()
    workers = [spawn.Process(target=import_rounds, args=(owner.url, barrier, ROUNDS, results))
               for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    try:
        answers = [results.get(timeout=500) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    failed = [shape for _, shapes in answers for shape in shapes if shape != KDD_SHAPE]
    assert not failed, f"{len(failed)} of {WORKERS * ROUNDS} imports failed: {failed[:3]}"
    assert cluster_keys(owner.url) == before, "the sessions left keys on the cluster"
    assert not leftover_folders([tag for tag, _ in answers])


@pytest.mark.timeout(300)
def test_threads_of_one_session_importing_one_file_at_once_all_get_it(owner):

    before = cluster_keys(owner.url)
    for guest in (False, True):  # the session's own cluster, then a connection to it as to a shared one
        if guest:
            hs._current = None
            session = start_h2o(url=owner.url)
        else:
            session = owner
        shapes = []
        for i in range(ROUNDS):
            barrier = threading.Barrier(WORKERS)

            def one_import(n: int, i=i, barrier=barrier, shapes=shapes) -> None:
                shapes.append(import_once(f"kdd_{i}_{n}", barrier, 60))

            threads = [threading.Thread(target=one_import, args=(n,)) for n in range(WORKERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        failed = [shape for shape in shapes if shape != KDD_SHAPE]
        assert len(shapes) == WORKERS * ROUNDS and not failed, f"guest={guest}: {failed[:3]}"
        assert not leftover_folders([session.tag])
        if guest:
            session.stop()
    assert cluster_keys(owner.url) == before


@pytest.mark.timeout(300)
def test_a_path_that_is_not_ascii_is_imported_on_the_automatic_route(owner, tmp_path, monkeypatch):
    import h2o

    folder = tmp_path / "données_東京"
    folder.mkdir()
    path = folder / "ecg_é.csv"
    shutil.copy(path_of("ecg/ecg_discord_train.csv"), path)
    before = cluster_keys(owner.url)
    uploaded = frame_from_file(path, "ecg_uploaded", route="upload", header=-1)
    expected = uploaded.as_data_frame()
    h2o.remove(uploaded)
    assert expected.shape == (20, 210)
    for guest in (False, True):
        if guest:
            hs._current = None
            session = start_h2o(url=owner.url)
        try:
            assert not guest or not hs.current_session().shares_files
            with monkeypatch.context() as patch:  # the cluster sees the file: no upload
                patch.setattr(h2o, "upload_file", lambda *a, **k: pytest.fail("uploaded, not imported"))
                frame = frame_from_file(path, "ecg_train", header=-1)
            assert frame.as_data_frame().equals(expected), f"guest={guest}"
            h2o.remove(frame)
        finally:
            if guest:
                session.stop()
    assert cluster_keys(owner.url) == before


@pytest.mark.timeout(300)
def test_a_failed_import_leaves_no_raw_file_on_the_cluster(owner, tmp_path):
    from h2o.exceptions import H2OResponseError

    path = tmp_path / "blank.csv"
    path.write_text("\n\n")  # H2O cannot tell its type
    hs._current = None
    guest = start_h2o(url=owner.url)
    before = cluster_keys(owner.url)
    with pytest.raises(H2OResponseError, match="Cannot determine file type"):
        frame_from_file(path, "blank")
    assert cluster_keys(owner.url) == before
    assert not leftover_folders([guest.tag])
    guest.stop()


def test_a_table_on_a_full_temporary_disk_is_one_sentence_and_leaves_nothing(tiny_disk, monkeypatch):
    import tempfile

    import pandas as pd

    from aebook.file_to_cluster import frame_from_table
    from aebook.h2o_session import H2OSetupError

    monkeypatch.setattr(tempfile, "tempdir", str(tiny_disk))
    with pytest.raises(H2OSetupError, match=rf"^There is no space left in the temporary folder {tiny_disk} for a "
                                            r"table on its way to H2O: free some space there, or set TMPDIR to a "
                                            r"folder with room\.$"):
        frame_from_table(pd.DataFrame({"group": range(100_000)}), "groups", ["int"])
    assert list(tiny_disk.iterdir()) == []
