"""The results file of the one-class MNIST benchmark: its summary, checks and writing.

``benchmarks/one_class_mnist.py`` writes the file (:func:`write_results`) and the evaluation chapter
reads it (:func:`load_results`). Both go through :func:`check_results`, which checks
the structure (every key the chapter reads, with the right type) and that the file
agrees with itself: every method ran on every digit and seed of its protocol, and the
summary is the one its runs give. A problem is one sentence naming the file and the fix.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

from .data import PROJECT_ROOT
from .files import write_json

__all__ = [
    "BENCHMARK",
    "SCHEMA_VERSION",
    "ResultsError",
    "check_output_path",
    "check_results",
    "check_run_arguments",
    "check_search_results",
    "choose_settings",
    "load_results",
    "load_search_results",
    "resolve",
    "run_environment",
    "run_header",
    "summarize",
    "write_results",
    "write_search_results",
]

BENCHMARK = "one-class MNIST"
SCHEMA_VERSION = 2
SCRIPT = "benchmarks/one_class_mnist.py"
SEARCH_BENCHMARK = "one-class MNIST validation search"
SEARCH_SCHEMA_VERSION = 1
SEARCH_SCRIPT = "benchmarks/one_class_mnist_search.py"
BASELINES = ("pca", "isolation_forest")
RERUN = f"run {SCRIPT} again to write a complete file (or restore it from git)"


class ResultsError(ValueError):
    """A benchmark results file is missing, unreadable or not what the benchmark writes."""


def resolve(path: str | Path) -> Path:
    """``path``, with a relative path taken from the project folder (not the working directory)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def _shown(path: Path) -> str:
    """The path as the reader gave it: relative to the project when it is inside."""
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


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


# ---- structure ---------------------------------------------------------------------


def _whole(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def _number(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)


def _score(v: Any) -> bool:
    return _number(v) and 0.0 <= v <= 1.0


def _seconds(v: Any) -> bool:
    return _number(v) and v >= 0


def _text(v: Any) -> bool:
    return isinstance(v, str)


def _list_of(check: Callable[[Any], bool], at_least: int = 0) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, list) and len(v) >= at_least and all(check(x) for x in v)


_DIGITS = _list_of(lambda d: _whole(d) and 0 <= d <= 9, 1)
_SEEDS = _list_of(lambda s: _whole(s) and s >= 0, 1)
# key -> (check, what the key must hold)
_TOP: dict[str, tuple[Callable[[Any], bool], str]] = {
    "mode": (_text, "a string"), "created_utc": (_text, "a date string"),
    "protocol": (lambda v: isinstance(v, dict), "an object"),
    "methods": (lambda v: isinstance(v, dict), "an object"),
    "literature": (lambda v: isinstance(v, dict), "an object"),
    "runs": (_list_of(lambda r: isinstance(r, dict), 1), "a non-empty list of objects"),
    "bootstrap": (lambda v: isinstance(v, dict), "an object"),
    "curves": (lambda v: isinstance(v, dict), "an object"),
    "speed": (_list_of(lambda r: isinstance(r, dict), 1), "a non-empty list of objects"),
    "data_to_h2o_seconds": (_seconds, "a number of seconds"),
    "machine": (lambda v: isinstance(v, dict), "an object"),
    "versions": (lambda v: isinstance(v, dict), "an object"),
    "run_conditions": (lambda v: isinstance(v, dict), "an object"),
    "total_seconds": (_seconds, "a number of seconds"),
    "summary": (lambda v: isinstance(v, dict), "an object"),
}
_PROTOCOL = {
    "digits": (_DIGITS, "a non-empty list of digits 0-9"),
    "seeds": (_SEEDS, "a non-empty list of seeds"),
    "test_images": (lambda v: _whole(v) and v > 0, "a positive whole number"),
    "train_images_per_digit": (lambda v: isinstance(v, dict), "an object"),
    "anomalous_fraction_per_digit": (lambda v: isinstance(v, dict), "an object"),
}
_RUN = {
    "method": (_text, "a method name"),
    "config": (lambda v: v is None or _text(v), "null or a configuration name"),
    "digit": (lambda v: _whole(v) and 0 <= v <= 9, "a digit 0-9"),
    "seed": (lambda v: _whole(v) and v >= 0, "a seed"),
    "setting": (_text, "the name of the setting used"),
    "auroc": (_score, "a number from 0 to 1"), "ap": (_score, "a number from 0 to 1"),
    "fit_seconds": (_seconds, "a number of seconds"), "score_seconds": (_seconds, "a number of seconds"),
}
_SPEED = {
    "config": (_text, "a configuration name"), "schedule": (_text, "the name of an iteration schedule"),
    "reproducible": (lambda v: isinstance(v, bool), "true or false"),
    "epochs": (lambda v: _number(v) and v > 0, "a positive number of epochs"),
    "iterations": (lambda v: _whole(v) and v >= 1, "a whole number of iterations"),
    "history": (_list_of(_list_of(_number, 4), 1), "a list of [epochs, iterations, samples, seconds] rows"),
    "threads": (lambda v: _whole(v) and v >= 1, "a whole number of threads"),
    "training_images": (lambda v: _whole(v) and v > 0, "a positive whole number"),
    # None when H2O reported no training time (the benchmark writes what it measured)
    "samples_per_second": (lambda v: v is None or (_number(v) and v > 0), "a positive number or null"),
    "wall_seconds": (_seconds, "a number of seconds"),
}


