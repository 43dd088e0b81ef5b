# Two commands set up everything on a fresh Debian machine (as root):
#   make run    installs what is missing, then starts the web app on http://127.0.0.1:8000
#   make test   installs what is missing, then runs lint and the whole test suite on SQLite, then
#               the database-dependent tests (tests/web) again on PostgreSQL (and the Redis queue)
# Both are idempotent; a second run only checks stamps.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
BIN := $(VENV)/bin
STAMP := $(VENV)/.moksori-installed

.PHONY: run test test-quick test-postgresql services setup system lint bench

system:
	@bash scripts/install-system.sh

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24" "setuptools>=77.0.3,<81" wheel
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test,bench,sip]"
	npm install --no-save --no-audit --no-fund axe-core@4.14.1  # accessibility checks of the web pages
	@touch $(STAMP)

setup: system $(STAMP)

run: setup
	$(BIN)/moksori serve

lint: setup
	$(BIN)/ruff check src tests bench

services:
	@bash scripts/test-services.sh

test: setup lint services
	$(BIN)/pytest
	@$(MAKE) --no-print-directory test-postgresql

test-postgresql: setup services
	MOKSORI_TEST_DATABASE=postgresql $(BIN)/pytest tests/web

test-quick: setup
	$(BIN)/pytest -m "not slow"

bench: setup
	$(BIN)/python bench/run_all.py
