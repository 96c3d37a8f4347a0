# Every target bootstraps .venv from a fresh clone: only python3 (>= 3.11) and make are needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: test figures lint notebooks bench clean-venv

# uv resolves and installs the same versions as pip in about half the time (a fresh venv with no download
# cache: 21 s instead of 37 s); pip is the fallback where uv cannot be installed or run. --compile-bytecode
# does what pip does by default, so the test workers, kernels and subprocesses do not each compile the same
# sources (+9 s here, suite 336 s -> 317 s in one clean-clone comparison).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	( $(PY) -m pip install --quiet uv \
	  && $(PY) -m uv pip install --quiet --compile-bytecode --python $(PY) -e ".[test,notebooks]" ) \
	  || $(PY) -m pip install --quiet -e ".[test,notebooks]"
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

figures: $(STAMP)
	$(PY) -m w2s_theory.cli reproduce all --out figures

# Per-trial speed of the engines vs a naive NumPy loop and vs the machine's RNG + GEMM limits, and the
# wall time of `make figures`; writes benchmarks/results.json and the table in benchmarks/README.md.
bench: $(STAMP)
	timeout 3600 $(PY) benchmarks/bench.py --figures
	timeout 1800 $(PY) benchmarks/features_bench.py
	timeout 600 $(PY) benchmarks/gcm_bench.py

lint: $(STAMP)
	$(PY) -m ruff check w2s_theory tests benchmarks notebooks
	$(PY) -m ruff format --check w2s_theory tests benchmarks notebooks

clean-venv:
	rm -rf $(VENV)
