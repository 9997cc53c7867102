"""Executing notebooks one per core into a build's cache, where Jupyter Book finds them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

from aebook.book_execution import ExecutionFailed, execute_into_cache

ROOT = Path(__file__).resolve().parent.parent


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_notebooks_run_in_their_folder_and_the_cache_serves_them_as_myst_nb_looks_them_up(tmp_path):
    first = notebook(tmp_path / "a.ipynb", "import os; print(os.path.basename(os.getcwd()))")
    second = notebook(tmp_path / "b.ipynb", "print(6 * 7)")
    runs, wall = execute_into_cache([first, second], tmp_path / "cache")
    assert [r.path.name for r in runs] == ["a.ipynb", "b.ipynb"]
    assert all(r.seconds is not None and 0 < r.seconds <= wall for r in runs)

    cache = get_cache(str(tmp_path / "cache"))
    # what myst-nb does with a page's notebook (myst_nb/core/execute/cache.py)
    _, executed = cache.merge_match_into_notebook(nbformat.read(second, as_version=4))
    assert executed.cells[0].outputs[0]["text"] == "42\n"
    _, executed = cache.merge_match_into_notebook(nbformat.read(first, as_version=4))
    assert executed.cells[0].outputs[0]["text"] == f"{tmp_path.name}\n"

    again, _ = execute_into_cache([first, second], tmp_path / "cache")
    assert [r.seconds for r in again] == [None, None]  # nothing executed twice


def test_a_failing_notebook_stops_the_run_with_its_traceback_and_stays_out_of_the_cache(tmp_path):
    good = notebook(tmp_path / "good.ipynb", "x = 1")
    bad = notebook(tmp_path / "bad.ipynb", "raise ValueError('the chapter is broken')")
    with pytest.raises(ExecutionFailed, match=r"(?s)^bad\.ipynb failed: fix the chapter and run again\..*"
                                              r"the chapter is broken"):
        execute_into_cache([good, bad], tmp_path / "cache")
    cache = get_cache(str(tmp_path / "cache"))
    with pytest.raises(KeyError):
        cache.match_cache_notebook(nbformat.read(bad, as_version=4))


def test_the_command_line_refuses_a_missing_notebook_in_one_sentence_before_any_work(tmp_path):
    result = subprocess.run([sys.executable, "-m", "aebook.book_execution", "--cache", str(tmp_path / "cache"),
                             str(tmp_path / "nope.ipynb")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    missing = tmp_path / "nope.ipynb"
    assert result.stderr.strip() == f"error: no such notebook: {missing}: give the paths of .ipynb files."
    assert not (tmp_path / "cache").exists()
