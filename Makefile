# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test reset lint openapi clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## Start the whole system locally (embedded AWS on 127.0.0.1, demo county) and print the URL and demo sign-ins.
run: $(STAMP)
	$(PY) -m devstack run $(ARGS)

## Start clean: forget the local data and seed the demo county again.
reset: $(STAMP)
	$(PY) -m devstack run --reset $(ARGS)

## Run the whole test suite.
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

## Regenerate docs/openapi.json from the routes and schemas.
openapi: $(STAMP)
	$(PY) -m devstack openapi > docs/openapi.json

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
