"""Command line: ``w2s-theory list``, ``w2s-theory reproduce NAME|all``, ``w2s-theory sweep CONFIG.toml``.

typer gives typed options, ``--help`` and shell completion; tqdm (inside the figure functions) shows
progress with an ETA.
"""

from __future__ import annotations

from pathlib import Path

import jax
import typer

from w2s_theory.figures import Mode, figure, figure_names, reproduce

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.callback()
def _main() -> None:
    jax.config.update("jax_enable_x64", True)  # the CLI, like tests and notebooks, runs in float64


@app.command("list")
def list_figures() -> None:
    """List the registered figures."""
    for name in figure_names():
        spec = figure(name)
        typer.echo(f"{name:32s} {spec.paper}: {spec.description}")


@app.command("reproduce")
def reproduce_cmd(
    name: str = typer.Argument(..., help="a figure name from `w2s-theory list`, or `all`"),
    out: Path = typer.Option(Path("figures"), help="directory for the PNGs"),
    fast: bool = typer.Option(False, help="few trials and coarse grids (seconds, for CI)"),
    cache: Path = typer.Option(
        Path("runs/figures"), help="per-point MC results, so an interrupted run resumes"
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="recompute everything and store nothing"),
) -> None:
    """Recompute figure NAME (or all) and write PNGs."""
    names = figure_names() if name == "all" else [name]
    if not names:
        typer.echo("no figures are registered yet")
        return
    unknown = [n for n in names if n not in figure_names()]
    if unknown:
        raise typer.BadParameter(f"unknown figure {unknown[0]!r}; see `w2s-theory list`", param_hint="NAME")
    for n in names:
        path = reproduce(
            n, out, Mode(fast=fast, cache_dir=None if no_cache else cache / ("fast" if fast else "full"))
        )
        typer.echo(f"wrote {path}")


@app.command("sweep")
def sweep_cmd(
    config: Path = typer.Argument(..., exists=True, dir_okay=False, help="TOML sweep config"),
    out: Path = typer.Option(
        ..., help="output directory: points/*.npz (one per finished point) and summary.csv"
    ),
    resume: bool = typer.Option(False, help="continue a sweep in OUT, skipping finished points"),
) -> None:
    """Run a sweep of the subspace model (see w2s_theory.discrepancy.sweep for the config format)."""
    from w2s_theory.discrepancy.sweep import ConfigError, load_config, run

    try:
        cfg = load_config(config)
    except ConfigError as err:
        raise typer.BadParameter(str(err), param_hint="CONFIG") from err
    try:
        summary = run(cfg, out, resume=resume)
    except FileExistsError as err:
        raise typer.BadParameter(str(err), param_hint="--out") from err
    typer.echo(f"{len(cfg.points)} points; summary in {summary}")


if __name__ == "__main__":
    app()
