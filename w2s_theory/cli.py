"""Command line: ``w2s-theory list``, ``w2s-theory reproduce NAME|all``, ``w2s-theory sweep CONFIG.toml``.

Built on typer (typed options, ``--help``); the figure functions and sweeps show tqdm progress bars.
The user-facing help texts are the strings below, written for a terminal (no markup).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
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
    _init_process()


@app.command("list")
def list_figures() -> None:
    """List the registered figures."""
    for name in figure_names():
        spec = figure(name)
        typer.echo(f"{name:32s} {spec.paper}: {spec.description}")


def _init_process(devices: int = 0) -> None:
    """Float64 and one BLAS thread, as :func:`_main` sets in the CLI process (also in a worker process);
    with ``devices``, that many CPU devices (:func:`_use_cpu_devices`)."""
    jax.config.update("jax_enable_x64", True)  # the CLI, like tests and notebooks, runs in float64
    # OpenBLAS threads stall on small matrices on loaded few-core machines (w2s_theory._trials): the
    # heavy work runs in XLA's own thread pool, so the CLI process keeps BLAS to one thread.
    threadpool_limits(limits=1, user_api="blas")
    if devices:
        _use_cpu_devices(devices)


def _use_cpu_devices(devices: int) -> None:
    """Split JAX's CPU into ``devices`` devices, over which the driver shards each chunk's trials (the
    numbers are the same for any device count): on CPU a device runs its trials one after another, so one
    device per core runs trials side by side. Left alone when the user chose a count
    (``JAX_NUM_CPU_DEVICES``, or ``--xla_force_host_platform_device_count`` in ``XLA_FLAGS``)."""
    if "JAX_NUM_CPU_DEVICES" in os.environ or "host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        return
    jax.config.update("jax_num_cpu_devices", devices)  # before the first JAX computation of this process


def _reproduce_one(name: str, out: Path, fast: bool, cache: Path | None, progress: bool, devices: int) -> str:
    """One figure, in this process or in a worker process; returns what to print (the PNG's path and the
    seconds it took). Each figure has its own per-point store (a store is locked while a sweep writes to
    it, so figures running at once cannot share one)."""
    _init_process(devices)
    store = None if cache is None else cache / ("fast" if fast else "full") / name
    start = time.perf_counter()
    path = reproduce(name, out, Mode(fast=fast, cache_dir=store, progress=progress))
    return f"wrote {path} ({time.perf_counter() - start:.1f} s)"


#: ``prctl`` option: the signal the kernel sends this process when its parent ends (Linux).
_PR_SET_PDEATHSIG = 1


def _end_with_parent(parent: int) -> None:
    """Initializer of a figure worker: on Linux, ask the kernel to send it SIGTERM when the CLI process
    ends, however it ends (SIGTERM and SIGKILL included), so a stopped ``reproduce all`` leaves no worker
    computing on. If the CLI process has already ended, exit at once."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(1)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@app.command("reproduce")
def reproduce_cmd(
    name: str = typer.Argument(..., help="a figure name from `w2s-theory list`, or `all`"),
    out: Path = typer.Option(Path("figures"), help="directory for the PNGs"),
    fast: bool = typer.Option(False, help="few trials and coarse grids (seconds, for CI)"),
    cache: Path = typer.Option(
        Path("runs/figures"), help="per-point MC results, so an interrupted run resumes"
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="recompute everything and store nothing"),
    jobs: int = typer.Option(
        0,
        min=0,
        help="figures computed at once, each in its own process (0: one per CPU core). Compilation is "
        "mostly single-threaded, so on 2 cores 2 jobs take about half the wall time; results are the same",
    ),
    devices: int = typer.Option(
        0,
        min=0,
        help="CPU devices per figure process, over which its trials are split (0: cores / jobs, at least "
        "1); results are the same for any number",
    ),
) -> None:
    """Recompute figure NAME (or all) and write PNGs.

    \b
    Compiled programs are reused across runs when JAX's persistent compilation cache is on, e.g.
        JAX_COMPILATION_CACHE_DIR=~/.cache/w2s-theory/jax w2s-theory reproduce all
    """
    names = figure_names() if name == "all" else [name]
    if not names:
        typer.echo("no figures are registered yet")
        return
    unknown = [n for n in names if n not in figure_names()]
    if unknown:
        raise typer.BadParameter(f"unknown figure {unknown[0]!r}; see `w2s-theory list`", param_hint="NAME")
    store = None if no_cache else cache
    jobs = min(jobs or _cores(), len(names))
    devices = devices or max(1, _cores() // jobs)
    if jobs == 1:
        for n in names:
            typer.echo(_reproduce_one(n, out, fast, store, True, devices))
        return
    # spawn, not fork: a forked JAX process can deadlock
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        jobs, mp_context=spawn, initializer=_end_with_parent, initargs=(os.getpid(),)
    ) as pool:
        futures = {pool.submit(_reproduce_one, n, out, fast, store, False, devices): n for n in names}
        for future in as_completed(futures):
            typer.echo(future.result())


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


