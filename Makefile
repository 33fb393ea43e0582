# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
INFRA_VENV  := .venv-infra
INFRA_STAMP := $(INFRA_VENV)/.installed

.PHONY: run test reset lint openapi web web-test system clean bench infra-tools

$(STAMP): requirements.txt requirements-dev.txt infra/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## checkov pins boto3 1.35 and more, which clash with the app's tooling: it gets its own venv (tests/infra use it).
$(INFRA_STAMP): infra/requirements-checkov.txt
	$(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(INFRA_VENV)/bin/python -m pip install --quiet -r infra/requirements-checkov.txt
	touch $(INFRA_STAMP)

infra-tools: $(INFRA_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed (https://nodejs.org)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

## Build the phone app (web/dist) and the console (web/dist/console).
web: $(WEB_STAMP)
	cd web && npm run --silent build

## Browser tests need Debian's Chromium and CJK fonts (installed here when missing and running as root).
system:
	@if [ ! -x /usr/bin/chromium ] || ! ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "Please install Chromium and CJK fonts: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; \
	fi

## Start the whole system locally (embedded AWS on 127.0.0.1, demo county) and print the URL and demo sign-ins.
run: $(STAMP) web
	$(PY) -m devstack run $(ARGS)

## Start clean: forget the local data and seed the demo county again.
reset: $(STAMP) web
	$(PY) -m devstack run --reset $(ARGS)

web-test: $(WEB_STAMP)
	cd web && npx vitest run --config vitest.config.js

## Run the whole test suite: lint, component tests, then unit/functional/security/e2e (browser) tests, in two
## workers (pytest-xdist; each worker has its own embedded AWS and local stack; a test file stays on one worker).
test: $(STAMP) $(INFRA_STAMP) system web
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --dist loadfile --durations=60 --ignore=tests/fuzz
	@# The fuzzer in one process of its own: schemathesis gives every operation's test the same node id, which xdist's
	@# loadfile scheduling ran as one test (one operation fuzzed); its last check reads what every operation answered.
	@# It takes one core, so the component tests (vitest) run beside it on the other; its output follows theirs.
	@$(PY) -m pytest tests/fuzz -p no:xdist > $(VENV)/fuzz.log 2>&1 & fuzz=$$!; \
	  $(MAKE) --no-print-directory web-test; web=$$?; \
	  wait $$fuzz; fuzzed=$$?; cat $(VENV)/fuzz.log; \
	  test $$web -eq 0 && test $$fuzzed -eq 0

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

## Benchmarks (Markdown tables and PNG charts in bench/results/); not part of `make test`. About an hour.
bench: $(BENCH_STAMP) $(INFRA_STAMP) system web
	$(PY) bench/cold_start.py
	$(PY) bench/package.py
	$(PY) bench/ddb_cost.py
	$(PY) bench/hot_partitions.py
	$(PY) bench/daily_report.py
	$(PY) bench/first_load.py
	$(PY) bench/throughput.py
	$(PY) bench/cost.py
	$(PY) bench/notice_fanout.py

lint: $(STAMP)
	$(PY) -m ruff check .

## Regenerate docs/openapi.json from the routes and schemas.
openapi: $(STAMP)
	$(PY) -m devstack openapi > docs/openapi.json

clean:
	rm -rf $(VENV) var web/node_modules web/dist .pytest_cache .ruff_cache test-artifacts
