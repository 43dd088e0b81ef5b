# Two commands set up everything on a fresh Debian machine (as root):
#   make run    installs what is missing, then starts the web app on http://127.0.0.1:8000
#   make test   installs what is missing, then runs lint and the whole test suite on SQLite, then
#               the database-dependent tests (tests/web, slow browser and multi-process ones excepted)
#               again on PostgreSQL (and the Redis queue)
# Both are idempotent; a second run only checks stamps.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
BIN := $(VENV)/bin
STAMP := $(VENV)/.moksori-installed

.PHONY: run test test-quick test-postgresql services setup system lint bench messages

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
	MOKSORI_TEST_DATABASE=postgresql $(BIN)/pytest tests/web -m "not slow"

test-quick: setup
	$(BIN)/pytest -m "not slow"

# The benchmarks that need neither ../shared/data nor a trained voice; the others (world_copy,
# voice_quality, synthesis_speed) are run one at a time with the commands in docs/benchmarks.md.
bench: setup
	nice -n 10 $(BIN)/python -m bench.pronounce_speed
	nice -n 10 $(BIN)/python -m bench.script_coverage
	$(BIN)/python -m bench.keystrokes

# After changing interface text: collect every _() / t() string into the catalogs, then translate
# the new entries in src/moksori/web/locale/*/LC_MESSAGES/messages.po (tests/web/test_i18n.py
# fails while any is empty). The catalogs are compiled in memory at run time; nothing to build.
messages: setup
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k t --no-location --sort-output --project Moksori -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d src/moksori/web/locale --no-fuzzy-matching --ignore-obsolete -w 110
