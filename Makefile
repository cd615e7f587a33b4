# Two commands on a fresh machine:  make run  |  make test
VENV    ?= .venv
PY      := $(VENV)/bin/python
CONFIG  ?= config.example.toml
PYTHON  ?= python3
PKGS    := daemon parsers routing storage

.PHONY: run test lint install system-deps node-deps samples bench format clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

## System packages the tests use (Dovecot, PostgreSQL, fonts): installed when missing.
system-deps:
	@sh .ci/system-deps

## The Node.js invoicing library one family of test documents is printed with (tests/nodegen.py)
NODE_DEPS := tests/node/node_modules/.installed
$(NODE_DEPS): tests/node/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	    npm ci --prefix tests/node --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "node-deps: npm is missing (.ci/system-deps installs it as root); its tests skip" >&2; fi

node-deps: system-deps $(NODE_DEPS)

run: install
	$(VENV)/bin/podatelna serve --config $(CONFIG)

lint: install
	$(VENV)/bin/ruff check $(PKGS) tests bench
	$(VENV)/bin/ruff format --check $(PKGS) tests bench
	$(VENV)/bin/mypy $(PKGS)

## Three test processes on two cores: the end-to-end tests wait on daemons, servers and
## browsers a good part of their time; worksteal keeps the long ones from ending the run alone.
test: install system-deps node-deps lint
	$(VENV)/bin/pytest -n 3 --dist worksteal

format: install
	$(VENV)/bin/ruff format $(PKGS) tests bench
	$(VENV)/bin/ruff check --fix $(PKGS) tests bench

samples: install
	$(PY) -m tests.docgen docs/samples

bench: install system-deps node-deps
	$(PY) bench/pdftext.py
	$(PY) bench/accuracy.py
	$(PY) bench/smtp.py --paced 20 --soak 10000 --nodes --profile

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tests/node/node_modules
