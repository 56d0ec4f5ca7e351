# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STORE ?= var/store
export SPECIALEKATALOG_STORE ?= $(STORE)

.PHONY: run test install editor lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The SPARQL editor's JavaScript (CodeMirror 6, sparqljs) from npm, bundled into webapp/static/editor/.
# node_modules stay in build/editor; nothing from npm is committed. /sparql works without it.
EDITOR_SRC := webapp/editor
EDITOR_BUILD := build/editor
EDITOR_OUT := webapp/static/editor
$(EDITOR_OUT)/editor.js: $(EDITOR_SRC)/package.json $(EDITOR_SRC)/package-lock.json $(wildcard $(EDITOR_SRC)/src/*)
	mkdir -p $(EDITOR_BUILD) $(EDITOR_OUT)
	cp $(EDITOR_SRC)/package.json $(EDITOR_SRC)/package-lock.json $(EDITOR_BUILD)/
	cd $(EDITOR_BUILD) && npm ci --no-audit --no-fund --loglevel=error
	NODE_PATH=$(EDITOR_BUILD)/node_modules $(EDITOR_BUILD)/node_modules/.bin/esbuild \
		$(EDITOR_SRC)/src/editor.js --bundle --minify --format=esm --target=es2020 \
		--log-level=warning --outfile=$(EDITOR_OUT)/editor.js
	cp $(EDITOR_SRC)/src/editor.css $(EDITOR_OUT)/editor.css

editor: $(EDITOR_OUT)/editor.js

run: install editor
	$(BIN)/specialekatalog load
	$(BIN)/specialekatalog demo --load --if-empty --providers 300 --seed 1
	@# Exit 1 only means some provider does not conform; 2 is a real error.
	$(BIN)/specialekatalog check --all --format text > var/last-check.txt || [ $$? -eq 1 ]
	@echo "compliance report: var/last-check.txt"
	$(BIN)/specialekatalog serve

test: install editor
	$(BIN)/python -m ruff check catalogue webapp tests benchmarks
	$(BIN)/python -m pytest

lint: install
	$(BIN)/python -m ruff check catalogue webapp tests benchmarks
	$(BIN)/python -m ruff format --check catalogue webapp tests benchmarks
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) var build dist $(EDITOR_OUT)
