r"""Monte Carlo of two-stage filtering through the shared driver (:func:`w2s_theory.family.run_trials`).

Validates the request, puts the model in trial coordinates (with the isotropic filter's population maps
:math:`L_{c(q)}`, :func:`w2s_theory.filtering.theory.population_map`) and runs
:func:`w2s_theory.filtering.trial.trial`.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.family import run_trials
from w2s_theory.filtering.family import FAMILY
from w2s_theory.filtering.model import FilterSettings
from w2s_theory.filtering.theory import kept_moment, population_map
from w2s_theory.filtering.trial import Problem, Static


def simulate(
    model: SubspaceModelData,
    settings: FilterSettings,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial outputs of :mod:`w2s_theory.filtering.trial` (arms indexed ``[score, q]`` in the order of
    ``settings.scores`` and ``settings.q``). Any ``n, N >= 1``; kept sets smaller than ``d_s`` give the
    minimum-norm student. The keep fractions are traced: a sweep over ``q`` compiles once per regime
    (whether some kept set is smaller than ``d_s``). Trial ``i`` uses key ``split(key(seed), trials)[i]``. Needs float64."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    kept = settings.kept(N)
    L = np.stack([population_map(model, float(c)) for c in kept_moment(settings.q, model.d_w)])
    problem = Problem(
        jnp.asarray(model.B_w),
        jnp.asarray(model.B_s),
        jnp.asarray(model.b_star),
        jnp.sqrt(jnp.asarray(model.sigma2, dtype=jnp.float64)),
        jnp.asarray(L),
        jnp.asarray(kept),
        jnp.asarray(settings.relabelled(N)),
    )
    min_norm = min(kept) < model.d_s  # some kept set smaller than d_s: compile the minimum-norm branch
    static = Static(n, N, model.r, settings.scores, len(kept), settings.n_boot, min_norm)
    return run_trials(
        FAMILY,
        problem,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, kept={kept}",
    )
