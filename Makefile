# The README's two commands: `make demo` and `make test`. Each installs what it needs first.
# `make test` holds the whole suite to the coverage floor; with PYTEST_ARGS (a subset) it only
# reports the figure.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The real stack the tests run on; override any of these from the environment.
# The suite loads the development settings (pytest-django still runs each test with DEBUG off);
# tests/core/test_production_settings.py starts the production ones in a process of their own.
TEST_ENV := DEBUG=1 \
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/semaforo} \
	CELERY_BROKER_URL=$${TEST_BROKER_URL:-redis://127.0.0.1:6379/14} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

.PHONY: demo test lint bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The embedded demo is the one place DEBUG is on.
demo: $(BIN)/.installed
	DEBUG=1 $(BIN)/python manage.py demo

test: $(BIN)/.installed
	scripts/test-services
	$(TEST_ENV) $(BIN)/pytest --cov --cov-report=term:skip-covered \
		$(if $(PYTEST_ARGS),--cov-fail-under=0) $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy  # its Django plugin loads the settings

bench: $(BIN)/.installed
	scripts/test-services
	$(BIN)/python bench/classifier.py
	$(BIN)/python bench/ripple.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/queue_poll.py
	$(BIN)/python bench/followups.py
	$(BIN)/python bench/deadlines.py
	$(BIN)/python bench/escalation.py
	$(BIN)/python bench/import.py -n 200000
