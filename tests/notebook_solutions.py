"""The exercises' solutions, which the notebooks keep in closed ``<details>`` blocks.

A solution's code is Markdown (a fenced ``python`` block), so that it stays closed in
every renderer, GitHub and Colab included. To test it, :func:`with_solutions` puts each
block back into the notebook as a code cell right after its solution, where a reader
would paste it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

SUMMARY = re.compile(r"<summary>Solution( \d+)?</summary>")
EXERCISE = re.compile(r"^\*\*Exercise (\d+)\.\*\*", re.M)
CODE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def solution_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the Markdown cells that hold a solution."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and SUMMARY.search(c.source)]


def with_solutions(source: Path, target: Path) -> int:
    """Write ``source`` with every solution's code as a code cell after it; return their count."""
    nb = nbformat.read(source, as_version=4)
    added = 0
    for i in reversed(solution_cells(nb)):
        blocks = CODE.findall(nb.cells[i].source)
        if blocks:
            nb.cells.insert(i + 1, nbformat.v4.new_code_cell("\n".join(blocks)))
            added += 1
    nbformat.write(nb, target)
    return added
