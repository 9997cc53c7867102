"""How the cost of the autoencoder and of the matrix profile grows with the series.

Times both methods of the time-series chapter on prefixes of H2O's whole ECG recording
(``ecg/ecg_discord.csv``) and on the recording repeated, up to about 10^6 samples:

- the autoencoder: training on the fixed normal stretch (once), then scoring every
  sliding window of the series in H2O (upload and ``anomaly()``);
- the matrix profile: ``stumpy.stump`` for the same window length, after one call that
  compiles its kernels (numba), whose time is recorded on its own.

Each length is timed ``--repeats`` times, the two methods in turns. The matrix profile
grows with the square of the length, so it is timed only up to ``--max-profile``
samples; the chapter fits the growth of both and extrapolates the profile from there.

    python benchmarks/time_series_cost.py              # benchmarks/out/time_series_cost.json
    python benchmarks/time_series_cost.py --out benchmarks/results/time_series_cost.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from aebook.results_files import ResultsError, check_output_path, run_environment
from aebook.schemas import write_checked

ROOT = Path(__file__).resolve().parent.parent
WINDOW, STRIDE, TRAIN_END = 210, 10, 4200
LENGTHS = [5_000, 10_000, 20_000, 44_940, 89_880, 179_760, 449_400, 898_800]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="runs per length, 1 to 10")
    parser.add_argument("--max-profile", type=int, default=179_760,
                        help="longest series the matrix profile is timed on")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "time_series_cost.json",
                        help="where to write the JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.repeats <= 10:
        parser.error("--repeats must be from 1 to 10")
    try:
        args.out = check_output_path(args.out)
    except ResultsError as err:
        parser.error(str(err))
    return args


def train_autoencoder(recording: np.ndarray):
    """The chapter's autoencoder, trained once on the windows of the fixed normal stretch; and its seconds."""
    import h2o
    import pandas as pd
    from h2o.estimators import H2OAutoEncoderEstimator

    from aebook import unique_id
    from aebook.timeseries import sliding_windows

    windows, _ = sliding_windows(recording, WINDOW, STRIDE, 0, TRAIN_END)
    started = time.perf_counter()
    frame = h2o.H2OFrame(pd.DataFrame(windows), destination_frame=unique_id("ts_train"))
    model = H2OAutoEncoderEstimator(hidden=[50], activation="Tanh", epochs=100,
                                    reproducible=True, seed=1, model_id=unique_id("ts_cost"))
    model.train(training_frame=frame)
    return model, time.perf_counter() - started


def time_length(model, series: np.ndarray, repeat: int, max_profile: int) -> dict:
    """One turn on ``series``: the autoencoder's scoring of every window, then the matrix profile
    (if the series is at most ``max_profile`` samples long)."""
    import h2o
    import pandas as pd
    import stumpy

    from aebook import unique_id
    from aebook.timeseries import sliding_windows

    started = time.perf_counter()
    all_windows, _ = sliding_windows(series, WINDOW, STRIDE)
    scored = h2o.H2OFrame(pd.DataFrame(all_windows), destination_frame=unique_id("ts_all"))
    errors = model.anomaly(scored).as_data_frame()
    ae = time.perf_counter() - started
    h2o.remove(scored)
    assert len(errors) == len(all_windows)
    profile = None
    if len(series) <= max_profile:
        started = time.perf_counter()
        stumpy.stump(series, m=WINDOW)
        profile = time.perf_counter() - started
    shown = "-" if profile is None else f"{profile:.1f} s"
    print(f"{len(series):>9,} samples: autoencoder scoring {ae:6.1f} s, matrix profile {shown}", flush=True)
    return {"samples": len(series), "repeat": repeat, "windows": len(all_windows),
            "autoencoder_scoring_seconds": round(ae, 3),
            "matrix_profile_seconds": None if profile is None else round(profile, 3)}


def medians(runs: list[dict]) -> dict:
    """Per length: the median seconds of each method over its repeats."""
    result = {}
    for length in LENGTHS:
        mine = [r for r in runs if r["samples"] == length]
        profile = [r["matrix_profile_seconds"] for r in mine if r["matrix_profile_seconds"] is not None]
        result[str(length)] = {
            "autoencoder_scoring_seconds": statistics.median(r["autoencoder_scoring_seconds"] for r in mine),
            "matrix_profile_seconds": statistics.median(profile) if profile else None}
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = os.getloadavg()
    import h2o
    import stumpy

    from aebook import path_of, start_h2o

    recording = np.loadtxt(path_of("ecg/ecg_discord.csv"), delimiter=",").ravel()
    started = time.perf_counter()
    stumpy.stump(recording[:2_000], m=WINDOW)
    compile_seconds = time.perf_counter() - started
    print(f"stumpy's first call (compiles its kernels): {compile_seconds:.1f} s", flush=True)
    with start_h2o(max_mem_size="2G"):
        version = h2o.cluster().version
        model, train_seconds = train_autoencoder(recording)
        print(f"autoencoder training on the normal stretch: {train_seconds:.1f} s", flush=True)
        # the recording repeated as needed
        runs = [time_length(model, np.resize(recording, length), repeat, args.max_profile)
                for length in LENGTHS for repeat in range(args.repeats)]
    results = {
        "benchmark": "time-series cost",
        "window": WINDOW, "stride": STRIDE, "training_samples": TRAIN_END,
        "repeats": args.repeats, "max_profile_samples": args.max_profile,
        "stumpy_compile_seconds": round(compile_seconds, 3),
        "autoencoder_training_seconds": round(train_seconds, 3),
        "runs": runs, "median_seconds": medians(runs),
        "how": ("the recording repeated to each length (np.resize); the autoencoder trained once on "
                "the first samples, then each length's windows uploaded and scored with anomaly(); "
                "stumpy.stump on the same series; the two methods in turns at every repeat"),
        **run_environment(load_start, {"h2o": version, "stumpy": stumpy.__version__}),
    }
    write_checked(args.out, results, "time_series_cost")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