def _autoencoder_params(p: Any) -> bool:
    """An autoencoder's parameters with epochs, or an ensemble of such (``members``)."""
    if isinstance(p, dict) and isinstance(p.get("members"), dict):
        return bool(p["members"]) and all(_autoencoder_params(m) for m in p["members"].values())
    return isinstance(p, dict) and _number(p.get("epochs"))


_CONFIG = {
    "label": (_text, "a string"),
    "params_per_digit": (lambda v: isinstance(v, dict) and all(_autoencoder_params(p) for p in v.values()),
                         "an object of digit: parameters with epochs (or an ensemble of them, members)"),
    "quality_seeds": (_SEEDS, "a non-empty list of seeds"),
}
_BASELINE = {
    "label": (_text, "a string"),
    "settings_per_digit": (lambda v: isinstance(v, dict) and all(_text(x) for x in v.values()),
                           "an object of digit: setting name"),
    "params_per_digit": (lambda v: isinstance(v, dict) and all(isinstance(p, dict) for p in v.values()),
                         "an object of digit: parameters"),
}
_INTERVAL = {
    "estimate": (lambda v: _number(v) and -1 <= v <= 1, "a difference of AUROCs"),
    "low": (lambda v: _number(v) and -1 <= v <= 1, "a difference of AUROCs"),
    "high": (lambda v: _number(v) and -1 <= v <= 1, "a difference of AUROCs"),
    "level": (lambda v: _number(v) and 0 < v < 1, "a level between 0 and 1"),
}
_GRID = _list_of(_score, 2)
_OTHERS = {
    "literature": {"method": (_text, "a string"), "mean_auroc": (_score, "a number from 0 to 1"),
                   "per_digit_auroc": (_list_of(_score, 10), "ten AUROCs, digits 0-9")},
    "machine": {"cpu_count": (lambda v: _whole(v) and v >= 1, "a whole number"),
                "h2o_cores": (lambda v: _whole(v) and v >= 1, "a whole number")},
    "versions": {"java": (_text, "a string")},
    "run_conditions": {"loadavg_start": (_list_of(_number, 3), "three numbers"),
                       "loadavg_end": (_list_of(_number, 3), "three numbers")},
}


class _Problem(Exception):
    pass


def _keys(obj: dict, spec: dict, where: str) -> None:
    for key, (check, what) in spec.items():
        if key not in obj:
            raise _Problem(f"{where} has no '{key}'")
        if not check(obj[key]):
            raise _Problem(f"{where}['{key}'] is {obj[key]!r:.60}, expected {what}")


