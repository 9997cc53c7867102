"""``make book`` renders the committed outputs; ``make book EXECUTE=1`` executes every notebook first.

What the Makefile runs is checked with ``make -n`` (nothing is built); the configuration of
the executing build is checked as written. tests/test_book.py builds the book both ways.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def dry_run(*args: str) -> subprocess.CompletedProcess:
    """``make -n book``: what it would run, without running it (a bare environment, no switches set)."""
    return subprocess.run(["make", "-n", "book", *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin"}, timeout=60)


@pytest.mark.parametrize("switch", [(), ("EXECUTE=0",), ("EXECUTE=",)])
def test_make_book_renders_the_committed_outputs_and_says_how_to_execute_them(switch):
    result = dry_run(*switch)
    assert result.returncode == 0, result.stderr
    assert "AEBOOK_QUICK= .venv/bin/jupyter-book build . --warningiserror --keep-going\n" in result.stdout
    assert "--config" not in result.stdout and "execute_config" not in result.stdout
    assert "make book EXECUTE=1 executes them first" in result.stdout
    assert yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["execute_notebooks"] == "off"


def test_make_book_execute_1_executes_every_notebook_through_the_books_cache():
    result = dry_run("EXECUTE=1")
    assert result.returncode == 0, result.stderr
    commands = result.stdout.splitlines()
    assert commands.index(".venv/bin/python -m aebook.execute_config --execute-config _build/execute/_config.yml") \
        < commands.index("AEBOOK_QUICK= .venv/bin/jupyter-book build . --config _build/execute/_config.yml "
                         "--warningiserror --keep-going")


def test_an_invalid_execute_switch_stops_make_in_one_sentence_before_any_work():
    result = dry_run("EXECUTE=yes")
    assert result.returncode == 2
    assert ("EXECUTE=yes is not valid: set it to 1 to execute every notebook before building the book, "
            "or to 0 (or leave it unset) to render the committed outputs.") in result.stderr
    assert result.stdout == ""


def test_the_executing_config_executes_through_the_books_cache_and_keeps_everything_else(tmp_path):
    out = tmp_path / "execute" / "_config.yml"
    result = subprocess.run([sys.executable, "-m", "aebook.execute_config", "--execute-config", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no runpy warning either
    assert out.read_text().startswith("# Generated from _config.yml by python -m aebook.execute_config")
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    executing = yaml.safe_load(out.read_text())
    assert executing["execute"] == {**book["execute"], "execute_notebooks": "cache",
                                    "cache": str((ROOT / book["execute"]["cache"]).resolve())}
    for name in book["sphinx"].get("local_extensions", {}):  # relative to the config file
        assert Path(executing["sphinx"]["local_extensions"][name], f"{name}.py").is_file()
    executing["sphinx"]["local_extensions"] = book["sphinx"].get("local_extensions")
    assert {k: v for k, v in executing.items() if k != "execute"} == {k: v for k, v in book.items() if k != "execute"}


def test_the_executing_config_refuses_a_missing_book_config_in_one_sentence(tmp_path):
    result = subprocess.run([sys.executable, "-m", "aebook.execute_config", "--execute-config",
                             str(tmp_path / "out.yml"), "--config", str(tmp_path / "nope.yml")],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'nope.yml'} is not a file: give the book's _config.yml.\n"
    assert not (tmp_path / "out.yml").exists()