@app.command("features")
def features_cmd(
    weak: Path = typer.Argument(
        ..., exists=True, dir_okay=False, metavar="WEAK.npy", help="weak model's features: M x p_w .npy"
    ),
    strong: Path = typer.Argument(
        ..., exists=True, dir_okay=False, metavar="STRONG.npy", help="strong model's features: M x p_s .npy"
    ),
    k_w: str = typer.Option(..., "--k-w", help="weak components kept: an integer, rank, or energy=0.99"),
    k_s: str = typer.Option(..., "--k-s", help="strong components kept: an integer, rank, or energy=0.99"),
    out: Path = typer.Option(..., help="output directory: report.md and features.png"),
    target: Path = typer.Option(None, exists=True, dir_okay=False, help="known target: M-vector .npy"),
    sigma2: float = typer.Option(None, help="label-noise variance (with --target)"),
    labels: Path = typer.Option(
        None, exists=True, dir_okay=False, help="noisy labels: M-vector .npy (sigma2 is then estimated)"
    ),
    n: str = typer.Option(None, "--n", help="labelled sample sizes, comma-separated (default: 3 from 2k+4)"),
    N: str = typer.Option(
        None, "--N", help="unlabelled sample sizes, comma-separated (default: 3 from 2k_s+4)"
    ),
    trials: int = typer.Option(300, help="Monte Carlo trials per (n, N) point"),
    seed: int = typer.Option(0, help="Monte Carlo seed"),
) -> None:
    """Predict and measure W2S from two feature matrices of the same inputs; write OUT/report.md and
    OUT/features.png.

    \b
    Give either --target T.npy --sigma2 S (known target, label noise S) or --labels Y.npy (noisy labels;
    the noise variance is estimated from the residual of a fit on both blocks). Each block is centred and
    truncated to its top principal components (--k-w, --k-s). The report lists the dimensions, the overlap
    d_sw of the two spans against unrelated spans, the canonical correlations, the Gaussian-design factors
    and, per (n, N), the predicted (exact and stated forms) and measured risks, PGR and OPR with SEs.
    \b
    Example:
        w2s-theory features weak.npy strong.npy --target y.npy --sigma2 0.5 --k-w 20 --k-s 8 \\
            --n 44,100,200 --N 20,100,400 --out report/
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from w2s_theory.features import FeatureModel, authors_d_sw
    from w2s_theory.features.model import parse_truncation
    from w2s_theory.features.report import markdown_report
    from w2s_theory.figures.features import feature_curves

    if (labels is None) == (target is None):
        raise typer.BadParameter(
            "give exactly one of --target (with --sigma2) or --labels", param_hint="--target"
        )
    if target is not None and sigma2 is None:
        raise typer.BadParameter("--target needs --sigma2 (the label-noise variance)", param_hint="--sigma2")

    def sizes(text: str | None, name: str) -> list[int] | None:
        try:
            return None if text is None else [int(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise typer.BadParameter(
                f"expected comma-separated integers, got {text!r}", param_hint=name
            ) from None

    F_w, F_s = np.load(weak), np.load(strong)
    try:
        kw, ks = parse_truncation(k_w), parse_truncation(k_s)
        if labels is not None:
            model = FeatureModel.from_labels(F_w, F_s, np.load(labels), kw, ks)
        else:
            model = FeatureModel.from_features(F_w, F_s, np.load(target), sigma2, kw, ks)
    except (ValueError, TypeError) as err:
        raise typer.BadParameter(str(err), param_hint="WEAK/STRONG/--target/--labels/--k-w/--k-s") from err
    k = max(model.d_w, model.d_s)
    ns = sizes(n, "--n") or [2 * k + 4, 4 * k + 4, 10 * k]
    Ns = sizes(N, "--N") or [2 * model.d_s + 4, 10 * model.d_s, 50 * model.d_s]
    if min(ns) <= k + 1 or min(Ns) <= model.d_s + 1:
        raise typer.BadParameter(
            f"the exact forms need every n > max(d_w, d_s) + 1 = {k + 1} and every N > d_s + 1 = "
            f"{model.d_s + 1}; got n = {ns}, N = {Ns}",
            param_hint="--n/--N",
        )
    typer.echo(repr(model))
    factors = {min(ns): model.design_check(min(ns))}
    fig_out = feature_curves(
        model, ns, Ns, trials=trials, seed=seed, title=f"{weak.name} -> {strong.name}", progress=True
    )
    out.mkdir(parents=True, exist_ok=True)
    fig_out.figure.savefig(out / "features.png", dpi=130, bbox_inches="tight")
    plt.close(fig_out.figure)
    d = min(F_w.shape[1], F_s.shape[1])
    authors = authors_d_sw(F_w, F_s, model.d_w, model.d_s, seed) if max(model.d_w, model.d_s) <= d else None
    report = markdown_report(
        model,
        fig_out.data["table"]["rows"],
        factors,
        trials=trials,
        authors_d_sw=authors,
        figure="features.png",
    )
    (out / "report.md").write_text(report)
    for block, est in factors[min(ns)].items():
        if est.value > 1.2:
            typer.echo(
                f"warning: the {block} block's Gaussian-design factor is {est.value:.3g} > 1.2", err=True
            )
    typer.echo(f"wrote {out / 'report.md'} and {out / 'features.png'}")


if __name__ == "__main__":
    app()
