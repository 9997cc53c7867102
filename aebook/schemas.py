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

__all__ = ["SCHEMA_DIR", "check_against_schema", "load_checked", "schema", "write_checked"]

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
    message = error.message
    if len(message) > 200:  # the message repeats a long value: name the rule it breaks
        rule = json.dumps(error.validator_value)
        message = f"the value breaks the rule {error.validator}: {rule[:120]}"
    raise ResultsError(f"{source}: at {where}, {message}; {rerun}.")


def write_checked(path: str | Path, data: Any, name: str, rerun: str) -> Path:
    """Write ``data`` to ``path`` atomically, then raise :class:`ResultsError` if it does
    not match the schema ``name``: a finished run is never thrown away, and a wrong one is
    never silent."""
    from .files import write_json

    write_json(path, data)
    check_against_schema(data, name, path, rerun)
    return Path(path)


def load_checked(path: str | Path, name: str, rerun: str) -> Any:
    """The contents of the JSON file ``path`` (relative: from the project folder), checked
    against the schema ``name``; :class:`ResultsError` in one sentence otherwise."""
    from .benchmark_results import resolve

    full = resolve(path)
    try:
        data = json.loads(full.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path} is not a file (relative paths start at the project folder); "
                           f"{rerun}.") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ResultsError(f"{path} cannot be read as JSON ({err}); {rerun}.") from None
    return check_against_schema(data, name, path, rerun)
