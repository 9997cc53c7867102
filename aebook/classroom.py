"""Classroom quick mode: every chapter with small parameters, from one switch.

The quick parameters of every chapter live here, in :data:`QUICK_PARAMETERS`; the
tests, the quick-book benchmark and the notebooks all read them from this one place.
Each notebook calls :func:`apply_quick_mode` in the cell that validates its
parameters, before the checks::

    apply_quick_mode("03_mnist_good_bad_ugly", globals())

With the environment variable ``AEBOOK_QUICK=1`` (set it before starting Jupyter, or
run ``make book QUICK=1``) the call replaces the chapter's parameters with their quick
values and prints one line saying so; unset (or ``0``) it does nothing and prints
nothing, so the full run's outputs do not change.

Command line (used by ``make book QUICK=1``)::

    python -m aebook.quick_config --quick-config _build/quick/_config.yml
"""

from __future__ import annotations

import argparse
import copy
import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

__all__ = [
    "QUICK_ENV",
    "QUICK_PARAMETERS",
    "QuickModeError",
    "apply_quick_mode",
    "executing_config",
    "quick_book_config",
    "quick_mode",
    "relocated_config",
]

QUICK_ENV = "AEBOOK_QUICK"

# Small parameters for a fast run of each chapter (keys: notebook file names without
# ".ipynb"). A new chapter adds its entry here: tests/test_notebooks.py fails for a
# notebook without one. An empty dict means the chapter is already quick.
QUICK_PARAMETERS: dict[str, dict[str, Any]] = {
    "00_check_setup": {"epochs": 2},
    "01_autoencoders": {"n_train": 400, "n_anomalies": 10, "epochs": 25, "widths": [1, 3, 12]},
    "02_mnist_data": {"split": "test", "example_index": 7, "n_grid": 20, "h2o_rows": 1000},
    "03_mnist_good_bad_ugly": {"train_rows": 500},
    "04_mnist_deep": {"epochs": 1, "sample_rows": 500, "holdout_rows": 100},
    "05_evaluation": {},  # reads the committed benchmark results: already fast
    "06_mnist_pretraining": {"unlabelled_rows": 1000, "label_counts": [100],
                             "validation_rows": 100, "seeds": 2, "dl_samples": 1000,
                             "max_trees": 5, "test_rows": 1000},
    "07_ecg": {"epochs": 10, "cv_folds": 2, "stability_seeds": 2},
    "08_time_series": {"epochs": 20, "compare_windows": False},
    "09_network_connections": {"fit_rows": 1000, "validation_rows": 500, "calibration_rows": 500,
                               "validation_anomalies": 250, "candidates": 1, "epochs": 2,
                               "trees": 20, "test_rows": 2000},
    "10_object_storage_cluster": {"train_split": "test", "train_rows": 500,
                                  "route_repeats": 1, "compare_nodes": False},
    "11_web_logs": {"epochs": 20, "trees": 20},
    "12_your_own_data": {"fit_rows": 1000, "epochs": 5},
}

class QuickModeError(ValueError):
    """``AEBOOK_QUICK`` has a value other than 1, 0 or empty, or a chapter has no quick parameters."""


def quick_mode(environ: MutableMapping[str, str] | None = None) -> bool:
    """True if ``AEBOOK_QUICK`` is ``1``, False if it is unset, empty or ``0``.

    Any other value raises :class:`QuickModeError` with a one-sentence message.
    """
    value = (os.environ if environ is None else environ).get(QUICK_ENV, "").strip()
    if value not in ("", "0", "1"):
        raise QuickModeError(
            f"{QUICK_ENV}={value!r} is not valid: set it to 1 for the classroom quick mode, "
            "or to 0 (or leave it unset) for the full run."
        )
    return value == "1"


