# 補助金ナビ — two commands do all the set-up: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint format lock bench bench-pdf bench-rescreen bench-load fault-pg fault-worker backup-drill clean

$(STAMP): requirements.lock scripts/find_python.sh
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		interpreter=$$(scripts/find_python.sh) || exit 1; \
		echo "Creating $(VENV) with $$interpreter"; \
		rm -rf $(VENV); $$interpreter -m venv $(VENV) || exit 1; \
	fi
	PIP_EXTRA_INDEX_URL= $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock 2>&1 | { grep -v 'is ignored: it is neither' || true; }
	@touch $(STAMP)

## Serve the site with the 2026 rules and demo data at http://$(HOST):$(PORT)
run: $(STAMP)
	scripts/ensure_packages.sh pdf
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py refresh_outcomes
	$(PY) manage.py runserver $(HOST):$(PORT)

## Lint, format check and the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL)
test: $(STAMP)
	scripts/ensure_packages.sh test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

## The property-based tests (tests/fuzz/, engine properties) with 10 times the examples
fuzz: $(STAMP)
	FUZZ_FACTOR=$${FUZZ_FACTOR:-10} $(PY) -m pytest tests/fuzz tests/eligibility/test_engine_properties.py

lint: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## Re-resolve requirements.lock from pyproject.toml (needs PyPI)
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.12 -o requirements.lock --quiet

## Engine throughput
bench: $(STAMP)
	$(PY) manage.py bench_engine

## Re-screen 105,000 synthetic clinics under a new rule version, on SQLite and PostgreSQL
bench-rescreen: $(STAMP)
	$(PY) manage.py bench_rescreen

## PDF pipeline: cold/warm, layout alone, the result page and its cache; then the first click
## on a just-completed screening's PDF with the worker running (PostgreSQL, Redis, db_worker)
bench-pdf: $(STAMP)
	scripts/ensure_packages.sh pdf
	$(PY) manage.py bench_pdf
	$(PY) scripts/bench_first_click.py

## Production set-up (gunicorn + PostgreSQL) under 20 concurrent clinics vs a bare view
bench-load: $(STAMP)
	$(PY) scripts/bench_load.py

## Restart PostgreSQL during a load run: errors only while it is down, nothing saved lost
fault-pg: $(STAMP)
	$(PY) scripts/fault_pg_restart.py

## kill -9 the task worker while it sends a notice's e-mail: after a restart, each member once
fault-worker: $(STAMP)
	$(PY) scripts/fault_worker.py

## Back up PostgreSQL with pg_dump, restore into a fresh database, compare the app on both
backup-drill: $(STAMP)
	$(PY) scripts/backup_drill.py

clean:
	rm -rf $(VENV) db.sqlite3 var test-artifacts
