"""An anomaly report on any table: the checks, splits, files and figures of the your-own-data chapter.

The notebook ``notebooks/12_your_own_data.ipynb`` is the tool; this module holds what
it does besides the pipeline of :mod:`aebook.tabular`, so that it is tested once:

- checks of the reader's input that answer in one sentence *before any training*:
  :func:`check_data_source` and :func:`check_output_folder` (parameters, raise
  :class:`~aebook.params.ParameterError`), :func:`read_table`,
  :func:`check_columns`, :func:`known_normal_rows`, :func:`anomaly_labels` and
  :func:`check_normal_rows` (the data, raise :class:`~aebook.tabular.TabularError`);
- the split of the known-normal rows into rows to train on and rows held out for the
  threshold (:func:`split_normal_rows`; :func:`aebook.tabular.take_rows` takes them);
- the report's files: the ranked rows (:func:`ranked_rows`) and its figures
  (:func:`plot_errors`, :func:`plot_error_shares`, :func:`plot_roc_pr`), which the
  notebook writes with the MOJO (:func:`aebook.mojo.export_mojo`) and a JSON
  description (:func:`aebook.files.write_json`) into a staging folder that reaches the
  report folder only when every file is written, while the run holds the folder
  (:func:`report_files`).

Relative paths are taken from the project folder, as everywhere in the book.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import math
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .data import PROJECT_ROOT, read_manifest
from .files import remove_dead_leftovers
from .mojo import GENMODEL_JAR, MOJO_FILE
from .params import check_parameter
from .tabular import TabularError, draw_rows, level_text

__all__ = [
    "DEFAULT_OUTPUT_ROOT",
    "MIN_FIT_ROWS",
    "REPORT_FILES",
    "anomaly_labels",
    "check_columns",
    "check_data_source",
    "check_evaluation_labels",
    "check_features",
    "check_normal_rows",
    "check_output_folder",
    "known_normal_rows",
    "minimum_normal_rows",
    "plot_error_shares",
    "plot_errors",
    "plot_roc_pr",
    "ranked_rows",
    "read_table",
    "report_files",
    "shown",
    "split_normal_rows",
]

DEFAULT_OUTPUT_ROOT = PROJECT_ROOT / "_build" / "your_own_data"
MIN_FIT_ROWS = 10  # fewer normal rows to train on cannot describe "normal"
# Every file the report writes; with overwrite=True these (and only these) are replaced.
REPORT_FILES = ("ranked_rows.csv", MOJO_FILE, GENMODEL_JAR,
                "report.json", "errors.png", "error_shares.png", "roc_pr.png")
# The free space a report needs at least: h2o-genmodel.jar (about 5 MB), the MOJO, the
# figures and ranked_rows.csv (some 200 bytes a row of 41 columns: 20 MB for 100,000
# rows), twice over.
REPORT_MIN_FREE_BYTES = 64 << 20
LOCK_SUFFIX = ".lock"  # report/ is held through report.lock beside it while it is written
_S3 = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+$")


def shown(path: str | Path) -> str:
    """``path`` relative to the project folder when inside it (no machine paths)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _resolve(path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


# ---- parameters: before H2O starts --------------------------------------------------------


def check_data_source(name: str, data: Any,
                      kind: str = "a CSV, Parquet or ARFF file") -> str | Path:
    """The file or ``s3://`` URL that ``data`` names, or :class:`ParameterError`.

    ``data`` is a local file of the ``kind`` expected (a relative path starts at the
    project folder), an ``s3://bucket/key`` URL, or the name of a data file of the
    book (``data/manifest.tsv``, e.g. ``"kdd/KDDTest.arff.gz"``), fetched if needed.
    """
    expected = f"{kind}, an s3://bucket/key URL or a data file of the book"
    check_parameter(name, data, isinstance(data, str) and data.strip() != "", expected)
    if data.startswith("s3://"):
        from .object_storage import ENDPOINT_ENV

        check_parameter(name, data, bool(_S3.match(data)),
                        "an s3://bucket/key URL (a bucket of 3 to 63 lowercase letters, "
                        "digits, dots or hyphens, then the object's key)")
        check_parameter(name, data, bool(os.environ.get(ENDPOINT_ENV)),
                        f"an s3:// URL in the object store named by {ENDPOINT_ENV}, but it is not "
                        f"set: set {ENDPOINT_ENV} (and the store's keys in AEBOOK_S3_ACCESS_KEY and "
                        "AEBOOK_S3_SECRET_KEY) before starting Jupyter or papermill")
        return data
    path = _resolve(data)
    if not path.exists() and data in {e.path for e in read_manifest()}:
        from .data import path_of

        return path_of(data)
    relative = "" if Path(data).expanduser().is_absolute() else (
        f" (a relative path starts at the project folder, {PROJECT_ROOT})")
    check_parameter(name, data, path.exists(), f"{expected}, but {shown(path)} does not exist{relative}")
    check_parameter(name, data, path.is_file(), f"{expected}, but {shown(path)} is a folder")
    check_parameter(name, data, os.access(path, os.R_OK),
                    f"{expected}, but {shown(path)} cannot be read (permissions)")
    check_parameter(name, data, path.stat().st_size > 0, f"{expected}, but {shown(path)} is empty")
    date = _arff_date_attribute(path)
    check_parameter(name, data, date is None,
                    f"{expected}, but {shown(path)} has a date attribute {date!r}, which H2O's ARFF "
                    "reader does not take (it would read the file as CSV): declare the column as "
                    "STRING or NUMERIC, or save the table as CSV")
    return path


_ARFF_DATE = re.compile(r"@attribute\s+('[^']*'|\"[^\"]*\"|\S+)\s+date\b", re.IGNORECASE)


def _arff_date_attribute(path: Path) -> str | None:
    """The name of the first ``date`` attribute in the header of an ARFF file, or None
    (also for a file that is not ARFF)."""
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    if not path.name.lower().removesuffix(".gz").endswith(".arff"):
        return None
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip().lower().startswith("@data"):
                    return None
                match = _ARFF_DATE.match(line.strip())
                if match:
                    return match.group(1).strip("'\"")
    except (OSError, EOFError):  # unreadable or cut short: H2O's reading says so
        return None
    return None


def _writable_folder(folder: Path) -> str | None:
    """Why ``folder`` cannot be created and written, or None if it can."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"{shown(existing)} is a file, not a folder"
    if os.statvfs(existing).f_flag & os.ST_RDONLY:  # before access(), which also says no
        return f"{shown(existing)} is on a read-only file system"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{shown(existing)} cannot be written (permissions)"
    return None


def check_output_folder(name: str, output_folder: Any, overwrite: Any) -> Path:
    """The report folder for ``output_folder``, checked; nothing is created yet.

    ``""`` means a new folder under ``_build/your_own_data`` in the project (git
    ignores it), named after the date, time and process. A folder the reader names
    must be new or empty, unless ``overwrite`` is True: then the report's own files
    (:data:`REPORT_FILES`) in it are replaced and every other file is left alone.
    """
    check_parameter("overwrite", overwrite, isinstance(overwrite, bool), "True or False")
    check_parameter(name, output_folder, isinstance(output_folder, str),
                    'a folder for the report, or "" for a new one under _build/your_own_data')
    if output_folder == "":
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = DEFAULT_OUTPUT_ROOT / f"report-{stamp}-{os.getpid()}"
    else:
        folder = _resolve(output_folder)
    problem = _writable_folder(folder)
    check_parameter(name, output_folder, problem is None,
                    f"a folder that can be written, but {problem}")
    free = _free_bytes(folder)
    check_parameter(name, output_folder, free >= REPORT_MIN_FREE_BYTES,
                    f"a folder on a disk with at least {REPORT_MIN_FREE_BYTES >> 20} MB free for the "
                    f"report, but {shown(folder)} has {free >> 20} MB: free some space, or choose "
                    "another folder")
    if folder.is_dir() and not overwrite:
        held = sorted(p.name for p in folder.iterdir())
        listed = ", ".join(held[:3]) + (", ..." if len(held) > 3 else "")
        check_parameter(name, output_folder, not held,
                        f"a new or empty folder, but {shown(folder)} holds {listed}: "
                        "choose another folder, or set overwrite=True to replace the "
                        "report's files in it")
    return folder


# ---- the data: after H2O has read it, before any training -------------------------------


def read_table(source: str | Path, name: str):
    """The table at ``source`` as an H2O frame (:func:`frame_from_file`), or one sentence.

    H2O guesses the format (CSV, Parquet, ARFF, compressed or not), the separator,
    the header and the column types. The sentence names the fix for what went wrong:
    a duplicate column name, a file cut short, a damaged Parquet file, text that is
    not UTF-8, binary data. A numeric column with missing values is reported with
    their count, since H2O also reads text in a numeric column as missing.
    """
    from h2o.exceptions import H2OResponseError, H2OServerError

    from .file_to_cluster import frame_from_file

    what = source if isinstance(source, str) else shown(source)
    if _damaged_parquet(source):  # H2O would read it as text
        raise TabularError(f"H2O could not read {what} as a table (it is not a Parquet file that H2O "
                           "can read, perhaps damaged or cut short): write it again")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            frame = frame_from_file(source, name)
    except (H2OResponseError, H2OServerError, OSError) as err:
        reason, fix = _parse_failure(err)
        raise TabularError(f"H2O could not read {what} as a table ({reason}): {fix}") from None
    if frame is None or frame.nrows == 0 or frame.ncol == 0:
        raise TabularError(f"{what} holds no rows of data: give a table with rows")
    if any(not name.isprintable() or "\ufffd" in name for name in frame.columns):
        reason, fix = _unreadable_first_line(source)
        raise TabularError(f"H2O could not read {what} as a table ({reason}): {fix}")
    numeric = [c for c, kind in frame.types.items() if kind in ("int", "real")]
    if numeric:
        missing = {c: int(n) for c, n in zip(numeric, frame[numeric].nacnt(), strict=True) if n}
        for column, count in missing.items():
            print(f"{column}: {count} of {frame.nrows} values are missing (empty, NA, or text "
                  "in this numeric column)")
    return frame


def _parse_failure(err: Exception) -> tuple[str, str]:
    """What went wrong when H2O parsed a file, and the fix, from H2O's error."""
    lines = [line.strip() for line in str(err).strip().splitlines()]
    reason = next((line[len("Error:"):] for line in lines if line.startswith("Error:")),
                  lines[0] if lines else type(err).__name__)
    reason = reason.split(" for nfs:")[0].split(" for s3:")[0].strip(" .")
    if "duplicate column name" in reason.lower():
        return reason, "give every column its own name in the first line"
    if "EOFException" in reason or "end of ZLIB" in reason:
        return "it ends early, as a file cut short does", "copy or fetch the file again"
    # "Job with key $...$ failed with an exception: DistributedException from /ip:port: ..."
    reason = re.sub(r"^Job with key \S+ failed with an exception: (DistributedException from \S+ )?", "",
                    reason).strip(" '")
    return reason[:160], "give a CSV, Parquet or ARFF file"


def _damaged_parquet(source: str | Path) -> bool:
    """True for a local ``.parquet`` file that lacks Parquet's mark ``PAR1`` at either end."""
    path = Path(source)
    if str(source).startswith("s3://") or not path.name.lower().endswith(".parquet") or not path.is_file():
        return False
    with open(path, "rb") as f:
        head = f.read(4)
        f.seek(max(0, path.stat().st_size - 4))
        return head != b"PAR1" or f.read(4) != b"PAR1"


def _unreadable_first_line(source: str | Path) -> tuple[str, str]:
    """Why a table's first line is not text, and the fix, from the file's first bytes."""
    path = Path(source) if not str(source).startswith("s3://") else None
    if path is not None and path.is_file():
        with open(path, "rb") as f:
            first = f.readline(4096)
        try:
            first.decode("utf-8")
        except UnicodeDecodeError:
            if first.decode("latin-1").strip().isprintable():
                return "its first line is not UTF-8 text, perhaps Latin-1", "save the file as UTF-8"
    return "its first line holds binary data", "give a CSV, Parquet or ARFF file"


def check_columns(frame, **named: str | Sequence[str]) -> None:
    """Every column named in ``named`` (parameter name: column or list) is in ``frame``."""
    names = list(frame.columns)
    for parameter, value in named.items():
        wanted = [value] if isinstance(value, str) else list(value)
        for column in wanted:
            if column and column not in names:
                listed = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
                raise TabularError(f"{parameter}: the table has no column {column!r} "
                                   f"(its {len(names)} columns: {listed})")


def check_features(columns) -> None:
    """One sentence if no numeric or categorical feature is left (``columns``:
    :class:`~aebook.tabular.Columns`)."""
    if not columns.features:
        reasons = "; ".join(f"{c}: {why}" for c, why in list(columns.ignored.items())[:6])
        raise TabularError(f"no numeric or categorical feature is left to learn from "
                           f"({reasons}): keep at least one column as a feature")


def check_evaluation_labels(labels: np.ndarray | None, evaluated: np.ndarray) -> None:
    """One sentence unless the rows to evaluate (``evaluated``: a mask) hold labelled
    anomalies and labelled normal rows; nothing without labels."""
    if labels is None:
        return
    known = labels[np.asarray(evaluated) & np.isfinite(labels)]
    anomalies, normal = int((known == 1).sum()), int((known == 0).sum())
    if not anomalies or not normal:
        raise TabularError(
            f"the rows the model does not train on hold {anomalies} labelled anomalies "
            f"and {normal} labelled normal rows: an evaluation needs both (label "
            "more rows, or set label_column=\"\")")


def _values(frame, column: str) -> list[Any]:
    return frame[column].as_data_frame(use_multi_thread=False)[column].tolist()


def known_normal_rows(frame, normal_column: str, normal_value: str) -> np.ndarray:
    """Positions of the rows whose ``normal_column`` is ``normal_value`` (as text:
    the number 1 and 1.0 both read "1"); all rows when ``normal_column`` is empty."""
    if not normal_column:
        return np.arange(frame.nrows)
    values = [level_text(v) for v in _values(frame, normal_column)]
    rows = np.flatnonzero([v == normal_value for v in values])
    if rows.size == 0:
        seen = sorted({v for v in values if v is not None})
        listed = ", ".join(repr(v) for v in seen[:6]) + (", ..." if len(seen) > 6 else "")
        raise TabularError(f"no row has {normal_column}={normal_value!r}, so there are no "
                           f"known-normal rows to train on (its values: {listed})")
    return rows


def minimum_normal_rows(false_alarm_rate: float, held_out_share: float) -> int:
    """Known-normal rows needed: at least :data:`MIN_FIT_ROWS` to train on, and enough
    held out (``ceil(1 / rate) - 1``) for the threshold of ``false_alarm_rate``."""
    held_out = math.ceil(1 / false_alarm_rate) - 1
    return max(math.ceil(held_out / held_out_share - 1e-9),
               math.ceil(MIN_FIT_ROWS / (1 - held_out_share) - 1e-9))


def check_normal_rows(count: int, false_alarm_rate: float, held_out_share: float) -> None:
    """One sentence if ``count`` known-normal rows are too few."""
    needed = minimum_normal_rows(false_alarm_rate, held_out_share)
    if count < needed:
        raise TabularError(
            f"{count} known-normal rows are too few: a false-alarm rate of "
            f"{false_alarm_rate:g} with held_out_share={held_out_share:g} needs at least "
            f"{needed} (mark more rows normal, or raise false_alarm_rate)")


def anomaly_labels(frame, label_column: str, normal_column: str = "",
                   normal_value: str = "") -> np.ndarray | None:
    """Each row's label, 1.0 for an anomaly, 0.0 for a normal row, NaN if missing.

    The label column must be numeric with the values 0 and 1, or be the
    ``normal_column`` itself (then a row is normal if it has ``normal_value``).
    None without a ``label_column``.
    """
    if not label_column:
        return None
    if label_column == normal_column and normal_column:
        values = [level_text(v) for v in _values(frame, label_column)]
        return np.array([math.nan if v is None else float(v != normal_value) for v in values])
    kind = frame.types[label_column]
    if kind not in ("int", "real"):
        raise TabularError(
            f"label_column {label_column!r} is not numeric (H2O read it as {kind}): give a "
            "column with 1 for an anomaly and 0 for a normal row")
    labels = np.asarray(_values(frame, label_column), dtype=float)
    odd = sorted({v for v in labels[np.isfinite(labels)] if v not in (0.0, 1.0)})
    if odd:
        raise TabularError(
            f"label_column {label_column!r} holds values other than 0 and 1 (e.g. "
            f"{odd[0]:g}): give 1 for an anomaly and 0 for a normal row")
    return labels


def split_normal_rows(rows: np.ndarray, held_out_share: float, fit_rows: int,
                      seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Known-normal ``rows`` drawn at random (:func:`aebook.tabular.draw_rows`, from
    ``seed``) into rows to train on and rows held out for the threshold.

    ``floor(held_out_share * n)`` rows are held out; the model trains on the others,
    at most ``fit_rows`` of them (0: all). Both parts keep the table's order.
    """
    rows = np.asarray(rows, dtype=np.int64)
    held = math.floor(held_out_share * rows.size + 1e-9)
    fit = rows.size - held if not fit_rows else min(fit_rows, rows.size - held)
    held_out, fit_part = draw_rows(rows, [held, fit], seed)
    return fit_part, held_out


# ---- the report's files ------------------------------------------------------------------


def ranked_rows(table: pd.DataFrame, errors: np.ndarray, threshold: float,
                used_for: np.ndarray, shares: pd.DataFrame,
                labels: np.ndarray | None = None) -> pd.DataFrame:
    """The rows of ``table``, highest reconstruction error first.

    Columns: ``rank``, ``row`` (position in the file, from 0), ``score``,
    ``flagged`` (score above ``threshold``), ``used_for`` (``fit``, ``held-out`` or
    ``scored``), the column with the largest share of the row's error and that share,
    the ``label`` if given, then the row's own values.
    """
    order = np.argsort(-np.asarray(errors), kind="stable")
    top = shares.idxmax(axis=1).to_numpy()
    top_share = shares.max(axis=1).to_numpy()
    report = pd.DataFrame({
        "rank": np.arange(1, len(order) + 1),
        "row": order,
        "score": np.asarray(errors)[order],
        "flagged": np.asarray(errors)[order] > threshold,
        "used_for": np.asarray(used_for)[order],
        "top_column": top[order],
        "top_share": top_share[order].round(4),
    })
    if labels is not None:
        report["label"] = pd.array(np.asarray(labels)[order], dtype="Float64").astype("Int64")
    values = table.iloc[order].reset_index(drop=True)
    values.columns = [c if c not in report.columns else f"{c} (data)" for c in values.columns]
    return pd.concat([report, values], axis=1)


def _free_bytes(folder: Path) -> int:
    existing = folder
    while not existing.exists():
        existing = existing.parent
    return shutil.disk_usage(existing).free


@contextlib.contextmanager
def report_files(folder: Path, overwrite: bool = False) -> Iterator[Path]:
    """A hidden staging folder to write the report's files in; they reach ``folder``
    together, and only if every one of them was written.

    The run holds ``folder`` meanwhile (a lock beside it, :data:`LOCK_SUFFIX`): a second
    run into it stops with one sentence instead of mixing its files in, and a report
    that another run finished there since :func:`check_output_folder` is not written
    over unless ``overwrite``.

    When the block ends without an error, the staged files replace the report's files
    in ``folder`` (created if needed): an earlier run's :data:`REPORT_FILES` go, the
    reader's other files stay. When it raises, the staging folder and every folder
    made for it are removed and ``folder`` is as it was: an error late in the report
    leaves no half-written report.
    """
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _held(folder):
            if folder.is_dir() and not overwrite and any(folder.iterdir()):
                raise TabularError(f"another run wrote a report into {shown(folder)} meanwhile: choose "
                                   "another output_folder, or set overwrite=True to replace it")
            yield from _staged(folder)
    except BaseException:
        for path in made:  # deepest first; a folder someone else filled meanwhile stays
            with contextlib.suppress(OSError):
                path.rmdir()
        raise


@contextlib.contextmanager
def _held(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for this process (``flock`` on a file beside it, released however
    the process ends), or one sentence if another run holds it."""
    lock_path = folder.with_name(folder.name + LOCK_SUFFIX)
    while True:
        try:
            lock = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        except OSError as err:
            raise TabularError(f"cannot make the lock file {shown(lock_path)} ({err.strerror}): choose an "
                               "output_folder inside a folder you can write to") from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            raise TabularError(f"another run is writing its report into {shown(folder)} now: wait for it "
                               "to end, or choose another output_folder") from None
        try:
            if os.fstat(lock).st_ino == os.stat(lock_path).st_ino:
                break  # the file at the path is the one locked
        except FileNotFoundError:
            pass
        os.close(lock)  # the run before removed the file after we opened it: lock the new one
    try:
        # the staging folders of runs that were killed
        remove_dead_leftovers(folder.parent, f".{folder.name}.partial-*", r".*\.partial-(\d+)-")
        remove_dead_leftovers(folder, ".report-partial-*", r"\.report-partial-(\d+)-")
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(lock)


def _staged(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        staging = folder / f".report-partial-{os.getpid()}-{secrets.token_hex(4)}"
    else:
        staging = folder.parent / f".{folder.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        yield staging
        _publish(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _publish(staging: Path, folder: Path) -> None:
    """Move the staged report files into ``folder``: the whole staging folder at once
    (a rename) if ``folder`` is new, else file by file after the earlier run's files."""
    others = sorted(p.name for p in staging.iterdir() if p.name not in REPORT_FILES)
    if others:
        raise ValueError(f"the report wrote {others}, which are not in REPORT_FILES: add them there")
    if not folder.exists():
        staging.rename(folder)
        return
    for name in REPORT_FILES:
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
    for path in staging.iterdir():
        path.replace(folder / path.name)
    staging.rmdir()


# ---- figures -----------------------------------------------------------------------------


# Colour-blind-safe colours: Okabe and Ito's palette for the row groups, Paul Tol's
# "muted" palette for the columns of the error shares (https://personal.sron.nl/~pault/),
# and Tol's pale grey for "other columns" only.
GROUP_COLOURS = {"fit": "#E69F00", "held-out": "#0072B2", "scored": "#CC79A7"}
COLUMN_COLOURS = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
                  "#882255", "#AA4499")
OTHER_COLOUR = "#DDDDDD"


def _log_axis(axis) -> None:
    """Decades as major ticks labelled as plain numbers (0.001, 0.01, ...), 2-9 as minor ticks."""
    from matplotlib import ticker

    axis.set_major_locator(ticker.LogLocator(base=10))
    axis.set_minor_locator(ticker.LogLocator(base=10, subs=np.arange(2, 10)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


def plot_errors(errors: np.ndarray, used_for: np.ndarray, threshold: float,
                false_alarm_rate: float):
    """Histogram of the reconstruction errors per row group on a log axis, with the threshold.

    The bins are evenly spaced on the log axis, and each group's bars sum to 1 (the
    share of the group's rows in each bin), so that groups of different sizes compare.
    """
    import matplotlib.pyplot as plt

    errors = np.maximum(np.asarray(errors, dtype=float), np.finfo(float).tiny)
    bins = np.logspace(np.log10(errors.min()), np.log10(errors.max()), 60)
    fig, ax = plt.subplots(figsize=(10, 4.2), layout="constrained")
    labels = {"fit": "trained on", "held-out": "held out (normal)", "scored": "other rows (only scored)"}
    for group, text in labels.items():
        part = errors[np.asarray(used_for) == group]
        if part.size:
            ax.hist(part, bins=bins, histtype="step", weights=np.full(part.size, 1 / part.size),
                    linewidth=1.8, color=GROUP_COLOURS[group], label=f"{text}: {part.size} rows")
    ax.axvline(threshold, color="black", linestyle="--",
               label=f"threshold for a false-alarm rate of {false_alarm_rate:g}")
    ax.set_xscale("log")
    _log_axis(ax.xaxis)
    ax.set_title("Reconstruction error of every row, by group")
    ax.set_xlabel("reconstruction error (MSE, log scale)")
    ax.set_ylabel("share of the group's rows per bin")
    ax.grid(alpha=0.3)
    ax.grid(which="minor", axis="x", alpha=0.1)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def plot_error_shares(shares: pd.DataFrame, errors: np.ndarray, top: int = 15,
                      columns_shown: int = 8):
    """Stacked bars: each column's share of the error of the ``top`` rows."""
    import matplotlib.pyplot as plt

    order = np.argsort(-np.asarray(errors), kind="stable")[:top]
    part = shares.iloc[order]
    leading = part.mean().sort_values(ascending=False).index[:columns_shown].tolist()
    shown_part = part[leading].copy()
    if len(part.columns) > len(leading):
        shown_part["other columns"] = part.drop(columns=leading).sum(axis=1)
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(order) + 1.6), layout="constrained")
    left = np.zeros(len(order))
    for k, column in enumerate(shown_part.columns):
        other = column == "other columns"
        ax.barh(np.arange(len(order)), shown_part[column], left=left,
                color=OTHER_COLOUR if other else COLUMN_COLOURS[k % len(COLUMN_COLOURS)],
                edgecolor="white", linewidth=0.5, label=str(column))
        left += shown_part[column].to_numpy()
    ax.set_yticks(np.arange(len(order)),
                  [f"row {r} ({errors[r]:.3g})" for r in order], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title(f"Which columns the error of the {len(order)} highest-scoring rows comes from")
    ax.set_xlabel("share of the row's squared reconstruction error")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def plot_roc_pr(labels: np.ndarray, errors: np.ndarray, mark_fpr: Sequence[float] = (0.01,)):
    """ROC and precision-recall curves of ``errors`` against 0/1 ``labels``, with
    AUROC and average precision; returns the figure and the two numbers.

    The ROC curve has a log false-alarm axis, from one normal row in all of them to 1,
    so that the low false-alarm rates a detector runs at are visible; the detection
    rate at each rate of ``mark_fpr`` is marked.
    """
    import matplotlib.pyplot as plt
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    from .evaluation import tpr_at_fpr

    labels = np.asarray(labels)
    auroc = float(roc_auc_score(labels, errors))
    ap = float(average_precision_score(labels, errors))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained")
    fpr, tpr, _ = roc_curve(labels, errors)
    lowest = 1 / max(int(np.sum(labels == 0)), 1)
    left.plot(fpr, tpr, color="#0072B2", label=f"autoencoder (AUROC {auroc:.3f})")
    chance = np.logspace(np.log10(lowest), 0, 100)
    left.plot(chance, chance, color="#555555", linestyle=":", label="chance")
    for rate in mark_fpr:
        found = tpr_at_fpr(labels, errors, rate)
        left.plot([rate], [found], "o", color="#D55E00", zorder=3,
                  label=f"false-alarm rate {rate:g}: detection rate {found:.3f}")
    left.set_xscale("log")
    _log_axis(left.xaxis)
    left.set_xlim(lowest, 1)
    left.set(title="ROC curve", xlabel="false-alarm rate (log scale)", ylabel="detection rate")
    precision, recall, _ = precision_recall_curve(labels, errors)
    right.plot(recall, precision, color="#0072B2", label=f"autoencoder (AP {ap:.3f})")
    right.axhline(np.mean(labels), color="#555555", linestyle=":",
                  label="chance (anomaly share)")
    right.set(title="Precision-recall curve", xlabel="recall (share of anomalies found)",
              ylabel="precision")
    right.set_xlim(-0.01, 1.01)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.set_ylim(-0.01, 1.01)
    left.grid(which="minor", axis="x", alpha=0.1)
    for ax in (left, right):  # below the axes: the curves stay visible
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=9, frameon=False)
    return fig, auroc, ap
