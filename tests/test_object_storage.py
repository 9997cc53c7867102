"""Object storage: a real S3 HTTP endpoint (moto's standalone server), clear errors,
nothing left behind, keys never shown, and H2O reading and writing s3:// paths."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aebook import frame_from_file, path_of, start_h2o, start_object_store
from aebook.guarded_process import process_alive as alive
from aebook.guarded_process import start_guarded
from aebook.h2o_session import H2OSetupError
from aebook.object_storage import ObjectStore, StorageError

ECG = "ecg/ecg_discord_train.csv"



def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store():
    with start_object_store() as s:
        yield s


def test_local_store_round_trip_and_nothing_left(store, tmp_path):
    pid, folder = store._server.pids[0], store._server.folder
    store.ensure_bucket("mnist-files")
    url = store.upload(path_of(ECG), "mnist-files", "ecg/train.csv")
    assert url == "s3://mnist-files/ecg/train.csv"
    assert store.list("mnist-files") == [("ecg/train.csv", path_of(ECG).stat().st_size)]
    back = store.download("mnist-files", "ecg/train.csv", tmp_path / "back.csv")
    assert back.read_bytes() == path_of(ECG).read_bytes()
    store.stop()
    deadline = time.time() + 10
    while alive(pid) and time.time() < deadline:
        time.sleep(0.2)
    assert not alive(pid) and not folder.exists()


def test_keys_are_not_in_the_repr(store):
    assert store.secret_key and store.secret_key not in repr(store)
    assert store.access_key not in repr(store)


def test_unreachable_store_is_one_sentence():
    endpoint = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(StorageError, match=rf"^Could not reach the object store at {endpoint} .*: check"):
        start_object_store(endpoint, "key", "secret")


def test_endpoint_without_scheme_and_missing_keys(monkeypatch):
    monkeypatch.delenv("AEBOOK_S3_ACCESS_KEY", raising=False)
    monkeypatch.delenv("AEBOOK_S3_SECRET_KEY", raising=False)
    with pytest.raises(StorageError, match=r"needs a scheme and a host, for example http://minio:9000"):
        start_object_store("minio:9000", "k", "s")
    with pytest.raises(StorageError, match=r"needs keys: set AEBOOK_S3_ACCESS_KEY and AEBOOK_S3_SECRET_KEY"):
        start_object_store("http://minio:9000")


def test_missing_bucket_and_bad_bucket_name(store):
    with pytest.raises(StorageError, match=r"^The bucket 'no-such-bucket' does not exist at .*: create it"):
        store.list("no-such-bucket")
    with pytest.raises(StorageError, match=r"invalid bucket name .*: fix the name"):
        store.ensure_bucket("B")


def test_wrong_keys_get_a_403_sentence():
    """A store that checks keys (moto with authentication on) refuses unknown ones."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_guarded("s3-auth", [[sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                        "-p", str(port)]], env={"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    try:
        store = ObjectStore(endpoint=f"http://127.0.0.1:{port}", owned=False,
                            access_key="not-a-key", secret_key="wrong")
        deadline = time.time() + 30
        while True:
            try:
                store.check()
            except StorageError as err:
                if "refused the keys" in str(err) or time.time() > deadline:
                    break
                time.sleep(0.3)
        refused = r"refused the keys .*: check AEBOOK_S3_ACCESS_KEY and AEBOOK_S3_SECRET_KEY"
        with pytest.raises(StorageError, match=refused):
            store.check()
    finally:
        server.stop()


