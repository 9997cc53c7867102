"""The H2O session helper: clear errors for bad setups, and nothing left running."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from aebook.h2o_session import H2OSetupError, h2o_session, java_major_version, start_h2o


def fake_java(tmp_path: Path, version_line: str) -> str:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    java = bindir / "java"
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return str(bindir)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until_dead(pid: int, seconds: float = 30) -> bool:
    deadline = time.time() + seconds
    while alive(pid) and time.time() < deadline:
        time.sleep(0.5)
    return not alive(pid)


def test_missing_java_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(H2OSetupError, match=r"^Java was not found: H2O needs Java 8 to 17; install it"):
        start_h2o()


@pytest.mark.parametrize(("line", "major"), [('openjdk version "17.0.15" 2025-04-15', 17),
                                             ('java version "1.8.0_392"', 8),
                                             ('openjdk version "21.0.2" 2024-01-16', 21)])
def test_java_version_is_read(tmp_path, monkeypatch, line, major):
    monkeypatch.setenv("PATH", fake_java(tmp_path, line))
    assert java_major_version() == major


def test_unsupported_java_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", fake_java(tmp_path, 'openjdk version "21.0.2" 2024-01-16'))
    with pytest.raises(H2OSetupError, match=r"Java 21 is on PATH but H2O-3 supports Java 8 to 17: install Java 17"):
        start_h2o()


def test_unreadable_java_version(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", fake_java(tmp_path, "something else"))
    with pytest.raises(H2OSetupError, match="Could not read the Java version"):
        start_h2o()


def test_busy_port_is_one_clear_sentence():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(H2OSetupError, match=rf"^Port {port} or {port + 1} is already in use"):
            start_h2o(port=port)


def test_unreachable_cluster_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(H2OSetupError, match=rf"Could not connect to the H2O cluster at http://127.0.0.1:{port}"):
        start_h2o(url=f"http://127.0.0.1:{port}")


@pytest.mark.h2o
def test_connecting_to_an_existing_cluster_never_shuts_it_down():
    owner = start_h2o(max_mem_size="512M")
    try:
        assert owner.owned and owner.name.startswith("aebook-")
        guest = start_h2o(url=owner.url)
        assert not guest.owned and guest.name == owner.name
        guest.stop()
        with urllib.request.urlopen(owner.url + "/3/Cloud", timeout=10) as response:
            assert response.status == 200  # still running
        assert alive(owner._jvm.pid)
    finally:
        owner.stop()
    assert wait_until_dead(owner._jvm.pid)


@pytest.mark.h2o
def test_context_manager_stops_h2o_when_the_body_fails():
    with pytest.raises(ZeroDivisionError):
        with h2o_session(max_mem_size="512M") as session:
            pid = session._jvm.pid
            1 / 0
    assert wait_until_dead(pid)


@pytest.mark.h2o
def test_jvm_dies_with_a_killed_kernel(tmp_path):
    """Jupyter kills a kernel's whole process group with SIGKILL, so no cleanup runs
    in it: the watchdog, in a session of its own, must still end the JVM."""
    script = "from aebook import start_h2o\ns = start_h2o(max_mem_size='512M')\nprint(s._jvm.pid, flush=True)\nimport time; time.sleep(300)\n"
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                             start_new_session=True)
    try:
        jvm_pid = int(child.stdout.readline())
        assert alive(jvm_pid)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    assert wait_until_dead(jvm_pid, seconds=20)


@pytest.mark.h2o
def test_starting_again_stops_the_previous_local_cluster():
    """Re-running a notebook from the top must not leave the first JVM behind."""
    first = start_h2o(max_mem_size="512M")
    second = start_h2o(max_mem_size="512M")
    try:
        assert wait_until_dead(first._jvm.pid)
        assert alive(second._jvm.pid)
    finally:
        second.stop()
    assert wait_until_dead(second._jvm.pid)
