"""Command line: ``w2s-theory list``, ``w2s-theory reproduce NAME|all``, ``w2s-theory sweep CONFIG.toml``.

Built on typer (typed options, ``--help``); the figure functions and sweeps show tqdm progress bars.
The user-facing help texts are the strings below, written for a terminal (no markup).
"""

from __future__ import annotations

from pathlib import Path

import jax
import typer
from threadpoolctl import threadpool_limits

from w2s_theory.figures import Mode, figure, figure_names, reproduce

HELP = """Weak-to-strong generalization theory: reproduce the papers' figures and run Monte Carlo sweeps.

Every number is computed in float64; figures and sweeps store each finished point, so an interrupted
run continues where it stopped."""

app = typer.Typer(add_completion=False, no_args_is_help=True, help=HELP, rich_markup_mode=None)


@app.callback()
def _main() -> None:
    jax.config.update("jax_enable_x64", True)  # the CLI, like tests and notebooks, runs in float64
    # OpenBLAS threads stall on small matrices on loaded few-core machines (w2s_theory._trials): the
    # heavy work runs in XLA's own thread pool, so the CLI process keeps BLAS to one thread.
    threadpool_limits(limits=1, user_api="blas")


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
    """Run a Monte Carlo sweep described by a TOML file; write OUT/summary.csv.

    \b
    Example CONFIG (the grid is a cartesian product):
        seed = 0
        trials = 40
        engine = "wishart"          # subspace models: "wishart" or "design"
        [model]
        kind = "notebook"           # notebook | coordinate | principal_angles |
        doff = 90                   # spurious_canonical | spurious_random
        [grid]
        n = [400, 2000]             # spurious kinds also need eta_l, eta_u, eta_t
        N = [4000]
        sigma2 = [0.01, 0.1]

    Each row of summary.csv holds the point, the model's invariants, and per risk the Monte Carlo mean,
    its standard error and the exact value; PGR and OPR as ratio of means and as mean of ratios. OUT is
    locked while the sweep runs. Ctrl-C keeps every finished point: run again with --resume.
    """
    from w2s_theory._sweep import DirectoryLockedError, count_stored, lock_directory, remove_temp_files
    from w2s_theory.sweep import ConfigError, load_config, run

    try:
        cfg = load_config(config)
    except ConfigError as err:
        raise typer.BadParameter(str(err), param_hint="CONFIG") from err
    try:
        with lock_directory(out):
            remove_temp_files(out)  # e.g. a summary.csv half-written by a killed run
            summary = run(cfg, out, resume=resume)
    except DirectoryLockedError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    except FileExistsError as err:
        raise typer.BadParameter(str(err), param_hint="--out") from err
    except KeyboardInterrupt:
        done = count_stored(cfg.points, seed=cfg.seed, store=out / "points")
        typer.echo(
            f"interrupted: {done} of {len(cfg.points)} points are stored in {out}; "
            "run the same command with --resume to continue",
            err=True,
        )
        raise typer.Exit(130) from None
    typer.echo(f"{len(cfg.points)} points; summary in {summary}")


if __name__ == "__main__":
    app()
