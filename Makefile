# mfgplatform — the two commands a new engineer needs:
#   make run    set everything up and serve the admin with demo data, a Celery worker and beat
#   make test   set everything up and run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SEED_SIZE ?= demo

.PHONY: help venv services services-stop migrate reference superuser demo-data run test test-fast lint bench clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

venv: $(VENV)/.installed ## virtualenv with the pinned dependencies

services: ## start TimescaleDB and Redis on loopback (provisioned on first run)
	scripts/services.sh start

services-stop: ## stop the services `make services` started
	scripts/services.sh stop

migrate: venv services ## apply migrations (reference data included)
	$(MANAGE) migrate --no-input
	$(MANAGE) schedule_jobs

superuser: venv ## create or reset the demo superuser and print its credentials
	$(MANAGE) ensure_demo_superuser

demo-data: venv ## load the development data set (SEED_SIZE=tiny|small|demo|large)
	$(MANAGE) seed_iso_compliant --size $(SEED_SIZE) --if-empty
	$(MANAGE) refresh_views

run: migrate superuser demo-data ## serve the admin with a Celery worker and beat beside it
	scripts/run_platform.sh $(HOST) $(PORT)

test: venv services ## run the whole test suite against the real services
	scripts/run_tests.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(MANAGE) makemigrations --check --dry-run

bench: venv services ## benchmarks (not tests); see bench/README.md
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
