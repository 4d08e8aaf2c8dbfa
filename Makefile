# `make run` — set up and serve the app with demo data at http://127.0.0.1:5000
# `make test` — set up and run lint, the suite on SQLite, on PostgreSQL, then the browser tests
# `make stack` / `make stack-stop` — the production arrangement on loopback (scripts/stack.sh)
SHELL := /bin/bash
VENV := .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
# Bytecode is kept (in __pycache__, ignored by git), even where the environment says not to: each
# pytest worker and each subprocess a test starts would compile the app and the tests again (~6 s of a core).
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test setup system translations lint test-sqlite test-postgres test-browser catalogue stack stack-stop stack-system test-stack

# The demo is served as of a week before the 2023 conference, so its registration is open:
# `make run CONFERENCE_NOW=2023-06-10T09:00:00+08:00` picks another moment (ISO 8601 with offset).
CONFERENCE_NOW ?= 2023-07-11T10:00:00+08:00

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@echo "Serving on http://127.0.0.1:5000 (Ctrl-C to stop)"
	CONFERENCE_NOW=$(CONFERENCE_NOW) $(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup lint test-sqlite test-postgres test-browser

setup: system $(VENV)/.installed translations

system:
	@bash scripts/system-packages.sh

# nginx, Redis and openssl besides: only the stack needs them.
stack-system:
	@bash scripts/system-packages.sh stack

# PostgreSQL, Redis, two gunicorn app nodes, a Huey consumer and nginx with TLS at
# https://127.0.0.1:8443/, the demo loaded; everything in instance/stack, stopped by PID.
stack: stack-system $(VENV)/.installed translations
	bash scripts/stack.sh start

stack-stop:
	bash scripts/stack.sh stop

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations --statistics
	@test -f translations/zh_Hans_CN/LC_MESSAGES/messages.mo

lint:
	$(BIN)/ruff check .

# Two workers: the suite stays well under ten minutes on a two-core machine as it grows. A worker
# with nothing left takes tests queued for the other (worksteal); tests marked long go first.
PYTEST_WORKERS ?= 2

test-sqlite:
	$(BIN)/pytest -m "not browser and not stack" -q -n $(PYTEST_WORKERS) --dist worksteal

# Tests marked database_free answer the same on either database: the SQLite run has them.
test-postgres:
	bash scripts/with-postgres.sh $(BIN)/pytest -m "not browser and not stack and not database_free" -q -n $(PYTEST_WORKERS) --dist worksteal

test-browser:
	$(BIN)/pytest -m browser -q -n $(PYTEST_WORKERS) --dist worksteal

# scripts/stack.sh itself, on ports and in a folder of its own (minutes: the demo is loaded).
test-stack: stack-system $(VENV)/.installed translations
	$(BIN)/pytest -m stack -q tests/test_stack.py

# Re-extract strings, merge into the three catalogues, fill Traditional from Simplified.
catalogue: $(VENV)/.installed
	$(BIN)/python scripts/translations.py update
