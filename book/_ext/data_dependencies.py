"""Rebuild a page when a file it reads changes.

Sphinx re-reads a page only when its source changes. A page that shows what another
file holds (the teacher's page reads ``benchmarks/results/quick_book.json``; the
troubleshooting page prints the helpers' messages) lists the files in
``data_dependencies`` (page name -> paths relative to the book's root) in
``_config.yml``; Sphinx then re-reads it when a file is newer than the last build.
Such a page also sets ``mystnb: execution_mode: force`` in its front matter, because
jupyter-cache keys a notebook by its code alone and would replay the old outputs.
"""

from __future__ import annotations

from pathlib import Path


def _note(app, docname: str, source: list[str]) -> None:
    for path in app.config.data_dependencies.get(docname, []):
        if not (Path(app.srcdir) / path).is_file():
            raise FileNotFoundError(f"{docname}: data dependency {path} does not exist")
        app.env.note_dependency(path)


def setup(app):
    app.add_config_value("data_dependencies", {}, "env")
    app.connect("source-read", _note)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
