"""The results file of the Keras-versus-H2O benchmark (``benchmarks/keras_vs_h2o.py``).

The benchmark runs the Keras original of the deep MNIST chapter's autoencoder
(McCaffrey's 784-100-50-100-784 tanh demo) beside H2O's version of the same net and
writes one JSON file; the chapter reads the committed copy with :func:`load_keras_vs_h2o`.
The script (before it writes) and the loader both go through :func:`check_keras_vs_h2o`
(:class:`aebook.schemas.ResultsFile`): no NaN or infinity, the JSON Schema
``benchmarks/schemas/keras_vs_h2o.schema.json`` (fields, types, ranges), then what a
schema cannot say, here (curves as long as their epochs, means that are the means of
their digits, a chosen setting that was measured). A problem is one sentence naming the
file and the fix.
"""

from __future__ import annotations

import math
from pathlib import Path

from .schemas import ResultsFile

__all__ = [
    "BENCHMARK",
    "DEFAULT_RESULTS",
    "KERAS_VS_H2O",
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


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _consistency(data: dict) -> str | None:
    """The first disagreement inside a file that matches the schema, or None."""
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


KERAS_VS_H2O = ResultsFile(SCHEMA_NAME, _consistency)

check_keras_vs_h2o = KERAS_VS_H2O.check


def load_keras_vs_h2o(path: str | Path = DEFAULT_RESULTS) -> dict:
    """The checked contents of the results file ``path`` (relative: from the project folder)."""
    return KERAS_VS_H2O.load(path)
