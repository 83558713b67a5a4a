# Mostrador: `make run` serves the demo on embedded defaults; `make test` runs everything.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
MOSTRADOR_PORT ?= 8000
export MOSTRADOR_PORT

.PHONY: run test lint install install-test clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/mostrador seed-demo
	$(BIN)/mostrador serve

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install-test lint
	$(BIN)/python scripts/run_tests.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
