"""Anomaly detection on any table with an H2O autoencoder: the reusable pipeline.

The steps, each one function, for any H2O frame (CSV, Parquet, ARFF, ...)::

    columns = column_roles(frame, target="class")            # numeric vs categorical
    columns.log1p = heavy_tailed(fit_frame, columns.numeric)  # counts with heavy tails
    fit = transform(fit_frame, columns, "fit")                # log1p inside H2O
    fit, held_out = split_rows(fit, [0.8, 0.2], ["fit", "held_out"], seed=1)
    model = train_autoencoder(fit, columns, "autoencoder")
    threshold = threshold_for_false_alarm_rate(
        reconstruction_errors(model, held_out), 0.01)
    shares = error_shares(per_feature_errors(model, new), columns)

Every frame and model gets an id from :func:`aebook.h2o_session.unique_id`, so many
readers can share a cluster and :meth:`H2OSession.stop` removes what they made.

Deployment, the model as a MOJO scored without a cluster, is :mod:`aebook.mojo`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .file_to_cluster import frame_from_table
from .h2o_session import unique_id

__all__ = [
    "MISSING_LEVEL",
    "Columns",
    "TabularError",
    "alarm_rates",
    "column_roles",
    "draw_rows",
    "error_shares",
    "false_alarm_rate_range",
    "feature_of",
    "heavy_tailed",
    "level_text",
    "per_feature_errors",
    "reconstruction_errors",
    "split_rows",
    "take_rows",
    "threshold_for_false_alarm_rate",
    "train_autoencoder",
    "transform",
]

MISSING_LEVEL = "missing(NA)"  # H2O's name for the extra one-hot column of missing values


class TabularError(ValueError):
    """A table, a column choice or a deployment step (:mod:`aebook.mojo`) cannot work;
    the message says why."""


@dataclass
class Columns:
    """The roles of a table's columns.

    ``numeric`` and ``categorical`` are the model's features (in the table's order);
    ``ignored`` maps every other column to the reason it is left out; ``log1p`` lists
    the numeric columns that :func:`transform` replaces by ``log(1 + x)``.
    """

    numeric: list[str]
    categorical: list[str]
    ignored: dict[str, str] = field(default_factory=dict)
    log1p: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list, repr=False)

    @property
    def features(self) -> list[str]:
        """The feature columns in the table's order (categorical and numeric)."""
        chosen = set(self.numeric) | set(self.categorical)
        ordered = [c for c in self.order if c in chosen]
        return ordered + [c for c in self.categorical + self.numeric if c not in ordered]

    def table(self) -> pd.DataFrame:
        """One row per column of the table: its role and, if ignored, why."""
        rows = []
        for name in self.order or self.features + list(self.ignored):
            if name in self.categorical:
                role, note = "categorical", ""
            elif name in self.numeric:
                role, note = "numeric", "log1p" if name in self.log1p else ""
            else:
                role, note = "ignored", self.ignored.get(name, "")
            rows.append({"column": name, "role": role, "note": note})
        return pd.DataFrame(rows)


def _summary(frame) -> list[dict[str, Any]]:
    """H2O's column summaries of ``frame`` in one request (type, min, max, levels)."""
    import h2o

    answer = h2o.api(f"GET /3/Frames/{frame.frame_id}/summary")
    return answer["frames"][0]["columns"]


