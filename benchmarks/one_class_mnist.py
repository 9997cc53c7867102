"""One-class MNIST: how good and how fast is the H2O autoencoder, against baselines?

Quality (the protocol of the novelty-detection literature, e.g. Ruff et al., 2018):
for each digit d, train on the training images of d only, score all test images, and
treat every other digit as anomalous (the positive class). Report AUROC and average
precision (AP) per digit and seed. Methods, on the same split and the same scaling
(pixels / 255):

- the H2O autoencoder (reconstruction MSE), in several configurations;
- PCA reconstruction error (sklearn, 30 components): the linear baseline;
- Isolation Forest (sklearn, 100 trees).

Speed: each autoencoder configuration is also trained once on the whole training set
(60,000 images) with all cores (``reproducible=False``); its throughput (training
samples per second, from the scoring history) and wall time are recorded. Its quality
is the mean one-class AUROC of the same configuration from the protocol above.

Usage::

    python benchmarks/one_class_mnist.py                  # the full run (see README.md)
    python benchmarks/one_class_mnist.py --quick          # a smoke test for CI, about a minute
    python benchmarks/one_class_mnist.py --digits 0 1 --seeds 1 --out /tmp/x.json

The figures are written as JSON (default ``benchmarks/out/one_class_mnist.json``,
git-ignored); the committed copy of a full run is ``benchmarks/results/one_class_mnist.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from aebook.benchmark_results import (BENCHMARK, SCHEMA_VERSION, ResultsError, check_output_path,
                                      summarize, write_results)
from aebook.params import ParameterError, check_memory_size

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "one_class_mnist.json"

# Autoencoder configurations. "classic" are the settings of H2O's classic MNIST anomaly
# example (50 Tanh units, 1 epoch, H2O's defaults: inputs standardized, constant columns
# dropped). The others feed the pixels as they are (already in [0, 1]) and keep every
# pixel, so that ink where the training digit never has any counts as error.
AE_CONFIGS: dict[str, dict] = {
    "classic": {
        "label": "classic: 50 Tanh, 1 epoch, H2O defaults",
        "params": {"hidden": [50], "activation": "Tanh", "epochs": 1},
    },
    "raw32": {
        "label": "32 Tanh, 5 epochs, raw pixels",
        "params": {"hidden": [32], "activation": "Tanh", "epochs": 5,
                   "standardize": False, "ignore_const_cols": False},
    },
    "raw32_sparse": {
        "label": "32 Tanh, 5 epochs, raw pixels, sparse=True",
        "params": {"hidden": [32], "activation": "Tanh", "epochs": 5,
                   "standardize": False, "ignore_const_cols": False, "sparse": True},
    },
}
# The speed runs train one epoch over the whole training set for every configuration, to
# keep the full run short: throughput is a rate per training sample, and training for E
# epochs takes about E times as long. The quality runs use each configuration's epochs.
SPEED_EPOCHS = 1
# The configuration of the quality table, chosen before the full run from pilot runs on
# digits 0 and 3 (32 units beat 50 and 100 units on digit 0; 5 epochs fit the time budget).
MAIN_CONFIG = "raw32"
PCA_COMPONENTS = 30
IFOREST_TREES = 100
# Deep SVDD (one-class), Ruff et al. (2018), Table 1: mean of the ten per-digit AUROCs.
# Their preprocessing differs (global contrast normalization, min-max scaling): a
# reference point from the literature, not a result of this run.
LITERATURE = {"method": "Deep SVDD (one-class)", "citation": "ruff2018", "mean_auroc": 0.948,
              "note": "reported by Ruff et al. (2018), not measured here; different preprocessing"}

FULL = {"digits": list(range(10)), "seeds": [1, 2, 3], "train_per_digit": None, "n_test": None,
        "speed_rows": None, "max_epochs": None}
QUICK = {"digits": [0, 1], "seeds": [1, 2], "train_per_digit": 300, "n_test": 1000,
         "speed_rows": 1000, "max_epochs": 1}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="one_class_mnist.py",
        description="One-class MNIST benchmark: H2O autoencoder vs PCA and Isolation Forest (quality and speed).",
    )
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: digits 0 1, seeds 1 2, 300 training images per digit, 1,000 test "
                             "images, 1,000 images for the speed runs, at most 1 epoch")
    parser.add_argument("--digits", type=int, nargs="+", metavar="D",
                        help="digits to use as the normal class, each 0-9 (default: all ten; quick: 0 1)")
    parser.add_argument("--seeds", type=int, nargs="+", metavar="S",
                        help="random seeds, each >= 0 (default: 1 2 3; quick: 1 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where to write the JSON (default: benchmarks/out/one_class_mnist.json)")
    parser.add_argument("--max-mem-size", default="2G", help='memory cap of the local H2O (default "2G")')
    args = parser.parse_args(argv)
    if args.digits is not None:
        bad = [d for d in args.digits if not 0 <= d <= 9]
        if bad:
            parser.error(f"--digits: each digit must be from 0 to 9, got {bad}")
        if len(set(args.digits)) != len(args.digits):
            parser.error(f"--digits: each digit at most once, got {args.digits}")
    if args.seeds is not None:
        if any(s < 0 for s in args.seeds):
            parser.error(f"--seeds: seeds must be >= 0, got {args.seeds}")
        if len(set(args.seeds)) != len(args.seeds):
            parser.error(f"--seeds: each seed at most once, got {args.seeds}")
    try:
        check_memory_size("--max-mem-size", args.max_mem_size, minimum="1G")
    except ParameterError as err:
        parser.error(str(err))
    try:  # now, not after a run of many minutes
        args.out = check_output_path(args.out)
    except ResultsError as err:
        parser.error(f"--out: {err}")
    return args


def settings_from(args: argparse.Namespace) -> dict:
    settings = dict(QUICK if args.quick else FULL)
    if args.digits is not None:
        settings["digits"] = list(args.digits)
    if args.seeds is not None:
        settings["seeds"] = list(args.seeds)
    return settings


def java_version() -> str:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60)
    first = (out.stderr or out.stdout).splitlines()
    return first[0].strip() if first else "unknown"


def duration_seconds(text: str) -> float:
    """H2O's scoring-history duration ("1 min 22.507 sec", " 5.1 sec", "1:02:03.4") in seconds."""
    text = str(text).strip()
    units = {"d": 86400, "h": 3600, "hr": 3600, "hrs": 3600, "min": 60, "mins": 60, "sec": 1, "s": 1, "ms": 0.001}
    parts = re.findall(r"([\d.]+)\s*([a-z]+)", text)
    if parts and all(u in units for _, u in parts):
        return sum(float(v) * units[u] for v, u in parts)
    raise ValueError(f"cannot read an H2O duration from {text!r}")


