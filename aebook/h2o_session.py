"""Start a local H2O cluster (or connect to an existing one) and always clean up.

In a notebook::

    session = start_h2o()          # a quiet local H2O on a free port
    ...
    session.stop()                 # last cell; also runs at interpreter exit

In a script, ``with h2o_session() as session: ...`` stops it even on an error.

A local cluster has one node or, with ``nodes=2``, several nodes on this machine
that find each other through a flatfile. Its JVMs run under a guard
(:mod:`aebook.guarded_process`) that ends them and deletes their logs when the
kernel dies, however it dies.

Given a URL (``url=`` or ``$AEBOOK_H2O_URL``) the helper connects to that cluster
instead and never shuts it down: it belongs to someone else. Every frame and model
a chapter creates carries the session's tag (:func:`unique_id`), so that many
readers can share one cluster; on a shared cluster :meth:`H2OSession.stop` removes
exactly the keys this session created.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .guarded_process import GuardedProcesses, start_guarded

if TYPE_CHECKING:
    from .object_storage import ObjectStore

__all__ = [
    "ClusterGoneError",
    "H2OSession",
    "H2OSetupError",
    "current_session",
    "find_java",
    "h2o_session",
    "java_major_version",
    "start_h2o",
    "unique_id",
]

URL_ENV = "AEBOOK_H2O_URL"
SUPPORTED_JAVA = range(8, 18)  # H2O-3 supports Java 8 to 17
CLUSTER_PREFIX = "aebook"
START_SECONDS = 90  # how long the nodes may take to form the cluster
JAVA_VERSION_SECONDS = 30  # how long `java -version` may take
SHORT_JOBS_OPTION = "-XX:TieredStopAtLevel=1"  # the JVM's quick compiler (C1) only
POLL_SECONDS = 0.05  # how often the h2o client first asks whether a job has finished
POLL_SHARE = 0.1  # later, after this share of the time the job has run so far ...
POLL_MAX_SECONDS = 1.0  # ... but at least once a second
GONE_CHECK_SECONDS = 3  # how long a cluster whose request failed may take to answer /3/Cloud
_current: H2OSession | None = None  # the session this process started last


class H2OSetupError(RuntimeError):
    """H2O cannot start or connect; the message says what to do."""


class ClusterGoneError(RuntimeError):
    """The H2O cluster stopped answering during the session; the message says what to do.

    Not an ``H2OConnectionError``: h2o's job poller retries those for about 90 s.
    """


def find_java() -> str:
    """The java H2O would run: ``$H2O_JAVA_HOME/bin``, then PATH, then ``$JAVA_HOME/bin``."""
    h2o_home = os.environ.get("H2O_JAVA_HOME")
    if h2o_home:
        java = Path(h2o_home) / "bin" / "java"
        if not os.access(java, os.X_OK):
            raise H2OSetupError(
                f"H2O_JAVA_HOME is {h2o_home} but {java} is not a program: point "
                "H2O_JAVA_HOME at a Java 8 to 17 installation, or unset it."
            )
        return str(java)
    on_path = shutil.which("java")
    if on_path:
        return on_path
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return str(Path(java_home) / "bin" / "java")
    raise H2OSetupError(
        "Java was not found: H2O needs Java 8 to 17; install it (on Debian or Ubuntu: "
        "`apt-get install openjdk-17-jre-headless`) or put its `bin` folder on PATH."
    )


def java_major_version(java: str | None = None) -> int:
    """The major version of ``java`` (default :func:`find_java`): 8 for "1.8.0_x"."""
    exe = java or find_java()
    if shutil.which(exe) is None:
        raise H2OSetupError(f"Java was not found at {exe}: install Java 17 or fix PATH.")
    try:
        out = subprocess.run([exe, "-version"], capture_output=True, text=True,
                             timeout=JAVA_VERSION_SECONDS)
    except subprocess.TimeoutExpired:
        raise H2OSetupError(
            f"`{exe} -version` did not answer within {JAVA_VERSION_SECONDS} s: check that Java works "
            "(run it in a terminal), or point H2O_JAVA_HOME at another Java 17."
        ) from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise H2OSetupError(
            f"Could not read the Java version from `{exe} -version`; H2O needs Java 8 to 17."
        )
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_pair(taken: set[int] = frozenset()) -> int:  # type: ignore[assignment]
    """A port p with p and p+1 both free (H2O listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65535 and _port_free(port + 1) and not {port, port + 1} & taken:
            return port
    raise H2OSetupError("Could not find two free consecutive ports on 127.0.0.1 for H2O.")


def _cloud(url: str, timeout: float = 5) -> dict | None:
    """``GET /3/Cloud`` of the cluster at ``url``, or None if nothing answers."""
    try:
        with urllib.request.urlopen(f"{url}/3/Cloud", timeout=timeout) as response:
            return json.load(response)
    except (OSError, ValueError):
        return None


def _h2o_jar() -> Path:
    import h2o

    return Path(h2o.__file__).parent / "backend" / "bin" / "h2o.jar"


@dataclass
class H2OSession:
    """A connection to an H2O cluster; ``owned`` if this process started it."""

    url: str
    name: str
    owned: bool
    nodes: int = 1
    tag: str = field(default_factory=lambda: f"{CLUSTER_PREFIX}_{secrets.token_hex(4)}")
    _servers: GuardedProcesses | None = field(default=None, repr=False)
    _h2o_session_id: str | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)
    store: ObjectStore | None = field(default=None, repr=False)  # the one given to start_h2o

    @property
    def shares_files(self) -> bool:
        """True if the cluster runs here and reads this machine's files."""
        return self.owned and self._servers is not None and not self._hidden

    _hidden: bool = field(default=False, repr=False)

    @property
    def jvm_pids(self) -> list[int]:
        """Process ids of the nodes this session started (empty for a shared cluster)."""
        return list(self._servers.pids) if self._servers else []

    def own_keys(self) -> list[str]:
        """Keys on the cluster that this session created (frames, models, results)."""
        import h2o

        marks = [self.tag] + ([self._h2o_session_id] if self._h2o_session_id else [])
        keys = h2o.ls()["key"].tolist()
        return [k for k in keys if any(m in k for m in marks)]

    def stop(self) -> None:
        """Shut the cluster down if this session started it; else remove its keys."""
        global _current
        if self._stopped:
            return
        self._stopped = True
        import h2o

        connection = h2o.connection()
        connected = connection is not None and connection.connected and (
            connection.base_url.rstrip("/") == self.url)
        if self.owned:
            if self._servers is not None:
                # SIGTERM to the nodes (under a second), not H2O's /3/Shutdown (about three):
                # the cluster keeps nothing that outlives it, and its folder goes too
                self._servers.stop()
            else:
                cloud = _cloud(self.url)
                if cloud is not None and cloud.get("cloud_name") == self.name:
                    with contextlib.suppress(OSError):  # independent of h2o's connection
                        request = urllib.request.Request(f"{self.url}/3/Shutdown", method="POST")
                        urllib.request.urlopen(request, timeout=10)
        elif connected:
            with contextlib.suppress(Exception):
                for key in self.own_keys():
                    h2o.remove(key, cascade=False)
        if connected:
            with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
                connection.close()
        if _current is self:
            _current = None

    def __enter__(self) -> H2OSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def current_session() -> H2OSession:
    """The session :func:`start_h2o` started last in this process."""
    if _current is None or _current._stopped:
        raise H2OSetupError("No H2O session is running: call start_h2o() first.")
    return _current


