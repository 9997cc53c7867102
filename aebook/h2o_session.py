"""Start a local H2O cluster (or connect to an existing one) and always clean up.

In a notebook::

    session = start_h2o()          # a quiet local H2O on a free port
    ...
    session.stop()                 # last cell; also runs at interpreter exit

In a script, ``with h2o_session() as session: ...`` stops it even on an error.

Given a URL (``url=`` or ``$AEBOOK_H2O_URL``) the helper connects to that cluster
instead and never shuts it down: it belongs to someone else.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["H2OSetupError", "H2OSession", "java_major_version", "start_h2o", "h2o_session"]

URL_ENV = "AEBOOK_H2O_URL"
SUPPORTED_JAVA = range(8, 18)  # H2O-3 supports Java 8 to 17
CLUSTER_PREFIX = "aebook"
_current: H2OSession | None = None  # the session this process started last

# Kills the JVM if the Python process that started it dies without cleaning up
# (a kernel killed with SIGKILL, for instance): no H2O is ever left running.
_WATCHDOG = """
import os, signal, sys, time
parent, jvm = int(sys.argv[1]), int(sys.argv[2])
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False
while alive(jvm):
    if not alive(parent) or os.getppid() == 1:
        try:
            os.kill(jvm, signal.SIGKILL)
        except OSError:
            pass
        break
    time.sleep(1)
"""


class H2OSetupError(RuntimeError):
    """H2O cannot start or connect; the message says what to do."""


def java_major_version(java: str = "java") -> int:
    """The major version of ``java`` (8 for "1.8.0_x", 17 for "17.0.x")."""
    exe = shutil.which(java)
    if exe is None:
        raise H2OSetupError(
            "Java was not found: H2O needs Java 8 to 17; install it (on Debian or Ubuntu: "
            "`apt-get install openjdk-17-jre-headless`) or put its `bin` folder on PATH."
        )
    out = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=60)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise H2OSetupError(f"Could not read the Java version from `{exe} -version`; H2O needs Java 8 to 17.")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_pair() -> int:
    """A port p with p and p+1 both free (H2O listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65535 and _port_free(port + 1):
            return port
    raise H2OSetupError("Could not find two free consecutive ports on 127.0.0.1 for H2O.")


@dataclass
class H2OSession:
    """A connection to an H2O cluster; ``owned`` if this process started it."""

    url: str
    name: str
    owned: bool
    _jvm: subprocess.Popen | None = field(default=None, repr=False)
    _watchdog: subprocess.Popen | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        """Shut the cluster down if this session started it, else just disconnect."""
        if self._stopped:
            return
        self._stopped = True
        import h2o

        if self.owned:
            with contextlib.suppress(Exception):  # graceful; independent of h2o's current connection
                urllib.request.urlopen(urllib.request.Request(f"{self.url}/3/Shutdown", method="POST"), timeout=10)
            if self._jvm is not None:
                try:
                    self._jvm.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self._jvm.kill()
                    self._jvm.wait()
        connection = h2o.connection()
        if connection is not None and connection.base_url.rstrip("/") == self.url:
            with contextlib.suppress(Exception):
                connection.close()
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()

    def __enter__(self) -> H2OSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_h2o(
    url: str | None = None,
    max_mem_size: str = "2G",
    nthreads: int = -1,
    port: int | None = None,
    progress: bool | None = None,
) -> H2OSession:
    """Start a quiet local H2O, or connect to ``url`` (default ``$AEBOOK_H2O_URL``).

    A local cluster gets a unique name, a free port (unless ``port`` is given), the
    memory cap ``max_mem_size`` and ``nthreads`` threads (-1: all cores). Progress
    bars are shown only when ``progress`` is true, or when it is None and standard
    output is a terminal.
    """
    import h2o

    global _current
    url = url or os.environ.get(URL_ENV) or None
    if _current is not None and _current.url != url:  # a notebook re-run from the top: one cluster at a time
        _current.stop()
    from h2o.exceptions import H2ODependencyWarning

    # as_data_frame() advises installing polars on every call; the frames here are small: noise.
    warnings.filterwarnings("ignore", category=H2ODependencyWarning)
    if progress or (progress is None and sys.stdout.isatty()):
        h2o.show_progress()
    else:
        h2o.no_progress()
    if url:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                h2o.connect(url=url, verbose=False)
        except Exception as err:  # noqa: BLE001 - h2o raises several types here
            raise H2OSetupError(
                f"Could not connect to the H2O cluster at {url} ({type(err).__name__}); "
                f"check that it is running, or unset {URL_ENV} to start a local one."
            ) from None
        _current = H2OSession(url=url, name=h2o.cluster().cloud_name, owned=False)
        return _current

    major = java_major_version()
    if major not in SUPPORTED_JAVA:
        raise H2OSetupError(
            f"Java {major} is on PATH but H2O-3 supports Java 8 to 17: install Java 17 "
            "(`apt-get install openjdk-17-jre-headless`) and put it first on PATH."
        )
    if port is None:
        port = _free_port_pair()
    elif not (_port_free(port) and _port_free(port + 1)):
        raise H2OSetupError(
            f"Port {port} or {port + 1} is already in use (another H2O or another program): "
            "pass a different port, or port=None to pick a free one."
        )
    name = f"{CLUSTER_PREFIX}-{os.getpid()}-{secrets.token_hex(3)}"
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            h2o.init(
                port=port, name=name, nthreads=nthreads, max_mem_size=max_mem_size,
                verbose=False, telemetry=False, strict_version_check=True,
            )
    except Exception as err:  # noqa: BLE001
        raise H2OSetupError(f"H2O did not start on port {port}: {err}") from None
    for line in output.getvalue().splitlines():
        if "version is (" not in line and "latest_stable" not in line:  # drop the "build is N months old" nag
            print(line)
    jvm = h2o.connection().local_server._process
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(jvm.pid)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # Jupyter kills a kernel's whole process group: the watchdog must outlive it
    )
    session = H2OSession(url=f"http://127.0.0.1:{port}", name=name, owned=True, _jvm=jvm, _watchdog=watchdog)
    atexit.register(session.stop)
    _current = session
    return session


@contextlib.contextmanager
def h2o_session(**kwargs: object) -> Iterator[H2OSession]:
    """``start_h2o(**kwargs)`` as a context manager that always stops the session."""
    session = start_h2o(**kwargs)  # type: ignore[arg-type]
    try:
        yield session
    finally:
        session.stop()
