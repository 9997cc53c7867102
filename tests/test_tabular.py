"""The tabular pipeline (aebook.tabular) on small synthetic tables.

Pure functions (thresholds, column names, error shares) run without H2O; the rest
share one small local H2O cluster for the module (the fixtures ``h2o_frame`` and
``trained`` of conftest.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aebook import tabular
from aebook.tabular import (
    Columns,
    TabularError,
    alarm_rates,
    column_roles,
    draw_rows,
    error_shares,
    false_alarm_rate_range,
    feature_of,
    heavy_tailed,
    per_feature_errors,
    reconstruction_errors,
    split_rows,
    threshold_for_false_alarm_rate,
    train_autoencoder,
    transform,
)

# ---- without H2O --------------------------------------------------------------------------


def test_threshold_is_the_conformal_order_statistic():
    errors = np.arange(1, 100, dtype=float)  # 99 held-out errors: 1, 2, ..., 99
    # k = ceil(100 * 0.9) = 90: the 90th smallest
    assert threshold_for_false_alarm_rate(errors, 0.1) == 90.0
    assert threshold_for_false_alarm_rate(errors[::-1], 0.1) == 90.0  # order does not matter
    assert threshold_for_false_alarm_rate(errors, 0.01) == 99.0


def test_threshold_keeps_new_normal_rows_below_the_rate():
    rng = np.random.default_rng(0)
    held_out, new = rng.lognormal(size=2000), rng.lognormal(size=200_000)
    t = threshold_for_false_alarm_rate(held_out, 0.05)
    assert abs((new > t).mean() - 0.05) < 0.015


def test_the_false_alarm_rate_range_holds_the_rates_of_repeated_held_out_sets():
    """Draw many held-out sets; the realised rates of their thresholds on new rows
    fall inside the predicted 90 % range about 90 % of the time."""
    rng = np.random.default_rng(1)
    low, high = false_alarm_rate_range(400, 0.05, level=0.9)
    assert low < 0.05 < high
    new = rng.normal(size=400_000)
    realised = [(new > threshold_for_false_alarm_rate(rng.normal(size=400), 0.05)).mean()
                for _ in range(400)]
    inside = np.mean([(low <= r <= high) for r in realised])
    assert 0.85 < inside < 0.95
    with pytest.raises(TabularError, match="too few"):
        false_alarm_rate_range(50, 0.01)


@pytest.mark.parametrize("errors, rate, message", [
    (np.arange(50.0), 0.01, "too few"),
    (np.arange(50.0), 0.0, "between 0 and 1"),
    (np.arange(50.0), 1.5, "between 0 and 1"),
    ([], 0.1, "at least one"),
    ([1.0, math.nan], 0.1, "finite"),
])
def test_threshold_rejects_what_cannot_work(errors, rate, message):
    with pytest.raises(TabularError, match=message):
        threshold_for_false_alarm_rate(errors, rate)


def test_alarm_rates():
    rates = alarm_rates([1, 2, 3, 4], [False, False, True, True], threshold=1.5)
    assert rates == {"false_alarm_rate": 0.5, "detection_rate": 1.0, "flagged_share": 0.75}


def test_feature_of_finds_the_column_and_level():
    cats = ["service", "a.b", "a"]
    assert feature_of("service.http", cats) == ("service", "http")
    assert feature_of("service.missing(NA)", cats) == ("service", "missing(NA)")
    assert feature_of("src_bytes", cats) == ("src_bytes", None)
    assert feature_of("a.b.c", cats) == ("a.b", "c")  # the longest matching name
    assert feature_of("a.x", cats) == ("a", "x")


def test_error_shares_sum_one_hot_columns_back_to_their_column():
    per_feature = pd.DataFrame({"colour.red": [1.0, 0.0], "colour.blue": [1.0, 0.0],
                                "size": [2.0, 0.0]})
    shares = error_shares(per_feature, ["colour"])
    assert list(shares.columns) == ["colour", "size"]
    assert shares.iloc[0].tolist() == [0.5, 0.5]
    assert shares.iloc[1].tolist() == [0.0, 0.0]  # no error at all


def test_draw_rows_is_exact_disjoint_ordered_and_repeatable():
    pool = np.arange(0, 1000, 2)
    first, second = draw_rows(pool, [100, 250], seed=1)
    assert len(first) == 100 and len(second) == 250
    assert not set(first) & set(second) and set(first) | set(second) <= set(pool)
    assert list(first) == sorted(first) and list(second) == sorted(second)
    again = draw_rows(pool, [100, 250], seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(again, [first, second], strict=True))
    assert not np.array_equal(draw_rows(pool, [100], seed=2)[0], first)
    # the first part does not depend on the parts after it
    assert np.array_equal(draw_rows(pool, [100], seed=1)[0], first)
    (everything,) = draw_rows(5, [5], seed=0)
    assert list(everything) == [0, 1, 2, 3, 4]
    with pytest.raises(TabularError, match=r"^cannot draw parts of \[300, 300\] rows from 500 rows: give"):
        draw_rows(pool, [300, 300], seed=1)


def test_the_report_split_is_a_draw_of_rows():
    """The report's split of normal rows draws as draw_rows does (one home)."""
    from aebook.report import split_normal_rows

    pool = np.arange(0, 1000, 2)
    fit, held = split_normal_rows(pool, 0.2, 300, seed=4)
    expected_held, expected_fit = draw_rows(pool, [100, 300], seed=4)
    assert np.array_equal(held, expected_held) and np.array_equal(fit, expected_fit)