def select(n_per_class_or_total: int | None, candidates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if n_per_class_or_total is None or n_per_class_or_total >= len(candidates):
        return candidates
    return np.sort(rng.choice(candidates, size=n_per_class_or_total, replace=False))


def to_h2o(split: str, x: np.ndarray, rows: np.ndarray, extra: dict[str, np.ndarray]):
    """An H2O frame of ``x[rows] / 255`` (columns px0..px783) plus the integer columns ``extra``."""
    import h2o

    from aebook.mnist import PIXELS, mnist_frames

    if len(rows) == len(x):  # all rows: the frame of aebook.mnist, from its cached file (pixels, then label)
        (imported,) = mnist_frames((split,))
        raw = imported[PIXELS]
    else:
        with tempfile.TemporaryDirectory(prefix="one_class_mnist_") as tmpdir:  # H2O skips dot files
            tmp = Path(tmpdir) / f"{split}.csv"
            with open(tmp, "w") as f:
                f.write(",".join(PIXELS) + "\n")
                np.savetxt(f, x[rows], fmt="%d", delimiter=",")
            imported = raw = h2o.import_file(str(tmp), col_types=["int"] * 784)
    scaled = raw / 255.0
    scaled.columns = PIXELS
    columns = h2o.H2OFrame({name: values[rows].astype(int).tolist() for name, values in extra.items()},
                           column_types=["int"] * len(extra))
    frame = h2o.assign(scaled.cbind(columns), f"one_class_{split}")  # evaluate now, then drop the rest
    h2o.remove(imported)
    h2o.remove(columns)
    return frame


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = settings_from(args)
    load_start = os.getloadavg()
    started = time.perf_counter()

    import warnings

    import h2o
    import sklearn
    from h2o.estimators import H2OAutoEncoderEstimator
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import average_precision_score, roc_auc_score

    from aebook import h2o_session
    from aebook.mnist import PIXELS, load_mnist

    # H2O lists every constant pixel column it drops (classic settings): noise in a table
    warnings.filterwarnings("ignore", message="Dropping bad and constant columns")
    digits, seeds = settings["digits"], settings["seeds"]
    print(f"one-class MNIST benchmark ({'quick' if args.quick else 'full'}): digits {digits}, seeds {seeds}",
          flush=True)

    # ---- data: numpy (for sklearn) and the same rows in H2O ---------------------------------
    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    train_x = train_images.reshape(len(train_images), -1)
    test_x = test_images.reshape(len(test_images), -1)
    rng = np.random.default_rng(0)  # the data subsets (quick mode) do not depend on the seeds
    # pick[i] = the digit whose one-class training set row i belongs to, or -1
    pick = np.full(len(train_labels), -1)
    for d in digits:
        rows = select(settings["train_per_digit"], np.flatnonzero(train_labels == d), rng)
        pick[rows] = d
    test_rows = select(settings["n_test"], np.arange(len(test_labels)), rng)
    speed_rows = select(settings["speed_rows"], np.arange(len(train_labels)), rng)
    x_test = test_x[test_rows] / 255.0
    y_test = test_labels[test_rows]

    results: dict = {
        "schema_version": SCHEMA_VERSION,
        "benchmark": BENCHMARK,
        "mode": "quick" if args.quick else "full",
        "command": "python benchmarks/one_class_mnist.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "protocol": {
            "description": "for each digit d: train on the training images of d only, score the test images, "
                           "every other digit is anomalous (the positive class); scaling pixels/255",
            "digits": digits,
            "seeds": seeds,
            "train_images_per_digit": {str(d): int((pick == d).sum()) for d in digits},
            "test_images": len(test_rows),
            "anomalous_fraction_per_digit": {str(d): float(np.mean(y_test != d)) for d in digits},
            "speed_training_images": len(speed_rows),
            "max_epochs": settings["max_epochs"],
            "speed_epochs": SPEED_EPOCHS,
            "score": "AE: H2O reconstruction MSE; PCA: squared reconstruction error; "
                     "Isolation Forest: minus score_samples",
        },
        "methods": {
            "h2o_autoencoder": {"main_config": MAIN_CONFIG, "configs": {}},
            "pca": {"label": f"PCA reconstruction error ({PCA_COMPONENTS} components)",
                    "params": {"n_components": PCA_COMPONENTS, "svd_solver": "randomized"}},
            "isolation_forest": {"label": f"Isolation Forest ({IFOREST_TREES} trees)",
                                 "params": {"n_estimators": IFOREST_TREES, "n_jobs": 1}},
        },
        "literature": LITERATURE,
        "runs": [],
        "speed": [],
    }

    def record(method: str, config: str | None, digit: int, seed: int, scores: np.ndarray,
               fit_s: float, score_s: float) -> dict:
        anomalous = (y_test != digit).astype(int)
        run = {"method": method, "config": config, "digit": digit, "seed": seed,
               "auroc": float(roc_auc_score(anomalous, scores)),
               "ap": float(average_precision_score(anomalous, scores)),
               "fit_seconds": round(fit_s, 3), "score_seconds": round(score_s, 3)}
        results["runs"].append(run)
        name = method if config is None else f"{method}[{config}]"
        print(f"  digit {digit} seed {seed} {name:32s} AUROC {run['auroc']:.4f}  AP {run['ap']:.4f}  "
              f"fit {fit_s:6.1f} s", flush=True)
        return run

    def ae_params(config: str) -> dict:
        params = dict(AE_CONFIGS[config]["params"])
        if settings["max_epochs"] is not None:
            params["epochs"] = min(params["epochs"], settings["max_epochs"])
        return params

    with h2o_session(max_mem_size=args.max_mem_size, progress=False):
        cluster = h2o.cluster()
        h2o_cores = int(cluster.nodes[0]["num_cpus"])

        # Integers 0-255 go to H2O as CSV, which it parses in parallel; the scaling is done
        # in H2O. The full run imports the prepared files of aebook.mnist; a run on a subset
        # (quick mode) writes a small CSV of just the rows it needs.
        t0 = time.perf_counter()
        train_needed = np.flatnonzero((pick >= 0) | np.isin(np.arange(len(train_labels)), speed_rows))
        frames = {
            "train": to_h2o("train", train_x, train_needed, {"pick": pick, "speed": np.isin(
                np.arange(len(train_labels)), speed_rows).astype(int)}),
            "test": to_h2o("test", test_x, test_rows, {"label": test_labels}),
        }
        test_frame = frames["test"][PIXELS]
        # The H2O rows must be the numpy rows, in the same order.
        h2o_test_labels = frames["test"]["label"].as_data_frame()["label"].to_numpy()
        if not np.array_equal(h2o_test_labels, y_test):
            raise RuntimeError("the H2O test frame's rows differ from the numpy test rows")
        to_h2o_s = time.perf_counter() - t0
        results["data_to_h2o_seconds"] = round(to_h2o_s, 2)
        print(f"data to H2O (import the prepared files, scale, select): {to_h2o_s:.1f} s", flush=True)

        # ---- quality: the one-class protocol ---------------------------------------------------
        for d in digits:
            x_train = train_x[pick == d] / 255.0
            train_frame = frames["train"][frames["train"]["pick"] == d, PIXELS]
            if train_frame.nrows != len(x_train):
                raise RuntimeError(f"digit {d}: {train_frame.nrows} rows in H2O, {len(x_train)} in numpy")
            print(f"digit {d}: {len(x_train)} training images, {len(x_test)} test images", flush=True)
            for seed in seeds:
                t = time.perf_counter()
                pca = PCA(n_components=PCA_COMPONENTS, svd_solver="randomized", random_state=seed).fit(x_train)
                fit_s = time.perf_counter() - t
                t = time.perf_counter()
                errors = ((x_test - pca.inverse_transform(pca.transform(x_test))) ** 2).sum(axis=1)
                record("pca", None, d, seed, errors, fit_s, time.perf_counter() - t)

                t = time.perf_counter()
                forest = IsolationForest(n_estimators=IFOREST_TREES, random_state=seed, n_jobs=1).fit(x_train)
                fit_s = time.perf_counter() - t
                t = time.perf_counter()
                record("isolation_forest", None, d, seed, -forest.score_samples(x_test), fit_s,
                       time.perf_counter() - t)

                for config in AE_CONFIGS:
                    if config != MAIN_CONFIG and seed != seeds[0]:
                        continue  # the other configurations: first seed only (time)
                    model = H2OAutoEncoderEstimator(**ae_params(config), reproducible=True, seed=seed)
                    t = time.perf_counter()
                    model.train(training_frame=train_frame)
                    fit_s = time.perf_counter() - t
                    t = time.perf_counter()
                    mse_frame = model.anomaly(test_frame)
                    mse = mse_frame.as_data_frame()["Reconstruction.MSE"].to_numpy()
                    record("h2o_autoencoder", config, d, seed, mse, fit_s, time.perf_counter() - t)
                    h2o.remove(mse_frame)
                    h2o.remove(model)
            h2o.remove(train_frame)

        # ---- speed: each configuration on the whole training set ------------------------------
        speed_frame = frames["train"][frames["train"]["speed"] == 1, PIXELS]
        print(f"speed runs on {speed_frame.nrows} training images", flush=True)
        speed_runs = [(c, False) for c in AE_CONFIGS] + [("classic", True)]
        for config, reproducible in speed_runs:
            params = {**ae_params(config), "epochs": SPEED_EPOCHS}
            model = H2OAutoEncoderEstimator(**params, reproducible=reproducible, seed=1)
            t = time.perf_counter()
            model.train(training_frame=speed_frame)
            wall = time.perf_counter() - t
            history = model.scoring_history()
            last = history.iloc[-1]
            samples = float(last["samples"])
            duration = duration_seconds(last["duration"])
            speed = {"config": config, "reproducible": reproducible,
                     "threads": 1 if reproducible else h2o_cores,
                     "training_images": speed_frame.nrows, "epochs": float(last["epochs"]),
                     "samples": samples, "training_seconds": round(duration, 3),
                     "samples_per_second": round(samples / duration, 1) if duration > 0 else None,
                     "wall_seconds": round(wall, 3)}
            results["speed"].append(speed)
            print(f"  {config:14s} reproducible={reproducible!s:5s} {samples:>9,.0f} samples in "
                  f"{duration:6.1f} s: {speed['samples_per_second']:>8,.0f} samples/s (wall {wall:.1f} s)",
                  flush=True)
            h2o.remove(model)

        results["machine"] = {
            "cpu_count": os.cpu_count(),
            "h2o_cores": h2o_cores,
            "platform": platform.platform(),
            "processor": platform.machine(),
        }
        results["versions"] = {
            "python": platform.python_version(),
            "h2o": h2o.__version__,
            "h2o_cluster": cluster.version,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "java": java_version(),
        }

    total = time.perf_counter() - started
    load_end = os.getloadavg()
    for config, spec in AE_CONFIGS.items():
        results["methods"]["h2o_autoencoder"]["configs"][config] = {
            "label": spec["label"], "params": ae_params(config),
            "quality_seeds": seeds if config == MAIN_CONFIG else seeds[:1],
            "quality_settings": "reproducible=True (one thread), per seed",
            "speed_settings": f"{SPEED_EPOCHS} epoch over the speed training set, reproducible=False "
                              "(all cores), seed 1",
        }
    results["run_conditions"] = {
        "loadavg_start": [round(x, 2) for x in load_start],
        "loadavg_end": [round(x, 2) for x in load_end],
        "note": "os.getloadavg() (1, 5, 15 minutes) at start and end; a load above the core count means "
                "other processes competed for the CPU and the timings are inflated",
    }
    results["total_seconds"] = round(total, 1)
    results["summary"] = summarize(results["runs"])
    print_table(results)

    write_results(results, args.out)  # checked, then written beside and renamed
    print(f"wrote {args.out.name} ({total:.0f} s in total)")
    return 0


