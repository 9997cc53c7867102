"""Every notebook: the book's shape, clean committed outputs, and papermill runs.

nbval (``pytest --nbval notebooks``) checks that re-executing each notebook gives the
committed outputs; this file checks what nbval does not.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from aebook.classroom import QUICK_PARAMETERS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

SECTIONS = ["Overview", "Prerequisites", "Imports", "Summary", "What next"]
# A call of a validator of aebook.params (check_...) or of the results loader of the evaluation chapter.
VALIDATION_CALL = re.compile(r"\b(check_\w+|load_results)\(")


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def ids(paths):
    return [p.stem for p in paths]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


def test_every_notebook_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    assert {f"notebooks/{p.stem}" for p in NOTEBOOKS} <= files


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_follows_the_book_shape(path):
    nb = load(path)
    headings = [line[3:].strip() for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    positions = [headings.index(s) if s in headings else -1 for s in SECTIONS]
    assert -1 not in positions, f"missing sections: {[s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]}"
    assert positions == sorted(positions), f"sections out of order: {headings}"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_has_one_parameters_cell_that_is_validated(path):
    nb = load(path)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    following = next(c for c in nb.cells[tagged[0] + 1:] if c.cell_type == "code")
    assert VALIDATION_CALL.search(following.source), "the cell after the parameters validates them"


def _parameters_and_validation_cells(nb: nbformat.NotebookNode) -> tuple[str, str]:
    tagged = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    following = next(c for c in nb.cells[tagged + 1:] if c.cell_type == "code")
    return nb.cells[tagged].source, following.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_quick_parameters_are_parameters_of_the_notebook(path):
    assert path.stem in QUICK_PARAMETERS, f"add quick parameters for {path.stem} to aebook/classroom.py"
    parameters, _ = _parameters_and_validation_cells(load(path))
    names = {t.id for node in ast.parse(parameters).body if isinstance(node, (ast.Assign, ast.AnnAssign))
             for t in getattr(node, "targets", [getattr(node, "target", None)]) if isinstance(t, ast.Name)}
    assert set(QUICK_PARAMETERS[path.stem]) <= names, \
        f"quick parameters not in the parameters cell: {sorted(set(QUICK_PARAMETERS[path.stem]) - names)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_validation_cell_applies_quick_mode_before_checking(path):
    _, validation = _parameters_and_validation_cells(load(path))
    call = f'apply_quick_mode("{path.stem}", globals())'
    assert call in validation, f"the validation cell should call {call}"
    assert validation.index(call) < VALIDATION_CALL.search(validation).start(), "quick values are checked too"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_committed_outputs_are_clean(path):
    nb = load(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "every code cell is executed"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "executed top to bottom in one run"
    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], f"error output in cell: {c.source[:60]}"
    text = json.dumps(nb)
    assert not re.search(r"/(work|root|tmp|home)/\w", text), "a machine path appears in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_ignored_outputs_say_why(path):
    for c in load(path).cells:
        lines = c.source.splitlines()
        if "# NBVAL_IGNORE_OUTPUT" in lines:
            i = lines.index("# NBVAL_IGNORE_OUTPUT")
            assert i + 1 < len(lines) and lines[i + 1].startswith("# Output varies: "), \
                f"NBVAL_IGNORE_OUTPUT without a '# Output varies: <reason>' line: {c.source[:60]}"


# Every chapter runs in quick mode (AEBOOK_QUICK=1, through papermill) in
# tests/test_shared_cluster.py, against a two-node cluster and against a cluster that
# cannot see the project's files; nbval runs every chapter's defaults on a local H2O.


@pytest.mark.slow
def test_an_invalid_parameter_stops_the_notebook_with_a_clear_error(tmp_path):
    path = ROOT / "notebooks" / "00_check_setup.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"), parameters={"epochs": -1},
                                   cwd=str(path.parent), kernel_name="python3", progress_bar=False)
    assert error.value.ename == "ParameterError"
    assert error.value.evalue == "invalid parameter epochs=-1: expected a number of epochs above 0 and at most 1000"


# --- One format that reads right in the book, in JupyterLab and in plain renderers ----
# MyST-only syntax shows as raw text in JupyterLab, Colab, GitHub and VS Code.
MYST_ONLY = re.compile(r"\{(glue|cite|ref|doc|numref|eval|exercise|solution)[:}]|^:::|^```\{|^\(\S+\)=$", re.M)


def markdown_of(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_markdown_has_no_myst_only_syntax(path):
    found = [m.group(0) for m in MYST_ONLY.finditer(markdown_of(load(path)))]
    assert not found, f"MyST-only syntax, raw text outside the book: {found[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_link_points_into_the_page(path):
    """JupyterLab and nbconvert name a heading's anchor "Going-further", GitHub and the
    book "going-further": a link to "#..." works in some of them only, so sections are
    named in words."""
    text = "\n".join(c.source for c in load(path).cells)  # Markdown and prose cells
    found = re.findall(r"\]\(#[^)]*\)", text)
    assert not found, f"in-page links, broken in some renderers: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_computed_prose_cells_show_only_their_output(path):
    for c in load(path).cells:
        if c.cell_type == "code" and "\nprose(" in f"\n{c.source}":
            assert c.metadata.get("jupyter", {}).get("source_hidden"), "collapsed in JupyterLab"
            assert "remove-input" in c.metadata.get("tags", []), "input removed in the book"
            shown = [o for o in c.outputs if "text/markdown" in o.get("data", {})]
            assert len(shown) == 1, f"a prose cell prints its paragraph once: {c.source[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_the_parameter_check_is_one_collapsed_cell(path):
    nb = load(path)
    tagged = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    check = next(c for c in nb.cells[tagged + 1:] if c.cell_type == "code")
    assert check.metadata.get("jupyter", {}).get("source_hidden"), "collapsed in JupyterLab"
    assert "hide-input" in check.metadata.get("tags", []), "behind a toggle in the book"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_exercise_has_a_closed_solution(path):
    from notebook_solutions import EXERCISE, SUMMARY, solution_cells

    nb = load(path)
    exercises = [int(n) for n in EXERCISE.findall(markdown_of(nb))]
    assert exercises == list(range(1, len(exercises) + 1)) and exercises, "exercises numbered 1, 2, ..."
    solutions = [nb.cells[i].source for i in solution_cells(nb)]
    assert [int(SUMMARY.search(s).group(1)) for s in solutions] == exercises, "one solution per exercise"
    for s in solutions:
        assert s.startswith("<details>\n") and s.rstrip().endswith("</details>"), "the whole solution is closed"
        assert "<details open" not in s
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not [s for s in code if s.lstrip().startswith("# Solution")], "a solution's code is in its <details>"


# --- One reading order ----------------------------------------------------------------
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


def section(nb: nbformat.NotebookNode, heading: str) -> str:
    text = markdown_of(nb)
    start = text.index(f"## {heading}") + len(heading) + 3
    end = text.find("\n## ", start)
    return text[start:] if end < 0 else text[start:end]


def test_file_numbers_follow_the_table_of_contents():
    chapters = [f for f in toc_files() if f.startswith("notebooks/")]
    assert chapters == [f"notebooks/{p.stem}" for p in NOTEBOOKS], "file numbers = reading order"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_what_next_links_the_next_page_of_the_contents(path):
    files = toc_files()
    following = files[files.index(f"notebooks/{path.stem}") + 1]
    links = LINK.findall(section(load(path), "What next"))
    assert links, "What next links the next chapter"
    target = (path.parent / links[0][0]).resolve().relative_to(ROOT).with_suffix("")
    assert target.as_posix() == following, f"What next should first link {following}, not {target}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_prerequisites_are_earlier_chapters(path):
    earlier = {p.name for p in NOTEBOOKS if p.name < path.name}
    linked = {t for t, _ in LINK.findall(section(load(path), "Prerequisites")) if t.endswith(".ipynb")}
    assert linked <= earlier, f"a prerequisite comes later in the book: {sorted(linked - earlier)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_chapters_are_named_by_title_not_number(path):
    found = re.findall(r"\b[Cc]hapters? \d+\b", markdown_of(load(path)))
    assert not found, f"refer to a chapter by its title and a link: {found}"


def test_the_introduction_lists_every_part():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    intro = (ROOT / "book" / "intro.md").read_text()
    missing = [p["caption"] for p in toc["parts"] if f"**{p['caption']}**" not in intro]
    assert not missing, f"the introduction's list of parts leaves out {missing}"
