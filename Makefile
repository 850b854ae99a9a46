# Tupo — run `make help` for the targets. Quick start: `make run` (demo), `make test` (everything).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
TUPO := $(BIN)/tupo
PORT ?= $(or $(TUPO_PORT),8000)
VENDOR := src/tupo/static/vendor
STAMP := $(VENV)/.installed

.PHONY: help run setup assets demo serve test test-sqlite test-postgres test-e2e lint fmt messages bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/
	@touch $@

setup: $(STAMP) assets  ## make the virtualenv, install Python and front-end packages
assets: $(VENDOR)/.stamp  ## copy pinned front-end packages (npm registry, lock file) into static/

demo: setup  ## migrate and load the demo data (idempotent)
	$(TUPO) migrate --no-input -v 0
	$(TUPO) collectstatic --no-input -v 0
	$(TUPO) seed --scale demo

run: demo  ## set up, migrate, load demo data, print demo accounts, serve on 127.0.0.1:$(PORT)
	$(TUPO) demo_accounts
	$(TUPO) serve --port $(PORT)

test: setup  ## run every test: SQLite, PostgreSQL, browser journeys (CI=true makes PG and browser mandatory)
	$(BIN)/ruff check src tests bench
	$(TUPO) makemigrations --check --dry-run -v 1
	bash scripts/test.sh

lint: setup  ## ruff
	$(BIN)/ruff check src tests bench

fmt: setup  ## ruff format + fix
	$(BIN)/ruff check --fix src tests bench

messages: setup  ## extract and compile translations (zh_Hans)
	cd src/tupo && ../../$(BIN)/python locale/translate_zh.py --all

bench: setup  ## run the benchmarks; results in bench/results/
	bash scripts/bench.sh

clean:  ## remove the virtualenv, node_modules and local data
	rm -rf $(VENV) node_modules var $(VENDOR)
