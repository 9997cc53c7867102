"""The autoencoder as a MOJO (aebook.mojo): exported, then scored with h2o-genmodel.jar
and Java alone, with the errors of ``model.anomaly()``.

The tests share one small local H2O cluster for the module (the fixtures ``h2o_frame``
and ``trained`` of conftest.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aebook import mojo as mojo_module
from aebook.mojo import MojoScorer, export_mojo
from aebook.tabular import (
    TabularError,
    per_feature_errors,
    reconstruction_errors,
    train_autoencoder,
    transform,
)


@pytest.fixture(scope="module")
def mojos(trained, tmp_path_factory):
    """The trained model (standardize=True) and one with standardize=False, as MOJOs."""
    _table, ready, roles, model = trained
    unscaled = train_autoencoder(ready, roles, "synthetic_unscaled", hidden=[4], epochs=5,
                                 seed=7, standardize=False)
    folders = {True: tmp_path_factory.mktemp("mojo_std"),
               False: tmp_path_factory.mktemp("mojo_raw")}
    return {standardize: (m, *export_mojo(m, folders[standardize]))
            for standardize, m in [(True, model), (False, unscaled)]}


def odd_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows H2O never saw the like of: unseen levels and missing values."""
    odd = raw.head(5).copy().reset_index(drop=True)
    odd["colour"] = odd["colour"].astype(object)
    odd["code"] = odd["code"].astype(float)
    odd.loc[0, "colour"] = "purple"  # a level not seen in training
    odd.loc[1, "size"] = np.nan  # a missing number
    odd.loc[2, "colour"] = None  # a missing category
    odd.loc[3, "code"] = 9  # an unseen level of a numeric code made a category
    odd.loc[4, ["bytes", "code"]] = np.nan  # a missing log1p column and code
    return odd


@pytest.mark.h2o
@pytest.mark.parametrize("standardize", [True, False])
def test_mojo_errors_equal_anomaly(trained, mojos, standardize):
    import h2o

    from aebook import unique_id

    table, ready, roles, _ = trained
    model, mojo, jar = mojos[standardize]
    assert mojo.name == "autoencoder_mojo.zip" and jar.name == "h2o-genmodel.jar"
    scorer = MojoScorer.load(mojo, jar, roles.log1p)
    assert scorer.inputs == list(per_feature_errors(model, ready[:2, :]).columns)
    assert (scorer.normsub is not None) == standardize
    raw = table.drop(columns=["label"])  # as new data arrives: untransformed
    expected = reconstruction_errors(model, ready)
    assert np.max(np.abs(scorer.errors(raw) - expected)) <= 1e-6
    odd = odd_rows(raw)
    odd_frame = h2o.H2OFrame(odd, destination_frame=unique_id("synthetic_odd"),
                             column_types={"colour": "enum", "code": "real"})
    odd_ready = transform(odd_frame, roles, "synthetic_odd_ready")
    got = scorer.per_feature(odd)
    assert np.all(np.isfinite(got.to_numpy()))
    want = per_feature_errors(model, odd_ready)
    assert np.max(np.abs(got.to_numpy() - want.to_numpy())) <= 1e-6
    assert np.max(np.abs(scorer.errors(odd) - want.mean(axis=1).to_numpy())) <= 1e-6
    encoded = pd.DataFrame(scorer.encode(odd), columns=scorer.inputs)
    assert encoded.loc[[0, 2, 4], "colour.missing(NA)"].tolist() == [1, 1, 0]
    assert encoded.loc[[3, 4], "code.missing(NA)"].tolist() == [1, 1]
    assert encoded.loc[1, "size"] == 0.0  # the training mean, or a raw 0


