"""The H2O session helper: clear errors for bad setups, and nothing left running."""

import importlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from conftest import servers_with

from aebook import frame_from_file, path_of, unique_id
from aebook.guarded_process import process_alive as alive
from aebook.guarded_process import work_root
from aebook.h2o_session import H2OSession, H2OSetupError, h2o_session, java_major_version, start_h2o

hs = importlib.import_module("aebook.h2o_session")  # the module, not the function of that name

ROOT = Path(__file__).resolve().parent.parent


def fake_java(tmp_path: Path, version_line: str, name: str = "bin", sleep: int = 0) -> str:
    bindir = tmp_path / name / "bin"
    bindir.mkdir(parents=True)
    java = bindir / "java"
    java.write_text(f"#!/bin/sh\nsleep {sleep}\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return str(bindir)



def wait_until_dead(pid: int, seconds: float = 30) -> bool:
    deadline = time.time() + seconds
    while alive(pid) and time.time() < deadline:
        time.sleep(0.5)
    return not alive(pid)


def assert_answers(url: str) -> None:
    """The cluster at ``url`` still answers: it was not shut down."""
    with urllib.request.urlopen(url + "/3/Cloud", timeout=10) as response:
        assert response.status == 200


# --- Java, as H2O looks for it ----------------------------------------------------------

@pytest.fixture
def no_java(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("H2O_JAVA_HOME", raising=False)


def test_missing_java_says_what_to_install(no_java):
    with pytest.raises(H2OSetupError, match=r"^Java was not found: H2O needs Java 8 to 17; install it"):
        start_h2o()


@pytest.mark.parametrize(("line", "major"), [('openjdk version "17.0.15" 2025-04-15', 17),
                                             ('java version "1.8.0_392"', 8),
                                             ('openjdk version "21.0.2" 2024-01-16', 21)])
def test_java_version_is_read(tmp_path, no_java, monkeypatch, line, major):
    monkeypatch.setenv("PATH", fake_java(tmp_path, line))
    assert java_major_version() == major


def test_java_home_alone_is_found_as_h2o_finds_it(tmp_path, no_java, monkeypatch):
    bindir = fake_java(tmp_path, 'openjdk version "17.0.15"', name="jdk17")
    monkeypatch.setenv("JAVA_HOME", str(Path(bindir).parent))
    assert hs.find_java() == str(Path(bindir) / "java")
    assert java_major_version() == 17


def test_h2o_java_home_comes_first_and_is_checked(tmp_path, monkeypatch):
    """H2O runs $H2O_JAVA_HOME/bin/java even when another java is on PATH."""
    monkeypatch.setenv("PATH", fake_java(tmp_path, 'openjdk version "17.0.15"', name="ok") + ":/usr/bin:/bin")
    bad = fake_java(tmp_path, 'openjdk version "21.0.2" 2024-01-16', name="jdk21")
    monkeypatch.setenv("H2O_JAVA_HOME", str(Path(bad).parent))
    with pytest.raises(H2OSetupError, match=r"^Java 21 \(.*jdk21/bin/java\) is what H2O would use"):
        start_h2o()


def test_h2o_java_home_without_java(tmp_path, monkeypatch):
    monkeypatch.setenv("H2O_JAVA_HOME", str(tmp_path))
    with pytest.raises(H2OSetupError, match=r"^H2O_JAVA_HOME is .* but .* is not a program"):
        start_h2o()


def test_unreadable_java_version(tmp_path, no_java, monkeypatch):
    monkeypatch.setenv("PATH", fake_java(tmp_path, "something else"))
    with pytest.raises(H2OSetupError, match="Could not read the Java version"):
        start_h2o()


def test_a_hanging_java_is_one_sentence(tmp_path, no_java, monkeypatch):
    monkeypatch.setenv("PATH", fake_java(tmp_path, 'openjdk version "17"', sleep=30) + ":/usr/bin:/bin")
    monkeypatch.setattr(hs, "JAVA_VERSION_SECONDS", 1)
    with pytest.raises(H2OSetupError, match=r"-version` did not answer within 1 s: check that Java works"):
        start_h2o()


# --- URLs and memory, checked before anything starts ----------------------------------

def test_url_without_scheme_says_add_http():
    with pytest.raises(H2OSetupError, match=r"needs a scheme and a host, for example http://localhost:54321"):
        start_h2o(url="localhost:54321")


def test_unreachable_cluster_url():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(H2OSetupError, match=rf"Could not connect to the H2O cluster at http://127.0.0.1:{port}"):
        start_h2o(url=f"http://127.0.0.1:{port}")


@pytest.mark.parametrize("size", ["10M", "0G", "99999G", "2 GB"])
def test_impossible_memory_is_refused_before_java_starts(size, no_java):
    """no_java: the check must come before Java is even looked for."""
    from aebook.params import ParameterError

    with pytest.raises(ParameterError, match=r"^invalid parameter max_mem_size="):
        start_h2o(max_mem_size=size)


# --- local clusters ------------------------------------------------------------------------

@pytest.mark.h2o
def test_connecting_to_an_existing_cluster_never_shuts_it_down():
    owner = start_h2o(max_mem_size="512M")
    owner_pid = owner.jvm_pids[0]
    try:
        assert owner.owned and owner.name.startswith("aebook-")
        guest = start_h2o(url=owner.url)
        assert not guest.owned and guest.name == owner.name
        guest.stop()
        assert_answers(owner.url)
        assert alive(owner_pid)
    finally:
        owner.stop()
    assert wait_until_dead(owner_pid)


@pytest.mark.h2o
def test_a_shared_cluster_keeps_other_users_keys_and_loses_ours():
    import h2o

    owner = start_h2o(max_mem_size="768M")
    try:
        theirs = h2o.H2OFrame({"x": [1, 2, 3]}, destination_frame="someone_elses_frame")
        assert theirs.frame_id == "someone_elses_frame"
        hs._current = None  # a second reader, in another process in real life
        guest = start_h2o(url=owner.url)
        ours = frame_from_file(path_of("ecg/ecg_discord_train.csv"), "ecg_train", header=-1)
        assert ours.frame_id == unique_id("ecg_train") != "ecg_train"
        doubled = ours * 2  # a temporary of this connection
        doubled.refresh()
        assert ours.frame_id in guest.own_keys()
        guest.stop()
        h2o.connect(url=owner.url, verbose=False)
        keys = h2o.ls()["key"].tolist()
        assert "someone_elses_frame" in keys
        assert not [k for k in keys if guest.tag in k]
    finally:
        hs._current = owner
        owner.stop()


@pytest.mark.h2o
def test_context_manager_stops_h2o_when_the_body_fails():
    with pytest.raises(ZeroDivisionError), h2o_session(max_mem_size="512M") as session:
        pid = session.jvm_pids[0]
        folder = session._servers.folder
        assert folder.is_dir()
        raise ZeroDivisionError
    assert wait_until_dead(pid)
    assert not folder.exists(), "H2O's logs and ice folder are removed on stop"


@pytest.mark.h2o
def test_starting_again_stops_the_previous_local_cluster():
    """Re-running a notebook from the top must not leave the first JVM behind."""
    first = start_h2o(max_mem_size="512M")
    second = start_h2o(max_mem_size="512M")
    try:
        assert wait_until_dead(first.jvm_pids[0])
        assert alive(second.jvm_pids[0])
    finally:
        second.stop()
    assert wait_until_dead(second.jvm_pids[0])


@pytest.mark.h2o
def test_two_nodes_form_one_cluster():
    import h2o

    with h2o_session(nodes=2, max_mem_size="512M") as session:
        assert h2o.cluster().cloud_size == 2
        assert len(session.jvm_pids) == 2
        pids = session.jvm_pids
    assert all(wait_until_dead(pid) for pid in pids)


@pytest.mark.h2o
def test_a_port_taken_before_the_start_is_never_someone_elses_cluster(monkeypatch):
    """The race: the chosen port is taken (here by another H2O) before the JVM binds it.
    The session must start elsewhere, and stopping it must not stop the other one."""
    other = start_h2o(max_mem_size="512M")
    other_port = int(other.url.rsplit(":", 1)[1])
    real = hs._free_port_pair
    calls = []

    def racy(taken=frozenset()):
        calls.append(1)
        return other_port if len(calls) == 1 else real(taken)

    monkeypatch.setattr(hs, "_free_port_pair", racy)
    hs._current = None  # keep `other` running: it stands for another user's cluster
    try:
        mine = start_h2o(max_mem_size="512M")
        assert mine.url != other.url and len(calls) >= 2
        mine.stop()
        assert_answers(other.url)
    finally:
        hs._current = other
        other.stop()


@pytest.mark.h2o
def test_stop_never_shuts_down_a_cluster_with_another_name():
    other = start_h2o(max_mem_size="512M")
    try:
        impostor = H2OSession(url=other.url, name="aebook-someone-else", owned=True)
        impostor.stop()
        time.sleep(1)
        assert_answers(other.url)
    finally:
        hs._current = other
        other.stop()


@pytest.mark.h2o
def test_a_version_mismatch_names_the_pip_version(monkeypatch):
    import h2o

    owner = start_h2o(max_mem_size="512M")
    try:
        server = h2o.cluster().version
        monkeypatch.setattr(h2o, "__version__", "3.40.0.1")
        hs._current = None
        with pytest.raises(H2OSetupError, match=rf"runs H2O {server} .* `pip install h2o=={server}`"):
            start_h2o(url=owner.url)
    finally:
        monkeypatch.undo()
        hs._current = owner
        owner.stop()


@pytest.mark.h2o
@pytest.mark.skipif(os.geteuid() != 0, reason="hiding a folder from H2O needs root (mount namespaces)")
def test_a_cluster_with_a_hidden_folder_gets_uploads(tmp_path):
    """hide_folder: the nodes cannot see the project, as a remote cluster; files are uploaded."""
    import h2o

    with h2o_session(max_mem_size="512M", hide_folder=ROOT) as session:
        assert not session.shares_files
        path = path_of("ecg/ecg_discord_train.csv")
        assert ROOT in path.parents
        with pytest.raises(Exception, match="does not exist"):
            h2o.import_file(str(path))  # what a chapter without the helper would hit
        frame = frame_from_file(path, "ecg_train", header=-1)
        assert frame.shape == (20, 210)


# --- a kernel killed at any moment of the start ------------------------------------------

@pytest.mark.h2o
@pytest.mark.parametrize("delay", [0.2, 0.5, 1.0, 2.0, 4.0, 8.0])
def test_jvm_and_folder_die_with_a_kernel_killed_during_or_after_the_start(delay):
    """Jupyter kills a kernel's whole process group with SIGKILL, so no cleanup runs
    in it: the guard, in a session of its own, must end the JVM and remove its folder,
    whichever moment of the start the kill hits."""
    marker = f"{os.getpid()}-{delay}"
    script = textwrap.dedent("""
        from aebook import start_h2o
        s = start_h2o(max_mem_size='512M')
        print(s.jvm_pids[0], s._servers.folder, flush=True)
        import time; time.sleep(300)
    """)
    env = dict(os.environ, AEBOOK_KILL_TEST=marker)
    before = set(work_root().iterdir()) if work_root().is_dir() else set()
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env=env, start_new_session=True)
    time.sleep(delay)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    deadline = time.time() + 20
    while servers_with("AEBOOK_KILL_TEST", marker) and time.time() < deadline:
        time.sleep(0.5)
    assert not servers_with("AEBOOK_KILL_TEST", marker), f"a JVM outlived a kernel killed {delay} s into the start"
    deadline = time.time() + 10
    while time.time() < deadline:
        new = (set(work_root().iterdir()) if work_root().is_dir() else set()) - before
        if not [f for f in new if f.name.startswith(f"aebook-{child.pid}-")]:
            break
        time.sleep(0.5)
    assert not [f for f in new if f.name.startswith(f"aebook-{child.pid}-")]


@pytest.mark.h2o
def test_the_jvm_writes_its_temporary_files_only_into_the_guarded_folder():
    """H2O unpacks native libraries (about 150 MB) into java.io.tmpdir at every start;
    they must go with the node, also when the node is killed outright."""
    import glob
    import tempfile

    system_tmp = tempfile.gettempdir()
    before = set(glob.glob(f"{system_tmp}/libxgboost4j*"))
    session = start_h2o(max_mem_size="512M")
    try:
        folder = session._servers.folder
        assert [f for f in os.listdir(folder) if f.startswith("libxgboost4j")]
        assert set(glob.glob(f"{system_tmp}/libxgboost4j*")) <= before
        os.kill(session.jvm_pids[0], signal.SIGKILL)
        deadline = time.time() + 10
        while folder.exists() and time.time() < deadline:
            time.sleep(0.3)
        assert not folder.exists(), "the guard removes the folder when its node dies"
    finally:
        session.stop()


def test_the_h2o_client_asks_often_whether_a_job_has_finished():
    """The client's own wait between two questions (0.2 s or more) is replaced, not added to."""
    from h2o.utils.progressbar import ProgressBar

    from aebook.h2o_session import POLL_MAX_SECONDS, POLL_SECONDS, _poll_jobs_often

    assert "MIN_PROGRESS_CHECK_INTERVAL" in vars(ProgressBar) and "_guess_next_poll_interval" in vars(ProgressBar)
    _poll_jobs_often()
    bar = ProgressBar(hidden=True)
    assert ProgressBar.MIN_PROGRESS_CHECK_INTERVAL == POLL_SECONDS
    waits = []
    for elapsed in (0.0, 0.2, 3.0, 60.0):  # the job's run so far, as the bar records it
        bar._progress_data = [(100.0, 0.0), (100.0 + elapsed, 0.5)]
        waits.append(bar._guess_next_poll_interval())
    assert waits == [POLL_SECONDS, POLL_SECONDS, pytest.approx(0.3), POLL_MAX_SECONDS]


def test_a_cluster_on_a_gated_release_is_named_as_such():
    from aebook.h2o_session import version_mismatch

    gated = version_mismatch("http://h:54321", "3.46.0.12", "3.46.0.11")
    assert "no longer exports MOJOs" in gated and "H2O 3.46.0.11" in gated
    older = version_mismatch("http://h:54321", "3.44.0.3", "3.46.0.11")
    assert "pip install h2o==3.44.0.3" in older and "MOJO" not in older


# --- #27: an interrupted start and a killed guard leave no JVM ------------------------------

@pytest.mark.h2o
@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_an_interrupted_start_stops_the_jvm_it_started(delay):
    """Ctrl-C (or Jupyter's stop button) while start_h2o() waits for the cluster: the
    kernel lives on, and no JVM of that start may run beside the next one."""
    marker = f"{os.getpid()}-interrupt-{delay}"
    script = textwrap.dedent("""
        import os, signal, threading, time
        from aebook import start_h2o
        threading.Timer(float(os.environ["DELAY"]), os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            start_h2o(max_mem_size='512M')
            print("started", flush=True)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        time.sleep(300)  # the kernel lives on
    """)
    env = dict(os.environ, AEBOOK_INTERRUPT_TEST=marker, DELAY=str(delay))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env,
                             start_new_session=True)
    try:
        outcome = child.stdout.readline().strip()
        if outcome == "started":
            pytest.skip(f"the cluster was up within {delay} s: nothing to interrupt")
        assert outcome == "interrupted"
        deadline = time.time() + 20
        while servers_with("AEBOOK_INTERRUPT_TEST", marker) and time.time() < deadline:
            time.sleep(0.5)
        assert not servers_with("AEBOOK_INTERRUPT_TEST", marker), "a JVM outlived its interrupted start"
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


