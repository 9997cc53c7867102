"""How long each chapter takes in the classroom quick mode.

Runs every notebook under ``notebooks/`` with papermill, one after the other, with
``AEBOOK_QUICK=1`` and the chapter's quick parameters from
:data:`aebook.classroom.QUICK_PARAMETERS` (passed to papermill as well, so that a
notebook whose validation cell does not yet call ``apply_quick_mode`` runs quick too).
Each time is the wall time of the whole notebook as a student would pay it: kernel
start, the work, and H2O's start and shutdown. By default the chapters share one H2O
and one object store started once for the whole run, as ``make book QUICK=1`` does
(:mod:`aebook.build_cluster`; the time to start them is recorded and counted in the
total); with ``--own-cluster`` each chapter starts its own, as one chapter run alone
does. The executed copies go to a temporary folder.

Then, as ``make book QUICK=1`` executes the book (unless ``--no-build``), all the
chapters again, several at a time (one worker and kernel more than there are cores), into an
empty execution cache in a freshly started H2O
(:mod:`aebook.book_execution`): the wall time of that step is the quick build's
execution time, and each chapter's time there is the time it took while sharing the
machine with another chapter. That pass runs three times (``--build-repeats``), each in a
fresh H2O and store, and a chapter that collides with another one run at the same time
(a shared input file, bucket or folder) stops the run: the committed file records that
every repeat passed.

Writes the seconds per chapter, with the machine's facts and the load average at the
start and end, as JSON (default ``benchmarks/out/quick_book.json``; the committed
figures the teacher's page shows are ``benchmarks/results/quick_book.json``)::

    python benchmarks/quick_book.py --out benchmarks/results/quick_book.json
    python benchmarks/quick_book.py --notebooks 00_check_setup 07_ecg   # some chapters only
    python benchmarks/quick_book.py --own-cluster    # every chapter starts its own H2O
    python benchmarks/quick_book.py --build-repeats 1   # the parallel pass once (default 3 times)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from aebook.book_execution import ExecutionFailed, default_workers, execute_into_cache
from aebook.build_cluster import one_cluster
from aebook.classroom import QUICK_ENV, QUICK_PARAMETERS
from aebook.h2o_session import java_major_version
from aebook.results_files import git_commit
from aebook.schemas import write_checked

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
QUICK_LINE = f"Quick mode ({QUICK_ENV}=1)"
SCHEMA_VERSION = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "quick_book.json",
                        help="where to write the JSON (default: benchmarks/out/quick_book.json)")
    parser.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="run only these chapters (file names without .ipynb); default: all")
    parser.add_argument("--own-cluster", action="store_true",
                        help="every chapter starts its own H2O (default: one H2O and object store for all)")
    parser.add_argument("--no-build", action="store_true",
                        help="skip the second pass, the chapters several at a time as make book QUICK=1 runs them")
    parser.add_argument("--build-repeats", type=int, default=3, metavar="N",
                        help="run the second pass N times, each in a fresh H2O and store (default 3): "
                             "a collision between chapters run at once shows as a failed repeat")
    args = parser.parse_args(argv)
    if args.build_repeats < 1:
        parser.error(f"--build-repeats must be at least 1, got {args.build_repeats}")
    available = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    chosen = args.notebooks or available
    unknown = [n for n in chosen if n not in available]
    if unknown:
        parser.error(f"no such notebook: {', '.join(unknown)} (available: {', '.join(available)})")
    missing = [n for n in chosen if n not in QUICK_PARAMETERS]
    if missing:
        parser.error(f"no quick parameters for {', '.join(missing)}: add them to aebook/classroom.py")
    args.notebooks = chosen
    return args


def machine_facts() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
        memory_gib = round(kib / 2**20, 1)
    except (OSError, StopIteration):
        pass
    return {"cpu_count": os.cpu_count(), "cpu_model": model, "memory_gib": memory_gib,
            "platform": platform.platform()}


def run_chapter(name: str, folder: Path) -> dict:
    import papermill

    source = NOTEBOOKS / f"{name}.ipynb"
    target = folder / source.name
    start = time.perf_counter()
    papermill.execute_notebook(str(source), str(target), parameters=QUICK_PARAMETERS[name],
                               cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False)
    seconds = time.perf_counter() - start
    return {"notebook": name, "seconds": round(seconds, 1), "parameters": QUICK_PARAMETERS[name],
            "printed_quick_mode_line": QUICK_LINE in target.read_text(encoding="utf-8")}


@contextlib.contextmanager
def fresh_cluster(own_cluster: bool, short_jobs: bool = False):
    """Unless ``own_cluster``, start one H2O and object store for the kernels; yields its start time.

    ``short_jobs`` as ``make book QUICK=1`` starts its H2O; without it, as a class's shared one.
    """
    if own_cluster:
        yield 0.0
        return
    start = time.perf_counter()
    saved = dict(os.environ)
    with one_cluster(short_jobs=short_jobs) as variables:
        seconds = round(time.perf_counter() - start, 1)
        print(f"{'one H2O and object store':28s} {seconds:6.1f} s", flush=True)
        os.environ.update(variables)  # the kernels started below inherit them
        try:
            yield seconds
        finally:
            os.environ.clear()
            os.environ.update(saved)


def one_by_one(args: argparse.Namespace) -> tuple[list[dict], float] | None:
    """The first pass: every chapter with papermill, one after the other; the chapters' times and
    the cluster's start time, or None if a chapter failed (it says so, and nothing is written)."""
    import papermill

    chapters = []
    with contextlib.ExitStack() as stack:
        cluster_seconds = stack.enter_context(fresh_cluster(args.own_cluster))
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="quick_book_"))
        for name in args.notebooks:
            print(f"{name:28s}", end=" ", flush=True)
            try:
                chapters.append(run_chapter(name, Path(folder)))
            except papermill.PapermillExecutionError as err:
                print(f"failed: {err.ename}: {err.evalue}")
                print("nothing written: fix the chapter and run again", file=sys.stderr)
                return None
            print(f"{chapters[-1]['seconds']:6.1f} s", flush=True)
    return chapters, cluster_seconds


