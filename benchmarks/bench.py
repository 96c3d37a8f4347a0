"""Speed of the discrepancy simulators on this machine, measured in one run (``make bench``).

Writes ``benchmarks/results.json`` and the table between the markers in ``benchmarks/README.md``:

* per-trial time of the Wishart engine, the design engine, a naive NumPy baseline (a Python loop of
  ``numpy.linalg.lstsq`` on full float64 designs) and, where PyTorch is installed, a re-implementation of
  the authors' notebook loop (PyTorch float32 ``torch.linalg.lstsq``), at the notebook's figure
  configuration and at a small one; the Wishart engine also with the CPU split into 2 devices
  (``jax_num_cpu_devices``: same bits, trials side by side); compile time separately; ratios;
* the machine's own limits in the same run: float64 Gram GEMM GFLOP/s (the design engine's shapes) and
  normals/s of JAX's default RNG, and each engine's time as a multiple of the bound they imply;
* closed-form throughput: exact expected risks over a 10^6-point grid;
* a new user's first result (fresh process: import, model, first 40-trial ``simulate``), without and with
  JAX's persistent compilation cache;
* with ``--figures``: wall time of ``make figures`` (its CLI command, per-point cache off), with one
  process per core and with one process.

Timings on a shared machine are noisy, so every claim is a ratio of numbers measured in this run; each
time is the minimum over interleaved repeats. A watchdog (``faulthandler``) ends the run with a traceback
if one step exceeds ``--step-timeout`` seconds.
"""

from __future__ import annotations

import argparse
import faulthandler
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

from w2s_theory._trials import cpu_blas_single_thread  # noqa: E402
from w2s_theory._wishart import strict_upper_count  # noqa: E402
from w2s_theory.discrepancy import SubspaceModel  # noqa: E402
from w2s_theory.discrepancy.family import FAMILY  # noqa: E402
from w2s_theory.discrepancy.fits import Problem, unlabelled_width  # noqa: E402
from w2s_theory.discrepancy.theory import expected_risks  # noqa: E402
from w2s_theory.discrepancy.trial import ENGINES, Static, Traced, rows_for  # noqa: E402
from w2s_theory.family import _compiled  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: name -> (notebook() arguments, n, N, columns the notebook samples, trials per timed call per engine)
CONFIGS = {
    "figure": (
        {"d_w": 200, "d_s": 100, "doff": 90},
        2000,
        4000,
        300,
        {"wishart": 1024, "design": 16, "naive": 4},
    ),
    "small": (
        {"d": 400, "d_w": 20, "d_s": 10, "doff": 9, "d_gt": 30},
        200,
        400,
        30,
        {"wishart": 2048, "design": 512, "naive": 64},
    ),
}
REPEATS = 3


