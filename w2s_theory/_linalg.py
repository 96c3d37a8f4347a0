r"""The one least-squares kernel of the package: ridge regression, ridgeless (minimum-norm) included.

For a design :math:`X \in \mathbb R^{m\times d}`, targets :math:`y` and a penalty :math:`\mu\ge0`,
:func:`min_norm_lstsq` returns :math:`\arg\min_\theta\|X\theta-y\|^2+\mu\|\theta\|^2`, and at
:math:`\mu=0` (the default) the ridgeless estimator
:math:`\hat\theta = X^+ y = \lim_{\mu\to 0^+}(X^\top X+\mu I)^{-1}X^\top y`:

* :math:`m \ge d` (under-parameterised): :math:`\hat\theta = (X^\top X+\mu I)^{-1}X^\top y` (OLS at
  :math:`\mu=0`);
* :math:`m < d` (over-parameterised): :math:`\hat\theta = X^\top (X X^\top+\mu I)^{-1} y`, the
  minimum-norm interpolator at :math:`\mu=0`.

With the package's ridge convention (penalty :math:`\lambda` on the :math:`1/m`-normalised loss,
:math:`\arg\min\frac1m\|X\theta-y\|^2+\lambda\|\theta\|^2`) pass :math:`\mu=m\lambda`.

Both are solved through a Cholesky factor of the *smaller* (regularised) Gram matrix in float64. JAX's
Cholesky returns NaN instead of raising, so the factor is checked (finite, and a cheap lower bound on the
condition number :math:`\kappa(G) \ge (\max_i L_{ii}/\min_i L_{ii})^2`); when the check fails a Householder-QR
solve of :math:`X` itself (condition :math:`\kappa(X)` rather than :math:`\kappa(X)^2`) is used instead;
with a penalty, of the augmented :math:`[X;\sqrt\mu I]` (or :math:`[X^\top;\sqrt\mu I]` when wide),
whose normal equations are the regularised ones. Never ``pinv(X) @ y``.

:func:`masked_lstsq` fits on the rows a 0/1 mask keeps, with a traced count of them (zero rows add nothing
to the normal equations; below full column rank a bordered system gives the minimum-norm interpolant,
:func:`masked_min_norm`).

Two siblings work on triangular factors (:mod:`w2s_theory._wishart`): :func:`leading_r_factor` compresses
a design :math:`Z=QT` to the leading rows of :math:`(T, Q^\top y)` with the same Cholesky-then-QR policy,
and :func:`lstsq_leading_columns` fits on leading columns of such a factor by a triangular solve.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.linalg import cho_solve, solve_triangular

#: Fall back to QR when the Cholesky-diagonal bound on cond(Gram) exceeds this.
GRAM_COND_MAX = 1e10


def _qr_min_norm(X: jax.Array, y: jax.Array) -> jax.Array:
    m, d = X.shape
    if m >= d:
        Q, R = jnp.linalg.qr(X, mode="reduced")
        return solve_triangular(R, Q.T @ y, lower=False)
    Q, R = jnp.linalg.qr(X.T, mode="reduced")  # Xᵀ = QR  =>  θ = Q R⁻ᵀ y
    return Q @ solve_triangular(R, y, lower=False, trans="T")


def _qr_ridge(X: jax.Array, y: jax.Array, ridge: jax.Array) -> jax.Array:
    r"""Ridge by Householder QR of an augmented design, :math:`A=QR` with :math:`A^\top A` the regularised
    Gram matrix. Tall: :math:`A=[X;\sqrt\mu I_d]`, :math:`\theta=R^{-1}Q_{[:m]}^\top y`. Wide:
    :math:`A=[X^\top;\sqrt\mu I_m]`, :math:`X^\top=Q_{[:d]}R` so
    :math:`\theta=X^\top(R^\top R)^{-1}y=Q_{[:d]}R^{-\top}y`. At :math:`\mu=0` both are
    :func:`_qr_min_norm`'s formulas."""
    m, d = X.shape
    root = jnp.sqrt(ridge)
    if m >= d:
        Q, R = jnp.linalg.qr(jnp.concatenate([X, root * jnp.eye(d, dtype=X.dtype)]), mode="reduced")
        return solve_triangular(R, Q[:m].T @ y, lower=False)
    Q, R = jnp.linalg.qr(jnp.concatenate([X.T, root * jnp.eye(m, dtype=X.dtype)]), mode="reduced")
    return Q[:d] @ solve_triangular(R, y, lower=False, trans="T")


