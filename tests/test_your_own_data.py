"""The your-own-data chapter, the anomaly report on the reader's own table (aebook.report and papermill).

The checks and files of :mod:`aebook.report` are tested directly (most without H2O);
the notebook itself runs with papermill on the ECG file, on samples of the network
connection records (ARFF, with and without a label column), on a small generated
table (Parquet, and CSV through ``s3://``) with missing values and a category that
only appears among the rows to score, on a CSV whose category holds commas, quotes and
text beyond ASCII, with a failure injected while the files are written (no
half-written report may stay), and on each kind of bad input, which must stop the
notebook with one sentence before any training.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from conftest import cluster_keys

from aebook import path_of
from aebook.params import ParameterError
from aebook.report import (
    DEFAULT_OUTPUT_ROOT,
    MIN_FIT_ROWS,
    REPORT_FILES,
    check_data_source,
    check_evaluation_labels,
    check_normal_rows,
    check_output_folder,
    minimum_normal_rows,
    ranked_rows,
    report_files,
    split_normal_rows,
)
from aebook.tabular import TabularError
from scripts import run_at_once

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "12_your_own_data.ipynb"
SMALL = {"fit_rows": 0, "hidden": [8, 3, 8], "epochs": 5, "max_mem_size": "512M"}


# ---- aebook.report without H2O -------------------------------------------------------------


def test_data_source_accepts_files_book_data_and_s3(tmp_path, monkeypatch):
    monkeypatch.setenv("AEBOOK_S3_ENDPOINT", "http://store.example.org:9000")
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,2\n")
    assert check_data_source("data", str(table)) == table
    assert check_data_source("data", "s3://my-bucket/dir/t.csv") == "s3://my-bucket/dir/t.csv"
    assert check_data_source("data", "ecg/ecg_discord_train.csv").is_file()


@pytest.mark.parametrize("make, message", [
    (lambda d: str(d / "missing.csv"), r"missing\.csv does not exist"),
    (lambda d: str(d), "is a folder"),
    (lambda d: str((d / "empty.csv").touch() or d / "empty.csv"), "is empty"),
    (lambda d: "", "expected a CSV, Parquet or ARFF file"),
    (lambda d: 3, "expected a CSV, Parquet or ARFF file"),
    (lambda d: "s3://B/x.csv", "expected an s3://bucket/key URL"),
    (lambda d: "s3://bucket", "expected an s3://bucket/key URL"),
])
def test_data_source_problems_are_one_sentence(tmp_path, make, message):
    with pytest.raises(ParameterError, match=message) as error:
        check_data_source("data", make(tmp_path))
    assert str(error.value).startswith("invalid parameter data=")
    assert "\n" not in str(error.value)


def test_output_folder_new_empty_or_overwrite(tmp_path):
    assert check_output_folder("output_folder", str(tmp_path / "a" / "b"), False) == \
        tmp_path / "a" / "b"
    assert not (tmp_path / "a").exists()  # nothing is created by the check
    assert check_output_folder("output_folder", str(tmp_path), False) == tmp_path  # empty
    (tmp_path / "mine.txt").write_text("the reader's")
    with pytest.raises(ParameterError, match=r"holds mine\.txt: choose another folder, "
                                              r"or set overwrite=True"):
        check_output_folder("output_folder", str(tmp_path), False)
    assert check_output_folder("output_folder", str(tmp_path), True) == tmp_path


def test_default_output_folder_is_new_and_git_ignored():
    folder = check_output_folder("output_folder", "", False)
    assert folder.parent == DEFAULT_OUTPUT_ROOT and not folder.exists()
    assert "_build/" in (ROOT / ".gitignore").read_text().split()


def test_output_folder_that_cannot_be_written(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match=r"expected a folder that can be written, "
                                              r"but .*file is a file, not a folder"):
        check_output_folder("output_folder", str(tmp_path / "file" / "report"), False)
    with pytest.raises(ParameterError, match="overwrite=1: expected True or False"):
        check_output_folder("output_folder", str(tmp_path), 1)


def test_report_files_reach_a_new_folder_together(tmp_path):
    folder = tmp_path / "reports" / "mine"
    with report_files(folder) as staging:
        (staging / "ranked_rows.csv").write_text("rank\n1\n")
        (staging / "report.json").write_text("{}")
        assert not folder.exists()  # nothing is in the report folder before the end
    assert sorted(p.name for p in folder.iterdir()) == ["ranked_rows.csv", "report.json"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["mine"]  # no staging left


def test_report_files_replace_an_earlier_report_only(tmp_path):
    for name in ("roc_pr.png", "errors.png", "notes.txt"):
        (tmp_path / name).write_text("old")
    with report_files(tmp_path, overwrite=True) as staging:
        (staging / "errors.png").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.png", "notes.txt"]
    assert (tmp_path / "errors.png").read_text() == "new"
    assert "notes.txt" not in REPORT_FILES
    with pytest.raises(ValueError, match=r"wrote \['notes2.txt'\], which are not in REPORT_FILES"), \
            report_files(tmp_path, overwrite=True) as staging:
        (staging / "notes2.txt").write_text("not a report file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.png", "notes.txt"]


@pytest.mark.parametrize("existing", [False, True])
def test_an_error_late_in_the_report_leaves_no_half_written_report(tmp_path, existing):
    folder = tmp_path / "a" / "b" / "report"
    if existing:
        folder.mkdir(parents=True)
        (folder / "notes.txt").write_text("the reader's")
        (folder / "ranked_rows.csv").write_text("an earlier report")
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    with pytest.raises(KeyError), report_files(folder, overwrite=True) as staging:
        (staging / "ranked_rows.csv").write_text("half of a report")
        raise KeyError("the last step fails")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before
    if existing:
        assert (folder / "ranked_rows.csv").read_text() == "an earlier report"


@pytest.mark.timeout(120)
def test_two_runs_into_one_new_folder_never_mix_their_files(tmp_path):
    folder = tmp_path / "report"
    check_output_folder("output_folder", str(folder), False)  # both runs pass the check
    other = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from pathlib import Path
        from aebook.report import report_files
        with report_files(Path({str(folder)!r})) as staging:
            print("writing", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "writing"
        with pytest.raises(TabularError, match=r"^another run is writing its report into .*report now: wait "
                                               r"for it to end, or choose another output_folder$"), \
                report_files(folder):
            pass
    finally:
        other.kill()
        other.wait(timeout=30)
    with report_files(folder) as staging:  # the other run died: the folder is free
        (staging / "report.json").write_text("{}")
    with pytest.raises(TabularError, match=r"^another run wrote a report into .*report meanwhile: choose "
                                           r"another output_folder, or set overwrite=True to replace it$"), \
            report_files(folder):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no lock, no staging left


def test_the_staging_folders_of_killed_runs_go_when_the_next_run_holds_the_folder(tmp_path):
    folder = tmp_path / "report"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, timeout=60).stdout.strip()
    beside = tmp_path / f".report.partial-{dead}-0a1b2c3d"
    beside.mkdir()
    with report_files(folder) as staging:
        (staging / "report.json").write_text("{}")
    inside = folder / f".report-partial-{dead}-0a1b2c3d"
    inside.mkdir()
    with report_files(folder, overwrite=True) as staging:
        (staging / "report.json").write_text("{}")
    assert not beside.exists() and not inside.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["report.json"]


@pytest.mark.timeout(120)
def test_a_lock_file_replaced_while_it_is_opened_is_not_taken_for_the_folder(tmp_path, monkeypatch):
    """The run before removes its lock file just after this run opened it, and a third run makes a
    new one and locks it: the stale file locked does not give this run the folder."""
    from aebook import report

    folder = tmp_path / "report"
    lock_path = folder.with_name(folder.name + report.LOCK_SUFFIX)
    lock_path.touch()
    real_flock, third = report.fcntl.flock, []

    def flock_after_the_file_was_replaced(fd, operation):
        if not third:
            lock_path.unlink()
            third.append(subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
                import fcntl, os, time
                fd = os.open({str(lock_path)!r}, os.O_CREAT | os.O_RDWR)
                fcntl.flock(fd, fcntl.LOCK_EX)
                print("held", flush=True)
                time.sleep(60)
            """)], stdout=subprocess.PIPE, text=True))
            assert third[0].stdout.readline().strip() == "held"
        return real_flock(fd, operation)

    monkeypatch.setattr(report.fcntl, "flock", flock_after_the_file_was_replaced)
    try:
        with pytest.raises(TabularError, match=r"^another run is writing its report into .*report now"), \
                report.report_files(folder):
            pass
    finally:
        for process in third:
            process.kill()
            process.wait(timeout=30)


