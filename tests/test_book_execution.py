"""Executing notebooks several at a time into a build's cache, where Jupyter Book finds them."""

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


def test_a_chapter_finds_its_kernel_as_a_new_one_would_be_after_another_chapter_ran_in_it(tmp_path):
    """One worker runs both notebooks in one kernel: what the first changes is undone for the second."""
    (tmp_path / "sub").mkdir()
    polluter = notebook(
        tmp_path / "a.ipynb",
        "import os, random, sys, warnings\n"
        "import matplotlib.pyplot as plt, numpy as np, pandas as pd\n"
        "leftover = 1\n"
        "plt.figure(); plt.rcParams['axes.facecolor'] = 'black'\n"
        "pd.set_option('display.width', 33); np.set_printoptions(precision=2)\n"
        "np.random.seed(5); random.seed(5)\n"
        "warnings.simplefilter('ignore'); warnings.warn('shown once', UserWarning)\n"
        "os.environ['AEBOOK_LEFTOVER'] = 'x'; os.chdir('sub'); sys.path.append('/nowhere')\n"
        "print(os.getpid())",
    )
    checker = notebook(
        tmp_path / "b.ipynb",
        "import os, random, sys, warnings\n"
        "import matplotlib.pyplot as plt, numpy as np, pandas as pd\n"
        "print(os.getpid())\n"
        "print('leftover' in dir(), plt.get_fignums(), plt.rcParams['axes.facecolor'])\n"
        "print(pd.get_option('display.width'), np.get_printoptions()['precision'])\n"
        "print('AEBOOK_LEFTOVER' in os.environ, os.path.basename(os.getcwd()), '/nowhere' in sys.path)\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.warn('shown once', UserWarning)\n"
        "print(len(seen), ('ignore', None, Warning, None, 0) in warnings.filters)",
        "print(np.random.randint(10**9), random.randrange(10**9))",
    )
    after_seed_5 = subprocess.run(
        [sys.executable, "-c", "import numpy as np, random; np.random.seed(5); random.seed(5); "
         "print(np.random.randint(10**9), random.randrange(10**9))"],
        capture_output=True, text=True, check=True).stdout
    execute_into_cache([polluter, checker], tmp_path / "cache", processes=1)

    cache = get_cache(str(tmp_path / "cache"))
    _, first = cache.merge_match_into_notebook(nbformat.read(polluter, as_version=4))
    _, second = cache.merge_match_into_notebook(nbformat.read(checker, as_version=4))
    text = "".join(o.get("text", "") for o in second.cells[0].outputs)
    pid, *lines = text.splitlines()
    assert pid == "".join(o.get("text", "") for o in first.cells[0].outputs).strip()  # one kernel ran both
    assert lines == ["False [] white", "80 8", f"False {tmp_path.name} False", "1 False"]
    # the random states are not those the first chapter seeded; execution counts start from 1 again
    assert second.cells[1].outputs[0]["text"] != after_seed_5
    assert [c.execution_count for c in second.cells] == [1, 2]
