"""Notebooks: each .ipynb is in sync with its jupytext py:percent source, executes in fast mode and embeds its
figures."""

from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.py"))


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_ipynb_is_in_sync_with_its_py_source(source):
    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"missing {paired.name}: run `jupytext --to ipynb {source}`"
    cells = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]
    assert cells(jupytext.read(source)) == cells(jupytext.read(paired)), (
        f"{paired.name} is out of sync: run `jupytext --sync {source}`"
    )


@pytest.mark.timeout(600)
@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_in_fast_mode(source, monkeypatch):
    """Runs the notebook as a reader would (inline matplotlib backend, so figures are embedded as PNGs),
    in fast mode (``W2S_FAST=1``: see each notebook's first cell)."""
    monkeypatch.setenv("W2S_FAST", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebooks select the inline backend themselves
    nb = jupytext.read(source)
    NotebookClient(
        nb, timeout=540, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{source.stem}: no figure was embedded in the executed notebook (no image/png output)"