def test_a_disk_without_room_for_the_report_is_refused_before_h2o_starts(tmp_path, monkeypatch):
    from aebook import report

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(report.shutil, "disk_usage", lambda path: usage._replace(free=5 << 20))
    needed = report.REPORT_MIN_FREE_BYTES >> 20
    with pytest.raises(ParameterError, match=rf"a folder on a disk with at least {needed} MB free for the report, "
                                             r"but .* has 5 MB: free some space, or choose another folder$"):
        check_output_folder("output_folder", str(tmp_path / "report"), False)


def test_minimum_normal_rows_covers_threshold_and_training():
    # 1 % needs 99 held-out rows: 99 / 0.2 = 495 normal rows
    assert minimum_normal_rows(0.01, 0.2) == 495
    assert minimum_normal_rows(0.25, 0.2) == 15  # 3 held out; 12 left to train on
    assert minimum_normal_rows(0.5, 0.5) == 2 * MIN_FIT_ROWS
    check_normal_rows(495, 0.01, 0.2)
    with pytest.raises(TabularError, match=r"^494 known-normal rows are too few: .* needs "
                                           r"at least 495 \(mark more rows normal"):
        check_normal_rows(494, 0.01, 0.2)


def test_split_normal_rows_is_disjoint_capped_and_seeded():
    rows = np.arange(0, 1000, 2)
    fit, held = split_normal_rows(rows, 0.2, 0, seed=1)
    assert len(held) == 100 and len(fit) == 400
    assert not set(fit) & set(held) and set(fit) | set(held) == set(rows)
    assert list(fit) == sorted(fit)
    capped, held_again = split_normal_rows(rows, 0.2, 50, seed=1)
    assert len(capped) == 50 and set(capped) <= set(fit) and list(held_again) == list(held)
    assert list(split_normal_rows(rows, 0.2, 0, seed=2)[1]) != list(held)