@pytest.mark.h2o
def test_mojo_scores_in_a_process_without_a_cluster(trained, mojos, tmp_path):
    import subprocess
    import sys

    table, ready, roles, model = trained
    _, mojo, jar = mojos[True]
    batch = tmp_path / "batch.csv"
    table.drop(columns=["label"]).to_csv(batch, index=False)
    script = (
        "import sys, numpy as np, pandas as pd\n"
        "from aebook.mojo import MojoScorer\n"
        f"s = MojoScorer.load({str(mojo)!r}, {str(jar)!r}, {roles.log1p!r})\n"
        f"np.savetxt({str(tmp_path / 'errors.txt')!r}, s.errors(pd.read_csv({str(batch)!r})))\n"
        "print('h2o' not in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "True"  # h2o never imported: no cluster reachable
    errors = np.loadtxt(tmp_path / "errors.txt")
    assert np.max(np.abs(errors - reconstruction_errors(model, ready))) <= 1e-6


@pytest.mark.h2o
def test_mojo_scorer_says_what_is_wrong(trained, mojos, tmp_path):
    table, _, roles, _ = trained
    _, mojo, jar = mojos[True]
    scorer = MojoScorer.load(mojo, jar, roles.log1p)
    with pytest.raises(TabularError, match="lacks the model's columns"):
        scorer.errors(table.drop(columns=["size"]))
    (tmp_path / "other.zip").write_text("not a zip")
    with pytest.raises(TabularError, match="not a MOJO"):
        MojoScorer.load(tmp_path / "other.zip", jar)
    with pytest.raises(TabularError, match="is missing"):
        MojoScorer.load(mojo, tmp_path / "nowhere.jar")


# Level text that PredictCsv's CSV handling would change: commas and quotes (its header is
# not quoted), braces, a backslash (an escape for opencsv; H2O escapes it in the MOJO),
# its markers of a missing cell ("-", "N/A"), spaces at the ends, and text beyond ASCII
# (Java decodes in the locale's charset).
ODD_LEVELS = ["New York, NY", "Boston, MA", 'say "hi"', 'a "b, c" d', "{x}", "C:\\temp", "-", "N/A",
              " padded ", "Zürich", "東京"]


@pytest.fixture(scope="module")
def odd_levels(h2o_frame, tmp_path_factory):
    """A small autoencoder on a table whose category holds :data:`ODD_LEVELS`, with its
    MOJO: (table, frame, model, mojo, jar)."""
    import h2o

    from aebook import unique_id
    from aebook.tabular import column_roles

    rng = np.random.default_rng(5)
    n = 400
    table = pd.DataFrame({"city": rng.choice(ODD_LEVELS, size=n), "size": rng.normal(10, 2, size=n)})
    frame = h2o.H2OFrame(table, destination_frame=unique_id("odd_levels"),
                         column_types={"city": "enum", "size": "real"})
    assert sorted(frame.levels()[0]) == sorted(ODD_LEVELS)  # H2O keeps every level as it is
    model = train_autoencoder(frame, column_roles(frame), "odd_levels_autoencoder", hidden=[3],
                              epochs=5, seed=7)
    return (table, frame, model, *export_mojo(model, tmp_path_factory.mktemp("mojo_odd")))


@pytest.mark.h2o
def test_any_level_text_scores_as_in_h2o(odd_levels, monkeypatch):
    table, frame, model, mojo, jar = odd_levels
    monkeypatch.setenv("LC_ALL", "C")  # Java's default charset: ASCII
    scorer = MojoScorer.load(mojo, jar)
    want = per_feature_errors(model, frame)
    assert scorer.inputs == [f"city.{level}" for level in frame.levels()[0]] + ["city.missing(NA)", "size"]
    assert list(want.columns) == scorer.inputs
    got = scorer.per_feature(table)
    assert np.max(np.abs(got.to_numpy() - want.to_numpy())) <= 1e-6
    errors = scorer.errors(table)
    assert np.max(np.abs(errors - reconstruction_errors(model, frame))) <= 1e-6
    encoded = pd.DataFrame(scorer.encode(table), columns=scorer.inputs)
    for level in ODD_LEVELS:  # each level is its own input, not a missing value
        assert (encoded.loc[(table["city"] == level).to_numpy(), f"city.{level}"] == 1).all(), level


def test_module_lists_its_public_names():
    assert all(hasattr(mojo_module, name) for name in mojo_module.__all__)


@pytest.mark.h2o
def test_a_full_disk_at_the_mojo_names_the_disk_not_the_client(trained, tiny_disk):
    from aebook.tabular import TabularError

    model = trained[3]
    with pytest.raises(TabularError, match=rf"^the MOJO could not be written to {tiny_disk} \(.*No space left on "
                                           r"device.*\): free some space there, or choose another folder$"):
        export_mojo(model, tiny_disk)
    assert list(tiny_disk.iterdir()) == []
