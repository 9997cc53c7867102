"""One-class MNIST: choose every method's settings on validation data from the training split.

The protocol of the final table (``one_class_mnist.py``) trains on the training images
of one digit and scores the test images. Settings chosen by looking at test AUROCs
would flatter the method that was tuned most. This search never reads the test split:

- One stratified split of the 60,000 training images (seed 0): 80 % *fit* images and
  20 % *validation* images. The search draws 1,000 fit images per digit and 3,000
  validation images from them (to keep it short on 2 cores).
- For each digit d, each candidate setting is fitted on the fit images of d and scores
  every validation image; validation images of d are the normals and validation images
  of the other digits the anomalies (about 90 %, as in the test protocol). The score
  is the validation AUROC.
- Every method gets the same budget: ``len(CANDIDATES[method])`` candidate settings
  (8 each), one seed. The chosen setting of a digit is its best candidate on
  validation (the first in the list on a tie); the file also records the one setting
  with the best mean over digits.

Usage::

    python benchmarks/one_class_mnist_search.py          # all digits (see README.md)
    python benchmarks/one_class_mnist_search.py --quick  # a smoke test, small data
    python benchmarks/one_class_mnist_search.py --out benchmarks/results/one_class_mnist_search.json

``one_class_mnist.py --search FILE`` then trains each digit's chosen settings on all
training images of the digit and scores the test images, once.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from aebook.benchmark_results import (
    SEARCH_BENCHMARK,
    SEARCH_SCHEMA_VERSION,
    SEARCH_SCRIPT,
    check_run_arguments,
    choose_settings,
    run_header,
    write_search_results,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "one_class_mnist_search.json"
VALIDATION_FRACTION = 0.2
SPLIT_SEED = 0
SEARCH_SEED = 1

# Autoencoders: raw pixels / 255 (standardize=False; H2O's output layer uses the hidden
# activation, and Tanh and Rectifier both reach [0, 1]), every pixel kept, no early
# stopping (the model trains exactly `epochs`), cheap training-set scoring.
_AE_COMMON = {"standardize": False, "ignore_const_cols": False, "stopping_rounds": 0,
              "score_training_samples": 1000}
CANDIDATES: dict[str, dict[str, dict]] = {
    "h2o_autoencoder": {
        "h32_e5": {"hidden": [32], "activation": "Tanh", "epochs": 5},
        "h32_e10": {"hidden": [32], "activation": "Tanh", "epochs": 10},
        "h16_e10": {"hidden": [16], "activation": "Tanh", "epochs": 10},
        "h64_e5": {"hidden": [64], "activation": "Tanh", "epochs": 5},
        "h64_16_64_e5": {"hidden": [64, 16, 64], "activation": "Tanh", "epochs": 5},
        "h32_e5_dropout": {"hidden": [32], "activation": "Tanh", "epochs": 5, "input_dropout_ratio": 0.1},
        "h32_e5_l1l2": {"hidden": [32], "activation": "Tanh", "epochs": 5, "l1": 1e-5, "l2": 1e-4},
        "h32_e5_relu": {"hidden": [32], "activation": "Rectifier", "epochs": 5},
    },
    "pca": {f"k{k}": {"n_components": k} for k in (8, 16, 24, 32, 48, 64, 96, 128)},
    "isolation_forest": {f"s{s}_t{t}": {"max_samples": s, "n_estimators": t}
                         for s in (64, 256, 512, 1000) for t in (100, 400)},
}
# The search fits on 1,000 images per digit and validates on 3,000 held-out images: on
# a shared 2-core machine, 8 autoencoders x 10 digits on all ~4,700 fit images took
# hours. The final table trains the chosen settings on all training images of a digit.
FULL = {"digits": list(range(10)), "fit_per_digit": 1000, "validation_rows": 3000, "max_epochs": None}
QUICK = {"digits": [0, 1], "fit_per_digit": 300, "validation_rows": 1000, "max_epochs": 1}


def ae_params(name: str, max_epochs: int | None = None) -> dict:
    """The H2O arguments of autoencoder candidate ``name`` (without seed and reproducible)."""
    params = {**_AE_COMMON, **CANDIDATES["h2o_autoencoder"][name]}
    if max_epochs is not None:
        params["epochs"] = min(params["epochs"], max_epochs)
    return params


def validation_mask(labels: np.ndarray, fraction: float = VALIDATION_FRACTION, seed: int = SPLIT_SEED) -> np.ndarray:
    """True for the training images held out for validation: ``fraction`` of each digit."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(labels), dtype=bool)
    for d in np.unique(labels):
        rows = np.flatnonzero(labels == d)
        mask[rng.choice(rows, size=round(fraction * len(rows)), replace=False)] = True
    return mask


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="one_class_mnist_search.py",
        description="Choose the settings of the autoencoder, PCA and Isolation Forest on validation data "
                    "from the MNIST training split (the test split is never read).")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: digits 0 1, 300 fit images per digit, 1,000 validation images, "
                             "at most 1 epoch")
    parser.add_argument("--digits", type=int, nargs="+", metavar="D", help="digits 0-9 (default: all ten)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where to write the JSON (default: benchmarks/out/one_class_mnist_search.json)")
    parser.add_argument("--max-mem-size", default="2G", help='memory cap of the local H2O (default "2G")')
    args = parser.parse_args(argv)
    check_run_arguments(parser, args)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = dict(QUICK if args.quick else FULL)
    if args.digits is not None:
        settings["digits"] = list(args.digits)
    digits = settings["digits"]
    load_start = os.getloadavg()
    started = time.perf_counter()

    import h2o
    import sklearn
    from h2o.estimators import H2OAutoEncoderEstimator
    from one_class_mnist import java_version, select, to_h2o
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import average_precision_score, roc_auc_score

    from aebook import h2o_session
    from aebook.mnist import PIXELS, load_mnist

    print(f"one-class MNIST search ({'quick' if args.quick else 'full'}): digits {digits}", flush=True)
    images, labels = load_mnist("train")  # the test split is never loaded
    x_all = images.reshape(len(images), -1)
    held_out = validation_mask(labels)
    rng = np.random.default_rng(0)  # subsets of the quick mode
    fit_for = np.full(len(labels), -1)  # the digit whose fit set row i is in, or -1
    for d in digits:
        fit_for[select(settings["fit_per_digit"], np.flatnonzero((labels == d) & ~held_out), rng)] = d
    val_rows = select(settings["validation_rows"], np.flatnonzero(held_out), rng)
    is_val = np.isin(np.arange(len(labels)), val_rows)
    x_val = x_all[val_rows] / 255.0
    y_val = labels[val_rows]

    results: dict = {
        **run_header(SEARCH_BENCHMARK, SEARCH_SCHEMA_VERSION, SEARCH_SCRIPT, args.quick, argv),
        "protocol": {
            "description": "training split only: a stratified 80/20 split (seed 0); for each digit d, fit on "
                           "images of d from the 80 %, score validation images from the 20 %, every other "
                           "digit is anomalous; the test split is never read",
            "digits": digits,
            "seed": SEARCH_SEED,
            "validation_fraction": VALIDATION_FRACTION,
            "split_seed": SPLIT_SEED,
            "fit_images_per_digit": {str(d): int((fit_for == d).sum()) for d in digits},
            "validation_images": len(val_rows),
            "validation_normals_per_digit": {str(d): int((y_val == d).sum()) for d in digits},
            "max_epochs": settings["max_epochs"],
            "budget_per_method": {m: len(c) for m, c in CANDIDATES.items()},
            "selection": "per digit: the candidate with the highest validation AUROC (first on a tie)",
        },
        "candidates": {"h2o_autoencoder": {n: ae_params(n, settings["max_epochs"])
                                           for n in CANDIDATES["h2o_autoencoder"]},
                       "pca": CANDIDATES["pca"], "isolation_forest": CANDIDATES["isolation_forest"]},
        "runs": [],
    }

    def record(method: str, candidate: str, digit: int, scores: np.ndarray, fit_s: float, **extra) -> None:
        anomalous = (y_val != digit).astype(int)
        run = {"method": method, "candidate": candidate, "digit": digit,
               "auroc": float(roc_auc_score(anomalous, scores)),
               "ap": float(average_precision_score(anomalous, scores)), "fit_seconds": round(fit_s, 3), **extra}
        results["runs"].append(run)
        print(f"  digit {digit} {method:17s} {candidate:16s} AUROC {run['auroc']:.4f}  fit {fit_s:6.1f} s",
              flush=True)

    with h2o_session(max_mem_size=args.max_mem_size, progress=False):
        cluster = h2o.cluster()
        frame = to_h2o("train", x_all, np.flatnonzero((fit_for >= 0) | is_val),
                       {"fit_for": fit_for, "val": is_val.astype(int), "label": labels})
        val_frame = frame[frame["val"] == 1, PIXELS]
        h2o_labels = frame[frame["val"] == 1, "label"].as_data_frame()["label"].to_numpy()
        if not np.array_equal(h2o_labels, y_val):
            raise RuntimeError("the H2O validation rows differ from the numpy validation rows")
        for d in digits:
            x_fit = x_all[fit_for == d] / 255.0
            fit_frame = frame[frame["fit_for"] == d, PIXELS]
            print(f"digit {d}: {len(x_fit)} fit images, {len(y_val)} validation images", flush=True)
            for name, params in CANDIDATES["pca"].items():
                t = time.perf_counter()
                pca = PCA(**params, svd_solver="randomized", random_state=SEARCH_SEED).fit(x_fit)
                fit_s = time.perf_counter() - t
                errors = ((x_val - pca.inverse_transform(pca.transform(x_val))) ** 2).sum(axis=1)
                record("pca", name, d, errors, fit_s)
            for name, params in CANDIDATES["isolation_forest"].items():
                t = time.perf_counter()
                forest = IsolationForest(**params, random_state=SEARCH_SEED, n_jobs=1).fit(x_fit)
                fit_s = time.perf_counter() - t
                record("isolation_forest", name, d, -forest.score_samples(x_val), fit_s)
            for name in CANDIDATES["h2o_autoencoder"]:
                model = H2OAutoEncoderEstimator(**ae_params(name, settings["max_epochs"]), reproducible=True,
                                                seed=SEARCH_SEED)
                t = time.perf_counter()
                model.train(training_frame=fit_frame)
                fit_s = time.perf_counter() - t
                epochs = float(model.scoring_history().iloc[-1]["epochs"])
                mse_frame = model.anomaly(val_frame)
                mse = mse_frame.as_data_frame()["Reconstruction.MSE"].to_numpy()
                record("h2o_autoencoder", name, d, mse, fit_s, epochs_trained=round(epochs, 4))
                h2o.remove(mse_frame)
                h2o.remove(model)
            h2o.remove(fit_frame)
        results["versions"] = {"python": platform.python_version(), "h2o": h2o.__version__,
                               "h2o_cluster": cluster.version, "sklearn": sklearn.__version__,
                               "numpy": np.__version__, "java": java_version()}
        results["machine"] = {"cpu_count": os.cpu_count(), "h2o_cores": int(cluster.nodes[0]["num_cpus"]),
                              "platform": platform.platform()}

    results["run_conditions"] = {"loadavg_start": [round(x, 2) for x in load_start],
                                 "loadavg_end": [round(x, 2) for x in os.getloadavg()]}
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["chosen"] = choose_settings(results["runs"], list(CANDIDATES))
    for method, chosen in results["chosen"].items():
        per_digit = " ".join(f"{d}:{c['candidate']}" for d, c in chosen["per_digit"].items())
        print(f"{method}: best overall {chosen['overall']['candidate']} "
              f"(mean validation AUROC {chosen['overall']['mean_auroc']:.4f}); per digit {per_digit}; "
              f"mean of the per-digit best {chosen['per_digit_mean_auroc']:.4f}")
    write_search_results(results, args.out)
    print(f"wrote {args.out.name} ({results['total_seconds']:.0f} s in total)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
