"""Multi-teacher / student rounds (``docs/theory/rounds.md``): the symbolic derivation, the exact and limiting
results, the procedure's Monte Carlo against the exact round-0/round-1 expectations, and bad input.

Default run: everything exact (no Monte Carlo) plus one Monte Carlo configuration (two teachers of unequal
dimension in rotated, non-coordinate frames). The other configurations are in ``tests/test_rounds_slow.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from w2s_theory.rounds import RoundsModel, _closed_forms, macpo_rounds
from w2s_theory.rounds import theory as th
from w2s_theory.testing import assert_mc_close

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    assert_self_checks_hold,
    formula_names,
    lazy_derivation,
)

sr = lazy_derivation("w2s_theory.symbolic.rounds")


# ------------------------------------------------------------------------------------------- symbolic
def test_every_self_check_holds():
    assert_self_checks_hold(sr.self_checks())


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(sr)


RATIONAL_POINT = {
    "n": 97, "N": 233, "K": 3, "d_k": 13, "d_s": 7, "d_sk": sp.Rational(41, 10), "sigma2": sp.Rational(3, 7),
    "rho_k": sp.Rational(1, 9), "rho_s": sp.Rational(2, 11), "bias_in": sp.Rational(1, 13),
    "bias_out": sp.Rational(1, 17), "noise_in": sp.Rational(1, 19), "noise_out": sp.Rational(1, 23),
    "a": sp.Rational(2, 3), "lam": sp.Rational(3, 10), "t": 4,
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(sr, _closed_forms, RATIONAL_POINT, name)


# ------------------------------------------------------------------------------------------- models
def random_model(dims=(3, 4), d_s=5, D=12, sigma2=0.5, seed=0) -> RoundsModel:
    """Rotated (non-coordinate) frames: every pair of subspaces has generic principal angles."""
    rng = np.random.default_rng(seed)
    frames = [np.linalg.qr(rng.standard_normal((D, d)))[0] for d in dims]
    V_s = np.linalg.qr(rng.standard_normal((D, d_s)))[0]
    return RoundsModel(frames, V_s, rng.standard_normal(D) / np.sqrt(D), sigma2)


# ------------------------------------------------------------------ prototype numbers (exact / limit)
def test_round1_exact_reproduces_the_reference_table():
    """R2.1 at n = 40, N = 400 (G1: diverse teachers with a common core; G2: identical subspaces)."""
    table = {("G1_blocks", 1): 1.3253, ("G1_blocks", 2): 0.8793, ("G1_blocks", 4): 0.6563,
             ("G1_blocks", 6): 0.5820, ("G2_same", 2): 0.9216, ("G2_same", 4): 0.7197,
             ("G2_same", 6): 0.6524}  # fmt: skip
    for (geometry, K), value in table.items():
        got = RoundsModel.prototype(geometry, K).round1_risk(40, 400)["risk"]
        assert round(got, 4) == value, (geometry, K, got)


def test_population_rounds_reproduce_the_reference_table():
    """R2.2 population columns: student t = 1..4 and mean teacher t = 0..4."""
    cases = {
        ("G1_blocks", 4, 0.0): ([0.4542, 0.5596, 0.5897, 0.5974], [0.5042, 0.5635, 0.5899, 0.5974, 0.5994]),
        ("G1_blocks", 4, 0.5): ([0.4542, 0.5040, 0.5106, 0.5114], [0.5042, 0.5190, 0.5221, 0.5225, 0.5226]),
        ("G2_same", 2, 0.0): ([0.5167] * 4, [0.5042] + [0.5167] * 4),
        ("G3_nocore", 4, 0.5): ([1.017, 1.216, 1.242, 1.246], [1.235, 1.290, 1.303, 1.304, 1.304]),
    }
    for (geometry, K, lam), (student, teacher) in cases.items():
        pop = RoundsModel.prototype(geometry, K).population(4, lam)
        digits = 3 if geometry == "G3_nocore" else 4
        np.testing.assert_array_equal(np.round(pop["student"], digits), student)
        np.testing.assert_array_equal(np.round(pop["teacher_mean"], digits), teacher)


# ------------------------------------------------------------------------- exact / limit identities
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lam", [0.0, 0.3, 1.0])
def test_teachers_never_improve_in_population(seed, lam):
    """[EXACT] ER(beta_k^t) = rho_k + ||P_k(beta_k^t - beta)||^2 >= rho_k = ER(beta_k^0), any geometry."""
    m = random_model(dims=(3, 5, 2), seed=seed)
    pop = m.population(6, lam)
    for t in range(7):
        for k, P in enumerate(m.P_teachers):
            resid = P @ (pop["beta_teachers"][t, k] - m.b)
            np.testing.assert_allclose(pop["teachers"][t, k], m.rho_teachers[k] + resid @ resid, rtol=1e-12)
    np.testing.assert_allclose(pop["teachers"][0], m.rho_teachers, rtol=1e-12)
    assert np.all(pop["teachers"] >= np.array(m.rho_teachers) - 1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_lambda_zero_collapses_to_the_intersection_at_the_stated_rate(seed):
    """beta_s^t = A^t beta -> P_cap beta, the error shrinking by the largest eigenvalue of P_s M P_s below 1.

    Frames share a planted 2-dim common subspace, so the intersection is not trivial."""
    rng = np.random.default_rng(seed)
    D = 14
    common = np.linalg.qr(rng.standard_normal((D, 2)))[0]
    frame = lambda d: np.linalg.qr(np.c_[common, rng.standard_normal((D, d))])[0]
    m = RoundsModel([frame(3), frame(4)], frame(4), rng.standard_normal(D), 1.0)
    assert np.linalg.matrix_rank(m.P_cap, tol=1e-8) == 2
    common_r = m.B_s @ (m.V_s.T @ common)  # span coordinates (common lies in V_s)
    np.testing.assert_allclose(m.P_cap @ common_r, common_r, atol=1e-10)
    pop = m.population(200, 0.0)
    err = np.linalg.norm(pop["beta_s"] - m.P_cap @ m.b, axis=1)
    assert err[-1] < 1e-11 * err[0]
    ratio = (err[1:] / err[:-1])[err[1:] > 1e-7]  # well above the rounding floor
    # symmetric contraction: the ratios rise monotonically to the rate, never above it
    assert np.all(np.diff(ratio) >= -1e-7) and np.all(ratio <= m.collapse_rate * (1 + 1e-6))
    np.testing.assert_allclose(ratio[-1], m.collapse_rate, rtol=1e-4)
    fp = m.fixed_point(0.0)
    np.testing.assert_allclose(fp["student"], np.sum((m.P_cap @ m.b - m.b) ** 2), rtol=1e-12)
    np.testing.assert_allclose(pop["student"][-1], fp["student"], rtol=1e-9)


@pytest.mark.parametrize("lam", [0.1, 0.5, 0.9])
def test_anchored_rounds_converge_to_the_fixed_point(lam):
    """lam > 0: beta_s^t -> lam (I - (1 - lam) A)^-1 A beta at rate (1 - lam) x (collapse rate)."""
    m = random_model(dims=(3, 5, 2), seed=7)
    fp = m.fixed_point(lam)
    np.testing.assert_allclose(
        fp["beta_s"], lam * m.A @ m.b + (1 - lam) * m.A @ fp["beta_s"], atol=1e-13
    )  # fixed point of the recursion
    pop = m.population(40, lam)
    err = np.linalg.norm(pop["beta_s"] - fp["beta_s"], axis=1)
    keep = err[1:] > 1e-7
    assert np.all((err[1:] / err[:-1])[keep] <= fp["rate"] * (1 + 1e-6))
    np.testing.assert_allclose(pop["teachers"][-1], fp["teachers"], rtol=1e-9)


@pytest.mark.parametrize("lam", [0.0, 0.5, 0.9])
def test_coordinate_closed_form_equals_the_matrix_recursion(lam):
    """G1 geometry (commuting projections): a student axis j seen by m_j of K teachers has coefficient
    s_t(m_j/K) beta_j, a teacher seeing it lam + (1 - lam) s_t; the coefficients only decrease."""
    K, T = 4, 6
    m = RoundsModel.prototype("G1_blocks", K)
    pop = m.population(T, lam)
    a = sum(V.sum(axis=1) for V in m.V_teachers)[: m.d_s] / K  # the student sees axes 0..d_s-1
    coef = th.coordinate_coefficients(a[None, :], lam, np.arange(1, T + 1)[:, None])
    theta_s = pop["beta_s"] @ m.B_s  # the student's coefficients on its own axes, rounds 1..T
    np.testing.assert_allclose(theta_s, coef["student"] * m.beta[: m.d_s], atol=1e-12)
    assert np.all(np.diff(coef["student"], axis=0) <= 1e-15)
    assert np.all(coef["fixed_point"] <= a + 1e-15)
    for k, (V, B) in enumerate(zip(m.V_teachers, m.B_teachers, strict=True)):
        ambient = V @ (B.T @ pop["beta_teachers"][T, k])
        axes = np.flatnonzero(V.sum(axis=1)[: m.d_s])
        expected = th.coordinate_coefficients(a[axes], lam, T)["teacher"] * m.beta[axes]
        np.testing.assert_allclose(ambient[axes], expected, atol=1e-12)


# ------------------------------------------------------------------------------ Monte Carlo (default)
def test_round0_and_round1_match_the_exact_expectations():
    """[VERIFIED] one configuration in the default run: two teachers (d_k = 3, 4), rotated frames."""
    m = random_model()
    n, N = 16, 24
    out = macpo_rounds(m, n, N, 1, 0.5, trials=3000, seed=11)
    assert out["student"].shape == (3000, 1) and out["teachers"].shape == (3000, 2, 2)
    exact_teachers = m.teacher_risks(n)
    for k in range(m.K):
        assert_mc_close(out["teachers"][:, 0, k], exact_teachers[k], label=f"rounds teacher {k} round 0")
    assert_mc_close(out["student"][:, 0], m.round1_risk(n, N)["risk"], label="rounds student round 1")


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(lam=1.5), ValueError, r"lam \(the anchor weight\) must lie in \[0, 1\], got 1\.5"),
        (dict(lam=-0.1), ValueError, r"lam \(the anchor weight\) must lie in \[0, 1\], got -0\.1"),
        (dict(T=0), ValueError, r"T \(the number of rounds\) must be an integer >= 1, got 0"),
        (dict(T=2.5), TypeError, r"T \(the number of rounds\) must be an integer"),
        (dict(rule="max"), ValueError, r"rule must be one of \('avg', 'pos_unf'\), got 'max'"),
        (dict(rule="pos_unf", q_pos=0.0), ValueError, r"q_pos must lie in \(0, 1\], got 0\.0"),
        (dict(rule="pos_unf", q_pos=0.1), ValueError, r"q_pos=0.1 keeps about 3 of N=24 points"),
        (dict(n=3), ValueError, r"n=3 must be >= every teacher's d_k \(max 4\)"),
        (dict(N=4), ValueError, r"N=4 must be >= max\(d_s, d_k\) = 5"),
    ],
)
def test_bad_procedure_input_names_the_parameter(kwargs, error, match):
    args = dict(n=16, N=24, T=2, lam=0.5, trials=2, seed=0) | kwargs
    with pytest.raises(error, match=match):
        macpo_rounds(random_model(), **args)


def test_bad_model_input_names_the_parameter():
    V = np.eye(6)[:, :2]
    with pytest.raises(
        ValueError, match=r"K \(the number of teachers, len\(V_teachers\)\) must be >= 1, got 0"
    ):
        RoundsModel((), V, np.ones(6), 1.0)
    with pytest.raises(
        ValueError, match=r"K \(the number of teachers, len\(teachers\)\) must be >= 1, got 0"
    ):
        RoundsModel.from_coordinates(6, [], [0, 1], np.ones(6), 1.0)
    with pytest.raises(ValueError, match=r"K must be an integer >= 1, got 0"):
        RoundsModel.prototype("G1_blocks", 0)
    with pytest.raises(ValueError, match=r"V_teachers\[1\] must have orthonormal columns"):
        RoundsModel((V, 2 * V), V, np.ones(6), 1.0)
    with pytest.raises(ValueError, match=r"same ambient dimension D"):
        RoundsModel((V,), np.eye(5)[:, :2], np.ones(6), 1.0)
    with pytest.raises(ValueError, match=r"lam \(the anchor weight\) must lie in \[0, 1\], got 2"):
        RoundsModel.prototype("G1_blocks", 2).population(3, 2)
    with pytest.raises(ValueError, match=r"T must be an integer >= 1, got 0"):
        RoundsModel.prototype("G1_blocks", 2).population(0, 0.5)
    with pytest.raises(
        ValueError, match=r"n=5 must exceed d_k \+ 1 = 5 for the exact expectation of teacher 1 \(d_k = 4\)"
    ):
        random_model().round1_risk(5, 40)


def test_docstring_examples_run():
    import doctest

    from w2s_theory.rounds import api

    result = doctest.testmod(api, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0
