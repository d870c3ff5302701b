# Heard. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
HOST ?= 127.0.0.1
PORT ?= 5000
# Test processes (pytest-xdist): "auto" is one per core; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
GOVUK := node_modules/govuk-frontend/dist/govuk
DIST := webapp/static/dist
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)

.PHONY: help install run test test-fast coverage lint format bench migrate demo assets \
        translations-extract translations-update translations-compile translations-init clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  \033[1m%-22s\033[0m %s\n", $$1, $$2}'

$(STAMP):
	@mkdir -p $(STAMP)

$(STAMP)/python: pyproject.toml | $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# locust, for the load benchmark only, so `make test` never needs gevent.
$(STAMP)/bench: $(STAMP)/python pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

# WeasyPrint (PDFs) needs Pango and HarfBuzz's subsetter from the system. On a Debian
# machine where they are missing and we are root, install them; elsewhere, say what to add.
SYSTEM_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
$(STAMP)/system: | $(STAMP)
	@if ldconfig -p | grep -q libharfbuzz-subset && ldconfig -p | grep -q libpangoft2; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $(SYSTEM_LIBS); \
	else echo "Install these system libraries for PDFs: $(SYSTEM_LIBS)"; exit 1; fi
	@touch $@

$(STAMP)/npm: package.json package-lock.json | $(STAMP)
	npm ci --no-audit --no-fund
	@touch $@

$(DIST)/heard.css: $(STAMP)/npm webapp/assets/heard.scss
	@mkdir -p $(DIST)
	npx --no-install sass --load-path=node_modules --quiet-deps --style=compressed --no-source-map \
		webapp/assets/heard.scss $(DIST)/heard.css
	cp $(GOVUK)/govuk-frontend.min.js $(DIST)/

assets: $(DIST)/heard.css ## Build the stylesheet and copy GOV.UK Frontend's script

translations-extract: $(STAMP)/python ## Extract translatable text into translations/messages.pot
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-output --project=Heard --copyright-holder="Heard contributors" \
		-o translations/messages.pot webapp forms

translations-update: translations-extract ## Merge new text into every catalogue
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations

translations-init: translations-extract ## Start a catalogue: make translations-init LANG_CODE=pl
	$(BIN)/pybabel init -i translations/messages.pot -d translations -l $(LANG_CODE)

translations-compile: $(STAMP)/python ## Compile the catalogues for use
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --statistics -d translations; fi

install: $(STAMP)/system $(STAMP)/python $(STAMP)/npm assets translations-compile ## Install everything (Python, npm, assets, catalogues)

migrate: install ## Run the database migrations
	$(BIN)/heard db upgrade

demo: migrate ## Load the demo data (safe to repeat)
	$(BIN)/heard demo

run: migrate ## Install, migrate, load demo data if empty, and serve (with the job worker) on http://127.0.0.1:5000
	$(BIN)/heard demo --if-empty
	@echo "Heard is starting on http://$(HOST):$(PORT)/ with its job worker (press Ctrl+C to stop)"
	$(BIN)/heard worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
		$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 wsgi:app

test: install lint ## Install everything, check the code, and run the whole test suite
	$(BIN)/pytest -n $(TEST_WORKERS)

test-fast: ## Run the tests without installing or linting first
	$(BIN)/pytest -x

coverage: install ## Run the whole suite with a line and branch coverage report (slower)
	$(BIN)/pytest -n $(TEST_WORKERS) --cov --cov-report=term:skip-covered

lint: $(STAMP)/python ## ruff, the import contract and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy forms models analysis webapp wsgi.py

format: $(STAMP)/python ## Reformat the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install $(STAMP)/bench ## Run every benchmark, print its figures beside a peer baseline; exit 1 if any target is missed
	@failed=""; for b in benchmarks/bench_*.py; do echo "== $$b"; \
		$(BIN)/python $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "Targets not met in:$$failed"; exit 1; fi

clean: ## Remove the virtualenv, node_modules and built files (keeps instance/)
	rm -rf $(VENV) node_modules $(DIST) $(STAMP) .pytest_cache .ruff_cache .mypy_cache .coverage
	find translations -name '*.mo' -delete
