"""The book-build benchmark: clear usage errors, and a committed run the README's figures come from."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest
import yaml

from scripts import usage_error

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "book_build.py"
RESULTS = ROOT / "benchmarks" / "results" / "book_build.json"


@pytest.mark.parametrize("args, message", [
    (["--repeats", "0"], "--repeats must be from 1 to 10, got 0"),
    (["--repeats", "11"], "--repeats must be from 1 to 10, got 11"),
    (["--timeout", "0"], "--timeout must be a positive number of seconds, got 0"),
    (["--out", "benchmarks"], "is a folder: give a file name"),
])
def test_bad_arguments_give_a_clear_usage_error_before_anything_is_removed(args, message):
    # usage_error: exit code 2, no traceback, nothing printed on standard output (it stopped before
    # its first line, which comes before any build is removed)
    assert message in usage_error(SCRIPT, *args)


def test_the_committed_run_agrees_with_itself_and_executed_what_each_route_should():
    from aebook.schemas import load_checked

    results = load_checked(RESULTS, "book_build", "run benchmarks/book_build.py again")
    default = results["default_build"]
    times = [r["seconds"] for r in default["runs"]]
    assert default["median_seconds"] == pytest.approx(statistics.median(times), abs=0.05)
    assert default["max_seconds"] == max(times)
    assert default["goal_met"] == (max(times) <= results["goal_seconds"])
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = {f"{c['file']}.ipynb" for part in toc["parts"] for c in part["chapters"]
                if c["file"].startswith("notebooks/")}
    for run in default["runs"][1:]:  # each run removed the build of the run before it
        assert "_build/html" in run["removed_before"]
    for run in default["runs"]:  # no chapter executed: the committed outputs were rendered
        assert not {e["page"] for e in run["executed_pages"]} & chapters
    execute = results["execute_build"]
    assert execute is not None, "the committed run includes make book EXECUTE=1 (--execute)"
    # every chapter executed (none came from the cache, which the script removes first)
    assert chapters <= {e["page"] for e in execute["executed_pages"]}


def test_the_readme_quotes_the_committed_figures():
    results = json.loads(RESULTS.read_text())
    readme = " ".join((ROOT / "README.md").read_text().split())  # one line: the figures wrap anywhere
    rendered = re.search(r"`make book` takes about (\d+) seconds", readme)
    executed = re.search(r"`make book EXECUTE=1` took about (\d+) minutes", readme)
    assert rendered and executed, "the README states both build times"
    assert int(rendered.group(1)) == round(results["default_build"]["median_seconds"])
    assert int(executed.group(1)) == round(results["execute_build"]["seconds"] / 60)
    assert "benchmarks/results/book_build.json" in readme
    load = results["run_conditions"]
    assert f"load average {load['loadavg_start'][0]:.1f} at the start and {load['loadavg_end'][0]:.1f} " \
           "at the end" in readme
