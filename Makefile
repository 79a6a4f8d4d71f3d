PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv chromium playground bench clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Debian's chromium for the browser tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Microsoft 365 Agents Playground (the local Teams emulator), pinned in package-lock.json.
# Node and npm come from Debian when absent; npm ci installs exactly the locked version.
PLAYGROUND := node_modules/.package-lock.json

playground: $(PLAYGROUND)

$(PLAYGROUND): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(PLAYGROUND)

run: $(STAMP) $(PLAYGROUND)
	$(BIN)/python -m slack_sandbox

# Lint and type checks (settings in pyproject.toml); `make test` fails on any error.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint chromium $(PLAYGROUND)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .devhost .pytest_cache node_modules
