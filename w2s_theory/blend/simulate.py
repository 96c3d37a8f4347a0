r"""Monte Carlo of blended distillation through the shared driver (:func:`w2s_theory.family.run_trials`).

The trial is :mod:`w2s_theory.blend.trial`; this module validates the request, puts the model in trial
coordinates, adds the per-trial OPR (strong student over the blended one) and estimates :math:`w^*` as a
ratio of means.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.blend.family import FAMILY
from w2s_theory.blend.trial import Problem, Static, Traced, rows_for
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.family import run_trials
from w2s_theory.metrics import Estimate, mean_se, ratio_of_means, with_per_trial_ratios


def simulate(
    model: SubspaceModelData,
    n: int,
    trials: int,
    seed: Seed = 0,
    *,
    w: float = 0.5,
    N: int = 0,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial ``weak``, ``strong``, ``cross``, ``shift``, ``blend`` (at weight ``w``) and ``opr``.

    Any ``n >= 1``, any real ``w``, ``N >= 0`` pseudo-labelled points (:mod:`w2s_theory.blend.trial`).
    Trial ``i`` uses key ``split(key(seed), trials)[i]``; ``w`` only enters ``blend`` (the other outputs
    are the same for every ``w``). Needs float64.
    """
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N, minimum=0)
    w = float(_validate.finite_array("w", w, ndim=0))
    problem = Problem(
        B_w=jnp.asarray(model.B_w),
        B_s=jnp.asarray(model.B_s),
        b=jnp.asarray(model.b_star),
        sigma=jnp.sqrt(jnp.asarray(model.sigma2, dtype=float)),
        w=jnp.asarray(w, dtype=float),
    )
    static = Static(model.r, model.d_w, model.d_s, rows_for(n, N, model.r))
    traced = Traced(problem, jnp.asarray(n, dtype=float), jnp.asarray(N, dtype=float))
    risks = run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, w={w:g}",
    )
    return with_per_trial_ratios(risks, FAMILY.roles, floor=model.rounding_floor)


def optimal_weight_estimate(samples: Mapping[str, np.ndarray]) -> Estimate:
    r""":math:`\hat w^*=\overline{e_0^\top D}/\overline{\|D\|^2}` (ratio of means: it estimates
    :math:`U/V`, the minimiser of the expected risk), delta-method SE; NaN with a reason where
    :math:`\overline{\|D\|^2}=0` (the blend is inert)."""
    return ratio_of_means(samples["cross"], samples["shift"])


def blend_risk_estimate(samples: Mapping[str, np.ndarray], w: float) -> Estimate:
    r"""Mean and SE of :math:`\mathrm{ER}(w)=\|e_0\|^2-2we_0^\top D+w^2\|D\|^2` from the per-trial
    coefficients, at any ``w`` (no new trials)."""
    return mean_se(samples["strong"] - 2 * w * samples["cross"] + w**2 * samples["shift"])