def column_roles(frame, target: str | None = None, *, categorical: Iterable[str] = (),
                 numeric: Iterable[str] = (), ignore: Iterable[str] = (),
                 max_levels: int = 200) -> Columns:
    """Sort the columns of an H2O ``frame`` into numeric and categorical features.

    H2O's parsed types decide by default: ``enum`` columns are categorical, ``int``
    and ``real`` columns numeric. ``categorical`` and ``numeric`` override that (for
    example a numeric code that is really a category); :func:`transform` applies the
    overrides. Left out, with the reason in ``Columns.ignored``: ``target`` (the
    label, never a feature), the ``ignore`` columns (identifiers, timestamps you do
    not want), text, time and UUID columns, columns with a single value or only
    missing values, and categorical columns with more than ``max_levels`` levels
    (their one-hot encoding would be larger than the data says anything about).
    """
    categorical, numeric, ignore = set(categorical), set(numeric), set(ignore)
    names = list(frame.columns)
    unknown = sorted((categorical | numeric | ignore | ({target} if target else set()))
                     - set(names))
    if unknown:
        raise TabularError(f"columns {unknown} are not in the table; it has {names}")
    both = sorted(categorical & numeric)
    if both:
        raise TabularError(f"columns {both} are overridden as both numeric and categorical")
    roles = Columns(numeric=[], categorical=[], order=names)
    for col in _summary(frame):
        name, kind = col["label"], col["type"]
        levels = len(col.get("domain") or [])
        if name == target:
            roles.ignored[name] = "target"
        elif name in ignore:
            roles.ignored[name] = "ignored on request"
        elif col.get("missing_count", 0) == frame.nrows:
            roles.ignored[name] = "only missing values"
        elif name in categorical or (kind == "enum" and name not in numeric):
            if kind == "enum" and levels > max_levels:
                roles.ignored[name] = f"{levels} levels (more than max_levels={max_levels})"
            elif kind == "enum" and levels < 2:
                roles.ignored[name] = "a single value"
            elif kind not in ("enum", "int", "real"):
                roles.ignored[name] = f"H2O type {kind} cannot be a category"
            else:
                roles.categorical.append(name)
        elif kind in ("int", "real") or (kind == "enum" and name in numeric):
            mins, maxs = col.get("mins") or [None], col.get("maxs") or [None]
            if kind != "enum" and mins[0] is not None and mins[0] == maxs[0]:
                roles.ignored[name] = "a single value"
            else:
                roles.numeric.append(name)
        else:
            roles.ignored[name] = f"H2O type {kind} (not a number or a category)"
    return roles


def heavy_tailed(frame, columns: Sequence[str], min_skewness: float = 3.0) -> list[str]:
    """The numeric ``columns`` of ``frame`` to log-transform: heavy right tails.

    A column qualifies if it is never negative (``log1p`` needs x > -1 and keeps 0 at
    0), reaches above 1 (rates and 0/1 flags are left alone) and has a sample
    skewness above ``min_skewness`` (a normal distribution has 0; byte counts often
    have hundreds). Decide on training data, then transform every frame alike.
    """
    columns = list(columns)
    if not columns:
        return []
    summary = {c["label"]: c for c in _summary(frame[columns])}
    skew = frame[columns].skewness()
    chosen = []
    for name, s in zip(columns, skew, strict=True):
        col = summary[name]
        low, high = (col.get("mins") or [math.nan])[0], (col.get("maxs") or [math.nan])[0]
        if low is None or high is None or s is None or not math.isfinite(float(s)):
            continue
        if low >= 0 and high > 1 and float(s) > min_skewness:
            chosen.append(name)
    return chosen


def transform(frame, columns: Columns, name: str):
    """A new frame (id ``unique_id(name)``) ready for the model; ``frame`` is unchanged.

    Applies the type overrides of ``columns`` (numbers as categories, categories as
    numbers) and replaces each ``columns.log1p`` column by ``log(1 + x)``, inside
    H2O: the data never pass through Python. Use the same ``columns`` for every
    frame the model sees (training, held-out, test, new data).
    """
    import h2o
    from h2o.expr import ExprNode

    # One Rapids expression, sent as text. Built from H2OFrame operations instead, the
    # h2o client would scan the whole Python heap (gc.get_referrers) once per column
    # operation when it evaluates: seconds in a notebook that holds many objects.
    types = frame.types
    pieces = []
    for index, col in enumerate(frame.names):
        piece = f"(cols_py {frame.frame_id} {index})"
        if col in columns.categorical and types[col] != "enum":
            piece = f"(as.factor {piece})"
        elif col in columns.numeric and types[col] == "enum":
            piece = f"(as.numeric (as.character {piece}))"
        if col in columns.log1p:
            piece = f"(log1p {piece})"
        pieces.append(piece)
    key = unique_id(name)
    # cbind does not keep every column's name (log1p renames it): set them all again
    names = ExprNode._arg_to_expr(frame.names)  # quoted as the h2o client quotes them
    every = f"[0:{len(pieces)}]"
    h2o.rapids(f"(assign {key} (colnames= (cbind {' '.join(pieces)}) {every} {names}))")
    return h2o.get_frame(key)