def unique_id(name: str) -> str:
    """``name`` made unique to the current session, for frame and model ids.

    Students sharing one cluster can all create ``unique_id("ecg_train")`` without
    seeing or overwriting each other's frame; the session removes it when it stops.
    """
    return f"{name}_{current_session().tag}"


def _check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s:]+(:\d+)?(/.*)?$", url):
        hint = f"http://{url}" if "://" not in url else "http://host:54321"
        raise H2OSetupError(
            f"The H2O cluster URL {url!r} needs a scheme and a host, for example {hint}: "
            f"fix the URL (or {URL_ENV})."
        )
    return url


def _connect(url: str) -> None:
    import h2o

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            h2o.connect(url=url, verbose=False, strict_version_check=False)
    except Exception as err:  # h2o raises several types here
        raise H2OSetupError(
            f"Could not connect to the H2O cluster at {url} ({type(err).__name__}); "
            f"check that it is running, or unset {URL_ENV} to start a local one."
        ) from None
    server = h2o.cluster().version
    if server != h2o.__version__:
        with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
            h2o.connection().close()
        raise H2OSetupError(version_mismatch(url, server, h2o.__version__))


# From this release on, the open-source H2O-3 gates MOJO/POJO export, Hadoop and
# Kubernetes behind "H2O-3 Secure" (EnterpriseGate; h2oai/h2o-3 issue #16930).
FIRST_GATED_VERSION = (3, 46, 0, 12)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:4])


