"""Plot conventions shared by every figure: colours per estimator, MC markers, theory line styles.

Theory is drawn as lines (solid: exact finite-sample expectation; dotted: the paper's stated form),
Monte Carlo as markers with ±1 SE error bars, so a reader can tell derived from simulated at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

COLORS = {
    "weak": "tab:orange",
    "strong": "tab:green",
    "ceiling": "tab:purple",
    "w2s": "tab:blue",
}
LABELS = {"weak": "Weak", "strong": "S-Baseline", "ceiling": "S-Ceiling", "w2s": "W2S"}
SERIES_COLORS = ["tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange"]


def new_figure(nrows: int, ncols: int, width: float = 5.2, height: float = 3.8):
    """A figure with ``nrows x ncols`` axes (always a 2-d array) in the project's style."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
    return fig, axes


def theory_lines(
    ax, x: np.ndarray, exact: np.ndarray, stated: np.ndarray | None, color: str, label: str
) -> None:
    """Exact expectation (solid) and, if given, the paper's stated form (dotted) in the same colour."""
    ax.plot(x, exact, "-", color=color, lw=1.6, label=f"{label} exact")
    if stated is not None:
        ax.plot(x, stated, ":", color=color, lw=1.6, label=f"{label} stated")


def mc_points(
    ax,
    x: Sequence[float],
    mean: Sequence[float],
    se: Sequence[float],
    color: str,
    label: str,
    hollow: bool = False,
) -> None:
    """Monte Carlo means with ±1 SE bars."""
    ax.errorbar(
        x,
        mean,
        yerr=se,
        fmt="o",
        ms=4,
        capsize=2,
        color=color,
        mfc="white" if hollow else color,
        label=label,
    )
