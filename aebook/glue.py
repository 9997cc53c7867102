"""``glue``: a value computed in a notebook, shown in its prose (``{glue:text}`name```).

The same output as ``myst_nb.glue`` (Jupyter Book reads it back when it builds the
page), written with IPython alone: importing ``myst_nb``'s glue machinery pulls in
nbformat and jsonschema and costs seconds in every chapter that glues a value, a
real share of a classroom quick run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GLUE_PREFIX", "glue"]

GLUE_PREFIX = "application/papermill.record/"  # myst-nb's prefix for hidden values


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the book's text; show it too if ``display``.

    Unlike ``myst_nb.glue`` the default is not to show the value: the prose shows it.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)
