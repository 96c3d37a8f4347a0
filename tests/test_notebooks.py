"""Notebooks: each .ipynb is in sync with its jupytext py:percent source and executes in fast mode."""

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
    monkeypatch.setenv("W2S_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = jupytext.read(source)
    NotebookClient(
        nb, timeout=540, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}
    ).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors
