"""Computed numbers in a chapter's prose, readable wherever the notebook is opened.

A code cell computes a value and records it with ``glue(name, value)``; a later code
cell prints a paragraph as Markdown with ``prose("... {name} ...")``. That cell's input
is collapsed in JupyterLab (``jupyter.source_hidden``) and removed in the book (the tag
``remove-input``), so in the book, in JupyterLab and in plain renderers (Colab, GitHub,
VS Code, ``jupyter nbconvert``) the reader sees the paragraph with this run's numbers,
and no MyST role: the numbers are the output of the run, never typed.

The printed Markdown has one line per paragraph or list item (soft line breaks joined),
so how the template is wrapped in the cell does not change the output.

A placeholder is ``{name}`` where ``name`` is a Python identifier, not directly after a
letter, a backslash, ``^``, ``_`` or ``}``: so LaTeX such as ``$\\sqrt{\\text{x}}$`` or
``x_{i}`` passes through untouched. A placeholder with no recorded value is an error,
not a blank.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

__all__ = ["glue", "prose", "recorded"]

PLACEHOLDER = re.compile(r"(?<![\w\\^_}])\{([A-Za-z_]\w*)\}")
# a line that starts a Markdown block of its own, rather than continuing a paragraph
BLOCK_START = re.compile(r"\s*([-+*]\s|\d+[.)]\s|#|\||>|\$\$|```|<)")
_OUTSIDE_IPYTHON: dict[str, str] = {}
_KEY = "_aebook_glued"  # in the kernel's namespace, so %reset (and a new chapter) clears it


def recorded() -> dict[str, str]:
    """The values recorded so far in this kernel (or this process, outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return _OUTSIDE_IPYTHON
    shell = get_ipython()
    if shell is None:
        return _OUTSIDE_IPYTHON
    return shell.user_ns.setdefault(_KEY, {})


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record ``value`` (as text) under ``name`` for the prose; print it too if ``display``."""
    if not name.isidentifier():
        raise ValueError(f"a glued name must be a Python identifier, not {name!r}: rename it")
    text = value if isinstance(value, str) else str(value)
    recorded()[name] = text
    if display:
        print(text)


def fill(template: str) -> str:
    """``template`` with every ``{name}`` replaced by its recorded value."""
    values = recorded()
    missing = sorted({m for m in PLACEHOLDER.findall(template) if m not in values})
    if missing:
        raise KeyError(f"no value recorded for {', '.join(missing)}: call glue(name, value) "
                       "in a cell above this one")
    text = PLACEHOLDER.sub(lambda m: values[m.group(1)], textwrap.dedent(template).strip("\n"))
    return join_soft_breaks(text)


def join_soft_breaks(text: str) -> str:
    """``text`` with each paragraph's and list item's lines joined into one line."""
    lines: list[str] = []
    verbatim = False  # inside a ``` fence or a $$ block, lines stay as they are
    for line in text.split("\n"):
        stripped = line.strip()
        opens_or_closes = stripped.startswith(("```", "$$")) and not (
            stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 2)
        previous = lines[-1].strip() if lines else ""
        continues = (previous and stripped and not verbatim and not opens_or_closes
                     and not BLOCK_START.match(line)
                     and not previous.startswith(("|", "#", "$$", "```", "<")))
        if continues:
            lines[-1] = f"{lines[-1].rstrip()} {stripped}"
        else:
            lines.append(line)
        if opens_or_closes:
            verbatim = not verbatim
    return "\n".join(lines)


def prose(template: str) -> None:
    """Show ``template`` as Markdown, with this run's recorded values filled in."""
    from IPython.display import Markdown, display

    display(Markdown(fill(template)))
