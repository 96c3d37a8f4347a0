"""The vectorised chi-square sampler behind the Bartlett factor (w2s_theory._wishart.chi_square): its law
against scipy's chi-square CDF, at degrees of freedom below 2 (the boosted branch), small, non-integer and
large, drawn in one traced call; and several factors drawn together (``bartlett_factors``): each with its
own Wishart moments, independent of the other (fixed keys; KS p-values above 1e-3, means within 5 SE)."""

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from w2s_theory._wishart import bartlett_factors, chi_square
from w2s_theory.testing import assert_mc_close

DOFS = (1.0, 1.5, 2.0, 3.0, 7.5, 40.0, 2000.0)
DRAWS = 20000


def test_chi_square_law_matches_scipy():
    dof = jnp.repeat(jnp.asarray(DOFS)[:, None], DRAWS, axis=1)
    draws = np.asarray(jax.jit(chi_square)(jax.random.key(11), dof))
    assert draws.shape == (len(DOFS), DRAWS) and np.all(draws > 0)
    for k, x in zip(DOFS, draws, strict=True):
        p = stats.kstest(x, stats.chi2(k).cdf).pvalue
        assert p > 1e-3, f"dof={k}: KS p = {p:.2g}"
        assert_mc_close(x, k, label=f"E chi2_{k}")
        assert_mc_close((x - k) ** 2, 2 * k, label=f"Var chi2_{k}")


def test_factors_drawn_together_have_their_own_laws_and_are_independent():
    """Labelled (m = 16, all 5 rows) and unlabelled (m = 9, 3 leading rows) factors of one draw:
    E tr (TᵀT)⁻¹ = d/(m - d - 1), E W_11 = m for each, and E[W_11 U_11] = 16 * 9 (independence)."""
    draw = jax.jit(
        lambda keys: jax.lax.map(lambda k: bartlett_factors(k, (16, jnp.asarray(9.0)), 5, (5, 3)), keys)
    )
    T, U = (np.asarray(a) for a in draw(jax.random.split(jax.random.key(5), 4000)))
    assert T.shape == (4000, 5, 5) and U.shape == (4000, 3, 5)
    assert np.all(np.tril(T, -1) == 0) and np.all(np.tril(U, -1) == 0)
    W = np.einsum("tij,tik->tjk", T, T)
    assert_mc_close(np.trace(np.linalg.inv(W), axis1=1, axis2=2), 5 / (16 - 5 - 1), label="E tr W^-1 (T)")
    assert_mc_close(W[:, 0, 0], 16, label="E W_11 (T)")
    assert_mc_close(U[:, 0, 0] ** 2, 9, label="E W_11 (U)")
    assert_mc_close(W[:, 0, 0] * U[:, 0, 0] ** 2, 16 * 9, label="E W_11 U_11")


def test_noise_vectors_drawn_with_the_factors_are_standard_and_independent():
    """The noise vectors of one call (a trial's label noise): mean 0, variance 1, uncorrelated with each
    other and with the factors' entries (E[g_1 T_11] = 0, E[g_1 T_12] = 0, E[g_1 h_1] = 0)."""
    draw = jax.jit(
        lambda keys: jax.lax.map(lambda k: bartlett_factors(k, (16, 9), 5, (5, 3), noise=(5, 3)), keys)
    )
    T, U, g, h = (np.asarray(a) for a in draw(jax.random.split(jax.random.key(8), 4000)))
    assert g.shape == (4000, 5) and h.shape == (4000, 3)
    for name, v in {"g": g, "h": h}.items():
        assert_mc_close(v[:, 0], 0.0, label=f"E {name}_1")
        assert_mc_close(v[:, -1] ** 2, 1.0, label=f"E {name}_last^2")
    assert_mc_close(g[:, 0] * T[:, 0, 0], 0.0, label="E g_1 T_11")
    assert_mc_close(g[:, 0] * T[:, 0, 1], 0.0, label="E g_1 T_12")
    assert_mc_close(g[:, 0] * h[:, 0], 0.0, label="E g_1 h_1")
    assert_mc_close(h[:, 0] * U[:, 0, 2], 0.0, label="E h_1 U_13")
