"""One-class MNIST: the final table, with every method's settings chosen on validation data.

Quality (the protocol of the novelty-detection literature, e.g. Ruff et al., 2018):
for each digit d, train on all training images of d, score the 10,000 test images, and
treat every other digit as anomalous (the positive class). Each method uses, for each
digit, the setting that ``one_class_mnist_search.py`` chose on validation images from
the training split (``--search``, default the committed search results); the test
images are used here only, once. Methods, on the same rows and scaling (pixels / 255):

- the H2O autoencoder (reconstruction MSE), with its validated settings, and H2O's
  classic MNIST settings (50 Tanh units, 1 epoch, H2O's defaults) as a reference;
- PCA reconstruction error (sklearn), with its validated number of components;
- Isolation Forest (sklearn), with its validated sample size and number of trees.

Per digit the file keeps AUROC and AP per seed, paired bootstrap intervals (2,000 draws)
of the AUROC differences (autoencoder minus PCA, autoencoder minus Isolation Forest) over
the test images, at 95 % and at the Bonferroni level for all digits read together, and
compact ROC and precision-recall curves of the first seed.

Speed: the classic configuration and the validated configuration chosen most often are
trained for exactly one epoch on 10,000 training images, with H2O's default
iteration schedule and with one iteration per epoch (``train_samples_per_iteration=0``,
``stopping_rounds=0``), each with ``reproducible=False`` (all cores) and ``True`` (one
thread). The scoring history of every speed run is kept, so that the epochs, samples
and iterations behind each throughput can be checked.

Usage::

    python benchmarks/one_class_mnist.py                  # the full run (see README.md)
    python benchmarks/one_class_mnist.py --quick          # a smoke test for CI
    python benchmarks/one_class_mnist.py --digits 0 1 --seeds 1 --out /tmp/x.json

The figures are written as JSON (default ``benchmarks/out/one_class_mnist.json``,
git-ignored); the committed copy of a full run is ``benchmarks/results/one_class_mnist.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchmark_arguments as arguments
import numpy as np

from aebook.one_class_mnist_results import BENCHMARK, SCHEMA_VERSION, summarize, write_results
from aebook.results_files import run_header
from aebook.scoring_history import history_rows

DESCRIPTION = ("One-class MNIST benchmark: H2O autoencoder vs PCA and Isolation Forest, each with its settings chosen "
               "on validation data (quality and speed).")
QUICK_HELP = ("digits 0 1, seeds 1 2, 300 training images per digit, 1,000 test images, 1,000 images for the speed "
              "runs, at most 1 epoch")
SCRIPT = "benchmarks/one_class_mnist.py"

# H2O's classic MNIST anomaly example: 50 Tanh units, 1 epoch, H2O's defaults (inputs
# standardized, constant columns dropped). A reference, not tuned: first seed only.
CLASSIC = {"hidden": [50], "activation": "Tanh", "epochs": 1}
SPEED_EPOCHS = 1
# Deep SVDD (one-class), Ruff et al. (2018), Table 1: the ten per-digit AUROCs (in %).
# Their preprocessing differs (global contrast normalization, min-max scaling): a
# reference point from the literature, not a result of this run.
DEEP_SVDD = [98.0, 99.7, 91.7, 91.9, 94.9, 88.5, 98.3, 94.6, 93.9, 96.5]
LITERATURE = {"method": "Deep SVDD (one-class)", "citation": "ruff2018",
              "per_digit_auroc": [round(v / 100, 3) for v in DEEP_SVDD],
              "mean_auroc": round(sum(DEEP_SVDD) / 1000, 4),
              "note": "reported by Ruff et al. (2018), Table 1, not measured here; different preprocessing"}
BOOTSTRAP_PAIRS = [("h2o_autoencoder", "pca"), ("h2o_autoencoder", "isolation_forest")]

FULL = {"digits": list(range(10)), "seeds": [1, 2, 3], "train_per_digit": None, "n_test": None,
        "speed_rows": 10000, "max_epochs": None, "bootstrap_rounds": 2000}
QUICK = {"digits": [0, 1], "seeds": [1, 2], "train_per_digit": 300, "n_test": 1000,
         "speed_rows": 1000, "max_epochs": 1, "bootstrap_rounds": 2000}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.benchmark_parser("one_class_mnist", DESCRIPTION, QUICK_HELP)
    arguments.add_digits(parser, "digits to use as the normal class, each 0-9 (default: all ten; quick: 0 1)")
    parser.add_argument("--seeds", type=int, nargs="+", metavar="S",
                        help="random seeds, each >= 0 (default: 1 2 3; quick: 1 2)")
    arguments.add_out(parser)
    parser.add_argument("--ae-seeds", type=int, nargs="+", metavar="S",
                        help="seeds of the validated autoencoder, a subset of --seeds (default: all of them)")
    arguments.add_search(parser, "the settings chosen on validation data, from one_class_mnist_search.py")
    arguments.add_max_mem_size(parser)
    args = parser.parse_args(argv)
    arguments.check_arguments(parser, args)
    if args.seeds is not None:
        if any(s < 0 for s in args.seeds):
            parser.error(f"--seeds: seeds must be >= 0, got {args.seeds}")
        if len(set(args.seeds)) != len(args.seeds):
            parser.error(f"--seeds: each seed at most once, got {args.seeds}")
    settings = arguments.run_settings(args, FULL, QUICK, ("digits", "seeds"))
    if args.ae_seeds is not None and (not set(args.ae_seeds) <= set(settings["seeds"])
                                      or len(set(args.ae_seeds)) != len(args.ae_seeds)):
            parser.error(f"--ae-seeds: each at most once and among the seeds {settings['seeds']}, "
                         f"got {args.ae_seeds}")
    settings["ae_seeds"] = [s for s in settings["seeds"] if args.ae_seeds is None or s in args.ae_seeds]
    args.settings = settings
    args.search_results = arguments.read_search(parser, args, settings["digits"])
    return args


def java_version() -> str:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60)
    first = (out.stderr or out.stdout).splitlines()
    return first[0].strip() if first else "unknown"


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


def autoencoder_scores(params: dict, seed: int, train_frame, test_frame) -> tuple[np.ndarray, float, float]:
    """Train an H2O autoencoder with ``params`` (one thread, ``reproducible=True``) on
    ``train_frame``; its reconstruction MSE of each row of ``test_frame``, and the fit
    and scoring seconds."""
    import h2o
    from h2o.estimators import H2OAutoEncoderEstimator

    model = H2OAutoEncoderEstimator(**params, reproducible=True, seed=seed)
    t = time.perf_counter()
    model.train(training_frame=train_frame)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    mse_frame = model.anomaly(test_frame)
    mse = mse_frame.as_data_frame()["Reconstruction.MSE"].to_numpy()
    score_s = time.perf_counter() - t
    h2o.remove(mse_frame)
    h2o.remove(model)
    return mse, fit_s, score_s


def chosen_settings(search: dict, digits: list[int], max_epochs: int | None) -> dict[str, dict[str, dict]]:
    """Per method and digit: the name and the parameters of the setting chosen on validation."""
    chosen: dict[str, dict[str, dict]] = {}
    for method, per_method in search["chosen"].items():
        chosen[method] = {}
        for d in digits:
            name = per_method["per_digit"][str(d)]["candidate"]
            params = dict(search["candidates"][method][name])
            if method == "h2o_autoencoder" and "members" in params:  # an ensemble: its members' settings
                params = {"members": {m: capped_epochs(search["candidates"][method][m], max_epochs)
                                      for m in params["members"]}}
            elif method == "h2o_autoencoder":
                params = capped_epochs(params, max_epochs)
            chosen[method][str(d)] = {"setting": name, "params": params}
    return chosen


def capped_epochs(params: dict, max_epochs: int | None) -> dict:
    """An autoencoder's settings with at most ``max_epochs`` epochs (None: as they are)."""
    return params if max_epochs is None else {**params, "epochs": min(params["epochs"], max_epochs)}


