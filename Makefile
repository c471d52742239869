# The two commands a new user needs:  make demo   and   make test
# Both create the virtual environment .venv on first use (pinned versions from constraints.txt).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint check-defs format ui docs benchmark clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the project with its pinned dependencies

demo: setup  ## generate a demo source and run the whole pipeline on it
	$(BIN)/jobbtorg demo

test: setup lint check-defs  ## lint, load every definition with dg, then the whole test suite (what CI runs)
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-defs: setup  ## dg check defs: every asset, check, job, schedule and sensor loads, as in the UI and the daemon
	VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/dg check defs

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

ui: setup  ## the Dagster UI on http://127.0.0.1:3000, on the same instance as the CLI
	$(BIN)/jobbtorg ui

docs: setup  ## regenerate docs/data-dictionary.md and docs/just-rules.md from the code
	$(BIN)/jobbtorg docs

benchmark: setup  ## the scale benchmark of docs/benchmarks.md: floor, full and nightly refresh at 10k, 100k and 1M persons (10k and 100k take about 5 minutes on 2 cores)
	$(BIN)/python benchmarks/run_benchmark.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
