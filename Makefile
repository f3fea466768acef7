# lunadc: every set-up step lives here, so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha256(open('pyproject.toml','rb').read()).hexdigest()[:12])")
# The PostgreSQL half of the catalog tests; unset it (LUNADC_TEST_POSTGRES=) to skip them.
LUNADC_TEST_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/test
export LUNADC_TEST_POSTGRES
PYTEST_WORKERS ?= 2

.PHONY: install demo test lint bench bench-tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) web browser

demo: install
	$(BIN)/python -m lunadc.demo

lint: install
	$(BIN)/ruff check lunadc tests bench
	$(BIN)/ruff format --check lunadc tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

bench: install bench-tools
	$(BIN)/python bench/run_all.py

# The benchmarks' load generator (wrk) and the replication anchor (an rsync daemon).
bench-tools:
	(command -v wrk && command -v rsync) >/dev/null || (apt-get update && apt-get install -y wrk rsync)

clean:
	rm -rf demo-node demo-data bench/results/tmp .pytest_cache .mypy_cache .ruff_cache

# The web UI: bundle the front-end (npm ci + esbuild, into the git-ignored static/build/)
# and compile the translations (.po -> .mo) with Babel.
WEB_BUILD := lunadc/web/static/build/.stamp
$(WEB_BUILD): frontend/package.json frontend/package-lock.json frontend/build.mjs $(wildcard frontend/src/*)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
	touch $@

web: $(WEB_BUILD) | $(STAMP)
	$(BIN)/pybabel compile -d lunadc/web/i18n -D messages --statistics

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool), and a
# CJK font so the Chinese pages render in screenshots.
browser:
	(test -x /usr/bin/chromium && dpkg -s fonts-wqy-zenhei >/dev/null 2>&1) || \
		(apt-get update && apt-get install -y chromium fonts-wqy-zenhei)

.PHONY: web browser
