r"""Monte Carlo of the subspace model through the shared driver (:func:`w2s_theory.family.run_trials`).

The trial itself (engines, fits) is :mod:`w2s_theory.discrepancy.trial`; this module validates the
request, puts the model in trial coordinates and adds per-trial PGR and OPR. The misfit–gain check built on
these outputs is :mod:`w2s_theory.discrepancy.misfit`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory._trials import cpu_blas_single_thread
from w2s_theory.discrepancy.family import FAMILY
from w2s_theory.discrepancy.fits import Problem
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.discrepancy.trial import ENGINES, Engine, Static, Traced, rows_for
from w2s_theory.family import Family, run_trials
from w2s_theory.metrics import curve_points, with_per_trial_ratios

DEFAULT_ENGINE: Engine = "wishart"


def simulate_problem(
    problem: Problem,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    engine: Engine = DEFAULT_ENGINE,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial ``weak``, ``strong``, ``ceiling``, ``w2s`` excess risks and ``misfit`` of a model already
    in trial coordinates (:class:`~w2s_theory.discrepancy.fits.Problem`)."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    engine = _validate.choice("engine", engine, ENGINES)
    static = Static(engine, problem.r, rows_for(engine, n, N, problem.r, problem.d_s))
    traced = Traced(problem, np.float64(n), np.float64(N))
    return run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, engine={engine!r}",
    )


def simulate(
    model: SubspaceModelData,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    engine: Engine = DEFAULT_ENGINE,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Per-trial excess risks ``weak``, ``strong``, ``ceiling``, ``w2s``, the W2S student's population
    ``misfit`` :math:`\|\beta_s-\beta_t\|^2` to its teacher, and per-trial ``pgr``, ``opr``.

    Trial ``i`` uses key ``split(key(seed), trials)[i]``: results are identical for any ``chunk_size``
    (the number of trials per compiled call, which bounds memory) and any number of devices. The two
    engines draw different numbers from the same law (:mod:`w2s_theory.discrepancy.trial`). Per-trial
    PGR / OPR are NaN where their denominator is at rounding level (:func:`w2s_theory.metrics.per_trial_pgr`),
    e.g. a noise-free target that both learners represent. Needs float64.
    """
    with cpu_blas_single_thread():  # the host-side QRs stall under OpenBLAS threading too (~8x, measured)
        problem = Problem.from_model(model)
    risks = simulate_problem(problem, n, N, trials, seed, engine=engine, chunk_size=chunk_size)
    return with_per_trial_ratios(risks, FAMILY.roles, floor=model.rounding_floor)


def curve_arguments(problem: Problem, n: ArrayLike, N: ArrayLike) -> tuple[Static, Traced]:
    """The static and traced arguments of a curve of sample sizes ``(n[j], N[j])`` (1-D, broadcast against
    each other; Wishart engine), validated: every point needs the same factor rows ``(min(n, r),
    min(N, d_s))``."""
    n, N = _validate.sample_size_curve(n, N)
    rows = {rows_for("wishart", a, b, problem.r, problem.d_s) for a, b in zip(n, N, strict=True)}
    if len(rows) > 1:
        raise ValueError(
            f"every point of a curve needs the same factor rows (min(n, r), min(N, d_s)) with r = {problem.r}, "
            f"d_s = {problem.d_s}; got {sorted(rows)}: split the curve at n = r or N = d_s"
        )
    static = Static("wishart", problem.r, rows.pop(), curve=len(n))
    return static, Traced(problem, np.asarray(n, dtype=float), np.asarray(N, dtype=float))


def simulate_curve(
    model: SubspaceModelData,
    n: ArrayLike,
    N: ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    r""":func:`simulate` (Wishart engine) at every point ``(n[j], N[j])`` (1-D, broadcast against each other)
    on the same trials: one result per point, each what :func:`simulate` gives with this ``seed`` at that
    point. Sample sizes enter a trial only through the chi-square degrees of freedom of its factors'
    diagonals, so every normal draw is made once per trial and shared
    (:func:`w2s_theory.discrepancy.trial.factor_curve`); differences between points are paired (common
    random numbers). Every point must have the same factor rows, ``min(n, r)`` and ``min(N, d_s)``: a curve
    does not cross ``n = r`` or ``N = d_s`` (split it there)."""
    return run_curve(FAMILY, model, n, N, trials, seed, chunk_size)


def simulate_grid(
    model: SubspaceModelData,
    n: ArrayLike,
    N: ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    r"""Per-trial results (as :func:`simulate`, Wishart engine) at every point ``(n[j], N[j])`` (1-D,
    broadcast against each other), **any** sample sizes, on the same trials and in one compiled program per
    model shape (:func:`w2s_theory.discrepancy.trial.padded_curve`): a trial draws the full-size factors
    once and each point uses their leading :math:`\min(n_j,r)` and :math:`\min(N_j,d_s)` rows with its own
    chi-square diagonals. Each point is an exact draw of :func:`simulate`'s law at its sizes, and its numbers
    depend only on ``seed`` and its own sizes; where :math:`n_j\ge r` and :math:`N_j\ge d_s` they are
    :func:`simulate`'s with this ``seed`` (to rounding), elsewhere another draw of the same law (a one-point
    trial draws only the rows it uses, in another layout). Use it for grids through the interpolation
    thresholds, where :func:`simulate_curve` (equal factor rows) would need one program per size."""
    n, N = _validate.sample_size_curve(n, N)
    with cpu_blas_single_thread():
        problem = Problem.from_model(model)
    static = Static("wishart", problem.r, (problem.r, problem.d_s), curve=len(n), padded=True)
    traced = Traced(problem, np.asarray(n, dtype=float), np.asarray(N, dtype=float))
    risks = run_trials(
        FAMILY, traced, static, trials=trials, seed=seed, chunk_size=chunk_size, context=f"grid of {len(n)}"
    )
    return curve_points(risks, len(n), FAMILY.roles, floor=model.rounding_floor)


def run_curve(
    family: Family,
    model: SubspaceModelData,
    n: ArrayLike,
    N: ArrayLike,
    trials: int,
    seed: Seed,
    chunk_size: int | None,
) -> list[dict[str, np.ndarray]]:
    """A curve of sample sizes (:func:`curve_arguments`) through ``family``'s trial, one result per point
    with the per-trial ratios of its roles (shared by the families on the subspace model's draws)."""
    with cpu_blas_single_thread():
        problem = Problem.from_model(model)
    static, traced = curve_arguments(problem, n, N)
    risks = run_trials(
        family,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"curve of {static.curve}",
    )
    return curve_points(risks, static.curve, family.roles, floor=model.rounding_floor)
