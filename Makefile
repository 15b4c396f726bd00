# `make run`: set everything up on SQLite and serve http://127.0.0.1:8000
# `make test`: set up and run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: one per CPU by default (PYTEST_WORKERS=0 runs in one process).
PYTEST_WORKERS ?= auto

.PHONY: run test setup venv migrate load demo-users serve worker lint bench clean

$(VENV)/.installed: requirements.txt
	@# A stray symlink in place of the virtual env (never commit .venv) is replaced by a real one.
	if [ -L $(VENV) ]; then rm $(VENV); fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# pip warns about every package missing from this machine's extra local indexes; the rest of its output stays.
	{ $(PIP) install --quiet -r requirements.txt 2>&1; echo $$? > $(VENV)/.pip-rc; } \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	test "$$(cat $(VENV)/.pip-rc)" = 0
	touch $@

venv: $(VENV)/.installed

# Development runs with DEBUG on (the settings refuse DEBUG off without a SECRET_KEY).
setup run worker: export DEBUG ?= 1

setup: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_order
	$(PY) manage.py create_demo_users

run: setup
	@echo "Serving at http://$(HOST):$(PORT)/ (admin: /admin/, API: /api/docs/)"
	@# The report chase on schedule: Celery worker + beat with REDIS_URL, else the embedded scheduler.
	if [ -n "$$REDIS_URL" ]; then $(VENV)/bin/celery -A copp worker -B -l info & else $(PY) manage.py run_scheduler & fi; \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest -n $(PYTEST_WORKERS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

worker: venv
	$(VENV)/bin/celery -A copp worker -B -l info

bench: venv
	$(PY) bench/run.py --scale small

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache
