"""Plot conventions shared by every figure: colours per estimator, MC markers, theory line styles, legends.

Theory is drawn as lines (solid: exact finite-sample expectation or exact limit; dotted or dashed: the
paper's stated / leading-order form), Monte Carlo as markers with ±1 SE error bars, so a reader can tell
derived from simulated at a glance. Every figure's legend says which is which: colours name the curves
(:func:`color_key`), a second key names the line styles and markers (:func:`style_key`). Figures use
matplotlib's constrained layout, so titles, axis labels and legends placed outside the axes
(:func:`outside_legend`) do not overlap.
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
LABELS = {
    "weak": "weak teacher",
    "strong": "S-Baseline (strong, n labels)",
    "ceiling": "S-Ceiling (strong, n + N labels)",
    "w2s": "W2S (strong, N pseudo-labels)",
}
SERIES_COLORS = ["tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange"]

#: Legend wording, the same in every figure.
EXACT = "exact expectation"
STATED = "stated (paper's form)"
LEADING = "leading-order theory"
MC = "Monte Carlo ± 1 SE"


def new_figure(nrows: int, ncols: int, width: float = 5.2, height: float = 3.8):
    """A figure with ``nrows x ncols`` axes (always a 2-d array) in the project's style, laid out by
    matplotlib's constrained layout (no overlapping titles, labels or outside legends)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, layout="constrained"
    )
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
    return fig, axes


def theory_lines(
    ax,
    x: np.ndarray,
    exact: np.ndarray,
    stated: np.ndarray | None,
    color: str,
    label: str | None = None,
) -> None:
    """Exact expectation (solid) and, if given, the paper's stated form (dotted) in the same colour.
    Unlabelled unless ``label`` is given (the figure's :func:`style_key` explains the styles)."""
    ax.plot(x, exact, "-", color=color, lw=1.6, label=f"{label}: {EXACT}" if label else None)
    if stated is not None:
        ax.plot(x, stated, ":", color=color, lw=1.6, label=f"{label}: {STATED}" if label else None)


def mc_points(
    ax,
    x: Sequence[float],
    mean: Sequence[float],
    se: Sequence[float],
    color: str,
    label: str | None = None,
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


def line_handle(label: str, color: str = "k", ls: str = "-", lw: float = 1.6, marker: str | None = None):
    """A legend entry for a line style (or a coloured line with a marker)."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, ls=ls, lw=lw, marker=marker, ms=5, label=label)


def marker_handle(label: str, color: str = "k", marker: str = "o", hollow: bool = False, ms: float = 5):
    """A legend entry for a marker (MC points)."""
    from matplotlib.lines import Line2D

    return Line2D(
        [], [], color=color, ls="none", marker=marker, ms=ms, mfc="white" if hollow else color, label=label
    )


def color_key(labels_colors: Sequence[tuple[str, str]]) -> list:
    """Legend entries naming the curves by colour."""
    return [line_handle(label, color=color, marker="o") for label, color in labels_colors]


def style_key(*entries: tuple[str, str]) -> list:
    """Legend entries naming the line styles / markers: ``(kind, label)`` with kind a matplotlib line
    style (``"-"``, ``":"``, ``"--"``, ``"-."``) or ``"mc"`` / ``"mc_hollow"`` for MC markers."""
    out = []
    for kind, label in entries:
        if kind in ("mc", "mc_hollow"):
            out.append(marker_handle(label, hollow=kind == "mc_hollow"))
        else:
            out.append(line_handle(label, ls=kind))
    return out


def outside_legend(fig, *groups: Sequence, rows: int = 2, fontsize: float = 8):
    """One legend for the whole figure, below the axes (needs the constrained layout of
    :func:`new_figure`): each group of handles (e.g. the colour key, then the style key) fills whole
    columns of ``rows`` entries, so the groups do not interleave."""
    from matplotlib.lines import Line2D

    handles: list = []
    for group in groups:
        group = list(group)
        pad = -len(group) % rows
        handles += group + [Line2D([], [], ls="none", label=" ")] * pad
    return fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=len(handles) // rows,
        fontsize=fontsize,
        frameon=False,
    )


def figure_texts(fig) -> list[str]:
    """Every piece of text a reader sees in ``fig`` (suptitle, titles, axis and colorbar labels, legends,
    free text): for tests that check wording without looking at pixels."""
    texts = [t.get_text() for t in fig.texts] + [fig.get_suptitle()]
    legends = list(fig.legends)
    for ax in fig.axes:
        texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
        texts += [ax.get_xlabel(), ax.get_ylabel()] + [t.get_text() for t in ax.texts]
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for legend in legends:
        texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t]


#: Words no figure may show: internal documents are not a source a reader of the paper can look up.
FORBIDDEN_WORDS = ("spec", "§", "shared/")


def forbidden_words(fig) -> list[str]:
    """The texts of ``fig`` that mention an internal document (see :data:`FORBIDDEN_WORDS`)."""
    return [t for t in figure_texts(fig) if any(w in t.lower() for w in FORBIDDEN_WORDS)]
