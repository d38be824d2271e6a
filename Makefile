# Two commands on a fresh machine: `make run` (the demo) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: install run serve test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## make run: a fresh demo database (sample network and ballot), then serve on :$(PORT)
run: install
	$(BIN)/inmc-vote demo --port $(PORT)

## make serve: the service on INMC_DATABASE_URL (migrated first)
serve: install
	$(BIN)/inmc-vote db upgrade
	$(BIN)/inmc-vote serve --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make test: lint, then every test (PostgreSQL and Chromium tests skip when absent,
## unless INMC_REQUIRE_PG=1 / INMC_REQUIRE_BROWSER=1, as .ci/run sets)
test: lint
	$(BIN)/pytest

bench: install
	@for b in bench/*.py; do [ -e "$$b" ] && $(BIN)/python "$$b"; done; true

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist
