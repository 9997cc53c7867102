"""Launch buttons only on pages that are ``.ipynb`` notebooks.

sphinx-book-theme adds Binder and Colab buttons to every page that executes code,
including MyST Markdown pages (the teacher's and the troubleshooting pages). Colab
cannot open a ``.md`` file and Binder shows it as text, so this removes the launch
buttons from those pages; their download buttons stay.
"""

from __future__ import annotations


def _drop_launch_buttons(app, pagename, templatename, context, doctree) -> None:
    if context.get("page_source_suffix") == ".ipynb" or "header_buttons" not in context:
        return
    context["header_buttons"][:] = [b for b in context["header_buttons"] if b.get("label") != "launch-buttons"]


def setup(app):
    app.connect("html-page-context", _drop_launch_buttons, priority=900)  # after the theme's
    return {"parallel_read_safe": True, "parallel_write_safe": True}
