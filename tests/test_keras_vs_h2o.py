"""The Keras-versus-H2O benchmark: its committed results, the loader's errors, its quick mode, its arguments."""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import math

import pytest

from aebook.keras_comparison import DEFAULT_RESULTS, load_keras_vs_h2o
from aebook.results_files import ResultsError
from aebook.schemas import schema
from scripts import ROOT, run_successfully, usage_error

SCRIPT = ROOT / "benchmarks" / "keras_vs_h2o.py"
RESULTS = ROOT / DEFAULT_RESULTS


@pytest.fixture
def committed() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_the_committed_results_match_the_schema_and_load():
    schema("keras_vs_h2o")  # itself a valid Draft 2020-12 schema
    data = load_keras_vs_h2o(DEFAULT_RESULTS)
    assert data["mode"] == "full"
    assert data["text"]["epochs"] == data["loss_curves"]["text_epochs"] == 400
    assert data["one_class"]["digits"] == list(range(10))
    names = [s["name"] for s in data["h2o_speed_sweep"]["settings"]]
    assert names[0] == "baseline" and data["h2o_speed_sweep"]["chosen"]["name"] in names
    assert len(data["timing"]["turns"]) >= 3
    assert data["versions"]["keras_backend"] == "jax"


def test_a_truncated_copy_is_refused_naming_the_file(tmp_path):
    text = RESULTS.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ResultsError, match="cannot be read as JSON") as err:
        load_keras_vs_h2o(cut)
    assert str(cut) in str(err.value)


def _drop_digit_nine(data: dict) -> None:
    one_class = data["one_class"]
    one_class["digits"] = one_class["digits"][:-1]
    one_class["runs"] = [r for r in one_class["runs"] if r["digit"] != 9]
    for model, per_digit in one_class["per_digit_auroc"].items():
        per_digit.pop("9")
        one_class["mean_auroc"][model] = sum(per_digit.values()) / len(per_digit)


DAMAGE = {
    "a missing section": (lambda d: d.pop("agreement"), "'agreement' is a required property"),
    "an AUROC above 1": (lambda d: d["one_class"]["runs"][0].update(auroc=1.5), "1.5 is greater than"),
    "a negative time": (lambda d: d["timing"]["turns"][0]["keras"].update(seconds_per_epoch=-0.1), "-0.1"),
    "nine digits in full mode": (_drop_digit_nine, "one_class"),
    "a NaN": (lambda d: d["agreement"].update(spearman=math.nan), "NaN or infinite"),
    "a mean that is not its digits'": (lambda d: d["one_class"]["mean_auroc"].update(h2o=0.01), "mean"),
    "a curve cut short": (lambda d: d["loss_curves"]["keras"]["loss"].pop(), "loss_curves/keras/loss"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_malformed_copy_is_refused_naming_the_file_and_the_problem(tmp_path, committed, damage):
    change, expected = DAMAGE[damage]
    data = copy.deepcopy(committed)
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResultsError) as err:
        load_keras_vs_h2o(bad)
    message = str(err.value)
    assert str(bad) in message and expected in message, message
    assert "benchmarks/keras_vs_h2o.py" in message  # the fix


def test_a_missing_file_is_refused_with_the_fix(tmp_path):
    with pytest.raises(ResultsError, match="is not a file") as err:
        load_keras_vs_h2o(tmp_path / "nothing.json")
    assert "benchmarks/keras_vs_h2o.py" in str(err.value)
    with pytest.raises(ResultsError, match=r"not the path of a \.json file"):
        load_keras_vs_h2o(tmp_path / "results.txt")


@pytest.mark.h2o
@pytest.mark.slow
def test_quick_mode_writes_sensible_figures(tmp_path):
    # found, not imported: keras imported here would pick its default backend (TensorFlow, absent) and
    # write ~/.keras; the script sets KERAS_BACKEND=jax and a temporary KERAS_HOME itself
    missing = [name for name in ("keras", "jax") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (optional): pip install -r requirements-compare.txt")
    out = tmp_path / "x.json"
    run_successfully(SCRIPT, "--quick", "--out", str(out), timeout=600)
    data = load_keras_vs_h2o(out)  # the schema and the checks of the loader

    assert data["mode"] == "quick" and data["one_class"]["digits"] == [0, 1]
    assert data["versions"]["keras_backend"] == "jax" and data["h2o_java"]["major"] >= 8
    loss = data["loss_curves"]["keras"]["loss"]
    assert len(loss) >= 2 and all(b < a for a, b in itertools.pairwise(loss)), loss
    h2o_curve = data["loss_curves"]["h2o_chosen"]["training_mse"]
    assert h2o_curve[-1] < data["loss_curves"]["h2o_chosen"]["initial_training_mse"]
    for run in data["one_class"]["runs"]:
        assert 0.0 <= run["auroc"] <= 1.0 and run["train_seconds"] > 0, run
    for ratio in data["timing"]["ratio"].values():
        assert ratio["min"] <= ratio["median"] <= ratio["max"]
    sweep = data["h2o_speed_sweep"]
    assert sweep["chosen"]["name"] in [s["name"] for s in sweep["settings"]]
    assert 0 <= data["agreement"]["top10_overlap"] <= 10 and -1 <= data["agreement"]["spearman"] <= 1


@pytest.mark.parametrize("args, message", [
    (["--digits", "11"], "each digit must be from 0 to 9"),
    (["--digits", "3", "3"], "each digit at most once"),
    (["--turns", "1"], "--turns must be from 2 to 20"),
    (["--one-class-epochs", "0"], "--one-class-epochs must be from 1 to 1000"),
    (["--budget-minutes", "0"], "--budget-minutes must be from 1 to 600"),
    (["--seed", "-1"], "--seed must be >= 0"),
    (["--max-mem-size", "lots"], "--max-mem-size"),
    (["--turns", "x"], "invalid int value"),
])
def test_bad_arguments_give_a_one_sentence_error(args, message):
    error = usage_error(SCRIPT, *args).strip().splitlines()[-1]
    assert error.startswith("keras_vs_h2o.py: error: ") and message in error, error
    assert ". " not in error.removeprefix("keras_vs_h2o.py: error: ").rstrip("."), error  # one sentence


def test_an_output_path_that_is_a_folder_is_refused_before_any_work(tmp_path):
    error = usage_error(SCRIPT, "--out", str(tmp_path))
    assert "--out: " in error and "is a folder" in error
