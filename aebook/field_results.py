"""The results of ``benchmarks/one_class_field.py``: checked, written and read.

The JSON Schema ``benchmarks/schemas/one_class_field.schema.json`` says what the file
holds; the checks here need Python: every method has one run per digit, the summary
is the mean of the runs, and each interval contains its estimate. Writing and reading
go through :class:`aebook.schemas.ResultsFile`: a problem is one sentence naming the file and the fix.
"""

from __future__ import annotations

import numpy as np

from .schemas import ResultsFile

__all__ = ["FIELD_SCRIPT", "check_field_results", "load_field_results", "write_field_results"]

FIELD_SCRIPT = "benchmarks/one_class_field.py"


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


FIELD = ResultsFile("one_class_field", _consistency)

check_field_results = FIELD.check
load_field_results = FIELD.load
write_field_results = FIELD.write
