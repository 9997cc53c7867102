"""Checking a results file against its JSON Schema (``benchmarks/schemas/<name>.schema.json``).

The schema says what a file must hold (fields, types, ranges); checks that need
Python (sums, agreement between fields) stay beside the code that writes the file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .benchmark_results import PROJECT_ROOT, ResultsError

__all__ = ["SCHEMA_DIR", "check_against_schema", "schema"]

SCHEMA_DIR = PROJECT_ROOT / "benchmarks" / "schemas"


@cache
def schema(name: str) -> dict:
    """The JSON Schema ``benchmarks/schemas/<name>.schema.json``, itself checked."""
    from jsonschema import Draft202012Validator

    loaded = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(loaded)
    return loaded


def check_against_schema(data: Any, name: str, source: str | Path, rerun: str) -> Any:
    """``data`` if it matches the schema ``name``; else :class:`ResultsError` in one sentence
    naming ``source``, the first problem found and the fix ``rerun``."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema(name)).iter_errors(data))
    if error is None:
        return data
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    raise ResultsError(f"{source}: at {where}, {message}; {rerun}.")
