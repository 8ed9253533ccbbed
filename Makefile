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

.PHONY: help install messages run test lint audit format bench graph clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: $(STAMP) messages ## Create .venv, install Parley with its development tools, compile translations

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Parley needs Python 3.12 or 3.13 (none found on PATH or in pyenv)."; exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The translations (locale/<lang>/LC_MESSAGES/django.po) compiled to .mo, never committed: by
# Django's compilemessages (GNU msgfmt), run from locale/ so that it compiles LOCALE_PATHS alone
# (never the catalogues inside .venv); where gettext is not installed, by Babel's compiler (a
# dependency), so that a fresh laptop needs nothing more.
messages: $(STAMP) ## Compile the translations in locale/ (.po to .mo)
	@if ! ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then echo "messages: no catalogue in locale/ yet"; \
	elif command -v msgfmt >/dev/null; then \
	  cd locale && ../$(PY) ../manage.py compilemessages --verbosity 0; \
	else $(VENV)/bin/pybabel --quiet compile --domain django --directory locale; fi

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
