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
import sys
import time

import benchmark_arguments as arguments
import numpy as np

from aebook.one_class_mnist_results import (
    SEARCH_BENCHMARK,
    SEARCH_SCHEMA_VERSION,
    SEARCH_SCRIPT,
    choose_settings,
    write_search_results,
)
from aebook.results_files import run_environment, run_header

DESCRIPTION = ("Choose the settings of the autoencoder, PCA and Isolation Forest on validation data from the MNIST "
               "training split (the test split is never read).")
QUICK_HELP = "digits 0 1, 300 fit images per digit, 1,000 validation images, at most 1 epoch"
VALIDATION_FRACTION = 0.2
SPLIT_SEED = 0
SEARCH_SEED = 1

# Autoencoders: raw pixels / 255 (standardize=False; H2O's output layer uses the hidden
# activation, and Tanh and Rectifier both reach [0, 1]), every pixel kept, no early
# stopping (the model trains exactly `epochs`), cheap training-set scoring.
# The sparsity target average_activation is 0.05 for both activations (a Rectifier's must
# be positive); it acts only where sparsity_beta > 0.
_AE_COMMON = {"standardize": False, "ignore_const_cols": False, "stopping_rounds": 0,
              "score_training_samples": 1000, "average_activation": 0.05}
# The autoencoder's candidates are drawn by H2OGridSearch (RandomDiscrete, the same seed
# for every digit, so every digit gets the same draws) from this space: depth and width,
# activation, epochs, L1/L2, input dropout (a denoising autoencoder) and a sparsity
# penalty (a sparse autoencoder: sparsity_beta pulls each hidden unit's mean activation
# towards average_activation).
AE_SPACE: dict[str, list] = {
    "hidden": [[32], [64], [128], [64, 16, 64], [128, 32, 128], [100, 50, 100]],
    "activation": ["Tanh", "Rectifier"],
    "epochs": [5, 10, 20],
    "l1": [0.0, 1e-5],
    "l2": [0.0, 1e-4],
    "input_dropout_ratio": [0.0, 0.1, 0.2],
    "sparsity_beta": [0.0, 0.01, 0.1],
}
BUDGET = 8  # models trained per method and digit: the grid's max_models
ENSEMBLE = "ensemble_top3"  # the mean of rank-normalised errors of the 3 best candidates
CANDIDATES: dict[str, dict[str, dict]] = {
    "pca": {f"k{k}": {"n_components": k} for k in (8, 16, 24, 32, 48, 64, 96, 128)},
    "isolation_forest": {f"s{s}_t{t}": {"max_samples": s, "n_estimators": t}
                         for s in (64, 256, 512, 1000) for t in (100, 400)},
}
# The search fits on 1,000 images per digit and validates on 3,000 held-out images: on
# a shared 2-core machine, 8 autoencoders x 10 digits on all ~4,700 fit images took
# hours. The final table trains the chosen settings on all training images of a digit.
FULL = {"digits": list(range(10)), "fit_per_digit": 1000, "validation_rows": 3000, "max_epochs": None}
QUICK = {"digits": [0, 1], "fit_per_digit": 300, "validation_rows": 1000, "max_epochs": 1}


def ae_space(max_epochs: int | None = None) -> dict[str, list]:
    """The grid's hyper-parameter space, with the epochs capped at ``max_epochs``."""
    if max_epochs is None:
        return AE_SPACE
    return {**AE_SPACE, "epochs": sorted({min(e, max_epochs) for e in AE_SPACE["epochs"]})}


def ae_name(params: dict) -> str:
    """A short name of an autoencoder candidate, from its hyper-parameters."""
    parts = ["h" + "-".join(str(n) for n in params["hidden"]), params["activation"].lower()[:4],
             f"e{params['epochs']:g}"]
    for key, short in (("l1", "l1="), ("l2", "l2="), ("input_dropout_ratio", "in"), ("sparsity_beta", "sb")):
        if params[key]:
            parts.append(f"{short}{params[key]:g}")
    return "_".join(parts)


