# leadpipe: the two commands of the README, plus helpers for development.
# `make demo` installs everything into .venv and runs the nightly flow on bundled demo data;
# `make test` installs everything and runs the test suite (CI runs exactly this).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 90

.PHONY: install browser demo test lint bench clean lock

PIP_VERSION := 26.3

# Installs are pinned: constraints.txt holds the versions the test suite ran with, so a new
# release on PyPI (DuckDB 2 → 3, say) cannot change a fresh install under us.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip==$(PIP_VERSION)'
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) browser

# The browser tests (tests/browser) drive Debian's chromium: Playwright's own browser download
# does not work here. Installed with apt-get as root (CI), else through sudo; without either
# the tests skip on a workstation and fail in CI, which must run them.
CHROMIUM ?= /usr/bin/chromium
APT_GET  ?= apt-get

browser:
	@if [ -x '$(CHROMIUM)' ]; then exit 0; fi; \
	if ! command -v $(firstword $(APT_GET)) >/dev/null 2>&1; then \
	  echo "make: $(CHROMIUM) is missing and there is no apt-get here: install Chromium" \
	       "so that $(CHROMIUM) exists, or the browser tests are skipped (and fail in CI)." >&2; \
	  if [ -n "$$CI" ]; then exit 1; else exit 0; fi; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=''; \
	elif command -v sudo >/dev/null 2>&1; then sudo='sudo'; \
	else \
	  echo "make: $(CHROMIUM) is missing; the browser tests need it. Run as root:" \
	       "apt-get install -y chromium (there is no sudo here). Until then they are" \
	       "skipped (and fail in CI)." >&2; \
	  if [ -n "$$CI" ]; then exit 1; else exit 0; fi; \
	fi; \
	echo "Installing chromium for the browser tests ($(APT_GET) install -y chromium) …"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive $(APT_GET) update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium

demo: install
	$(BIN)/leadpipe demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy foundation leadpipe stages flows spiders ingest enrichment matching compliance scoring warehouse intake

# The benchmarks behind docs/benchmarks.md (long: the full run takes most of an hour).
bench: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python bench/bench_ingest.py --rows 1000000 --report bench/report_ingest.md
	$(BIN)/python bench/bench_enrich.py --n 1000000
	$(BIN)/python bench/bench_crawl.py --report bench/report_crawl.md
	$(BIN)/python bench/bench_matching.py --sets febrl3 febrl4 leads100k leads1m --out bench/report_matching.md
	$(BIN)/python bench/bench_score_export.py --report bench/report_score_export.md
	$(BIN)/python bench/bench_forms.py --report bench/report_forms.md
	$(BIN)/python bench/bench_erasure.py --report bench/report_erasure.md
	$(BIN)/python bench/bench_workspace.py --n 1000000 --report bench/report_workspace.md
	$(BIN)/python bench/bench_lead_detail.py --n 1000000 --report bench/report_lead_detail.md
	$(BIN)/python bench/bench_forecast.py --report bench/report_forecast.md
	$(BIN)/python bench/bench_cli_startup.py --report bench/report_cli_startup.md
	$(BIN)/python bench/build_report.py

clean:
	rm -rf data/demo data/inbox data/leadpipe*.duckdb* data/exports

# After a change to the dependencies in pyproject.toml: resolve anew and pin what resolved.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet 'pip==$(PIP_VERSION)'
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Versions leadpipe is tested with (make install uses this file as pip constraints)."; \
	  echo "# Regenerate after changing dependencies in pyproject.toml: make lock"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf .lock-venv
