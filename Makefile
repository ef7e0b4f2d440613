# Two commands: `make run` (embedded platform with demo data) and `make test` (the whole suite).
# Django 6 needs Python 3.12 or newer; PYTHON picks the first suitable interpreter it finds.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null); do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && echo $$p && break; done)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test lint checks messages compile-messages worker clean help bench loadtest faults offline-assets

help:
	@echo "make run    start the platform on SQLite with demo data at http://$(HOST):$(PORT)"
	@echo "make test   install the test tools and run lint, checks and the whole test suite"
	@echo "make bench  build a large synthetic initiative in PostgreSQL and print the benchmark figures"
	@echo "make loadtest  20 users against gunicorn + worker + PostgreSQL + Redis (docs/reliability.md)"
	@echo "make faults    the fault checks, PostgreSQL restarted under load included (docs/reliability.md)"

$(VENV)/.python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6); set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.python pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

# The .mo catalogues (build output, out of git), compiled only when a .po is newer: a Django start
# saved on every `make test` and `make run` after the first.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
compile-messages: $(MO_FILES)
%.mo: %.po $(VENV)/.installed
	$(PY) manage.py compiletranslations

run: export DEBUG ?= true
run: compile-messages offline-assets
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo --if-empty
	@echo "Serving the platform at http://$(HOST):$(PORT)  (demo accounts: see README.md)"
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level high --quiet
	$(VENV)/bin/mypy

# Django's own checks: the system check, migrations in step with the models, and the
# deployment checklist with production-like settings (only environment variables differ).
# Comparing the migrations with the models reads files only: it is given an in-memory SQLite
# database, so that it does not warn about a database the tests have not created yet.
checks: $(VENV)/.installed-test compile-messages
	$(PY) manage.py check --fail-level WARNING
	DATABASE_URL=sqlite:///:memory: DATABASE_REPLICA_URL= $(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	DEBUG=false SECRET_KEY=$$(openssl rand -hex 32 2>/dev/null || echo check-deploy-$$RANDOM$$RANDOM$$RANDOM$$RANDOM-not-a-real-key-0123456789abcdef) \
	ALLOWED_HOSTS=ci.example.org SECURE_SSL_REDIRECT=true EMAIL_URL=smtp://mail.example.org:25 \
	$(PY) manage.py check --deploy --fail-level WARNING

# axe-core for the accessibility tests (tests/test_accessibility.py), pinned in package.json and
# package-lock.json; node_modules/ stays out of git.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the accessibility tests (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

# Workbox, for the data-entry grid's service worker (docs/measurement.md, "Offline data entry"), from
# the same `npm ci` (pinned in package.json and package-lock.json) and served from STATIC straight from
# node_modules/ (ci_platform/settings.py). `make run` without npm: the grid works online only.
WORKBOX := node_modules/workbox-core/build/workbox-core.prod.js
$(WORKBOX): package.json package-lock.json node_modules/axe-core/axe.min.js
	@test -f $@ || npm ci --no-audit --no-fund
	@touch $@

offline-assets:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(WORKBOX); \
	else echo "npm not found: the data-entry grid works online only (apt-get install npm)"; fi

# The suite runs on every core (pytest-xdist, PYTEST_WORKERS=auto): a database, a Redis database and
# a MEDIA_ROOT per worker, one Chromium and one live server per worker, the backbone catalogue
# restored after every flush (tests/conftest.py). PYTEST_WORKERS=0 runs it in one process.
# PYTEST_ARGS passes anything else to pytest.
PYTEST_WORKERS ?= auto
# Lint and the checks (one process each, side by side) run beside the tests at the lowest CPU
# priority (nice 19): they take the cycles the tests leave idle (a worker waiting for a Celery
# worker, for Chromium or for a subprocess: 70-110 CPU-seconds a run) instead of 18 s before the
# first test. Their output is printed after the tests', each one's kept together; `make test` fails
# if either fails. `make lint` and `make checks` run them alone.
# Python writes its bytecode caches (__pycache__/, in .gitignore) even where the environment turns
# them off (PYTHONDONTWRITEBYTECODE): otherwise every process of the run (two xdist workers, 20-odd
# Celery workers, manage.py, gunicorn) compiles the project again, and pytest rewrites the asserts of
# every test module anew (collection: 9.9 s of CPU per worker without the caches, 4.3 with them).
test: export PYTHONDONTWRITEBYTECODE :=
test: $(VENV)/.installed-test compile-messages node_modules/axe-core/axe.min.js $(WORKBOX)
	@out=$$(mktemp); \
	nice -n 19 $(MAKE) --no-print-directory -j2 --output-sync=target lint checks > $$out 2>&1 & checks=$$!; \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS); tests=$$?; \
	wait $$checks; lint=$$?; \
	echo "== lint and checks (run beside the tests)"; cat $$out; rm -f $$out; \
	if [ $$lint -ne 0 ]; then echo "make test: lint or the checks failed (above)"; fi; \
	[ $$tests -eq 0 ] && [ $$lint -eq 0 ]

# Regenerate locale/he/LC_MESSAGES/django.po from the code (needs GNU gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l he --no-obsolete --ignore=.venv --ignore=tests

# The performance benchmark (docs/performance.md); never part of `make test`. It needs PostgreSQL:
# DATABASE_URL defaults to its own database, created when missing. The figures are the JSON lines on
# stdout (progress goes to stderr). BENCH_ARGS passes options, e.g.
# `make bench BENCH_ARGS="--orgs 10 --measures 10 --periods 12"` for a quick run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ci_bench
bench: export DATABASE_URL ?= $(BENCH_DATABASE_URL)
bench: export DEBUG := false
bench: export PLAIN_STATIC := true
bench: $(VENV)/.installed
	@case "$$DATABASE_URL" in postgres://*|postgresql://*|pgsql://*|psql://*) ;; \
	  *) echo "make bench needs PostgreSQL: DATABASE_URL must be postgres://…" >&2; exit 1;; esac
	@test -n "$(filter environment,$(origin DATABASE_URL))" || \
	  echo "DATABASE_URL is not set: the benchmark uses $(BENCH_DATABASE_URL)" >&2
	@$(PY) -m measurement.management.bench_db
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py bench $(BENCH_ARGS)

# The load test (docs/reliability.md): builds or reuses the benchmark data in its own database
# (LOAD_DATABASE_URL, default ci_load), starts its own Redis, a worker and gunicorn, runs locust on
# 127.0.0.1 only, and writes var/loadtest/summary.md. LOADTEST_ARGS e.g. "--run-time 1m --users 10".
$(VENV)/.installed-load: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[load]"
	@touch $@

loadtest: $(VENV)/.installed-load
	$(PY) loadtest/run.py $(LOADTEST_ARGS)

# The slow fault checks (docs/reliability.md): PostgreSQL restarted and Redis stopped under load, on
# servers of their own (a throwaway cluster on port 5440, Redis on 6392). The quick ones are pytest
# tests (tests/faults/) that `make test` and CI run.
faults: $(VENV)/.installed-load
	$(PY) loadtest/faults.py $(FAULTS_ARGS)

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A ci_platform worker -B --loglevel=info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
