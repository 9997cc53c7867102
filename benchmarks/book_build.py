"""How long the first ``make book`` takes, from a clean build folder (``--execute``: also ``make book EXECUTE=1``).

``make book`` renders the outputs committed with the notebooks (nbval checks them
against a fresh run in ``make test``); only the pages that ask for it
(``mystnb: execution_mode: force``) are executed. Each run starts from a clean build:
the script removes what ``make book`` writes (``_build/html``, ``_build/.doctrees``,
``_build/jupyter_execute``, and for ``--execute`` also the execution cache
``_build/.jupyter_cache`` and ``_build/execute``) and leaves the rest of ``_build``
(the quick book, the screenshots) alone. It then runs, as a newcomer's first build
does after the packages are installed::

    make -o install book            # --repeats times, each from a clean build
    make -o install book EXECUTE=1  # with --execute, once, with an empty execution cache

(``-o install``: the packages are taken as installed, with this interpreter's
environment as ``BIN``; the data check, ``make data``, runs as part of the build.)
Prints each wall time, the pages that were executed and the goal
(:data:`GOAL_SECONDS`), and writes them as JSON with the machine's cores and the load
average at the start and end (default ``benchmarks/out/book_build.json``; checked
against ``benchmarks/schemas/book_build.schema.json``)::

    python benchmarks/book_build.py
    python benchmarks/book_build.py --execute --out benchmarks/results/book_build.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from aebook.results_files import ResultsError, check_output_path, git_commit, run_environment
from aebook.schemas import write_checked

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
SCHEMA_VERSION = 1
GOAL_SECONDS = 300  # issue #26: the first make book within 5 minutes on 2 cores
DEFAULT_OUTPUTS = ("html", ".doctrees", "jupyter_execute")
EXECUTE_OUTPUTS = (*DEFAULT_OUTPUTS, ".jupyter_cache", "execute")
EXECUTED = re.compile(r"^(\S+): Executed notebook in ([0-9.]+) seconds", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="how many times to time make book, each from a clean build (1 to 10; default 3)")
    parser.add_argument("--execute", action="store_true",
                        help="then time make book EXECUTE=1 once, with an empty execution cache (about "
                             "50 minutes on 2 cores under load)")
    parser.add_argument("--timeout", type=int, default=7200, help="seconds one build may take (default 7200)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "book_build.json",
                        help="where to write the JSON (default: benchmarks/out/book_build.json)")
    args = parser.parse_args(argv)
    if not 1 <= args.repeats <= 10:
        parser.error(f"--repeats must be from 1 to 10, got {args.repeats}")
    if args.timeout <= 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    if shutil.which("make") is None:
        parser.error("make is not on PATH: install it (apt-get install make)")
    try:
        args.out = check_output_path(args.out)  # before any work: a bad path loses nothing
    except ResultsError as err:
        parser.error(f"--out: {err}")
    return args


def clean(outputs: tuple[str, ...]) -> list[str]:
    """Remove what a build writes under ``_build``; the names of what was there."""
    removed = []
    for name in outputs:
        path = BUILD / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed.append(f"_build/{name}")
    return removed


def make_book(execute: bool, timeout: int) -> tuple[list[str], float, list[dict]]:
    """Run ``make -o install book`` (with ``EXECUTE=1`` if ``execute``): the command, its wall time
    and the pages it executed, each with its seconds. A failed build ends the script."""
    command = ["make", "--no-print-directory", "-o", "install", "book", f"BIN={Path(sys.executable).parent}",
               f"EXECUTE={1 if execute else ''}", "QUICK="]
    env = {k: v for k, v in os.environ.items() if k not in ("AEBOOK_QUICK", "EXECUTE", "QUICK")}
    start = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"error: {' '.join(command[:5])} took more than {timeout} s; nothing written.")
    seconds = time.perf_counter() - start
    log = ANSI.sub("", result.stdout + result.stderr)
    if result.returncode != 0:
        print(log[-6000:], file=sys.stderr)
        sys.exit(f"error: {' '.join(command[:5])} failed (exit status {result.returncode}); nothing written.")
    executed = []
    for path, took in EXECUTED.findall(log):
        page = Path(path)
        page = page.relative_to(ROOT) if page.is_absolute() and page.is_relative_to(ROOT) else page
        executed.append({"page": str(page), "seconds": round(float(took), 1)})
    return command, seconds, sorted(executed, key=lambda e: e["page"])


def shown(command: list[str]) -> str:
    """The command as a reader would type it (without the interpreter's BIN and the cleared switches)."""
    return " ".join(c for c in command if not c.startswith(("BIN=", "QUICK=", "--no-print")) and c != "EXECUTE=")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started_utc = dt.datetime.now(dt.UTC)
    load_start = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in load_start)} at the start")
    runs = []
    for turn in range(1, args.repeats + 1):
        removed = clean(DEFAULT_OUTPUTS)
        command, seconds, executed = make_book(False, args.timeout)
        runs.append({"seconds": round(seconds, 1), "removed_before": removed, "executed_pages": executed})
        print(f"{shown(command):28s} run {turn}: {seconds:6.1f} s (executed: "
              f"{', '.join(e['page'] for e in executed) or 'nothing'})", flush=True)
    times = [r["seconds"] for r in runs]
    default = {"command": shown(command), "runs": runs, "median_seconds": round(statistics.median(times), 1),
               "max_seconds": max(times), "goal_met": max(times) <= GOAL_SECONDS}
    execute = None
    if args.execute:
        removed = clean(EXECUTE_OUTPUTS)
        command, seconds, executed = make_book(True, args.timeout)
        execute = {"command": shown(command), "seconds": round(seconds, 1), "removed_before": removed,
                   "executed_pages": executed}
        print(f"{shown(command):28s}      : {seconds:6.1f} s ({len(executed)} pages executed)", flush=True)
        for e in executed:
            print(f"  {e['page']:40s} {e['seconds']:6.1f} s")
    environment = run_environment(load_start, {"jupyter-book": version("jupyter-book"),
                                               "myst-nb": version("myst-nb"), "sphinx": version("sphinx")})
    results = {
        "benchmark": "book build",
        "schema_version": SCHEMA_VERSION,
        "created_utc": started_utc.isoformat(timespec="seconds"),
        "git_commit": git_commit("notebooks", "book", "aebook", "_config.yml", "_toc.yml", "Makefile"),
        "how": "wall time of the make command from the project folder, after removing what the build writes "
               "under _build (removed_before); -o install: the packages were installed already; the data "
               "check (make data) is part of every run",
        "goal_seconds": GOAL_SECONDS,
        "default_build": default,
        "execute_build": execute,
        **environment,
    }
    results["run_conditions"]["note"] = ("os.getloadavg() (1, 5, 15 minutes) at start and end; a load above the "
                                         "core count means other processes competed for the CPU")
    write_checked(args.out, results, "book_build", "run benchmarks/book_build.py again")
    verdict = "met" if default["goal_met"] else "NOT met"
    print(f"make book: median {default['median_seconds']:.1f} s, slowest {default['max_seconds']:.1f} s "
          f"(goal <= {GOAL_SECONDS} s: {verdict}); load average "
          f"{results['run_conditions']['loadavg_start']} at start, {results['run_conditions']['loadavg_end']} "
          f"at end; wrote {args.out}")
    return 0 if default["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