@pytest.mark.h2o
def test_a_killed_guard_takes_its_jvm_with_it_and_stop_still_works():
    session = start_h2o(max_mem_size="512M")
    jvm = session.jvm_pids[0]
    try:
        os.kill(session._servers.guard.pid, signal.SIGKILL)
        deadline = time.time() + 20
        while alive(jvm) and time.time() < deadline:
            time.sleep(0.2)
        assert not alive(jvm), "the JVM outlived its guard"
    finally:
        session.stop()
    assert not session._servers.folder.exists()


def test_a_later_start_ends_servers_left_by_a_killed_guard(tmp_path):
    """A server that outlived its guard (not started by it, so no PDEATHSIG) is found by its
    folder on the command line and ended by the next start's clean-up."""
    from aebook.guarded_process import remove_orphaned_folders

    folder = work_root() / f"aebook-test-orphan-{os.getpid()}"
    folder.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, timeout=60).stdout.strip()
    (folder / "guard.pid").write_text(dead)
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", f"--dir={folder}"])
    try:
        # until the child has exec'd, its command line is still this process's (caught by CI)
        deadline = time.monotonic() + 30
        while f"--dir={folder}" not in psutil.Process(server.pid).cmdline():
            assert time.monotonic() < deadline, "the stand-in server never started"
            time.sleep(0.05)
        remove_orphaned_folders()
        assert server.wait(timeout=20) is not None
        assert not folder.exists()
    finally:
        if server.poll() is None:
            server.kill()


@pytest.mark.h2o
@pytest.mark.timeout(300)
def test_a_jvm_killed_during_training_is_one_sentence_within_seconds():
    import threading

    import h2o
    import numpy as np
    import pandas as pd
    from h2o.estimators import H2OAutoEncoderEstimator

    from aebook.h2o_session import ClusterGoneError

    with h2o_session(max_mem_size="1G") as session:
        rows = np.random.default_rng(1).normal(size=(5000, 20))
        frame = h2o.H2OFrame(pd.DataFrame(rows, columns=[f"x{i}" for i in range(20)]))
        model = H2OAutoEncoderEstimator(hidden=[50], epochs=100_000, reproducible=True, seed=1)
        pid = session.jvm_pids[0]
        killed = []
        timer = threading.Timer(3, lambda: (os.kill(pid, signal.SIGKILL), killed.append(time.monotonic())))
        timer.start()
        try:
            with pytest.raises(ClusterGoneError) as caught:
                model.train(training_frame=frame)
        finally:
            timer.cancel()
        assert killed, "training ended before the JVM was killed"
        assert time.monotonic() - killed[0] < 20
        message = str(caught.value)
        assert "\n" not in message and message.count(". ") == 0
        assert session.url in message and "run the notebook again from the top" in message
