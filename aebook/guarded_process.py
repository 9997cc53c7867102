"""Background servers (H2O nodes, a local S3 server) that never outlive the notebook.

A notebook kernel can die without running any cleanup: Jupyter's "restart" or a
SIGKILL ends its whole process group at once. So the servers are not started by the
kernel itself but by a small *guard* process in a session of its own. The guard
starts the servers, watches the kernel, and when the kernel is gone (or the servers
have exited, or it is asked to stop) it ends the servers and deletes their working
folder. The guard (:mod:`aebook.guard`) creates the folder itself and checks the
kernel before it starts anything, so there is no moment in which a server or a
folder exists unwatched.

Working folders live under :func:`work_root` and carry the guard's process id; a
folder whose guard is dead (the guard itself was killed) is removed at the next start,
with any server still running from it (a server's command line names its folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .guard import process_alive

__all__ = ["GuardedProcesses", "process_alive", "start_guarded", "work_root"]


def work_root() -> Path:
    """The folder that holds every guard's working folder (in the system temp dir)."""
    return Path(tempfile.gettempdir()) / "aebook-servers"


def _servers_of(folder: Path) -> list:
    """The running processes whose command line names ``folder`` (its servers)."""
    import psutil

    mark = str(folder)
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(mark in part for part in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


def _end(processes: list, wait: float = 10) -> None:
    """SIGTERM, then SIGKILL after ``wait`` seconds, for each of ``processes``."""
    import psutil

    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(processes, timeout=wait)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=wait)


def remove_orphaned_folders() -> None:
    """Delete working folders whose guard no longer runs (it was killed itself), and
    end any server still running from such a folder."""
    root = work_root()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        owner = folder / "guard.pid"
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            # a folder being set up right now has no guard.pid yet: leave young ones
            if time.time() - folder.stat().st_mtime < 60:
                continue
            pid = 0
        if pid == 0 or not process_alive(pid):
            _end(_servers_of(folder))
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class GuardedProcesses:
    """Servers started under a guard; ``folder`` is their working folder."""

    folder: Path
    pids: list[int]
    guard: subprocess.Popen = field(repr=False)

    def running(self) -> list[bool]:
        """For each server, whether it still runs."""
        return [process_alive(pid) for pid in self.pids]

    def output(self, index: int = 0) -> str:
        """What server ``index`` printed so far (for error messages)."""
        try:
            return (self.folder / f"server{index}.out").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, wait: float = 15) -> None:
        """End the servers (SIGTERM, then SIGKILL) and delete the working folder; if the
        guard is gone (it was killed), end the servers it left."""
        if self.guard.poll() is None:
            self.guard.send_signal(signal.SIGTERM)
            try:
                self.guard.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                self.guard.kill()
                self.guard.wait()
        _end(_servers_of(self.folder), wait=wait)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_guarded(
    name: str, commands: list[list[str]], env: dict[str, str] | None = None
) -> GuardedProcesses:
    """Start ``commands`` under a guard tied to this process; ``name`` names the folder.

    The guard creates the working folder before the commands start, so they may
    write into it (``{folder}`` in a command is replaced by its path).
    """
    remove_orphaned_folders()
    spec = {"parent": os.getpid(), "root": str(work_root()), "prefix": name,
            "commands": commands, "env": env or {}}
    guard = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("guard.py")), json.dumps(spec)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives a kill of the kernel's process group
    )
    try:
        line = guard.stdout.readline() if guard.stdout else b""
        started = json.loads(line)
    except ValueError:
        guard.wait()
        raise RuntimeError("The guard process could not start the servers: check that "
                           f"{work_root()} is writable and the disk is not full.") from None
    except BaseException:  # interrupted while the guard starts: it ends what it started
        guard.send_signal(signal.SIGTERM)
        guard.wait()
        raise
    folder, pids = Path(started["folder"]), started["pids"]
    return GuardedProcesses(folder=folder, pids=pids, guard=guard)
