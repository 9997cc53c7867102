"""One-class MNIST against the field: the results file is checked, and the quick run works."""

from __future__ import annotations

import json

import pytest

from aebook.detectors import CANDIDATES, PEERS
from aebook.field_results import check_field_results, load_field_results
from aebook.results_files import ResultsError
from scripts import ROOT, run_successfully, usage_error

SCRIPT = ROOT / "benchmarks" / "one_class_field.py"
COMMITTED = "benchmarks/results/one_class_field.json"
METHODS = {"h2o_autoencoder", "h2o_pca", "pca", "isolation_forest", *PEERS}


@pytest.fixture(scope="module")
def committed() -> dict:
    return load_field_results(COMMITTED)


def test_the_committed_results_are_a_full_run_of_every_method(committed):
    assert committed["mode"] == "full"
    assert committed["protocol"]["digits"] == list(range(10))
    assert set(committed["summary"]) == METHODS
    assert all(iv["rounds"] >= 2000 for digit in committed["intervals"].values() for iv in digit.values())
    for method in PEERS:  # every chosen setting is one of the method's candidates
        assert set(committed["chosen"][method].values()) <= set(CANDIDATES[method])


def test_a_file_cut_short_is_refused_in_one_sentence(tmp_path):
    cut = tmp_path / "cut.json"
    cut.write_text((ROOT / COMMITTED).read_text()[:5000])
    with pytest.raises(ResultsError, match=r"cannot be read as JSON .* run benchmarks/one_class_field\.py again"):
        load_field_results(cut)


@pytest.mark.parametrize("change, message", [
    (lambda r: r["runs"][0].update(auroc=1.5), "at runs/0/auroc, 1.5 is greater than the maximum of 1"),
    (lambda r: r.pop("summary"), "'summary' is a required property"),
    (lambda r: r["summary"]["knn"].update(mean_auroc=0.5), "the summary's mean AUROC of knn is not the mean"),
    (lambda r: r["runs"].pop(), "has test runs for the digits"),
    (lambda r: r["intervals"]["3"]["pca"].update(low=0.99999, high=1.0), "does not contain its estimate"),
])
def test_a_file_that_disagrees_with_itself_is_refused(committed, change, message):
    broken = json.loads(json.dumps(committed))
    change(broken)
    with pytest.raises(ResultsError, match=message):
        check_field_results(broken, "broken.json")


@pytest.mark.parametrize("args, message", [
    (["--digits", "11"], "each digit must be from 0 to 9"),
    (["--search", "benchmarks/results/nothing.json"], "--search: "),
    (["--out", "/proc/no/such.json"], "cannot write /proc/no/such.json"),
])
def test_bad_arguments_stop_before_any_work(args, message):
    assert message in usage_error(SCRIPT, *args)


@pytest.mark.h2o
@pytest.mark.slow
def test_the_quick_run_writes_a_checked_file_of_every_method(tmp_path):
    out = tmp_path / "field.json"
    run_successfully(SCRIPT, "--quick", "--out", str(out), timeout=900)
    results = load_field_results(out)
    assert results["mode"] == "quick" and set(results["summary"]) == METHODS
    runs = {(r["method"], r["digit"]): r for r in results["runs"]}
    # a one is the easiest digit: every distance-based method separates it well
    assert all(runs[(m, 1)]["auroc"] > 0.95 for m in ("knn", "lof", "ocsvm", "pca"))
    assert results["summary"]["h2o_autoencoder"]["time_ratio_to_autoencoder"] == 1
