r"""Monte Carlo for the subspace model: the four ridgeless fits of one trial, batched over trials in JAX.

One trial (spec §1.2, §4), in the coordinates of :math:`R=\operatorname{span}(V_w,V_s,\beta)`
(``model.B_w``, ``model.B_s``, ``model.b_star``), with :math:`Z\in\mathbb R^{n\times r}`,
:math:`\tilde Z\in\mathbb R^{N\times r}` i.i.d. :math:`\mathcal N(0,1)`:

* weak teacher :math:`\hat c=(ZB_w)^+y` on the ``n`` labels :math:`y=Zb_*+\epsilon`;
* strong baseline :math:`(ZB_s)^+y`; strong ceiling on the ``n + N`` true labels;
* W2S student :math:`\hat s=(\tilde ZB_s)^+\tilde ZB_w\hat c`: only the ``N`` pseudo-labels.

The excess risk of a predictor :math:`z\mapsto (B\theta)^\top z_R` is :math:`\|B\theta-b_*\|^2` exactly
(no test sample). All fits are minimum-norm, so ``n <= d_w`` or ``N <= d_s`` runs too (interpolation).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._config import require_x64
from w2s_theory._linalg import min_norm_lstsq
from w2s_theory._random import Seed, trial_keys
from w2s_theory._trials import DEFAULT_CHUNK_SIZE, map_over_trials, run_in_chunks
from w2s_theory.metrics import per_trial_opr, per_trial_pgr

if TYPE_CHECKING:
    from w2s_theory.discrepancy.model import SubspaceModel

Engine = Literal["design"]
ENGINES: tuple[str, ...] = ("design",)


@partial(jax.tree_util.register_dataclass, data_fields=["B_w", "B_s", "b_star", "sigma"], meta_fields=[])
@dataclass(frozen=True)
class Problem:
    """The traced part of a trial: shapes are static (they fix the compilation), values are not, so a
    sweep over ``sigma2`` or over subspaces of the same dimensions never recompiles."""

    B_w: jax.Array
    B_s: jax.Array
    b_star: jax.Array
    sigma: jax.Array

    @classmethod
    def from_model(cls, model: SubspaceModel) -> Problem:
        return cls(
            jnp.asarray(model.B_w), jnp.asarray(model.B_s), jnp.asarray(model.b_star), jnp.sqrt(model.sigma2)
        )


def _excess_risk(B: jax.Array, theta: jax.Array, b_star: jax.Array) -> jax.Array:
    err = B @ theta - b_star
    return err @ err


def design_trial(key: jax.Array, p: Problem, n: int, N: int) -> dict[str, jax.Array]:
    """Draw one trial's designs and noise, fit the four estimators, return their excess risks."""
    r = p.b_star.shape[0]
    k_z, k_eps, k_zt, k_epst = jax.random.split(key, 4)
    Z = jax.random.normal(k_z, (n, r))
    Zt = jax.random.normal(k_zt, (N, r))
    y = Z @ p.b_star + p.sigma * jax.random.normal(k_eps, (n,))
    yt = Zt @ p.b_star + p.sigma * jax.random.normal(k_epst, (N,))
    X_s, Xt_s = Z @ p.B_s, Zt @ p.B_s

    c_hat = min_norm_lstsq(Z @ p.B_w, y)
    s_hat = min_norm_lstsq(X_s, y)
    ceiling_hat = min_norm_lstsq(jnp.concatenate([X_s, Xt_s]), jnp.concatenate([y, yt]))
    w2s_hat = min_norm_lstsq(Xt_s, (Zt @ p.B_w) @ c_hat)
    return {
        "weak": _excess_risk(p.B_w, c_hat, p.b_star),
        "strong": _excess_risk(p.B_s, s_hat, p.b_star),
        "ceiling": _excess_risk(p.B_s, ceiling_hat, p.b_star),
        "w2s": _excess_risk(p.B_s, w2s_hat, p.b_star),
    }


@partial(jax.jit, static_argnames=("n", "N"))
def _design_chunk(keys: jax.Array, problem: Problem, n: int, N: int) -> dict[str, jax.Array]:
    return map_over_trials(lambda key: design_trial(key, problem, n, N), keys)


def simulate(
    model: SubspaceModel,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    engine: Engine = "design",
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` and per-trial ``pgr``, ``opr``.

    Trial ``i`` uses key ``split(key(seed), trials)[i]``: results are identical for any ``chunk_size``
    (the number of trials per compiled call, which bounds memory). Needs float64 (see
    :func:`w2s_theory._config.require_x64`).
    """
    require_x64()
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    trials = _validate.positive_int("trials", trials)
    chunk = _validate.positive_int("chunk_size", DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    problem = Problem.from_model(model)
    risks = run_in_chunks(partial(_design_chunk, problem=problem, n=n, N=N), trial_keys(seed, trials), chunk)
    bad = [name for name, v in risks.items() if not np.all(np.isfinite(v))]
    if bad:
        raise FloatingPointError(f"non-finite excess risk in {bad} (n={n}, N={N}); please report this")
    return risks | {"pgr": per_trial_pgr(risks), "opr": per_trial_opr(risks)}
