# Two commands: `make run` serves the dashboard, `make test` runs every test (browser tests included).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
KCSP_DATA_DIR ?= data/store
export KCSP_DATA_DIR
AXE_VERSION := 4.14.1
AXE := tests/.axe/node_modules/axe-core/axe.min.js

.PHONY: setup dev store run test test-quick test-unit lint browser-deps proxy-deps axe benchmark open-data clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

dev: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

store: setup
	@if [ ! -f "$(KCSP_DATA_DIR)/observations.parquet" ]; then \
		echo "building the default store in $(KCSP_DATA_DIR)"; \
		$(PY) -m kcsp build-demo --out "$(KCSP_DATA_DIR)"; \
	fi

run: store
	$(VENV)/bin/gunicorn app:server --bind $(HOST):$(PORT)

browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftotext >/dev/null; then \
		echo "installing Debian chromium, chromium-driver and poppler-utils (pdftotext, for the meeting-pack test)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; \
	fi

# Debian's nginx, for the tests that run deploy/nginx.conf in front of gunicorn (tests/test_slow_clients.py).
proxy-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		echo "installing Debian nginx (the slow-client tests run deploy/nginx.conf in front of gunicorn)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; \
	fi

axe: $(AXE)

$(AXE):
	npm install --no-save --no-audit --no-fund --prefix tests/.axe axe-core@$(AXE_VERSION)

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: dev browser-deps proxy-deps axe lint
	$(VENV)/bin/pytest -q --headless --durations=25 tests

# Every test but the slow soak, concurrency and PDF ones (marked slow), for a quicker check while working.
test-quick: dev browser-deps axe lint
	$(VENV)/bin/pytest -q --headless -m "not slow" tests

# The fast tests only: no browser tests (tests/browser), none marked slow; installs no apt or npm package.
test-unit: dev
	$(VENV)/bin/pytest -q -m "not slow" --ignore=tests/browser tests

# Re-convert the ONS / MHCLG files in ../shared/data into the small tables shipped in the partnership's
# folder (PARTNERSHIP=data/partnerships/kent by default; open-data/, and boundaries.geojson if it has none)
# and the national deaths in data/ons/.
PARTNERSHIP ?= data/partnerships/kent
open-data: setup
	$(PY) -m kcsp convert-open-data --partnership $(PARTNERSHIP)

benchmark: dev browser-deps
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/.axe
