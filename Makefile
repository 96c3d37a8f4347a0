# Every target bootstraps .venv from a fresh clone: only python3 (>= 3.11) and make are needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: test figures lint notebooks clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,notebooks]"
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

figures: $(STAMP)
	$(PY) -m w2s_theory.cli reproduce all --out figures

lint: $(STAMP)
	$(PY) -m ruff check w2s_theory tests benchmarks notebooks
	$(PY) -m ruff format --check w2s_theory tests benchmarks notebooks

clean-venv:
	rm -rf $(VENV)
