"""Notebook parameters: papermill lists them all with a type, every validation cell
rejects a bad value in one sentence before any work, the evaluation chapter finds its results from
any working directory, and the ECG chapter copes with a threshold that flags no beat.

The validation tests run a notebook's own cells (its ``aebook`` imports, its parameters
cell with some values replaced, as papermill does, and its validation cell) without a
kernel, so they are fast.
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import nbformat
import papermill
import pytest
from click.testing import CliRunner
from papermill.cli import papermill as papermill_cli

from aebook.params import SEED_MAX, ParameterError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
STEMS = [p.stem for p in NOTEBOOKS]


def _cells(stem: str) -> tuple[str, str, str]:
    """The sources of the notebook's imports, parameters and validation cells."""
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    tagged = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    validation = next(c for c in nb.cells[tagged + 1:] if c.cell_type == "code")
    imports = next(c for c in nb.cells if c.cell_type == "code")
    return imports.source, nb.cells[tagged].source, validation.source


def parameter_names(stem: str) -> list[str]:
    body = ast.parse(_cells(stem)[1]).body
    return [t.id for node in body if isinstance(node, (ast.Assign, ast.AnnAssign))
            for t in getattr(node, "targets", [getattr(node, "target", None)]) if isinstance(t, ast.Name)]


def validate(stem: str, **values: object) -> dict:
    """Run the notebook's validation cell after its parameters cell, with ``values`` injected."""
    imports, parameters, validation = _cells(stem)
    namespace: dict = {}
    tree = ast.parse(imports)
    tree.body = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    exec(compile(tree, f"{stem} imports", "exec"), namespace)  # the notebook's own code
    exec(parameters, namespace)
    unknown = set(values) - set(parameter_names(stem))
    assert not unknown, f"not parameters of {stem}: {unknown}"
    namespace.update(values)
    exec(validation, namespace)
    return namespace


# ---- papermill --help-notebook ----------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_papermill_help_lists_every_parameter_with_its_type(stem):
    result = CliRunner().invoke(papermill_cli, ["--help-notebook", str(ROOT / "notebooks" / f"{stem}.ipynb")])
    assert result.exit_code == 0, result.output
    assert "Unknown type" not in result.output
    for name in parameter_names(stem):
        assert re.search(rf"^  {name}: [\w\[\], ]+ \(default ", result.output, re.MULTILINE), \
            f"{name} missing from papermill's help:\n{result.output}"
    described = re.findall(r"\(default .*?\)\s+(\S.*)", result.output)
    assert len(described) == len(parameter_names(stem)), "every parameter has a description"


# ---- validation cells --------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_the_defaults_pass_validation_from_any_working_directory(stem, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # papermill and jupyter may run a notebook from anywhere
    validate(stem)


MEMORY = [s for s in STEMS if "max_mem_size" in parameter_names(s)]
EPOCHS = [s for s in STEMS if "epochs" in parameter_names(s)]
SEEDED = [s for s in STEMS if "seed" in parameter_names(s)]


@pytest.mark.parametrize("stem", MEMORY)
@pytest.mark.parametrize("size", ["10M", "0G", "64M", "99999G", "2", 2, "2GB", " 2G"])
def test_memory_sizes_below_the_minimum_or_beyond_the_machine_are_rejected(stem, size):
    with pytest.raises(ParameterError, match=r"^invalid parameter max_mem_size=.*: expected a memory size from "):
        validate(stem, max_mem_size=size)


@pytest.mark.parametrize("stem", MEMORY)
def test_a_lowercase_memory_size_is_accepted(stem):
    validate(stem, max_mem_size="1g")


@pytest.mark.parametrize("stem", EPOCHS)
@pytest.mark.parametrize("epochs", [True, math.inf, math.nan, "1", 0])
def test_epochs_must_be_a_finite_number_not_a_bool(stem, epochs):
    with pytest.raises(ParameterError, match=r"^invalid parameter epochs="):
        validate(stem, epochs=epochs)


@pytest.mark.parametrize("stem", SEEDED)
@pytest.mark.parametrize("seed", [2**63, -1, True, 1.0])
def test_seeds_beyond_h2os_long_are_rejected(stem, seed):
    with pytest.raises(ParameterError, match=r"^invalid parameter seed="):
        validate(stem, seed=seed)


@pytest.mark.parametrize("stem", ["01_autoencoders", "04_mnist_deep"])
def test_the_largest_h2o_seed_is_accepted(stem):
    validate(stem, seed=SEED_MAX)


def test_the_ecg_stability_seeds_stay_within_h2os_long():
    validate("07_ecg", seed=SEED_MAX - 4, stability_seeds=5)
    with pytest.raises(ParameterError, match=r"^invalid parameter seed="):
        validate("07_ecg", seed=SEED_MAX - 3, stability_seeds=5)


def test_the_mnist_seed_is_bounded_by_scikit_learn():
    validate("03_mnist_good_bad_ugly", seed=2**32 - 1)
    with pytest.raises(ParameterError, match=r"from 0 to 2\*\*32 - 1"):
        validate("03_mnist_good_bad_ugly", seed=2**32)


