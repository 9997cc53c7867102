"""Build the book as ``make book`` does, and check the HTML.

``make book`` renders the outputs committed with each notebook instead of executing the
notebooks a second time: nbval (``make test``) re-executes every notebook and checks
those outputs against a fresh run. The fixture runs the Makefile's own recipe, so this
is the build a newcomer gets; ``make book EXECUTE=1`` executes the notebooks first,
which a small book here checks (the chapters themselves are executed by nbval).

The static check follows every internal link and image; headless Chromium then loads
every page, checks that every image has loaded, and saves a screenshot of each page
under ``_build/screenshots/`` for a person to look at, and checks at a 1280-pixel
window that no code line is cut off (its block would scroll sideways).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml
from browser import CHROMIUM, CHROMIUM_ARGS, prose_numbers, raw_syntax_in
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
BIN = Path(sys.executable).parent
BUILD_TIMEOUT = 1200  # seconds; the build renders and executes only the pages that ask for it
EXECUTED = re.compile(r"^(\S+): Executed notebook in", re.MULTILINE)
# what a build must not inherit from the shell: the switches of the other builds
SWITCHES = ("AEBOOK_QUICK", "QUICK", "EXECUTE")

pytestmark = pytest.mark.slow


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


def forced_pages() -> set[str]:
    """The pages that ask to be executed at every build (``mystnb: execution_mode: force``)."""
    forced = set()
    for name in toc_pages():
        source = next(p for p in (ROOT / f"{name}.md", ROOT / f"{name}.ipynb") if p.is_file())
        if source.suffix == ".ipynb":
            metadata = nbformat.read(source, as_version=4).metadata
        else:
            text = source.read_text(encoding="utf-8")
            metadata = yaml.safe_load(text.split("---\n")[1]) if text.startswith("---\n") else {}
        if (metadata.get("mystnb") or {}).get("execution_mode") == "force":
            forced.add(str(source.relative_to(ROOT)))
    return forced


def build_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in SWITCHES}


@pytest.fixture(scope="module")
def build_log() -> str:
    """``make book``'s recipe (the packages and data taken as installed, ``-o``), with this
    interpreter's environment as ``BIN``: warnings are errors. From a clean build, as in a fresh
    clone (the rest of ``_build``, such as the screenshots, stays). Its output."""
    for name in ("html", ".doctrees", "jupyter_execute"):  # what make book writes
        shutil.rmtree(ROOT / "_build" / name, ignore_errors=True)
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "-o", "data", "book", f"BIN={BIN}", "EXECUTE=", "QUICK="],
        capture_output=True, text=True, cwd=ROOT, env=build_env(), timeout=BUILD_TIMEOUT,
    )
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def book(build_log) -> Path:
    return HTML


def test_make_book_executes_no_chapter_only_the_pages_that_ask_for_it(build_log):
    executed = {str(Path(p).relative_to(ROOT)) if Path(p).is_absolute() else p
                for p in EXECUTED.findall(re.sub(r"\x1b\[[0-9;]*m", "", build_log))}
    assert executed == forced_pages()
    assert "make book EXECUTE=1 executes them first" in build_log  # it says how to execute them


def test_the_prose_each_chapter_computed_shows_on_its_page(book):
    """The computed paragraphs (``aebook.glue.prose``) come from the committed outputs."""
    problems = []
    for name in [p for p in toc_pages() if p.startswith("notebooks/")]:
        numbers = prose_numbers(ROOT / f"{name}.ipynb")
        text = text_of(book / f"{name}.html")
        missing = sorted({n for n in numbers if n not in text})
        if missing:
            problems.append(f"{name}: computed numbers of the prose not on the page: {missing[:10]}")
    assert not problems, "\n".join(problems)


def text_of(page: Path) -> str:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("main").get_text()


def small_book(folder: Path) -> Path:
    """A book of one notebook without outputs (it prints 6 * 7), with the real book's ``execute:``."""
    real = yaml.safe_load((ROOT / "_config.yml").read_text())
    folder.mkdir()
    config = {"title": "Small", "only_build_toc_files": True, "execute": real["execute"],
              "exclude_patterns": ["_build"]}
    (folder / "_config.yml").write_text(yaml.safe_dump(config))
    (folder / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": "intro",
                                                     "chapters": [{"file": "sums"}]}))
    (folder / "intro.md").write_text("# Small\n\nOne notebook.\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Sums"),
                                         nbformat.v4.new_code_cell("print(6 * 7, 'apples')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "sums.ipynb")
    return folder


def test_the_book_config_renders_committed_outputs_and_execute_1_executes_every_notebook(tmp_path):
    """The two routes of ``make book`` on a small book with the real ``execute:`` settings."""
    book = small_book(tmp_path / "book")
    jupyter_book = [str(BIN / "jupyter-book"), "build", str(book), "--warningiserror"]
    rendered = subprocess.run(jupyter_book, capture_output=True, text=True, env=build_env(), timeout=600)
    assert rendered.returncode == 0, rendered.stdout[-4000:]
    page = text_of(book / "_build" / "html" / "sums.html")
    assert "6 * 7" in page and "42 apples" not in page  # the notebook has no outputs to render
    assert not (book / "_build" / ".jupyter_cache").exists()

    executing = book / "_build" / "execute" / "_config.yml"
    written = subprocess.run([sys.executable, "-m", "aebook.execute_config", "--execute-config", str(executing),
                              "--config", str(book / "_config.yml")], capture_output=True, text=True, timeout=60)
    assert written.returncode == 0, written.stderr
    executed = subprocess.run([*jupyter_book, "--config", str(executing)], capture_output=True, text=True,
                              env=build_env(), timeout=600)
    assert executed.returncode == 0, executed.stdout[-4000:]
    assert "42 apples" in text_of(book / "_build" / "html" / "sums.html")
    assert (book / "_build" / ".jupyter_cache").is_dir()  # the cache _config.yml names, in the book's folder


def test_every_chapter_has_a_page(book):
    missing = [p for p in toc_pages() if not (book / f"{p}.html").is_file()]
    assert not missing


def _local_targets(page: Path, soup: BeautifulSoup):
    for tag, attr in (("a", "href"), ("img", "src")):
        for element in soup.find_all(tag):
            ref = element.get(attr)
            if not ref or ref.startswith(("http:", "https:", "mailto:", "data:", "javascript:")):
                continue
            parts = urlsplit(ref)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            yield ref, target, parts.fragment


def test_no_internal_link_or_image_is_broken(book):
    broken = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(book.rglob("*.html")):
        if "_static" in page.parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for ref, target, fragment in _local_targets(page, soup):
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(book)}: {ref} (no such file)")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids:
                    target_soup = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
                    ids[target] = {e["id"] for e in target_soup.find_all(id=True)}
                if fragment not in ids[target]:
                    broken.append(f"{page.relative_to(book)}: {ref} (no anchor #{fragment})")
    assert not broken, "\n".join(broken)


