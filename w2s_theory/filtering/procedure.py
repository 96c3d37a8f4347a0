r"""The two-stage filtering procedure of Shi et al. (ACL 2025) for least-squares learners, as pure JAX
functions of the designs (``docs/theory/filtering.md`` §1).

With a teacher :math:`\hat\theta_w` fitted on the labelled design :math:`\Phi_w` and a pool of :math:`N`
unlabelled points with teacher pseudo-labels :math:`\tilde y_j=\varphi_w(\tilde x_j)^\top\hat\theta_w`:

1. **Stage I** (:func:`stage_one`). Rank the pool by an inconsistency score :math:`s_j`
   (:func:`leverage_scores`, :func:`bootstrap_scores`, or any other), keep the :math:`m` smallest as
   :math:`A` (:func:`keep_smallest`; ties in pool order), and fit
   :math:`\hat\theta_I=\mathrm{LS}(\tilde\Phi_s[A],\tilde y_A)`.
2. **Stage II** (:func:`stage_two`). On the discarded points :math:`D`, the stage-I student relabels
   :math:`\hat y_j=\varphi_s(\tilde x_j)^\top\hat\theta_I` and scores its own confidence by its leverage
   :math:`h_j=\varphi_s^\top(\tilde\Phi_s[A]^\top\tilde\Phi_s[A])^+\varphi_s`; the :math:`m_2` most confident
   form :math:`B`, and :math:`\hat\theta_{II}=\mathrm{LS}(\tilde\Phi_s[A\cup B],[\tilde y_A;\hat y_B])`.

"LS" is ridgeless least squares: OLS when the kept design has full column rank, else the minimum-norm
interpolant. Kept sets are 0/1 **masks** over the pool, so every array has the pool's shape and the counts
``m``, ``m2`` may be traced: a fit on the masked rows equals the fit on the kept rows, because a zero row
adds nothing to the normal equations (OLS) and only the vacuous constraint :math:`0=0` (minimum norm). For
any such learner :math:`\hat\theta_{II}=\hat\theta_I` exactly (``docs/theory/filtering.md`` §2.1).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.linalg import cho_solve, solve_triangular

from w2s_theory._linalg import masked_lstsq, min_norm_lstsq


def order_keys(scores: jax.Array) -> jax.Array:
    """Integer keys in the order of the float64 ``scores`` (the total order of ``jnp.sort``: -0.0 and 0.0
    equal, NaN last): the IEEE bits read as ``int64``, with the magnitude bits of negative numbers flipped.
    XLA:CPU sorts a single integer operand several times faster than floats, whose comparator it calls
    per comparison (800 scores: 16 against 73 microseconds)."""
    canonical = jnp.where(jnp.isnan(scores), jnp.nan, jnp.where(scores == 0, 0.0, scores))
    bits = jax.lax.bitcast_convert_type(canonical.astype(jnp.float64), jnp.int64)
    return jnp.where(bits < 0, bits ^ jnp.int64(0x7FFF_FFFF_FFFF_FFFF), bits)


def sorted_keys(scores: jax.Array) -> jax.Array:
    """:func:`order_keys` of ``scores``, ascending: what :func:`keep_smallest` needs for any ``m``."""
    return jnp.sort(order_keys(scores))


def keep_smallest(scores: jax.Array, m: int | jax.Array, ordered: jax.Array | None = None) -> jax.Array:
    """The 0/1 mask of the ``m`` smallest ``scores``, ties kept in pool order (what a stable sort keeps);
    ``m`` may be traced. ``ordered``: :func:`sorted_keys` of ``scores``, if already computed (a trial
    sorts each score once for all its keep fractions).

    The ``m``-th smallest key :math:`t` is read off the sorted keys: the mask keeps every score below
    :math:`t`, and of the scores equal to :math:`t` the first ones in pool order, as many as are still
    missing. No permutation is formed (tested against numpy's stable argsort, with ties)."""
    keys = order_keys(scores)
    ordered = jnp.sort(keys) if ordered is None else ordered
    threshold = ordered[jnp.maximum(m - 1, 0)]
    below, tied = keys < threshold, keys == threshold
    missing = m - jnp.sum(below)
    return ((m > 0) & (below | (tied & (jnp.cumsum(tied) <= missing)))).astype(scores.dtype)


def leverage(X: jax.Array, X_new: jax.Array) -> jax.Array:
    r"""Leverage :math:`h_j=x_j^\top(X^\top X)^{+}x_j` of each row :math:`x_j` of ``X_new`` under ``X``
    (``m x d``; rows of zeros allowed).

    :math:`m\ge d` (static): :math:`\|L^{-1}x_j\|^2` with :math:`X^\top X=LL^\top` (Cholesky, :math:`O(md^2)`;
    a singular Gram gives NaN, which the driver reports). :math:`m<d`: the squared column norms of
    :math:`W=\mathrm{LS}(X^\top,X_{\rm new}^\top)=(XX^\top)^{-1}XX_{\rm new}^\top`, i.e.
    :math:`x^\top X^\top(XX^\top)^{-2}Xx=x^\top(X^\top X)^+x`.
    """
    m, d = X.shape
    if m >= d:
        # L^{-1} by a d-column solve, then one GEMM for every row of X_new: a triangular solve with the
        # pool's 800 rows as right-hand sides ran at a fifth of the GEMM rate
        L_inv = solve_triangular(jnp.linalg.cholesky(X.T @ X), jnp.eye(d, dtype=X.dtype), lower=True)
        return jnp.sum((X_new @ L_inv.T) ** 2, axis=1)
    W = min_norm_lstsq(X.T, X_new.T)
    return jnp.sum(W * W, axis=0)


def leverage_scores(Phi_w: jax.Array, Phi_w_pool: jax.Array) -> jax.Array:
    r"""Teacher leverage :math:`s_j=\varphi_w(\tilde x_j)^\top G_w^{+}\varphi_w(\tilde x_j)`,
    :math:`G_w=\Phi_w^\top\Phi_w` (:func:`leverage`): the teacher's predictive variance at
    :math:`\tilde x_j` divided by its noise level :math:`\sigma^2+\rho_w`."""
    return leverage(Phi_w, Phi_w_pool)


def bootstrap_scores(
    key: jax.Array, Phi_w: jax.Array, y: jax.Array, Phi_w_pool: jax.Array, B: int
) -> jax.Array:
    r"""Bootstrap spread: the sample standard deviation over ``B`` pairs-bootstrap teachers
    :math:`\hat\theta^{(b)}=\mathrm{LS}(\Phi_w[I_b],y[I_b])` (:math:`I_b`: ``n`` indices drawn with
    replacement) of their predictions :math:`\varphi_w(\tilde x_j)^\top\hat\theta^{(b)}`. The paper's
    agreement rate within a tolerance is a decreasing function of this spread for Gaussian-like spreads,
    so it ranks the pool the same way. The teachers are fitted one after another (``lax.map``). A resample
    with fewer than ``d_w`` distinct rows has no least-squares fit of full rank (rare unless ``n`` is close to
    ``d_w``); its NaN is reported by the driver."""
    n = Phi_w.shape[0]
    idx = jax.random.randint(key, (B, n), 0, n)
    thetas = jax.lax.map(lambda i: min_norm_lstsq(Phi_w[i], y[i]), idx)  # (B, d_w)
    return jnp.std(Phi_w_pool @ thetas.T, axis=1, ddof=1)


def masked_leverage(
    X: jax.Array, mask: jax.Array, count: int | jax.Array, X_new: jax.Array, min_norm: bool = True
) -> jax.Array:
    r""":func:`leverage` of the rows of ``X_new`` under the rows of ``X`` where ``mask`` is 1 (``count`` of
    them). For ``count < d`` it is :math:`\|K^{-1}X_Mx_j\|^2` with
    :math:`K=X_MX_M^\top+\operatorname{diag}(1-\text{mask})` (the kept rows' :math:`(XX^\top)^{-1}` padded
    with an identity), which is :math:`x_j^\top(X_A^\top X_A)^+x_j`. ``min_norm=False``: as in
    :func:`w2s_theory._linalg.masked_lstsq`."""
    N, d = X.shape
    Xm = X * mask[:, None]
    if N >= d and not min_norm:
        return leverage(Xm, X_new)

    def min_norm_branch(_):
        K = Xm @ Xm.T + jnp.diag(1.0 - mask)
        W = cho_solve((jnp.linalg.cholesky(K), True), Xm @ X_new.T)
        return jnp.sum(W * W, axis=0)

    if N < d:
        return min_norm_branch(None)
    return jax.lax.cond(count < d, min_norm_branch, lambda _: leverage(Xm, X_new), None)


def stage_one(
    Phi_s_pool: jax.Array,
    labels: jax.Array,
    scores: jax.Array,
    m: int | jax.Array,
    min_norm: bool = True,
    ordered: jax.Array | None = None,
) -> tuple[jax.Array, jax.Array]:
    r"""Stage I: the mask of :math:`A` (the ``m`` smallest ``scores``) and
    :math:`\hat\theta_I=\mathrm{LS}(\tilde\Phi_s[A],\tilde y_A)`. ``min_norm=False`` (static) promises
    ``m >= d_s`` (:func:`w2s_theory._linalg.masked_lstsq`). ``ordered``: :func:`sorted_keys` of ``scores``,
    if already computed (a trial sorts each score once for all its keep fractions)."""
    A = keep_smallest(scores, m, ordered)
    return A, masked_lstsq(Phi_s_pool, labels, A, m, min_norm)


def stage_two(
    Phi_s_pool: jax.Array,
    labels: jax.Array,
    A: jax.Array,
    m: int | jax.Array,
    theta_I: jax.Array,
    m2: int | jax.Array,
    min_norm: bool = True,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    r"""Stage II: relabel the discarded points with :math:`\hat\theta_I`, keep the ``m2`` (at most
    :math:`N-m`) with the smallest student leverage under :math:`A` (mask ``A``, ``m`` points) as
    :math:`B`, refit on :math:`A\cup B`.

    Returns :math:`\hat\theta_{II}`, the mask of :math:`B`, and the training labels
    (:math:`\tilde y` on :math:`A`, :math:`\hat y` on :math:`B`, 0 elsewhere). ``min_norm=False``
    (static) promises ``m >= d_s``.
    """
    h = masked_leverage(Phi_s_pool, A, m, Phi_s_pool, min_norm)
    B = keep_smallest(jnp.where(A > 0, jnp.inf, h), m2)
    train = A * labels + B * (Phi_s_pool @ theta_I)
    return masked_lstsq(Phi_s_pool, train, A + B, m + m2, min_norm), B, train
