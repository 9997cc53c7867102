"""The results files of the one-class MNIST benchmark: the final table and the validation search.

``benchmarks/one_class_mnist_search.py`` chooses every method's settings on validation
data and writes the search file (:func:`write_search_results`);
``benchmarks/one_class_mnist.py`` trains those settings on the test protocol and writes
the final table (:func:`write_results`); the evaluation chapter reads both
(:func:`load_results`, :func:`load_search_results`). The structure of each file (every
key the readers use, with its type and range) is its JSON Schema,
``benchmarks/schemas/one_class_mnist.schema.json`` and
``benchmarks/schemas/one_class_mnist_search.schema.json``; this module holds what needs
Python: the figures a file is made of (:func:`summarize`, :func:`choose_settings`) and
the checks that the file agrees with itself (every method ran on every digit and seed of
its protocol, the summary and the choices are the ones its runs give). Both go through
:class:`aebook.schemas.ResultsFile`: a problem is one sentence naming the file and the fix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .results_files import ResultsError
from .schemas import ResultsFile

__all__ = [
    "BENCHMARK",
    "SCHEMA_VERSION",
    "SEARCH_BENCHMARK",
    "SEARCH_SCHEMA_VERSION",
    "SEARCH_SCRIPT",
    "ResultsError",
    "check_results",
    "check_search_results",
    "choose_settings",
    "load_results",
    "load_search_results",
    "summarize",
    "write_results",
    "write_search_results",
]

BENCHMARK = "one-class MNIST"
SCHEMA_VERSION = 2
SEARCH_BENCHMARK = "one-class MNIST validation search"
SEARCH_SCHEMA_VERSION = 1
SEARCH_SCRIPT = "benchmarks/one_class_mnist_search.py"
BASELINES = ("pca", "isolation_forest")


def summarize(runs: list[dict]) -> dict:
    """Mean and spread over seeds per digit, and the mean over digits, for each method."""
    keys = sorted({(r["method"], r["config"] or "") for r in runs})
    summary = {}
    for method, config in keys:
        mine = [r for r in runs if r["method"] == method and (r["config"] or "") == config]
        name = method if not config else f"{method}[{config}]"
        per_digit = {}
        for d in sorted({r["digit"] for r in mine}):
            these = [r for r in mine if r["digit"] == d]
            per_digit[str(d)] = {
                m: {"mean": float(np.mean([r[m] for r in these])),
                    "std": float(np.std([r[m] for r in these], ddof=1)) if len(these) > 1 else 0.0}
                for m in ("auroc", "ap")
            }
        seeds = sorted({r["seed"] for r in mine})
        # mean over digits for each seed, then mean and spread of those over seeds
        over_digits = {m: [float(np.mean([r[m] for r in mine if r["seed"] == s])) for s in seeds]
                       for m in ("auroc", "ap")}
        summary[name] = {
            "method": method, "config": config or None, "seeds": seeds, "per_digit": per_digit,
            "mean_auroc": float(np.mean(over_digits["auroc"])),
            "std_auroc_over_seeds": float(np.std(over_digits["auroc"], ddof=1)) if len(seeds) > 1 else 0.0,
            "mean_ap": float(np.mean(over_digits["ap"])),
            "std_ap_over_seeds": float(np.std(over_digits["ap"], ddof=1)) if len(seeds) > 1 else 0.0,
            "fit_seconds_mean": float(np.mean([r["fit_seconds"] for r in mine])),
            "score_seconds_mean": float(np.mean([r["score_seconds"] for r in mine])),
            "fits": len(mine),
        }
    return summary


def choose_settings(runs: list[dict], methods: list[str]) -> dict:
    """Per method: the best candidate of each digit and the best one overall, on validation AUROC.

    Candidates are ranked in the order of their first run; a tie goes to the earlier one.
    """
    chosen = {}
    for method in methods:
        mine = [r for r in runs if r["method"] == method]
        order = list(dict.fromkeys(r["candidate"] for r in mine))
        digits = sorted({r["digit"] for r in mine})
        auroc = {(r["candidate"], r["digit"]): r["auroc"] for r in mine}
        per_digit = {}
        for d in digits:
            best = max(order, key=lambda c: (auroc[(c, d)], -order.index(c)))
            per_digit[str(d)] = {"candidate": best, "auroc": auroc[(best, d)]}
        means = {c: float(np.mean([auroc[(c, d)] for d in digits])) for c in order}
        best = max(order, key=lambda c: (means[c], -order.index(c)))
        chosen[method] = {
            "per_digit": per_digit,
            "per_digit_mean_auroc": float(np.mean([v["auroc"] for v in per_digit.values()])),
            "overall": {"candidate": best, "mean_auroc": means[best]},
            "mean_auroc_per_candidate": means,
        }
    return chosen


def _close(a: Any, b: Any) -> bool:
    """Equal, up to rounding for floats, through nested dicts and lists."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
        return numbers and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


# ---- the final table: what a schema cannot say ------------------------------------------


