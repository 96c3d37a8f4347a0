"""The ridge parameter of the one least-squares kernel (w2s_theory._linalg.min_norm_lstsq): ridge against
numpy's normal equations, both branches (tall / wide) and the QR fallback; ridge = 0 is the ridgeless kernel."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from w2s_theory import _linalg
from w2s_theory._linalg import min_norm_lstsq


def _ridge(X: np.ndarray, y: np.ndarray, mu: float) -> np.ndarray:
    return np.linalg.solve(X.T @ X + mu * np.eye(X.shape[1]), X.T @ y)


_KERNEL = jax.jit(min_norm_lstsq)  # the penalty is traced: one compilation per shape


@pytest.mark.parametrize("shape", [(12, 5), (5, 12), (9, 9), (1, 4)])
def test_ridge_matches_the_normal_equations(shape):
    rng = np.random.default_rng(shape[0] * 100 + shape[1])
    for mu in np.logspace(-6, 2, 9):
        X, y = rng.standard_normal(shape), rng.standard_normal(shape[0])
        theta = np.asarray(_KERNEL(jnp.asarray(X), jnp.asarray(y), jnp.asarray(mu)))
        np.testing.assert_allclose(theta, _ridge(X, y, mu), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("shape", [(40, 7), (7, 40)])
def test_ridge_zero_is_the_ridgeless_kernel_bit_for_bit(shape):
    rng = np.random.default_rng(3)
    X, y = jnp.asarray(rng.standard_normal(shape)), jnp.asarray(rng.standard_normal(shape[0]))
    ridgeless = jax.jit(min_norm_lstsq)(X, y)
    np.testing.assert_array_equal(jax.jit(lambda X, y: min_norm_lstsq(X, y, 0.0))(X, y), ridgeless)
    traced_zero = _KERNEL(X, y, jnp.asarray(0.0))  # the Cholesky path: G + 0 I = G
    np.testing.assert_array_equal(traced_zero, ridgeless)


@pytest.mark.parametrize("shape", [(60, 8), (8, 60)])
@pytest.mark.parametrize("mu", [0.0, 1e-12, 1e-3])
def test_augmented_qr_ridge_is_accurate_where_the_gram_matrix_is_not(shape, mu):
    """The fallback solve (augmented QR) on a design with cond(X) = 1e7, cond(Gram) = 1e14; the kernel takes
    it at mu = 0 (the Cholesky check fails) and is as accurate at mu = 1e-3 (a well-conditioned Gram)."""
    rng = np.random.default_rng(2)
    U, _ = np.linalg.qr(rng.standard_normal((max(shape), min(shape))))
    V, _ = np.linalg.qr(rng.standard_normal((min(shape), min(shape))))
    X = (U * np.logspace(0, -7, min(shape))) @ V.T
    X = X if shape[0] >= shape[1] else X.T
    y = rng.standard_normal(shape[0])
    # reference: SVD least squares of the augmented system [X; sqrt(mu) I] theta = [y; 0]
    A = np.vstack([X, np.sqrt(mu) * np.eye(X.shape[1])])
    ref = np.linalg.lstsq(A, np.r_[y, np.zeros(X.shape[1])], rcond=None)[0]
    tol = dict(rtol=1e-6, atol=1e-6 * np.abs(ref).max())
    qr = jax.jit(_linalg._qr_ridge)(jnp.asarray(X), jnp.asarray(y), jnp.asarray(mu))
    np.testing.assert_allclose(np.asarray(qr), ref, **tol)
    if mu == 1e-12:
        return  # cond(Gram + mu I) = 1e12 passes the Cholesky-diagonal bound (a lower bound on cond)
    np.testing.assert_allclose(
        np.asarray(_KERNEL(jnp.asarray(X), jnp.asarray(y), jnp.asarray(mu))), ref, **tol
    )
    if mu == 0:
        G = X.T @ X if shape[0] >= shape[1] else X @ X.T
        assert not bool(_linalg._cholesky_is_reliable(jnp.asarray(np.linalg.cholesky(G))))


def test_wide_ridge_equals_the_dual_form():
    rng = np.random.default_rng(1)
    X, y, mu = rng.standard_normal((10, 30)), rng.standard_normal(10), 0.7
    theta = np.asarray(_KERNEL(jnp.asarray(X), jnp.asarray(y), jnp.asarray(mu)))
    np.testing.assert_allclose(theta, X.T @ np.linalg.solve(X @ X.T + mu * np.eye(10), y), rtol=1e-10)
