"""The committed results of benchmarks/time_series_cost.py match its JSON Schema, and a
file that does not is refused in one sentence naming the file and the fix."""

import json
from pathlib import Path

import pytest

from aebook.results_files import ResultsError
from aebook.schemas import load_checked

COMMITTED = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "time_series_cost.json"


def test_the_committed_results_match_the_schema():
    assert load_checked(COMMITTED, "time_series_cost")["benchmark"] == "time-series cost"


@pytest.mark.parametrize("damage", ["no runs", "negative seconds", "length not a number"])
def test_a_damaged_file_is_one_sentence(tmp_path, damage):
    data = json.loads(COMMITTED.read_text())
    if damage == "no runs":
        del data["runs"]
    elif damage == "negative seconds":
        data["runs"][0]["autoencoder_scoring_seconds"] = -1
    else:
        data["median_seconds"]["many"] = data["median_seconds"].pop(next(iter(data["median_seconds"])))
    path = tmp_path / "time_series_cost.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsError) as error:
        load_checked(path, "time_series_cost")
    message = str(error.value)
    assert "\n" not in message and "time_series_cost.json" in message
    assert message.endswith("run benchmarks/time_series_cost.py again to write a complete file (or restore it from "
                            "git).")