def version_mismatch(url: str, server: str, client: str) -> str:
    """The one-sentence error for a cluster whose H2O is not this client's."""
    if _version_tuple(server) >= FIRST_GATED_VERSION:
        return (f"The H2O cluster at {url} runs H2O {server}, a release whose open-source build "
                "no longer exports MOJOs (it asks for H2O-3 Secure), while this book pins h2o "
                f"{client}: use a cluster that runs H2O {client}.")
    return (f"The H2O cluster at {url} runs H2O {server} but this Python has h2o "
            f"{client}: install the matching client with "
            f"`pip install h2o=={server}`, or use a cluster that runs {client}.")


def _quiet_h2o(progress: bool | None) -> None:
    import h2o
    from h2o.exceptions import H2ODependencyWarning

    # as_data_frame() advises installing polars on every call; the frames here are small.
    warnings.filterwarnings("ignore", category=H2ODependencyWarning)
    if progress or (progress is None and sys.stdout.isatty()):
        h2o.show_progress()
    else:
        h2o.no_progress()


def _poll_jobs_often() -> None:
    """Ask H2O whether a job has finished after 0.05 s, then after a tenth of its run so far.

    The h2o client waits max(0.2 s, a fifth of the time a job has run so far) between
    two questions, so a chapter of many short jobs (models, predictions) spends
    seconds only waiting to learn that they ended. Asking every 0.05 s throughout
    costs CPU on both sides in long jobs (a request, a JSON answer): the wait grows
    with the job instead, so a job never waits more than about a tenth longer.
    """
    from h2o.utils.progressbar import ProgressBar

    ProgressBar.MIN_PROGRESS_CHECK_INTERVAL = POLL_SECONDS
    ProgressBar._guess_next_poll_interval = _next_poll_interval


def _next_poll_interval(bar) -> float:
    """Seconds until the next question: ``POLL_SHARE`` of the job's run so far, within limits."""
    elapsed = bar._progress_data[-1][0] - bar._progress_data[0][0]
    return min(POLL_MAX_SECONDS, max(POLL_SECONDS, POLL_SHARE * elapsed))


def _node_command(
    java: str, name: str, port: int, memory: str, threads: int,
    flatfile: str | None, store: ObjectStore | None, hide_folder: Path | None,
    short_jobs: bool = False,
) -> list[str]:
    jar = _h2o_jar()
    # java.io.tmpdir: H2O unpacks native libraries (about 150 MB) there at every start;
    # in the guarded folder they go when the node goes, however it ends.
    options = [f"-Xmx{memory}", "-Djava.io.tmpdir={folder}"]
    if short_jobs:
        options.append(SHORT_JOBS_OPTION)
    if store is not None:
        options += store.h2o_jvm_options()
    args = ["-name", name, "-ip", "127.0.0.1", "-port", str(port),
            "-ice_root", "{folder}/ice", "-log_dir", "{folder}/logs", "-nthreads", str(threads)]
    if flatfile:
        args += ["-flatfile", flatfile]
    if hide_folder is None:
        return [java, *options, "-jar", str(jar), *args]
    # A node that cannot see hide_folder: a private mount namespace with an empty
    # tmpfs over it (the jar is bind-mounted out of the way first). Linux, as root.
    script = (
        'set -e; mkdir -p "$1"; touch "$1/h2o.jar"; mount --bind "$2" "$1/h2o.jar"; '
        'mount -t tmpfs tmpfs "$3"; shift 3; exec "$@"'
    )
    inner = [java, *options, "-jar", "{folder}/jar/h2o.jar", *args]
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
            "{folder}/jar", str(jar), str(hide_folder), *inner]


