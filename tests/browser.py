"""What the browser tests share: Debian's Chromium, its flags here, what a reader must not see, and the
computed numbers a reader must see."""

from __future__ import annotations

import os
import re
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# headless as root, with no background connections (this machine's network is closed)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# MyST roles and directives: on a page they mean that something was not rendered
RAW_SYNTAX = ("{glue", "{cite", ":::{", "{exercise", "{solution", "```{", "{admonition",
              "{ref}", "{doc}", "{numref}")


def raw_syntax_in(text: str) -> list[str]:
    """The problems of a page's visible ``text``: every raw MyST fragment in it."""
    return [f"raw syntax visible: {s!r}" for s in RAW_SYNTAX if s in text]


NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# math (typeset, not text) and link targets (not shown) hold no number a reader reads
NOT_SHOWN = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\]\([^)]*\)", re.S)


def prose_numbers(notebook: Path) -> list[str]:
    """The numbers in the prose the notebook's code cells printed (``aebook.glue.prose``: their
    Markdown outputs, as committed), which every view of the notebook must show."""
    import nbformat

    numbers = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            markdown = output.get("data", {}).get("text/markdown")
            if markdown:
                numbers += NUMBER.findall(NOT_SHOWN.sub(" ", markdown))
    return numbers
