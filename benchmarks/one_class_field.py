"""One-class MNIST against the field: the detectors a Python user would pick instead.

The protocol of ``one_class_mnist.py`` (train on the training images of one digit,
score the 10,000 test images, every other digit is anomalous), with PyOD's classical
detectors (kNN, LOF, OCSVM, ECOD, COPOD, HBOS; ``aebook.detectors``) beside the H2O
autoencoder, PCA and Isolation Forest, in one run:

1. **Validation.** Each peer's candidates (``aebook.detectors.CANDIDATES``, at most 8
   each, the autoencoder's budget) are fitted on the same fit images and scored on the
   same validation images as in ``one_class_mnist_search.py`` (the training split
   only); each digit gets its best candidate. The autoencoder, PCA and Isolation
   Forest keep the settings that search chose (``--search``).
2. **Test.** Every method trains its chosen setting on all training images of the
   digit (seed 1) and scores the test images, in turns, digit by digit: AUROC, AP,
   the share of anomalies found when 1 % of the normal digits are flagged, the fit
   and scoring seconds; per digit, stratified bootstrap intervals (2,000 draws, the
   same draws for every method) of each AUROC and of the autoencoder's AUROC minus
   each other method's, at 95 % and at the Bonferroni level for the digits together.

Usage::

    python benchmarks/one_class_field.py --out benchmarks/results/one_class_field.json
    python benchmarks/one_class_field.py --quick --out /tmp/field.json   # smoke test
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import benchmark_arguments as arguments
import numpy as np

from aebook.one_class_mnist_results import choose_settings
from aebook.results_files import run_environment, run_header

DESCRIPTION = ("One-class MNIST: PyOD's classical detectors against the H2O autoencoder, PCA and Isolation Forest, "
               "each with settings chosen on validation data, in one run.")
QUICK_HELP = "digits 0 1, small fit, validation and test sets, at most 1 epoch"
SCRIPT = "benchmarks/one_class_field.py"
BENCHMARK = "one-class MNIST against the field"
SCHEMA_VERSION = 1
SEED = 1
REFERENCE = "h2o_autoencoder"
FROM_SEARCH = ("h2o_autoencoder", "pca", "isolation_forest")
# H2O's in-cluster PCA (GramSVD on the demeaned pixels), the same candidates as sklearn's;
# the error is what the components leave: |x - mean|^2 - |projection|^2
H2O_PCA = {f"k{k}": {"k": k} for k in (8, 16, 24, 32, 48, 64, 96, 128)}
FPR = 0.01
FULL = {"digits": list(range(10)), "fit_per_digit": 1000, "validation_rows": 3000, "train_per_digit": None,
        "n_test": None, "max_epochs": None, "bootstrap_rounds": 2000}
QUICK = {"digits": [0, 1], "fit_per_digit": 300, "validation_rows": 1000, "train_per_digit": 300,
         "n_test": 1000, "max_epochs": 1, "bootstrap_rounds": 2000}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.benchmark_parser("one_class_field", DESCRIPTION, QUICK_HELP)
    arguments.add_digits(parser, "digits 0-9 (default: all ten)")
    arguments.add_out(parser)
    arguments.add_search(parser, "the autoencoder's, PCA's and Isolation Forest's chosen settings")
    arguments.add_max_mem_size(parser)
    args = parser.parse_args(argv)
    arguments.check_arguments(parser, args)
    args.settings = arguments.run_settings(args, FULL, QUICK)
    args.search_results = arguments.read_search(parser, args, args.settings["digits"])
    return args


def h2o_pca_scores(params: dict, fit_frame, score_frame, x_fit: np.ndarray,
                   x_score: np.ndarray) -> tuple[np.ndarray, float, float]:
    """H2O's PCA fitted in the cluster on ``fit_frame``; the squared error its components
    leave on each row of ``score_frame`` (the same rows as ``x_score``), and the seconds."""
    import h2o
    from h2o.estimators import H2OPrincipalComponentAnalysisEstimator

    t = time.perf_counter()
    model = H2OPrincipalComponentAnalysisEstimator(**params, transform="DEMEAN", pca_method="GramSVD",
                                                   seed=SEED)
    model.train(training_frame=fit_frame)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    projection = model.predict(score_frame)
    kept = (projection.as_data_frame().to_numpy() ** 2).sum(axis=1)
    errors = ((x_score - x_fit.mean(axis=0)) ** 2).sum(axis=1) - kept
    h2o.remove(projection)
    h2o.remove(model)
    return errors, fit_s, time.perf_counter() - t


def glrm_check(k: int, fit_frame, val_frame, y_val: np.ndarray, digit: int) -> dict:
    """One GLRM (quadratic loss: the low-rank model of PCA, fitted iteratively) of rank ``k``
    on one digit's fit images: its validation AUROC and seconds."""
    import h2o
    from h2o.estimators import H2OGeneralizedLowRankEstimator
    from sklearn.metrics import roc_auc_score

    t = time.perf_counter()
    model = H2OGeneralizedLowRankEstimator(k=k, loss="Quadratic", transform="NONE", init="SVD",
                                           max_iterations=100, ignore_const_cols=False, seed=SEED)
    model.train(training_frame=fit_frame)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    rebuilt = model.reconstruct(val_frame, reverse_transform=True)
    rebuilt.columns = val_frame.columns
    errors = ((val_frame - rebuilt) ** 2).sum(axis=1, return_frame=True).as_data_frame().to_numpy().ravel()
    score_s = time.perf_counter() - t
    h2o.remove(rebuilt)
    h2o.remove(model)
    return {"digit": digit, "k": k, "max_iterations": 100, "auroc": float(roc_auc_score(y_val != digit, errors)),
            "fit_seconds": round(fit_s, 3), "score_seconds": round(score_s, 3)}


