"""Results files read, checked and written against their JSON Schema (``benchmarks/schemas/<name>.schema.json``).

The results file of ``benchmarks/<name>.py`` has the schema ``<name>``, which says
what the file must hold (fields, types, ranges). What a schema cannot say (sums,
agreement between fields) is a function of the module beside the benchmark's figures,
the file's ``consistency``. A :class:`ResultsFile` holds the two, and every results file
is read, checked and written through one:

- :meth:`ResultsFile.check`: the file is what the script writes (its benchmark and
  schema version), holds no NaN or infinity, matches the schema, then agrees with
  itself;
- :meth:`ResultsFile.load`: the contents of a file, checked;
- :meth:`ResultsFile.write`: written atomically (:func:`aebook.files.write_json`), then
  checked, so that a finished run is never thrown away and a wrong one is never silent.

Each problem is a :class:`~aebook.results_files.ResultsError` in one sentence naming the
file and the fix. :func:`load_checked` and :func:`write_checked` do the same for a file
that needs no check in Python.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .results_files import PROJECT_ROOT, ResultsError, resolve, shown

__all__ = ["SCHEMA_DIR", "ResultsFile", "check_against_schema", "load_checked", "schema", "write_checked"]

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


def _non_finite(value: Any, where: str = "") -> str | None:
    """The place of the first NaN or infinity in ``value``, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "the top level"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _non_finite(item, f"{where}/{key}" if where else str(key))
        if found:
            return found
    return None


def _problem_before_the_schema(data: Any, name: str, script: str) -> str | None:
    """Why ``data`` is not a file of ``script`` at all (not an object, another benchmark or
    schema version) or holds a NaN or infinity, or None: a clearer sentence than the schema's
    first error. Every results file is a JSON object."""
    expected = schema(name)
    if not isinstance(data, dict):
        return f"it holds a JSON {type(data).__name__}, not the object {script} writes"
    identity = {key: expected.get("properties", {}).get(key, {}).get("const", None)
                for key in ("benchmark", "schema_version")}
    if any(want is not None and data.get(key) != want for key, want in identity.items()):
        version = f" (schema version {identity['schema_version']})" if identity["schema_version"] is not None else ""
        return f"it is not a results file of {script}{version}"
    place = _non_finite(data)
    return f"at {place}, a number is NaN or infinite" if place else None


@dataclass(frozen=True)
class ResultsFile:
    """The results file of ``benchmarks/<name>.py``: its schema ``name`` and its ``consistency``.

    ``consistency(data)`` gets a file that matches the schema and returns the first
    disagreement inside it, or None. ``argument`` names the parameter that gave the path
    (in an error about the path); ``fix`` is what to do about a broken file (default: run
    the script again).
    """

    name: str
    consistency: Callable[[Any], str | None] | None = None
    argument: str = "path"
    fix: str | None = None

    @property
    def script(self) -> str:
        return f"benchmarks/{self.name}.py"

    @property
    def rerun(self) -> str:
        return self.fix or f"run {self.script} again to write a complete file (or restore it from git)"

    def check(self, data: Any, source: str | Path = "the results") -> Any:
        """``data`` if it is what the script writes, else :class:`ResultsError` naming ``source``."""
        where = shown(source) if isinstance(source, Path) else source
        problem = _problem_before_the_schema(data, self.name, self.script)
        if problem is None:
            check_against_schema(data, self.name, where, self.rerun)
            problem = self.consistency(data) if self.consistency else None
        if problem:
            raise ResultsError(f"{where}: {problem}; {self.rerun}.")
        return data

    def load(self, path: str | Path) -> Any:
        """The checked contents of the file ``path`` (relative: from the project folder)."""
        if not isinstance(path, (str, Path)) or not str(path).endswith(".json"):
            raise ResultsError(f"{self.argument}={path!r} is not the path of a .json file: give the file that "
                               f"{self.script} wrote, such as benchmarks/results/{self.name}.json.")
        full = resolve(path)
        if not full.is_file():
            raise ResultsError(f"{shown(full)} is not a file (relative paths start at the project folder): "
                               f"give an existing results file, or run {self.script} to create one.")
        try:
            data = json.loads(full.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as err:
            reason = f"line {err.lineno}: {err.msg}" if isinstance(err, json.JSONDecodeError) else str(err)
            raise ResultsError(f"{shown(full)} cannot be read as JSON ({reason}), so it is cut short or not a "
                               f"results file; {self.rerun}.") from None
        return self.check(data, full)

    def write(self, data: Any, path: str | Path) -> Path:
        """Write ``data`` to ``path`` atomically, then raise :class:`ResultsError` if it fails
        :meth:`check`: a finished run is never thrown away, and a wrong one is never silent."""
        from .files import write_json

        path = Path(path)
        write_json(path, data)
        self.check(data, path)
        return path


def write_checked(path: str | Path, data: Any, name: str, rerun: str | None = None) -> Path:
    """:meth:`ResultsFile.write` for a file that the schema ``name`` checks alone."""
    return ResultsFile(name, fix=rerun).write(data, path)


def load_checked(path: str | Path, name: str, rerun: str | None = None) -> Any:
    """:meth:`ResultsFile.load` for a file that the schema ``name`` checks alone."""
    return ResultsFile(name, fix=rerun).load(path)
