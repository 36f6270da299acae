# `make demo`: set up .venv, install Tidings, process the bundled examples, show the result.
# `make test`: set up .venv with the dev extras and run the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= tidings.duckdb

.PHONY: demo test install dev bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.installed
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev

demo: $(VENV)/.installed
	$(BIN)/tidings add --db $(DB) examples/
	$(BIN)/tidings stories --db $(DB)
	$(BIN)/tidings events --db $(DB)
	@echo
	@echo "To look at it in a browser: $(BIN)/tidings serve --db $(DB)   then open http://127.0.0.1:8000/"

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download is not used). Installed once, as root, when it is missing; quiet when present.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "the browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; \
	  fi; \
	fi

# pytest exits 5 when it collected nothing: that is a failure, not a pass.
test: $(VENV)/.dev chromium
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

bench: $(VENV)/.installed
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info $(DB)
