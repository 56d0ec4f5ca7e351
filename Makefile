# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STORE ?= var/store
export SPECIALEKATALOG_STORE ?= $(STORE)

.PHONY: run test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/specialekatalog load
	$(BIN)/specialekatalog serve

test: install
	$(BIN)/python -m ruff check catalogue webapp tests benchmarks
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m ruff check catalogue webapp tests benchmarks
	$(BIN)/python -m ruff format --check catalogue webapp tests benchmarks
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) var build dist
