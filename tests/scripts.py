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
