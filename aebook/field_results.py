"""The results of ``benchmarks/one_class_field.py``: checked, written and read.

The JSON Schema ``benchmarks/schemas/one_class_field.schema.json`` says what the file
holds; the checks here need Python: every method has one run per digit, the summary
is the mean of the runs, and each interval contains its estimate.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .benchmark_results import ResultsError, resolve
from .files import write_json
from .schemas import check_against_schema

__all__ = ["FIELD_SCRIPT", "check_field_results", "load_field_results", "write_field_results"]

FIELD_SCRIPT = "benchmarks/one_class_field.py"
RERUN = f"run {FIELD_SCRIPT} again to write a complete file (or restore it from git)"


def _consistency(results: dict) -> str | None:
    """The first disagreement inside ``results``, or None."""
    digits = results["protocol"]["digits"]
    methods = list(results["chosen"])
    for m in methods:
        mine = sorted(r["digit"] for r in results["runs"] if r["method"] == m)
        if mine != sorted(digits):
            return f"the method {m} has test runs for the digits {mine}, not {sorted(digits)}"
        mean = np.mean([r["auroc"] for r in results["runs"] if r["method"] == m])
        if m not in results["summary"] or not np.isclose(results["summary"][m]["mean_auroc"], mean):
            return f"the summary's mean AUROC of {m} is not the mean of its runs"
    for d in digits:
        intervals = results["intervals"].get(str(d), {})
        if sorted(intervals) != sorted(methods):
            return f"the digit {d} has AUROC intervals for {sorted(intervals)}, not for every method"
        for name, iv in [*intervals.items(), *results["bootstrap"].get(str(d), {}).items()]:
            if not iv["low"] - 1e-9 <= iv["estimate"] <= iv["high"] + 1e-9:
                return f"the interval of {name} for the digit {d} does not contain its estimate"
    return None


def check_field_results(results: object, source: str | Path = "the results") -> dict:
    """``results`` if it is what the benchmark writes, else :class:`ResultsError` naming ``source``."""
    check_against_schema(results, "one_class_field", source, RERUN)
    problem = _consistency(results)  # type: ignore[arg-type]
    if problem:
        raise ResultsError(f"{source}: {problem}; {RERUN}.")
    return results  # type: ignore[return-value]


def write_field_results(results: dict, path: str | Path) -> Path:
    """Write ``results`` atomically, then raise :class:`ResultsError` if they fail the
    checks: a finished run is never thrown away, and a wrong one is never silent."""
    try:
        check_field_results(results, path)
        problem = None
    except ResultsError as err:
        problem = err
    write_json(path, results)
    if problem is not None:
        raise problem
    return Path(path)


def load_field_results(path: str | Path) -> dict:
    """The checked contents of ``path`` (a relative path starts at the project folder)."""
    full = resolve(path)
    if not full.is_file():
        raise ResultsError(f"{path} is not a file (relative paths start at the project folder): give an "
                           f"existing results file, or run {FIELD_SCRIPT} to create one.")
    try:
        results = json.loads(full.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ResultsError(f"{path} cannot be read as JSON ({err}), so it is cut short or not a results "
                           f"file; {RERUN}.") from None
    return check_field_results(results, path)
