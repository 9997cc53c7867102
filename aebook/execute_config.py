"""``python -m aebook.execute_config --execute-config PATH``: the configuration of ``make book EXECUTE=1``.

The book's ``_config.yml`` renders the outputs committed with the notebooks, which
nbval checks against a fresh run (``make test``): ``make book`` executes nothing but
the pages that ask for it (``mystnb: execution_mode: force``). ``make book EXECUTE=1``
builds from the copy this command writes (:func:`aebook.classroom.executing_config`):
the same book, with every notebook executed first through the jupyter-cache that
``_config.yml`` names (``execute: cache:``, taken from the book's folder), so a
second executed build re-runs only the notebooks that changed::

    python -m aebook.execute_config --execute-config _build/execute/_config.yml
    jupyter-book build . --config _build/execute/_config.yml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .classroom import executing_config

DEFAULT_CACHE = "_build/.jupyter_cache"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aebook.execute_config", description=__doc__.splitlines()[0])
    parser.add_argument("--execute-config", type=Path, required=True, metavar="PATH",
                        help="write the executing build's configuration (from _config.yml) to PATH")
    parser.add_argument("--config", type=Path, default=Path("_config.yml"), help="the book's _config.yml")
    args = parser.parse_args(argv)
    import yaml

    if not args.config.is_file():
        parser.exit(2, f"error: {args.config} is not a file: give the book's _config.yml.\n")
    config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    root = args.config.parent
    cache = (root / (config.get("execute") or {}).get("cache", DEFAULT_CACHE)).resolve()
    args.execute_config.parent.mkdir(parents=True, exist_ok=True)
    args.execute_config.write_text(
        f"# Generated from {args.config} by python -m aebook.execute_config: edit that file, not this one.\n"
        + yaml.safe_dump(executing_config(config, cache, root), sort_keys=False),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
