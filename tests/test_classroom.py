"""The classroom quick mode: one switch (AEBOOK_QUICK), quick parameters in one place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aebook.classroom import QUICK_ENV, QUICK_PARAMETERS, QuickModeError, apply_quick_mode, quick_mode

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value, expected", [(None, False), ("", False), ("0", False), ("1", True), (" 1 ", True)])
def test_quick_mode_reads_the_environment_variable(value, expected):
    environ = {} if value is None else {QUICK_ENV: value}
    assert quick_mode(environ) is expected


@pytest.mark.parametrize("value", ["yes", "true", "2", "quick"])
def test_an_invalid_value_is_a_one_sentence_error(value):
    with pytest.raises(QuickModeError) as error:
        quick_mode({QUICK_ENV: value})
    message = str(error.value)
    assert message == (f"AEBOOK_QUICK={value!r} is not valid: set it to 1 for the classroom quick mode, "
                       "or to 0 (or leave it unset) for the full run.")


def test_off_it_changes_nothing_and_prints_nothing(capsys):
    namespace = {"train_rows": 60000, "epochs": 1}
    assert apply_quick_mode("03_mnist_good_bad_ugly", namespace, environ={}) is False
    assert namespace == {"train_rows": 60000, "epochs": 1}
    assert capsys.readouterr().out == ""


def test_on_it_sets_the_quick_values_and_prints_one_line(capsys):
    namespace = {"n_train": 2000, "n_anomalies": 25, "epochs": 50, "widths": [1, 2, 3], "seed": 1}
    assert apply_quick_mode("01_autoencoders", namespace, environ={QUICK_ENV: "1"}) is True
    assert namespace == {**QUICK_PARAMETERS["01_autoencoders"], "seed": 1}
    out = capsys.readouterr().out
    assert out == "Quick mode (AEBOOK_QUICK=1): n_train=400, n_anomalies=10, epochs=25, widths=[1, 3, 12].\n"


def test_the_notebook_gets_a_copy_of_the_quick_values():
    first = {"n_train": 1, "n_anomalies": 1, "epochs": 1, "widths": [1]}
    apply_quick_mode("01_autoencoders", first, environ={QUICK_ENV: "1"})
    first["widths"].append(99)  # a notebook changing its list must not change the shared table
    assert QUICK_PARAMETERS["01_autoencoders"]["widths"] == [1, 3, 12]


def test_a_chapter_that_is_already_quick_says_so(capsys):
    assert apply_quick_mode("05_evaluation", {"results_path": "x.json"}, environ={QUICK_ENV: "1"}) is True
    assert capsys.readouterr().out == "Quick mode (AEBOOK_QUICK=1): no changes, the chapter is already quick.\n"


def test_a_chapter_without_quick_parameters_is_an_error():
    with pytest.raises(QuickModeError, match=r"chapter '99_new' has no quick parameters: add an entry"):
        apply_quick_mode("99_new", {}, environ={QUICK_ENV: "1"})


def test_a_quick_parameter_the_notebook_does_not_have_is_an_error():
    with pytest.raises(QuickModeError, match=r"quick parameters \['train_rows'\] of '03_mnist_good_bad_ugly'"):
        apply_quick_mode("03_mnist_good_bad_ugly", {"rows": 1}, environ={QUICK_ENV: "1"})


def run_cli(tmp_path: Path, quick: str) -> subprocess.CompletedProcess:
    out = tmp_path / "quick" / "_config.yml"
    env = {"PATH": "/usr/bin:/bin", QUICK_ENV: quick}
    return subprocess.run([sys.executable, "-m", "aebook.quick_config", "--quick-config", str(out)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_the_quick_build_config_has_its_own_cache_and_keeps_everything_else(tmp_path):
    result = run_cli(tmp_path, "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # no runpy warning, nothing else either
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    quick = yaml.safe_load((tmp_path / "quick" / "_config.yml").read_text())
    assert quick["execute"]["cache"] == str(tmp_path / "quick" / ".jupyter_cache")
    assert quick["execute"]["cache"] != book["execute"]["cache"]
    assert quick["title"] == book["title"] + " (quick mode)"
    for name, folder in book["sphinx"].get("local_extensions", {}).items():  # relative to the config file
        assert quick["sphinx"]["local_extensions"][name] == str((ROOT / folder).resolve())
        assert Path(quick["sphinx"]["local_extensions"][name], f"{name}.py").is_file()
    quick["sphinx"]["local_extensions"] = book["sphinx"].get("local_extensions")
    for key in set(book) - {"execute", "title"}:
        assert quick[key] == book[key], key
    # the quick book executes its chapters (make book renders the committed, full-run outputs)
    assert book["execute"]["execute_notebooks"] == "off" and quick["execute"]["execute_notebooks"] == "cache"
    assert {k: v for k, v in quick["execute"].items() if k not in ("cache", "execute_notebooks")} == \
        {k: v for k, v in book["execute"].items() if k not in ("cache", "execute_notebooks")}


def test_the_quick_build_refuses_an_invalid_switch_in_one_sentence(tmp_path):
    result = run_cli(tmp_path, "yes")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("AEBOOK_QUICK='yes' is not valid: set it to 1 for the classroom "
                                          "quick mode, or to 0 (or leave it unset) for the full run.")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "quick" / "_config.yml").exists()


def test_make_book_quick_builds_into_its_own_folder():
    """``make -n``: what ``make book QUICK=1`` would run, without running it."""
    def dry_run(*args: str) -> str:
        result = subprocess.run(["make", "-n", "book", *args], capture_output=True, text=True, cwd=ROOT,
                                env={"PATH": "/usr/bin:/bin"}, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    quick = dry_run("QUICK=1").replace("\\\n\t", "")  # make echoes continued lines as written
    assert "AEBOOK_QUICK=1 .venv/bin/python -m aebook.quick_config --quick-config _build/quick/_config.yml" in quick
    assert "--config _build/quick/_config.yml" in quick and "--path-output _build/quick" in quick
    # the chapters run several at a time into the quick build's cache, in one H2O made for short jobs,
    # before rendering
    assert ".venv/bin/python -m aebook.build_cluster --short-jobs -- sh -c" in quick
    assert (".venv/bin/python -m aebook.book_execution --cache _build/quick/.jupyter_cache notebooks/*.ipynb && "
            ".venv/bin/jupyter-book build . --config _build/quick/_config.yml") in quick
    for full in (dry_run(), dry_run("QUICK=0")):
        assert "AEBOOK_QUICK= .venv/bin/jupyter-book build . --warningiserror" in full
        assert "_build/quick" not in full