def _best(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return min(times)


def _step(limit: float) -> None:
    faulthandler.cancel_dump_traceback_later()
    faulthandler.dump_traceback_later(limit, exit=True)


# ----------------------------------------------------------------------------------------------- limits
def machine_limits(n: int, N: int, r: int, d_s: int) -> dict[str, float]:
    """JAX RNG normals/s and float64 Gram GEMM GFLOP/s, at the design engine's shapes."""
    key = jax.random.key(0)
    normal = jax.jit(lambda k: jax.random.normal(k, (n + N, r)))
    normal(key).block_until_ready()
    t_normal = _best(lambda: normal(key), 5)
    Z, Zt = jax.random.normal(key, (n, r)), jax.random.normal(key, (N, r))
    gram = jax.jit(lambda Z, Zt: (Z.T @ Z, Zt[:, :d_s].T @ Zt))
    gram(Z, Zt)
    t_gram = _best(lambda: gram(Z, Zt), 5)
    flops = 2.0 * n * r * r + 2.0 * N * d_s * r
    return {"normals_per_s": (n + N) * r / t_normal, "gemm_gflops": flops / t_gram / 1e9}


def design_bound_s(n: int, N: int, r: int, d_s: int, limits: dict[str, float]) -> float:
    """Time the design engine cannot beat: its normals at the RNG's rate plus its Gram GEMMs at GEMM rate."""
    normals = (n + N) * (r + 1)
    flops = 2.0 * n * min(n, r) * r + 2.0 * N * min(N, d_s) * r
    return normals / limits["normals_per_s"] + flops / (limits["gemm_gflops"] * 1e9)


def wishart_bound_s(n: int, N: int, r: int, d_s: int, limits: dict[str, float]) -> float:
    """Time the Wishart engine cannot beat: its draws (both Bartlett triangles, the unlabelled one with its
    compressed ``d_s + 2`` columns, both noise vectors and one candidate per chi-square, all at the normal
    rate) plus its GEMM-shaped products at GEMM rate: the baseline's Gram matrix and the unlabelled
    factor's, which the ceiling adds to it (the student design ``T B_s`` is two column gathers)."""
    rows, rows_u = rows_for("wishart", n, N, r, d_s)
    normals = (
        strict_upper_count(rows, r)
        + strict_upper_count(rows_u, unlabelled_width(r, d_s))
        + 2 * (rows + rows_u)
    )
    flops = 2.0 * (rows + rows_u) * d_s * d_s
    return normals / limits["normals_per_s"] + flops / (limits["gemm_gflops"] * 1e9)


# ---------------------------------------------------------------------------------------------- engines
def compile_seconds(model: SubspaceModel, n: int, N: int, trials: int, engine: str) -> float:
    """Compilation of the shared driver's program for one chunk of ``trials`` trials."""
    problem = Problem.from_model(model)
    static = Static(engine, problem.r, rows_for(engine, n, N, problem.r, problem.d_s))
    traced = Traced(problem, jax.numpy.asarray(float(n)), jax.numpy.asarray(float(N)))
    start = time.perf_counter()
    indices = np.arange(trials, dtype=np.uint32)
    _compiled(FAMILY, static).lower(jax.random.key(0), indices, traced).compile()
    return time.perf_counter() - start


def engine_seconds_per_trial(model: SubspaceModel, n: int, N: int, trials: int, engine: str) -> float:
    """One ``simulate`` call of ``trials`` trials in one compiled chunk (compiled by an earlier call)."""
    run = lambda: model.simulate(n, N, trials=trials, seed=1, engine=engine, chunk_size=trials)
    return _best(run, 1) / trials


def naive_trial(rng: np.random.Generator, beta: np.ndarray, sup_w, sup_s, n: int, N: int, sigma: float):
    """One trial as users write it: full float64 designs over the sampled columns, four lstsq calls."""
    Z, Zt = rng.standard_normal((n, beta.size)), rng.standard_normal((N, beta.size))
    y = Z @ beta + sigma * rng.standard_normal(n)
    yt = Zt @ beta + sigma * rng.standard_normal(N)
    lstsq = lambda X, t: np.linalg.lstsq(X, t, rcond=None)[0]
    theta_w = lstsq(Z[:, sup_w], y)
    theta_s = lstsq(Z[:, sup_s], y)
    theta_c = lstsq(np.r_[Z, Zt][:, sup_s], np.r_[y, yt])
    theta_w2s = lstsq(Zt[:, sup_s], Zt[:, sup_w] @ theta_w)
    risk = lambda sup, th: np.sum(np.delete(beta, sup) ** 2) + np.sum((beta[sup] - th) ** 2)
    return risk(sup_w, theta_w), risk(sup_s, theta_s), risk(sup_s, theta_c), risk(sup_s, theta_w2s)


def naive_seconds_per_trial(model: SubspaceModel, n: int, N: int, columns: int, trials: int) -> float:
    beta = model.beta[:columns]
    sup_w = np.flatnonzero(model.V_w[:columns].any(axis=1))
    sup_s = np.flatnonzero(model.V_s[:columns].any(axis=1))
    sigma, rng = float(np.sqrt(model.sigma2)), np.random.default_rng(0)
    return (
        _best(lambda: [naive_trial(rng, beta, sup_w, sup_s, n, N, sigma) for _ in range(trials)], 2) / trials
    )


ON_DEVICES = """
import sys, time, json
import jax
jax.config.update("jax_num_cpu_devices", int(sys.argv[1]))
jax.config.update("jax_enable_x64", True)
from w2s_theory import SubspaceModel
kwargs, n, N, trials = json.loads(sys.argv[2])
model = SubspaceModel.notebook(**kwargs)
run = lambda: model.simulate(n, N, trials=trials, seed=1, engine="wishart", chunk_size=trials)
run()
best = float("inf")
for _ in range(2):
    start = time.perf_counter(); run(); best = min(best, time.perf_counter() - start)
print(best / trials)
"""


def _script_seconds(script: str, *argv: str) -> float:
    """Run ``script`` in a fresh Python process with ``argv``; the last number it prints (seconds)."""
    out = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def wishart_on_devices_seconds_per_trial(kwargs: dict, n: int, N: int, trials: int, devices: int) -> float:
    """The Wishart engine with the CPU split into ``devices`` devices (``jax_num_cpu_devices``, a fresh
    process): each device runs its share of a chunk's trials, with the same bits as one device."""
    return _script_seconds(ON_DEVICES, str(devices), json.dumps([kwargs, n, N, trials]))


TORCH_LOOP = """
import json, sys, time
import torch
beta, sup_w, sup_s, sigma, n, N, trials = json.loads(sys.argv[1])
torch.manual_seed(42)  # the notebook's global seed, not reset per trial
beta = torch.tensor(beta, dtype=torch.float32)
sup_w, sup_s = torch.tensor(sup_w), torch.tensor(sup_s)
mask = lambda sup: torch.ones(beta.numel(), dtype=torch.bool).index_fill_(0, sup, False)
off_w, off_s = (beta[mask(sup_w)] ** 2).sum(), (beta[mask(sup_s)] ** 2).sum()
lstsq = lambda X, t: torch.linalg.lstsq(X, t[:, None]).solution[:, 0]
risk = lambda off, sup, th: float(off + ((beta[sup] - th) ** 2).sum())

def trial():
    Z, Zt = torch.randn(n, beta.numel()), torch.randn(N, beta.numel())
    y, yt = Z @ beta + sigma * torch.randn(n), Zt @ beta + sigma * torch.randn(N)
    theta_w = lstsq(Z[:, sup_w], y)
    theta_s = lstsq(Z[:, sup_s], y)
    theta_c = lstsq(torch.cat([Z, Zt])[:, sup_s], torch.cat([y, yt]))
    theta_w2s = lstsq(Zt[:, sup_s], Zt[:, sup_w] @ theta_w)
    return [risk(off_w, sup_w, theta_w), risk(off_s, sup_s, theta_s), risk(off_s, sup_s, theta_c),
            risk(off_s, sup_s, theta_w2s)]

trial()
best = float("inf")
for _ in range(2):
    start = time.perf_counter()
    for _ in range(trials):
        trial()
    best = min(best, time.perf_counter() - start)
print(best / trials)
"""


def torch_seconds_per_trial(model: SubspaceModel, n: int, N: int, columns: int, trials: int) -> float | None:
    """A re-implementation of the authors' simulator's per-trial loop as their notebook describes it
    (PyTorch, float32, its default threads): full designs over the sampled columns, ``torch.linalg.lstsq``
    for the four fits, closed-form risks. Run in a fresh process, so PyTorch's OpenMP threads (which spin after each call) never share a
    process with the JAX engines. ``None`` when PyTorch is not installed (it is not a dependency:
    ``pip install torch`` to measure it)."""
    if importlib.util.find_spec("torch") is None:
        return None
    args = [
        model.beta[:columns].tolist(),
        np.flatnonzero(model.V_w[:columns].any(axis=1)).tolist(),
        np.flatnonzero(model.V_s[:columns].any(axis=1)).tolist(),
        float(np.sqrt(model.sigma2)), n, N, trials,
    ]  # fmt: skip
    return _script_seconds(TORCH_LOOP, json.dumps(args))


# --------------------------------------------------------------------------------------------- spurious
SPURIOUS = {"d_z": 200, "n": 4000, "N": 4000, "eta_us": (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0), "trials": 4}


def spurious_seconds(limits: dict[str, float]) -> dict[str, float]:
    """The group-imbalance trial at the figures' size (canonical p_T = 4, p_S = 3, d_z = 200, n = N = 4000),
    per trial: one point, one point of a 7-point ``simulate_curve`` (soft and hard), and its bound, the
    three Gram products (ΦᵀΦ over n rows; Ψ̃ᵀΨ̃, Ψ̃ᵀΦ̃ over N rows) as single float64 GEMMs in one compiled
    call plus the trial's normals at the RNG's rate, all measured in this run; and the same bound for the
    products the trial computes (the two symmetric Grams as their block upper triangles of d_z x d_z blocks,
    ``w2s_theory.spurious.trial``)."""
    from w2s_theory import SpuriousModel

    c = SPURIOUS
    n, N, trials, etas = c["n"], c["N"], c["trials"], c["eta_us"]
    soft = SpuriousModel.canonical(c["d_z"], c=0.25, m=3.0)
    hard = soft.with_group_model("hard")
    key = jax.random.key(0)
    A = jax.random.normal(key, (n, soft.d_T))
    B, C = jax.random.normal(key, (N, soft.d_S)), jax.random.normal(key, (N, soft.d_T))
    grams = jax.jit(lambda A, B, C: (A.T @ A, B.T @ B, B.T @ C))
    d_z = c["d_z"]
    # the block upper triangles' operands as separate arrays, so only the products are timed
    split = lambda X: [(X[:, a * d_z : (a + 1) * d_z], X[:, a * d_z :]) for a in range(X.shape[1] // d_z)]
    A_parts, B_parts = jax.block_until_ready((split(A), split(B)))
    blocks = jax.jit(lambda P, Q, B, C: ([u.T @ v for u, v in P], [u.T @ v for u, v in Q], B.T @ C))
    runs = {
        "point": lambda: soft.simulate(n, N, 0.1, 0.3, 0.5, trials=trials, seed=1, chunk_size=trials),
        "curve_soft": lambda: soft.simulate_curve(
            n, N, 0.1, etas, 0.5, trials=trials, seed=1, chunk_size=trials
        ),
        "curve_hard": lambda: hard.simulate_curve(
            n, N, 0.1, etas, 0.5, trials=trials, seed=1, chunk_size=trials
        ),
        "gemm": lambda: grams(A, B, C),
        "gemm_blocks": lambda: blocks(A_parts, B_parts, B, C),
    }
    for run in runs.values():
        jax.block_until_ready(run())  # compile
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(REPEATS):  # interleaved, so a change in the machine's speed hits every entry alike
        for name, run in runs.items():
            best[name] = min(best[name], _best(run, 1))
    normals = (n + N) * (soft.d_z + soft.p + 1)
    bound = best["gemm"] + normals / limits["normals_per_s"]
    block_bound = best["gemm_blocks"] + normals / limits["normals_per_s"]
    point = best["point"] / trials
    return {
        "d_z": c["d_z"],
        "n": n,
        "N": N,
        "point_ms": 1e3 * point,
        "bound_ms": 1e3 * bound,
        "over_bound": point / bound,
        "block_bound_ms": 1e3 * block_bound,
        "over_block_bound": point / block_bound,
        "curve_soft_point_ms": 1e3 * best["curve_soft"] / trials / len(etas),
        "curve_hard_point_ms": 1e3 * best["curve_hard"] / trials / len(etas),
        "curve_soft_vs_points": best["curve_soft"] / len(etas) / best["point"],
        "curve_hard_vs_points": best["curve_hard"] / len(etas) / best["point"],
    }


# ---------------------------------------------------------------------------------------- closed forms
def closed_form_points_per_s(points: int = 10**6) -> float:
    rng = np.random.default_rng(0)
    n = rng.integers(300, 5000, points)
    N = rng.integers(200, 8000, points)
    sigma2 = rng.uniform(1e-3, 1.0, points)
    args = dict(d_w=200, d_s=100, d_sw=10.0, rho_w=2.5e-4, rho_s=5.5e-5, bias_sw=2.5e-4, bias_ws=5.3e-5)
    evaluate = lambda: expected_risks(n=n, N=N, sigma2=sigma2, **args)
    evaluate()
    return points / _best(evaluate)


def figures_seconds(timeout: float, one_job: bool, out_dir: Path | None = None) -> dict[str, object]:
    """Wall time of what ``make figures`` runs (every registered figure, the papers' trial counts), with
    the resumable per-point cache and the compilation cache off so nothing is reused, into a scratch
    directory (or ``out_dir``, for the default-jobs run), with the default ``--jobs`` (one process per core); with ``one_job`` also with ``--jobs 1``,
    the same-run ratio of the two being the gain from running figures side by side."""
    from w2s_theory.figures import figure_names

    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_COMPILATION_CACHE")}
    runs: dict[str, object] = {"figures": figure_names()}
    for jobs in ("0", "1") if one_job else ("0",):
        with tempfile.TemporaryDirectory() as scratch:
            out = str(out_dir) if out_dir is not None and jobs == "0" else scratch
            cmd = [sys.executable, "-m", "w2s_theory.cli", "reproduce", "all", "--out", out, "--no-cache"]
            start = time.perf_counter()
            proc = subprocess.run(
                [*cmd, "--jobs", jobs], cwd=ROOT, timeout=timeout, capture_output=True, text=True, env=env
            )
            runs["seconds" if jobs == "0" else "seconds_one_job"] = time.perf_counter() - start
            runs["returncode" if jobs == "0" else "returncode_one_job"] = proc.returncode
            # the CLI prints "wrote PATH (S s)" per figure: where the time went
            per_figure = re.findall(r"^wrote .*?([\w.]+)\.png \(([\d.]+) s\)$", proc.stdout, flags=re.M)
            key = "figure_seconds" if jobs == "0" else "figure_seconds_one_job"
            runs[key] = {name: float(sec) for name, sec in per_figure}
    return runs


FIRST_RESULT = """
import time
start = time.perf_counter()
import jax
jax.config.update("jax_enable_x64", True)
from w2s_theory import SubspaceModel
imported = time.perf_counter()
model = SubspaceModel.notebook()
built = time.perf_counter()
model.simulate(2000, 4000, trials=40, seed=0)
done = time.perf_counter()
print(imported - start, built - imported, done - built)
"""


def first_result_seconds(repeats: int = 2) -> dict[str, float]:
    """A new user's first number, each run in a fresh process: ``import`` -> ``SubspaceModel.notebook()``
    -> a first 40-trial ``simulate`` at (n, N) = (2000, 4000). Cold: no compilation cache; warm: with
    JAX's persistent compilation cache filled by an earlier process of this run. Interleaved, minimum
    over ``repeats``; the warm/cold ratio is the share of compilation."""
    times: dict[str, list[list[float]]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as cache:
        warm = os.environ | {
            "JAX_COMPILATION_CACHE_DIR": cache,
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        }
        cold = {k: v for k, v in os.environ.items() if not k.startswith("JAX_COMPILATION_CACHE")}
        run = lambda env: subprocess.run(
            [sys.executable, "-c", FIRST_RESULT], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        run(warm)  # fills the cache
        for _ in range(repeats):
            for name, env in (("cold", cold), ("warm", warm)):
                times[name].append([float(t) for t in run(env)])
    out: dict[str, float] = {}
    for name, runs in times.items():
        best = min(runs, key=sum)
        out |= {f"{name}_import_s": best[0], f"{name}_model_s": best[1], f"{name}_simulate_s": best[2]}
        out[f"{name}_total_s"] = sum(best)
    out["warm_over_cold"] = out["warm_total_s"] / out["cold_total_s"]
    return out


# ----------------------------------------------------------------------------------------------- report
def _machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "jax": jax.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "load_average_start": os.getloadavg(),
    }


def _table(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Measured by `make bench` on {m['cpu']} ({m['cores']} cores, JAX {m['jax']}, {m['backend']}), "
        f"load average {m['load_average_start'][0]:.1f} at start; times are per trial, min over repeats.",
        "",
        "| config | naive NumPy lstsq | authors' loop (PyTorch float32) | design engine | Wishart engine "
        "| Wishart vs design | Wishart vs naive | Wishart vs authors' loop "
        "| design vs its RNG+GEMM bound | Wishart vs its RNG+GEMM bound | compile (design / Wishart) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, c in results["configs"].items():
        torch_ms = f"{c['torch_ms']:.2f} ms" if "torch_ms" in c else "not measured (no torch)"
        vs_torch = (
            f"**{c['wishart_vs_torch']:.1f}x** (2 devices: {c['wishart_2_devices_vs_torch']:.1f}x)"
            if "torch_ms" in c
            else "–"
        )
        lines.append(
            f"| {name}: n={c['n']}, N={c['N']}, d_w={c['d_w']}, d_s={c['d_s']} (r={c['r']}) "
            f"| {c['naive_ms']:.2f} ms | {torch_ms} | {c['design_ms']:.2f} ms | {c['wishart_ms']:.3f} ms "
            f"(2 devices: {c['wishart_2_devices_ms']:.3f} ms) "
            f"| **{c['wishart_vs_design']:.1f}x** | {c['wishart_vs_naive']:.0f}x | {vs_torch} "
            f"| {c['design_over_bound']:.2f}x bound ({c['design_bound_ms']:.2f} ms) "
            f"| {c['wishart_over_bound']:.2f}x bound ({c['wishart_bound_ms']:.3f} ms) "
            f"| {c['compile_design_s']:.1f} s / {c['compile_wishart_s']:.1f} s |"
        )
    lim = results["limits"]
    lines += [
        "",
        f"Machine limits in the same run: JAX RNG {lim['normals_per_s'] / 1e6:.0f} M float64 normals/s; "
        f"float64 Gram GEMM {lim['gemm_gflops']:.0f} GFLOP/s (design-engine shapes at the figure config).",
        f"Closed forms: {results['closed_form_points_per_s'] / 1e6:.1f} M expected-risk evaluations/s "
        "(all four risks, PGR, OPR; 10^6-point grid).",
    ]
    sp = results.get("spurious")
    if sp:
        lines.append(
            f"Group-imbalance trial (d_z={sp['d_z']}, p_T=4, p_S=3, n={sp['n']}, N={sp['N']}): "
            f"{sp['point_ms']:.0f} ms per trial, {sp['over_bound']:.2f}x its Gram-GEMM + RNG bound "
            f"({sp['bound_ms']:.0f} ms; the three products as single GEMMs) and "
            f"{sp['over_block_bound']:.2f}x the same bound for the products it computes "
            f"({sp['block_bound_ms']:.0f} ms; the block upper triangles of the two symmetric Grams); "
            f"along a 7-point `simulate_curve` {sp['curve_soft_point_ms']:.0f} ms "
            f"per point in the soft model ({sp['curve_soft_vs_points']:.2f}x of single points) and "
            f"{sp['curve_hard_point_ms']:.0f} ms in the hard one ({sp['curve_hard_vs_points']:.2f}x)."
        )
    first = results.get("first_result")
    if first:
        lines.append(
            "First result (fresh process: import, `SubspaceModel.notebook()`, first 40-trial `simulate`): "
            f"{first['cold_total_s']:.2f} s without a compilation cache (import {first['cold_import_s']:.2f}"
            f" + model {first['cold_model_s']:.2f} + simulate {first['cold_simulate_s']:.2f}), "
            f"{first['warm_total_s']:.2f} s with JAX's persistent cache warm "
            f"({first['warm_over_cold']:.2f}x of cold)."
        )
    fig = results.get("make_figures")
    if fig:
        one_job = (
            f", {fig['seconds_one_job']:.0f} s with `--jobs 1` ({fig['seconds'] / fig['seconds_one_job']:.2f}x, "
            f"exit code {fig['returncode_one_job']})"
            if "seconds_one_job" in fig
            else ""
        )
        lines.append(
            f"`make figures` (per-point and compilation caches off): {fig['seconds']:.0f} s wall with one "
            f"process per core (exit code {fig['returncode']}){one_job}, for {len(fig['figures'])} "
            f"registered figures."
        )
    else:
        lines.append("`make figures`: not timed in this run (`python benchmarks/bench.py --figures`).")
    return "\n".join(lines)


def _write_readme_tables(table: str) -> None:
    """Replace the block between the bench markers in benchmarks/README.md and the top-level README."""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    for readme in (HERE / "README.md", ROOT / "README.md"):
        head, rest = readme.read_text().split(start, 1)
        readme.write_text(head + start + "\n" + table + "\n" + end + rest.split(end, 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", action="store_true", help="also time `make figures`")
    parser.add_argument(
        "--figures-out",
        type=Path,
        default=None,
        help="with --figures, write the PNGs here (default: scratch)",
    )
    parser.add_argument(
        "--figures-one-job", action="store_true", help="with --figures, also time it with --jobs 1"
    )
    parser.add_argument("--figures-timeout", type=float, default=1800.0)
    parser.add_argument("--step-timeout", type=float, default=600.0, help="watchdog per step (seconds)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    args = parser.parse_args()

    results: dict = {"machine": _machine(), "configs": {}}
    _step(args.step_timeout)
    model, n, N, _, _ = CONFIGS["figure"]
    fig_model = SubspaceModel.notebook(**model)
    with cpu_blas_single_thread():
        results["limits"] = limits = machine_limits(n, N, fig_model.r, fig_model.d_s)
    print(f"limits: {limits}", flush=True)

    for name in args.configs:
        kwargs, n, N, columns, trials = CONFIGS[name]
        model = SubspaceModel.notebook(**kwargs)
        _step(args.step_timeout)
        c = {"n": n, "N": N, "d_w": model.d_w, "d_s": model.d_s, "r": model.r}
        for engine in ENGINES:
            c[f"compile_{engine}_s"] = compile_seconds(model, n, N, trials[engine], engine)
            model.simulate(n, N, trials=trials[engine], seed=0, engine=engine, chunk_size=trials[engine])
        methods = ("wishart", "design", "wishart_2_devices", "naive", "torch")
        per_trial: dict[str, list[float]] = {method: [] for method in methods}
        for _ in range(REPEATS):  # interleaved, so load changes hit every method alike
            _step(args.step_timeout)
            for engine in ENGINES:
                per_trial[engine].append(engine_seconds_per_trial(model, n, N, trials[engine], engine))
            per_trial["wishart_2_devices"].append(
                wishart_on_devices_seconds_per_trial(kwargs, n, N, trials["wishart"], 2)
            )
            per_trial["naive"].append(naive_seconds_per_trial(model, n, N, columns, trials["naive"]))
            theirs = torch_seconds_per_trial(model, n, N, columns, trials["naive"])
            if theirs is not None:
                per_trial["torch"].append(theirs)
        for method, times in per_trial.items():
            if times:
                c[f"{method}_ms"] = 1e3 * min(times)
        c["wishart_2_devices_vs_1"] = c["wishart_2_devices_ms"] / c["wishart_ms"]
        if "torch_ms" in c:
            c["wishart_vs_torch"] = c["torch_ms"] / c["wishart_ms"]
            c["wishart_2_devices_vs_torch"] = c["torch_ms"] / c["wishart_2_devices_ms"]
            c["design_vs_torch"] = c["torch_ms"] / c["design_ms"]
        c["design_bound_ms"] = 1e3 * design_bound_s(n, N, model.r, model.d_s, limits)
        c["design_over_bound"] = c["design_ms"] / c["design_bound_ms"]
        c["wishart_bound_ms"] = 1e3 * wishart_bound_s(n, N, model.r, model.d_s, limits)
        c["wishart_over_bound"] = c["wishart_ms"] / c["wishart_bound_ms"]
        c["wishart_vs_design"] = c["design_ms"] / c["wishart_ms"]
        c["wishart_vs_naive"] = c["naive_ms"] / c["wishart_ms"]
        c["design_vs_naive"] = c["naive_ms"] / c["design_ms"]
        results["configs"][name] = c
        print(f"{name}: {json.dumps(c)}", flush=True)

    _step(args.step_timeout)
    results["spurious"] = spurious_seconds(limits)
    print(f"spurious: {json.dumps(results['spurious'])}", flush=True)
    _step(args.step_timeout)
    results["closed_form_points_per_s"] = closed_form_points_per_s()
    _step(args.step_timeout)
    results["first_result"] = first_result_seconds()
    print(f"first result: {json.dumps(results['first_result'])}", flush=True)
    if args.figures:
        faulthandler.cancel_dump_traceback_later()
        results["make_figures"] = figures_seconds(
            args.figures_timeout, args.figures_one_job, args.figures_out
        )
    faulthandler.cancel_dump_traceback_later()
    results["machine"]["load_average_end"] = os.getloadavg()
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    table = _table(results)
    _write_readme_tables(table)
    print(table)


if __name__ == "__main__":
    sys.exit(main())