def validation_search(settings: dict, x_all: np.ndarray, labels: np.ndarray) -> tuple[list[dict], dict]:
    """Every peer candidate, and H2O's PCA, on the search's fit and validation images;
    the runs and the choices, and one GLRM beside H2O's PCA."""
    import h2o
    from one_class_mnist import to_h2o
    from one_class_mnist_search import search_rows
    from sklearn.metrics import roc_auc_score

    from aebook.detectors import CANDIDATES, PEERS, peer_scores
    from aebook.mnist import PIXELS

    fit_for, val_rows = search_rows(labels, settings["digits"], settings["fit_per_digit"],
                                    settings["validation_rows"])
    x_val, y_val = x_all[val_rows] / 255.0, labels[val_rows]
    is_val = np.isin(np.arange(len(labels)), val_rows)
    frame = to_h2o("train", x_all, np.flatnonzero((fit_for >= 0) | is_val),
                   {"fit_for": fit_for, "val": is_val.astype(int)})
    val_frame = frame[frame["val"] == 1, PIXELS]
    runs, glrm = [], None
    for d in settings["digits"]:
        x_fit = x_all[fit_for == d] / 255.0
        fit_frame = frame[frame["fit_for"] == d, PIXELS]
        tries = [(m, n, lambda m=m, p=p, x_fit=x_fit: peer_scores(m, p, x_fit, x_val))
                 for m in PEERS for n, p in CANDIDATES[m].items()]
        tries += [("h2o_pca", n, lambda p=p, fit_frame=fit_frame, x_fit=x_fit: h2o_pca_scores(
                      p, fit_frame, val_frame, x_fit, x_val))
                  for n, p in H2O_PCA.items()]
        for method, name, run in tries:
            scores, fit_s, score_s = run()
            runs.append({"method": method, "candidate": name, "digit": d,
                         "auroc": float(roc_auc_score(y_val != d, scores)),
                         "fit_seconds": round(fit_s, 3), "score_seconds": round(score_s, 3)})
        if glrm is None:
            glrm = glrm_check(16, fit_frame, val_frame, y_val, d)
        h2o.remove(fit_frame)
        best = {m: max(r["auroc"] for r in runs if r["digit"] == d and r["method"] == m) for m in (*PEERS, "h2o_pca")}
        print(f"validation, digit {d}: " + ", ".join(f"{m} {a:.4f}" for m, a in best.items()), flush=True)
    h2o.remove(frame)
    protocol = {"fit_images_per_digit": {str(d): int((fit_for == d).sum()) for d in settings["digits"]},
                "validation_images": len(val_rows)}
    return runs, {"protocol": protocol, "chosen": choose_settings(runs, [*PEERS, "h2o_pca"]), "glrm": glrm}