def _configurations(results: dict) -> str | None:
    """The main configuration is listed, and every speed run is about a listed configuration
    and ends its history at its epochs and iterations."""
    ae = results["methods"]["h2o_autoencoder"]
    if ae["main_config"] not in ae["configs"]:
        return f"at methods/h2o_autoencoder/main_config, {ae['main_config']!r} is not one of its configs"
    main = ae["configs"][ae["main_config"]]
    known = set(ae["configs"]) | set(main.get("settings_per_digit", {}).values())
    for params in main["params_per_digit"].values():  # an ensemble's members are configurations too
        known |= set(params.get("members", {}))
    for i, speed in enumerate(results["speed"]):
        if speed["config"] not in known:
            return f"at speed/{i}, the configuration {speed['config']!r} is not one the file lists"
        if speed["history"][-1][0] != speed["epochs"] or speed["history"][-1][1] != speed["iterations"]:
            return f"at speed/{i}, its epochs and iterations are not the last row of its history"
    return None


def _intervals_and_curves(results: dict) -> str | None:
    """Every digit of the protocol has its bootstrap intervals and the curves of the three methods."""
    for digit in results["protocol"]["digits"]:
        d = str(digit)
        if not results["bootstrap"].get(d):
            return f"bootstrap has no intervals for digit {d}"
        for pair, interval in results["bootstrap"][d].items():
            if interval["low"] > interval["high"]:
                return f"at bootstrap/{d}/{pair}, the interval has low > high"
        curves = results["curves"].get(d)
        if curves is None or set(curves) != {"h2o_autoencoder", *BASELINES}:
            return f"curves has not the three methods for digit {d}"
        for method, curve in curves.items():
            grids = [curve["roc"]["fpr"], curve["roc"]["tpr"], curve["pr"]["recall"], curve["pr"]["precision"]]
            if len({len(g) for g in grids}) != 1:
                return f"at curves/{d}/{method}, roc (fpr, tpr) and pr (recall, precision) are not on one grid"
    return None


def _runs(results: dict) -> str | None:
    """Every run used the setting its method lists, and every method ran on every digit and
    seed of its protocol, once; the summary is the one the runs give."""
    digits, seeds = results["protocol"]["digits"], results["protocol"]["seeds"]
    ae = results["methods"]["h2o_autoencoder"]
    expected = {(m, None): seeds for m in BASELINES}
    expected |= {("h2o_autoencoder", c): spec["quality_seeds"] for c, spec in ae["configs"].items()}
    chosen = {("h2o_autoencoder", ae["main_config"]): ae["configs"][ae["main_config"]]}
    chosen |= {(m, None): results["methods"][m] for m in BASELINES}
    found: dict[tuple, list] = {}
    for run in results["runs"]:
        key = (run["method"], run["config"])
        spec = chosen.get(key)
        if spec and "settings_per_digit" in spec and \
                spec["settings_per_digit"].get(str(run["digit"])) != run["setting"]:
            return (f"a run of {run['method']!r} on digit {run['digit']} used {run['setting']!r}, "
                    "not the setting its method lists for that digit")
        if key not in expected:
            return f"a run of {run['method']!r} with config {run['config']!r} is not in its protocol"
        found.setdefault(key, []).append((run["digit"], run["seed"]))
    for key, key_seeds in expected.items():
        want = sorted((d, s) for d in digits for s in key_seeds)
        if sorted(found.get(key, [])) != want:
            name = key[0] if key[1] is None else f"{key[0]}[{key[1]}]"
            return (f"{name} has {len(found.get(key, []))} runs where its protocol "
                    f"({len(digits)} digits x {len(key_seeds)} seeds) needs {len(want)}")
    if not _close(summarize(results["runs"]), results["summary"]):
        return "its summary is not the one its runs give"
    return None


def _consistency(results: dict) -> str | None:
    """The first disagreement inside a final table that matches its schema, or None."""
    return _configurations(results) or _intervals_and_curves(results) or _runs(results)


# ---- the validation search: what a schema cannot say ------------------------------------


def _search_consistency(results: dict) -> str | None:
    """The first disagreement inside a search file that matches its schema, or None."""
    candidates, runs, digits = results["candidates"], results["runs"], results["protocol"]["digits"]
    # an ensemble of other candidates ("members") trains no model of its own
    budgets = {m: sum("members" not in p for p in c.values()) for m, c in candidates.items()}
    if len(set(budgets.values())) != 1:
        return f"the methods had different budgets of candidate settings: {budgets}"
    if results["protocol"]["budget_per_method"] != budgets:
        return "protocol/budget_per_method does not count the candidates"
    found = sorted((r["method"], r["candidate"], r["digit"]) for r in runs)
    want = sorted((m, c, d) for m, cs in candidates.items() for c in cs for d in digits)
    if found != want:
        return f"it has {len(found)} runs where its candidates on its digits need {len(want)}, each once"
    if not _close(choose_settings(runs, list(candidates)), results["chosen"]):
        return "its chosen settings are not the ones its runs give"
    return None


FINAL_TABLE = ResultsFile("one_class_mnist", _consistency, argument="results_path")
SEARCH = ResultsFile("one_class_mnist_search", _search_consistency, argument="search_path")

check_results = FINAL_TABLE.check
load_results = FINAL_TABLE.load
write_results = FINAL_TABLE.write
check_search_results = SEARCH.check
load_search_results = SEARCH.load
write_search_results = SEARCH.write