def draw_rows(rows: int | Sequence[int] | np.ndarray, counts: Sequence[int],
              seed: int) -> list[np.ndarray]:
    """Disjoint random parts of ``rows``, ``counts[k]`` rows in part ``k``: row
    positions, each part in the table's order.

    ``rows`` is a number of rows (then all of ``0 .. rows - 1``) or the positions to
    draw from, for example the normal rows only. They are shuffled in numpy from
    ``seed`` and cut in turn, so the parts are the same on every cluster and every
    chunk layout; rows beyond the sum of ``counts`` are left out (a sample). The one
    random draw of rows in the book: :func:`split_rows` and the report's split
    (:func:`aebook.report.split_normal_rows`) use it.
    """
    pool = np.arange(rows) if isinstance(rows, (int, np.integer)) else np.asarray(rows, dtype=np.int64)
    counts = [int(c) for c in counts]
    if any(c < 0 for c in counts) or sum(counts) > pool.size:
        raise TabularError(f"cannot draw parts of {counts} rows from {pool.size} rows: give counts "
                           "of at least 0 that sum to at most the rows")
    shuffled = np.random.default_rng(seed).permutation(pool)
    ends = np.cumsum(counts, dtype=np.int64)
    return [np.sort(shuffled[end - count:end]) for count, end in zip(counts, ends, strict=True)]


def take_rows(frame, rows: Sequence[int] | np.ndarray, name: str):
    """The rows at positions ``rows`` of ``frame``, in the table's order, as a new
    frame with id ``unique_id(name)``."""
    return _take_parts(frame, [rows], [name])[0]


def _take_parts(frame, parts: Sequence[Sequence[int] | np.ndarray], names: Sequence[str]) -> list:
    """Each part of row positions as a frame ``unique_id(name)``: one upload of a group column."""
    import h2o

    group = np.full(frame.nrows, -1, dtype=np.int64)
    for k, part in enumerate(parts):
        group[np.asarray(part, dtype=np.int64)] = k
    groups = frame_from_table(pd.DataFrame({"group": group}), "split_groups", ["int"])
    try:
        return [h2o.assign(frame[groups["group"] == k, :], unique_id(name))
                for k, name in enumerate(names)]
    finally:
        h2o.remove(groups)


def split_rows(frame, fractions: Sequence[float], names: Sequence[str], seed: int,
               rows: Sequence[int] | np.ndarray | None = None) -> list:
    """Split rows of ``frame`` at random into frames with ids ``unique_id(name)``.

    ``rows`` (default: all) are the row numbers to split, for example the normal
    rows only; ``fractions`` (summing to at most 1) give each part's share of them,
    rounded down; rows beyond the sum are left out (a sample). The rows are drawn by
    :func:`draw_rows`, so the split is the same on every cluster and every chunk
    layout; each part keeps the table's row order.
    """
    if len(fractions) != len(names) or not fractions:
        raise TabularError("give one name per fraction")
    if any(f < 0 for f in fractions) or sum(fractions) > 1 + 1e-9:
        raise TabularError(f"fractions {list(fractions)} must be at least 0 and sum to at most 1")
    pool = frame.nrows if rows is None else np.asarray(rows, dtype=np.int64)
    size = frame.nrows if rows is None else pool.size
    counts = [math.floor(f * size + 1e-9) for f in fractions]
    return _take_parts(frame, draw_rows(pool, counts, seed), names)


