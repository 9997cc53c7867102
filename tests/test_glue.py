"""aebook.glue: recorded values fill the prose; LaTeX braces stay; a missing name is an error."""

from __future__ import annotations

import IPython.display
import pytest

from aebook import glue as glue_module
from aebook.glue import fill, glue, prose


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(glue_module, "_OUTSIDE_IPYTHON", {})


def test_recorded_values_fill_their_placeholders():
    glue("units", 50)
    glue("share", "76%")
    assert fill("(this run: {units} units; {share} of the targets)") == \
        "(this run: 50 units; 76% of the targets)"


def test_latex_braces_and_subscripts_are_not_placeholders():
    glue("n", "3")
    text = r"$\sqrt{\text{error}} \approx x_{n}^{n}$ with {n} rows and \frac{a}{b}"
    assert fill(text) == r"$\sqrt{\text{error}} \approx x_{n}^{n}$ with 3 rows and \frac{a}{b}"


def test_a_placeholder_without_a_value_is_an_error():
    with pytest.raises(KeyError, match="no value recorded for missing"):
        fill("{missing} digits")


def test_a_name_must_be_an_identifier():
    with pytest.raises(ValueError, match="Python identifier"):
        glue("two words", 1)


def test_prose_displays_markdown(monkeypatch):
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    glue("k", "25")
    prose("""
        The {k} worst digits.
    """)
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.Markdown)
    assert shown[0].data == "The 25 worst digits."


def test_soft_line_breaks_are_joined_so_wrapping_does_not_change_the_output():
    glue("n", "7")
    narrow = "A paragraph with\n{n} digits.\n\n- an item that\n  goes on\n- another\n\n$$\na\nb\n$$"
    wide = "A paragraph with {n}\ndigits.\n\n- an item\n  that goes on\n- another\n\n$$\na\nb\n$$"
    assert fill(narrow) == fill(wide) == \
        "A paragraph with 7 digits.\n\n- an item that goes on\n- another\n\n$$\na\nb\n$$"
