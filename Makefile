# Two commands for a newcomer on Debian: `make run` (set up everything and start the demo) and
# `make test` (the whole suite). Both install what is missing and are safe to run again.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DATABASE_URL ?= postgis://postgres@127.0.0.1:5432/referral_network
export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0
DEBIAN_PACKAGES := postgresql-15-postgis-3 gdal-bin redis-server pgbouncer chromium fonts-noto-core fonts-noto-cjk gettext
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup system-packages venv services database demo lint check stop clean

run: setup demo ## Set up, load the demo and serve the API with a Celery worker and beat
	@scripts/run-demo.sh $(HOST) $(PORT)

test: setup lint check ## The whole test suite against PostGIS, Redis and a real Celery worker, then the benchmark smoke test
	$(VENV)/bin/pytest
	@$(MAKE) --no-print-directory bench-smoke

setup: system-packages venv services database

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if ! $(PYTHON) -m venv --help >/dev/null 2>&1; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

services: ## Start PostgreSQL and Redis if they are not running
	@scripts/ensure-services.sh

database: ## Create the database with the PostGIS extension and migrate it
	@scripts/ensure-database.sh "$$DATABASE_URL"
	$(PY) manage.py compilemessages --ignore=$(VENV) -v 0
	$(PY) manage.py migrate --no-input -v 0

demo: database
	$(PY) manage.py load_demo

lint:
	$(VENV)/bin/ruff check .

check: ## Django's checks, no missing migration, a valid OpenAPI schema
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

stop: ## Stop the demo's background Celery processes
	@scripts/run-demo.sh stop

clean: stop
	rm -rf $(VENV) var

.PHONY: bench bench-quick bench-smoke bench-load

bench-quick: system-packages venv services ## Benchmark smoke test (CI): small generated network, every benchmark, under two minutes
	@$(MAKE) --no-print-directory bench-smoke

bench-smoke: # bench-quick without the setup (the test command has done it): fails on errors, never on timings
	$(PY) -m bench.run --quick
	$(PY) -m bench.load --referrals 5000 --orgs 300 --users 4 --seconds 5 --output bench/out/LOAD-quick.md

bench-load: system-packages venv services ## Locust load test of caseworker traffic at 1,000,000 referrals; rewrites bench/LOAD.md
	$(PY) -m bench.load

bench: system-packages venv services ## The full benchmark (10,000 organisations, up to 1,000,000 referrals); rewrites bench/RESULTS.md
	$(PY) -m bench.run
