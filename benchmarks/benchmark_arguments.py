"""The command-line arguments the benchmark scripts share, checked before any work.

``one_class_mnist_search.py``, ``one_class_mnist.py``, ``one_class_field.py`` and
``keras_vs_h2o.py`` take ``--quick`` (a smoke test), ``--digits``, ``--out`` (where the
JSON goes, by default ``benchmarks/out/<script>.json``, git-ignored) and
``--max-mem-size`` (the memory of the local H2O); the final table and the field also
take ``--search``, the settings the validation search chose. A bad value ends the
script with a usage error in one sentence before any work (:func:`check_arguments`,
:func:`read_search`), not after a run of many minutes.

The scripts import this module by its name: Python puts the folder of the script it
runs first on ``sys.path``.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from aebook.results_files import ResultsError, check_output_path

__all__ = [
    "DEFAULT_SEARCH",
    "ROOT",
    "add_digits",
    "add_max_mem_size",
    "add_out",
    "add_search",
    "benchmark_parser",
    "check_arguments",
    "read_search",
    "run_settings",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEARCH = "benchmarks/results/one_class_mnist_search.json"


def benchmark_parser(name: str, description: str, quick: str) -> argparse.ArgumentParser:
    """The parser of ``benchmarks/<name>.py``, with its ``--quick`` (``quick``: what the smoke test runs)."""
    parser = argparse.ArgumentParser(prog=f"{name}.py", description=description)
    parser.add_argument("--quick", action="store_true", help=f"smoke test: {quick}")
    return parser


def add_digits(parser: argparse.ArgumentParser, what: str) -> None:
    """``--digits D ...``; ``what`` says which digits and the default."""
    parser.add_argument("--digits", type=int, nargs="+", metavar="D", help=what)


def add_out(parser: argparse.ArgumentParser) -> None:
    """``--out PATH``, by default ``benchmarks/out/<the script's name>.json``."""
    name = parser.prog.removesuffix(".py")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / f"{name}.json",
                        help=f"where to write the JSON (default: benchmarks/out/{name}.json)")


def add_search(parser: argparse.ArgumentParser, what: str) -> None:
    """``--search PATH``, the results of the validation search; ``what`` says what the script takes from it."""
    parser.add_argument("--search", default=DEFAULT_SEARCH, help=f"{what} (default: {DEFAULT_SEARCH})")


def add_max_mem_size(parser: argparse.ArgumentParser) -> None:
    """``--max-mem-size``, the memory cap of the local H2O (checked by :func:`check_arguments`)."""
    parser.add_argument("--max-mem-size", default="2G", help='memory cap of the local H2O (default "2G")')


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``--digits`` (each 0-9, at most once), ``--max-mem-size`` (at least 1G) and ``--out``
    (replaced by the checked path); a bad value ends the script with ``parser.error``."""
    from aebook.params import ParameterError, check_memory_size

    if args.digits is not None:
        bad = [d for d in args.digits if not 0 <= d <= 9]
        if bad:
            parser.error(f"--digits: each digit must be from 0 to 9, got {bad}")
        if len(set(args.digits)) != len(args.digits):
            parser.error(f"--digits: each digit at most once, got {args.digits}")
    try:
        check_memory_size("--max-mem-size", args.max_mem_size, minimum="1G")
    except ParameterError as err:
        parser.error(str(err))
    try:  # now, not after a run of many minutes
        args.out = check_output_path(args.out)
    except ResultsError as err:
        parser.error(f"--out: {err}")


def read_search(parser: argparse.ArgumentParser, args: argparse.Namespace, digits: list[int]) -> dict:
    """The checked contents of ``--search``, which must have chosen the autoencoder's settings
    for every one of ``digits``; else ``parser.error``."""
    from aebook.one_class_mnist_results import SEARCH

    try:
        search = dataclasses.replace(SEARCH, argument="--search").load(args.search)
    except ResultsError as err:
        parser.error(f"--search: {err}")
    missing = [d for d in digits if str(d) not in search["chosen"]["h2o_autoencoder"]["per_digit"]]
    if missing:
        parser.error(f"--search: {args.search} has no chosen settings for the digits {missing}")
    return search


def run_settings(args: argparse.Namespace, full: dict, quick: dict, given: tuple[str, ...] = ("digits",)) -> dict:
    """The settings of a run: ``quick`` with ``--quick``, else ``full``, with the values of the
    arguments ``given`` that the command line sets."""
    settings = dict(quick if args.quick else full)
    for key in given:
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    return settings