def grid_candidates(fit_frame, val_frame, max_epochs: int | None) -> list[tuple[str, dict, np.ndarray, float]]:
    """Train the grid on ``fit_frame``; per model, in training order: its name, its H2O
    arguments, its reconstruction MSE of each row of ``val_frame`` and its training seconds."""
    import h2o
    from h2o.estimators import H2OAutoEncoderEstimator
    from h2o.grid import H2OGridSearch

    grid = H2OGridSearch(
        H2OAutoEncoderEstimator(**_AE_COMMON, reproducible=True, seed=SEARCH_SEED),
        hyper_params=ae_space(max_epochs),
        search_criteria={"strategy": "RandomDiscrete", "max_models": BUDGET, "seed": SEARCH_SEED})
    grid.train(training_frame=fit_frame)
    if len(grid.models) != BUDGET:
        raise RuntimeError(f"the grid trained {len(grid.models)} of {BUDGET} models: {grid.failure_details}")
    models = sorted(grid.models, key=lambda m: int(m.model_id.rpartition("_")[2]))
    out = []
    for model in models:
        hyper = grid.get_hyperparams_dict(model.model_id, display=False)
        params = {**_AE_COMMON, **{k: hyper[k] for k in AE_SPACE}}
        params["hidden"] = [int(n) for n in params["hidden"]]
        mse_frame = model.anomaly(val_frame)
        mse = mse_frame.as_data_frame()["Reconstruction.MSE"].to_numpy()
        out.append((ae_name(params), params, mse, model._model_json["output"]["run_time"] / 1000))
        h2o.remove(mse_frame)
    h2o.remove(grid)
    return out


def validation_mask(labels: np.ndarray, fraction: float = VALIDATION_FRACTION, seed: int = SPLIT_SEED) -> np.ndarray:
    """True for the training images held out for validation: ``fraction`` of each digit."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(labels), dtype=bool)
    for d in np.unique(labels):
        rows = np.flatnonzero(labels == d)
        mask[rng.choice(rows, size=round(fraction * len(rows)), replace=False)] = True
    return mask


def search_rows(labels: np.ndarray, digits: list[int], fit_per_digit: int,
                validation_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the search: for each training image the digit whose fit set it is in
    (or -1), and the sorted validation rows (held out by :func:`validation_mask`)."""
    from one_class_mnist import select

    held_out = validation_mask(labels)
    rng = np.random.default_rng(0)  # subsets of the quick mode
    fit_for = np.full(len(labels), -1)
    for d in digits:
        fit_for[select(fit_per_digit, np.flatnonzero((labels == d) & ~held_out), rng)] = d
    return fit_for, select(validation_rows, np.flatnonzero(held_out), rng)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.benchmark_parser("one_class_mnist_search", DESCRIPTION, QUICK_HELP)
    arguments.add_digits(parser, "digits 0-9 (default: all ten)")
    arguments.add_out(parser)
    arguments.add_max_mem_size(parser)
    args = parser.parse_args(argv)
    arguments.check_arguments(parser, args)
    return args


class Search:
    """The validation images and the runs of the search, as they accumulate."""

    def __init__(self, y_val: np.ndarray) -> None:
        self.y_val = y_val
        self.runs: list[dict] = []
        self.ae_candidates: dict[str, dict] = {}
        self.ae_scores: dict[tuple[str, int], np.ndarray] = {}

    def record(self, method: str, candidate: str, digit: int, scores: np.ndarray, fit_s: float) -> None:
        from sklearn.metrics import average_precision_score, roc_auc_score

        anomalous = (self.y_val != digit).astype(int)
        run = {"method": method, "candidate": candidate, "digit": digit,
               "auroc": float(roc_auc_score(anomalous, scores)),
               "ap": float(average_precision_score(anomalous, scores)), "fit_seconds": round(fit_s, 3)}
        self.runs.append(run)
        print(f"  digit {digit} {method:17s} {candidate:30s} AUROC {run['auroc']:.4f}  fit {fit_s:6.1f} s",
              flush=True)

    def baselines(self, d: int, x_fit: np.ndarray, x_val: np.ndarray) -> None:
        """PCA and Isolation Forest: every candidate on digit ``d``."""
        from one_class_mnist import baseline_scores

        for method, candidates in CANDIDATES.items():
            for name, params in candidates.items():
                scores, fit_s, score_s = baseline_scores(method, params, SEARCH_SEED, x_fit, x_val)
                # as the committed search measured them: a forest's seconds include its scoring
                self.record(method, name, d, scores, fit_s + score_s if method == "isolation_forest" else fit_s)

    def autoencoders(self, d: int, fit_frame, val_frame, max_epochs: int | None) -> None:
        """The grid's models on digit ``d``: the same draws for every digit."""
        models = grid_candidates(fit_frame, val_frame, max_epochs)
        if self.ae_candidates and [m[0] for m in models] != list(self.ae_candidates):
            raise RuntimeError(f"the grid drew other candidates for the digit {d} than for the first digit: "
                               f"{[m[0] for m in models]} against {list(self.ae_candidates)}")
        for name, params, mse, fit_s in models:
            self.ae_candidates[name] = params
            self.ae_scores[(name, d)] = mse
            self.record("h2o_autoencoder", name, d, mse, fit_s)

    def ensemble(self, digits: list[int]) -> list[str]:
        """The ensemble of the three candidates with the best mean validation AUROC over the
        digits, as one more candidate: the mean of their rank-normalised errors."""
        from aebook.evaluation import rank_mean

        mine = [r for r in self.runs if r["method"] == "h2o_autoencoder"]
        means = {c: np.mean([r["auroc"] for r in mine if r["candidate"] == c]) for c in self.ae_candidates}
        members = sorted(means, key=lambda c: (-means[c], list(means).index(c)))[:3]
        fit_s = {(r["candidate"], r["digit"]): r["fit_seconds"] for r in mine}
        for d in digits:
            self.record("h2o_autoencoder", ENSEMBLE, d, rank_mean([self.ae_scores[(c, d)] for c in members]),
                        sum(fit_s[(c, d)] for c in members))
        return members


