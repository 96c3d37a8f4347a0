"""Every README example runs as printed: each ```python block followed directly by an output block is
executed, and its output must equal the printed one, digit for digit (fixed seeds make the Monte Carlo
lines reproducible on any machine: same bits for any BLAS thread count, chunking or device count)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```\n```\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_examples_with_printed_output():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("code,printed", EXAMPLES, ids=[f"example{i + 1}" for i in range(len(EXAMPLES))])
def test_readme_example_prints_what_the_readme_shows(code, printed):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})
    assert out.getvalue().strip() == printed.strip()


@pytest.mark.parametrize(
    "module",
    [
        "w2s_theory.discrepancy.api",
        "w2s_theory.spurious.api",
        "w2s_theory.gcm.api",
        "w2s_theory.features.api",
        "w2s_theory.multiteacher.api",
    ],
)
def test_docstring_examples_run_as_printed(module):
    """The ``Examples`` sections of the public classes are doctests."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
