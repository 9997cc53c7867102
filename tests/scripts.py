"""Running the project's command-line scripts (and several commands at once) from the tests,
always with a timeout."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_script(script: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python script args...`` from the project folder; its output as text."""
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def usage_error(script: Path, *args: str, timeout: float = 120) -> str:
    """The standard error of ``python script args...``, after checking that the script stopped
    with a usage error (exit code 2), no traceback and before any work (it printed nothing):
    what a bad argument must give."""
    result = run_script(script, *args, timeout=timeout)
    assert result.returncode == 2 and not result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    return result.stderr


def run_successfully(script: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python script args...`` (as :func:`run_script`), after checking that it succeeded;
    else the test fails with the end of its output."""
    result = run_script(script, *args, timeout=timeout)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def run_at_once(commands: list[list[str]], seconds: float, env: dict[str, str] | None = None) -> list[str]:
    """Start every command at once and wait for all of them within ``seconds`` together; what went
    wrong, one line per command that failed or did not end (it is killed). However this ends,
    also on an error or a test timeout, no command is left running."""
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)  # a group of its own: its kernel goes with it
            for command in commands]
    deadline = time.monotonic() + seconds
    problems = []
    try:
        for number, process in enumerate(runs, 1):
            try:
                output, _ = process.communicate(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                problems.append(f"run {number} did not end within {seconds:.0f} s")
                continue
            if process.returncode:
                problems.append(f"run {number} failed:\n{output[-3000:]}")
    finally:
        for process in runs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # what the command started, if it still runs
            process.wait(timeout=30)
            if process.stdout:
                process.stdout.close()
    return problems
