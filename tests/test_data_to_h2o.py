"""The data-to-H2O benchmark: bad arguments stop at once, a small run writes its figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import run_successfully, usage_error

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "data_to_h2o.py"


@pytest.mark.parametrize("args, message", [
    (["--repeats", "0"], "--repeats must be from 1 to 20"),
    (["--nodes", "9"], "--nodes must be from 1 to 4"),
    (["--max-mem-size", "10M"], "invalid parameter --max-mem-size='10M'"),
    (["--out", "/proc/no/such.json"], "cannot write /proc/no/such.json"),
    (["--table", "validation"], "invalid choice: 'validation'"),
])
def test_bad_arguments_stop_before_any_work(args, message):
    assert message in usage_error(SCRIPT, *args)


@pytest.mark.h2o
def test_a_small_run_times_every_route(tmp_path):
    out = tmp_path / "routes.json"
    result = run_successfully(SCRIPT, "--table", "test", "--repeats", "2", "--out", str(out))
    figures = json.loads(out.read_text())
    assert set(figures["seconds"]) == {"import", "upload", "s3"}
    assert all(len(times) == 2 and all(t > 0 for t in times)
               for times in figures["seconds"].values())
    ratio = figures["median_seconds"]["s3"] / figures["median_seconds"]["import"]
    assert abs(figures["s3_over_import"] - ratio) < 0.01
    assert "s3:// import / local import" in result.stdout
    assert not list(tmp_path.glob("*.tmp*")), "the JSON is written at once, no leftovers"
