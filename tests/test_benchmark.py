"""The one-class MNIST benchmark: its quick mode runs and writes figures that make sense."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from scripts import run_successfully, usage_error

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "one_class_mnist.py"
SEARCH_SCRIPT = ROOT / "benchmarks" / "one_class_mnist_search.py"
METHODS = {"pca", "isolation_forest", "h2o_autoencoder"}


@pytest.mark.parametrize("script, args, message", [
    (SCRIPT, ["--digits", "11"], "each digit must be from 0 to 9"),
    (SCRIPT, ["--digits", "3", "3"], "each digit at most once"),
    (SCRIPT, ["--seeds", "-1"], "seeds must be >= 0"),
    (SCRIPT, ["--digits", "x"], "invalid int value"),
    (SCRIPT, ["--ae-seeds", "7"], "--ae-seeds: each at most once and among the seeds"),
    (SCRIPT, ["--search", "benchmarks/results/nothing.json"], "--search: "),
    (SCRIPT, ["--search", "benchmarks/results/one_class_mnist.json"],
     "is not a results file of benchmarks/one_class_mnist_search.py"),
    (SEARCH_SCRIPT, ["--digits", "10"], "each digit must be from 0 to 9"),
    (SEARCH_SCRIPT, ["--out", "/proc/x/y.json"], "--out: "),
])
def test_bad_arguments_of_the_search_and_the_final_table_stop_at_once(script, args, message):
    assert message in usage_error(script, *args)


@pytest.mark.h2o
def test_quick_mode_writes_sensible_figures(tmp_path):
    out = tmp_path / "quick.json"
    result = run_successfully(SCRIPT, "--quick", "--out", str(out))
    assert "AUROC per digit" in result.stdout  # the printed table
    data = json.loads(out.read_text())

    assert data["mode"] == "quick"
    digits, seeds = data["protocol"]["digits"], data["protocol"]["seeds"]
    assert digits == [0, 1] and len(seeds) >= 2
    assert data["machine"]["cpu_count"] >= 1
    for tool in ("python", "h2o", "sklearn", "numpy", "java"):
        assert data["versions"][tool], tool
    for key in ("loadavg_start", "loadavg_end"):
        assert len(data["run_conditions"][key]) == 3

    # every method on every digit and seed (the classic configuration: first seed only)
    runs = data["runs"]
    main = data["methods"]["h2o_autoencoder"]["main_config"]
    configs = set(data["methods"]["h2o_autoencoder"]["configs"])
    assert main == "validated" and configs == {"validated", "classic"}
    for method in METHODS:
        for digit in digits:
            for seed in seeds:
                found = [r for r in runs if r["method"] == method and r["digit"] == digit and r["seed"] == seed
                         and r["config"] in (None, main)]
                assert len(found) == 1, (method, digit, seed)
    for run in runs:
        assert 0.0 <= run["auroc"] <= 1.0 and 0.0 <= run["ap"] <= 1.0, run
        assert run["fit_seconds"] >= 0 and run["score_seconds"] >= 0, run

    # the summary agrees with the runs, and the linear baseline finds the other digits
    summary = data["summary"]
    assert {s["method"] for s in summary.values()} == METHODS
    pca = summary["pca"]
    pca_runs = [r["auroc"] for r in runs if r["method"] == "pca"]
    assert math.isclose(pca["mean_auroc"], sum(pca_runs) / len(pca_runs), rel_tol=1e-9)
    assert pca["mean_auroc"] > 0.5
    for entry in summary.values():
        assert 0.0 <= entry["mean_auroc"] <= 1.0 and entry["std_auroc_over_seeds"] >= 0
        assert set(entry["per_digit"]) == {str(d) for d in digits}

    # every run used the setting its method lists for the digit
    for run in runs:
        if run["method"] in ("pca", "isolation_forest"):
            assert run["setting"] == data["methods"][run["method"]]["settings_per_digit"][str(run["digit"])]

    # intervals and curves for every digit
    for d in digits:
        pairs = data["bootstrap"][str(d)]
        assert set(pairs) == {"h2o_autoencoder - pca", "h2o_autoencoder - isolation_forest"}
        for interval in pairs.values():
            assert interval["low"] <= interval["high"]
            assert interval["rounds"] >= 2000
            joint = interval["simultaneous"]  # Bonferroni, for the digits read together
            assert joint["family"] == len(digits)
            assert joint["low"] <= interval["low"] <= interval["high"] <= joint["high"]
        assert set(data["curves"][str(d)]) == METHODS

    # speed: the classic configuration with both schedules, each on all cores and on one thread;
    # every speed run trains exactly one epoch, as its scoring history shows
    speed = data["speed"]
    assert {(s["schedule"], s["reproducible"]) for s in speed if s["config"] == "classic"} == {
        ("H2O default", False), ("H2O default", True), ("one iteration per epoch", False),
        ("one iteration per epoch", True)}
    for s in speed:
        assert s["samples"] > 0 and s["samples_per_second"] > 0 and s["wall_seconds"] > 0, s
        assert s["history"][-1][0] == s["epochs"] >= 1.0, s
        if s["schedule"] == "one iteration per epoch" or s["reproducible"]:
            assert s["iterations"] == 1 and s["epochs"] == 1.0, s  # exactly one epoch


@pytest.mark.h2o
def test_the_quick_search_writes_a_checked_file(tmp_path):
    from aebook.one_class_mnist_results import load_search_results

    out = tmp_path / "search.json"
    run_successfully(SEARCH_SCRIPT, "--quick", "--out", str(out))
    data = load_search_results(str(out))
    assert data["mode"] == "quick" and data["protocol"]["digits"] == [0, 1]
    # every trained candidate on both digits, and the ensemble (which trains nothing) too
    assert len(data["runs"]) == 2 * (sum(data["protocol"]["budget_per_method"].values()) + 1)
    grid = data["protocol"]["autoencoder_grid"]
    assert grid["strategy"] == "RandomDiscrete" and grid["max_models"] == 8
    candidates = data["candidates"]["h2o_autoencoder"]
    members = candidates.pop("ensemble_top3")["members"]
    assert len(candidates) == 8 and len(members) == 3 and set(members) <= set(candidates)
    for params in candidates.values():  # drawn from the grid's space, trained for exactly their epochs
        assert params["stopping_rounds"] == 0 and params["epochs"] in grid["hyper_params"]["epochs"]
        assert {k: params[k] for k in grid["hyper_params"]}.keys() == grid["hyper_params"].keys()
        assert all(params[k] in values for k, values in grid["hyper_params"].items())

    # an ensemble chosen on validation is trained on the test protocol as its three members
    raw = json.loads(out.read_text())
    for run in raw["runs"]:
        if run["candidate"] == "ensemble_top3" and run["digit"] == 0:
            run["auroc"] = 1.0  # make it the choice of digit 0
    from aebook.one_class_mnist_results import choose_settings

    raw["chosen"] = choose_settings(raw["runs"], list(raw["candidates"]))
    ensemble_search = tmp_path / "ensemble_search.json"
    ensemble_search.write_text(json.dumps(raw))
    final = tmp_path / "final.json"
    run_successfully(SCRIPT, "--quick", "--digits", "0", "--seeds", "1", "--search", str(ensemble_search),
                     "--out", str(final))
    validated = json.loads(final.read_text())["methods"]["h2o_autoencoder"]["configs"]["validated"]
    assert validated["settings_per_digit"] == {"0": "ensemble_top3"}
    assert list(validated["params_per_digit"]["0"]["members"]) == members
