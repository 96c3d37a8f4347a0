"""Notebooks: each .ipynb is in sync with its jupytext py:percent source, executes in fast mode and embeds its
figures."""

import warnings
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.py"))
#: Seconds one cell may take. The slowest fast-mode cell takes 12 s on a quiet 2-core machine (the whole
#: slowest notebook 22 s), so a cell that has not answered after five times that is waiting on a lost
#: kernel message, not computing: during a full parallel test run nbclient sometimes waits for a reply the
#: idle kernel already sent (seen with the kernel idle in its event loop and the client in ``execute``; the
#: same notebook run alone never stalled). Such a run is retried once.
CELL_TIMEOUT = 60


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_ipynb_is_in_sync_with_its_py_source(source):
    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"missing {paired.name}: run `jupytext --to ipynb {source}`"
    cells = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]
    assert cells(jupytext.read(source)) == cells(jupytext.read(paired)), (
        f"{paired.name} is out of sync: run `jupytext --sync {source}`"
    )


def _execute(source: Path):
    nb = jupytext.read(source)
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}
    )
    client.execute()
    return nb


@pytest.mark.timeout(3 * CELL_TIMEOUT)
@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_in_fast_mode(source, monkeypatch):
    """Runs the notebook as a reader would (inline matplotlib backend, so figures are embedded as PNGs),
    in fast mode (``W2S_FAST=1``: see each notebook's first cell); one retry after a lost kernel reply
    (:data:`CELL_TIMEOUT`)."""
    monkeypatch.setenv("W2S_FAST", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebooks select the inline backend themselves
    try:
        nb = _execute(source)
    except (CellTimeoutError, DeadKernelError) as err:
        warnings.warn(f"{source.stem}: {type(err).__name__}; retrying once", stacklevel=1)
        nb = _execute(source)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{source.stem}: no figure was embedded in the executed notebook (no image/png output)"
