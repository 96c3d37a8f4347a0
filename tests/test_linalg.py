"""The min-norm least-squares kernel: exact identities against numpy, and the QR fallback."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2s_theory import _linalg
from w2s_theory._linalg import min_norm_lstsq


@settings(max_examples=30)
@given(m=st.integers(1, 40), d=st.integers(1, 40), seed=st.integers(0, 2**31 - 1))
def test_matches_numpy_min_norm(m, d, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((m, d)), rng.standard_normal(m)
    theta = np.asarray(jax.jit(min_norm_lstsq)(jnp.asarray(X), jnp.asarray(y)))  # as the trials run it
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(theta, ref, rtol=1e-7, atol=1e-9 * (1 + np.abs(ref).max()))


def test_wide_design_interpolates_with_row_space_solution():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 30)), rng.standard_normal(10)
    theta = np.asarray(min_norm_lstsq(jnp.asarray(X), jnp.asarray(y)))
    np.testing.assert_allclose(X @ theta, y, atol=1e-10)  # interpolation
    null = np.linalg.svd(X)[2][10:]  # orthonormal basis of null(X)
    np.testing.assert_allclose(null @ theta, 0, atol=1e-10)  # minimum norm = no null-space component


def test_matrix_of_targets():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((25, 6)), rng.standard_normal((25, 3))
    np.testing.assert_allclose(min_norm_lstsq(jnp.asarray(X), jnp.asarray(Y)), np.linalg.lstsq(X, Y)[0])


@pytest.mark.parametrize("shape", [(60, 8), (8, 60)])
def test_ill_conditioned_design_falls_back_to_qr(shape, monkeypatch):
    rng = np.random.default_rng(2)
    U, _ = np.linalg.qr(rng.standard_normal((max(shape), min(shape))))
    V, _ = np.linalg.qr(rng.standard_normal((min(shape), min(shape))))
    X = (U * np.logspace(0, -7, min(shape))) @ V.T  # cond(X) = 1e7, cond(Gram) = 1e14
    X = X if shape[0] >= shape[1] else X.T
    y = rng.standard_normal(shape[0])
    L = np.linalg.cholesky(X.T @ X if shape[0] >= shape[1] else X @ X.T)
    assert not bool(_linalg._cholesky_is_reliable(jnp.asarray(L)))  # the fallback is the branch taken
    theta = np.asarray(jax.jit(min_norm_lstsq)(jnp.asarray(X), jnp.asarray(y)))
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def test_a_gram_of_the_wrong_side_is_rejected():
    X = jnp.ones((5, 3))
    with pytest.raises(ValueError, match="gram must be the 3 x 3 Gram"):
        min_norm_lstsq(X, jnp.ones(5), 0.1, gram=X @ X.T)
