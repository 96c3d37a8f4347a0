"""The figure registry: one registered function per reproduced paper figure.

A figure function takes a :class:`Mode` (``full`` for the paper's settings, ``fast`` for the test-suite)
and returns a :class:`FigureOutput`: the matplotlib figure *and* the data behind every panel, so tests
check numbers, not pixels. ``w2s-theory reproduce NAME|all`` and ``make figures`` call
:func:`reproduce`, which writes ``<out>/<name>.png``.
"""

from w2s_theory.figures.registry import FigureOutput, Mode, figure, figure_names, register, reproduce

__all__ = ["FigureOutput", "Mode", "figure", "figure_names", "register", "reproduce"]
