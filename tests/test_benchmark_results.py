"""The one-class MNIST benchmark's results files, the final table and the validation search: read,
checked and written in one place (aebook.schemas.ResultsFile, with their JSON Schemas in
benchmarks/schemas/ and the checks in Python of aebook.one_class_mnist_results), one sentence
naming the file and the fix when a file is not what the benchmark writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import aebook.files
from aebook.one_class_mnist_results import (
    check_results,
    check_search_results,
    choose_settings,
    load_results,
    load_search_results,
    summarize,
    write_results,
    write_search_results,
)
from aebook.results_files import ResultsError, check_output_path, run_header
from aebook.schemas import schema
from scripts import usage_error

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = "benchmarks/results/one_class_mnist.json"
SCRIPT = ROOT / "benchmarks" / "one_class_mnist.py"


@pytest.fixture
def committed() -> dict:
    return json.loads((ROOT / COMMITTED).read_text())


def test_the_committed_results_are_complete_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = load_results(COMMITTED)  # relative to the project, not to the working directory
    assert results["mode"] == "full" and len(results["runs"]) >= 70


def test_an_absolute_path_is_used_as_it_is(tmp_path, committed):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(committed))
    assert load_results(str(path))["created_utc"] == committed["created_utc"]


def test_the_summary_is_the_one_its_runs_give(committed):
    assert check_results(committed) is committed
    assert summarize(committed["runs"]).keys() == committed["summary"].keys()


def _write(tmp_path: Path, content: str | object) -> str:
    path = tmp_path / "results.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


@pytest.mark.parametrize("content, problem", [
    ("", r"cannot be read as JSON \(line 1: Expecting value\)"),
    ('{"benchmark": "one-class MNIST", "runs": [', r"cannot be read as JSON"),
    ("\xff\xfe", r"cannot be read as JSON"),
    ([], r"holds a JSON list"),
    ({"benchmark": "something else", "schema_version": 1}, r"is not a results file of benchmarks/one_class_mnist\.py"),
])
def test_unreadable_or_foreign_files(tmp_path, content, problem):
    expected = rf"results\.json:? (it )?{problem}.*run benchmarks/one_class_mnist\.py again"
    with pytest.raises(ResultsError, match=expected):
        load_results(_write(tmp_path, content))


def _damage(results: dict, how: str) -> None:
    if how == "no summary":
        del results["summary"]
    elif how == "string auroc":
        results["runs"][3]["auroc"] = "0.99"
    elif how == "bool seed":
        results["runs"][0]["seed"] = True
    elif how == "runs cut to 5":
        results["runs"] = results["runs"][:5]
    elif how == "a run edited":
        results["runs"][7]["auroc"] = 0.5
    elif how == "summary edited":
        results["summary"]["pca"]["mean_auroc"] += 0.01
    elif how == "a run twice":
        results["runs"].append(results["runs"][0])
    elif how == "unknown config":
        results["speed"][0]["config"] = "raw64"
    elif how == "speed epochs edited":
        results["speed"][0]["epochs"] = 1.0987
    elif how == "a setting swapped":
        run = next(r for r in results["runs"] if r["method"] == "pca")
        run["setting"] = "k999"
    elif how == "no bootstrap for a digit":
        del results["bootstrap"]["3"]
    elif how == "an interval upside down":
        interval = results["bootstrap"]["2"]["h2o_autoencoder - pca"]
        interval["low"], interval["high"] = interval["high"] + 0.01, interval["low"]
    elif how == "a curve cut":
        results["curves"]["5"]["pca"]["roc"]["tpr"].pop()
    elif how == "literature cut":
        results["literature"]["per_digit_auroc"] = results["literature"]["per_digit_auroc"][:9]
    elif how == "no main config":
        results["methods"]["h2o_autoencoder"]["main_config"] = "raw64"
    elif how == "protocol seeds cut":
        results["protocol"]["seeds"] = [1]
    elif how == "runs not a list":
        results["runs"] = {"0": results["runs"][0]}
    elif how == "infinite time":
        results["total_seconds"] = float("inf")


@pytest.mark.parametrize("how, problem", [
    ("no summary", r"at the top level, 'summary' is a required property"),
    ("string auroc", r"at runs/3/auroc, '0\.99' is not of type 'number'"),
    ("bool seed", r"at runs/0/seed, True is not of type 'integer'"),
    ("runs cut to 5", r"has \d+ runs where its protocol \(10 digits x \d seeds\) needs \d+"),
    ("a run edited", r"its summary is not the one its runs give"),
    ("summary edited", r"its summary is not the one its runs give"),
    ("a run twice", r"has \d+ runs where its protocol"),
    ("unknown config", r"at speed/0, the configuration 'raw64' is not one the file lists"),
    ("speed epochs edited", r"at speed/0, its epochs and iterations are not the last row of its history"),
    ("a setting swapped", r"a run of 'pca' on digit \d used 'k999', not the setting its method lists"),
    ("no bootstrap for a digit", r"bootstrap has no intervals for digit 3"),
    ("an interval upside down", r"at bootstrap/2/h2o_autoencoder - pca, the interval has low > high"),
    ("a curve cut", r"at curves/5/pca, roc \(fpr, tpr\) and pr \(recall, precision\) are not on one grid"),
    ("literature cut", r"at literature/per_digit_auroc, \[.*\] is too short"),
    ("no main config", r"at methods/h2o_autoencoder/main_config, 'raw64' is not one of its configs"),
    ("protocol seeds cut", r"runs where its protocol \(10 digits x 1 seeds\)"),
    ("runs not a list", r"at runs, the value breaks the rule type: \"array\""),
    ("infinite time", r"at total_seconds, a number is NaN or infinite"),
])
def test_incomplete_or_inconsistent_files(tmp_path, committed, how, problem):
    _damage(committed, how)
    with pytest.raises(ResultsError) as error:
        load_results(_write(tmp_path, committed))
    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'results.json'}: ")
    assert re.search(problem, message), message
    assert message.endswith("(or restore it from git).") and "\n" not in message


# Rules that only the JSON Schema states: no check in Python looks at these values, so each
# case fails if the schema is not applied when a file is read or written.
SCHEMA_ONLY = {
    "a machine without cores": (lambda r: r["machine"].update(cpu_count=0), r"at machine/cpu_count, 0 is less than"),
    "a java version as a number": (lambda r: r["versions"].update(java=17), r"at versions/java, 17 is not of type"),
    "no test images": (lambda r: r["protocol"].update(test_images=0), r"at protocol/test_images, 0 is less than"),
    "an AUROC above 1": (lambda r: r["literature"].update(mean_auroc=1.2), r"at literature/mean_auroc, 1\.2 is"),
    "negative seconds": (lambda r: r.update(data_to_h2o_seconds=-1.0), r"at data_to_h2o_seconds, -1\.0 is less than"),
    "a speed run without threads": (lambda r: r["speed"][0].update(threads=0), r"at speed/0/threads, 0 is less than"),
    "reproducible as a word": (lambda r: r["speed"][0].update(reproducible="no"), r"at speed/0/reproducible, 'no'"),
    "an interval level of 1": (lambda r: r["bootstrap"]["4"]["h2o_autoencoder - pca"].update(level=1.0),
                               r"at bootstrap/4/h2o_autoencoder - pca/level, 1\.0 is greater than or equal"),
    "a configuration without seeds": (lambda r: r["methods"]["h2o_autoencoder"]["configs"]["classic"].pop(
        "quality_seeds"), r"at methods/h2o_autoencoder/configs/classic, 'quality_seeds' is a required property"),
    "an autoencoder without epochs": (lambda r: r["methods"]["h2o_autoencoder"]["configs"]["classic"][
        "params_per_digit"]["0"].pop("epochs"), r"params_per_digit/0, 'epochs' is a required property"),
}


@pytest.mark.parametrize("damage", list(SCHEMA_ONLY))
def test_what_only_the_schema_says_is_checked_on_reading_and_writing(tmp_path, committed, damage):
    change, problem = SCHEMA_ONLY[damage]
    change(committed)
    with pytest.raises(ResultsError, match=problem):
        load_results(_write(tmp_path, committed))
    with pytest.raises(ResultsError, match=problem):
        write_results(committed, tmp_path / "written.json")
    assert json.loads((tmp_path / "written.json").read_text()) == committed  # the run is not lost


def test_the_schemas_are_valid_and_what_the_script_writes_passes(committed):
    assert schema("one_class_mnist")["properties"]["schema_version"]["const"] == committed["schema_version"]
    assert schema("one_class_mnist_search")["properties"]["benchmark"]["const"] == "one-class MNIST validation search"
    committed["speed"][0]["samples_per_second"] = None  # H2O reported no training time: the file says so
    ensemble = {"members": {"a": {"epochs": 5}, "b": {"epochs": 10}}}
    committed["methods"]["h2o_autoencoder"]["configs"]["classic"]["params_per_digit"]["0"] = ensemble
    assert check_results(committed) is committed


@pytest.mark.parametrize("path, problem", [
    ("benchmarks/results/missing.json", r"benchmarks/results/missing\.json is not a file \(relative paths start "
                                        r"at the project folder\)"),
    ("benchmarks/results/one_class_mnist.csv", r"is not the path of a \.json file"),
    (3, r"results_path=3 is not the path of a \.json file"),
])
def test_wrong_paths(path, problem):
    with pytest.raises(ResultsError, match=problem):
        load_results(path)


# ---- writing -------------------------------------------------------------------------------


def test_write_results_replaces_the_file_at_once(tmp_path, committed):
    out = tmp_path / "r.json"
    out.write_text("old")
    write_results(committed, out)
    assert json.loads(out.read_text()) == committed
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path, committed, monkeypatch):
    out = tmp_path / "r.json"
    out.write_text("old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(aebook.files.os, "replace", fail)  # the one atomic writer
    with pytest.raises(OSError):
        write_results(committed, out)
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_incomplete_results_are_written_and_reported(tmp_path, committed):
    committed["runs"] = committed["runs"][:5]
    with pytest.raises(ResultsError, match=r"r\.json: \S+ has \d+ runs where its protocol"):
        write_results(committed, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text()) == committed  # the run is not lost


def test_check_output_path_creates_missing_folders(tmp_path):
    assert check_output_path(tmp_path / "a" / "b" / "r.json") == tmp_path / "a" / "b" / "r.json"
    assert (tmp_path / "a" / "b").is_dir() and list((tmp_path / "a" / "b").iterdir()) == []


@pytest.mark.parametrize("make, problem", [
    (lambda t: t / "dir", r"is a folder: give a file name such as"),
    (lambda t: t / "file" / "r.json", r"because .*file is a file, not a folder"),
    (lambda t: Path("/proc/aebook/r.json"), r"cannot write /proc/aebook/r\.json \("),
])
def test_check_output_path_rejects_what_cannot_be_written(tmp_path, make, problem):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("")
    with pytest.raises(ResultsError, match=problem):
        check_output_path(make(tmp_path))


@pytest.mark.parametrize("out", ["{tmp}/file/r.json", "{tmp}", "/proc/aebook/r.json"])
def test_the_benchmark_checks_out_before_it_starts(tmp_path, out):
    (tmp_path / "file").write_text("")
    assert "error: --out: " in usage_error(SCRIPT, "--quick", "--out", out.format(tmp=tmp_path))


def test_the_benchmark_rejects_a_memory_size_beyond_the_machine():
    assert "this machine's memory" in usage_error(SCRIPT, "--quick", "--max-mem-size", "99999G")



# ---- the validation search and the final table -----------------------------------------------

SEARCH = "benchmarks/results/one_class_mnist_search.json"


@pytest.fixture
def search() -> dict:
    return json.loads((ROOT / SEARCH).read_text())


def test_the_committed_search_gives_every_method_the_same_budget(search):
    results = load_search_results(SEARCH)
    budgets = results["protocol"]["budget_per_method"]
    assert set(budgets) == {"h2o_autoencoder", "pca", "isolation_forest"}
    assert len(set(budgets.values())) == 1 and min(budgets.values()) >= 6
    assert results["protocol"]["digits"] == list(range(10))
    assert "test" in results["protocol"]["description"]  # says the test split is never read


def test_the_final_table_uses_the_settings_the_search_chose(committed, search):
    """Every test run used, for its digit, the candidate with the best validation AUROC."""
    chosen = choose_settings(search["runs"], list(search["candidates"]))
    methods = committed["methods"]
    listed = {"h2o_autoencoder": methods["h2o_autoencoder"]["configs"]["validated"]["settings_per_digit"],
              "pca": methods["pca"]["settings_per_digit"],
              "isolation_forest": methods["isolation_forest"]["settings_per_digit"]}
    for method, per_digit in listed.items():
        assert per_digit == {d: c["candidate"] for d, c in chosen[method]["per_digit"].items()}, method
        for d, name in per_digit.items():
            params = methods[method]["params_per_digit"] if method != "h2o_autoencoder" else \
                methods[method]["configs"]["validated"]["params_per_digit"]
            wanted = search["candidates"][method][name]
            if "members" in wanted:  # an ensemble is trained as its members' settings
                wanted = {"members": {m: search["candidates"][method][m] for m in wanted["members"]}}
            assert params[d] == wanted, (method, d)


def _damage_search(results: dict, how: str) -> None:
    if how == "unequal budgets":
        results["candidates"]["pca"]["k999"] = {"n_components": 999}
    elif how == "a run missing":
        results["runs"].pop()
    elif how == "choice edited":
        results["chosen"]["pca"]["per_digit"]["0"]["candidate"] = "k8"
        results["chosen"]["pca"]["per_digit"]["0"]["auroc"] = 0.0
    elif how == "foreign":
        results["benchmark"] = "one-class MNIST"


@pytest.mark.parametrize("how, problem", [
    ("unequal budgets", r"the methods had different budgets of candidate settings"),
    ("a run missing", r"it has \d+ runs where its candidates on its digits need \d+"),
    ("choice edited", r"its chosen settings are not the ones its runs give"),
    ("foreign", r"it is not a results file of benchmarks/one_class_mnist_search\.py"),
])
def test_a_damaged_search_file_is_named_in_one_sentence(tmp_path, search, how, problem):
    _damage_search(search, how)
    path = tmp_path / "search.json"
    path.write_text(json.dumps(search))
    with pytest.raises(ResultsError) as error:
        load_search_results(str(path))
    message = str(error.value)
    assert message.startswith(f"{path}: ") and re.search(problem, message), message
    assert "\n" not in message


def test_a_search_file_is_written_then_checked(tmp_path, search):
    path = write_search_results(search, tmp_path / "search.json")
    assert load_search_results(path) == search
    search["runs"][0]["digit"] = 11  # only the schema says what a digit is
    with pytest.raises(ResultsError, match=r"search\.json: at runs/0/digit, 11 is greater than the maximum of 9"):
        write_search_results(search, path)
    assert json.loads(path.read_text())["runs"][0]["digit"] == 11  # the run is not lost
    assert check_search_results(json.loads((ROOT / SEARCH).read_text()))["mode"] == "full"


def test_choose_settings_takes_the_best_and_the_first_on_a_tie():
    runs = [{"method": "m", "candidate": c, "digit": d, "auroc": a}
            for c, d, a in [("a", 0, 0.9), ("b", 0, 0.95), ("c", 0, 0.95), ("a", 1, 0.99), ("b", 1, 0.9),
                            ("c", 1, 0.9)]]
    chosen = choose_settings(runs, ["m"])["m"]
    assert {d: v["candidate"] for d, v in chosen["per_digit"].items()} == {"0": "b", "1": "a"}
    assert chosen["overall"] == {"candidate": "a", "mean_auroc": pytest.approx(0.945)}
    assert chosen["per_digit_mean_auroc"] == pytest.approx(0.97)


def test_a_results_file_starts_with_what_ran_how_and_when():
    header = run_header("one-class MNIST", 2, "benchmarks/one_class_mnist.py", True,
                                          ["--quick", "--out", "/tmp/x.json"])
    assert header["schema_version"] == 2 and header["benchmark"] == "one-class MNIST"
    assert header["mode"] == "quick"
    assert header["command"] == "python benchmarks/one_class_mnist.py --quick --out /tmp/x.json"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", header["created_utc"])
    assert run_header("b", 1, "s.py", False, [])["mode"] == "full"
