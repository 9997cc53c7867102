# make book  - install everything, fetch the data, execute the notebooks, build the HTML book
# make test  - the whole test suite (unit tests, nbval, papermill, book build, Chromium check)
# Offline? Point the data fetcher at a local copy: make book AEBOOK_DATA_MIRROR=/path/to/data

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export AEBOOK_DATA_MIRROR

PYTEST_NBVAL := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

.PHONY: book test install system data benchmark clean

book: install data
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "The book is in _build/html: open _build/html/index.html in a browser."

test: install data
	bash scripts/install-system-deps.sh --with-chromium
	$(BIN)/python -m pytest -n 2 --dist loadscope tests notebooks $(PYTEST_NBVAL)

install: system $(VENV)/.installed

system:
	bash scripts/install-system-deps.sh

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

data: install
	$(BIN)/python -m aebook

benchmark: install data
	$(BIN)/python benchmarks/one_class_mnist.py

clean:
	rm -rf _build data/prepared