def as_the_build(args: argparse.Namespace) -> dict | None:
    """The second pass, as ``make book QUICK=1`` executes the book: in a fresh H2O (its code not
    yet warmed up by the first pass), several chapters at a time; None if a chapter failed.

    Repeated ``args.build_repeats`` times; the first repeat's times are the pass's, and every
    repeat's wall time is listed (a chapter that collides with another stops the run)."""
    repeats = []
    for repeat in range(1, args.build_repeats + 1):
        print(f"repeat {repeat} of {args.build_repeats}:", flush=True)
        build = one_build(args)
        if build is None:
            return None
        repeats.append(build)
    first = repeats[0]
    first["repeats"] = [{"wall_seconds": r["wall_seconds"], "cluster_start_seconds": r["cluster_start_seconds"]}
                        for r in repeats]
    return first


def one_build(args: argparse.Namespace) -> dict | None:
    """One run of the second pass (see :func:`as_the_build`)."""
    with contextlib.ExitStack() as stack:
        cluster_seconds = stack.enter_context(fresh_cluster(args.own_cluster, short_jobs=True))
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="quick_build_"))
        print(f"the quick build's execution, {default_workers()} chapters at a time:", flush=True)
        try:
            runs, wall = execute_into_cache([NOTEBOOKS / f"{n}.ipynb" for n in args.notebooks],
                                            Path(folder) / "jupyter_cache")
        except ExecutionFailed as err:
            print(f"failed: {err}", file=sys.stderr)
            return None
    for r in runs:
        print(f"  {r.path.stem:26s} {r.seconds:6.1f} s", flush=True)
    print(f"  {'wall time':26s} {wall:6.1f} s", flush=True)
    return {"how": "aebook.book_execution (one worker more than cores, each keeping one kernel reset between "
                   "chapters) into an empty cache, as make book QUICK=1 runs it, in a freshly "
                   "started H2O (for short jobs, as make starts it) and object store",
            "processes": default_workers(), "cluster_start_seconds": cluster_seconds,
            "wall_seconds": round(wall, 1),
            "chapters": [{"notebook": r.path.stem, "seconds": round(r.seconds, 1)} for r in runs]}


def record(args: argparse.Namespace, started_utc: dt.datetime, load_start: tuple[float, float, float],
           first: tuple[list[dict], float], build: dict | None) -> dict:
    """The results file: both passes, with the machine, the versions and the load average."""
    import h2o
    import papermill

    chapters, cluster_seconds = first
    total = cluster_seconds + sum(c["seconds"] for c in chapters)
    return {
        "benchmark": "quick book",
        "schema_version": SCHEMA_VERSION,
        "created_utc": started_utc.isoformat(timespec="seconds"),
        "git_commit": git_commit("notebooks"),
        "how": "papermill, one notebook after the other, AEBOOK_QUICK=1 and QUICK_PARAMETERS; "
               "wall time per notebook including kernel start"
               + ("; each chapter starts its own local H2O" if args.own_cluster else
                  "; all chapters share one local H2O and object store (aebook.build_cluster), "
                  "whose start is counted once in the total"),
        "one_cluster": not args.own_cluster,
        "cluster_start_seconds": cluster_seconds,
        "chapters": chapters,
        "total_seconds": round(total, 1),
        "build_execution": build,
        "machine": machine_facts(),
        "versions": {"python": platform.python_version(), "h2o": h2o.__version__,
                     "papermill": papermill.__version__, "java_major": java_major_version()},
        "run_conditions": {
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            "note": "os.getloadavg() (1, 5, 15 minutes) at start and end; a load above the core count "
                    "means other processes competed for the CPU and the times are inflated",
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)  # before the slow imports: a usage error comes at once
    # the slow imports now: a missing package stops the run before the first chapter, not after the last
    import h2o  # noqa: F401
    import papermill  # noqa: F401

    os.environ[QUICK_ENV] = "1"  # the kernels papermill starts inherit it
    started_utc = dt.datetime.now(dt.UTC)
    load_start = os.getloadavg()
    first = one_by_one(args)
    if first is None:
        return 1
    build = None if args.no_build else as_the_build(args)
    if build is None and not args.no_build:
        return 1
    results = record(args, started_utc, load_start, first, build)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_checked(args.out, results, "quick_book")
    print(f"{'total':28s} {results['total_seconds']:6.1f} s; load average {results['run_conditions']['loadavg_start']} "
          f"at start, {results['run_conditions']['loadavg_end']} at end; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