def test_columns_features_keep_the_table_order():
    columns = Columns(numeric=["b", "d"], categorical=["c"], ignored={"a": "target"},
                      order=["a", "b", "c", "d"], log1p=["d"])
    assert columns.features == ["b", "c", "d"]
    table = columns.table()
    assert table["role"].tolist() == ["ignored", "numeric", "categorical", "numeric"]
    assert table["note"].tolist() == ["target", "", "", "log1p"]


# ---- with H2O ------------------------------------------------------------------------------


@pytest.mark.h2o
def test_column_roles_follow_h2o_types_and_overrides(h2o_frame):
    _, frame, _session = h2o_frame
    roles = column_roles(frame, target="label", categorical=["code"])
    assert roles.categorical == ["colour", "code"]
    assert roles.numeric == ["size", "bytes", "rate", "negative"]
    assert roles.ignored == {"constant": "a single value", "label": "target"}
    assert roles.features == ["size", "bytes", "rate", "colour", "code", "negative"]
    roles = column_roles(frame, target="label", ignore=["rate"], max_levels=2)
    assert roles.ignored["rate"] == "ignored on request"
    assert roles.ignored["colour"].startswith("3 levels")
    assert "code" in roles.numeric


@pytest.mark.h2o
@pytest.mark.parametrize("kwargs, message", [
    ({"target": "nope"}, "not in the table"),
    ({"categorical": ["size"], "numeric": ["size"]}, "both numeric and categorical"),
])
def test_column_roles_reject_bad_choices(h2o_frame, kwargs, message):
    _, frame, _ = h2o_frame
    with pytest.raises(TabularError, match=message):
        column_roles(frame, **kwargs)


@pytest.mark.h2o
def test_heavy_tailed_picks_nonnegative_skewed_counts_only(h2o_frame):
    _, frame, _ = h2o_frame
    assert heavy_tailed(frame, ["size", "bytes", "rate", "negative"]) == ["bytes"]
    assert heavy_tailed(frame, []) == []


@pytest.mark.h2o
def test_transform_applies_log1p_and_overrides_in_a_new_frame(h2o_frame):
    table, frame, session = h2o_frame
    roles = column_roles(frame, target="label", categorical=["code"])
    roles.log1p = ["bytes"]
    out = transform(frame, roles, "synthetic_ready")
    assert out.frame_id == f"synthetic_ready_{session.tag}"
    assert out.names == frame.names and out.nrows == frame.nrows
    assert out.types["code"] == "enum" and frame.types["code"] == "int"
    got = out["bytes"].as_data_frame()["bytes"].to_numpy()
    assert np.allclose(got, np.log1p(table["bytes"].to_numpy()))
    assert np.allclose(frame["bytes"].as_data_frame()["bytes"], table["bytes"])  # unchanged


@pytest.mark.h2o
def test_transform_reads_categories_as_numbers_when_told(h2o_frame):
    import h2o

    from aebook import unique_id

    _, _, _session = h2o_frame
    table = pd.DataFrame({"level": ["10", "2", "10", "7"], "x": [1.5, 2.5, 3.5, 4.5]})
    frame = h2o.H2OFrame(table, destination_frame=unique_id("levels"), column_types={"level": "enum"})
    out = transform(frame, Columns(numeric=["level", "x"], categorical=[]), "levels_ready")
    assert out.types == {"level": "int", "x": "real"} and frame.types["level"] == "enum"
    assert out["level"].as_data_frame()["level"].tolist() == [10, 2, 10, 7]  # the labels, not level codes


@pytest.mark.h2o
def test_split_rows_is_exact_disjoint_and_repeatable(h2o_frame):
    table, frame, session = h2o_frame
    normal_rows = np.flatnonzero(table["label"] == "normal")
    a, b = split_rows(frame, [0.5, 0.25], ["part_a", "part_b"], seed=3, rows=normal_rows)
    assert a.frame_id == f"part_a_{session.tag}"
    assert a.nrows == int(0.5 * len(normal_rows)) and b.nrows == int(0.25 * len(normal_rows))
    sizes_a = a["size"].as_data_frame()["size"].to_numpy()
    sizes_b = b["size"].as_data_frame()["size"].to_numpy()
    assert not set(sizes_a) & set(sizes_b)
    assert set(a["label"].as_data_frame()["label"]) == {"normal"}
    again, _ = split_rows(frame, [0.5, 0.25], ["again_a", "again_b"], seed=3, rows=normal_rows)
    assert np.array_equal(again["size"].as_data_frame()["size"].to_numpy(), sizes_a)
    with pytest.raises(TabularError, match="sum to at most 1"):
        split_rows(frame, [0.7, 0.7], ["x", "y"], seed=1)


@pytest.mark.h2o
def test_errors_per_feature_and_shares_agree(trained):
    _, ready, roles, model = trained
    errors = reconstruction_errors(model, ready)
    per_feature = per_feature_errors(model, ready)
    assert errors.shape == (ready.nrows,)
    assert np.allclose(per_feature.mean(axis=1), errors)
    assert "colour.red" in per_feature.columns and "colour.missing(NA)" in per_feature.columns
    shares = error_shares(per_feature, roles)
    assert set(shares.columns) == {"size", "bytes", "rate", "colour", "code", "negative"}
    assert np.allclose(shares.sum(axis=1), 1.0)


@pytest.mark.h2o
def test_training_is_reproducible(trained):
    _, ready, roles, model = trained
    again = train_autoencoder(ready, roles, "synthetic_autoencoder_again", hidden=[4], epochs=5,
                              seed=7)
    assert np.array_equal(reconstruction_errors(again, ready), reconstruction_errors(model, ready))


def test_module_lists_its_public_functions():
    assert all(hasattr(tabular, name) for name in tabular.__all__)
