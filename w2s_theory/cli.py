"""Command line: ``w2s-theory list`` and ``w2s-theory reproduce NAME|all``.

typer gives typed options, ``--help`` and shell completion; tqdm (inside the figure functions) shows
progress with an ETA.
"""

from __future__ import annotations

from pathlib import Path

import jax
import typer

from w2s_theory.figures import Mode, figure_names, reproduce

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.callback()
def _main() -> None:
    jax.config.update("jax_enable_x64", True)  # the CLI, like tests and notebooks, runs in float64


@app.command("list")
def list_figures() -> None:
    """List the registered figures."""
    from w2s_theory.figures import REGISTRY

    for name in figure_names():
        spec = REGISTRY[name]
        typer.echo(f"{name:32s} {spec.paper}: {spec.description}")


@app.command("reproduce")
def reproduce_cmd(
    name: str = typer.Argument(..., help="a figure name from `w2s-theory list`, or `all`"),
    out: Path = typer.Option(Path("figures"), help="directory for the PNGs"),
    fast: bool = typer.Option(False, help="few trials and coarse grids (seconds, for CI)"),
    cache: Path | None = typer.Option(
        Path("runs/figures"), help="per-point results, so an interrupted run resumes; '' to disable"
    ),
) -> None:
    """Recompute figure NAME (or all) and write PNGs."""
    names = figure_names() if name == "all" else [name]
    if not names:
        typer.echo("no figures are registered yet")
        return
    unknown = [n for n in names if n not in figure_names()]
    if unknown:
        raise typer.BadParameter(f"unknown figure {unknown[0]!r}; see `w2s-theory list`", param_hint="NAME")
    cache_dir = cache if cache and str(cache) else None
    for n in names:
        path = reproduce(n, out, Mode(fast=fast, cache_dir=cache_dir / n if cache_dir else None))
        typer.echo(f"wrote {path}")


if __name__ == "__main__":
    app()
