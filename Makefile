# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install data test demo release check-release

$(BIN)/autograder: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install: $(BIN)/autograder

# Downloads from the official addresses, or copies from $$AUTOGRADER_DATA_MIRROR when set.
data: install
	$(BIN)/autograder data fetch

test: data
	$(BIN)/python -m pytest

demo: install
	$(BIN)/autograder demo

release: install
	$(BIN)/autograder release

check-release: install
	$(BIN)/autograder release --check