def print_table(results: dict) -> None:
    summary = results["summary"]
    digits = results["protocol"]["digits"]
    print("\nAUROC per digit (mean over seeds) and mean over digits (+- std over seeds)")
    print(f"{'method':34s}" + "".join(f"{d:>7d}" for d in digits) + f"{'mean':>9s}{'+-':>8s}{'fit s':>8s}")
    for name, s in summary.items():
        print(f"{name:34s}" + "".join(f"{s['per_digit'][str(d)]['auroc']['mean']:7.3f}" for d in digits)
              + f"{s['mean_auroc']:9.4f}{s['std_auroc_over_seeds']:8.4f}{s['fit_seconds_mean']:8.1f}")
    lit = results["literature"]
    print(f"{lit['method'] + ' (literature)':34s}" + " " * (7 * len(digits)) + f"{lit['mean_auroc']:9.3f}")
    print("\nspeed (autoencoder on the speed training set)")
    for s in results["speed"]:
        print(f"  {s['config']:14s} reproducible={s['reproducible']!s:5s} threads={s['threads']}  "
              f"{s['samples_per_second']:>9,.0f} samples/s  wall {s['wall_seconds']:7.1f} s")
    print(f"load average at start {results['run_conditions']['loadavg_start']}, "
          f"at end {results['run_conditions']['loadavg_end']}")


if __name__ == "__main__":
    sys.exit(main())