def chosen_per_digit(search: dict, peers: dict, digits: list[int], max_epochs: int | None) -> dict:
    """Per method and digit: the chosen setting's name and parameters (the search's methods
    as ``one_class_mnist.py`` trains them, an ensemble with its members)."""
    from one_class_mnist import chosen_settings

    from aebook.detectors import CANDIDATES

    chosen = chosen_settings(search, digits, max_epochs)
    for method, choice in peers.items():
        options = H2O_PCA if method == "h2o_pca" else CANDIDATES[method]
        chosen[method] = {str(d): {"setting": c["candidate"], "params": options[c["candidate"]]}
                          for d, c in choice["per_digit"].items()}
    return chosen


def score_digit(d: int, chosen: dict, x_train: np.ndarray, x_test: np.ndarray,
                frames: tuple) -> tuple[dict[str, np.ndarray], dict[str, tuple[float, float]]]:
    """Each method's test scores for digit ``d``, and its fit and scoring seconds, in turns."""
    from one_class_mnist import baseline_scores, ensemble_scores

    from aebook.detectors import PEERS, peer_scores

    train_frame, test_frame = frames
    scores, seconds = {}, {}
    mse, fit_s, score_s = ensemble_scores(chosen[REFERENCE][str(d)]["params"], SEED, train_frame, test_frame)
    scores[REFERENCE], seconds[REFERENCE] = mse, (fit_s, score_s)
    scores["h2o_pca"], *timing = h2o_pca_scores(chosen["h2o_pca"][str(d)]["params"], train_frame, test_frame,
                                                x_train, x_test)
    seconds["h2o_pca"] = tuple(timing)
    for method in ("pca", "isolation_forest"):
        scores[method], *timing = baseline_scores(method, chosen[method][str(d)]["params"], SEED, x_train, x_test)
        seconds[method] = tuple(timing)
    for method in PEERS:
        scores[method], *timing = peer_scores(method, chosen[method][str(d)]["params"], x_train, x_test)
        seconds[method] = tuple(timing)
    return scores, seconds


def summarize(runs: list[dict], methods: list[str]) -> dict:
    """Per method: the means over digits, the total seconds and the time as a ratio to the autoencoder's."""
    total = {m: sum(r["fit_seconds"] + r["score_seconds"] for r in runs if r["method"] == m) for m in methods}
    summary = {}
    for m in methods:
        mine = [r for r in runs if r["method"] == m]
        summary[m] = {"mean_auroc": float(np.mean([r["auroc"] for r in mine])),
                      "mean_ap": float(np.mean([r["ap"] for r in mine])),
                      "mean_tpr_at_fpr": float(np.mean([r["tpr_at_fpr"] for r in mine])),
                      "fit_seconds_total": round(sum(r["fit_seconds"] for r in mine), 3),
                      "score_seconds_total": round(sum(r["score_seconds"] for r in mine), 3),
                      "time_ratio_to_autoencoder": total[m] / total[REFERENCE]}
    return summary


def test_table(args: argparse.Namespace, chosen: dict, results: dict) -> None:
    """The test runs, intervals and differences of every method, digit by digit."""
    import h2o
    from one_class_mnist import protocol_rows, to_h2o
    from sklearn.metrics import average_precision_score, roc_auc_score

    from aebook.evaluation import bootstrap_auroc_differences, bootstrap_aurocs, tpr_at_fpr
    from aebook.mnist import PIXELS, load_mnist

    settings, digits = args.settings, args.settings["digits"]
    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    train_x, test_x = train_images.reshape(len(train_images), -1), test_images.reshape(len(test_images), -1)
    # the subsets of the quick mode, as in one_class_mnist.py
    pick, rows = protocol_rows(settings, train_labels, test_labels, np.random.default_rng(0))
    x_test, y_test = test_x[rows] / 255.0, test_labels[rows]
    train = to_h2o("train", train_x, np.flatnonzero(pick >= 0), {"pick": pick})
    test_frame = to_h2o("test", test_x, rows, {"label": test_labels})[PIXELS]
    results["protocol"]["train_images_per_digit"] = {str(d): int((pick == d).sum()) for d in digits}
    results["protocol"]["test_images"] = len(rows)
    others = [m for m in chosen if m != REFERENCE]
    for d in digits:
        train_frame = train[train["pick"] == d, PIXELS]
        scores, seconds = score_digit(d, chosen, train_x[pick == d] / 255.0, x_test, (train_frame, test_frame))
        h2o.remove(train_frame)
        anomalous = (y_test != d).astype(int)
        for m in chosen:
            results["runs"].append({
                "method": m, "digit": d, "setting": chosen[m][str(d)]["setting"],
                "auroc": float(roc_auc_score(anomalous, scores[m])),
                "ap": float(average_precision_score(anomalous, scores[m])),
                "tpr_at_fpr": tpr_at_fpr(anomalous, scores[m], FPR),
                "fit_seconds": round(seconds[m][0], 3), "score_seconds": round(seconds[m][1], 3)})
        options = {"rounds": settings["bootstrap_rounds"], "seed": d, "family": len(digits)}
        results["intervals"][str(d)] = bootstrap_aurocs(anomalous, scores, **options)
        results["bootstrap"][str(d)] = bootstrap_auroc_differences(
            anomalous, scores, [(REFERENCE, m) for m in others], **options)
        print(f"test, digit {d}: " + ", ".join(f"{r['method']} {r['auroc']:.4f}" for r in results["runs"]
                                              if r["digit"] == d), flush=True)