def test_evaluation_needs_both_labels_among_rows_not_trained_on():
    labels = np.array([0, 0, 1, math.nan, 0])
    check_evaluation_labels(labels, np.array([False, True, True, True, False]))
    check_evaluation_labels(None, np.ones(5, bool))
    with pytest.raises(TabularError, match="0 labelled anomalies and 2 labelled normal"):
        check_evaluation_labels(labels, np.array([True, True, False, True, False]))


def test_ranked_rows_put_the_largest_error_first():
    table = pd.DataFrame({"a": [1, 2, 3], "score": ["x", "y", "z"]})
    shares = pd.DataFrame({"a": [0.9, 0.2, 0.5], "score": [0.1, 0.8, 0.5]})
    ranked = ranked_rows(table, np.array([0.1, 3.0, 2.0]), 1.0,
                         np.array(["fit", "held-out", "scored"], dtype=object), shares,
                         np.array([0.0, 1.0, math.nan]))
    assert ranked["row"].tolist() == [1, 2, 0]
    assert ranked["flagged"].tolist() == [True, True, False]
    assert ranked["used_for"].tolist() == ["held-out", "scored", "fit"]
    assert ranked["top_column"].tolist() == ["score", "a", "a"]
    assert ranked["label"].tolist()[:1] == [1] and pd.isna(ranked["label"].iloc[1])
    assert "score (data)" in ranked.columns  # a table column never hides the report's


# ---- aebook.report with H2O ------------------------------------------------------------------


