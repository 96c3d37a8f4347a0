"""Test-session configuration: float64, strict rank promotion, deterministic Hypothesis, and one JAX
compilation cache per session shared with every subprocess (notebook kernels, CLI runs, the 4-device and
float32 checks), so a program compiled once is not compiled again in another process of the same run."""

import atexit
import os
import shutil
import tempfile

import jax

#: The session's cache: made by the first process that loads this file (the pytest controller) and
#: inherited through the environment by the xdist workers and every subprocess, which therefore share it.
_COMPILE_CACHE = os.environ.get("W2S_TEST_JAX_CACHE", "")
if not _COMPILE_CACHE:
    _COMPILE_CACHE = tempfile.mkdtemp(prefix="w2s-test-jax-cache-")
    atexit.register(shutil.rmtree, _COMPILE_CACHE, ignore_errors=True)  # only its creator removes it
    os.environ["W2S_TEST_JAX_CACHE"] = _COMPILE_CACHE
os.environ["JAX_COMPILATION_CACHE_DIR"] = _COMPILE_CACHE  # read by jax in every subprocess
# cache every program, not only those that took over a second to compile: most trial programs of the
# fast test configurations compile in well under a second, and several processes compile the same ones
os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
jax.config.update("jax_compilation_cache_dir", _COMPILE_CACHE)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from w2s_theory.testing import RECORDED  # noqa: E402

# Derandomized: the same examples (hence the same fixed MC seeds) on every run and in CI.
settings.register_profile(
    "w2s",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("w2s")


#: Seconds each of the slowest test files takes (``pytest --durations=0`` summed per file, 2-core machine).
#: The suite runs them first (:func:`pytest_collection_modifyitems`, with ``--no-loadscope-reorder``), so
#: the many short files fill the end of both workers' time. The numbers only order the files: a stale
#: entry costs balance, never a check.
FILE_SECONDS = {
    "test_conformance.py": 154,
    "test_notebooks.py": 74,
    "test_simulate_spurious.py": 73,
    "test_simulate_discrepancy.py": 61,
    "test_readme.py": 37,
    "test_remedy_pipeline.py": 32,
    "test_sweep.py": 30,
    "test_gcm_simulate.py": 19,
    "test_figures_spurious.py": 14,
    "test_wishart.py": 13,
    "test_multiteacher_simulate.py": 12,
    "test_features_simulate.py": 10,
}


def pytest_collection_modifyitems(items):
    """Longest files first (:data:`FILE_SECONDS`); a stable sort, so every file's tests stay together and
    in order, and the other files keep the collection order."""
    items.sort(key=lambda item: -FILE_SECONDS.get(item.path.name, 0))


#: (comparisons, largest |z|, its label) of each pytest-xdist worker, collected on the controller.
_WORKERS: list[tuple[int, float, str]] = []


def _summary() -> tuple[int, float, str] | None:
    if not RECORDED:
        return None
    worst = max(RECORDED, key=lambda a: abs(a.z))
    return len(RECORDED), abs(worst.z), worst.label


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)  # set on pytest-xdist workers
    if workeroutput is not None and (summary := _summary()):
        workeroutput["mc_vs_theory"] = summary


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    if summary := node.workeroutput.get("mc_vs_theory"):
        _WORKERS.append(tuple(summary))


def pytest_terminal_summary(terminalreporter):
    parts = [s for s in (_summary(), *_WORKERS) if s]
    if parts:
        count = sum(p[0] for p in parts)
        _, z, label = max(parts, key=lambda p: p[1])
        terminalreporter.write_line(f"MC-vs-theory: {count} comparisons, largest |z| = {z:.2f} ({label})")
