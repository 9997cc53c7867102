"""The autoencoder deployed as a MOJO, scored without an H2O cluster.

:func:`export_mojo` writes a model of :mod:`aebook.tabular` as a MOJO (a zip file)
beside H2O's scoring library ``h2o-genmodel.jar``; :class:`MojoScorer` scores a pandas
table with these two files and Java alone (no H2O cluster, no ``h2o`` package), with
reconstruction errors equal to ``model.anomaly()``: unseen levels, missing values and
any level text (commas, quotes, backslashes, "N/A", any script) included::

    mojo, jar = export_mojo(model, "deploy")
    MojoScorer.load(mojo, jar, columns.log1p).errors(pandas_frame)
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .tabular import MISSING_LEVEL, TabularError, level_text

__all__ = [
    "GENMODEL_JAR",
    "MOJO_FILE",
    "MojoScorer",
    "export_mojo",
]

MOJO_FILE = "autoencoder_mojo.zip"  # the model, as export_mojo names it
GENMODEL_JAR = "h2o-genmodel.jar"  # H2O's scoring library, beside the MOJO


def export_mojo(model, folder: str | Path) -> tuple[Path, Path]:
    """``model`` as ``folder/autoencoder_mojo.zip`` with H2O's ``h2o-genmodel.jar``.

    With these two files and Java, :class:`MojoScorer` (or ``h2o.mojo_predict_pandas``,
    or ``java -cp h2o-genmodel.jar hex.genmodel.tools.PredictCsv``) scores new rows
    with no H2O cluster. The pinned client (3.46.0.11) exports MOJOs; a client that
    refuses (the open-source 3.46.0.12 asks for H2O-3 Secure) raises
    :class:`~aebook.tabular.TabularError`. Returns the paths of the MOJO and the jar.
    """
    from h2o.exceptions import H2OValueError

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / ".mojo-download"
    staging.mkdir(exist_ok=True)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            mojo = Path(model.download_mojo(path=str(staging), get_genmodel_jar=True))
    except (H2OValueError, OSError) as err:
        shutil.rmtree(staging, ignore_errors=True)
        full = getattr(err, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(err)
        if isinstance(err, OSError) or full:  # h2o wraps some OSErrors
            fix = "free some space there" if full else "check that you can write there"
            raise TabularError(f"the MOJO could not be written to {folder} ({getattr(err, 'strerror', None) or err}):"
                               f" {fix}, or choose another folder") from None
        raise TabularError(f"this h2o client does not export MOJOs ({err})") from None
    target, jar = folder / MOJO_FILE, folder / GENMODEL_JAR
    mojo.replace(target)
    (staging / GENMODEL_JAR).replace(jar)
    shutil.rmtree(staging, ignore_errors=True)
    return target, jar


def _lines(data: bytes) -> list[str]:
    """The lines of a text file in a MOJO, split as Java's ``readLine`` splits them
    (not at the other line breaks of Unicode, which ``str.splitlines`` knows)."""
    lines = re.split(r"\r\n|\r|\n", data.decode("utf-8"))
    return lines[:-1] if lines and lines[-1] == "" else lines


def _mojo_ini(path: Path) -> tuple[dict[str, str], list[str], list[list[str]]]:
    """The ``[info]`` settings, the columns and the categorical domains of a MOJO zip."""
    with zipfile.ZipFile(path) as archive:
        section, info, names, domain_files = "", {}, [], []
        for line in _lines(archive.read("model.ini")):
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
            elif section == "info" and " = " in line:
                key, value = line.split(" = ", 1)
                info[key] = value
            elif section == "columns" and line:
                names.append(line)
            elif section == "domains" and line:
                domain_files.append(line.split(" ", 2)[2])
        escaped = info.get("escape_domain_values") == "true"
        domains = [[_unescape_level(level) if escaped else level
                    for level in _lines(archive.read(f"domains/{name}"))]
                   for name in domain_files]
    return info, names, domains


def _unescape_level(line: str) -> str:
    """A level as H2O wrote it into a MOJO's domain file (``escape_domain_values``),
    read back as genmodel's ``StringEscapeUtils.unescapeNewlines`` reads it: a
    backslash and ``n`` are a line break, a backslash and any other character that
    character."""
    return re.sub(r"\\(.?)", lambda m: "\n" if m[1] == "n" else m[1], line, flags=re.DOTALL)


def _positional_copy(mojo: Path, target: Path) -> None:
    """Copy ``mojo`` to ``target`` with its columns named ``c0, c1, ...`` and the levels
    of each category named by their positions ``0, 1, ...``; the network is the same.

    ``PredictCsv`` reads its input with opencsv (a backslash escapes), takes the cells
    "", "NA", "N/A" and "-" for missing values, decodes in Java's default charset and
    writes its header unquoted. Names of ASCII letters and digits pass through all of
    that unchanged, whatever the levels and column names of the table hold.
    """
    with zipfile.ZipFile(mojo) as archive, zipfile.ZipFile(target, "w") as copy:
        ini, section, columns, sizes = [], "", 0, {}
        for line in _lines(archive.read("model.ini")):
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
            elif section == "columns" and line:
                line, columns = f"c{columns}", columns + 1
            elif section == "domains" and line:
                _, count, name = line.split(" ", 2)
                sizes[f"domains/{name}"] = int(count)
            ini.append(line)
        for item in archive.infolist():
            if item.filename == "model.ini":
                copy.writestr(item, "\n".join(ini) + "\n")
            elif item.filename in sizes:
                copy.writestr(item, "".join(f"{i}\n" for i in range(sizes[item.filename])))
            else:
                copy.writestr(item, archive.read(item))


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

    ``log1p`` (the :attr:`~aebook.tabular.Columns.log1p` of the pipeline) names the
    columns that :func:`~aebook.tabular.transform` replaced by ``log(1 + x)``: the
    scorer applies it to a raw table first, as the pipeline did in H2O.
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
        """Names of the network's inputs, as in :func:`~aebook.tabular.per_feature_errors`."""
        names = []
        for col, domain in zip(self.categorical, self.domains, strict=True):
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
            out[col] = pd.Series([level_text(v) for v in table[col].tolist()],
                                 index=table.index, dtype=object)
        for col in self.numeric:
            values = pd.to_numeric(table[col], errors="coerce").astype(float)
            out[col] = np.log1p(values) if col in self.log1p else values
        return out

    def _normalise(self, numbers: np.ndarray) -> np.ndarray:
        if self.normsub is None:
            return numbers
        return (numbers - self.normsub) * self.normmul

    def _codes(self, inputs: pd.DataFrame) -> list[np.ndarray]:
        """Each category's level positions in ``inputs`` (:meth:`model_inputs`): the
        level's place in the training levels, or their number for a missing or unseen
        level (the category's last input)."""
        codes = []
        for col, domain in zip(self.categorical, self.domains, strict=True):
            index = {level: i for i, level in enumerate(domain)}
            codes.append(np.array([index.get(v, len(domain)) for v in inputs[col]], dtype=np.int64))
        return codes

    def encode(self, table: pd.DataFrame) -> np.ndarray:
        """The network's input layer for ``table`` (rows x :attr:`inputs`), in numpy."""
        inputs = self.model_inputs(table)
        n = len(inputs)
        blocks = []
        for codes, domain in zip(self._codes(inputs), self.domains, strict=True):
            block = np.zeros((n, len(domain) + 1))
            block[np.arange(n), codes] = 1.0
            blocks.append(block)
        numbers = inputs[self.numeric].to_numpy(dtype=float, na_value=np.nan)
        blocks.append(np.nan_to_num(self._normalise(numbers), nan=0.0))
        return np.hstack(blocks)

    def _positional_inputs(self, table: pd.DataFrame) -> pd.DataFrame:
        """The model's inputs for the MOJO's positional copy (:func:`_positional_copy`):
        columns ``c0, c1, ...``, each level as its position, a missing or unseen level
        and a missing number empty."""
        inputs = self.model_inputs(table)
        out = pd.DataFrame(index=inputs.index)
        for k, (codes, domain) in enumerate(zip(self._codes(inputs), self.domains, strict=True)):
            out[f"c{k}"] = pd.Series(codes, index=inputs.index, dtype="Int64").mask(codes == len(domain))
        for k, col in enumerate(self.numeric, start=len(self.categorical)):
            out[f"c{k}"] = inputs[col].to_numpy(dtype=float, na_value=np.nan)
        return out

    def _positional_outputs(self) -> list[str]:
        """The column names ``PredictCsv`` writes for the positional copy of the MOJO:
        :attr:`inputs`, in the same order, named by position."""
        names, n_cat = [], len(self.categorical)
        for k, domain in enumerate(self.domains):
            names += [f"reconstr_c{k}.{i}" for i in range(len(domain))] + [f"reconstr_c{k}.{MISSING_LEVEL}"]
        return names + [f"reconstr_c{n_cat + j}" for j in range(len(self.numeric))]

    def reconstruct(self, table: pd.DataFrame) -> np.ndarray:
        """The MOJO's reconstruction of ``table`` (rows x :attr:`inputs`) in the
        network's units.

        Java runs the jar's ``PredictCsv``, as ``h2o.mojo_predict_pandas`` does, on a
        copy of the MOJO whose columns and levels are named by their positions
        (:func:`_positional_copy`) and a CSV file of the inputs so named: any level
        text scores as in H2O (commas, quotes, backslashes, "N/A", any script). No
        H2O cluster, and no ``h2o`` Python package either.
        """
        import subprocess
        import tempfile

        from .h2o_session import find_java

        with tempfile.TemporaryDirectory(prefix="aebook_mojo_") as folder:
            model, given, scored = (Path(folder) / name for name in ("model.zip", "input.csv", "output.csv"))
            _positional_copy(self.mojo, model)
            self._positional_inputs(table).to_csv(given, index=False)
            done = subprocess.run(
                [find_java(), "-Xmx1g", "-cp", str(self.jar),
                 "hex.genmodel.tools.PredictCsv", "--mojo", str(model),
                 "--input", str(given), "--output", str(scored), "--decimal"],
                capture_output=True, text=True)
            if done.returncode != 0:
                lines = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
                raise TabularError(f"the MOJO could not score the table ({lines[-1]})")
            out = pd.read_csv(scored, float_precision="round_trip")
        if list(out.columns) != self._positional_outputs():
            raise TabularError(f"{self.jar.name} wrote {out.shape[1]} columns that are not the MOJO's "
                               f"{len(self.inputs)} inputs: score with the jar exported beside the MOJO")
        values = np.array(out, dtype=float)  # a copy: pandas may hand out a read-only view
        if self.numeric:
            start = values.shape[1] - len(self.numeric)
            values[:, start:] = self._normalise(values[:, start:])
        return values

    def per_feature(self, table: pd.DataFrame) -> pd.DataFrame:
        """Squared error of each input, like :func:`~aebook.tabular.per_feature_errors`."""
        return pd.DataFrame((self.reconstruct(table) - self.encode(table)) ** 2,
                            columns=self.inputs, index=table.index)

    def errors(self, table: pd.DataFrame) -> np.ndarray:
        """Each row's reconstruction error, as ``Reconstruction.MSE`` of ``anomaly()``."""
        return self.per_feature(table).mean(axis=1).to_numpy()
