r"""Monte Carlo of the Gaussian covariate model through the shared driver (:func:`w2s_theory.family.run_trials`).

The trial itself (engines, ridge fits, exact risks) is :mod:`w2s_theory.gcm.trial`; this module validates
the request, puts the model in trial coordinates and adds per-trial PGR and OPR.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import run_trials
from w2s_theory.gcm.family import FAMILY
from w2s_theory.gcm.model import GaussianCovariateModelData
from w2s_theory.gcm.trial import ENGINES, Engine, Problem, Static, Traced, rows_for
from w2s_theory.metrics import curve_points, with_per_trial_ratios

DEFAULT_ENGINE: Engine = "wishart"


def simulate(
    model: GaussianCovariateModelData,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    lam_w: float = 0.0,
    lam_s: float = 0.0,
    engine: Engine = DEFAULT_ENGINE,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` and per-trial ``pgr``, ``opr``.

    Any ``n, N >= 1`` and penalties ``>= 0`` (``0``: minimum-norm least squares, including interpolation).
    Trial ``i`` uses key ``split(key(seed), trials)[i]``: results are identical for any ``chunk_size`` and
    any number of devices. The two engines draw different numbers from the same law
    (:mod:`w2s_theory.gcm.trial`). Needs float64.
    """
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    lam_w = _validate.nonnegative_float("lam_w", lam_w)
    lam_s = _validate.nonnegative_float("lam_s", lam_s)
    engine = _validate.choice("engine", engine, ENGINES)
    problem = Problem.from_model(model, lam_w, lam_s)
    static = Static(engine, problem.r, model.rank_w, model.rank_s, rows_for(engine, n, N, problem.r))
    traced = Traced(problem, jnp.asarray(n, dtype=float), jnp.asarray(N, dtype=float))
    risks = run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, lam_w={lam_w:g}, lam_s={lam_s:g}, engine={engine!r}",
    )
    return with_per_trial_ratios(risks, FAMILY.roles, floor=model.rounding_floor)


def simulate_curve(
    model: GaussianCovariateModelData,
    n: int,
    N: int,
    lam_w: ArrayLike,
    lam_s: ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    engine: Engine = DEFAULT_ENGINE,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    """:func:`simulate` at every penalty pair ``(lam_w[j], lam_s[j])`` (1-D, broadcast against each other)
    on the same trials: one result per pair, each what :func:`simulate` gives with this ``seed`` at that
    pair. Each trial draws its designs and forms their Gram matrices once; a pair costs its Cholesky factors
    and solves only (:func:`w2s_theory.gcm.trial.trial_risks`). Differences between pairs are paired (common
    random numbers)."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    lam_w, lam_s = _validate.curve(("lam_w", "lam_s"), (lam_w, lam_s))
    lam_w, lam_s = (
        np.array([_validate.nonnegative_float(f"{name}[{j}]", v) for j, v in enumerate(values.tolist())])
        for name, values in (("lam_w", lam_w), ("lam_s", lam_s))
    )
    engine = _validate.choice("engine", engine, ENGINES)
    problem = Problem.from_model(model, lam_w, lam_s)
    rows = rows_for(engine, n, N, problem.r)
    static = Static(engine, problem.r, model.rank_w, model.rank_s, rows, curve=lam_w.size)
    traced = Traced(problem, jnp.asarray(n, dtype=float), jnp.asarray(N, dtype=float))
    risks = run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, penalty curve of {lam_w.size}, engine={engine!r}",
    )
    return curve_points(risks, lam_w.size, FAMILY.roles, floor=model.rounding_floor)


def simulate_grid(
    model: GaussianCovariateModelData,
    n: ArrayLike,
    N: ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    lam_w: float = 0.0,
    lam_s: float = 0.0,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    r""":func:`simulate` (Wishart engine) at every point ``(n[j], N[j])`` (1-D, broadcast against each other),
    any sample sizes, on the same trials and in one compiled program (:func:`w2s_theory.gcm.trial.grid_risks`):
    a trial draws the two full-size factors once and each point uses their leading :math:`\min(n_j,r)` and
    :math:`\min(N_j,r)` rows with its own chi-square diagonals. Each point is an exact draw of
    :func:`simulate`'s law and depends only on ``seed`` and its own sizes; where :math:`n_j\ge r` and
    :math:`N_j\ge r` it is :func:`simulate`'s draw with this ``seed`` (to rounding), elsewhere another draw
    of the same law. The penalties are shared by every point."""
    n, N = _validate.sample_size_curve(n, N)
    lam_w = _validate.nonnegative_float("lam_w", lam_w)
    lam_s = _validate.nonnegative_float("lam_s", lam_s)
    problem = Problem.from_model(model, lam_w, lam_s)
    r = problem.r
    static = Static("wishart", r, model.rank_w, model.rank_s, (r, r), curve=len(n), padded=True)
    traced = Traced(problem, np.asarray(n, dtype=float), np.asarray(N, dtype=float))
    risks = run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"grid of {len(n)}, lam_w={lam_w:g}, lam_s={lam_s:g}",
    )
    return curve_points(risks, len(n), FAMILY.roles, floor=model.rounding_floor)