def test_a_shared_store_loses_only_what_this_session_made(store):
    """Against a real MinIO the session is a guest: it removes the objects it wrote for
    itself, and never a bucket or an object it did not write."""
    store.ensure_bucket("teacher-bucket")
    store.upload(path_of(ECG), "teacher-bucket", "keep.csv")
    guest = ObjectStore(endpoint=store.endpoint, owned=False,
                        access_key=store.access_key, secret_key=store.secret_key)
    guest.ensure_bucket("teacher-bucket")  # exists: not created by the guest
    guest.ensure_bucket("student-bucket")
    guest.upload(path_of(ECG), "teacher-bucket", "student/errors.csv")
    guest.upload(path_of(ECG), "student-bucket", "a.csv")
    guest.stop()
    assert store.list("teacher-bucket") == [("keep.csv", path_of(ECG).stat().st_size)]
    # a bucket stays (another session may be about to use it), emptied of the guest's objects
    assert store.client.bucket_exists("student-bucket") and store.list("student-bucket") == []


def guest_of(store: ObjectStore) -> ObjectStore:
    return ObjectStore(endpoint=store.endpoint, owned=False, access_key=store.access_key,
                       secret_key=store.secret_key)


def test_sessions_on_one_store_never_remove_what_another_may_read(store):
    """Two students: the first uploads the shared input table and stops while the second
    still reads it; the table, the bucket and the second student's results stay."""
    first, second = guest_of(store), guest_of(store)
    first.ensure_bucket("class-bucket")
    table = first.upload(path_of(ECG), "class-bucket", "inputs/ecg.csv", shared=True)
    first.upload(path_of(ECG), "class-bucket", "results/first/errors.csv")
    second.ensure_bucket("class-bucket")
    second.upload(path_of(ECG), "class-bucket", "results/second/errors.csv")
    first.stop()
    assert table == "s3://class-bucket/inputs/ecg.csv"
    assert [k for k, _ in store.list("class-bucket")] == ["inputs/ecg.csv", "results/second/errors.csv"]
    second.stop()
    assert [k for k, _ in store.list("class-bucket")] == ["inputs/ecg.csv"]


def test_sessions_that_create_one_bucket_at_once_both_succeed(store):
    import threading

    guests = [guest_of(store) for _ in range(6)]
    errors: list[Exception] = []

    def create(guest: ObjectStore) -> None:
        try:
            guest.ensure_bucket("race-bucket")
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=create, args=(g,)) for g in guests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and store.client.bucket_exists("race-bucket")


def test_local_server_dies_with_a_killed_kernel():
    script = textwrap.dedent("""
        from aebook import start_object_store
        s = start_object_store()
        print(s._server.pids[0], s._server.folder, flush=True)
        import time; time.sleep(300)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        pid, folder = child.stdout.readline().split()
        assert alive(int(pid))
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    deadline = time.time() + 20
    while (alive(int(pid)) or Path(folder).exists()) and time.time() < deadline:
        time.sleep(0.3)
    assert not alive(int(pid)) and not Path(folder).exists()


@pytest.mark.h2o
def test_h2o_reads_and_writes_s3_and_says_when_it_lacks_the_endpoint(store):
    store.ensure_bucket("ecg-files")
    url = store.upload(path_of(ECG), "ecg-files", "train.csv")
    with start_h2o(max_mem_size="768M", store=store):
        frame = frame_from_file(url, "ecg_train", header=-1)
        assert frame.shape == (20, 210)
        import h2o

        h2o.export_file(frame, store.s3_url("ecg-files", "copy.csv"), force=True)
        assert "copy.csv" in [key for key, _size in store.list("ecg-files")]
        with pytest.raises(H2OSetupError, match=r"^The bucket of s3://nope-bucket/x.csv does not exist"):
            frame_from_file("s3://nope-bucket/x.csv", "x")
        with pytest.raises(H2OSetupError, match=r"^s3://ecg-files/missing.csv does not exist"):
            frame_from_file("s3://ecg-files/missing.csv", "x")
    with start_h2o(max_mem_size="768M"):  # started without the endpoint
        store.give_credentials_to_h2o()
        with pytest.raises(H2OSetupError, match=r"H2O must be restarted with the store's endpoint"):
            frame_from_file(url, "ecg_train", header=-1)