def apply_quick_mode(chapter: str, namespace: MutableMapping[str, Any],
                     environ: MutableMapping[str, str] | None = None) -> bool:
    """In quick mode, set ``chapter``'s quick parameters in ``namespace`` and say so.

    ``namespace`` is the notebook's ``globals()``, after its parameters cell (and any
    values papermill injected: quick mode replaces those too). Returns True if quick
    mode is on. Every quick parameter must already be a name in ``namespace``, so that
    a renamed parameter cannot be silently ignored.
    """
    if not quick_mode(environ):
        return False
    if chapter not in QUICK_PARAMETERS:
        raise QuickModeError(
            f"chapter {chapter!r} has no quick parameters: add an entry to QUICK_PARAMETERS in aebook/classroom.py."
        )
    values = QUICK_PARAMETERS[chapter]
    unknown = sorted(set(values) - set(namespace))
    if unknown:
        raise QuickModeError(
            f"quick parameters {unknown} of {chapter!r} are not parameters of the notebook: "
            "fix QUICK_PARAMETERS in aebook/classroom.py."
        )
    namespace.update(copy.deepcopy(values))  # a notebook may change a list in place
    settings = ", ".join(f"{k}={v!r}" for k, v in values.items()) or "no changes, the chapter is already quick"
    print(f"Quick mode ({QUICK_ENV}=1): {settings}.")
    return True


def relocated_config(config: dict[str, Any], root: Path) -> dict[str, Any]:
    """A copy of the book's ``config`` that works from another folder.

    Jupyter Book resolves ``local_extensions`` folders relative to the configuration
    file: in the copy they are absolute paths under ``root``, the book's folder.
    """
    moved = copy.deepcopy(config)
    extensions = moved.get("sphinx", {}).get("local_extensions") or {}
    for name, folder in extensions.items():
        extensions[name] = str((root / folder).resolve())
    return moved


def executing_config(config: dict[str, Any], cache: Path, root: Path) -> dict[str, Any]:
    """A copy of the book's ``config`` that executes the notebooks through the jupyter-cache at ``cache``.

    The book's own ``_config.yml`` renders the outputs committed with the notebooks
    (``execute_notebooks: "off"``); ``make book EXECUTE=1`` and the quick build use
    this copy, which keeps every other execution setting (timeout, errors). See
    :func:`relocated_config` for ``root``.
    """
    executing = relocated_config(config, root)
    execute = executing.setdefault("execute", {})
    execute["execute_notebooks"] = "cache"
    execute["cache"] = str(cache)
    return executing


def quick_book_config(config: dict[str, Any], cache: Path, root: Path) -> dict[str, Any]:
    """The book's configuration ``config`` for the quick build, with its own execution cache.

    The quick book executes every chapter (its outputs are not the committed ones), and
    must never share a jupyter-cache with the full book: the cache keys a notebook by
    its code, not by the environment, so a shared cache would hand one build the
    other's outputs. See :func:`relocated_config` for ``root``.
    """
    quick = executing_config(config, cache, root)
    quick["title"] = f"{config.get('title', 'Book')} (quick mode)"
    return quick


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aebook.quick_config", description=__doc__.splitlines()[0])
    parser.add_argument("--quick-config", type=Path, required=True, metavar="PATH",
                        help="write the quick build's configuration (from _config.yml) to PATH; "
                             "its execution cache is the folder .jupyter_cache next to PATH")
    parser.add_argument("--config", type=Path, default=Path("_config.yml"), help="the book's _config.yml")
    args = parser.parse_args(argv)
    import yaml

    try:
        quick_mode()
    except QuickModeError as err:
        parser.exit(2, f"error: {err}\n")
    config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    args.quick_config.parent.mkdir(parents=True, exist_ok=True)
    args.quick_config.write_text(
        f"# Generated from {args.config} by python -m aebook.quick_config: edit that file, not this one.\n"
        + yaml.safe_dump(quick_book_config(config, (args.quick_config.parent / ".jupyter_cache").resolve(),
                                           args.config.parent), sort_keys=False),
        encoding="utf-8",
    )
    return 0

