"""Background servers (H2O nodes, a local S3 server) that never outlive the notebook.

A notebook kernel can die without running any cleanup: Jupyter's "restart" or a
SIGKILL ends its whole process group at once. So the servers are not started by the
kernel itself but by a small *guard* process in a session of its own. The guard
starts the servers, watches the kernel, and when the kernel is gone (or the servers
have exited, or it is asked to stop) it ends the servers and deletes their working
folder. The guard checks the kernel before it starts anything, so there is no moment
in which a server exists unwatched.

Working folders live under :func:`work_root` and carry the guard's process id; a
folder whose guard is dead (the guard itself was killed) is removed at the next start.
"""

from __future__ import annotations

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

__all__ = ["GuardedProcesses", "process_alive", "start_guarded", "work_root"]

# The guard: argv[1] is a JSON spec {"parent", "folder", "commands", "env"}.
# It prints the servers' pids (one JSON line) and then watches.
_GUARD = r"""
import json, os, shutil, signal, subprocess, sys, time
spec = json.loads(sys.argv[1])
parent, folder = spec["parent"], spec["folder"]
def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
stopping = False
def stop(*_):
    global stopping
    stopping = True
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
procs = []
if alive(parent):
    env = dict(os.environ, **spec["env"])
    for i, cmd in enumerate(spec["commands"]):
        log = open(os.path.join(folder, f"server{i}.out"), "wb")
        procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env))
print(json.dumps([p.pid for p in procs]), flush=True)
while procs and not stopping and alive(parent) and os.getppid() != 1:
    if all(p.poll() is not None for p in procs):
        break
    time.sleep(0.5)
for p in procs:
    if p.poll() is None:
        p.terminate()
deadline = time.time() + 10
for p in procs:
    try:
        p.wait(timeout=max(0.1, deadline - time.time()))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
shutil.rmtree(folder, ignore_errors=True)
"""


def work_root() -> Path:
    """The folder that holds every guard's working folder (in the system temp dir)."""
    return Path(tempfile.gettempdir()) / "aebook-servers"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state != "Z"


def remove_orphaned_folders() -> None:
    """Delete working folders whose guard no longer runs (it was killed itself)."""
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
        """End the servers (SIGTERM, then SIGKILL) and delete the working folder."""
        if self.guard.poll() is None:
            self.guard.send_signal(signal.SIGTERM)
            try:
                self.guard.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                for pid in self.pids:
                    _kill(pid)
                self.guard.kill()
                self.guard.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def wait_for_exit(self, seconds: float) -> bool:
        """Wait until every server has exited on its own; True if they did."""
        deadline = time.time() + seconds
        while any(self.running()) and time.time() < deadline:
            time.sleep(0.2)
        return not any(self.running())


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def start_guarded(
    name: str, commands: list[list[str]], env: dict[str, str] | None = None
) -> GuardedProcesses:
    """Start ``commands`` under a guard tied to this process; ``name`` names the folder.

    The working folder exists before the commands start, so they may write into it
    (``{folder}`` in a command is replaced by its path).
    """
    remove_orphaned_folders()
    root = work_root()
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root))
    commands = [[part.replace("{folder}", str(folder)) for part in cmd] for cmd in commands]
    spec = {"parent": os.getpid(), "folder": str(folder), "commands": commands, "env": env or {}}
    guard = subprocess.Popen(
        [sys.executable, "-c", _GUARD, json.dumps(spec)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives a kill of the kernel's process group
    )
    (folder / "guard.pid").write_text(str(guard.pid))
    line = guard.stdout.readline() if guard.stdout else b""
    try:
        pids = json.loads(line)
    except ValueError:
        pids = []
    return GuardedProcesses(folder=folder, pids=pids, guard=guard)
