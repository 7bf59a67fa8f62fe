# Two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= models/us_1gw_2030.yaml
OUT ?= results/us_1gw_2030

.PHONY: demo test lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/siting solve $(SCENARIO) --out $(OUT) --force

test: $(VENV)/.installed
	$(BIN)/ruff check siting tests benchmarks data/build
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check siting tests benchmarks data/build
	$(BIN)/ruff format --check siting tests

clean:
	rm -rf $(VENV) results .pytest_cache
