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
    table, ready, roles, model = trained
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


def test_module_lists_its_public_names():
    assert all(hasattr(mojo_module, name) for name in mojo_module.__all__)
