"""Notebooks: each .ipynb is in sync with its jupytext py:percent source, executes in fast mode and embeds its
figures."""

import time
from pathlib import Path
from queue import Empty

import jupytext
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.py"))
#: Seconds one cell may take: five times the slowest fast-mode cell (12 s on a quiet 2-core machine).
CELL_TIMEOUT = 60
#: Longest single wait on a kernel channel (:class:`PollingClient`).
POLL_SECONDS = 0.5


class PollingClient(NotebookClient):
    """A :class:`~nbclient.NotebookClient` whose waits on the kernel's shell and IOPub channels are cut into
    :data:`POLL_SECONDS` slices.

    On a loaded machine the client sometimes waited out a whole cell timeout for a reply the kernel had
    already sent (py-spy: kernel idle in its event loop, client in ``shell_channel.get_msg``), after which
    the reply was read and the notebook completed: 2 of 20 loaded runs of one notebook, and 3 of 12 notebook
    runs in two full suites, each costing the whole timeout. With this client: none in 24 loaded runs. ``get_msg`` awaits ``socket.poll(timeout)``, whose wake-up on arrival was
    missed; the final non-blocking check at the end of the wait finds the message. Short waits bound that
    delay by :data:`POLL_SECONDS` without changing what is read or the cell timeout.
    """

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        for channel in (kc.shell_channel, kc.iopub_channel):
            channel.get_msg = _sliced(channel.get_msg)
        return kc


def _sliced(get_msg):
    async def sliced_get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
            try:
                return await get_msg(timeout=max(left, 0.0))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    return sliced_get_msg


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
    client = PollingClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}
    )
    client.execute()
    return nb


@pytest.mark.timeout(2 * CELL_TIMEOUT)
@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_in_fast_mode(source, monkeypatch):
    """Runs the notebook as a reader would (inline matplotlib backend, so figures are embedded as PNGs),
    in fast mode (``W2S_FAST=1``: see each notebook's first cell)."""
    monkeypatch.setenv("W2S_FAST", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebooks select the inline backend themselves
    nb = _execute(source)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{source.stem}: no figure was embedded in the executed notebook (no image/png output)"
