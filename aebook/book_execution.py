"""Execute the book's notebooks several at a time, into the execution cache of a build.

Jupyter Book runs the notebooks of a build one after the other, each in a new kernel.
On a machine with two cores that leaves one idle most of the time, and every kernel
spends seconds starting and importing the same libraries (matplotlib, pandas, h2o,
scikit-learn) before the chapter's own work begins. This module executes the
notebooks that the cache does not hold yet with one worker process more than there
are cores (:func:`default_workers`: a worker often waits for an H2O job, which runs
on the JVM's threads, and the extra one keeps the cores busy meanwhile); each worker
keeps one kernel for all the chapters it runs and resets it between two of
them (:class:`KernelState`: the user's variables, open figures, matplotlib, pandas
and NumPy settings, random states, warning filters, environment, working folder and
``sys.path`` return to what they were before the first chapter), so a chapter finds
the kernel as a new one would be, with the libraries already imported. The executed
notebooks go into the build's jupyter-cache; the build that follows finds every
notebook there and only renders it. ``make book QUICK=1`` does this inside one shared
H2O (:mod:`aebook.build_cluster`)::

    python -m aebook.book_execution --cache _build/quick/.jupyter_cache notebooks/*.ipynb

A notebook that fails stops the run with its traceback (exit status 1); nothing of it
enters the cache, and its worker's next chapter gets a new kernel.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

__all__ = ["ExecutionFailed", "KernelState", "NotebookRun", "default_workers", "execute_into_cache", "main"]

KERNEL_START_SECONDS = 60  # how long a new kernel may take to answer


def default_workers() -> int:
    """One more worker than cores: on a 2-core machine the quick book executed faster with
    3 workers than with 2, measured in turns (``benchmarks/quick_book.py`` records the run)."""
    return (os.cpu_count() or 1) + 1


class ExecutionFailed(RuntimeError):
    """A notebook raised an error while it ran; the message names it and ends with its traceback."""


@dataclass(frozen=True)
class NotebookRun:
    """One notebook of a run: its path, and its execution time (None if it was already cached)."""

    path: Path
    seconds: float | None


class KernelState:
    """What a chapter may change in its kernel, saved before the first chapter and restored after each.

    Runs inside the kernel: :meth:`save` once (it imports the libraries every chapter
    uses, so that they count as already loaded), :meth:`restore` between chapters.
    """

    saved: ClassVar[dict[str, Any]] = {}

    @classmethod
    def save(cls) -> None:
        import random
        import warnings

        import matplotlib
        import matplotlib.pyplot  # sets up the inline backend and its settings, saved below
        import numpy as np
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated options warn when read
            options = {key: pd.get_option(key) for key in pd._config.config._registered_options}
        cls.saved = {
            "rc": copy.deepcopy(dict(matplotlib.rcParams)),
            "filters": list(warnings.filters),
            "environ": dict(os.environ),
            "cwd": os.getcwd(),
            "path": list(sys.path),
            "numpy_random": np.random.get_state(),
            "random": random.getstate(),
            "printoptions": np.get_printoptions(),
            "pandas": options,
        }

    @classmethod
    def restore(cls) -> None:
        import gc
        import random
        import warnings

        import matplotlib
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd
        from IPython import get_ipython

        shell = get_ipython()
        shell.run_line_magic("reset", "-f")  # the user's variables and the output history
        shell.execution_count = 1
        shell.history_manager.reset(new_session=True)  # numbered from 1 again
        plt.close("all")
        saved = cls.saved
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(saved["rc"])
            for key, value in saved["pandas"].items():
                if pd.get_option(key) != value:
                    pd.set_option(key, value)
        warnings.resetwarnings()  # also forgets which warnings were already shown once
        warnings.filters[:] = saved["filters"]
        os.environ.clear()
        os.environ.update(saved["environ"])
        os.chdir(saved["cwd"])
        sys.path[:] = saved["path"]
        np.random.set_state(saved["numpy_random"])
        random.setstate(saved["random"])
        np.set_printoptions(**saved["printoptions"])
        gc.collect()


_SAVE = "from aebook.book_execution import KernelState as _S; _S.save(); del _S"
_RESTORE = "from aebook.book_execution import KernelState as _S; _S.restore()"


class _WorkerKernel:
    """The kernel of one worker process: started for its first chapter, reset between chapters."""

    def __init__(self) -> None:
        self.manager: Any = None
        self.client: Any = None
        self.folder: str | None = None

    def ready_for(self, folder: str) -> None:
        """A kernel in ``folder`` as a new kernel would be: started, or reset from the last chapter."""
        if self.manager is not None and self.manager.is_alive() and self.folder == folder:
            self._run(_RESTORE)
            return
        self.stop()
        from jupyter_client.manager import KernelManager

        self.folder = folder
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=folder)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=KERNEL_START_SECONDS)
        self._run(_SAVE)

    def _run(self, code: str) -> None:
        reply = self.client.execute_interactive(code, store_history=False, timeout=KERNEL_START_SECONDS,
                                                output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not be prepared: {reply['content'].get('evalue')}")

    def stop(self) -> None:
        if self.manager is not None:
            self.client.stop_channels()
            self.manager.shutdown_kernel(now=True)
            self.manager = self.client = self.folder = None


_kernel = _WorkerKernel()


def _start_worker() -> None:
    from multiprocessing.util import Finalize

    Finalize(None, _kernel.stop, exitpriority=10)  # the kernel ends with its worker


def _execute(task: tuple[str, str, int]) -> tuple[str, float | None, str | None]:
    """Execute one notebook of the cache's project in this worker's kernel and cache it."""
    uri, cache_path, timeout = task
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord
    from nbclient import NotebookClient

    store = get_cache(cache_path)
    notebook = store.get_project_notebook(uri).nb
    folder = str(Path(uri).parent)
    start = time.perf_counter()
    try:
        _kernel.ready_for(folder)
        # no timing metadata in the cells: the cache matches a notebook by its cells
        client = NotebookClient(notebook, km=_kernel.manager, timeout=timeout, allow_errors=False,
                                record_timing=False, resources={"metadata": {"path": folder}})
        client.kc = _kernel.client
        client.execute()
    except Exception:
        _kernel.stop()  # whatever the chapter left behind goes with its kernel
        trace = traceback.format_exc()
        NbProjectRecord.set_traceback(uri, trace, store.db)
        return uri, None, trace
    seconds = time.perf_counter() - start
    store.cache_notebook_bundle(CacheBundleIn(notebook, uri, data={"execution_seconds": seconds}),
                                check_validity=False, overwrite=True)
    return uri, seconds, None


def execute_into_cache(notebooks: list[Path], cache: Path, timeout: int = 600,
                       processes: int | None = None) -> tuple[list[NotebookRun], float]:
    """Execute the ``notebooks`` the jupyter-cache at ``cache`` lacks, several at a time.

    Returns one :class:`NotebookRun` per notebook, in the given order, and the wall time
    of the whole run in seconds. ``timeout`` is the limit per cell, in seconds;
    ``processes`` the number of workers (default: :func:`default_workers`).
    Raises :class:`ExecutionFailed` if a notebook fails, before anything else is built.
    """
    missing = [str(p) for p in notebooks if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {', '.join(missing)}: give the paths of .ipynb files.")
    from jupyter_cache import get_cache

    paths = [Path(p).resolve() for p in notebooks]
    store = get_cache(str(cache))
    for path in paths:
        store.add_nb_to_project(str(path))
    todo = [str(p) for p in paths if store.get_cached_project_nb(str(p)) is None]
    start = time.perf_counter()
    results: dict[str, tuple[float | None, str | None]] = {}
    if todo:
        workers = min(processes or default_workers(), len(todo))
        with multiprocessing.Pool(workers, initializer=_start_worker) as pool:
            for uri, seconds, trace in pool.imap_unordered(_execute, [(u, str(cache), timeout) for u in todo]):
                results[uri] = (seconds, trace)
            pool.close()
            pool.join()  # the workers end normally, and their kernels with them
    wall = time.perf_counter() - start
    failed = [uri for uri in todo if results[uri][1] is not None]
    if failed:
        raise ExecutionFailed(f"{', '.join(Path(u).name for u in failed)} failed: fix the chapter and run again.\n"
                              + "\n".join(results[u][1] for u in failed))
    return [NotebookRun(p, results.get(str(p), (None, None))[0]) for p in paths], wall


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
          f"in {wall:.1f} s (wall time, {default_workers()} workers with one kernel each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
