# Two entry points for a fresh machine with python3 and make: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench facts generate drift clean mutation wheel-smoke emulator-spec

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/quickstart.py

test: $(STAMP) lint drift typecheck pytest wheel-smoke

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests examples bench codegen

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict src examples tests/typing

pytest: $(STAMP)
	$(PY) -m pytest

# Install truth: build the sdist and wheel, install the wheel[testing] into a fresh venv in a temp dir and call the
# emulator through it, async and blocking (tests/wheel_smoke.py says what is checked)
wheel-smoke: $(STAMP)
	$(PY) tests/wheel_smoke.py

bench: $(STAMP)
	$(PY) bench/run_all.py

# Facts snapshot from the pinned official packages (codegen/README.md)
facts: $(STAMP)
	$(PY) -m codegen.extract

# Mutation testing with mutmut, one module at a time against the tests that cover it (not part of `make test`;
# minutes per module). `make mutation MODULES="_waiter apig"` runs only those; mutation/run.py says more.
mutation: $(STAMP)
	$(PY) mutation/run.py $(MODULES)

# Typed service clients from the facts snapshot and codegen/overrides (codegen/generate.py)
generate: $(STAMP)
	$(PY) -m codegen.generate

# The emulator's per-service spec files (src/hwcloud_client/testing/specs/) from the facts snapshot
emulator-spec: $(STAMP)
	$(PY) -m codegen.emulator_spec

# CI: the facts are what the pinned official packages say, and the checked-in generated services and emulator
# specs are exactly what the facts and overrides give
drift: $(STAMP)
	$(PY) -m codegen.extract --check
	$(PY) -m codegen.generate --check
	$(PY) -m codegen.emulator_spec --check

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