@pytest.fixture(scope="module")
def h2o_tables(tmp_path_factory):
    """A folder with a small CSV, its Parquet copy (written by H2O, which is stopped
    again) and a corrupt Parquet file."""
    import h2o

    from aebook import h2o_session, unique_id

    folder = tmp_path_factory.mktemp("tables")
    small_table().to_csv(folder / "small.csv", index=False)
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 2)
    whole = gzip.compress(b"a,b\n1,2\n" * 1000)
    (folder / "broken.csv.gz").write_bytes(whole[:len(whole) // 2])  # cut short
    with h2o_session(max_mem_size="512M", nthreads=1):
        frame = h2o.import_file(str(folder / "small.csv"),
                                destination_frame=unique_id("small"))
        h2o.export_file(frame, str(folder / "export"), format="parquet", force=True)
    (folder / "export" / "part-m-00000").replace(folder / "small.parquet")  # one part
    shutil.rmtree(folder / "export")
    whole = (folder / "small.parquet").read_bytes()
    (folder / "cut.parquet").write_bytes(whole[:len(whole) // 2])
    (folder / "twice.csv").write_text("a,a,b\n" + "".join(f"{i},{i},{i}\n" for i in range(50)))
    (folder / "latin1.csv").write_bytes("a,ville_\u00e9\n".encode("latin-1") + b"1,x\n2,y\n" * 50)
    (folder / "words.csv").write_text("a,b\n" + "".join(f"{i},{'oops' if i % 10 == 0 else i}\n"
                                                         for i in range(100)))
    lines = "".join(f"{i},{i * 2},x{i % 3}\n" for i in range(20_000)).encode()
    (folder / "cut.csv.gz").write_bytes(gzip.compress(b"a,b,c\n" + lines)[:40_000])
    return folder


@pytest.fixture
def small_frame(h2o_tables):
    """The small table in a running H2O cluster (for this test only)."""
    import h2o

    from aebook import h2o_session, unique_id

    with h2o_session(max_mem_size="512M", nthreads=1):
        yield h2o_tables, h2o.import_file(str(h2o_tables / "small.csv"),
                                          destination_frame=unique_id("small"))


@pytest.mark.h2o
def test_report_data_checks_with_h2o(small_frame):
    from aebook import tabular
    from aebook.report import anomaly_labels, check_columns, check_features, known_normal_rows, read_table

    folder, frame = small_frame
    parquet = read_table(folder / "small.parquet", "small_parquet")
    assert parquet.shape == frame.shape
    with pytest.raises(TabularError, match=r"^H2O could not read .*broken\.csv\.gz as a table "
                                           r"\(Cannot determine file type\): give a CSV"):
        read_table(folder / "broken.csv.gz", "broken")
    with pytest.raises(TabularError, match=r"binary\.csv as a table \(its first line holds "
                                           r"binary data\)"):
        read_table(folder / "binary.csv", "binary")
    with pytest.raises(TabularError, match=r"^label_column: the table has no column 'y2'"):
        check_columns(frame, normal_column="known", label_column="y2", ignore_columns=[])
    with pytest.raises(TabularError, match=r"^ignore_columns: the table has no column 'x'"):
        check_columns(frame, normal_column="", label_column="", ignore_columns=["id", "x"])
    normal = known_normal_rows(frame, "known", "1")
    assert list(normal) == list(np.flatnonzero(small_table()["known"] == 1))
    assert len(known_normal_rows(frame, "", "")) == frame.nrows
    with pytest.raises(TabularError, match=r"no row has known='yes'.*its values: '0', '1'"):
        known_normal_rows(frame, "known", "yes")
    labels = anomaly_labels(frame, "y", "known", "1")
    assert np.array_equal(labels, small_table()["y"].to_numpy(dtype=float))
    assert np.array_equal(anomaly_labels(frame, "known", "known", "1"), 1.0 - small_table()["known"])
    with pytest.raises(TabularError, match=r"^label_column 'colour' is not numeric \(H2O read "
                                           r"it as enum\)"):
        anomaly_labels(frame, "colour")
    with pytest.raises(TabularError, match="values other than 0 and 1"):
        anomaly_labels(frame, "amount")
    columns = tabular.column_roles(frame, ignore=["id", "known", "y", "amount", "colour",
                                                  "size"])
    with pytest.raises(TabularError, match=r"^no numeric or categorical feature is left"):
        check_features(columns)
    part = tabular.take_rows(frame, np.array([7, 0, 5]), "three")
    assert part["id"].as_data_frame()["id"].tolist() == [0, 5, 7]  # in the table's order


@pytest.mark.h2o
@pytest.mark.parametrize("name, message", [
    ("twice.csv", r"\(Found duplicate column name a\): give every column its own name in the first line$"),
    ("cut.csv.gz", r"\(it ends early, as a file cut short does\): copy or fetch the file again$"),
    ("cut.parquet", r"\(it is not a Parquet file that H2O can read, perhaps damaged or cut short\): "
                    r"write it again$"),
    ("latin1.csv", r"\(its first line is not UTF-8 text, perhaps Latin-1\): save the file as UTF-8$"),
])
def test_an_unreadable_table_names_its_own_fix(small_frame, name, message):
    from aebook.report import read_table

    folder, _ = small_frame
    with pytest.raises(TabularError, match=rf"^H2O could not read .*{re.escape(name)} as a table {message}") as error:
        read_table(folder / name, "bad")
    assert "Job with key" not in str(error.value) and "\n" not in str(error.value)


@pytest.mark.h2o
def test_text_in_a_numeric_column_is_counted(small_frame, capsys):
    from aebook.report import read_table

    folder, _ = small_frame
    frame = read_table(folder / "words.csv", "words")
    assert frame.types["b"] == "int"
    assert capsys.readouterr().out == ("b: 10 of 100 values are missing (empty, NA, or text in this "
                                       "numeric column)\n")


# ---- the notebook with papermill --------------------------------------------------------------


def small_table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Rows with missing values; the colour 'purple' only among rows not known normal."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], size=n, p=[0.5, 0.3, 0.2]).astype(object)
    size = rng.normal(10, 1, size=n) + (colour == "red") * 2
    amount = np.floor(rng.lognormal(3, 1.5, size=n))
    y = (rng.uniform(size=n) < 0.1).astype(int)
    size[y == 1] += rng.choice([-6, 6], size=int(y.sum()))
    known = ((y == 0) & (rng.uniform(size=n) < 0.8)).astype(int)
    unknown = np.flatnonzero(known == 0)
    colour[unknown[:3]] = "purple"
    amount[rng.choice(n, 15, replace=False)] = np.nan
    size[rng.choice(n, 10, replace=False)] = np.nan
    return pd.DataFrame({"id": np.arange(n), "size": size.round(3), "amount": amount,
                         "colour": colour, "known": known, "y": y})


def run(tmp_path: Path, notebook: Path = NOTEBOOK, **parameters) -> tuple[Path, nbformat.NotebookNode]:
    """Run the notebook; return its report folder and the executed notebook."""
    parameters.setdefault("output_folder", str(tmp_path / "report"))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters=parameters,
                               cwd=str(NOTEBOOK.parent), kernel_name="python3",
                               progress_bar=False, execution_timeout=600)
    return Path(parameters["output_folder"]), nbformat.read(out, as_version=4)


def text_of(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)


def check_report(folder: Path, rows: int, labelled: bool) -> tuple[pd.DataFrame, dict]:
    names = {p.name for p in folder.iterdir()}
    expected = set(REPORT_FILES) - ({"roc_pr.png"} if not labelled else set())
    assert names >= expected and ("roc_pr.png" in names) == labelled
    ranked = pd.read_csv(folder / "ranked_rows.csv")
    report = json.loads((folder / "report.json").read_text())
    assert len(ranked) == rows == report["rows"]
    assert ranked["score"].is_monotonic_decreasing and ranked["score"].notna().all()
    assert sorted(ranked["row"]) == list(range(rows))
    assert ranked["flagged"].sum() == report["rows_flagged"]
    assert (ranked["flagged"] == (ranked["score"] > report["threshold"])).all()
    assert (report["auroc"] is not None) == labelled
    return ranked, report


@pytest.mark.slow
@pytest.mark.h2o
def test_report_on_the_ecg_file_without_normal_column(tmp_path):
    folder, nb = run(tmp_path, data="ecg/ecg_discord_test.csv", normal_column="",
                     label_column="", false_alarm_rate=0.25, hidden=[20], epochs=50)
    _ranked, report = check_report(folder, rows=23, labelled=False)
    assert len(report["features"]) == 210
    assert "no normal_column: all 23 rows count as normal" in text_of(nb)
    assert "the MOJO scores the first rows as H2O does: True" in text_of(nb)


def kdd_sample(path: Path, rows: int, label: bool, seed: int = 0) -> Path:
    """A random sample of the training records as ARFF, with a 0/1 column 'attack'."""
    with gzip.open(path_of("kdd/KDDTrain.arff.gz"), "rt") as f:
        lines = f.read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().lower() == "@data") + 1
    header, records = lines[:start - 1], [r for r in lines[start:] if r.strip()]
    chosen = np.sort(np.random.default_rng(seed).choice(len(records), rows, replace=False))
    out = header + (["@attribute attack numeric"] if label else []) + ["@data"]
    for i in chosen:
        record = records[i]
        attack = record.rsplit(",", 1)[1].strip().strip("'") != "normal"
        out.append(record + (f",{int(attack)}" if label else ""))
    path.write_text("\n".join(out) + "\n")
    return path


@pytest.mark.slow
@pytest.mark.h2o
def test_report_on_network_records_with_a_label(tmp_path):
    data = kdd_sample(tmp_path / "kdd_sample.arff", 2500, label=True)
    folder, nb = run(tmp_path, data=str(data), normal_column="class",
                     normal_value="normal", label_column="attack",
                     ignore_columns=["class"], fit_rows=800, epochs=5)
    ranked, report = check_report(folder, rows=2500, labelled=True)
    assert "class" not in report["features"] and "attack" not in report["features"]
    assert report["auroc"] > 0.8 and 0 < report["average_precision"] <= 1
    assert set(ranked["label"]) == {0, 1}
    assert report["rows_fit"] == 800
    assert "AUROC" in text_of(nb)


@pytest.mark.slow
@pytest.mark.h2o
def test_report_on_network_records_without_a_label(tmp_path):
    data = kdd_sample(tmp_path / "kdd_sample.arff", 1500, label=False, seed=1)
    folder, nb = run(tmp_path, data=str(data), normal_column="class",
                     normal_value="normal", label_column="", fit_rows=600, epochs=5)
    ranked, _report = check_report(folder, rows=1500, labelled=False)
    assert "label" not in ranked.columns
    assert "no label_column: nothing to evaluate" in text_of(nb)


@pytest.mark.slow
@pytest.mark.h2o
def test_report_on_a_small_table_with_missing_values_and_an_unseen_category(
        h2o_tables, tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "notes.txt").write_text("the reader's own file")
    (folder / "roc_pr.png").write_text("an old report's figure")
    run(tmp_path, data=str(h2o_tables / "small.parquet"), normal_column="known",
        normal_value="1", label_column="y", ignore_columns=["id"],
        false_alarm_rate=0.05, overwrite=True, **SMALL)
    ranked, report = check_report(folder, rows=300, labelled=True)
    assert (folder / "notes.txt").read_text() == "the reader's own file"
    assert set(report["features"]) == {"size", "amount", "colour"}
    purple = ranked[ranked["colour"] == "purple"]
    assert len(purple) == 3 and (purple["used_for"] == "scored").all()
    assert ranked.loc[ranked["amount"].isna(), "score"].notna().all()
    assert report["auroc"] > 0.7


@pytest.mark.slow
@pytest.mark.h2o
def test_report_reads_an_s3_object(h2o_tables, tmp_path, monkeypatch):
    from aebook import start_object_store

    with start_object_store() as store:
        store.ensure_bucket("your-own-data")
        url = store.upload(h2o_tables / "small.csv", "your-own-data", "tables/small.csv")
        monkeypatch.setenv("AEBOOK_S3_ENDPOINT", store.endpoint)
        monkeypatch.setenv("AEBOOK_S3_ACCESS_KEY", store.access_key)
        monkeypatch.setenv("AEBOOK_S3_SECRET_KEY", store.secret_key)
        folder, nb = run(tmp_path, data=url, normal_column="known", normal_value="1",
                         label_column="", ignore_columns=["id", "y"],
                         false_alarm_rate=0.05, **SMALL)
    check_report(folder, rows=300, labelled=False)
    assert "s3://your-own-data/tables/small.csv: 300 rows, 6 columns" in text_of(nb)


# Level text that once broke the report after every file was written (#27): commas and
# quotes in a category, braces, a backslash, "-", and text beyond ASCII.
CITIES = ["New York, NY", "Boston, MA", 'say "hi"', "{x}", "C:\\temp", "-", "Zürich", "東京"]


@pytest.mark.slow
@pytest.mark.h2o
def test_report_on_a_csv_whose_category_holds_commas_quotes_and_any_script(tmp_path):
    table = small_table()
    table["city"] = np.random.default_rng(1).choice(CITIES, size=len(table))
    data = tmp_path / "cities.csv"
    table.to_csv(data, index=False)
    folder, nb = run(tmp_path, data=str(data), normal_column="known", normal_value="1",
                     label_column="y", ignore_columns=["id"], false_alarm_rate=0.05, **SMALL)
    _ranked, report = check_report(folder, rows=300, labelled=True)
    assert "city" in report["categorical"]
    cities = pd.read_csv(folder / "ranked_rows.csv", keep_default_na=False)["city"]
    assert sorted(cities) == sorted(table["city"])  # every level as it is in the file
    assert "the MOJO scores the first rows as H2O does: True" in text_of(nb)


@pytest.mark.slow
@pytest.mark.h2o
def test_a_late_error_leaves_no_half_written_report(h2o_tables, tmp_path):
    """A run that fails while the report's files are written (here: a failure injected
    after the MOJO, before report.json) leaves no report folder and no staging folder."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    writing = next(c for c in nb.cells if c.cell_type == "code" and "report_files(" in c.source)
    last_file = "    write_json(staging"
    assert last_file in writing.source
    writing.source = writing.source.replace(
        last_file, '    raise RuntimeError("a late failure")\n' + last_file, 1)
    broken = tmp_path / "late.ipynb"
    nbformat.write(nb, broken)
    runs = tmp_path / "runs"
    runs.mkdir()
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run(tmp_path, notebook=broken, data=str(h2o_tables / "small.csv"), normal_column="known",
            normal_value="1", label_column="y", ignore_columns=["id"], false_alarm_rate=0.05,
            output_folder=str(runs / "new" / "report"), **SMALL)
    assert error.value.ename == "RuntimeError" and error.value.evalue == "a late failure"
    assert list(runs.iterdir()) == []  # neither the report, its parent nor a staging folder


BAD_INPUTS = [
    # (name, parameters (with {tmp} and {small}), exception, message pattern)
    ("missing file", {"data": "{tmp}/nope.csv"}, "ParameterError",
     r"^invalid parameter data='.*nope\.csv': expected a CSV, Parquet or ARFF file, .*"
     r"nope\.csv does not exist$"),
    ("unreadable file", {"data": "{small}/broken.csv.gz"}, "TabularError",
     r"^H2O could not read .*broken\.csv\.gz as a table \(Cannot determine file type\): "
     r"give a CSV, Parquet or ARFF file$"),
    ("unknown column", {"normal_column": "reviewed"}, "TabularError",
     r"^normal_column: the table has no column 'reviewed' \(its 6 columns: id, size, "
     r"amount, colour, known, y\)$"),
    ("no feature left", {"ignore_columns": ["id", "size", "amount", "colour"]},
     "TabularError", r"^no numeric or categorical feature is left to learn from \(.*\): "
                     r"keep at least one column as a feature$"),
    ("too few normal rows", {"false_alarm_rate": 0.001}, "TabularError",
     r"^\d+ known-normal rows are too few: a false-alarm rate of 0\.001 with "
     r"held_out_share=0\.2 needs at least 4995 \(mark more rows normal, or raise "
     r"false_alarm_rate\)$"),
    ("non-numeric label", {"label_column": "colour"}, "TabularError",
     r"^label_column 'colour' is not numeric \(H2O read it as enum\): give a column with "
     r"1 for an anomaly and 0 for a normal row$"),
    ("output folder in a file", {"output_folder": "{small}/small.csv/report"},
     "ParameterError", r"^invalid parameter output_folder='.*': expected a folder that can "
                       r"be written, but .*small\.csv is a file, not a folder$"),
    ("output folder not empty", {"output_folder": "{small}"}, "ParameterError",
     r"^invalid parameter output_folder='.*': expected a new or empty folder, but .* "
     r"holds .*: choose another folder, or set overwrite=True to replace the report's "
     r"files in it$"),
]


@pytest.mark.slow
@pytest.mark.h2o
@pytest.mark.parametrize("parameters, ename, message",
                         [case[1:] for case in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_stops_before_training_in_one_sentence(h2o_tables, tmp_path, parameters,
                                                         ename, message):
    small = h2o_tables
    values = {"data": str(small / "small.csv"), "normal_column": "known",
              "normal_value": "1", "label_column": "y", "ignore_columns": ["id"],
              "false_alarm_rate": 0.05, "output_folder": str(tmp_path / "report"),
              **SMALL}
    for key, value in parameters.items():
        values[key] = value.format(tmp=tmp_path, small=small) if isinstance(value, str) \
            else value
    out = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=values,
                                   cwd=str(NOTEBOOK.parent), kernel_name="python3",
                                   progress_bar=False, execution_timeout=600)
    assert error.value.ename == ename, error.value.evalue  # the message, if H2O failed instead
    assert re.match(message, error.value.evalue), error.value.evalue
    assert "\n" not in error.value.evalue
    nb = nbformat.read(out, as_version=4)
    training = next(c for c in nb.cells if "train_autoencoder(" in c.source)
    assert training.execution_count is None, "the model was trained"
    if values["output_folder"] == str(tmp_path / "report"):
        assert not (tmp_path / "report").exists(), "the report folder was created"



# ---- #27: refused at once, in one sentence that names the fix --------------------------------


def test_an_s3_url_without_the_stores_endpoint_is_refused_before_any_work(monkeypatch):
    from aebook.object_storage import ENDPOINT_ENV

    monkeypatch.delenv(ENDPOINT_ENV, raising=False)
    with pytest.raises(ParameterError, match="set AEBOOK_S3_ENDPOINT") as error:
        check_data_source("data", "s3://my-bucket/t.csv")
    assert "\n" not in str(error.value)
    monkeypatch.setenv(ENDPOINT_ENV, "http://store.example.org:9000")
    assert check_data_source("data", "s3://my-bucket/t.csv") == "s3://my-bucket/t.csv"


@pytest.mark.parametrize("gz", [False, True])
def test_an_arff_file_with_a_date_attribute_is_refused_before_h2o_reads_it(tmp_path, gz):
    import gzip

    text = ("% a comment\n@RELATION visits\n\n@ATTRIBUTE id NUMERIC\n"
            "@attribute 'seen at' DATE \"yyyy-MM-dd HH:mm:ss\"\n@ATTRIBUTE kind {a,b}\n\n@DATA\n"
            "1,'2024-01-02 10:00:00',a\n")
    path = tmp_path / ("visits.arff.gz" if gz else "visits.arff")
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    with pytest.raises(ParameterError, match=r"date attribute 'seen at'.*save the table as CSV") as error:
        check_data_source("data", str(path))
    assert "\n" not in str(error.value)
    plain = tmp_path / "plain.arff"
    plain.write_text(text.replace("DATE \"yyyy-MM-dd HH:mm:ss\"", "STRING"))
    assert check_data_source("data", str(plain)) == plain


def test_a_read_only_mount_is_called_read_only_not_a_permission_problem(tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a read-only file system")
    folder = tmp_path / "ro"
    folder.mkdir()
    probe = ("from aebook.report import check_output_folder\n"
             f"check_output_folder('output_folder', {str(folder / 'report')!r}, False)\n")
    result = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o ro tmpfs {folder} && "
                             f"{sys.executable} -c \"$0\"", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "is on a read-only file system" in result.stderr, result.stderr[-1500:]


@pytest.mark.slow
@pytest.mark.h2o
@pytest.mark.timeout(1200)
def test_two_sessions_of_the_chapter_at_once_on_one_cluster_both_pass(tmp_path):
    """Both read the default file (the KDD test records) in quick mode, on one H2O they connect to
    (AEBOOK_H2O_URL); H2O keys an imported file by its path, so the two imports used to collide.
    One round (the collision needs both imports within about half a second of each other,
    so tests/test_file_to_cluster.py repeats bare imports, several rounds at once)."""
    from aebook import h2o_session

    with h2o_session(max_mem_size="1500M") as cluster:
        before = cluster_keys(cluster.url)
        env = {**os.environ, "AEBOOK_H2O_URL": cluster.url, "AEBOOK_QUICK": "1"}
        folders = [tmp_path / reader for reader in "ab"]
        for folder in folders:
            folder.mkdir()
        problems = run_at_once([[sys.executable, "-m", "papermill", str(NOTEBOOK), str(folder / "out.ipynb"),
                                 "--cwd", str(NOTEBOOK.parent), "-k", "python3", "--no-progress-bar",
                                 "-r", "output_folder", str(folder / "report")] for folder in folders],
                               720, env=env)
        assert not problems, "\n".join(problems)
        for folder in folders:
            text = text_of(nbformat.read(folder / "out.ipynb", as_version=4))
            assert "Quick mode (AEBOOK_QUICK=1)" in text and "kdd/KDDTest.arff.gz: 22544 rows, 42 columns" in text
            assert (folder / "report" / "report.json").is_file()
        assert cluster_keys(cluster.url) == before, "the sessions left keys on the cluster"