def train_autoencoder(training_frame, columns: Columns | Sequence[str], name: str,
                      hidden: Sequence[int] = (32, 8, 32), epochs: float = 10,
                      seed: int = 1, standardize: bool = True, **options: Any):
    """Train a ``Tanh`` autoencoder (id ``unique_id(name)``) on ``training_frame``.

    Categorical features are one-hot encoded by H2O (one column per level plus one
    for missing values); with ``standardize`` numeric features are shifted by their
    training mean and divided by their training range. Training is reproducible
    (``reproducible=True``, one thread) for a given ``seed``. Other ``options`` go
    to ``H2OAutoEncoderEstimator`` (``l1``, ``input_dropout_ratio``, ...).
    """
    from h2o.estimators import H2OAutoEncoderEstimator

    features = columns.features if isinstance(columns, Columns) else list(columns)
    settings = dict(activation="Tanh", hidden=list(hidden), epochs=epochs,
                    standardize=standardize, reproducible=True, seed=seed)
    settings.update(options)
    model = H2OAutoEncoderEstimator(model_id=unique_id(name), **settings)
    with _quiet_constant_column_warning():
        model.train(x=features, training_frame=training_frame)
    return model


@contextlib.contextmanager
def _quiet_constant_column_warning():
    """H2O warns about constant columns it drops; the model records which."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Dropping bad and constant columns")
        yield


def reconstruction_errors(model, frame) -> np.ndarray:
    """Each row's reconstruction error (``Reconstruction.MSE`` of ``model.anomaly``)."""
    scored = model.anomaly(frame)
    errors = scored.as_data_frame()["Reconstruction.MSE"].to_numpy(dtype=float)
    _remove(scored)
    return errors


def _remove(frame) -> None:
    import h2o

    with contextlib.suppress(Exception):
        h2o.remove(frame, cascade=False)


def threshold_for_false_alarm_rate(normal_errors: Sequence[float] | np.ndarray,
                                   rate: float) -> float:
    """The alarm threshold that flags at most ``rate`` of new normal rows.

    ``normal_errors`` are errors of normal rows the model did not train on (a
    held-out split). The threshold is their ``k``-th smallest value with
    ``k = ceil((n + 1) * (1 - rate))``: if new normal rows are like the held-out
    ones, the chance that one scores *above* it is at most ``rate`` (the rank
    argument of conformal prediction). Raises :class:`TabularError` when ``n`` is
    too small for ``rate`` (``k > n``).
    """
    errors = np.sort(np.asarray(normal_errors, dtype=float))
    if not 0 < rate < 1:
        raise TabularError(f"rate={rate!r}: expected a false-alarm rate between 0 and 1")
    if errors.size == 0 or not np.all(np.isfinite(errors)):
        raise TabularError("normal_errors must be finite numbers, at least one")
    k = math.ceil((errors.size + 1) * (1 - rate))
    if k > errors.size:
        raise TabularError(
            f"{errors.size} held-out normal rows are too few for a false-alarm rate of "
            f"{rate:g}: hold out at least {math.ceil(1 / rate) - 1} rows")
    return float(errors[k - 1])


def false_alarm_rate_range(held_out_rows: int, rate: float,
                           level: float = 0.95) -> tuple[float, float]:
    """Where the false-alarm rate of a rank-rule threshold lands, for new normal rows
    like the held-out ones: the central ``level`` range over held-out sets.

    With ``n`` held-out rows and ``k = ceil((n + 1) * (1 - rate))``, the share of new
    rows above the ``k``-th smallest held-out error follows a Beta(n + 1 - k, k)
    distribution (for continuous errors): on average at most ``rate``, but spread
    around it, the more so the fewer held-out rows there are.
    """
    from scipy.stats import beta

    if not 0 < rate < 1 or not 0 < level < 1:
        raise TabularError(f"rate={rate!r} and level={level!r} must be between 0 and 1")
    k = math.ceil((held_out_rows + 1) * (1 - rate))
    if k > held_out_rows:
        raise TabularError(f"{held_out_rows} held-out rows are too few for a false-alarm "
                           f"rate of {rate:g}: hold out at least {math.ceil(1 / rate) - 1} rows")
    low, high = beta.ppf([(1 - level) / 2, (1 + level) / 2], held_out_rows + 1 - k, k)
    return float(low), float(high)


