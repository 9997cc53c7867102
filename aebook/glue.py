"""Computed numbers in a chapter's prose, readable wherever the notebook is opened.

A code cell computes a value and records it with ``glue(name, value)``; a later code
cell prints a paragraph as Markdown with ``prose("... {name} ...")``. That cell's input
is collapsed in JupyterLab (``jupyter.source_hidden``) and removed in the book (the tag
``remove-input``), so in the book, in JupyterLab and in plain renderers (Colab, GitHub,
VS Code, ``jupyter nbconvert``) the reader sees the paragraph with this run's numbers,
and no MyST role: the numbers are the output of the run, never typed.

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
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], textwrap.dedent(template).strip("\n"))


def prose(template: str) -> None:
    """Show ``template`` as Markdown, with this run's recorded values filled in."""
    from IPython.display import Markdown, display

    display(Markdown(fill(template)))
