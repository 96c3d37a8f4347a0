"""The Bartlett sampler (w2s_theory._wishart) against the R factor of a Gaussian design and known moments.

Statistical checks use fixed keys: means within 5 SE (w2s_theory.testing), two-sample KS p-values above
1e-3 for laws.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from w2s_theory._wishart import bartlett_factors, strict_upper, strict_upper_count
from w2s_theory.testing import assert_mc_close

KS_LEVEL = 1e-3
TRIALS = 4000


@pytest.mark.parametrize("rows,cols", [(1, 1), (2, 2), (6, 6), (7, 7), (5, 9), (4, 4), (1, 3)])
def test_strict_upper_uses_each_normal_once(rows, cols):
    """Distinct stand-ins for the normals: each entry of the strict upper triangle is a different one."""
    count = strict_upper_count(rows, cols)
    M = np.asarray(strict_upper(jnp.arange(1.0, count + 1), rows, cols))
    assert M.shape == (rows, cols)
    np.testing.assert_array_equal(np.tril(M), 0.0)
    upper = M[np.triu_indices(rows, 1, cols)]
    assert upper.size == rows * (rows - 1) // 2 + rows * (cols - rows) <= count
    assert np.all(upper != 0.0) and np.unique(upper).size == upper.size


def bartlett_factor(key, dof, dim, rows):
    return bartlett_factors(key, [dof], dim, [rows])[0]


def _draw(fn, seed: int) -> np.ndarray:
    return np.asarray(jax.jit(jax.vmap(fn))(jax.random.split(jax.random.key(seed), TRIALS)))


def test_inverse_wishart_mean_is_the_theory_building_block():
    """E tr((TᵀT)⁻¹) = d/(m - d - 1): the factor behind every exact expectation
    (docs/theory/discrepancies.md §2.2)."""
    m, d = 16, 5
    T = _draw(lambda k: bartlett_factor(k, m, d, d), seed=1)
    W = np.einsum("tij,tik->tjk", T, T)
    assert_mc_close(np.trace(np.linalg.inv(W), axis1=1, axis2=2), d / (m - d - 1), label="E tr W^-1")
    assert_mc_close(W[:, 0, 0], m, label="E W_11")
    assert_mc_close(W[:, 1, 3], 0.0, label="E W_24")


@pytest.mark.parametrize(
    "m,d,rows", [(7, 5, None), (3, 6, None), (9, 6, 2)], ids=["near-square", "singular", "leading-rows"]
)
def test_law_equals_r_factor_of_gaussian_design(m, d, rows):
    """Eigenvalues of T_kᵀT_k (k leading rows; for k = min(m, d) these are those of ZᵀZ) and the
    cross-product T_{11} T_{1,last}: two-sample KS against the R factor of a drawn m x d design."""
    k = min(m, d) if rows is None else rows

    def design(key):
        R = jnp.linalg.qr(jax.random.normal(key, (m, d)), mode="r")[: min(m, d)]
        return R * jnp.sign(jnp.diagonal(R))[:, None]  # positive diagonal, as in Bartlett

    T_b = _draw(lambda key: bartlett_factor(key, m, d, k), seed=2)
    T_z = _draw(design, seed=3)[:, :k]
    assert T_b.shape == T_z.shape
    for name, f in {
        "smallest eig": lambda T: np.linalg.eigvalsh(np.einsum("tij,tkj->tik", T, T))[:, 0],
        "largest eig": lambda T: np.linalg.eigvalsh(np.einsum("tij,tkj->tik", T, T))[:, -1],
        "T_11 T_1d": lambda T: T[:, 0, 0] * T[:, 0, -1],
    }.items():
        p = stats.ks_2samp(f(T_b), f(T_z)).pvalue
        assert p > KS_LEVEL, f"{name}: KS p = {p:.2g} (m={m}, d={d}, rows={rows})"