def ensemble_scores(params: dict, seed: int, train_frame, test_frame) -> tuple[np.ndarray, float, float]:
    """A single autoencoder's scores (:func:`autoencoder_scores`), or for an ensemble
    (``params["members"]``) the mean of its members' rank-normalised errors, with the
    members' summed fit and scoring seconds."""
    from aebook.evaluation import rank_mean

    if "members" not in params:
        return autoencoder_scores(params, seed, train_frame, test_frame)
    runs = [autoencoder_scores(p, seed, train_frame, test_frame) for p in params["members"].values()]
    return rank_mean([r[0] for r in runs]), sum(r[1] for r in runs), sum(r[2] for r in runs)


def most_common(per_digit: dict[str, dict], order: list[str]) -> str:
    """The single autoencoder chosen for the most digits (the earlier candidate on a tie);
    an ensemble counts for its first member."""
    names = [next(iter(v["params"]["members"])) if "members" in v["params"] else v["setting"]
             for v in per_digit.values()]
    return max(order, key=lambda n: (names.count(n), -order.index(n)))


def baseline_scores(method: str, params: dict, seed: int, x_fit: np.ndarray,
                    x_score: np.ndarray) -> tuple[np.ndarray, float, float]:
    """A baseline (``"pca"`` or ``"isolation_forest"``, sklearn) fitted with ``params`` and
    ``seed`` on ``x_fit``: its score of each row of ``x_score`` (PCA: the squared
    reconstruction error; Isolation Forest: minus ``score_samples``), and the fit and
    scoring seconds."""
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest

    t = time.perf_counter()
    if method == "pca":
        model = PCA(**params, svd_solver="randomized", random_state=seed).fit(x_fit)
    else:
        model = IsolationForest(**params, random_state=seed, n_jobs=1).fit(x_fit)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    if method == "pca":
        scores = ((x_score - model.inverse_transform(model.transform(x_score))) ** 2).sum(axis=1)
    else:
        scores = -model.score_samples(x_score)
    return scores, fit_s, time.perf_counter() - t


