r"""The one least-squares kernel of the package: ridgeless (minimum-norm) regression.

For a design :math:`X \in \mathbb R^{m\times d}` and targets :math:`y`, the ridgeless estimator is
:math:`\hat\theta = X^+ y = \lim_{\lambda\to 0^+}(X^\top X+\lambda I)^{-1}X^\top y`:

* :math:`m \ge d` (under-parameterised): :math:`\hat\theta = (X^\top X)^{-1}X^\top y` (OLS);
* :math:`m < d` (over-parameterised): :math:`\hat\theta = X^\top (X X^\top)^{-1} y`, the
  minimum-norm interpolator.

Both are solved through a Cholesky factor of the *smaller* Gram matrix in float64. JAX's Cholesky
returns NaN instead of raising, so the factor is checked (finite, and a cheap lower bound on the condition
number :math:`\kappa(G) \ge (\max_i L_{ii}/\min_i L_{ii})^2`); when the check fails a Householder-QR
solve of :math:`X` itself (condition :math:`\kappa(X)` rather than :math:`\kappa(X)^2`) is used instead.
Never ``pinv(X) @ y``.
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


def _cholesky_is_reliable(L: jax.Array) -> jax.Array:
    diag = jnp.diagonal(L)
    ratio = jnp.min(diag) / jnp.max(diag)
    return jnp.all(jnp.isfinite(L)) & (ratio * ratio > 1.0 / GRAM_COND_MAX)


def min_norm_lstsq(X: jax.Array, y: jax.Array) -> jax.Array:
    """Minimum-norm least-squares solution of ``X θ ≈ y`` (``y`` a vector or a matrix of targets).

    Shapes are static: the branch (tall vs wide) is chosen at trace time. The Cholesky/QR choice is a
    ``lax.cond``; under ``lax.map`` only the taken branch runs.
    """
    m, d = X.shape
    tall = m >= d
    G = X.T @ X if tall else X @ X.T
    L = jnp.linalg.cholesky(G)

    def via_cholesky(_):
        if tall:
            return cho_solve((L, True), X.T @ y)
        return X.T @ cho_solve((L, True), y)

    return jax.lax.cond(_cholesky_is_reliable(L), via_cholesky, lambda _: _qr_min_norm(X, y), None)
