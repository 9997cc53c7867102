"""Running the project's command-line scripts from the tests, always with a timeout."""

from __future__ import annotations

import subprocess
import sys
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
