r"""One Monte Carlo trial of two-stage filtering in the subspace model: every score and every keep
fraction on the same teacher and the same pool (paired arms).

A trial works in an orthonormal basis of :math:`R=\operatorname{span}(V_w,V_s,\beta)` (dimension ``r``):
latent rows :math:`x\sim\mathcal N(0,I_r)`, labels :math:`y=x^\top\beta+\epsilon`. It draws ``n`` labelled
and ``N`` unlabelled rows (the pool also gets true labels, for the ceiling), fits the teacher, the strong
baseline (``n`` true labels), the ceiling (``n + N`` true labels) and the naive W2S student (all ``N``
pseudo-labels), computes each score on the pool, then runs :mod:`w2s_theory.filtering.procedure` for every
(score, keep fraction) arm in one ``lax.map`` (one compiled arm, whatever the number of arms; the kept
counts are traced). Every fit is a latent vector :math:`b=V\hat\theta`, and its excess risk is exact:
:math:`\|b-\beta\|^2`.

Per-trial outputs (``S`` scores, ``Q`` keep fractions):

* ``weak``, ``strong``, ``ceiling``, ``w2s`` (scalars);
* ``stage1``, ``stage2`` (``S x Q``): excess risks of the stage-I and stage-I+II students;
* ``stage2_shift`` (``S x Q``): :math:`\max_i|\hat\theta_{II}-\hat\theta_I|_i` (zero up to rounding);
* ``limit`` (``Q``): :math:`\|L_q\hat\beta_t-\beta\|^2`, the population (:math:`N\to\infty`) stage-I student
  of this trial's teacher under the isotropic filter (:func:`w2s_theory.filtering.theory.population_map`);
* degeneration statistics (``S x Q``) on :math:`A` and on :math:`A\cup B`: ``weak_norm_*`` (mean
  :math:`\|\varphi_w\|^2/d_w` of the kept points; 1 in expectation on the whole pool), ``strong_gram_*``
  (mean eigenvalue of the kept strong Gram :math:`\tilde\Phi_s[S]^\top\tilde\Phi_s[S]/|S|`), ``label_rms_*``
  (RMS of the training labels kept / RMS of the teacher's labels on the pool).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp

from w2s_theory._linalg import min_norm_lstsq
from w2s_theory.filtering.procedure import (
    bootstrap_scores,
    leverage_scores,
    sorted_keys,
    stage_one,
    stage_two,
)

SCALARS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s")
ARMS: tuple[str, ...] = (
    "stage1",
    "stage2",
    "stage2_shift",
    "weak_norm_A",
    "weak_norm_AB",
    "strong_gram_A",
    "strong_gram_AB",
    "label_rms_A",
    "label_rms_AB",
)
OUTPUTS: tuple[str, ...] = SCALARS + ("limit",) + ARMS


@partial(
    jax.tree_util.register_dataclass,
    data_fields=["B_w", "B_s", "b_star", "sigma", "L_iso", "kept", "added"],
    meta_fields=[],
)
@dataclass(frozen=True)
class Problem:
    """The traced part of a trial: the model in trial coordinates (``B_w`` ``r x d_w``, ``B_s`` ``r x d_s``,
    ``b_star`` ``r``), the noise level, the isotropic filter's population maps ``L_iso`` (``Q x r x r``),
    and the stage-I kept counts ``kept`` and stage-II added counts ``added`` (``Q``, integers)."""

    B_w: jax.Array
    B_s: jax.Array
    b_star: jax.Array
    sigma: jax.Array
    L_iso: jax.Array
    kept: jax.Array
    added: jax.Array


@dataclass(frozen=True)
class Static:
    """What fixes a trial's shapes: sample sizes, ``r``, the scores, the number of keep fractions and of
    bootstrap teachers, and whether some kept set may be smaller than ``d_s`` (``min_norm``: compile the
    minimum-norm branch of :mod:`w2s_theory.filtering.procedure`)."""

    n: int
    N: int
    r: int
    scores: tuple[str, ...]
    n_q: int
    n_boot: int
    min_norm: bool


def _score(name: str, keys: dict, p: Problem, X: dict, y: jax.Array, labels: jax.Array, n_boot: int):
    if name == "leverage":
        return leverage_scores(X["w"], X["w_pool"])
    if name == "bootstrap":
        return bootstrap_scores(keys["boot"], X["w"], y, X["w_pool"], n_boot)
    if name == "oracle":
        return jnp.abs(labels - X["pool"] @ p.b_star)
    if name == "random":
        return jax.random.uniform(keys["random"], labels.shape)
    return jnp.sum(X["w_pool"] ** 2, axis=1)  # isotropic


def trial(key: jax.Array, p: Problem, static: Static) -> dict[str, jax.Array]:
    """The family's trial function (module docstring)."""
    k_x, k_e, k_xt, k_et, k_boot, k_rand = jax.random.split(key, 6)
    X_l = jax.random.normal(k_x, (static.n, static.r))
    y = X_l @ p.b_star + p.sigma * jax.random.normal(k_e, (static.n,))
    X_u = jax.random.normal(k_xt, (static.N, static.r))
    y_u = X_u @ p.b_star + p.sigma * jax.random.normal(k_et, (static.N,))
    X = {"w": X_l @ p.B_w, "w_pool": X_u @ p.B_w, "pool": X_u}
    S_l, S_u = X_l @ p.B_s, X_u @ p.B_s
    risk = lambda b: jnp.sum((b - p.b_star) ** 2)

    theta_w = min_norm_lstsq(X["w"], y)
    beta_t = p.B_w @ theta_w
    labels = X["w_pool"] @ theta_w
    out = {
        "weak": risk(beta_t),
        "strong": risk(p.B_s @ min_norm_lstsq(S_l, y)),
        "ceiling": risk(p.B_s @ min_norm_lstsq(jnp.concatenate([S_l, S_u]), jnp.concatenate([y, y_u]))),
        "w2s": risk(p.B_s @ min_norm_lstsq(S_u, labels)),
        "limit": jnp.sum((p.L_iso @ beta_t - p.b_star[None, :]) ** 2, axis=1),
    }
    keys = {"boot": k_boot, "random": k_rand}
    scores = jnp.stack([_score(s, keys, p, X, y, labels, static.n_boot) for s in static.scores])
    ordered = jax.vmap(sorted_keys)(scores)  # each score sorted once, for every keep fraction
    weak_norms = jnp.sum(X["w_pool"] ** 2, axis=1) / p.B_w.shape[1]
    strong_norms = jnp.sum(S_u**2, axis=1) / p.B_s.shape[1]
    pool_ms = jnp.mean(labels**2)
    mean_on = lambda v, mask: jnp.sum(mask * v) / jnp.sum(mask)

    def arm(index: jax.Array) -> dict[str, jax.Array]:
        s, j = index // static.n_q, index % static.n_q
        m, m2 = p.kept[j], p.added[j]
        A, theta_I = stage_one(S_u, labels, scores[s], m, static.min_norm, ordered[s])
        theta_II, B, train = stage_two(S_u, labels, A, m, theta_I, m2, static.min_norm)
        AB = A + B
        return {
            "stage1": risk(p.B_s @ theta_I),
            "stage2": risk(p.B_s @ theta_II),
            "stage2_shift": jnp.max(jnp.abs(theta_II - theta_I)),
            "weak_norm_A": mean_on(weak_norms, A),
            "weak_norm_AB": mean_on(weak_norms, AB),
            "strong_gram_A": mean_on(strong_norms, A),
            "strong_gram_AB": mean_on(strong_norms, AB),
            "label_rms_A": jnp.sqrt(mean_on(labels**2, A) / pool_ms),
            "label_rms_AB": jnp.sqrt(mean_on(train**2, AB) / pool_ms),
        }

    arms = jax.lax.map(arm, jnp.arange(len(static.scores) * static.n_q))
    return out | {k: v.reshape(len(static.scores), static.n_q) for k, v in arms.items()}


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes): the designs, the scores, and an ``N x N`` Gram for a
    minimum-norm (kept set smaller than ``d_s``) arm."""
    n, N, r = static.n, static.N, static.r
    return 8 * (3 * (n + N) * r + N * (static.n_boot + len(static.scores)) + 2 * N * N + 8 * r * r)
