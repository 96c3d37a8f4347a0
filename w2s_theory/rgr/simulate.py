r"""Monte Carlo of W2SR's setting through the shared driver (:func:`w2s_theory.family.run_trials`).

The trial is :mod:`w2s_theory.rgr.trial`; this module validates the request, puts the model in trial
coordinates and adds the per-trial PGR, OPR and RGR (:func:`w2s_theory.metrics.with_per_trial_ratios`).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory._trials import cpu_blas_single_thread
from w2s_theory.discrepancy.fits import Problem
from w2s_theory.discrepancy.simulate import run_curve
from w2s_theory.discrepancy.trial import ENGINES, Engine, Static, Traced, rows_for
from w2s_theory.family import run_trials
from w2s_theory.metrics import with_per_trial_ratios
from w2s_theory.rgr.family import FAMILY
from w2s_theory.rgr.model import RGRModelData


def simulate(
    model: RGRModelData,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    engine: Engine = "wishart",
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial ``weak``, ``strong``, ``ceiling`` (``N`` true labels), ``w2s``, ``base``, the teacher's
    error split ``eps_vis``, ``eps_inv``, ``eta_inv`` and the per-trial ``pgr``, ``opr``, ``rgr`` (NaN where a trial's denominator is at or below the rounding floor; RGR's is
    signed). Trial ``i`` uses key ``split(key(seed), trials)[i]``. Needs float64."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    engine = _validate.choice("engine", engine, ENGINES)
    with cpu_blas_single_thread():
        problem = Problem.from_model(model)
    static = Static(engine, problem.r, rows_for(engine, n, N, problem.r, problem.d_s))
    traced = Traced(problem, jnp.asarray(n, dtype=float), jnp.asarray(N, dtype=float))
    risks = run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, engine={engine!r}",
    )
    return with_per_trial_ratios(risks, FAMILY.roles, floor=model.rounding_floor)


def simulate_curve(
    model: RGRModelData,
    n: ArrayLike,
    N: ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    """:func:`simulate` (Wishart engine) at every point ``(n[j], N[j])`` (1-D, broadcast) on the same trials:
    one result per point, each what :func:`simulate` gives with this ``seed`` at that point; every normal
    draw of a trial is shared (:func:`w2s_theory.discrepancy.simulate.simulate_curve`, whose rules on the
    factor rows apply)."""
    return run_curve(FAMILY, model, n, N, trials, seed, chunk_size)
