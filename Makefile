# Parley: `make run` for the demo, `make test` for lint and the whole suite. `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= $(shell scripts/find-python.sh)

# make run is a local demo: debug pages on, PostgreSQL at DATABASE_URL or else the pip-installed
# one, its data kept in DEMO_PG_DATA so the demo survives a restart.
export DJANGO_DEBUG ?= 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
DEMO_PG_DATA ?= var/postgres-demo

.PHONY: help install run test lint audit format bench graph clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install Parley with its development tools

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Parley needs Python 3.12 or 3.13 (none found on PATH or in pyenv)."; exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install ## Migrate, load demo data, start web + Celery worker + beat (Ctrl-C stops all)
	$(PY) scripts/with_services.py --postgres --postgres-data $(DEMO_PG_DATA) --create-database \
	  --redis -- scripts/run.sh

test: install lint audit ## Lint, audit, then the whole suite against PostgreSQL and Redis
	DJANGO_DEBUG=0 $(PY) scripts/with_services.py --postgres --redis -- $(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff (lint and formatting) and mypy (types)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

audit: install ## manage.py check --deploy with production settings, and pip-audit of the installed packages
	$(PY) scripts/audit.py

format: install ## Reformat the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install ## Benchmarks (bench/): engine, queue, outbox, photos; storms, faults, load (README: Performance)
	$(PY) scripts/with_services.py --postgres --redis -- $(PY) -m bench.timers --n 100000 --repeat 2
	$(PY) scripts/with_services.py --postgres --redis -- $(PY) -m bench.queue
	$(PY) scripts/with_services.py --postgres -- $(PY) -m bench.outbox --n 5000 --repeat 2
	$(PY) -m bench.photos
	$(PY) scripts/with_services.py --postgres --redis -- $(PY) -m bench.storms --storms 1000
	$(PY) scripts/with_services.py --postgres -- $(PY) -m bench.faults
	$(PY) scripts/with_services.py --postgres --redis -- $(PY) -m bench.load

graph: install ## Regenerate the state-machine diagrams in docs/ (SVG too where graphviz is installed)
	@for model in orders.Order disputes.Dispute; do \
	  name=$$(echo $${model#*.} | tr A-Z a-z); \
	  $(PY) manage.py graph_transitions $$model > docs/$$name-states.dot; \
	  if command -v dot >/dev/null; then dot -Tsvg docs/$$name-states.dot -o docs/$$name-states.svg; fi; \
	done

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
