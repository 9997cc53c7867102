"""The quick-book benchmark: clear usage errors, and committed figures the teacher's page can use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aebook.classroom import QUICK_PARAMETERS
from scripts import usage_error

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "quick_book.py"
RESULTS = ROOT / "benchmarks" / "results" / "quick_book.json"


@pytest.mark.parametrize("args, message", [
    (["--notebooks", "99_nothing"], "no such notebook: 99_nothing"),
    (["--notebooks"], "expected at least one argument"),
    (["--build-repeats", "0"], "--build-repeats must be at least 1, got 0"),
])
def test_bad_arguments_give_a_clear_usage_error(args, message):
    assert message in usage_error(SCRIPT, *args)


def test_the_committed_figures_are_a_complete_quick_run():
    results = json.loads(RESULTS.read_text())
    assert results["benchmark"] == "quick book" and results["schema_version"] == 1
    names = [c["notebook"] for c in results["chapters"]]
    assert names == sorted(names) and len(set(names)) == len(names)
    for chapter in results["chapters"]:
        assert (ROOT / "notebooks" / f"{chapter['notebook']}.ipynb").is_file(), chapter["notebook"]
        assert chapter["parameters"] == QUICK_PARAMETERS[chapter["notebook"]], \
            f"{chapter['notebook']}: quick parameters changed since the run: run benchmarks/quick_book.py again"
        assert 0 < chapter["seconds"] < 600
    start = results.get("cluster_start_seconds", 0)  # one H2O for the whole run: counted once
    assert results["total_seconds"] == pytest.approx(start + sum(c["seconds"] for c in results["chapters"]), abs=0.2)
    assert len(results["run_conditions"]["loadavg_start"]) == 3
    assert results["machine"]["cpu_count"] >= 1
    # the second pass, as make book QUICK=1 executes the book: every chapter, several at a time
    build = results["build_execution"]
    assert [c["notebook"] for c in build["chapters"]] == names
    assert build["processes"] == results["machine"]["cpu_count"] + 1  # default_workers() there
    assert 0 < max(c["seconds"] for c in build["chapters"]) <= build["wall_seconds"] \
        <= sum(c["seconds"] for c in build["chapters"])
    # repeated, each in a fresh H2O and store, without a collision (a failed repeat writes nothing)
    assert len(build["repeats"]) >= 3 and build["repeats"][0]["wall_seconds"] == build["wall_seconds"]
    assert build["repeats"][0]["cluster_start_seconds"] == build["cluster_start_seconds"]


@pytest.mark.parametrize("name", ["quick_book", "data_to_h2o", "book_build"])
def test_the_committed_results_match_their_schema_and_a_broken_copy_does_not(name, tmp_path):
    import json

    from aebook.results_files import ResultsError
    from aebook.schemas import load_checked

    committed = ROOT / "benchmarks" / "results" / f"{name}.json"
    data = load_checked(committed, name, "rerun")
    assert data["machine"]["cpu_count"] >= 1
    broken = dict(data, run_conditions={"loadavg_start": [1.0]})
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    with pytest.raises(ResultsError, match="at run_conditions, 'loadavg_end' is a required property"):
        load_checked(tmp_path / "broken.json", name, "rerun")
    (tmp_path / "cut.json").write_text(committed.read_text()[:100])
    with pytest.raises(ResultsError, match="cannot be read as JSON"):
        load_checked(tmp_path / "cut.json", name, "rerun")


def test_the_commit_a_run_records_says_whether_the_files_it_ran_were_changed(tmp_path):
    import subprocess

    from aebook.results_files import git_commit

    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60).stdout.strip()
    assert git_commit("no/such/folder") == head  # nothing changed there
    changed = subprocess.run(["git", "status", "--porcelain", "--", "notebooks"], capture_output=True, text=True,
                             cwd=ROOT, timeout=60).stdout.strip()
    assert git_commit("notebooks") == head + (" (modified)" if changed else "")
