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
    mojo, jar = export_mojo(model, "deploy")                 # score without H2O:
    MojoScorer.load(mojo, jar, columns.log1p).errors(pandas_frame)

Every frame and model gets an id from :func:`aebook.h2o_session.unique_id`, so many
readers can share a cluster and :meth:`H2OSession.stop` removes what they made.

Deployment: :func:`export_mojo` writes the model as a MOJO with H2O's
``h2o-genmodel.jar``; :class:`MojoScorer` scores a pandas table with them alone (Java,
no H2O cluster), with reconstruction errors equal to ``model.anomaly()``, unseen
levels and missing values included.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .h2o_session import unique_id

__all__ = [
    "GENMODEL_JAR",
    "MOJO_FILE",
    "Columns",
    "MojoScorer",
    "TabularError",
    "alarm_rates",
    "column_roles",
    "error_shares",
    "export_mojo",
    "false_alarm_rate_range",
    "feature_of",
    "heavy_tailed",
    "per_feature_errors",
    "reconstruction_errors",
    "split_rows",
    "threshold_for_false_alarm_rate",
    "train_autoencoder",
    "transform",
]

MISSING_LEVEL = "missing(NA)"  # H2O's name for the extra one-hot column of missing values


class TabularError(ValueError):
    """A table, a column choice or a deployment step cannot work; the message says why."""


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
    for name, s in zip(columns, skew):
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


def split_rows(frame, fractions: Sequence[float], names: Sequence[str], seed: int,
               rows: Sequence[int] | np.ndarray | None = None) -> list:
    """Split rows of ``frame`` at random into frames with ids ``unique_id(name)``.

    ``rows`` (default: all) are the row numbers to split, for example the normal
    rows only; ``fractions`` (summing to at most 1) give each part's share of them,
    rounded down; rows beyond the sum are left out (a sample). The split is drawn in
    numpy from ``seed``, so it is the same on every cluster and every chunk layout;
    each part keeps the table's row order.
    """
    import h2o

    if len(fractions) != len(names) or not fractions:
        raise TabularError("give one name per fraction")
    if any(f < 0 for f in fractions) or sum(fractions) > 1 + 1e-9:
        raise TabularError(f"fractions {list(fractions)} must be at least 0 and sum to at most 1")
    pool = np.arange(frame.nrows) if rows is None else np.asarray(rows, dtype=np.int64)
    shuffled = np.random.default_rng(seed).permutation(pool)
    group = np.full(frame.nrows, -1, dtype=np.int64)
    start = 0
    for k, fraction in enumerate(fractions):
        count = int(math.floor(fraction * len(pool) + 1e-9))
        group[shuffled[start:start + count]] = k
        start += count
    groups = h2o.H2OFrame(pd.DataFrame({"group": group}),
                          destination_frame=unique_id("split_groups"),
                          column_types=["int"])
    parts = []
    for k, name in enumerate(names):
        parts.append(h2o.assign(frame[groups["group"] == k, :], unique_id(name)))
    h2o.remove(groups)
    return parts


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
    table = scored.as_data_frame()
    _remove(scored)
    table.columns = [c.removeprefix("reconstr_").removesuffix(".SE") for c in table.columns]
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


# ---- deployment: a MOJO, scored without a cluster --------------------------------------

MOJO_FILE = "autoencoder_mojo.zip"  # the model, as export_mojo names it
GENMODEL_JAR = "h2o-genmodel.jar"  # H2O's scoring library, beside the MOJO


def export_mojo(model, folder: str | Path) -> tuple[Path, Path]:
    """``model`` as ``folder/autoencoder_mojo.zip`` with H2O's ``h2o-genmodel.jar``.

    With these two files and Java, :class:`MojoScorer` (or ``h2o.mojo_predict_pandas``,
    or ``java -cp h2o-genmodel.jar hex.genmodel.tools.PredictCsv``) scores new rows
    with no H2O cluster. The pinned client (3.46.0.11) exports MOJOs; a client that
    refuses (the open-source 3.46.0.12 asks for H2O-3 Secure) raises
    :class:`TabularError`. Returns the paths of the MOJO and the jar.
    """
    from h2o.exceptions import H2OValueError

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / ".mojo-download"
    staging.mkdir(exist_ok=True)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            mojo = Path(model.download_mojo(path=str(staging), get_genmodel_jar=True))
    except H2OValueError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise TabularError(f"this h2o client does not export MOJOs ({err})") from None
    target, jar = folder / MOJO_FILE, folder / GENMODEL_JAR
    mojo.replace(target)
    (staging / GENMODEL_JAR).replace(jar)
    shutil.rmtree(staging, ignore_errors=True)
    return target, jar