def _cholesky_is_reliable(L: jax.Array) -> jax.Array:
    diag = jnp.diagonal(L)
    ratio = jnp.min(diag) / jnp.max(diag)
    return jnp.all(jnp.isfinite(L)) & (ratio * ratio > 1.0 / GRAM_COND_MAX)


def smaller_gram(X: jax.Array) -> jax.Array:
    r""":math:`X^\top X` (tall or square ``X``) or :math:`XX^\top` (wide): the Gram matrix
    :func:`min_norm_lstsq` factors."""
    return X.T @ X if X.shape[0] >= X.shape[1] else X @ X.T


def min_norm_lstsq(
    X: jax.Array, y: jax.Array, ridge: float | jax.Array | None = None, gram: jax.Array | None = None
) -> jax.Array:
    r"""Ridge / minimum-norm least-squares solution of ``X θ ≈ y`` (``y`` a vector or a matrix of targets):
    :math:`\arg\min\|X\theta-y\|^2+\mu\|\theta\|^2` with :math:`\mu=` ``ridge`` :math:`\ge0`, the
    minimum-norm solution at :math:`\mu=0`.

    ``gram``, when given, is the unregularised Gram matrix of the smaller side, :math:`X^\top X` (tall
    ``X``) or :math:`XX^\top` (wide), computed once for fits of the same design under several penalties.

    ``ridge`` is the *unnormalised* penalty: for the :math:`1/m`-normalised convention pass
    ``m * lam`` (module docstring). It may be traced. ``None`` or a Python ``0`` runs exactly the
    ridgeless program (bit-identical to the kernel without the parameter); a traced ``0`` gives the same
    numbers whenever the Cholesky factor is reliable, and the same solution through the augmented QR
    otherwise.

    Shapes are static: the branch (tall vs wide) is chosen at trace time. The Cholesky/QR choice is a
    ``lax.cond``; under ``lax.map`` only the taken branch runs.
    """
    m, d = X.shape
    tall = m >= d
    if gram is None:
        G = smaller_gram(X)
    elif gram.shape != (min(m, d),) * 2:
        raise ValueError(
            f"gram must be the {min(m, d)} x {min(m, d)} Gram of the smaller side, got {gram.shape}"
        )
    else:
        G = gram
    if isinstance(ridge, int | float) and ridge == 0:
        ridge = None
    if ridge is not None:
        G = G + ridge * jnp.eye(G.shape[0], dtype=G.dtype)
    L = jnp.linalg.cholesky(G)

    def via_cholesky(_):
        if tall:
            return cho_solve((L, True), X.T @ y)
        return X.T @ cho_solve((L, True), y)

    if ridge is None:
        via_qr = lambda _: _qr_min_norm(X, y)
    else:
        via_qr = lambda _: _qr_ridge(X, y, ridge)
    return jax.lax.cond(_cholesky_is_reliable(L), via_cholesky, via_qr, None)


def masked_min_norm(X: jax.Array, y: jax.Array, mask: jax.Array) -> jax.Array:
    r"""The minimum-norm least-squares solution on the rows where ``mask`` is 1, for any number of them: the
    first ``d`` entries of the minimum-norm solution of
    :math:`[X_M,\ \operatorname{diag}(1-\text{mask})]\,[\theta;t]=y_M` (:math:`X_M`, :math:`y_M` masked),
    whose Gram :math:`X_MX_M^\top+\operatorname{diag}(1-\text{mask})` is the kept rows' Gram with an
    identity on the dropped ones (those force :math:`t_j=0`). Use where the kept rows are fewer than the
    columns (a Gram of the rows' size)."""
    d = X.shape[1]
    Xm, ym = X * mask[:, None], y * (mask[:, None] if y.ndim == 2 else mask)
    return min_norm_lstsq(jnp.concatenate([Xm, jnp.diag(1.0 - mask)], axis=1), ym)[:d]


