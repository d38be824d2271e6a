# Two commands on a fresh machine: `make run` (the demo) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
PORT ?= 8000

.PHONY: install install-test run serve test lint bench clean catalogues

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The service alone (what `make run` needs), then the test tools on top.
# The catalogues are compiled by the install (hatch_build.py): a changed .po reinstalls.
CATALOGUES := $(wildcard src/inmc_vote/web/locale/*/LC_MESSAGES/*.po)
$(RUN_STAMP): pyproject.toml $(CATALOGUES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(RUN_STAMP)
install-test: $(TEST_STAMP)

## make run: a fresh demo database (sample network and ballot; the previous one is kept as
## inmc-demo.sqlite3.bak), then serve on :$(PORT) (make run PORT=8080)
run: install
	$(BIN)/inmc-vote demo --port $(PORT)

## make serve: the service on INMC_DATABASE_URL (migrated first)
serve: install
	$(BIN)/inmc-vote db upgrade
	$(BIN)/inmc-vote serve --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## make test: lint (ruff, mypy), then every test (PostgreSQL and Chromium tests skip when absent,
## unless INMC_REQUIRE_PG=1 / INMC_REQUIRE_BROWSER=1, as .ci/run sets)
test: lint
	$(BIN)/pytest

## make catalogues: extract the texts again, add new ones to both .po files, compile
## (docs/languages.md)
catalogues: install
	$(BIN)/python src/inmc_vote/web/locale/catalogues.py update

bench: install-test
	@for b in bench/*.py; do [ -e "$$b" ] && $(BIN)/python "$$b"; done; true

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist
