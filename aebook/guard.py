"""The guard process of :mod:`aebook.guarded_process` (standard library only).

Run as ``python guard.py SPEC``, where SPEC is JSON with ``parent`` (the pid to
watch), ``root`` and ``prefix`` (where and under which name to create the working
folder), ``commands`` (``{folder}`` in them becomes the folder's path) and ``env``.

The guard runs in a session of its own. It creates the working folder itself, so
a kernel killed at any moment of the start leaves nothing behind: before the guard
runs there is no folder, and once it runs it removes the folder when it ends. It
prints one JSON line ``{"folder": ..., "pids": [...]}`` and then watches: when the
parent is gone, the servers have exited, or it gets SIGTERM, it ends the servers
and deletes the folder. If the guard itself is killed, Linux ends the servers too
(each asks for SIGTERM when its parent dies, ``PR_SET_PDEATHSIG``).
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


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not count)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _end_with_parent() -> None:
    """In a server just forked by the guard: ask Linux for SIGTERM when the guard dies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: stop() and the next start clean up
        pass


def main(spec: dict) -> None:
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    parent = spec["parent"]
    os.makedirs(spec["root"], exist_ok=True)
    folder = tempfile.mkdtemp(prefix=spec["prefix"] + "-", dir=spec["root"])
    procs = []
    try:
        with open(os.path.join(folder, "guard.pid"), "w") as owner:
            owner.write(str(os.getpid()))
        if process_alive(parent):
            env = dict(os.environ, **spec["env"])
            for i, cmd in enumerate(spec["commands"]):
                cmd = [part.replace("{folder}", folder) for part in cmd]
                with open(os.path.join(folder, f"server{i}.out"), "wb") as log:
                    procs.append(subprocess.Popen(
                        cmd, stdout=log, stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL, env=env, preexec_fn=_end_with_parent))
        print(json.dumps({"folder": folder, "pids": [p.pid for p in procs]}),
              flush=True)
        while procs and not stopping and process_alive(parent) and os.getppid() != 1:
            if all(p.poll() is not None for p in procs):
                break
            time.sleep(0.5)
    finally:
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


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
