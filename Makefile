# Two entry points for a fresh machine: `make demo` and `make test`.
# Another interpreter: `PYTHON=python3.12 make test` makes and uses .venv-3.12 (VENV=... to choose).
PYTHON ?= python3
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PYTHON_VERSION),)
$(error PYTHON=$(PYTHON) does not run: is it installed and on PATH?)
endif
ifeq ($(origin PYTHON),file)
VENV ?= .venv
else
VENV ?= .venv-$(PYTHON_VERSION)
endif
BIN := $(VENV)/bin
# An environment made with another interpreter is never used in its place.
VENV_VERSION := $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifneq ($(VENV_VERSION),)
ifneq ($(VENV_VERSION),$(PYTHON_VERSION))
$(error $(VENV) has Python $(VENV_VERSION), PYTHON=$(PYTHON) is $(PYTHON_VERSION): pass VENV=<another folder>, or remove $(VENV))
endif
endif

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