def alarm_rates(errors: Sequence[float] | np.ndarray, is_anomaly: Sequence[bool] | np.ndarray,
                threshold: float) -> dict[str, float]:
    """False-alarm rate (normal rows above ``threshold``), detection rate (anomalies
    above it), and the share of all rows flagged."""
    errors = np.asarray(errors, dtype=float)
    is_anomaly = np.asarray(is_anomaly, dtype=bool)
    flagged = errors > threshold
    normal = ~is_anomaly
    return {
        "false_alarm_rate": float(flagged[normal].mean()) if normal.any() else math.nan,
        "detection_rate": float(flagged[is_anomaly].mean()) if is_anomaly.any() else math.nan,
        "flagged_share": float(flagged.mean()) if flagged.size else math.nan,
    }


def per_feature_errors(model, frame) -> pd.DataFrame:
    """``model.anomaly(frame, per_feature=True)`` as pandas, one column per encoded input.

    Columns are named as H2O's encoded inputs: a numeric feature by its name, a
    categorical level as ``feature.level`` (``service.http``), its missing-value
    column as ``feature.missing(NA)``. Each value is that input's squared error; the
    row's mean over the columns is its ``Reconstruction.MSE``.
    """
    scored = model.anomaly(frame, per_feature=True)
    table = _as_pandas(scored)
    _remove(scored)
    table.columns = [c.removeprefix("reconstr_").removesuffix(".SE") for c in table.columns]
    return table


def _as_pandas(frame) -> pd.DataFrame:
    """``frame`` as pandas, with its columns named exactly as in H2O.

    H2O's CSV download writes the header without escaping quotes, so a name that
    holds one (the input of a level ``say "hi"``) splits or joins columns. The data
    come down under plain names instead, from a renamed copy, and get H2O's names.
    """
    import h2o
    from h2o.expr import ExprNode

    names = list(frame.names)
    key = unique_id("plain_names")
    plain = ExprNode._arg_to_expr([f"c{i}" for i in range(len(names))])
    h2o.rapids(f"(assign {key} (colnames= {frame.frame_id} [0:{len(names)}] {plain}))")
    try:
        table = h2o.get_frame(key).as_data_frame()
    finally:
        h2o.remove(key)
    table.columns = names
    return table


def feature_of(encoded: str, categorical: Iterable[str]) -> tuple[str, str | None]:
    """The original column and level of an encoded input name.

    ``feature_of("service.http", ["service"])`` is ``("service", "http")``;
    a numeric input's name is its column: ``("src_bytes", None)``. Column names that
    contain dots are handled by taking the longest categorical name that matches.
    """
    matches = [c for c in categorical if encoded.startswith(c + ".")]
    if not matches:
        return encoded, None
    column = max(matches, key=len)
    return column, encoded[len(column) + 1:]


def level_text(value: Any) -> str | None:
    """A categorical value as the text of its level in H2O, or None if it is missing.

    H2O reads the numbers 1 and 1.0 of a column made categorical as the level "1", so
    a whole number is written without a decimal point; booleans read "True" and
    "False"; None, NaN and pandas' NA are missing. Compare a table's values with
    levels through this (the report's ``normal_value``, the levels of a MOJO).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def error_shares(per_feature: pd.DataFrame, columns: Columns | Iterable[str]) -> pd.DataFrame:
    """Each original column's share of each row's squared reconstruction error.

    ``per_feature`` is :func:`per_feature_errors`; the one-hot columns of a
    categorical feature are summed back into it. ``columns`` is the
    :class:`Columns` of the model, or just the names of its categorical columns.
    Each row sums to 1 (a row with no error at all gets zeros).
    """
    categorical = columns.categorical if isinstance(columns, Columns) else list(columns)
    owners = [feature_of(c, categorical)[0] for c in per_feature.columns]
    summed = per_feature.T.groupby(owners, sort=False).sum().T
    total = summed.sum(axis=1).replace(0, np.nan)
    return summed.div(total, axis=0).fillna(0.0)