def masked_lstsq(
    X: jax.Array, y: jax.Array, mask: jax.Array, count: int | jax.Array, min_norm: bool = True
) -> jax.Array:
    r"""Ridgeless least squares on the rows where ``mask`` is 1 (``count`` of them, may be traced); ``y`` a
    vector or a matrix of targets.

    ``count >= d``: :func:`min_norm_lstsq` of the masked design (OLS: a zero row adds nothing to the normal
    equations). ``count < d``: the minimum-norm interpolant (:func:`masked_min_norm`). A ``lax.cond``: only
    the taken branch runs on CPU. ``min_norm=False`` (static) promises ``count >= d`` and compiles the OLS
    branch only.
    """
    N, d = X.shape
    if N < d:
        return masked_min_norm(X, y, mask)
    Xm, ym = X * mask[:, None], y * (mask[:, None] if y.ndim == 2 else mask)
    if not min_norm:
        return min_norm_lstsq(Xm, ym)
    return jax.lax.cond(
        count < d, lambda _: masked_min_norm(X, y, mask), lambda _: min_norm_lstsq(Xm, ym), None
    )


def leading_r_factor(Z: jax.Array, y: jax.Array, k: int) -> tuple[jax.Array, jax.Array]:
    r"""The first ``k`` rows of :math:`T` and of :math:`Q^\top y` for the thin QR :math:`Z=QT`
    (:math:`k\le\min(m,d)`, static): an exact compression of the design for least squares
    (:mod:`w2s_theory._wishart`).

    With :math:`Z_k` the first ``k`` columns and :math:`Z_k^\top Z_k=LL^\top` (Cholesky),
    :math:`T_{[:k],:}=L^{-1}Z_k^\top Z` and :math:`(Q^\top y)_{[:k]}=L^{-1}Z_k^\top y`: one
    :math:`k\times d` Gram product, :math:`O(mkd)`. The factor is checked like :func:`min_norm_lstsq`'s;
    when unreliable, a Householder QR of :math:`Z` is used instead (rows may then differ in sign, which no
    least-squares fit sees).
    """
    Z_k = Z[:, :k]
    G = Z_k.T @ Z
    L = jnp.linalg.cholesky(G[:, :k])

    def via_cholesky(_):
        return solve_triangular(L, G, lower=True), solve_triangular(L, Z_k.T @ y, lower=True)

    def via_qr(_):
        Q, R = jnp.linalg.qr(Z, mode="reduced")
        return R[:k], Q[:, :k].T @ y

    return jax.lax.cond(_cholesky_is_reliable(L), via_cholesky, via_qr, None)


def lstsq_leading_columns(T: jax.Array, t: jax.Array, d: int) -> jax.Array:
    r"""Minimum-norm least squares of ``t`` on the first ``d`` columns of an upper-trapezoidal ``T``.

    If ``T`` has at least ``d`` rows, those columns are :math:`[T_{[:d,:d]};0]`, so the fit is the
    triangular solve :math:`T_{[:d,:d]}^{-1}t_{[:d]}` (the last step of a QR least-squares solve;
    :math:`O(d^2)`). Otherwise the ``m x d`` block is wide and :func:`min_norm_lstsq` gives the
    minimum-norm interpolator.
    """
    if T.shape[0] >= d:
        return solve_triangular(T[:d, :d], t[:d], lower=False)
    return min_norm_lstsq(T[:, :d], t)


def masked_leading_columns(T: jax.Array, t: jax.Array, d: int, count: jax.Array) -> jax.Array:
    r""":func:`lstsq_leading_columns` on the first ``count`` rows of an upper-trapezoidal ``T`` (the other
    rows zero; ``count`` may be traced, ``T`` has at least ``d`` rows): the triangular solve when
    ``count >= d``, else the minimum-norm interpolant of the kept rows (:func:`masked_min_norm`). The first
    ``d`` columns of such a ``T`` are zero below row ``d``, so only its leading ``d x d`` block is read."""
    X, y = T[:d, :d], t[:d]
    mask = (jnp.arange(d) < count).astype(X.dtype)
    return jax.lax.cond(
        count >= d,
        lambda _: solve_triangular(X, y, lower=False),
        lambda _: masked_min_norm(X, y, mask),
        None,
    )