def header(args: argparse.Namespace, settings: dict, argv: list[str] | None, fit_for: np.ndarray,
           y_val: np.ndarray) -> dict:
    """The fields of the results file that the runs do not fill."""
    digits = settings["digits"]
    return {
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
            "validation_images": len(y_val),
            "validation_normals_per_digit": {str(d): int((y_val == d).sum()) for d in digits},
            "max_epochs": settings["max_epochs"],
            "budget_per_method": {m: BUDGET for m in ("h2o_autoencoder", *CANDIDATES)},
            "autoencoder_grid": {"strategy": "RandomDiscrete", "max_models": BUDGET, "seed": SEARCH_SEED,
                                 "hyper_params": ae_space(settings["max_epochs"]), "fixed": _AE_COMMON},
            "selection": "per digit: the candidate with the highest validation AUROC (first on a tie)",
        },
    }


def search_frames(x_all: np.ndarray, labels: np.ndarray, fit_for: np.ndarray, val_rows: np.ndarray):
    """The fit and validation images in H2O (``fit_for``: the digit of each fit image,
    ``val``: 1 for a validation image), and the validation pixels, in the numpy order."""
    from one_class_mnist import to_h2o

    from aebook.mnist import PIXELS

    is_val = np.isin(np.arange(len(labels)), val_rows)
    frame = to_h2o("train", x_all, np.flatnonzero((fit_for >= 0) | is_val),
                   {"fit_for": fit_for, "val": is_val.astype(int), "label": labels})
    h2o_labels = frame[frame["val"] == 1, "label"].as_data_frame()["label"].to_numpy()
    if not np.array_equal(h2o_labels, labels[val_rows]):
        raise RuntimeError("the H2O validation rows differ from the numpy validation rows")
    return frame, frame[frame["val"] == 1, PIXELS]


def print_choices(chosen: dict) -> None:
    for method, choice in chosen.items():
        per_digit = " ".join(f"{d}:{c['candidate']}" for d, c in choice["per_digit"].items())
        print(f"{method}: best overall {choice['overall']['candidate']} "
              f"(mean validation AUROC {choice['overall']['mean_auroc']:.4f}); per digit {per_digit}; "
              f"mean of the per-digit best {choice['per_digit_mean_auroc']:.4f}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = arguments.run_settings(args, FULL, QUICK)
    digits = settings["digits"]
    load_start = os.getloadavg()
    started = time.perf_counter()

    import h2o

    from aebook import h2o_session
    from aebook.mnist import PIXELS, load_mnist
    from aebook.results_files import h2o_versions

    print(f"one-class MNIST search ({'quick' if args.quick else 'full'}): digits {digits}", flush=True)
    images, labels = load_mnist("train")  # the test split is never loaded
    x_all = images.reshape(len(images), -1)
    fit_for, val_rows = search_rows(labels, digits, settings["fit_per_digit"], settings["validation_rows"])
    x_val, y_val = x_all[val_rows] / 255.0, labels[val_rows]
    results = header(args, settings, argv, fit_for, y_val)
    search = Search(y_val)
    with h2o_session(max_mem_size=args.max_mem_size, progress=False):
        frame, val_frame = search_frames(x_all, labels, fit_for, val_rows)
        for d in digits:
            fit_frame = frame[frame["fit_for"] == d, PIXELS]
            print(f"digit {d}: {fit_frame.nrows} fit images, {len(y_val)} validation images", flush=True)
            search.baselines(d, x_all[fit_for == d] / 255.0, x_val)
            search.autoencoders(d, fit_frame, val_frame, settings["max_epochs"])
            h2o.remove(fit_frame)
        members = search.ensemble(digits)
        versions = h2o_versions()
    results["candidates"] = {"h2o_autoencoder": {**search.ae_candidates, ENSEMBLE: {"members": members}},
                             **CANDIDATES}
    results["runs"] = search.runs
    results.update(run_environment(load_start, versions))
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["chosen"] = choose_settings(results["runs"], list(results["candidates"]))
    print_choices(results["chosen"])
    write_search_results(results, args.out)
    print(f"wrote {args.out.name} ({results['total_seconds']:.0f} s in total)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
