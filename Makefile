# OVER het ravijn. `make run` and `make test` are all a fresh machine needs (Python 3.11+).
# `make run` needs nothing but Python; the test targets first run .ci/services, which starts
# PostgreSQL and Redis (and RabbitMQ, if installed) and, as root, installs what the tests use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= 2
#: `LANES=--ci`: the fleet lane goes on with the SQLite pass and the previous release's check
LANES ?=

.DEFAULT_GOAL := help
.PHONY: help install services run test test-sqlite test-unit test-fast lint format bench clean editor

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Make the virtualenv and install the project with its dev tools

services: ## Start PostgreSQL and Redis when down; as root, install what the tests need
	@bash .ci/services

run: $(STAMP) ## Start web, worker, embedded Redis and SMTP sink on http://127.0.0.1:5000
	$(BIN)/python -m newsletter.dev.runner

test: $(STAMP) ## All tests against PostgreSQL and Redis: JOBS=2 processes, the whole sends beside them
	@bash .ci/services
	BIN=$(BIN) JOBS=$(JOBS) PYTEST_ARGS="$(PYTEST_ARGS)" bash .ci/test $(LANES)

test-sqlite: $(STAMP) ## The tests whose behaviour depends on the database (marked dialect), on SQLite
	@TEST_DATABASE_URL=sqlite bash .ci/services
	TEST_DATABASE_URL=sqlite $(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m dialect $(PYTEST_ARGS)

test-unit: $(STAMP) ## The unit tests: no PostgreSQL, Redis or browser needed
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

test-fast: $(STAMP) ## Everything but the browser tests and the whole sends
	@bash .ci/services
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m 'not browser and not serial' $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check and format check, then the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## Run the benchmarks under bench/ (they print figures)
	$(BIN)/python bench/render.py
	$(BIN)/python bench/signup.py
	$(BIN)/python bench/delivery.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/links.py
	$(BIN)/python bench/readability.py

editor: ## Rebuild the WYSIWYG editor's bundle newsletter/static/wysiwyg.js from frontend/editor (needs Node.js and npm; commit the result)
	cd frontend/editor && npm ci --no-audit --no-fund && npm run build

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis .import_linter_cache build dist
