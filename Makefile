# The commands of README.md: `make run`, `make test` and `make cluster`. Each sets up whatever is missing first.
SHELL := /bin/bash
PGPORT ?= 54329
REDIS_PORT ?= 63799
PORT ?= 8000
# The test set-up's streaming replica (scripts/services.sh; the router tests read from it).
REPLICA_PGPORT ?= $(shell echo $$(($(PGPORT) - 1000)))
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

export PGPORT REDIS_PORT REPLICA_PGPORT
export DATABASE_URL ?= postgis://geoportal@127.0.0.1:$(PGPORT)/geoportal
export REDIS_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0

.PHONY: run test setup bootstrap services stop migrate messages makemessages demo worker lint clean \
	cluster cluster-stop

# Outside CI the web server and the worker never run as root: started by root, they run as the
# system user geoportal (scripts/as-app-user.sh). CI runs `make test` as root; the tests' servers
# run inside pytest.
run: setup demo worker
	DEBUG=$${DEBUG:-true} scripts/as-app-user.sh $(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup
	$(VENV)/bin/ruff check .
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

setup: bootstrap services migrate messages

# The production shape on this machine (scripts/cluster.sh, docs/deploy.md): nginx on :8080
# (CLUSTER_HTTP_PORT) in front of two gunicorns, two Celery workers, Redis, PgBouncer, and a
# PostgreSQL primary with a streaming replica, all under var/cluster.
cluster: bootstrap messages
	@scripts/cluster.sh start

cluster-stop:
	@scripts/cluster.sh stop

bootstrap:
	@scripts/bootstrap.sh

services:
	@scripts/services.sh start

stop:
	@scripts/services.sh stop

migrate:
	@$(MANAGE) migrate --noinput -v 0

messages:
	@$(MANAGE) compilemessages -v 0 --ignore=.venv --ignore=var

# Refresh the .po files from the sources. Locations name the file only, so that moving code
# around does not rewrite every entry (and parallel branches merge their messages cleanly).
MAKEMESSAGES := $(MANAGE) makemessages -l be -l ru -l en --add-location=file --no-obsolete \
	--ignore=.venv --ignore=var --ignore=tests --ignore=bench
makemessages:
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) -d djangojs --ignore=static/vendor --ignore=static/leaflet

demo:
	$(MANAGE) load_demo

# The Celery worker runs in the background and is replaced on each `make run`; with -B it also
# runs the beat that sweeps up imports whose worker stopped (one beat per site in production).
worker:
	@if [ -f var/worker/celery.pid ]; then kill $$(cat var/worker/celery.pid) 2>/dev/null || true; sleep 1; fi
	@scripts/as-app-user.sh $(VENV)/bin/celery -A geoportal worker -B \
		--schedule=var/worker/celerybeat-schedule --loglevel=info --concurrency=2 \
		--detach --pidfile=var/worker/celery.pid --logfile=var/worker/celery.log
	@echo "worker: started (log in var/worker/celery.log)"

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean: stop
	rm -rf var