def protocol_rows(settings: dict, train_labels: np.ndarray, test_labels: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the test protocol: for each training image the digit whose one-class
    training set it is in (or -1), and the test rows (all of them, but in quick mode)."""
    pick = np.full(len(train_labels), -1)
    for d in settings["digits"]:
        pick[select(settings["train_per_digit"], np.flatnonzero(train_labels == d), rng)] = d
    return pick, select(settings["n_test"], np.arange(len(test_labels)), rng)


# ---- the run, step by step ---------------------------------------------------------------


def load_data(settings: dict) -> dict:
    """The images in numpy (for sklearn): pixels and labels, and the rows of each part of the run."""
    from aebook.mnist import load_mnist

    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    test_x = test_images.reshape(len(test_images), -1)
    rng = np.random.default_rng(0)  # the data subsets (quick mode) do not depend on the seeds
    pick, test_rows = protocol_rows(settings, train_labels, test_labels, rng)
    return {"train_x": train_images.reshape(len(train_images), -1), "train_labels": train_labels,
            "test_x": test_x, "test_labels": test_labels, "pick": pick, "test_rows": test_rows,
            "speed_rows": select(settings["speed_rows"], np.arange(len(train_labels)), rng),
            "x_test": test_x[test_rows] / 255.0, "y_test": test_labels[test_rows]}


def header(args: argparse.Namespace, argv: list[str] | None, chosen: dict, data: dict) -> dict:
    """The results file before the runs: what ran, the protocol and every method's settings."""
    settings, search = args.settings, args.search_results
    digits, pick, y_test = settings["digits"], data["pick"], data["y_test"]
    return {
        **run_header(BENCHMARK, SCHEMA_VERSION, SCRIPT, args.quick, argv),
        "search": {"path": str(args.search), "created_utc": search.get("created_utc"),
                   "mode": search.get("mode"), "budget_per_method": search["protocol"]["budget_per_method"]},
        "protocol": {
            "description": "for each digit d: train on the training images of d only, score the test images, "
                           "every other digit is anomalous (the positive class); scaling pixels/255; each "
                           "method's setting per digit chosen on validation data from the training split",
            "digits": digits,
            "seeds": settings["seeds"],
            "train_images_per_digit": {str(d): int((pick == d).sum()) for d in digits},
            "test_images": len(data["test_rows"]),
            "anomalous_fraction_per_digit": {str(d): float(np.mean(y_test != d)) for d in digits},
            "speed_training_images": len(data["speed_rows"]),
            "max_epochs": settings["max_epochs"],
            "speed_epochs": SPEED_EPOCHS,
            "bootstrap_rounds": settings["bootstrap_rounds"],
            "score": "AE: H2O reconstruction MSE; PCA: squared reconstruction error; "
                     "Isolation Forest: minus score_samples",
        },
        "methods": {
            "h2o_autoencoder": {"main_config": "validated", "configs": {
                "validated": {"label": "H2O autoencoder, settings chosen per digit on validation",
                              **validated(chosen["h2o_autoencoder"]), "quality_seeds": settings["ae_seeds"]},
                "classic": {"label": "classic: 50 Tanh, 1 epoch, H2O defaults",
                            "params_per_digit": {str(d): dict(CLASSIC) for d in digits},
                            "quality_seeds": settings["seeds"][:1]},
            }},
            "pca": {"label": "PCA reconstruction error, components chosen per digit on validation",
                    **validated(chosen["pca"])},
            "isolation_forest": {"label": "Isolation Forest, sample size and trees chosen per digit on validation",
                                 **validated(chosen["isolation_forest"])},
        },
        "literature": LITERATURE,
        "runs": [],
        "bootstrap": {},
        "curves": {},
        "speed": [],
    }


def validated(per_digit: dict[str, dict]) -> dict:
    """A method's ``settings_per_digit`` and ``params_per_digit``, from its chosen settings."""
    return {"settings_per_digit": {d: v["setting"] for d, v in per_digit.items()},
            "params_per_digit": {d: v["params"] for d, v in per_digit.items()}}


def h2o_frames(data: dict, results: dict) -> dict:
    """The rows of the run in H2O, the same rows in the same order as in numpy: the training
    images (``pick``: the digit of each, ``speed``: 1 in the speed set) and the test images."""
    from aebook.mnist import PIXELS

    t0 = time.perf_counter()
    is_speed = np.isin(np.arange(len(data["train_labels"])), data["speed_rows"])
    train_needed = np.flatnonzero((data["pick"] >= 0) | is_speed)
    frames = {
        "train": to_h2o("train", data["train_x"], train_needed, {"pick": data["pick"], "speed": is_speed.astype(int)}),
        "test": to_h2o("test", data["test_x"], data["test_rows"], {"label": data["test_labels"]}),
    }
    frames["test_pixels"] = frames["test"][PIXELS]
    h2o_test_labels = frames["test"]["label"].as_data_frame()["label"].to_numpy()
    if not np.array_equal(h2o_test_labels, data["y_test"]):
        raise RuntimeError("the H2O test frame's rows differ from the numpy test rows")
    to_h2o_s = time.perf_counter() - t0
    results["data_to_h2o_seconds"] = round(to_h2o_s, 2)
    print(f"data to H2O (import the prepared files, scale, select): {to_h2o_s:.1f} s", flush=True)
    return frames


class QualityRuns:
    """Quality: the one-class protocol, each method with its validated setting, digit by digit;
    the runs, intervals and curves go into ``results`` as they come."""

    def __init__(self, results: dict, data: dict, frames: dict, settings: dict) -> None:
        self.results, self.data, self.frames, self.settings = results, data, frames, settings

    def record(self, method: str, config: str | None, digit: int, seed: int, setting: str, scores: np.ndarray,
               fit_s: float, score_s: float) -> None:
        from sklearn.metrics import average_precision_score, roc_auc_score

        anomalous = (self.data["y_test"] != digit).astype(int)
        run = {"method": method, "config": config, "digit": digit, "seed": seed, "setting": setting,
               "auroc": float(roc_auc_score(anomalous, scores)),
               "ap": float(average_precision_score(anomalous, scores)),
               "fit_seconds": round(fit_s, 3), "score_seconds": round(score_s, 3)}
        self.results["runs"].append(run)
        name = method if config is None else f"{method}[{config}]"
        print(f"  digit {digit} seed {seed} {name:32s} {setting:16s} AUROC {run['auroc']:.4f}  AP {run['ap']:.4f}  "
              f"fit {fit_s:6.1f} s", flush=True)

    def digit(self, d: int, chosen: dict) -> None:
        """Every method on digit ``d`` with each seed (the classic configuration: the first only)."""
        import h2o

        from aebook.mnist import PIXELS

        x_train, x_test = self.data["train_x"][self.data["pick"] == d] / 255.0, self.data["x_test"]
        train_frame = self.frames["train"][self.frames["train"]["pick"] == d, PIXELS]
        if train_frame.nrows != len(x_train):
            raise RuntimeError(f"digit {d}: {train_frame.nrows} rows in H2O, {len(x_train)} in numpy")
        print(f"digit {d}: {len(x_train)} training images, {len(x_test)} test images", flush=True)
        mine = {m: chosen[m][str(d)] for m in chosen}
        scores: dict[str, list[np.ndarray]] = {m: [] for m in chosen}
        test_frame, seeds = self.frames["test_pixels"], self.settings["seeds"]
        for seed in seeds:
            for method in ("pca", "isolation_forest"):
                run = baseline_scores(method, mine[method]["params"], seed, x_train, x_test)
                self.record(method, None, d, seed, mine[method]["setting"], *run)
                scores[method].append(run[0])
            if seed in self.settings["ae_seeds"]:
                run = ensemble_scores(mine["h2o_autoencoder"]["params"], seed, train_frame, test_frame)
                self.record("h2o_autoencoder", "validated", d, seed, mine["h2o_autoencoder"]["setting"], *run)
                scores["h2o_autoencoder"].append(run[0])
            if seed == seeds[0]:
                classic = capped_epochs(CLASSIC, self.settings["max_epochs"])
                self.record("h2o_autoencoder", "classic", d, seed, "classic",
                            *autoencoder_scores(classic, seed, train_frame, test_frame))
        h2o.remove(train_frame)
        self.intervals_and_curves(d, scores)

    def intervals_and_curves(self, d: int, scores: dict[str, list[np.ndarray]]) -> None:
        """The paired bootstrap intervals of digit ``d``, and the curves of its first seed."""
        from aebook.evaluation import bootstrap_auroc_differences, pr_points, roc_points

        anomalous = (self.data["y_test"] != d).astype(int)
        t = time.perf_counter()
        bootstrap = self.results["bootstrap"][str(d)] = bootstrap_auroc_differences(
            anomalous, {m: np.vstack(v) for m, v in scores.items()}, BOOTSTRAP_PAIRS,
            rounds=self.settings["bootstrap_rounds"], seed=d, family=len(self.settings["digits"]))
        self.results["curves"][str(d)] = {m: {"roc": roc_points(anomalous, v[0]), "pr": pr_points(anomalous, v[0])}
                                          for m, v in scores.items()}
        print("  bootstrap " + "; ".join(f"{k}: {v['estimate']:+.4f} [{v['low']:+.4f}, {v['high']:+.4f}]"
                                         for k, v in bootstrap.items())
              + f" ({time.perf_counter() - t:.0f} s)", flush=True)


def speed_runs(frames: dict, chosen: dict, search: dict, h2o_cores: int) -> list[dict]:
    """Speed: exactly one epoch, two iteration schedules, one thread and all cores, for the
    classic configuration and the validated one chosen most often."""
    from aebook.mnist import PIXELS

    speed_frame = frames["train"][frames["train"]["speed"] == 1, PIXELS]
    candidates = search["candidates"]["h2o_autoencoder"]
    common = most_common(chosen["h2o_autoencoder"], list(candidates))
    one_iteration = {"train_samples_per_iteration": 0, "stopping_rounds": 0, "shuffle_training_data": True}
    runs = [("classic", CLASSIC, "H2O default", {}),
            ("classic", CLASSIC, "one iteration per epoch", one_iteration),
            (common, dict(candidates[common]), "one iteration per epoch", one_iteration)]
    print(f"speed runs on {speed_frame.nrows} training images, {SPEED_EPOCHS} epoch", flush=True)
    return [speed_run(speed_frame, config, {**base, **extra, "epochs": SPEED_EPOCHS}, schedule, reproducible,
                      h2o_cores)
            for config, base, schedule, extra in runs for reproducible in (False, True)]


def speed_run(frame, config: str, params: dict, schedule: str, reproducible: bool, h2o_cores: int) -> dict:
    """One speed run: the throughput of one training, with the scoring history behind it."""
    import h2o
    from h2o.estimators import H2OAutoEncoderEstimator

    model = H2OAutoEncoderEstimator(**params, reproducible=reproducible, seed=1)
    t = time.perf_counter()
    model.train(training_frame=frame)
    wall = time.perf_counter() - t
    history = history_rows(model)
    epochs, iterations, samples, duration = history[-1]
    speed = {"config": config, "params": params, "schedule": schedule, "reproducible": reproducible,
             "threads": 1 if reproducible else h2o_cores,
             "training_images": frame.nrows, "epochs": epochs, "iterations": iterations,
             "samples": samples, "training_seconds": duration,
             "samples_per_second": round(samples / duration, 1) if duration > 0 else None,
             "wall_seconds": round(wall, 3), "history": history,
             "actual_train_samples_per_iteration": model.actual_params.get("train_samples_per_iteration")}
    print(f"  {config:16s} {schedule:24s} reproducible={reproducible!s:5s} {epochs:.4f} epochs, "
          f"{iterations} iterations, {samples:>9,.0f} samples in {duration:6.1f} s: "
          f"{speed['samples_per_second'] or 0:>8,.0f} samples/s (wall {wall:.1f} s)", flush=True)
    h2o.remove(model)
    return speed


def machine_and_versions(h2o_cores: int) -> tuple[dict, dict]:
    """The ``machine`` and ``versions`` fields, asked of the running cluster."""
    import h2o
    import sklearn

    machine = {"cpu_count": os.cpu_count(), "h2o_cores": h2o_cores, "platform": platform.platform(),
               "processor": platform.machine()}
    versions = {"python": platform.python_version(), "h2o": h2o.__version__, "h2o_cluster": h2o.cluster().version,
                "sklearn": sklearn.__version__, "numpy": np.__version__, "java": java_version()}
    return machine, versions


def run_conditions(load_start: tuple[float, float, float]) -> dict:
    return {
        "loadavg_start": [round(x, 2) for x in load_start],
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "note": "os.getloadavg() (1, 5, 15 minutes) at start and end; a load above the core count means "
                "other processes competed for the CPU and the timings are inflated",
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = args.settings
    load_start = os.getloadavg()
    started = time.perf_counter()

    import warnings

    import h2o

    from aebook import h2o_session

    # H2O lists every constant pixel column it drops (classic settings): noise in a table
    warnings.filterwarnings("ignore", message="Dropping bad and constant columns")
    chosen = chosen_settings(args.search_results, settings["digits"], settings["max_epochs"])
    print(f"one-class MNIST benchmark ({'quick' if args.quick else 'full'}): digits {settings['digits']}, "
          f"seeds {settings['seeds']}", flush=True)
    for method, per_digit in chosen.items():
        print(f"  {method}: " + ", ".join(f"{d}: {v['setting']}" for d, v in per_digit.items()), flush=True)
    data = load_data(settings)
    results = header(args, argv, chosen, data)
    with h2o_session(max_mem_size=args.max_mem_size, progress=False):
        h2o_cores = int(h2o.cluster().nodes[0]["num_cpus"])
        frames = h2o_frames(data, results)
        quality = QualityRuns(results, data, frames, settings)
        for d in settings["digits"]:
            quality.digit(d, chosen)
        results["speed"] = speed_runs(frames, chosen, args.search_results, h2o_cores)
        results["machine"], results["versions"] = machine_and_versions(h2o_cores)
    total = time.perf_counter() - started
    results["run_conditions"] = run_conditions(load_start)
    results["total_seconds"] = round(total, 1)
    results["summary"] = summarize(results["runs"])
    print_table(results)
    write_results(results, args.out)  # written beside and renamed, then checked
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
        print(f"  {s['config']:16s} {s['schedule']:24s} reproducible={s['reproducible']!s:5s} "
              f"threads={s['threads']}  {s['epochs']:.4f} epochs  {s['samples_per_second'] or 0:>9,.0f} samples/s"
              f"  wall {s['wall_seconds']:7.1f} s")
    print(f"load average at start {results['run_conditions']['loadavg_start']}, "
          f"at end {results['run_conditions']['loadavg_end']}")


if __name__ == "__main__":
    sys.exit(main())