def header(args: argparse.Namespace, argv: list[str] | None, peer_search: dict, val_runs: list[dict],
           chosen: dict) -> dict:
    """The results file before the test runs: what ran, the protocol, every candidate and choice."""
    from aebook.detectors import CANDIDATES, PEERS

    settings, search = args.settings, args.search_results
    budget = {m: search["protocol"]["budget_per_method"][m] for m in FROM_SEARCH}
    return {
        **run_header(BENCHMARK, SCHEMA_VERSION, SCRIPT, args.quick, argv),
        "search": {"path": str(args.search), "created_utc": search.get("created_utc"), "mode": search["mode"]},
        "protocol": {"digits": settings["digits"], "seed": SEED, "fpr": FPR,
                     "bootstrap_rounds": settings["bootstrap_rounds"], "max_epochs": settings["max_epochs"],
                     "validation": peer_search["protocol"],
                     "budget_per_method": {**budget, **{m: len(CANDIDATES[m]) for m in PEERS},
                                           "h2o_pca": len(H2O_PCA)}},
        "candidates": {**{m: CANDIDATES[m] for m in PEERS}, "h2o_pca": H2O_PCA},
        "validation_runs": val_runs,
        "glrm_check": peer_search["glrm"],
        "chosen": {m: {d: c["setting"] for d, c in per_digit.items()} for m, per_digit in chosen.items()},
        "validation_mean_auroc": {**{m: search["chosen"][m]["per_digit_mean_auroc"] for m in FROM_SEARCH},
                                  **{m: c["per_digit_mean_auroc"] for m, c in peer_search["chosen"].items()}},
        "runs": [], "intervals": {}, "bootstrap": {},
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = args.settings
    load_start = os.getloadavg()
    started = time.perf_counter()

    import pyod

    from aebook import h2o_session
    from aebook.field_results import write_field_results
    from aebook.mnist import load_mnist
    from aebook.results_files import h2o_versions

    print(f"one-class MNIST against the field ({'quick' if args.quick else 'full'}): digits {settings['digits']}",
          flush=True)
    images, labels = load_mnist("train")  # the validation search reads the training split only
    with h2o_session(max_mem_size=args.max_mem_size, progress=False):
        val_runs, peer_search = validation_search(settings, images.reshape(len(images), -1), labels)
        chosen = chosen_per_digit(args.search_results, peer_search["chosen"], settings["digits"],
                                  settings["max_epochs"])
        results = header(args, argv, peer_search, val_runs, chosen)
        test_table(args, chosen, results)
        versions = h2o_versions(pyod=pyod.__version__)
    results.update(run_environment(load_start, versions))
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["summary"] = summarize(results["runs"], list(chosen))
    for m, s in sorted(results["summary"].items(), key=lambda kv: -kv[1]["mean_auroc"]):
        print(f"{m:18s} mean AUROC {s['mean_auroc']:.4f}  TPR@{FPR:.0%} {s['mean_tpr_at_fpr']:.3f}  "
              f"time x{s['time_ratio_to_autoencoder']:.3f} of the autoencoder's")
    write_field_results(results, args.out)
    print(f"wrote {args.out} ({results['total_seconds']:.0f} s in total)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
