"""Registry machinery shared by the figure modules of both papers."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Modules whose import registers figures (kept explicit so the registry is complete after one call).
FIGURE_MODULES: tuple[str, ...] = (
    "w2s_theory.figures.discrepancy",
    "w2s_theory.figures.explore",
    "w2s_theory.figures.spurious",
    "w2s_theory.figures.remedy",
    "w2s_theory.figures.features",
    "w2s_theory.figures.gcm",
    "w2s_theory.figures.rounds",
    "w2s_theory.figures.filtering",
    "w2s_theory.figures.multiteacher",
    "w2s_theory.figures.blend",
    "w2s_theory.figures.rgr",
    "w2s_theory.figures.double_descent",
    "w2s_theory.figures.misfit",
)


@dataclass(frozen=True)
class Mode:
    """How much work a figure does. ``fast`` is for tests and CI: few trials, coarse grids."""

    fast: bool = False
    #: Where per-point Monte Carlo results are stored so an interrupted run resumes (None: no storage).
    cache_dir: Path | None = None
    progress: bool = True

    def pick(self, full: Any, fast: Any) -> Any:
        """``fast`` in fast mode, ``full`` otherwise."""
        return fast if self.fast else full


@dataclass
class FigureOutput:
    """A rendered figure plus the data of each panel (``data[panel][series] -> array``)."""

    figure: Any  # matplotlib.figure.Figure
    data: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class FigureSpec:
    name: str
    paper: str
    description: str
    make: Callable[[Mode], FigureOutput]


REGISTRY: dict[str, FigureSpec] = {}


def register(name: str, *, paper: str, description: str):
    """Decorator: register ``make(mode) -> FigureOutput`` under ``name``."""

    def deco(make: Callable[[Mode], FigureOutput]) -> Callable[[Mode], FigureOutput]:
        if name in REGISTRY:
            raise ValueError(f"figure {name!r} is registered twice")
        REGISTRY[name] = FigureSpec(name, paper, description, make)
        return make

    return deco


def _load_all() -> None:
    for module in FIGURE_MODULES:
        importlib.import_module(module)


def figure_names() -> list[str]:
    """Names of every registered figure, in registration order."""
    _load_all()
    return list(REGISTRY)


def figure(name: str) -> FigureSpec:
    """The registered figure ``name`` (``figure(name).make(Mode(fast=True))`` gives its data and plot)."""
    _load_all()
    if name not in REGISTRY:
        raise KeyError(f"unknown figure {name!r}; registered: {', '.join(REGISTRY) or '(none)'}")
    return REGISTRY[name]


def reproduce(name: str, out_dir: Path, mode: Mode | None = None) -> Path:
    """Compute figure ``name`` and write ``out_dir/<name>.png`` (and ``<name>.md`` when the figure's data
    carries a ``data["table"]["markdown"]`` table); returns the PNG path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = figure(name).make(mode or Mode())
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.png"
    out.figure.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(out.figure)
    table = out.data.get("table", {}).get("markdown")
    if table is not None:
        path.with_suffix(".md").write_text(table)
    return path
