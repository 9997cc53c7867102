"""Execute the book's notebooks several at a time, into the execution cache of a build.

Jupyter Book runs the notebooks of a build one after the other. On a machine with two
cores that leaves one idle most of the time: a kernel starting, a plot being drawn or
a reproducible H2O model (one thread) uses a single core. This module executes the
notebooks that the cache does not hold yet with one process per core (jupyter-cache's
``local-parallel`` executor), each in its own folder as Jupyter Book would, and stores
them in the build's jupyter-cache; the build that follows finds every notebook there
and only renders it. ``make book QUICK=1`` does this inside one shared H2O
(:mod:`aebook.build_cluster`)::

    python -m aebook.book_execution --cache _build/quick/.jupyter_cache notebooks/*.ipynb

A notebook that fails stops the run with its traceback (exit status 1); nothing of it
enters the cache.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ExecutionFailed", "NotebookRun", "execute_into_cache", "main"]


class ExecutionFailed(RuntimeError):
    """A notebook raised an error while it ran; the message names it and ends with its traceback."""


@dataclass(frozen=True)
class NotebookRun:
    """One notebook of a run: its path, and its execution time (None if it was already cached)."""

    path: Path
    seconds: float | None


def execute_into_cache(notebooks: list[Path], cache: Path, timeout: int = 600) -> tuple[list[NotebookRun], float]:
    """Execute the ``notebooks`` the jupyter-cache at ``cache`` lacks, one per core at a time.

    Returns one :class:`NotebookRun` per notebook, in the given order, and the wall time
    of the whole run in seconds. ``timeout`` is the limit per cell, in seconds.
    Raises :class:`ExecutionFailed` if a notebook fails, before anything else is built.
    """
    missing = [str(p) for p in notebooks if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {', '.join(missing)}: give the paths of .ipynb files.")
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    paths = [Path(p).resolve() for p in notebooks]
    store = get_cache(str(cache))
    for path in paths:
        store.add_nb_to_project(str(path))
    logger = logging.getLogger("aebook.book_execution")
    logger.setLevel(logging.WARNING)  # the executor logs every step of every worker otherwise
    start = time.perf_counter()
    result = load_executor("local-parallel", store, logger=logger).run_and_cache(
        filter_uris=[str(p) for p in paths], timeout=timeout, allow_errors=False)
    wall = time.perf_counter() - start
    failed = result.excepted + result.errored
    if failed:
        tracebacks = [store.get_project_record(uri).traceback or "(no traceback recorded)" for uri in failed]
        raise ExecutionFailed(f"{', '.join(Path(u).name for u in failed)} failed: fix the chapter and run again.\n"
                              + "\n".join(tracebacks))
    executed = set(result.succeeded)
    runs = []
    for path in paths:
        seconds = None
        if str(path) in executed:
            record = store.get_cached_project_nb(str(path))
            seconds = None if record is None else record.data.get("execution_seconds")
        runs.append(NotebookRun(path, seconds))
    return runs, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aebook.book_execution", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True,
                        help="the build's jupyter-cache folder (the execute: cache: of its _config.yml)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    parser.add_argument("notebooks", type=Path, nargs="+", help="the notebooks to execute")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    try:
        runs, wall = execute_into_cache(args.notebooks, args.cache, args.timeout)
    except FileNotFoundError as err:
        parser.exit(2, f"error: {err}\n")
    except ExecutionFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for run in runs:
        took = "already in the cache" if run.seconds is None else f"{run.seconds:6.1f} s"
        print(f"  {run.path.name:36s} {took}")
    print(f"executed {sum(r.seconds is not None for r in runs)} of {len(runs)} notebooks "
          f"in {wall:.1f} s (wall time, one process per core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
