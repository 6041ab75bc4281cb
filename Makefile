# Two commands matter: `make run` (the portal with demo content, SQLite, nothing else needed)
# and `make test` (the whole suite; set DATABASE_URL and REDIS_URL to run it on PostgreSQL/Redis).

SHELL := /bin/bash
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# Any Python >= 3.12 will do; pyenv users get 3.13 from .python-version.
PYTHON_CANDIDATES := python3.13 python3.12 python3.14 python3 python
SYSTEM_PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)

# The public address for links in SMS/e-mail and the demo Site: the development server's port.
PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
# The demo runs in development mode on local plain HTTP.
RUN_ENV := DJANGO_DEBUG=1 DJANGO_HTTPS=0 PORT=$(PORT) PORTAL_BASE_URL=$(PORTAL_BASE_URL)
# The suite runs with production settings (DEBUG off, manifest static files), on plain HTTP.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY=test-only-secret-key-not-for-production \
	PORTAL_DATA_DIR=$(CURDIR)/var/test DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 \
	PORTAL_FIELD_KEYS=IopUUyy4A-1QfbcDjLg3nDEFDPMUpBe8u0MTCUTynPs= PORTAL_HASH_KEY=test-only-hash-key-0123456789abcdef0123456789

.PHONY: help venv install install-dev run serve worker migrate demo test coverage-report lint typecheck format messages \
	compile-messages browser production clean

help:
	@echo "make run    - install, migrate, load demo content and serve on http://127.0.0.1:$(PORT) with the worker"
	@echo "make test   - install test tools and run the whole suite (DATABASE_URL / REDIS_URL to use PostgreSQL / Redis)"
	@echo "make lint   - ruff"
	@echo "make production - the production configuration locally (gunicorn x2, PostgreSQL, Redis, workers, nginx)"

$(PY):
	@if [ -z "$(SYSTEM_PYTHON)" ]; then \
		echo "error: Python 3.12 or newer is needed and none was found on PATH." >&2; \
		echo "Install it (e.g. 'apt-get install python3.13 python3.13-venv', 'pyenv install 3.13', or python.org) and retry." >&2; \
		exit 1; fi
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(PY)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(RUN_ENV) $(MANAGE) migrate --noinput

compile-messages: install
	$(RUN_ENV) $(MANAGE) compile_translations

demo: migrate compile-messages
	$(RUN_ENV) $(MANAGE) seed_demo

# The web server and the background worker (tasks + scheduled publishing) together; Ctrl+C stops both.
serve: install
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	@$(RUN_ENV) $(MANAGE) run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

run: demo serve

worker: install
	$(RUN_ENV) $(MANAGE) run_worker

# Installs Debian's Chromium for the browser tests when it is missing and we may install it.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "Installing Chromium and CJK fonts for the browser tests..."; \
			apt-get install -y -qq chromium fonts-noto-cjk >/dev/null || \
			{ apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }; \
		else echo "warning: /usr/bin/chromium is missing; browser tests will be skipped (they fail under CI=true)." >&2; fi; \
	fi

# Two worker processes (pytest-xdist), each with its own test database: the suite's target is
# under 10 minutes on 2 cores. PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2

# Line coverage of the project's packages is measured on every run (coverage's sys.monitoring
# core: a few per cent of the run time) and its total printed at the end; `make coverage-report`
# lists the files afterwards. COVERAGE=0 runs without it.
COVERAGE ?= 1
COVERAGE_ARGS = $(if $(filter 1,$(COVERAGE)),--cov --cov-report=,)

test: install-dev browser
	@mkdir -p var/test
	$(TEST_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	$(TEST_ENV) COVERAGE_CORE=sysmon $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(COVERAGE_ARGS) $(PYTEST_ARGS)
	@if [ "$(COVERAGE)" = 1 ]; then printf 'Line coverage: %s %%\n' "$$($(VENV)/bin/coverage report --format=total --precision=1)"; fi

coverage-report:
	$(VENV)/bin/coverage report --skip-covered --sort=cover

# The production configuration on this machine: gunicorn x2 on PostgreSQL + Redis with the
# workers, behind nginx when installed (docs/deploy.md). DATABASE_URL / REDIS_URL to choose.
production: install
	$(PY) -m deploy.run_local --port $(or $(PRODUCTION_PORT),8080)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install-dev
	DJANGO_DEBUG=1 $(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract strings into the catalogues (needs GNU gettext), then compile them.
messages: install
	$(RUN_ENV) $(MANAGE) makemessages --locale zh_Hans --locale en --ignore '.venv/*' --ignore 'var/*'
	$(RUN_ENV) $(MANAGE) makemessages --domain djangojs --locale zh_Hans --locale en --ignore '.venv/*' --ignore 'var/*'
	$(RUN_ENV) $(MANAGE) compile_translations

clean:
	rm -rf var/test var/static
