"""aebook.scoring_history: H2O's duration strings and the training speed."""

import pandas as pd
import pytest

from aebook.scoring_history import duration_seconds, history_rows, samples_per_second


@pytest.mark.parametrize("text, seconds", [
    (" 5.328 sec", 5.328), ("1 min 22.507 sec", 82.507), ("2 hrs 1 min 0.5 sec", 7260.5),
    ("120 ms", 0.12),
])
def test_durations_are_read_in_seconds(text, seconds):
    assert duration_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "5 fortnights"])
def test_an_unreadable_duration_is_refused(text):
    with pytest.raises(ValueError, match="cannot read an H2O duration"):
        duration_seconds(text)


class FakeModel:
    def scoring_history(self):
        return pd.DataFrame({"epochs": [0.0, 1.01], "iterations": [0, 10],
                             "samples": [0.0, 3041.0], "duration": ["2.688 sec", "5.328 sec"]})


def test_the_speed_is_the_last_rows_samples_over_its_duration():
    assert history_rows(FakeModel())[-1] == [1.01, 10, 3041.0, 5.328]
    assert samples_per_second(FakeModel()) == pytest.approx(3041 / 5.328)
