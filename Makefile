# storytrace: one-command set-up. `make demo` runs the main job; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SEEDS := $(wildcard ../shared/seeds/*.txt)
ifeq ($(SEEDS),)
SEEDS := $(wildcard examples/seeds/*.txt)
endif

.PHONY: install demo test lint bench clean browser

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/storytrace analyze $(SEEDS) --format text

# Browser tests drive Debian's Chromium; install it when missing and we may (root, apt-get present).
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "warning: could not install chromium; browser tests will be skipped"; fi

# ruff (lint) and mypy (strict on the stage packages) run before the tests: a type or lint error fails CI.
lint: install
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/mypy

test: install browser lint
	$(PY) -m pytest -q -n 2 --dist loadgroup --durations=15

bench: install
	$(VENV)/bin/storytrace bench

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