def _why_not_started(servers: GuardedProcesses, memory: str) -> str:
    text = "\n".join(servers.output(i) for i in range(len(servers.pids)))
    if "ports" in text and "not available" in text:
        return "port"
    if "Could not reserve enough space" in text or "Invalid maximum heap size" in text:
        return (f"H2O could not reserve max_mem_size={memory} of memory: choose a smaller "
                "size such as \"2G\".")
    if "Operation not permitted" in text or "unshare" in text:
        return ("The cluster could not hide a folder (it needs Linux mount namespaces "
                "and root): start it without hide_folder.")
    last = [line for line in text.splitlines() if line.strip()][-1:] or ["no output"]
    return f"H2O did not start ({last[0].strip()[:200]}): see the message and fix it."


def _start_local(
    nodes: int, max_mem_size: str, nthreads: int, store: ObjectStore | None,
    hide_folder: Path | None, short_jobs: bool = False,
) -> H2OSession:
    java = find_java()
    major = java_major_version(java)
    if major not in SUPPORTED_JAVA:
        raise H2OSetupError(
            f"Java {major} ({java}) is what H2O would use, but H2O-3 supports Java 8 to 17: "
            "install Java 17 (`apt-get install openjdk-17-jre-headless`) and put it first "
            "on PATH, or point H2O_JAVA_HOME at it."
        )
    name = f"{CLUSTER_PREFIX}-{os.getpid()}-{secrets.token_hex(3)}"
    threads = nthreads if nthreads > 0 else (1 if nodes > 1 else -1)
    for _attempt in range(3):  # a port taken between the check and the start: try again
        ports: list[int] = []
        for _ in range(nodes):
            ports.append(_free_port_pair(set(ports) | {p + 1 for p in ports}))
        flatfile = None
        commands = []
        if nodes > 1:
            flatfile = "{folder}/flatfile.txt"
        for port in ports:
            commands.append(_node_command(java, name, port, max_mem_size, threads,
                                          flatfile, store, hide_folder, short_jobs))
        servers = _start_servers(name, commands, ports if nodes > 1 else None)
        url = f"http://127.0.0.1:{ports[0]}"
        try:
            failure = _wait_for_cloud(servers, url, name, nodes, max_mem_size)
        except BaseException:  # an interrupted start (Ctrl-C, a stopped cell) ends what it started
            servers.stop()
            raise
        if failure is None:
            return H2OSession(url=url, name=name, owned=True, nodes=nodes,
                              _servers=servers, _hidden=hide_folder is not None)
        servers.stop()
        if failure != "port":
            raise H2OSetupError(failure)
    raise H2OSetupError("H2O's ports were taken by other programs three times: try again.")


def _start_servers(name: str, commands: list[list[str]], flat_ports: list[int] | None
                   ) -> GuardedProcesses:
    if flat_ports is None:
        return start_guarded(name, commands)
    # the flatfile must exist before the nodes start: a shell writes it in the folder
    lines = "\\n".join(f"127.0.0.1:{p}" for p in flat_ports)
    wrapped = [["sh", "-c", f'printf "{lines}\\n" > "$1/flatfile.txt"; shift; exec "$@"',
                "sh", "{folder}", *cmd] for cmd in commands]
    return start_guarded(name, wrapped)


def _wait_for_cloud(servers: GuardedProcesses, url: str, name: str, nodes: int,
                    memory: str) -> str | None:
    """None once ``nodes`` nodes named ``name`` answer at ``url``, else why not."""
    deadline = time.time() + START_SECONDS
    while time.time() < deadline:
        if not all(servers.running()):
            time.sleep(0.5)  # let the output reach the log
            return _why_not_started(servers, memory)
        cloud = _cloud(url, timeout=2)
        if cloud is not None:
            if cloud.get("cloud_name") != name:
                return "port"  # someone else's cluster answers there: never use it
            if cloud.get("cloud_size") == nodes and cloud.get("consensus"):
                return None
        time.sleep(0.1)
    return f"H2O did not form a cluster of {nodes} node(s) within {START_SECONDS} s: try again."