@pytest.mark.parametrize("stem, name, value", [
    ("03_mnist_good_bad_ugly", "hidden", [True]),
    ("03_mnist_good_bad_ugly", "hidden", [50.0]),
    ("03_mnist_good_bad_ugly", "hidden", []),
    ("04_mnist_deep", "hidden", [True]),
    ("04_mnist_deep", "hidden", [100, 50]),
    ("01_autoencoders", "widths", [True]),
    ("01_autoencoders", "widths", []),
    ("03_mnist_good_bad_ugly", "activation", "tanh"),
    ("02_mnist_data", "split", "TRAIN"),
    ("02_mnist_data", "example_index", True),
    ("07_ecg", "margin", math.inf),
    ("07_ecg", "margin", math.nan),
    ("07_ecg", "margin", 0.5),
    ("07_ecg", "l1", math.nan),
    ("07_ecg", "cv_folds", True),
    ("04_mnist_deep", "k", 2.0),
    ("08_time_series", "stride", 0),
    ("08_time_series", "held_out_share", 0.9),
    ("11_web_logs", "session_gap_minutes", 0),
    ("11_web_logs", "top_k", 2),
    ("11_web_logs", "bucket", "Web_Logs"),
    ("11_web_logs", "alert_budget", 0),
    ("11_web_logs", "log_source", "no/such/access.log"),
    ("12_your_own_data", "normal_value", 1),
    ("12_your_own_data", "normal_column", True),
    ("12_your_own_data", "data", "no/such/table.csv"),
])
def test_bad_values_are_rejected_in_one_sentence(stem, name, value):
    with pytest.raises(ParameterError) as error:
        validate(stem, **{name: value})
    message = str(error.value)
    assert message.startswith(f"invalid parameter {name}={value!r}: expected ")
    assert "\n" not in message


def test_a_number_where_text_belongs_points_to_papermills_r():
    with pytest.raises(ParameterError, match=r"papermill's -p reads 1 as a number, so pass it as text with "
                                             r"-r normal_value 1$"):
        validate("12_your_own_data", normal_value=1)


def test_a_missing_relative_path_says_where_relative_paths_start():
    with pytest.raises(ParameterError, match=r"a relative path starts at the project folder, /"):
        validate("12_your_own_data", data="no/such/table.csv")


def test_the_example_digit_must_be_among_the_digits_in_h2o():
    validate("02_mnist_data", split="test", example_index=7, h2o_rows=8)
    with pytest.raises(ParameterError, match=r"^invalid parameter h2o_rows=7: expected a whole number from 8 to "):
        validate("02_mnist_data", split="test", example_index=7, h2o_rows=7)


def test_a_large_ecg_margin_is_a_valid_choice():
    validate("07_ecg", margin=50)


def _no_cores() -> str:
    import json

    results = json.loads((ROOT / "benchmarks" / "results" / "one_class_mnist.json").read_text())
    results["machine"]["cpu_count"] = 0  # only the file's JSON Schema says what a core count is
    return json.dumps(results)


@pytest.mark.parametrize("content, problem", [
    (lambda: '{"benchmark": "one-class MNIST", "runs": [', r"cannot be read as JSON"),
    (_no_cores, r"at machine/cpu_count, 0 is less than the minimum of 1; run benchmarks/one_class_mnist\.py again"),
])
def test_the_evaluation_chapter_names_a_broken_results_file(tmp_path, content, problem):
    from aebook.results_files import ResultsError

    bad = tmp_path / "broken.json"
    bad.write_text(content())
    with pytest.raises(ResultsError, match=rf"^{re.escape(str(bad))}:? {problem}"):
        validate("05_evaluation", results_path=str(bad))


# ---- whole runs -----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_evaluation_chapter_runs_from_the_project_folder(tmp_path):
    """The README's papermill example is run from the repository root."""
    path = ROOT / "notebooks" / "05_evaluation.ipynb"
    papermill.execute_notebook(str(path), str(tmp_path / path.name), cwd=str(ROOT),
                               kernel_name="python3", progress_bar=False)


@pytest.mark.slow
@pytest.mark.h2o
def test_the_ecg_chapter_finishes_when_no_beat_is_flagged(tmp_path):
    path = ROOT / "notebooks" / "07_ecg.ipynb"
    out = tmp_path / path.name
    parameters = {"epochs": 10, "cv_folds": 2, "stability_seeds": 2, "margin": 1e12}
    papermill.execute_notebook(str(path), str(out), parameters=parameters, cwd=str(path.parent),
                               kernel_name="python3", progress_bar=False)
    text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells
                   if c.cell_type == "code" for o in c.outputs)
    assert "flagged test rows: []" in text
    assert "No test beat is above the threshold" in text


@pytest.mark.slow
@pytest.mark.parametrize("parameters, message", [
    ({"log_source": "ecg/ecg_discord_train.csv"},
     "None of the 20 lines is an access-log entry in the format"),
    ({"training_days": 4}, "training_days=4 leaves no day to score: the log covers 4 days"),
])
def test_the_web_log_chapter_names_a_log_it_cannot_use_before_h2o_starts(tmp_path, parameters, message):
    """A file that is not an access log, or no day left to score: one sentence, and the
    chapter stops before it starts H2O."""
    path = ROOT / "notebooks" / "11_web_logs.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(str(path), str(tmp_path / path.name), parameters=parameters,
                                   cwd=str(path.parent), kernel_name="python3", progress_bar=False,
                                   execution_timeout=300)
    assert error.value.ename == "LogError"
    assert error.value.evalue.startswith(message) and "\n" not in error.value.evalue
    executed = nbformat.read(tmp_path / path.name, as_version=4)
    assert not any("start_h2o(" in c.source and c.get("execution_count") for c in executed.cells
                   if c.cell_type == "code"), "H2O was started before the log was checked"


@pytest.mark.parametrize("values, message", [
    ({"window": 50_000}, "window=50000 does not fit a series of 44,940 samples: choose a window from 2"),
    ({"train_end": 50_000}, "The training stretch 0 to 50,000 lies outside the series"),
    ({"train_start": 4000, "train_end": 4100}, "The training stretch 4,000 to 4,100 holds fewer than two windows"),
])
def test_the_time_series_chapter_refuses_windows_that_do_not_fit_in_one_sentence(values, message):
    from aebook.timeseries import SeriesError

    with pytest.raises(SeriesError) as error:
        validate("08_time_series", **values)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
