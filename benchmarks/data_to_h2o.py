"""How long a table takes to reach H2O: local import, upload, or s3:// import.

Times the three routes of :func:`aebook.file_to_cluster.time_routes` for the prepared
MNIST training table (60,000 rows, the SVMLight file of :mod:`aebook.mnist`) on a
fresh local H2O started with a local S3 server (or the store named by
``AEBOOK_S3_ENDPOINT``), each route ``--repeats`` times in turns. Prints the medians
and writes every time as JSON, with the machine, the versions and the load average.
The goal: an ``s3://`` import within 1.5 times the local import.

    python benchmarks/data_to_h2o.py                        # benchmarks/out/data_to_h2o.json
    python benchmarks/data_to_h2o.py --nodes 2 --repeats 5 --out my.json
    python benchmarks/data_to_h2o.py --table test            # the 10,000-row table
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from aebook import start_h2o, start_object_store
from aebook.file_to_cluster import time_routes
from aebook.mnist import prepared_file
from aebook.params import ParameterError, check_memory_size
from aebook.results_files import ResultsError, check_output_path, run_environment
from aebook.schemas import write_checked

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.5  # s3:// import at most this many times the local import


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", choices=["train", "test"], default="train",
                        help="which prepared MNIST table to time (default: train)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per route, 1 to 20")
    parser.add_argument("--nodes", type=int, default=1, help="H2O nodes, 1 to 4")
    parser.add_argument("--max-mem-size", default="2G", help="memory of each H2O node")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "data_to_h2o.json",
                        help="where to write the JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.repeats <= 20:
        parser.error("--repeats must be from 1 to 20")
    if not 1 <= args.nodes <= 4:
        parser.error("--nodes must be from 1 to 4")
    try:
        check_memory_size("--max-mem-size", args.max_mem_size, minimum="1G")
        args.out = check_output_path(args.out)  # before any work: a bad path loses nothing
    except (ParameterError, ResultsError) as err:
        parser.error(str(err))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = os.getloadavg()
    table = prepared_file(args.table)
    with start_object_store() as store:
        store.ensure_bucket("aebook-benchmark")
        started = time.perf_counter()
        url = store.upload(table, "aebook-benchmark", table.name)
        to_store = time.perf_counter() - started
        with start_h2o(nodes=args.nodes, max_mem_size=args.max_mem_size, store=store):
            import h2o

            version = h2o.cluster().version
            seconds = time_routes(table, url, f"bench_{args.table}", repeats=args.repeats)
    medians = {route: statistics.median(times) for route, times in seconds.items()}
    ratio = medians["s3"] / medians["import"] if "import" in medians else None
    for route, times in seconds.items():
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"{route:>7}: median {medians[route]:6.2f} s  (runs: {runs})")
    if ratio is not None:
        verdict = "met" if ratio <= GOAL else "not met"
        print(f"s3:// import / local import: {ratio:.2f} (goal <= {GOAL}: {verdict})")
    results = {
        "benchmark": "data to H2O",
        "table": {"name": table.name, "bytes": table.stat().st_size},
        "nodes": args.nodes, "max_mem_size": args.max_mem_size, "repeats": args.repeats,
        "seconds": {route: [round(t, 3) for t in times] for route, times in seconds.items()},
        "median_seconds": {route: round(t, 3) for route, t in medians.items()},
        "s3_over_import": round(ratio, 3) if ratio is not None else None,
        "goal_s3_over_import": GOAL,
        "upload_to_store_seconds": round(to_store, 3),
        "store": "local S3 server (moto)" if store.owned else "shared store",
        **run_environment(load_start, {"h2o": version}),
    }
    write_checked(args.out, results, "data_to_h2o")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
