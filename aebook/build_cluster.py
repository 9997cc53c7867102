"""One H2O cluster and one object store for a whole run of the book.

Each chapter run on its own starts its own H2O (several seconds each). A build of
the whole book, or a class running every chapter, can share one instead::

    python -m aebook.build_cluster -- jupyter-book build .

starts a local object store and a local H2O that knows its endpoint, runs the
command with ``AEBOOK_H2O_URL`` and ``AEBOOK_S3_*`` pointing at them, so that every
notebook connects instead of starting its own (each removes what it created when it
stops), and then stops both. ``make book QUICK=1`` builds the quick book this way.
The servers run under the guard of :mod:`aebook.guarded_process`: they end with this
process, also when it is killed. The command's exit status is returned.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

from .h2o_session import URL_ENV, start_h2o
from .object_storage import ACCESS_KEY_ENV, ENDPOINT_ENV, SECRET_KEY_ENV, start_object_store
from .params import ParameterError, check_memory_size

__all__ = ["main", "one_cluster", "run_with_one_cluster"]


@contextlib.contextmanager
def one_cluster(max_mem_size: str = "3G", short_jobs: bool = False) -> Iterator[dict[str, str]]:
    """A local object store and H2O; yields the environment variables that point at them.

    Both stop when the ``with`` block ends. ``short_jobs``: see :func:`aebook.start_h2o`.
    """
    check_memory_size("max_mem_size", max_mem_size)
    with start_object_store() as store, start_h2o(max_mem_size=max_mem_size, store=store,
                                                  short_jobs=short_jobs) as session:
        yield {URL_ENV: session.url, ENDPOINT_ENV: store.endpoint,
               ACCESS_KEY_ENV: store.access_key, SECRET_KEY_ENV: store.secret_key}


def run_with_one_cluster(command: list[str], max_mem_size: str = "3G", short_jobs: bool = False) -> int:
    """Run ``command`` with one local H2O and object store for all of it; its exit status."""
    if not command:
        raise ParameterError("No command to run: give it after `--`, for example "
                             "`python -m aebook.build_cluster -- jupyter-book build .`.")
    if shutil.which(command[0]) is None:  # before any server starts
        raise ParameterError(f"There is no program {command[0]!r} to run: give a program on PATH, "
                             "or its path, after `--`.")
    with one_cluster(max_mem_size, short_jobs) as variables:
        print(f"One H2O ({variables[URL_ENV]}) and one object store ({variables[ENDPOINT_ENV]}) "
              f"for: {' '.join(command)}", flush=True)
        return subprocess.call(command, env={**os.environ, **variables})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aebook.build_cluster",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--max-mem-size", default="3G",
                        help="the H2O node's memory cap (default 3G), as in h2o.init")
    parser.add_argument("--short-jobs", action="store_true",
                        help="compile H2O's code quickly rather than fully: less CPU for many short "
                             "jobs (the quick book), slower long ones")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        return run_with_one_cluster(command, args.max_mem_size, args.short_jobs)
    except ParameterError as err:
        parser.exit(2, f"error: {err}\n")


if __name__ == "__main__":
    sys.exit(main())