def _structure(results: Any) -> None:
    if not isinstance(results, dict):
        raise _Problem(f"it holds a JSON {type(results).__name__}, not the object {SCRIPT} writes")
    if results.get("benchmark") != BENCHMARK or results.get("schema_version") != SCHEMA_VERSION:
        raise _Problem(f"it is not a results file of {SCRIPT} (schema version {SCHEMA_VERSION})")
    _keys(results, _TOP, "the file")
    _keys(results["protocol"], _PROTOCOL, "protocol")
    for name, spec in _OTHERS.items():
        _keys(results[name], spec, name)
    ae = results["methods"].get("h2o_autoencoder")
    if not isinstance(ae, dict) or not isinstance(ae.get("configs"), dict) or not ae["configs"]:
        raise _Problem("methods['h2o_autoencoder'] has no 'configs'")
    if ae.get("main_config") not in ae["configs"]:
        raise _Problem("methods['h2o_autoencoder']['main_config'] is not one of its configs")
    for name, config in ae["configs"].items():
        if not isinstance(config, dict):
            raise _Problem(f"configuration {name!r} is not an object")
        _keys(config, _CONFIG, f"configuration {name!r}")
    for i, run in enumerate(results["runs"]):
        _keys(run, _RUN, f"runs[{i}]")
    for name in BASELINES:
        if not isinstance(results["methods"].get(name), dict):
            raise _Problem(f"methods has no {name!r}")
        _keys(results["methods"][name], _BASELINE, f"methods[{name!r}]")
    main = ae["configs"][ae["main_config"]]
    known = set(ae["configs"]) | set(main.get("settings_per_digit", {}).values())
    for params in main.get("params_per_digit", {}).values():  # an ensemble's members are configurations too
        if isinstance(params, dict) and isinstance(params.get("members"), dict):
            known |= set(params["members"])
    for i, speed in enumerate(results["speed"]):
        _keys(speed, _SPEED, f"speed[{i}]")
        if speed["config"] not in known:
            raise _Problem(f"speed[{i}] is about configuration {speed['config']!r}, which the file does not list")
        if speed["history"][-1][0] != speed["epochs"] or speed["history"][-1][1] != speed["iterations"]:
            raise _Problem(f"speed[{i}]: its epochs and iterations are not the last row of its history")
    for digit in results["protocol"]["digits"]:
        d = str(digit)
        if not isinstance(results["bootstrap"].get(d), dict) or not results["bootstrap"][d]:
            raise _Problem(f"bootstrap has no intervals for digit {d}")
        for pair, interval in results["bootstrap"][d].items():
            _keys(interval, _INTERVAL, f"bootstrap[{d!r}][{pair!r}]")
            if interval["low"] > interval["high"]:
                raise _Problem(f"bootstrap[{d!r}][{pair!r}] has low > high")
        curves = results["curves"].get(d)
        if not isinstance(curves, dict) or set(curves) != {"h2o_autoencoder", *BASELINES}:
            raise _Problem(f"curves has not the three methods for digit {d}")
        for method, curve in curves.items():
            roc, pr = curve.get("roc", {}), curve.get("pr", {})
            grids = [roc.get("fpr"), roc.get("tpr"), pr.get("recall"), pr.get("precision")]
            if not all(_GRID(g) and len(g) == len(grids[0]) for g in grids):
                raise _Problem(f"curves[{d!r}][{method!r}] is not roc (fpr, tpr) and pr (recall, precision) "
                               "on one grid of numbers from 0 to 1")


# ---- consistency ---------------------------------------------------------------------