def test_notebook_pages_carry_download_and_launch_links_from_the_configured_repository(book):
    import nbformat

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].rstrip("/")
    owner_name = repo.removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    binder = config["launch_buttons"]["binderhub_url"].rstrip("/")
    colab = config["launch_buttons"]["colab_url"].rstrip("/")
    problems = []
    for name in [p for p in toc_pages() if p.startswith("notebooks/")]:
        page = book / f"{name}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = {a["href"] for a in soup.find_all("a", href=True)}
        expected = {
            "Binder": f"{binder}/v2/gh/{owner_name}/{branch}?urlpath=lab/tree/{name}.ipynb",
            "Colab": f"{colab}/github/{owner_name}/blob/{branch}/{name}.ipynb",
            "repository": repo,
        }
        problems += [f"{name}: no {what} link {url}" for what, url in expected.items() if url not in links]
        launch = [h for h in links if h.startswith((binder, colab))]
        problems += [f"{name}: launch link {h} not built from {repo}" for h in launch if owner_name not in h]
        downloads = [h for h in links if h.endswith(f"_sources/{name}.ipynb")]
        if not downloads:
            problems.append(f"{name}: no download link for {name}.ipynb")
            continue
        target = (page.parent / downloads[0]).resolve()
        source = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
        if not target.is_file() or len(nbformat.read(target, as_version=4).cells) != len(source.cells):
            problems.append(f"{name}: the download link {downloads[0]} does not give the chapter's notebook")
    for name in [p for p in toc_pages() if not p.startswith("notebooks/")]:  # Colab cannot open .md pages
        soup = BeautifulSoup((book / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        problems += [f"{name}: launch link {a['href']} on a page that is not a notebook"
                     for a in soup.find_all("a", href=True) if a["href"].startswith((binder, colab))]
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def server(book):
    handler = functools.partial(_QuietHandler, directory=str(book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# The code lines that do not fit their block at the window's width (the block scrolls
# sideways): hidden cells are opened and every tab of a tab set is shown in turn, so
# that each code block is measured where the reader sees it. Outputs may scroll.
CUT_OFF_CODE_LINES = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const cut = new Set();
  const measure = () => document.querySelectorAll('div.highlight pre').forEach(pre => {
    if (pre.closest('.cell_output') || pre.offsetParent === null) return;
    if (pre.scrollWidth > pre.clientWidth + 1) {
      const longest = pre.textContent.split('\\n')
        .reduce((a, b) => (b.length > a.length ? b : a), '');
      cut.add(`${longest.length} characters: ${longest.trim().slice(0, 50)}`);
    }
  });
  measure();
  document.querySelectorAll('.sd-tab-set > input').forEach(tab => {
    tab.checked = true;
    measure();
  });
  return [...cut];
}"""


def reads_as_prose(page) -> list[str]:
    """What a reader would see of raw MyST syntax, or of an open solution, on ``page``."""
    text = page.evaluate("document.querySelector('main').innerText")
    problems = raw_syntax_in(text)
    opened = page.evaluate("[...document.querySelectorAll('main details')]"
                           ".filter(d => d.open).map(d => d.innerText.slice(0, 40))")
    return problems + [f"a solution is open: {s}" for s in opened]


def test_every_page_loads_in_chromium_with_all_images(server):
    from playwright.sync_api import sync_playwright

    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name in toc_pages():
            response = page.goto(f"{server}/{name}.html", wait_until="load")
            if response is None or response.status != 200:
                problems.append(f"{name}: HTTP {response.status if response else 'no response'}")
                continue
            not_loaded = page.evaluate(
                "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
            )
            problems += [f"{name}: image did not load: {src}" for src in not_loaded]
            if not page.title():
                problems.append(f"{name}: page has no title")
            problems += [f"{name}: {problem}" for problem in reads_as_prose(page)]
            problems += [f"{name}: a code line is cut off at 1280 px: {line}"
                         for line in page.evaluate(CUT_OFF_CODE_LINES)]
            page.screenshot(path=str(shots / f"{Path(name).name}.png"), full_page=True)
        browser.close()
    assert not problems, "\n".join(problems)
