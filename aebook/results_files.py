"""The benchmarks' results files: where they are, what a problem with one says, and the fields each starts with.

Every script of ``benchmarks/`` writes one JSON file, and a chapter reads the copy
committed in ``benchmarks/results/``. A problem with a file is a :class:`ResultsError`:
one sentence naming the file and the fix. :mod:`aebook.schemas` reads, checks and
writes a file against its JSON Schema; the checks that need Python are beside each
benchmark's figures (:mod:`aebook.one_class_mnist_results`, :mod:`aebook.field_results`,
:mod:`aebook.keras_comparison`).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .data import PROJECT_ROOT

__all__ = [
    "PROJECT_ROOT",
    "ResultsError",
    "check_output_path",
    "git_commit",
    "h2o_versions",
    "resolve",
    "run_environment",
    "run_header",
    "shown",
]


class ResultsError(ValueError):
    """A benchmark results file is missing, unreadable or not what the benchmark writes."""


def resolve(path: str | Path) -> Path:
    """``path``, with a relative path taken from the project folder (not the working directory)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def shown(path: str | Path) -> str:
    """The path as the reader gave it: relative to the project when it is inside."""
    try:
        return str(Path(path).relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def check_output_path(path: str | Path) -> Path:
    """The absolute path ``path``, after checking that a file can be written there.

    Creates the missing folders and writes and removes a probe file, so that a long
    run does not lose its results to a bad path at the end.
    """
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise ResultsError(f"{path} is a folder: give a file name such as {path / 'results.json'}.")
    existing = next(p for p in path.parents if p.exists())
    if not existing.is_dir():
        raise ResultsError(f"cannot write {path} because {existing} is a file, not a folder: "
                           "give a path in a folder you can write to.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as err:
        raise ResultsError(f"cannot write {path} ({err.strerror or err}): give a path in a folder you "
                           "can write to.") from None
    return path


def git_commit(*paths: str) -> str:
    """The project's commit (short), with `` (modified)`` if any of ``paths`` (project-relative;
    none: any file) has changes not committed; ``unknown`` outside a git clone."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
                                  timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" (modified)" if git("status", "--porcelain", "--", *paths) else "")


def run_header(benchmark: str, schema_version: int, script: str, quick: bool,
               argv: list[str] | None = None) -> dict:
    """The fields a results file starts with: what ran, in which schema, how, and when.

    ``argv`` is the script's arguments (None: this process's command line).
    """
    return {
        "schema_version": schema_version,
        "benchmark": benchmark,
        "mode": "quick" if quick else "full",
        "command": f"python {script} " + " ".join(sys.argv[1:] if argv is None else argv),
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def run_environment(load_start: Sequence[float], versions: dict[str, str]) -> dict:
    """The ``machine``, ``versions`` and ``run_conditions`` fields of a results file:
    the cores and platform, the given versions with Python's, and the load average
    at the start (``load_start``) and now."""
    return {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "versions": {"python": platform.python_version(), **versions},
        "run_conditions": {"loadavg_start": [round(x, 2) for x in load_start],
                           "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
    }


def h2o_versions(**others: str) -> dict[str, str]:
    """The ``versions`` of a run in the local H2O (call it while the cluster runs): H2O's
    Python package and cluster, then ``others``, scikit-learn, NumPy, and the java the
    cluster runs (for :func:`run_environment`, which adds Python's)."""
    import h2o
    import numpy as np
    import sklearn

    from .h2o_session import find_java, java_major_version

    return {"h2o": h2o.__version__, "h2o_cluster": h2o.cluster().version, **others, "sklearn": sklearn.__version__,
            "numpy": np.__version__, "java": f"{find_java()} (Java {java_major_version()})"}
