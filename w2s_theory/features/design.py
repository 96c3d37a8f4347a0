r"""The Gaussian-design diagnostic: how far resampled rows of a feature block are from a Gaussian design.

The exact forms (:mod:`w2s_theory.features.theory`) rest on the inverse-Wishart mean: for ``n`` i.i.d.
Gaussian rows of a ``k``-dimensional block with covariance :math:`\Sigma`,
:math:`\mathbb E(F^\top F)^{-1}=\Sigma^{-1}/(n-k-1)`. For each block this module estimates, by Monte Carlo
over resampled rows,

.. math:: \kappa_k(n)=\frac{n-k-1}{k}\,\mathbb E\operatorname{tr}\!\big(\Sigma_k(F_k^\top F_k)^{-1}\big),

where :math:`\Sigma_k` is the block's covariance over the ``M`` rows and :math:`F_k` the ``n x k`` design
of resampled rows. :math:`\kappa=1` for a Gaussian design; every variance term of the closed forms scales
with it, so :math:`\kappa>1` means they under-predict (heavy-tailed or clustered rows; random ReLU features
of digits give 1.45-7.6). :func:`warn_if_not_gaussian` warns above :data:`DESIGN_WARN_FACTOR`
(``docs/theory/features.md`` §5).

The trace is invariant to a change of basis within the block, so the trial works with the whitened scores
:math:`Z=\sqrt M\,Q` (second moment :math:`I` over the rows): :math:`\operatorname{tr}(Z_n^\top Z_n)^{-1}
=\|L^{-1}\|_F^2` for the Cholesky factor :math:`L` of :math:`Z_n^\top Z_n`. It runs through the shared
driver as its own small family (outputs ``weak``, ``strong``; no PGR roles).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import Family, run_trials
from w2s_theory.features.model import FeatureModelData
from w2s_theory.metrics import Estimate, mean_se

#: :func:`warn_if_not_gaussian` warns when a block's design factor exceeds this.
DESIGN_WARN_FACTOR = 1.2
#: Trials behind the warning of ``FeatureModel.expected_risks`` (the factor's SE is then a few percent).
WARNING_TRIALS = 64
BLOCKS: tuple[str, ...] = ("weak", "strong")


class DesignWarning(UserWarning):
    """A feature block's rows are far from a Gaussian design: the exact forms under-predict its variance."""


class Traced(NamedTuple):
    """Whitened scores of the two blocks (``M x k_w``, ``M x k_s``)."""

    Z_w: jax.Array
    Z_s: jax.Array


@dataclass(frozen=True)
class Static:
    """Rows ``M``, block widths and the sample size ``n``."""

    M: int
    k_w: int
    k_s: int
    n: int


def _factor(Z: jax.Array, n: int) -> jax.Array:
    k = Z.shape[1]
    L = jnp.linalg.cholesky(Z.T @ Z)
    L_inv = solve_triangular(L, jnp.eye(k), lower=True)
    return jnp.sum(L_inv * L_inv) * (n - k - 1) / k


def design_trial(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    """One draw of ``n`` rows (shared by both blocks) and each block's :math:`\\frac{n-k-1}{k}\\operatorname{tr}
    (Z_n^\\top Z_n)^{-1}`."""
    rows = jax.random.randint(key, (static.n,), 0, static.M)
    return {"weak": _factor(traced.Z_w[rows], static.n), "strong": _factor(traced.Z_s[rows], static.n)}


def _trial_bytes(static: Static) -> int:
    return 8 * (static.n * (static.k_w + static.k_s) + 3 * (static.k_w**2 + static.k_s**2))


DESIGN_FAMILY = Family(
    name="features-design",
    trial=design_trial,
    outputs=BLOCKS,
    trial_bytes=_trial_bytes,
    roles=None,
)


def design_check(model: FeatureModelData, n: int, trials: int = 200, seed: Seed = 0) -> dict[str, Estimate]:
    r"""Monte Carlo estimate of each block's design factor :math:`\kappa_k(n)` (module docstring).

    Parameters
    ----------
    model
        The feature model.
    n
        Sample size; must exceed :math:`\max(d_w,d_s)+1` (the Gaussian expectation is infinite below).
    trials, seed
        Monte Carlo draws and their seed (results are cached on the model per ``(n, trials, seed)``).

    Returns
    -------
    dict
        ``{"weak": Estimate, "strong": Estimate}``: mean factor and its standard error (1 for a Gaussian
        design).
    """
    n = _validate.positive_int("n", n)
    k = max(model.d_w, model.d_s)
    if not n > k + 1:
        _validate.exact_sample_size("n", n, "max(d_w, d_s)", k, "the design factor")
    cache_key = (n, _validate.positive_int("trials", trials), seed if isinstance(seed, int) else None)
    if cache_key[2] is not None and cache_key in model._design_cache:
        return model._design_cache[cache_key]
    root_M = np.sqrt(model.M)
    traced = Traced(jnp.asarray(model.weak.Q * root_M), jnp.asarray(model.strong.Q * root_M))
    static = Static(model.M, model.d_w, model.d_s, n)
    out = run_trials(DESIGN_FAMILY, traced, static, trials=trials, seed=seed, context=f"design check, n={n}")
    result = {block: mean_se(out[block]) for block in BLOCKS}
    if cache_key[2] is not None:
        model._design_cache[cache_key] = result
    return result


def warn_if_not_gaussian(
    model: FeatureModelData, n: int, trials: int = WARNING_TRIALS, stacklevel: int = 3
) -> dict[str, Estimate]:
    """Warn (:class:`DesignWarning`) for every block whose design factor at ``n`` exceeds
    :data:`DESIGN_WARN_FACTOR`; return the factors."""
    factors = design_check(model, n, trials=trials)
    for block, est in factors.items():
        if est.value > DESIGN_WARN_FACTOR:
            warnings.warn(
                f"the {block} block's Gaussian-design factor at n={n} is {est.value:.3g} ± {est.se:.2g} "
                f"> {DESIGN_WARN_FACTOR}: its rows are far from a Gaussian design, so the exact forms "
                "under-predict its variance terms; compare with simulate()",
                DesignWarning,
                stacklevel=stacklevel,
            )
    return factors
