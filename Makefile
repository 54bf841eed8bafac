# Two commands for a newcomer on a fresh Debian 12 with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

# The virtualenv is rebuilt when pyproject.toml changes; the stamp files record what is installed.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.app

demo:
	@bash scripts/system-deps.sh demo
	@$(MAKE) --no-print-directory $(VENV)/.app
	$(BIN)/kiosk demo

test:
	@bash scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(VENV)/.test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(VENV)/.app
	$(BIN)/python bench/run.py
	$(BIN)/python bench/sales.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
