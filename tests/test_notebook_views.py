"""Every chapter as readers see it outside the book: in JupyterLab and in a plain renderer.

JupyterLab (as ``make install`` sets it up) runs on localhost with its own settings and
runtime folders; headless Chromium opens every chapter there, and in the HTML of
``jupyter nbconvert --to html``, the stand-in for renderers that know no MyST (Colab,
GitHub, VS Code). On each page the visible text must hold no MyST role or directive,
every solution must sit in a closed ``<details>``, and every number that a prose cell
printed must be visible. Screenshots go to ``_build/screenshots/lab/`` and
``_build/screenshots/plain/``. (``tests/test_book.py`` checks the built book.)
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, prose_numbers, raw_syntax_in

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SHOTS = ROOT / "_build" / "screenshots"

pytestmark = pytest.mark.slow

# What the page shows: its visible text, and its <details> (open?, summary text).
PAGE_STATE = """root => {
  const el = document.querySelector(root);
  return {
    text: el.innerText,
    details: [...el.querySelectorAll('details')].map(d => ({
      open: d.open, summary: (d.querySelector('summary') || {}).innerText || ''})),
  };
}"""


def expected(path: Path) -> tuple[list[str], int]:
    """The numbers the prose cells printed, and the number of solutions in the notebook."""
    nb = nbformat.read(path, as_version=4)
    numbers = prose_numbers(path)
    solutions = sum("<summary>Solution" in c.source for c in nb.cells if c.cell_type == "markdown")
    return numbers, solutions


def problems_of(path: Path, state: dict) -> list[str]:
    numbers, solutions = expected(path)
    text = state["text"]
    problems = raw_syntax_in(text)
    problems += [f"a solution is open: {d['summary']}" for d in state["details"] if d["open"]]
    closed = [d for d in state["details"] if d["summary"].strip().startswith("Solution")]
    if len(closed) != solutions:
        problems.append(f"{len(closed)} closed solutions on the page, {solutions} in the notebook")
    missing = sorted({n for n in numbers if n not in text})
    if missing:
        problems.append(f"computed numbers of the prose not visible: {missing[:10]}")
    return problems


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(folder: Path) -> None:
    """Every cell in the page (no virtual scrolling) and no news pop-up."""
    settings = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
                "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                                "checkForUpdates": False}}
    for plugin, values in settings.items():
        target = folder / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on localhost with folders of its own; stopped at the end."""
    home = tmp_path_factory.mktemp("jupyterlab")
    _write_settings(home / "settings")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    port, token = _free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}", "--ServerApp.port_retries=0",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=(home / "server.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start:\n{(home / 'server.log').read_text()[-3000:]}") from None
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_chapter_reads_right_in_jupyterlab(path, jupyterlab, browser):
    url, token = jupyterlab
    cells = len(nbformat.read(path, as_version=4).cells)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{url}/lab/tree/notebooks/{path.name}?reset&token={token}", timeout=60_000)
        notebook = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
        page.wait_for_function(
            f"document.querySelectorAll('{notebook} > .jp-Cell, {notebook} .jp-Cell').length >= {cells}"
            f" && !!document.querySelector('{notebook} .jp-MarkdownCell .jp-RenderedMarkdown')",
            timeout=90_000)
        page.wait_for_timeout(1500)  # outputs and math finish rendering
        state = page.evaluate(PAGE_STATE, notebook)
        (SHOTS / "lab").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lab" / f"{path.stem}.png"))
        prose = page.query_selector(f"{notebook} .jp-RenderedMarkdown.jp-OutputArea-output")
        if prose:  # the first paragraph a code cell printed, where a reader scrolls to it
            prose.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "lab" / f"{path.stem}-prose.png"))
        solution = page.query_selector(f"{notebook} details")
        if solution:
            solution.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "lab" / f"{path.stem}-exercises.png"))
    finally:
        page.close()
    problems = problems_of(path, state)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def plain_html() -> Path:
    """Every chapter as ``jupyter nbconvert --to html`` renders it."""
    out = ROOT / "_build" / "plain"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(out),
                    *map(str, NOTEBOOKS)], check=True, capture_output=True, timeout=600)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_chapter_reads_right_in_a_plain_renderer(path, plain_html, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((plain_html / f"{path.stem}.html").as_uri(), wait_until="load", timeout=60_000)
        state = page.evaluate(PAGE_STATE, "body")
        (SHOTS / "plain").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "plain" / f"{path.stem}.png"), full_page=True)
    finally:
        page.close()
    problems = problems_of(path, state)
    assert not problems, "\n".join(problems)
