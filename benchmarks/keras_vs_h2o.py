"""Keras against H2O: the Keras original of the deep MNIST autoencoder beside H2O's version, in one run.

The Keras demo the deep MNIST chapter starts from (McCaffrey, "Neural Anomaly Detection
Using Keras", Visual Studio Magazine, 2019) trains a 784-100-50-100-784 autoencoder,
tanh in every layer (the output too), Glorot-uniform weights, Adam and mean squared
error, in shuffled batches of 40 for 400 epochs, on the first 1,000 MNIST training
digits scaled by 1/255. This script runs that net in Keras 3 on the JAX backend (CPU)
as the demo does, and ``H2OAutoEncoderEstimator(hidden=[100, 50, 100], activation="Tanh")``
on the same digits (``standardize=False, ignore_const_cols=False``: the same pixels / 255;
H2O's default weights, "UniformAdaptive", are Glorot's uniform ones). In one run it measures:

1. H2O's speed settings: samples per second (scoring history: samples / training
   duration; and samples / wall time) of the net for a few epochs, after warm-up runs
   that last until the JVM's speed has settled, for the baseline (H2O's defaults but
   ``stopping_rounds=0``) and each setting changed alone, in rounds whose order rotates
   and in which the baseline comes back every few runs; then the helpful ones combined greedily. A
   setting is helpful if its median speed beats the baseline's by ``MIN_GAIN``, no round
   falls below the baseline's median, and its training MSE (all rows) stays within
   ``MSE_TOLERANCE`` of the baseline's; the fastest helpful configuration (or the
   baseline, if none) is chosen, from these figures.
2. Seconds per epoch of Keras, H2O with the chosen settings and H2O's defaults, in
   alternating turns, and their ratios; per-epoch training-MSE curves of both (H2O scores
   all training rows after each epoch). The curves run the demo's 400 epochs if the
   time budget (``--budget-minutes``) allows it at the measured H2O speed, else fewer,
   and the file says why.
3. How the two trained nets agree on the 10,000 test images: Spearman correlation of
   their per-image reconstruction MSE, the overlap of their ten most anomalous images.
4. Both nets on the one-class protocol: per digit, train on its first 1,000 training
   images (file order), score the 10,000 test images, AUROC with the other digits as
   the anomalies.

Usage::

    python benchmarks/keras_vs_h2o.py                 # the full run, about 25 minutes on 2 cores
    python benchmarks/keras_vs_h2o.py --quick         # a smoke test (about 2 minutes)
    python benchmarks/keras_vs_h2o.py --digits 3 8 --one-class-epochs 10 --out /tmp/x.json

Needs the optional packages of ``requirements-compare.txt`` (Keras, JAX). The figures
are written as JSON (default ``benchmarks/out/keras_vs_h2o.json``, git-ignored), checked
first against ``benchmarks/schemas/keras_vs_h2o.schema.json``; the committed copy of a
full run is ``benchmarks/results/keras_vs_h2o.json``, read by
``aebook.keras_comparison.load_keras_vs_h2o``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import benchmark_arguments as arguments
import numpy as np

from aebook.files import write_json
from aebook.keras_comparison import BENCHMARK, KERAS_VS_H2O, SCHEMA_VERSION, SCRIPT
from aebook.results_files import ResultsError, run_environment, run_header
from aebook.scoring_history import history_rows

DESCRIPTION = ("The Keras demo's 784-100-50-100-784 autoencoder against H2O's version of it: H2O's speed settings, "
               "seconds per epoch, loss curves, agreement and one-class AUROC, in one run.")
QUICK_HELP = ("200 digits, a reduced settings sweep, 2 turns of 2 epochs, 3-epoch curves, digits 0 1 for 2 epochs "
              "(about 2 minutes)")
SOURCE = "https://visualstudiomagazine.com/articles/2019/03/01/neural-anomaly-detection-using-keras.aspx"

# The demo as its text gives it.
TEXT = {"source": SOURCE, "layers": [784, 100, 50, 100, 784], "activation": "tanh (every layer, the output too)",
        "initializer": "glorot_uniform(seed=1)", "optimizer": "Adam (defaults: learning rate 0.001)",
        "loss": "mean_squared_error", "batch_size": 40, "epochs": 400, "shuffle": True,
        "n_train": 1000, "rows": "the first 1,000 MNIST training digits", "scaling": "pixels / 255"}
HIDDEN = [100, 50, 100]
BATCH_SIZE = 40
# H2O's defaults for the net, but for what makes it train on the same pixels as Keras and
# run every epoch asked for (the default early stopping could end a run before its epochs).
DEFAULTS = {"hidden": HIDDEN, "activation": "Tanh", "standardize": False, "ignore_const_cols": False,
            "stopping_rounds": 0}
# The loss curves: every epoch one iteration, then a score on all training rows; the
# model kept is the last one (not the best scored), as in Keras.
CURVE_SCORING = {"score_each_iteration": True, "score_interval": 0, "score_training_samples": 0,
                 "stopping_rounds": 0, "overwrite_with_best_model": False}
MIN_GAIN = 0.10        # a helpful setting is at least 10 % faster (median) than what it is compared with
MSE_TOLERANCE = 0.10   # ... and its training MSE at most 10 % above the baseline's
WARMUP_SPREAD = 0.10   # the warm-up ends when its last three speeds are within 10 % of each other
RESERVE_SECONDS = 60   # kept back for the Keras curve, the agreement and writing, when planning epochs
TOP = 10

# One change at a time from the baseline (DEFAULTS): name, parameters, what it does.
SETTINGS = [
    ("reproducible", {"reproducible": True}, "one thread, deterministic (default: all cores, Hogwild)"),
    ("mini_batch_size_40", {"mini_batch_size": 40}, "update after 40 rows, as Keras's batches (default 1)"),
    ("one_epoch_per_iteration", {"train_samples_per_iteration": 0}, "train_samples_per_iteration=0 (default -2, auto)"),
    ("samples_per_iteration_1000", {"train_samples_per_iteration": 1000}, "train_samples_per_iteration=1000"),
    ("fast_mode_off", {"fast_mode": False}, "exact back-propagation (default fast_mode=True)"),
    ("single_node_mode", {"single_node_mode": True}, "train on one node (this cluster has one)"),
    ("diagnostics_off", {"diagnostics": False}, "deprecated in H2O 3.46: diagnostics are always on"),
    ("no_force_load_balance", {"force_load_balance": False}, "keep the frame's chunks (default: rebalance)"),
    ("score_rarely", {"score_interval": 60, "score_duty_cycle": 0.01},
     "score at most every 60 s and 1 % of the time (default 5 s, 10 %)"),
    ("score_100_samples", {"score_training_samples": 100}, "score 100 training rows (default 10,000: all)"),
    ("adaptive_rate_off", {"adaptive_rate": False, "rate": 0.005},
     "plain SGD with rate 0.005 instead of ADADELTA (default)"),
    ("no_replicate_training_data", {"replicate_training_data": False}, "no copy of the data per node"),
    ("shuffle_training_data", {"shuffle_training_data": True}, "shuffle the rows (default: file order)"),
    ("sparse", {"sparse": True}, "sparse input handling (most pixels are 0)"),
]
QUICK_SETTINGS = ["reproducible", "one_epoch_per_iteration", "score_rarely", "adaptive_rate_off"]

FULL = {"n_train": 1000, "warmup_epochs": 40, "warmup_max_epochs": 80, "sweep_epochs": 4, "sweep_rounds": 3,
        "baseline_every": 5, "sweep_settings": [name for name, _, _ in SETTINGS], "turns": 5, "turn_epochs": 5,
        "curve_epochs": TEXT["epochs"], "min_curve_epochs": 10, "reference_epochs": 40, "calibration_epochs": 5,
        "digits": list(range(10)), "train_per_digit": 1000, "one_class_epochs": 30, "budget_minutes": 25.0}
QUICK = {"n_train": 200, "warmup_epochs": 2, "warmup_max_epochs": 2, "sweep_epochs": 2, "sweep_rounds": 1,
         "baseline_every": 2, "sweep_settings": QUICK_SETTINGS, "turns": 2, "turn_epochs": 2,
         "curve_epochs": 3, "min_curve_epochs": 2, "reference_epochs": 2, "calibration_epochs": 1,
         "digits": [0, 1], "train_per_digit": 200, "one_class_epochs": 2, "budget_minutes": 3.0}


# ---- arguments ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.benchmark_parser("keras_vs_h2o", DESCRIPTION, QUICK_HELP)
    arguments.add_out(parser)
    arguments.add_digits(parser, "digits of the one-class runs, each 0-9 (default: all ten; quick: 0 1)")
    parser.add_argument("--one-class-epochs", type=int, metavar="N",
                        help="epochs of each one-class model, both libraries (default 30; quick 2)")
    parser.add_argument("--turns", type=int, metavar="N", help="timing turns of each model (default 5; quick 2)")
    parser.add_argument("--budget-minutes", type=float, metavar="M",
                        help="time the whole run may take; the loss curves get fewer than 400 epochs if H2O "
                             "would need more (default 25; quick 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of both libraries (default 1, as the demo)")
    arguments.add_max_mem_size(parser)
    args = parser.parse_args(argv)
    arguments.check_arguments(parser, args)
    check_own_arguments(parser, args)
    return args


def check_own_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """One sentence through ``parser.error`` for a bad value of this script's own arguments, before any work."""
    if args.one_class_epochs is not None and not 1 <= args.one_class_epochs <= 1000:
        parser.error(f"--one-class-epochs must be from 1 to 1000, got {args.one_class_epochs}")
    if args.turns is not None and not 2 <= args.turns <= 20:
        parser.error(f"--turns must be from 2 to 20, got {args.turns}")
    if args.budget_minutes is not None and not 1 <= args.budget_minutes <= 600:
        parser.error(f"--budget-minutes must be from 1 to 600, got {args.budget_minutes:g}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    missing = [name for name in ("keras", "jax") if importlib.util.find_spec(name) is None]
    if missing:
        parser.error(f"{' and '.join(missing)} not installed: this benchmark needs the optional packages, "
                     "`pip install -r requirements-compare.txt`")


def settings_from(args: argparse.Namespace) -> dict:
    settings = arguments.run_settings(args, FULL, QUICK, ("digits", "one_class_epochs", "turns", "budget_minutes"))
    settings["seed"] = args.seed
    return settings


# ---- the two libraries ----------------------------------------------------------------------


def keras_model(seed: int):
    """The demo's net: 784-100-50-100-784, tanh, one Glorot-uniform initializer, Adam, MSE."""
    import keras

    keras.utils.set_random_seed(seed)
    init = keras.initializers.GlorotUniform(seed=seed)
    model = keras.Sequential([keras.Input(shape=(784,))] + [
        keras.layers.Dense(units, activation="tanh", kernel_initializer=init) for units in (*HIDDEN, 784)])
    model.compile(optimizer=keras.optimizers.Adam(), loss="mean_squared_error")
    return model


def keras_errors(model, x: np.ndarray) -> np.ndarray:
    """Per-row reconstruction MSE (mean over the 784 pixels)."""
    predicted = model.predict(x, batch_size=1000, verbose=0)
    return np.mean((x - predicted) ** 2, axis=1).astype(float)


def keras_train(x: np.ndarray, epochs: int, seed: int, curve: bool = False):
    """A new net of the demo trained on ``x``; with ``curve``, the MSE of all rows after each epoch."""
    import keras

    mse: list[float] = []

    class EndOfEpochMSE(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            mse.append(float(np.mean(keras_errors(self.model, x))))

    model = keras_model(seed)
    start = time.perf_counter()
    history = model.fit(x, x, batch_size=BATCH_SIZE, epochs=epochs, shuffle=True, verbose=0,
                        callbacks=[EndOfEpochMSE()] if curve else [])
    seconds = time.perf_counter() - start
    return model, {"seconds": seconds, "loss": [float(v) for v in history.history["loss"]], "mse": mse}


def to_h2o(pixels: np.ndarray, name: str):
    """An H2O frame of ``pixels / 255`` (uint8 rows of 784), parsed from a CSV in a temporary folder."""
    import h2o

    from aebook.h2o_session import unique_id

    rows = pixels.reshape(len(pixels), -1)
    with tempfile.TemporaryDirectory(prefix="keras_vs_h2o_") as tmpdir:  # H2O skips dot files
        path = Path(tmpdir) / f"{name}.csv"
        with open(path, "w") as f:
            f.write(",".join(f"px{i}" for i in range(rows.shape[1])) + "\n")
            np.savetxt(f, rows, fmt="%d", delimiter=",")
        raw = h2o.import_file(str(path), col_types=["int"] * rows.shape[1])
    frame = h2o.assign(raw / 255.0, unique_id(name))
    h2o.remove(raw)
    return frame


def h2o_errors(model, frame) -> np.ndarray:
    """Per-row reconstruction MSE of an H2O autoencoder (``Reconstruction.MSE``)."""
    return model.anomaly(frame).as_data_frame()["Reconstruction.MSE"].to_numpy(dtype=float)


def h2o_train(frame, params: dict, epochs: float):
    """An H2O autoencoder trained on ``frame`` and the wall seconds of ``train``."""
    from h2o.estimators import H2OAutoEncoderEstimator

    model = H2OAutoEncoderEstimator(**params, epochs=epochs)
    start = time.perf_counter()
    model.train(training_frame=frame)
    return model, time.perf_counter() - start


def measure(frame, params: dict, epochs: float) -> dict:
    """Speed and training MSE of one H2O run; the model is removed afterwards."""
    import h2o

    model, wall = h2o_train(frame, params, epochs)
    epochs_run, iterations, samples, seconds = history_rows(model)[-1]
    mse = float(np.mean(h2o_errors(model, frame)))
    h2o.remove(model)
    return {"samples_per_second": samples / seconds, "wall_samples_per_second": samples / wall,
            "train_seconds": seconds, "wall_seconds": wall, "epochs": epochs_run, "iterations": iterations,
            "samples": samples, "training_mse": mse}


# ---- 1. the speed settings of H2O -------------------------------------------------------------


def summarise(name: str, change: dict, kind: str, runs: list[dict], note: str = "") -> dict:
    median = {key: float(np.median([r[key] for r in runs]))
              for key in ("samples_per_second", "wall_samples_per_second", "training_mse")}
    return {"name": name, "kind": kind, "change": change, "note": note, "runs": runs,
            "median_samples_per_second": median["samples_per_second"],
            "min_samples_per_second": min(r["samples_per_second"] for r in runs),
            "max_samples_per_second": max(r["samples_per_second"] for r in runs),
            "median_wall_samples_per_second": median["wall_samples_per_second"],
            "median_training_mse": median["training_mse"]}


def judge(entry: dict, baseline: dict, compared_with: float) -> dict:
    """Speed-up over the baseline, whether it trains as the baseline does, whether it helps: a median
    ``MIN_GAIN`` above ``compared_with`` (the median of what it changes) and no round below it."""
    entry["speedup_vs_baseline"] = entry["median_samples_per_second"] / baseline["median_samples_per_second"]
    entry["mse_ratio_vs_baseline"] = entry["median_training_mse"] / baseline["median_training_mse"]
    entry["trains_ok"] = entry["mse_ratio_vs_baseline"] <= 1 + MSE_TOLERANCE
    entry["helpful"] = bool(entry["kind"] != "baseline" and entry["trains_ok"]
                            and entry["median_samples_per_second"] >= compared_with * (1 + MIN_GAIN)
                            and entry["min_samples_per_second"] >= compared_with)
    return entry


def round_order(names: list[str], r: int, settings: dict) -> list[str]:
    """Round ``r`` of the single changes: the list rotated by an even share of its length, with the
    baseline first, after every ``baseline_every`` changes and last (drift shows in the baseline)."""
    shift = (r * len(names)) // settings["sweep_rounds"]
    order = []
    for i, name in enumerate(names[shift:] + names[:shift]):
        if i % settings["baseline_every"] == 0:
            order.append("baseline")
        order.append(name)
    return [*order, "baseline"]


def measure_in_order(frame, configs: dict[str, dict], orders: list[list[str]], settings: dict) -> dict[str, list]:
    """Each round's configurations in its order; every run keeps its round and place."""
    runs: dict[str, list[dict]] = {name: [] for name in configs}
    for r, order in enumerate(orders):
        for place, name in enumerate(order):
            params = {**DEFAULTS, "seed": settings["seed"], **configs[name]}
            runs[name].append({"round": r + 1, "place": place + 1,
                               **measure(frame, params, settings["sweep_epochs"])})
            print(f"  sweep round {r + 1} {name}: {runs[name][-1]['samples_per_second']:.0f} samples/s, "
                  f"MSE {runs[name][-1]['training_mse']:.5f}", flush=True)
    return runs


def warm_up(frame, settings: dict) -> dict:
    """Baseline runs until the JVM has compiled H2O's loops: ``warmup_epochs`` at least, then on until
    the last three runs are within ``WARMUP_SPREAD`` of each other (at most ``warmup_max_epochs``)."""
    params, epochs, runs = {**DEFAULTS, "seed": settings["seed"]}, settings["sweep_epochs"], []
    settled = False
    while not settled and len(runs) * epochs < settings["warmup_max_epochs"]:
        runs.append(measure(frame, params, epochs))
        print(f"  warm-up {len(runs)}: {runs[-1]['samples_per_second']:.0f} samples/s", flush=True)
        last = [r["samples_per_second"] for r in runs[-3:]]
        settled = (len(runs) * epochs >= settings["warmup_epochs"] and len(last) == 3
                   and max(last) - min(last) <= WARMUP_SPREAD * max(last))
    return {"epochs": len(runs) * epochs, "settled": settled, "spread": WARMUP_SPREAD, "runs": runs}


def combine(frame, singles: list[dict], baseline: dict, settings: dict) -> list[dict]:
    """The helpful settings added one by one, fastest first; each kept if it helps again."""
    helpful = sorted((e for e in singles if e["helpful"]), key=lambda e: -e["median_samples_per_second"])
    if len(helpful) < 2:
        return []
    current, combos = helpful[0], []
    for candidate in helpful[1:]:
        if set(candidate["change"]) & set(current["change"]):
            continue  # another value of a parameter already chosen
        name = f"{current['name']}+{candidate['name']}"
        change = {**current["change"], **candidate["change"]}
        runs = measure_in_order(frame, {name: change}, [[name]] * settings["sweep_rounds"], settings)[name]
        entry = judge(summarise(name, change, "combination", runs), baseline, current["median_samples_per_second"])
        combos.append(entry)
        if entry["helpful"]:
            current = entry
    return combos


def choose(entries: list[dict]) -> dict:
    """The fastest helpful configuration (the earlier on a tie), or the baseline if none helps."""
    baseline = entries[0]
    helpful = [e for e in entries if e["helpful"]]
    if not helpful:
        return {"name": baseline["name"], "change": {}, "median_samples_per_second":
                baseline["median_samples_per_second"], "speedup_vs_baseline": 1.0,
                "reason": f"no setting was {MIN_GAIN:.0%} faster than the baseline (median, and no round slower "
                          f"than its median) with a training MSE within {MSE_TOLERANCE:.0%} of its own, so H2O's "
                          "defaults stay"}
    best = max(helpful, key=lambda e: (e["median_samples_per_second"], -entries.index(e)))
    return {"name": best["name"], "change": best["change"],
            "median_samples_per_second": best["median_samples_per_second"],
            "speedup_vs_baseline": best["speedup_vs_baseline"],
            "reason": f"the fastest measured configuration that was at least {MIN_GAIN:.0%} faster than the "
                      "configuration it extends (median, and no round slower than that median) with a training "
                      f"MSE within {MSE_TOLERANCE:.0%} of the baseline's"}


def speed_sweep(frame, settings: dict) -> dict:
    """Step 1: warm-up, baseline and one change at a time in rotating rounds, then combinations."""
    described = {name: (change, note) for name, change, note in SETTINGS}
    warmup = warm_up(frame, settings)
    names = settings["sweep_settings"]
    configs = {"baseline": {}, **{name: described[name][0] for name in names}}
    runs = measure_in_order(frame, configs, [round_order(names, r, settings) for r in range(settings["sweep_rounds"])],
                            settings)
    baseline = summarise("baseline", {}, "baseline", runs["baseline"], "H2O's defaults, stopping_rounds=0")
    judge(baseline, baseline, baseline["median_samples_per_second"])
    singles = [judge(summarise(name, configs[name], "single", runs[name], described[name][1]), baseline,
                     baseline["median_samples_per_second"]) for name in names]
    combos = combine(frame, singles, baseline, settings)
    entries = [baseline, *singles, *combos]
    return {"n_rows": frame.nrows, "epochs": settings["sweep_epochs"], "rounds": settings["sweep_rounds"],
            "baseline_params": {**DEFAULTS, "seed": settings["seed"]},
            "ranked_by": "median samples / training duration of the scoring history",
            "criteria": {"min_gain": MIN_GAIN, "mse_tolerance": MSE_TOLERANCE,
                         "training_mse": "mean reconstruction MSE of all training rows after the run"},
            "order": "per round: the single changes rotated, the baseline first, after every "
                     f"{settings['baseline_every']} changes and last; each combination {settings['sweep_rounds']} "
                     "times in a row",
            "warmup": warmup, "settings": entries,
            "chosen": choose(entries)}


# ---- 2. seconds per epoch in turns, and the loss curves ----------------------------------------


def spread(values: list[float]) -> dict:
    return {"median": float(np.median(values)), "min": float(min(values)), "max": float(max(values)),
            "values": [float(v) for v in values]}


def keras_turn(x: np.ndarray, epochs: int, seed: int) -> dict:
    """A new Keras net: one epoch (with the JAX compilation), then ``epochs`` timed epochs."""
    model = keras_model(seed)
    start = time.perf_counter()
    model.fit(x, x, batch_size=BATCH_SIZE, epochs=1, shuffle=True, verbose=0)
    first = time.perf_counter() - start
    start = time.perf_counter()
    model.fit(x, x, batch_size=BATCH_SIZE, epochs=epochs, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    return {"first_call_seconds": first, "seconds": seconds, "epochs": epochs, "seconds_per_epoch": seconds / epochs}


def h2o_turn(frame, params: dict, epochs: int) -> dict:
    run = measure(frame, params, epochs)
    return {"seconds": run["wall_seconds"], "epochs": run["epochs"], "seconds_per_epoch": run["wall_seconds"]
            / run["epochs"], "train_seconds_per_epoch": run["train_seconds"] / run["epochs"],
            "samples_per_second": run["samples_per_second"]}


def timing_turns(x: np.ndarray, frame, chosen: dict, settings: dict) -> dict:
    """Keras, H2O with the chosen settings, H2O's defaults; again and again; ratios per turn."""
    epochs, seed = settings["turn_epochs"], settings["seed"]
    params = {"h2o_chosen": {**DEFAULTS, "seed": seed, **chosen}, "h2o_default": {**DEFAULTS, "seed": seed}}
    turns = []
    for t in range(settings["turns"]):
        turn = {"turn": t + 1, "keras": keras_turn(x, epochs, seed)}
        for name, p in params.items():
            turn[name] = h2o_turn(frame, p, epochs)
        turns.append(turn)
        print(f"  turn {t + 1}: " + ", ".join(f"{k} {turn[k]['seconds_per_epoch']:.3f} s/epoch"
                                               for k in ("keras", *params)), flush=True)
    summary = {name: spread([t[name]["seconds_per_epoch"] for t in turns]) for name in ("keras", *params)}
    ratios = {f"{name}_to_keras": spread([t[name]["seconds_per_epoch"] / t["keras"]["seconds_per_epoch"]
                                          for t in turns]) for name in params}
    return {"epochs_per_turn": epochs, "order": ["keras", *params], "params": params,
            "seconds_per_epoch": summary, "ratio": ratios, "turns": turns,
            "note": "wall seconds of one training call / its epochs; Keras after a first one-epoch call that "
                    "compiles its step (first_call_seconds), H2O with the JVM warmed up by the sweep; "
                    "the ratio of each turn is H2O's seconds per epoch / Keras's"}


def h2o_curve(frame, params: dict, epochs: int) -> tuple[object, dict]:
    """An H2O net scored on all training rows after every epoch: the training-MSE curve."""
    full = {**params, **CURVE_SCORING, "train_samples_per_iteration": frame.nrows}
    model, wall = h2o_train(frame, full, epochs)
    history = model.scoring_history()
    scored = history[history["epochs"] > 0]
    return model, {"params": {**full, "epochs": epochs}, "wall_seconds": wall,
                   "epochs": [round(float(e), 5) for e in scored["epochs"]],
                   "training_mse": [float(v) for v in scored["training_mse"]],
                   "initial_training_mse": float(history["training_mse"].iloc[0]),
                   "final_training_mse": float(np.mean(h2o_errors(model, frame))),
                   "history": history_rows(model)}


def plan_epochs(frame, chosen_params: dict, settings: dict, started: float) -> dict:
    """The curves' epochs: the demo's unless H2O, at its measured speed, would overrun the budget."""
    import h2o

    target, calibration = settings["curve_epochs"], settings["calibration_epochs"]
    model, trial = h2o_curve(frame, chosen_params, calibration)
    h2o.remove(model)
    per_epoch = trial["wall_seconds"] / calibration
    budget = settings["budget_minutes"] * 60
    left = budget - (time.perf_counter() - started) - RESERVE_SECONDS
    affordable = int(left // per_epoch) if left > 0 else 0
    epochs = max(settings["min_curve_epochs"], min(target, affordable))
    if epochs == target:
        reason = f"{target} epochs of H2O fit in the budget ({target * per_epoch:.0f} s of {left:.0f} s left)"
    else:
        reason = (f"{target} epochs of H2O at {per_epoch:.2f} s per epoch (scoring every epoch) would take "
                  f"{target * per_epoch:.0f} s, but only {max(left, 0):.0f} s of the {budget:.0f} s budget were left "
                  f"(after {RESERVE_SECONDS} s kept for what follows), so both curves run {epochs} epochs")
        if epochs > affordable:
            reason += " (the least this mode runs, so the budget is overrun)"
    return {"target_epochs": target, "epochs": epochs, "calibration_epochs": calibration,
            "calibration_seconds_per_epoch": per_epoch, "budget_seconds": budget,
            "seconds_left_at_plan": left, "reserve_seconds": RESERVE_SECONDS, "reason": reason}


def loss_curves(x: np.ndarray, frame, chosen: dict, settings: dict, started: float):
    """H2O's defaults for a few epochs (a reference), then H2O chosen and Keras for the planned epochs."""
    seed = settings["seed"]
    default_model, default_curve = h2o_curve(frame, {**DEFAULTS, "seed": seed}, settings["reference_epochs"])
    import h2o

    h2o.remove(default_model)
    plan = plan_epochs(frame, {**DEFAULTS, "seed": seed, **chosen}, settings, started)
    print(f"  curves: {plan['reason']}", flush=True)
    h2o_model, chosen_curve = h2o_curve(frame, {**DEFAULTS, "seed": seed, **chosen}, plan["epochs"])
    keras_net, fit = keras_train(x, plan["epochs"], seed, curve=True)
    keras_curve = {"epochs": plan["epochs"], "loss": fit["loss"], "mse_end_of_epoch": fit["mse"],
                   "final_training_mse": float(np.mean(keras_errors(keras_net, x))), "wall_seconds": fit["seconds"],
                   "note": "loss: Keras's running mean over the epoch's batches (what the demo prints); "
                           "mse_end_of_epoch: all rows after the epoch, as H2O scores"}
    curves = {"text_epochs": TEXT["epochs"], "epochs": plan["epochs"], "epochs_reason": plan["reason"],
              "plan": plan, "reference_epochs": settings["reference_epochs"], "keras": keras_curve,
              "h2o_chosen": chosen_curve, "h2o_default": default_curve}
    return curves, keras_net, h2o_model


# ---- 3. agreement; 4. the one-class protocol ------------------------------------------------


def agreement(keras_net, h2o_model, data: dict) -> dict:
    """How the two trained nets rank the test images, and their most anomalous training digit."""
    from scipy.stats import spearmanr

    keras_test = keras_errors(keras_net, data["test_x"])
    h2o_test = h2o_errors(h2o_model, data["test_frame"])
    rho, p_value = spearmanr(keras_test, h2o_test)
    top_keras = [int(i) for i in np.argsort(-keras_test, kind="stable")[:TOP]]
    top_h2o = [int(i) for i in np.argsort(-h2o_test, kind="stable")[:TOP]]
    worst = {"keras": int(np.argmax(keras_errors(keras_net, data["train_x"]))),
             "h2o": int(np.argmax(h2o_errors(h2o_model, data["train_frame"])))}
    return {"n_test": len(keras_test), "spearman": float(rho), "spearman_p_value": float(p_value),
            "top10_keras": top_keras, "top10_h2o": top_h2o, "top10_overlap": len(set(top_keras) & set(top_h2o)),
            "top10_labels": {"keras": [int(data["test_labels"][i]) for i in top_keras],
                             "h2o": [int(data["test_labels"][i]) for i in top_h2o]},
            "mean_test_mse": {"keras": float(keras_test.mean()), "h2o": float(h2o_test.mean())},
            "most_anomalous_training_digit": {
                name: {"index": i, "label": int(data["train_labels"][i])} for name, i in worst.items()}}


def one_class_digit(d: int, data: dict, chosen: dict, settings: dict) -> list[dict]:
    """Both nets trained on the first images of digit ``d``; AUROC with the other digits positive."""
    import h2o
    from sklearn.metrics import roc_auc_score

    rows = np.flatnonzero(data["all_train_labels"] == d)[:settings["train_per_digit"]]
    images = data["all_train_images"][rows]
    x = images.reshape(len(rows), -1).astype("float32") / 255
    anomalous = (data["test_labels"] != d).astype(int)
    epochs, seed = settings["one_class_epochs"], settings["seed"]
    keras_net, fit = keras_train(x, epochs, seed)
    start = time.perf_counter()
    keras_scores = keras_errors(keras_net, data["test_x"])
    runs = [{"digit": d, "model": "keras", "auroc": float(roc_auc_score(anomalous, keras_scores)),
             "train_seconds": fit["seconds"], "score_seconds": time.perf_counter() - start,
             "training_mse": float(np.mean(keras_errors(keras_net, x)))}]
    frame = to_h2o(images, f"digit{d}")
    model, wall = h2o_train(frame, {**DEFAULTS, "seed": seed, **chosen}, epochs)
    start = time.perf_counter()
    h2o_scores = h2o_errors(model, data["test_frame"])
    runs.append({"digit": d, "model": "h2o", "auroc": float(roc_auc_score(anomalous, h2o_scores)),
                 "train_seconds": wall, "score_seconds": time.perf_counter() - start,
                 "training_mse": float(np.mean(h2o_errors(model, frame)))})
    h2o.remove(model)
    h2o.remove(frame)
    print(f"  one-class digit {d}: AUROC Keras {runs[0]['auroc']:.3f}, H2O {runs[1]['auroc']:.3f}", flush=True)
    return runs


def one_class(data: dict, chosen: dict, settings: dict) -> dict:
    runs = [run for d in settings["digits"] for run in one_class_digit(d, data, chosen, settings)]
    per_digit = {m: {str(r["digit"]): r["auroc"] for r in runs if r["model"] == m} for m in ("keras", "h2o")}
    return {"digits": settings["digits"], "train_per_digit": settings["train_per_digit"],
            "epochs": settings["one_class_epochs"], "n_test": len(data["test_labels"]),
            "protocol": "train on the first images of digit d (file order), score all test images by "
                        "reconstruction MSE, AUROC with every other digit as the anomalous (positive) class",
            "h2o_params": {**DEFAULTS, "seed": settings["seed"], **chosen},
            "runs": runs, "per_digit_auroc": per_digit,
            "mean_auroc": {m: float(np.mean(list(v.values()))) for m, v in per_digit.items()},
            "train_seconds_total": {m: float(sum(r["train_seconds"] for r in runs if r["model"] == m))
                                    for m in ("keras", "h2o")}}


# ---- the run ----------------------------------------------------------------------------------


def java_of_h2o() -> dict:
    """The java the H2O nodes run (aebook.h2o_session.find_java) and its version line."""
    from aebook.h2o_session import find_java, java_major_version

    java = find_java()
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    lines = (out.stderr or out.stdout).strip().splitlines()
    return {"path": java, "version": lines[0].strip() if lines else "unknown", "major": java_major_version(java)}


def versions() -> dict:
    import h2o
    import jax
    import jaxlib
    import keras
    import scipy
    import sklearn

    return {"keras": keras.__version__, "keras_backend": keras.backend.backend(), "jax": jax.__version__,
            "jaxlib": jaxlib.__version__, "jax_devices": ", ".join(str(d) for d in jax.devices()),
            "h2o": h2o.__version__, "h2o_cluster": h2o.cluster().version, "numpy": np.__version__,
            "scipy": scipy.__version__, "sklearn": sklearn.__version__}


def load_data(settings: dict) -> dict:
    """The numpy arrays and H2O frames every step uses."""
    from aebook.mnist import load_mnist

    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    n = settings["n_train"]
    return {"all_train_images": train_images, "all_train_labels": train_labels,
            "train_x": train_images[:n].reshape(n, -1).astype("float32") / 255, "train_labels": train_labels[:n],
            "test_x": test_images.reshape(len(test_images), -1).astype("float32") / 255, "test_labels": test_labels,
            "train_frame": to_h2o(train_images[:n], "keras_vs_h2o_train"),
            "test_frame": to_h2o(test_images, "keras_vs_h2o_test")}


def run_steps(settings: dict, started: float) -> dict:
    data = load_data(settings)
    print("1. H2O's speed settings", flush=True)
    sweep = speed_sweep(data["train_frame"], settings)
    chosen = sweep["chosen"]["change"]
    print(f"   chosen: {sweep['chosen']['name']} ({sweep['chosen']['median_samples_per_second']:.0f} samples/s)",
          flush=True)
    print("2. seconds per epoch in turns", flush=True)
    timing = timing_turns(data["train_x"], data["train_frame"], chosen, settings)
    print("4. the one-class protocol", flush=True)
    classes = one_class(data, chosen, settings)
    print("2. loss curves", flush=True)
    curves, keras_net, h2o_model = loss_curves(data["train_x"], data["train_frame"], chosen, settings, started)
    print("3. agreement", flush=True)
    agree = agreement(keras_net, h2o_model, data)
    agree["final_training_mse"] = {"keras": curves["keras"]["final_training_mse"],
                                   "h2o": curves["h2o_chosen"]["final_training_mse"]}
    return {"h2o_speed_sweep": sweep, "timing": timing, "loss_curves": curves, "agreement": agree,
            "one_class": classes}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = settings_from(args)
    load_start = os.getloadavg()
    started = time.perf_counter()
    keras_home = tempfile.mkdtemp(prefix="keras_home_")  # Keras writes its config file there, not in ~/.keras
    os.environ["KERAS_HOME"] = keras_home
    os.environ["KERAS_BACKEND"] = "jax"  # before keras is imported
    warnings.filterwarnings("ignore", message="Deprecated option")  # diagnostics=False is measured on purpose
    from aebook import h2o_session

    print(f"Keras vs H2O ({'quick' if args.quick else 'full'}): {settings['n_train']} digits, "
          f"one-class digits {settings['digits']}", flush=True)
    try:
        with h2o_session(max_mem_size=args.max_mem_size, progress=False):
            steps = run_steps(settings, started)
            found = versions()
        java = java_of_h2o()
    finally:
        shutil.rmtree(keras_home, ignore_errors=True)
    results = {**run_header(BENCHMARK, SCHEMA_VERSION, SCRIPT, args.quick, argv),
               **run_environment(load_start, {**found, "java": java["version"]}),
               "h2o_java": java, "total_seconds": time.perf_counter() - started,
               "settings": settings, "text": TEXT, **steps}
    return write_or_reject(results, args.out)


def write_or_reject(results: dict, out: Path) -> int:
    """Check the results, then write them; a failing file goes beside (``<out>.rejected.json``), for a look."""
    try:
        KERAS_VS_H2O.check(results, f"the results for {out}")
    except ResultsError as err:
        rejected = out.with_name(out.stem + ".rejected.json")
        write_json(rejected, results)
        print(f"{err} (the figures are in {rejected})", file=sys.stderr)
        return 1
    write_json(out, results)
    print(f"wrote {out} ({results['total_seconds'] / 60:.1f} minutes)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
