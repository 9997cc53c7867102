"""The results file of the Keras-versus-H2O benchmark (``benchmarks/keras_vs_h2o.py``).

The benchmark runs the Keras original of the deep MNIST chapter's autoencoder
(McCaffrey's 784-100-50-100-784 tanh demo) beside H2O's version of the same net and
writes one JSON file; the chapter reads the committed copy with :func:`load_keras_vs_h2o`.
The script (before it writes) and the loader both go through :func:`check_keras_vs_h2o`:
the JSON Schema ``benchmarks/schemas/keras_vs_h2o.schema.json`` (fields, types, ranges),
then what a schema cannot say (no NaN or infinity, curves as long as their epochs,
means that are the means of their digits, a chosen setting that was measured). A
problem is one sentence naming the file and the fix.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .benchmark_results import PROJECT_ROOT, ResultsError, resolve
from .schemas import check_against_schema

__all__ = [
    "BENCHMARK",
    "DEFAULT_RESULTS",
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "SCRIPT",
    "check_keras_vs_h2o",
    "load_keras_vs_h2o",
]

BENCHMARK = "Keras vs H2O autoencoder"
SCHEMA_VERSION = 1
SCHEMA_NAME = "keras_vs_h2o"
SCRIPT = "benchmarks/keras_vs_h2o.py"
DEFAULT_RESULTS = "benchmarks/results/keras_vs_h2o.json"
RERUN = f"run {SCRIPT} again to write a complete file (or restore it from git)"


def _shown(path: str | Path) -> str:
    """The path as the reader gave it: relative to the project when it is inside."""
    try:
        return str(Path(path).relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _non_finite(value: Any, where: str = "") -> str | None:
    """The place of the first NaN or infinity in ``value``, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "the top level"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _non_finite(item, f"{where}/{key}" if where else str(key))
        if found:
            return found
    return None


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _consistency(data: dict) -> str | None:
    """The first disagreement inside a file that matches the schema, or None."""
    place = _non_finite(data)
    if place:
        return f"at {place}, a number is NaN or infinite"
    curves = data["loss_curves"]
    for name in ("loss", "mse_end_of_epoch"):
        if len(curves["keras"][name]) != curves["epochs"]:
            return f"loss_curves/keras/{name} has {len(curves['keras'][name])} values for {curves['epochs']} epochs"
    for name in ("h2o_chosen", "h2o_default"):
        curve = curves[name]
        if len(curve["epochs"]) != len(curve["training_mse"]):
            return f"loss_curves/{name} has {len(curve['epochs'])} epochs but {len(curve['training_mse'])} MSEs"
    if len(curves["h2o_chosen"]["epochs"]) != curves["epochs"]:
        scored = len(curves["h2o_chosen"]["epochs"])
        return f"loss_curves/h2o_chosen was scored {scored} times in {curves['epochs']} epochs"
    one_class = data["one_class"]
    for model in ("keras", "h2o"):
        per_digit = one_class["per_digit_auroc"][model]
        if sorted(per_digit) != sorted(str(d) for d in one_class["digits"]):
            return f"one_class/per_digit_auroc/{model} does not have exactly the digits {one_class['digits']}"
        if not math.isclose(_mean(list(per_digit.values())), one_class["mean_auroc"][model], abs_tol=1e-9):
            return f"one_class/mean_auroc/{model} is not the mean of its per-digit AUROCs"
    if len(one_class["runs"]) != 2 * len(one_class["digits"]):
        return f"one_class/runs has {len(one_class['runs'])} runs for two models on {len(one_class['digits'])} digits"
    sweep = data["h2o_speed_sweep"]
    if sweep["chosen"]["name"] not in {s["name"] for s in sweep["settings"]}:
        return f"h2o_speed_sweep/chosen names {sweep['chosen']['name']!r}, which was not measured"
    agreement = data["agreement"]
    if agreement["top10_overlap"] != len(set(agreement["top10_keras"]) & set(agreement["top10_h2o"])):
        return "agreement/top10_overlap does not count the indices its two top-10 lists share"
    return None


def check_keras_vs_h2o(data: Any, source: str | Path = "the results") -> dict:
    """``data`` if it is what ``benchmarks/keras_vs_h2o.py`` writes; else :class:`ResultsError`
    in one sentence naming ``source`` and the fix."""
    shown = _shown(source) if isinstance(source, Path) else source
    check_against_schema(data, SCHEMA_NAME, shown, RERUN)
    problem = _consistency(data)
    if problem:
        raise ResultsError(f"{shown}: {problem}; {RERUN}.")
    return data


def load_keras_vs_h2o(path: str | Path = DEFAULT_RESULTS) -> dict:
    """The checked contents of the results file ``path`` (relative: from the project folder)."""
    if not isinstance(path, (str, Path)) or not str(path).endswith(".json"):
        raise ResultsError(f"path={path!r} is not the path of a .json file: give the file that {SCRIPT} "
                           f"wrote, such as {DEFAULT_RESULTS}.")
    full = resolve(path)
    try:
        text = full.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"{_shown(full)} is not a file (relative paths start at the project folder): "
                           f"run {SCRIPT} to write it, or restore it from git.") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ResultsError(f"{_shown(full)} cannot be read ({err}); {RERUN}.") from None
    try:
        data = json.loads(text)
    except ValueError as err:
        reason = f"line {err.lineno}: {err.msg}" if isinstance(err, json.JSONDecodeError) else str(err)
        raise ResultsError(f"{_shown(full)} cannot be read as JSON ({reason}), so it is cut short or not a "
                           f"results file; {RERUN}.") from None
    return check_keras_vs_h2o(data, full)
