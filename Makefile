# make book  - install everything, fetch the data, build the HTML book from the outputs committed
#              with the notebooks (make test re-executes every notebook and checks them, nbval)
# make book EXECUTE=1 - the same, but execute every notebook first (through the execution cache
#              _build/.jupyter_cache, so a second run re-executes only the notebooks that changed)
# make test  - lint, then the whole test suite (unit tests, nbval, papermill, book build, Chromium check)
# make test-fast - the tests not marked slow or h2o (no notebooks, no book build)
# make compare - add Keras 3 and JAX (requirements-compare.txt), for the Keras-vs-H2O benchmark and its test
# make lint  - ruff over the package, tests, benchmarks and notebooks (pyproject.toml, notebooks/ruff.toml)
# make book QUICK=1 - the classroom quick mode: every chapter with its quick parameters
#              (aebook/classroom.py), built into _build/quick/ with its own execution cache,
#              every chapter connected to one H2O and one object store (aebook/build_cluster.py),
#              executed several at a time (one worker more than cores), each worker keeping
#              one kernel that is reset between chapters (aebook/book_execution.py), then rendered
# Offline? Point the data fetcher at a local copy: make book AEBOOK_DATA_MIRROR=/path/to/data

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export AEBOOK_DATA_MIRROR
# QUICK=1 (or AEBOOK_QUICK=1 in the environment) builds the quick book; the notebooks
# read AEBOOK_QUICK, so the full build always runs with it empty. Unset, empty or 0: full.
QUICK ?= $(AEBOOK_QUICK)
QUICK_DIR := _build/quick
# EXECUTE=1 executes every notebook before rendering it (aebook/execute_config.py writes the
# build's configuration); unset, empty or 0: the committed outputs are rendered.
EXECUTE ?=
EXECUTE_DIR := _build/execute
ifneq ($(filter-out 0 1,$(strip $(EXECUTE))),)
$(error EXECUTE=$(EXECUTE) is not valid: set it to 1 to execute every notebook before building the book, or to 0 (or leave it unset) to render the committed outputs)
endif

PYTEST_NBVAL := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

.PHONY: book test test-fast lint install compare system data benchmark clean

book: install data
ifeq ($(filter-out 0,$(strip $(QUICK))),)
ifeq ($(strip $(EXECUTE)),1)
	$(BIN)/python -m aebook.execute_config --execute-config $(EXECUTE_DIR)/_config.yml
	AEBOOK_QUICK= $(BIN)/jupyter-book build . --config $(EXECUTE_DIR)/_config.yml --warningiserror --keep-going
	@echo "The book, every notebook executed, is in _build/html: open _build/html/index.html in a browser."
else
	AEBOOK_QUICK= $(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "The book is in _build/html: open _build/html/index.html in a browser."
	@echo "It shows the outputs committed with the notebooks; make book EXECUTE=1 executes them first."
endif
else
	AEBOOK_QUICK=$(QUICK) $(BIN)/python -m aebook.quick_config --quick-config $(QUICK_DIR)/_config.yml
	AEBOOK_QUICK=$(QUICK) $(BIN)/python -m aebook.build_cluster --short-jobs -- sh -c '\
		$(BIN)/python -m aebook.book_execution --cache $(QUICK_DIR)/.jupyter_cache notebooks/*.ipynb && \
		$(BIN)/jupyter-book build . --config $(QUICK_DIR)/_config.yml \
		--path-output $(QUICK_DIR) --warningiserror --keep-going'
	@echo "The quick book is in $(QUICK_DIR)/_build/html: open $(QUICK_DIR)/_build/html/index.html in a browser."
endif

test: install compare data lint
	bash scripts/install-system-deps.sh --with-chromium
	$(BIN)/python -m pytest -n 2 --dist loadscope --durations=25 tests notebooks $(PYTEST_NBVAL)

test-fast: install data
	$(BIN)/python -m pytest -n 2 -m "not slow and not h2o" tests

lint: install
	$(BIN)/ruff check .

install: system $(VENV)/.installed

system:
	bash scripts/install-system-deps.sh

# The Keras original of the comparison (Keras 3 on JAX, several hundred MB): only for the
# tests and the benchmarks; the chapters read committed results.
compare: install $(VENV)/.installed-compare

$(VENV)/.installed-compare: requirements-compare.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-compare.txt
	touch $@

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

data: install
	$(BIN)/python -m aebook

# The one-class benchmarks: the validation search (training digits only), then the final
# table with the settings it chose, the detectors of the field against it, and the Keras
# original against H2O, all into benchmarks/out/ (the committed copies are
# benchmarks/results/). About an hour and a half on 2 cores.
benchmark: install compare data
	$(BIN)/python benchmarks/one_class_mnist_search.py --out benchmarks/out/one_class_mnist_search.json
	$(BIN)/python benchmarks/one_class_mnist.py --search benchmarks/out/one_class_mnist_search.json
	$(BIN)/python benchmarks/one_class_field.py --search benchmarks/out/one_class_mnist_search.json
	$(BIN)/python benchmarks/keras_vs_h2o.py

clean:
	rm -rf _build data/prepared data/raw/prepared
