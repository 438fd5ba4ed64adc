# Two commands for people: `make run` (the product on an example) and `make test` (everything CI runs).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
STAMP  := $(VENV)/.installed-stamp
DEV    := $(VENV)/.dev-stamp

.PHONY: install dev postgres run test lint typecheck pytest smoke bench bench-small fuzz clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ctr-bundle needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

# What running needs and nothing more, so `make run` shows something fast on a fresh machine.
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	@touch $@

# The checks' tools (ruff, mypy, pytest, statsmodels as a test oracle...) on top.
$(DEV): $(STAMP)
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)
dev: $(DEV)

# The store tests start their own PostgreSQL server on loopback; they need its binaries.
postgres:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's postgresql for the store tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "The store tests need PostgreSQL: sudo apt-get install postgresql" >&2; exit 1; fi

# With Slack settings (environment or .env) this starts the bot; without, the offline demo.
run: install
	@if [ -n "$$SLACK_BOT_TOKEN" ] || grep -qs '^SLACK_BOT_TOKEN=.' .env; then \
	  exec $(BIN)/ctr-bot; \
	else \
	  $(BIN)/ctr 200 50000 && $(BIN)/ctr 'Spring: 200 50000 vs Summer: 260 48000' && echo && \
	  $(BIN)/ctr-bot demo; \
	fi

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: dev
	$(BIN)/mypy

pytest: dev postgres
	$(BIN)/python -m pytest

# The built wheel in a fresh venv outside the checkout, run from an empty folder.
smoke: install
	PYTHON=$(PYTHON) .ci/smoke.sh

test: lint typecheck pytest smoke bench-small

bench: dev postgres
	$(BIN)/python bench/run.py

# The stateful fuzzers' long run (tests marked `fuzz`: CSV and Google): 10,000 examples each
# unless CTR_FUZZ_EXAMPLES=N says otherwise; `make test` runs each with a small budget.
fuzz: dev
	CTR_FUZZ_EXAMPLES=$${CTR_FUZZ_EXAMPLES:-10000} $(BIN)/python -m pytest -m fuzz -p no:cacheprovider \
	  --hypothesis-show-statistics tests

# Every benchmark on a small input (a few seconds each), so none can rot unseen: part of `make test`.
bench-small: dev
	$(BIN)/python bench/run.py --small

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