def _level(value: Any) -> str | None:
    """A categorical value as H2O's level text: 1 and 1.0 are "1"; missing is None."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _mojo_ini(path: Path) -> tuple[dict[str, str], list[str], list[list[str]]]:
    """The ``[info]`` settings, the columns and the categorical domains of a MOJO zip."""
    with zipfile.ZipFile(path) as archive:
        lines = archive.read("model.ini").decode("utf-8").splitlines()
        section, info, names, domain_files = "", {}, [], []
        for line in lines:
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
            elif section == "info" and " = " in line:
                key, value = line.split(" = ", 1)
                info[key] = value
            elif section == "columns" and line:
                names.append(line)
            elif section == "domains" and line:
                domain_files.append(line.split(" ", 2)[2])
        domains = [archive.read(f"domains/{name}").decode("utf-8").splitlines()
                   for name in domain_files]
    return info, names, domains


@dataclass
class MojoScorer:
    """An autoencoder MOJO scored with ``h2o-genmodel.jar`` and Java: no H2O cluster.

    The jar (like ``h2o.mojo_predict_pandas``) returns the network's
    *reconstructions* of a table, in the data's units. ``model.anomaly()`` measures
    the error elsewhere, in the network's own input units, and this class does the
    same (checked against H2O's ``Neurons.Input.setInput`` and ``anomaly()``):

    - a categorical column becomes one 0/1 input per training level plus one last
      input for missing values; a level not seen in training counts as missing;
    - a numeric value ``x`` becomes ``(x - normsub) * normmul`` (the training mean
      and 1 / range) with ``standardize=True``, and stays ``x`` with
      ``standardize=False``; a missing number is then 0, which is the training mean
      in the first case and a raw 0 (not the mean) in the second;
    - the error of a row is the mean over all inputs of (reconstruction - input)
      squared, the reconstruction taken back into the same units.

    ``log1p`` (the :attr:`Columns.log1p` of the pipeline) names the columns that
    :func:`transform` replaced by ``log(1 + x)``: the scorer applies it to a raw
    table first, as :func:`transform` did in H2O.
    """

    mojo: Path
    jar: Path
    log1p: list[str]
    categorical: list[str]
    domains: list[list[str]]
    numeric: list[str]
    normsub: np.ndarray | None
    normmul: np.ndarray | None

    @classmethod
    def load(cls, mojo: str | Path, jar: str | Path | None = None,
             log1p: Iterable[str] = ()) -> MojoScorer:
        """Read a MOJO written by :func:`export_mojo` (``jar``: default beside it)."""
        mojo = Path(mojo)
        jar = Path(jar) if jar is not None else mojo.parent / GENMODEL_JAR
        if not zipfile.is_zipfile(mojo):
            raise TabularError(f"{mojo} is not a MOJO zip file")
        info, names, domains = _mojo_ini(mojo)
        if info.get("category") != "AutoEncoder" or info.get("algo") != "deeplearning":
            raise TabularError(f"{mojo.name} is not an H2O deep learning autoencoder")
        if info.get("use_all_factor_levels") != "true":
            raise TabularError("the MOJO must use all factor levels (autoencoders do)")
        if not jar.is_file():
            raise TabularError(f"{jar} is missing: export_mojo() writes it beside the MOJO")
        n_cat = int(info["cats"])
        sub, mul = json.loads(info["norm_sub"]), json.loads(info["norm_mul"])
        numeric = names[n_cat:]
        return cls(mojo=mojo, jar=jar,
                   log1p=[c for c in log1p if c in numeric],
                   categorical=names[:n_cat], domains=domains, numeric=numeric,
                   normsub=None if sub is None else np.asarray(sub, dtype=float),
                   normmul=None if mul is None else np.asarray(mul, dtype=float))

    @property
    def inputs(self) -> list[str]:
        """Names of the network's inputs, as in :func:`per_feature_errors`."""
        names = []
        for col, domain in zip(self.categorical, self.domains):
            names += [f"{col}.{level}" for level in domain] + [f"{col}.{MISSING_LEVEL}"]
        return names + list(self.numeric)

    def model_inputs(self, table: pd.DataFrame) -> pd.DataFrame:
        """The model's columns of ``table`` as the MOJO expects them: categories as
        level text (1.0 reads "1"), numbers as floats, ``log1p`` applied."""
        missing = [c for c in self.categorical + self.numeric if c not in table.columns]
        if missing:
            raise TabularError(f"the table lacks the model's columns {missing}")
        out = pd.DataFrame(index=table.index)
        for col in self.categorical:
            out[col] = pd.Series([_level(v) for v in table[col].tolist()],
                                 index=table.index, dtype=object)
        for col in self.numeric:
            values = pd.to_numeric(table[col], errors="coerce").astype(float)
            out[col] = np.log1p(values) if col in self.log1p else values
        return out

    def _normalise(self, numbers: np.ndarray) -> np.ndarray:
        if self.normsub is None:
            return numbers
        return (numbers - self.normsub) * self.normmul

    def encode(self, table: pd.DataFrame) -> np.ndarray:
        """The network's input layer for ``table`` (rows x :attr:`inputs`), in numpy."""
        inputs = self.model_inputs(table)
        n = len(inputs)
        blocks = []
        for col, domain in zip(self.categorical, self.domains):
            index = {level: i for i, level in enumerate(domain)}
            codes = np.array([index.get(v, len(domain)) for v in inputs[col]],
                             dtype=np.int64)  # missing or unseen: the last input
            block = np.zeros((n, len(domain) + 1))
            block[np.arange(n), codes] = 1.0
            blocks.append(block)
        numbers = inputs[self.numeric].to_numpy(dtype=float, na_value=np.nan)
        blocks.append(np.nan_to_num(self._normalise(numbers), nan=0.0))
        return np.hstack(blocks)

    def reconstruct(self, table: pd.DataFrame) -> np.ndarray:
        """The MOJO's reconstruction of ``table`` (rows x :attr:`inputs`) in the
        network's units.

        Java runs the jar's ``PredictCsv`` on a CSV file of the model's inputs, as
        ``h2o.mojo_predict_pandas`` does (without reading its output twice): no H2O
        cluster, and no ``h2o`` Python package either.
        """
        import subprocess
        import tempfile

        from .h2o_session import find_java

        with tempfile.TemporaryDirectory(prefix="aebook_mojo_") as folder:
            given, scored = Path(folder) / "input.csv", Path(folder) / "output.csv"
            self.model_inputs(table).to_csv(given, index=False)
            done = subprocess.run(
                [find_java(), "-Xmx1g", "-cp", str(self.jar),
                 "hex.genmodel.tools.PredictCsv", "--mojo", str(self.mojo),
                 "--input", str(given), "--output", str(scored), "--decimal"],
                capture_output=True, text=True)
            if done.returncode != 0:
                lines = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
                raise TabularError(f"the MOJO could not score the table ({lines[-1]})")
            out = pd.read_csv(scored, float_precision="round_trip")
        values = np.array(out[[f"reconstr_{name}" for name in self.inputs]], dtype=float)
        if self.numeric:
            start = values.shape[1] - len(self.numeric)
            values[:, start:] = self._normalise(values[:, start:])
        return values

    def per_feature(self, table: pd.DataFrame) -> pd.DataFrame:
        """Squared error of each input, like :func:`per_feature_errors`."""
        return pd.DataFrame((self.reconstruct(table) - self.encode(table)) ** 2,
                            columns=self.inputs, index=table.index)

    def errors(self, table: pd.DataFrame) -> np.ndarray:
        """Each row's reconstruction error, as ``Reconstruction.MSE`` of ``anomaly()``."""
        return self.per_feature(table).mean(axis=1).to_numpy()