def _close(a: Any, b: Any) -> bool:
    """Equal, up to rounding for floats, through nested dicts and lists."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return _number(a) and _number(b) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def _consistency(results: dict) -> None:
    protocol, runs = results["protocol"], results["runs"]
    digits, seeds = protocol["digits"], protocol["seeds"]
    configs = results["methods"]["h2o_autoencoder"]["configs"]
    expected = {(m, None): seeds for m in BASELINES}
    expected |= {("h2o_autoencoder", c): spec["quality_seeds"] for c, spec in configs.items()}
    chosen = {("h2o_autoencoder", results["methods"]["h2o_autoencoder"]["main_config"]):
              results["methods"]["h2o_autoencoder"]["configs"][results["methods"]["h2o_autoencoder"]["main_config"]]}
    chosen |= {(m, None): results["methods"][m] for m in BASELINES}
    found: dict[tuple, list] = {}
    for run in runs:
        spec = chosen.get((run["method"], run["config"]))
        if spec and "settings_per_digit" in spec and \
                spec["settings_per_digit"].get(str(run["digit"])) != run["setting"]:
            raise _Problem(f"a run of {run['method']!r} on digit {run['digit']} used {run['setting']!r}, "
                           "not the setting its method lists for that digit")
        key = (run["method"], run["config"])
        if key not in expected:
            raise _Problem(f"a run of {run['method']!r} with config {run['config']!r} is not in its protocol")
        found.setdefault(key, []).append((run["digit"], run["seed"]))
    for key, key_seeds in expected.items():
        want = sorted((d, s) for d in digits for s in key_seeds)
        if sorted(found.get(key, [])) != want:
            name = key[0] if key[1] is None else f"{key[0]}[{key[1]}]"
            raise _Problem(f"{name} has {len(found.get(key, []))} runs where its protocol "
                           f"({len(digits)} digits x {len(key_seeds)} seeds) needs {len(want)}")
    if not _close(summarize(runs), results["summary"]):
        raise _Problem("its summary is not the one its runs give")


def check_results(results: Any, source: str | Path = "the results") -> dict:
    """``results`` if it is what the benchmark writes, else :class:`ResultsError` naming ``source``."""
    try:
        _structure(results)
        _consistency(results)
    except _Problem as problem:
        shown = _shown(source) if isinstance(source, Path) else source
        raise ResultsError(f"{shown}: {problem}; {RERUN}.") from None
    return results


def load_results(path: str | Path) -> dict:
    """The checked contents of the results file ``path`` (relative: from the project folder)."""
    if not isinstance(path, (str, Path)) or not str(path).endswith(".json"):
        raise ResultsError(f"results_path={path!r} is not the path of a .json file: give the file "
                           f"that {SCRIPT} wrote, such as benchmarks/results/one_class_mnist.json.")
    full = resolve(path)
    if not full.is_file():
        raise ResultsError(f"{_shown(full)} is not a file (relative paths start at the project "
                           f"folder): give an existing results file, or run {SCRIPT} to create one.")
    try:
        results = json.loads(full.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        reason = f"line {err.lineno}: {err.msg}" if isinstance(err, json.JSONDecodeError) else str(err)
        raise ResultsError(f"{_shown(full)} cannot be read as JSON ({reason}), so it is cut short or "
                           f"not a results file; {RERUN}.") from None
    return check_results(results, full)


def run_header(benchmark: str, schema_version: int, script: str, quick: bool,
               argv: list[str] | None = None) -> dict:
    """The fields a results file starts with: what ran, in which schema, how, and when.

    ``argv`` is the script's arguments (None: this process's command line).
    """
    return {
        "schema_version": schema_version,
        "benchmark": benchmark,
        "mode": "quick" if quick else "full",
        "command": f"python {script} " + " ".join(sys.argv[1:] if argv is None else argv),
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def run_environment(load_start: Sequence[float], versions: dict[str, str]) -> dict:
    """The ``machine``, ``versions`` and ``run_conditions`` fields of a results file:
    the cores and platform, the given versions with Python's, and the load average
    at the start (``load_start``) and now."""
    import platform

    return {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "versions": {"python": platform.python_version(), **versions},
        "run_conditions": {"loadavg_start": [round(x, 2) for x in load_start],
                           "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
    }


def check_run_arguments(parser: Any, args: Any) -> None:
    """The command-line checks both one-class scripts make, before any work.

    ``--digits`` (each 0-9, at most once), ``--max-mem-size`` (at least 1G) and
    ``--out`` (replaced by the checked path); a bad value ends the script with
    ``parser.error`` and one sentence.
    """
    from .params import ParameterError, check_memory_size

    if args.digits is not None:
        bad = [d for d in args.digits if not 0 <= d <= 9]
        if bad:
            parser.error(f"--digits: each digit must be from 0 to 9, got {bad}")
        if len(set(args.digits)) != len(args.digits):
            parser.error(f"--digits: each digit at most once, got {args.digits}")
    try:
        check_memory_size("--max-mem-size", args.max_mem_size, minimum="1G")
    except ParameterError as err:
        parser.error(str(err))
    try:  # now, not after a run of many minutes
        args.out = check_output_path(args.out)
    except ResultsError as err:
        parser.error(f"--out: {err}")


def check_output_path(path: str | Path) -> Path:
    """The absolute path ``path``, after checking that a file can be written there.

    Creates the missing folders and writes and removes a probe file, so that a long
    run does not lose its results to a bad path at the end.
    """
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise ResultsError(f"{path} is a folder: give a file name such as {path / 'results.json'}.")
    existing = next(p for p in path.parents if p.exists())
    if not existing.is_dir():
        raise ResultsError(f"cannot write {path} because {existing} is a file, not a folder: "
                           "give a path in a folder you can write to.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as err:
        raise ResultsError(f"cannot write {path} ({err.strerror or err}): give a path in a folder you "
                           "can write to.") from None
    return path


def write_results(results: dict, path: str | Path) -> Path:
    """Write ``results`` to ``path`` at once (a temporary file beside it, renamed), then
    raise :class:`ResultsError` if they fail :func:`check_results`: a finished run is
    never thrown away, and a wrong one is never silent."""
    path = Path(path)
    try:
        check_results(results, path)
        problem = None
    except ResultsError as err:
        problem = err
    write_json(path, results)
    if problem is not None:
        raise problem
    return path


# ---- the validation search ----------------------------------------------------------


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


_SEARCH_RUN = {
    "method": (_text, "a method name"), "candidate": (_text, "a candidate name"),
    "digit": (lambda v: _whole(v) and 0 <= v <= 9, "a digit 0-9"),
    "auroc": (_score, "a number from 0 to 1"), "ap": (_score, "a number from 0 to 1"),
    "fit_seconds": (_seconds, "a number of seconds"),
}


def _search_problems(results: Any) -> None:
    if not isinstance(results, dict):
        raise _Problem(f"it holds a JSON {type(results).__name__}, not the object {SEARCH_SCRIPT} writes")
    if results.get("benchmark") != SEARCH_BENCHMARK or results.get("schema_version") != SEARCH_SCHEMA_VERSION:
        raise _Problem(f"it is not a results file of {SEARCH_SCRIPT} (schema version {SEARCH_SCHEMA_VERSION})")
    for key in ("protocol", "candidates", "runs", "chosen"):
        if key not in results:
            raise _Problem(f"the file has no '{key}'")
    digits = results["protocol"].get("digits")
    if not _DIGITS(digits):
        raise _Problem("protocol['digits'] is not a non-empty list of digits 0-9")
    candidates = results["candidates"]
    if not isinstance(candidates, dict) or not candidates:
        raise _Problem("its 'candidates' is not an object of methods")
    # an ensemble of other candidates ("members") trains no model of its own
    budgets = {m: sum("members" not in p for p in c.values()) for m, c in candidates.items()}
    if len(set(budgets.values())) != 1:
        raise _Problem(f"the methods had different budgets of candidate settings: {budgets}")
    if results["protocol"].get("budget_per_method") != budgets:
        raise _Problem("protocol['budget_per_method'] does not count the candidates")
    runs = results["runs"]
    if not _list_of(lambda r: isinstance(r, dict), 1)(runs):
        raise _Problem("its 'runs' is not a non-empty list of objects")
    for i, run in enumerate(runs):
        _keys(run, _SEARCH_RUN, f"runs[{i}]")
    found = sorted((r["method"], r["candidate"], r["digit"]) for r in runs)
    want = sorted((m, c, d) for m, cs in candidates.items() for c in cs for d in digits)
    if found != want:
        raise _Problem(f"it has {len(found)} runs where its candidates on its digits need {len(want)}, "
                       "each once")
    if not _close(choose_settings(runs, list(candidates)), results["chosen"]):
        raise _Problem("its chosen settings are not the ones its runs give")


def check_search_results(results: Any, source: str | Path = "the search results") -> dict:
    """``results`` if it is what the validation search writes, else :class:`ResultsError`."""
    try:
        _search_problems(results)
    except _Problem as problem:
        shown = _shown(source) if isinstance(source, Path) else source
        raise ResultsError(f"{shown}: {problem}; run {SEARCH_SCRIPT} again (or restore it from git).") from None
    return results


def write_search_results(results: dict, path: str | Path) -> Path:
    """Like :func:`write_results`, for the validation search: written, then checked."""
    write_json(path, results)
    check_search_results(results, Path(path))
    return Path(path)


def load_search_results(path: str | Path) -> dict:
    """The checked contents of the search results file ``path`` (relative: from the project folder)."""
    if not isinstance(path, (str, Path)) or not str(path).endswith(".json"):
        raise ResultsError(f"search_path={path!r} is not the path of a .json file: give the file that "
                           f"{SEARCH_SCRIPT} wrote, such as benchmarks/results/one_class_mnist_search.json.")
    full = resolve(path)
    try:
        results = json.loads(full.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{_shown(full)} is not a file (relative paths start at the project folder): "
                           f"give an existing search results file, or run {SEARCH_SCRIPT}.") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ResultsError(f"{_shown(full)} cannot be read as JSON ({err}); run {SEARCH_SCRIPT} again "
                           "(or restore it from git).") from None
    return check_search_results(results, full)