def start_h2o(
    url: str | None = None,
    max_mem_size: str = "2G",
    nthreads: int = -1,
    progress: bool | None = None,
    nodes: int = 1,
    store: ObjectStore | None = None,
    hide_folder: str | Path | None = None,
    short_jobs: bool = False,
) -> H2OSession:
    """Start a quiet local H2O, or connect to ``url`` (default ``$AEBOOK_H2O_URL``).

    A local cluster gets a unique name, free ports, ``nodes`` JVMs with the memory cap
    ``max_mem_size`` each and ``nthreads`` threads each (-1: all cores for one node,
    one thread per node for several). With an object ``store``
    (:func:`aebook.object_storage.start_object_store`) the nodes get its endpoint and
    credentials, so that ``s3://`` paths reach it. ``hide_folder`` starts the nodes
    in a private mount namespace where that folder is empty: a cluster that cannot
    see your files, as a remote one (Linux, as root). ``short_jobs`` has the JVM
    compile H2O's code quickly rather than fully (``-XX:TieredStopAtLevel=1``): a run
    of many short jobs, such as the quick book, then spends far less CPU compiling,
    while long jobs run slower. Progress bars are shown only when ``progress`` is
    true, or when it is None and standard output is a terminal.
    """
    import h2o

    from .params import check_memory_size

    global _current
    url = url or os.environ.get(URL_ENV) or None
    if url:
        url = _check_url(url)
    else:
        check_memory_size("max_mem_size", max_mem_size)
        if not (isinstance(nodes, int) and 1 <= nodes <= 8):
            raise H2OSetupError(f"nodes={nodes!r}: a local cluster has 1 to 8 nodes.")
    # a notebook re-run from the top: one session at a time (but a connection to the
    # cluster this process runs itself leaves that cluster alone)
    if _current is not None and not (_current.owned and _current.url == url):
        _current.stop()
    _quiet_h2o(progress)
    _poll_jobs_often()
    if url:
        _connect(url)
        session = H2OSession(url=url, name=h2o.cluster().cloud_name, owned=False,
                             nodes=h2o.cluster().cloud_size)
    else:
        hidden = Path(hide_folder).resolve() if hide_folder else None
        session = _start_local(nodes, max_mem_size, nthreads, store, hidden, short_jobs)
        try:
            _connect(session.url)
        except BaseException:  # also an interrupt: no JVM outlives a failed start
            session.stop()
            raise
    session._h2o_session_id = str(h2o.connection().session_id)
    _fail_fast_when_gone(session)
    if store is not None:
        store.give_credentials_to_h2o()
        session.store = store
    atexit.register(session.stop)
    _current = session
    return session


def _fail_fast_when_gone(session: H2OSession) -> None:
    """Turn a failed request to a cluster that no longer answers into one sentence, at once.

    The h2o client retries a job's status for about 90 s, then raises a long
    ``H2OConnectionError``. The request is checked instead: if the nodes this session
    started have ended, or the cluster does not answer ``/3/Cloud`` within a few
    seconds, :class:`ClusterGoneError` says so; otherwise h2o's own error stands.
    """
    import h2o
    from h2o.exceptions import H2OConnectionError

    connection = h2o.connection()
    request = connection.request

    def checked_request(*args, **kwargs):
        try:
            return request(*args, **kwargs)
        except H2OConnectionError:
            if session._stopped or not _cluster_gone(session):
                raise
            raise ClusterGoneError(_gone_message(session)) from None

    connection.request = checked_request


def _cluster_gone(session: H2OSession) -> bool:
    if session._servers is not None and not all(session._servers.running()):
        return True
    return _cloud(session.url, timeout=GONE_CHECK_SECONDS) is None


def _gone_message(session: H2OSession) -> str:
    if session.owned:
        return (f"The H2O cluster at {session.url} that this session started has stopped (its Java "
                "process ended, perhaps killed or out of memory): run the notebook again from the top, "
                "which starts a new one.")
    return (f"The shared H2O cluster at {session.url} no longer answers: ask whoever runs it to restart "
            "it, then run the notebook again from the top.")


@contextlib.contextmanager
def h2o_session(**kwargs: object) -> Iterator[H2OSession]:
    """``start_h2o(**kwargs)`` as a context manager that always stops the session."""
    session = start_h2o(**kwargs)  # type: ignore[arg-type]
    try:
        yield session
    finally:
        session.stop()
