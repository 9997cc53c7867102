"""What the browser tests share: Debian's Chromium, its flags here, and what a reader must not see."""

from __future__ import annotations

import os

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
