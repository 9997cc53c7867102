"""aebook.glue writes exactly what myst_nb.glue writes (Jupyter Book reads it back)."""

from __future__ import annotations

import IPython.display
import pytest
from myst_nb.ext import glue as myst_glue

from aebook.glue import GLUE_PREFIX, glue


@pytest.mark.parametrize("value", [0.0123, 42, "8.0x", [1, 2]])
@pytest.mark.parametrize("display", [False, True])
def test_the_output_is_myst_nbs(monkeypatch, value, display):
    ours, theirs = [], []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: ours.append((a, k)))
    monkeypatch.setattr(myst_glue, "ipy_display", lambda *a, **k: theirs.append((a, k)))
    glue("name", value, display=display)
    myst_glue.glue("name", value, display=display)
    assert ours == theirs and len(ours) == 1
    bundle = ours[0][0][0]
    assert bundle and all(key.startswith("" if display else GLUE_PREFIX) for key in bundle)
    assert ours[0][1]["metadata"]["scrapbook"]["name"] == "name"
