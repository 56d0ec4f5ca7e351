# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# `make test` runs the linters, mypy and the quick test selection; `make test-all` (what CI runs) the
# same linters and then every test (browser, remote servers, slow, larger Hypothesis budgets).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STORE ?= var/store
export SPECIALEKATALOG_STORE ?= $(STORE)

.PHONY: run report test test-all test-load install editor lint audit clean

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
	$(MAKE) --no-print-directory report
	$(BIN)/specialekatalog competence demo --if-empty
	$(BIN)/specialekatalog serve

# The compliance report of the store; its folder is made here, wherever SPECIALEKATALOG_STORE is.
REPORT ?= var/last-check.txt
report:
	@mkdir -p $(dir $(REPORT))
	@# Exit 1 only means some provider does not conform; 2 is a real error.
	$(BIN)/specialekatalog check --all --format text > $(REPORT) || [ $$? -eq 1 ]
	@echo "compliance report: $(REPORT)"

LINTED := catalogue webapp tests benchmarks

lint: install
	$(BIN)/python -m ruff check $(LINTED)
	$(BIN)/python -m ruff format --check $(LINTED)
	$(BIN)/python -m mypy

# Security checks (RELIABILITY.md): bandit over the code, where a finding of medium or high severity
# fails (the low ones are explained in RELIABILITY.md), and pip-audit over the installed packages.
audit: install
	$(BIN)/bandit -q -r catalogue webapp --severity-level medium --confidence-level medium
	$(BIN)/pip-audit --local --skip-editable --progress-spinner off
	@# A package pip-audit could not look up (no route to its database) is not a clean bill: say so.
	@$(BIN)/pip-audit --local --skip-editable --progress-spinner off --strict >/dev/null 2>&1 || { echo "pip-audit: NOT AUDITED: its database did not answer for every package (RELIABILITY.md)"; [ "$(AUDIT_REQUIRED)" != 1 ]; }

# The quick selection leaves out the tests marked slow or browser (markers in pyproject.toml) and the
# import tests' runs against the Oxigraph server (the same cases as their embedded runs; the store,
# export, backup and SPARQL tests still use the server). A plain `pytest` runs everything.
# pytest's exit 5 (no test selected) is not a failure. Only the browser tests need the editor bundle.
# pytest-xdist runs the quick tests in one worker per core (-n auto): the same 220 CPU-seconds in about
# half the time on 2 cores (workers balanced at 110-113 s each, 3 % overhead).
QUICK := -m "not slow and not browser" -k "not (test_import and remote)"
test: lint
	$(BIN)/python -m pytest -n auto $(QUICK) || [ $$? -eq 5 ]

# Every test, with the thorough Hypothesis profile (larger budgets, tests/conftest.py).
# The three-process nginx tests run in a pytest process of their own: inside the whole run the
# kill-in-turn test met bursts of 502s in three CI rehearsals (alone it passed every time, also under
# two CPU burners); the cause is not found yet (see the issue 15 note). So does the fairness load
# test, whose server runs in the pytest process: inside the whole run 2 of 100 small queries waited
# out their 3 s once (a CI rehearsal of session 7; it passed in the earlier ones).
ISOLATED := tests/test_multiprocess.py tests/test_sparql_fairness.py
test-all: lint audit editor
	$(BIN)/python -m pytest --hypothesis-profile=thorough $(addprefix --ignore=,$(ISOLATED)) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest $(ISOLATED)
	$(MAKE) --no-print-directory test-load

# The load run of RELIABILITY.md, short (100 providers, 30 s phases, about 4 minutes on 2 cores; its
# store is kept in var/); the headline run is `benchmarks/load.py --providers 10000`. CI decides by the
# counted criteria only (errors, small queries answered, server alive); the timed ones are printed.
test-load: install
	$(BIN)/python benchmarks/load.py --providers 100 --seconds 30 --counted-only

clean:
	rm -rf $(VENV) var build dist $(EDITOR_OUT)
