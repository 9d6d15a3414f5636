# The two commands: `make run` (the main job) and `make test` (the whole test suite).
# Both create .venv and install the project into it first; nothing else needs setting up.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps lint typecheck unit integration e2e clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "newsflow needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## The main job: start Redis if needed and a worker, push the sample articles through, show the results.
run: $(STAMP)
	$(BIN)/newsflow demo

## The whole test suite: lint, types, then unit, integration and end-to-end tests.
test: $(STAMP) system-deps lint typecheck
	$(BIN)/python -m pytest

## redis-server, prometheus/promtool, docker-compose, openssl: installed with apt-get when missing (as root).
system-deps:
	@bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check worker tasks tests bench
	$(BIN)/ruff format --check worker tasks tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
