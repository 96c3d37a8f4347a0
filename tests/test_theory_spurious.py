"""Closed forms against the reference numbers of docs/theory/spurious.md §6 and §11, and against each other.

Units: gains and risks are divided by sigma_y^2 gamma_z, as in the tables of docs/theory/spurious.md §11.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2s_theory.closed_forms import evaluate
from w2s_theory.discrepancy import theory as dv
from w2s_theory.spurious import SpuriousModel
from w2s_theory.spurious import theory as th
from w2s_theory.spurious._closed_forms import CLOSED_FORMS

ETA_US = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
D_Z = 200
N_005 = 4000  # d_z / 0.05


def units(model, gamma_z, nu_z, eta_l, eta_u, eta_t, form="leading", key="gain"):
    return th.risks_at(model, gamma_z, nu_z, eta_l, eta_u, eta_t, form)[key] / (model.sigma_y2 * gamma_z)


def assert_printed(value, printed: str):
    decimals = len(printed.split(".")[1])
    assert abs(value - float(printed)) <= 0.5 * 10.0**-decimals * (1 + 1e-9), f"{value:.6f} vs {printed}"


# ---------------------------------------------------------------- eta_u sweep (docs/theory/spurious.md §11.2)
ETA_U_SWEEP = {
    "leading": ("3.900", "3.990", "3.900", "3.630", "2.550", "0.750", "-3.300"),
    "gaussian": ("4.776", "4.888", "4.776", "4.438", "3.088", "0.838", "-4.224"),
    "limit": ("5.213", "5.337", "5.213", "4.841", "3.354", "0.874", "-4.704"),
}
HARD_ETA_U_SWEEP = ("4.541", "4.591", "4.541", "4.392", "3.796", "2.801", "0.564")


@pytest.fixture(scope="module")
def c0():
    return SpuriousModel.canonical(D_Z, c=0.0, m=3.0)


@pytest.mark.parametrize("form", list(ETA_U_SWEEP))
def test_eta_u_sweep_reference_gains(c0, form):
    """The F1, F2, F3 rows of the eta_u sweep table (docs/theory/spurious.md §11.2)."""
    gains = units(c0, 0.05, 0.05, 0.1, np.array(ETA_US), 0.5, form)
    for g, printed in zip(gains, ETA_U_SWEEP[form], strict=True):
        assert_printed(g, printed)


def test_eta_u_sweep_leading_to_1e9_and_quadratic_law(c0):
    """F1 = 3.99 - 9 (eta_u - 0.1)^2 exactly: symmetric about eta_l, fails beyond 0.1 + sqrt(3.99/9)."""
    eta_u = np.linspace(0, 1, 41)
    gains = units(c0, 0.05, 0.05, 0.1, eta_u, 0.5)
    np.testing.assert_allclose(gains, 3.99 - 9 * (eta_u - 0.1) ** 2, rtol=0, atol=1e-9)
    cross = 0.1 + np.sqrt(3.99 / 9)
    assert cross == pytest.approx(0.766, abs=5e-4)
    assert units(c0, 0.05, 0.05, 0.1, cross - 1e-6, 0.5) > 0 > units(c0, 0.05, 0.05, 0.1, cross + 1e-6, 0.5)
    teacher = {f: units(c0, 0.05, 0.05, 0.1, 0.3, 0.5, f, "teacher") for f in ("leading", "limit")}
    assert_printed(teacher["limit"], "7.366")
    assert_printed(teacher["leading"], "5.44")


def test_eta_u_sweep_hard_model_does_not_fail(c0):
    """Hard-model row of docs/theory/spurious.md §11.2: the gain stays positive on [0, 1]."""
    hard = c0.with_group_model("hard")
    gains = units(hard, 0.05, 0.0, 0.1, np.array(ETA_US), 0.5)
    for g, printed in zip(gains, HARD_ETA_U_SWEEP, strict=True):
        assert_printed(g, printed)
    assert np.all(units(hard, 0.05, 0.0, 0.1, np.linspace(0, 1, 21), 0.5) > 0)


# --------------------------------------------------------------- eta_u* shift (docs/theory/spurious.md §11.3)
def test_eta_u_star_shift_table_and_clipping():
    """Xi mu_S != 0 (docs/theory/spurious.md §11.3): the F3 and F1 rows, and eta_u* clipped to 0."""
    m = SpuriousModel.canonical(D_Z, c=0.25, m=3.0)
    for form, row in {
        "limit": ("4.912", "4.845", "4.628", "4.261", "3.074", "1.286", "-2.526"),
        "leading": ("3.695", "3.638", "3.474", "3.203", "2.337", "1.043", "-1.705"),
    }.items():
        for g, printed in zip(units(m, 0.05, 0.05, 0.1, np.array(ETA_US), 0.5, form), row, strict=True):
            assert_printed(g, printed)
    # nu_z = 0: eta_u* = (eta_l - eta_t c)/(1 - c) = -0.033 -> clipped to 0
    values = th._values(m, 0.05, 0.0, "leading", eta_l=0.1, eta_t=0.5)
    star = evaluate(CLOSED_FORMS["leading"]["eta_u_star"], **values)
    assert float(star) == pytest.approx((0.1 - 0.5 * 0.25) / 0.75, abs=1e-12)
    assert m.optimal_eta_u(n=N_005, N=10**9, eta_l=0.1, eta_t=0.5, form="leading") == 0.0


# ---------------------------------------------------------- failure threshold (docs/theory/spurious.md §11.4)
def test_failure_threshold_reference_values():
    """docs/theory/spurious.md §11.4: gain = 3 - 0.08 ||mu_T||^2 (F1, nu_z -> 0) crosses zero at
    37.5 = 12.5 (p_T - 1)."""
    for m2, printed in [(25.0, 1.0), (37.5, 0.0), (50.0, -1.0)]:
        m = SpuriousModel.canonical(D_Z, c=0.0, m=np.sqrt(m2))
        assert units(m, 0.05, 0.0, 0.1, 0.4, 0.2) == pytest.approx(printed, abs=1e-9)
        hard = units(m.with_group_model("hard"), 0.05, 0.0, 0.1, 0.4, 0.2)
        assert hard == pytest.approx(2.91, abs=0.02), (
            "hard-model LO gain stays ~ +2.91 (docs/theory/spurious.md §11.4)"
        )
    m = SpuriousModel.canonical(D_Z, c=0.0, m=1.0)
    for form in ("leading", "gaussian", "limit"):
        thr = m.failure_threshold(n=N_005, N=10**7, eta_l=0.1, eta_u=0.4, eta_t=0.2, form=form)
        assert thr == pytest.approx(37.5, rel=2e-3), form  # nu_z = 2e-5: 12.5 (p_T - 1) up to O(nu_z)
    exact = SpuriousModel.canonical(D_Z, c=0.0, m=np.sqrt(37.5))
    assert units(exact, 0.05, 0.0, 0.1, 0.4, 0.2, "limit") == pytest.approx(0.0, abs=1e-9)
    # F3 numbers at nu_z = .02 (docs/theory/spurious.md §11.4: +1.11, -0.27, -1.65)
    for m2, printed in [(25.0, "1.11"), (37.5, "-0.27"), (50.0, "-1.65")]:
        m = SpuriousModel.canonical(150, c=0.0, m=np.sqrt(m2))
        assert_printed(units(m, 0.05, 0.02, 0.1, 0.4, 0.2, "limit"), printed)


def test_threshold_is_where_gain_changes_sign():
    m = SpuriousModel.canonical(D_Z, c=0.3, m=1.0, m4=0.0)  # Xi mu_S = (sqrt(.3) m cos(theta), 0, 0) != 0
    with pytest.raises(ValueError, match="Xi mu_S = 0"):
        m.failure_threshold(n=N_005, N=2000, eta_l=0.1, eta_u=0.5, eta_t=0.2)
    for form in ("leading", "gaussian", "limit"):
        base = SpuriousModel.canonical(D_Z, c=0.0, m=0.0, m4=2.0)  # mu_S != 0 but Xi mu_S = 0
        thr = base.failure_threshold(n=N_005, N=8000, eta_l=0.1, eta_u=0.6, eta_t=0.3, form=form)
        for r, sign in [(thr * 0.99, 1), (thr * 1.01, -1)]:
            m = SpuriousModel.canonical(D_Z, c=0.0, m=np.sqrt(r), m4=2.0)
            assert np.sign(units(m, 0.05, 0.025, 0.1, 0.6, 0.3, form)) == sign
    assert base.failure_threshold(n=N_005, N=8000, eta_l=0.1, eta_u=0.2, eta_t=0.3) == np.inf


# --------------------------------------------------------------- eta_u* drift (docs/theory/spurious.md §11.5)
@pytest.mark.parametrize("nu_z,printed", [(0.05, "0.152"), (0.1, "0.192"), (0.2, "0.25")])
def test_eta_u_star_drift_with_mu_S(nu_z, printed):
    """F1 eta_u* for ||mu_S||^2 = 9 at three nu_z (docs/theory/spurious.md §11.5)."""
    m = SpuriousModel.canonical(D_Z, c=0.0, m=3.0, m4=3.0)
    N = round(D_Z / nu_z)
    assert_printed(m.optimal_eta_u(n=N_005, N=N, eta_l=0.1, eta_t=0.5, form="leading"), printed)


@pytest.mark.parametrize("form", ["leading", "gaussian", "limit"])
@pytest.mark.parametrize(
    "c,m4,nu_z", [(0.0, 3.0, 0.1), (0.25, 0.0, 0.05), (0.6, 1.5, 0.02), (0.25, 0.0, 0.0)]
)
def test_eta_u_star_matches_grid_argmax(form, c, m4, nu_z):
    m = SpuriousModel.canonical(D_Z, c=c, m=3.0, m4=m4)
    N = 10**9 if nu_z == 0 else round(D_Z / nu_z)
    grid = np.linspace(0, 1, 20001)
    gains = units(m, 0.05, D_Z / N, 0.1, grid, 0.5, form)
    star = m.optimal_eta_u(n=N_005, N=N, eta_l=0.1, eta_t=0.5, form=form)
    assert abs(grid[np.argmax(gains)] - star) <= 1e-4


# ---------------------------------------------------------- matched fractions (docs/theory/spurious.md §11.6)
def test_matched_fractions():
    """nu_max per form (docs/theory/spurious.md §5.1, §8.4, §11.6), the sign flip at nu_max, and the
    gain decreasing in ||Xi||_F^2 (docs/theory/spurious.md §5.3)."""
    m = SpuriousModel.canonical(D_Z, c=0.25, m=3.0, m4=1.0)
    q = (0.5 - 0.1) ** 2 * float(m.mu_S @ m.mu_S)
    out = th.matched_fractions(m, n=N_005, N=4000, eta_l=0.1, eta_t=0.5, form="leading")
    assert out["nu_max"] == pytest.approx(1 / (m.p_S + q), rel=1e-12)
    out2 = th.matched_fractions(m, n=N_005, N=4000, eta_l=0.1, eta_t=0.5, form="gaussian")
    assert out2["nu_max"] == pytest.approx(1 / (2 * m.p_S + q), rel=1e-12)
    # with mu_xi in range(T) (docs/theory/spurious.md §5.1: then ||Xi mu_S|| <= ||mu_T||), the sign of the
    # matched gain flips at nu_max (F1): sweep nu_z across it; the spurious part
    # (eta_t-eta_l)^2(||mu_T||^2-||Xi mu_S||^2) >= 0
    flat = SpuriousModel.canonical(D_Z, c=0.25, m=0.0)  # mu = 0: only the variance-reduction term
    nu_max = th.matched_fractions(flat, n=N_005, N=4000, eta_l=0.1, eta_t=0.5, form="leading")["nu_max"]
    assert nu_max == pytest.approx(1 / 3)
    for nu, sign in [(0.9 * nu_max, 1), (1.1 * nu_max, -1)]:
        assert np.sign(units(flat, 0.05, nu, 0.1, 0.1, 0.5)) == sign
    # gain decreases monotonically in ||Xi||_F^2 over [0, p_S - 1] = [0, 2], in all three forms
    for form in ("leading", "gaussian", "limit"):
        gains = [
            units(
                SpuriousModel.random(100, p=7, p_T=4, p_S=3, xi2=x, mu_T=[3, 0, 0]),
                0.05,
                0.05,
                0.1,
                0.1,
                0.5,
                form,
            )
            for x in np.linspace(0, 2, 11)
        ]
        assert np.all(np.diff(gains) < 0), form


# ----------------------------------------- mu_xi = 0 recovers Dong et al. 2025 (docs/theory/spurious.md §6.1)
@pytest.mark.parametrize("xi2", [0.0, 0.4, 1.0])
def test_mu_zero_recovers_discrepancy_engine_numerically(xi2):
    """mu_xi = 0: F2 = the discrepancy engine's exact proportional limit (d_w = p_T d_z, ...)."""
    m = SpuriousModel.random(d_z=100, p=6, p_T=4, p_S=3, xi2=xi2, seed=1)
    gamma_z, nu_z = 0.05, 0.1
    f2 = th.risks_at(m, gamma_z, nu_z, 0.1, 0.3, 0.7, "gaussian")
    lim = dv.proportional_limit(
        gamma_w=m.p_T * gamma_z, gamma_s=m.p_S * nu_z, lam=gamma_z / nu_z, omega=m.p_TS / m.p_T, sigma2=1.0
    )
    assert float(f2["teacher"]) == pytest.approx(float(lim["weak"]), rel=1e-12)
    assert float(f2["student"]) == pytest.approx(float(lim["w2s"]), rel=1e-12)


# -------------------------------------------------------- finite-gamma sanity (docs/theory/spurious.md §11.7)
def test_finite_gamma_sanity():
    """Teacher risk F3 0.2715 vs F1 0.2018, ratio between a_T and b_T (docs/theory/spurious.md §11.7)."""
    m = SpuriousModel.random(d_z=200, p=6, p_T=4, p_S=3, xi2=0.5, mu_T=[1.5, 1.0, 0.5], seed=7)
    assert float(m.mu_T @ m.mu_T) == pytest.approx(3.5)
    r = {f: float(th.risks_at(m, 0.05, 0.05, 0.1, 0.1, 0.0, f)["teacher"]) for f in ("leading", "limit")}
    assert_printed(r["leading"], "0.2018")
    assert_printed(r["limit"], "0.2715")
    a, b = 1.25, th.product_design_constants(0.05, 4)[1]
    assert a < r["limit"] / r["leading"] < b  # F1 underestimates by a factor between a and b


# ----------------------------------------------------------------- group risks (docs/theory/spurious.md §6.2)
def test_group_risks(c0):
    """Group and worst-group risks (docs/theory/spurious.md §6.2); soft risk quadratic, hard risk linear in
    eta_t."""
    out = c0.expected_risks(N_005, N_005, 0.1, 0.1, 0.5, form="leading")
    assert out["teacher_majority"] == pytest.approx(0.05 * (4 + 0.01 * 9), rel=1e-12)
    assert out["teacher_minority"] == pytest.approx(0.05 * (4 + 0.81 * 9), rel=1e-12)
    assert out["teacher_worst_group"] == out["teacher_minority"]
    hard = c0.with_group_model("hard").expected_risks(N_005, N_005, 0.1, 0.1, 0.5)
    et = np.linspace(0, 1, 5)
    soft_curve = units(c0, 0.05, 0.05, 0.1, 0.3, et, key="teacher")
    hard_curve = units(c0.with_group_model("hard"), 0.05, 0.05, 0.1, 0.3, et, key="teacher")
    assert np.abs(np.diff(hard_curve, 2)).max() < 1e-12  # hard: linear in eta_t
    assert np.diff(soft_curve, 2).min() > 1e-3  # soft: strictly convex quadratic
    assert hard["teacher_worst_group"] == hard["teacher_minority"]


# -------------------------------------------------- matrix form (docs/theory/spurious.md §9.2) == sympy forms
@settings(max_examples=30)
@given(
    xi2=st.floats(0.0, 2.0),
    coef=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    perp=st.floats(-1.5, 1.5),
    etas=st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
    nu_z=st.floats(0, 0.3),
    seed=st.integers(0, 10**6),
)
def test_matrix_leading_order_equals_sympy_F1_soft(xi2, coef, perp, etas, nu_z, seed):
    m = SpuriousModel.random(
        d_z=50, p=7, p_T=4, p_S=3, xi2=xi2, mu_T=coef, mu_perp=perp, sigma_xi2=0.7, sigma_y2=1.3, seed=seed
    )
    T, S = th.leading_order_matrix(m, 0.04, nu_z, *etas)
    f1 = th.risks_at(m, 0.04, nu_z, *etas, form="leading")
    assert T == pytest.approx(float(f1["teacher"]), rel=1e-10, abs=1e-12)
    assert S == pytest.approx(float(f1["student"]), rel=1e-10, abs=1e-12)


def test_hard_teacher_matrix_equals_sympy_hard_teacher():
    m = SpuriousModel.random(
        d_z=50, p=7, p_T=4, p_S=3, xi2=0.3, mu_T=[1, -2, 0.5], sigma_xi2=0.8, group_model="hard"
    )
    for etas in [(0.1, 0.4, 0.2), (0.3, 0.0, 1.0), (0.0, 0.5, 0.7)]:
        T, _ = th.leading_order_matrix(m, 0.05, 0.0, *etas)
        assert T == pytest.approx(
            float(
                evaluate(
                    CLOSED_FORMS["hard_leading"]["teacher"],
                    **th._values(
                        m, 0.05, 0.0, "leading", **dict(zip(("eta_l", "eta_u", "eta_t"), etas, strict=True))
                    ),
                )
            ),
            rel=1e-12,
        )


def test_hard_and_soft_coincide_when_training_and_test_are_pure_groups(c0):
    hard = c0.with_group_model("hard")
    for etas in [(0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 1.0)]:
        np.testing.assert_allclose(
            th.leading_order_matrix(hard, 0.05, 0.1, *etas),
            th.leading_order_matrix(c0, 0.05, 0.1, *etas),
            rtol=1e-12,
        )


def test_form_validation(c0):
    with pytest.raises(ValueError, match="form must be one of"):
        c0.expected_risks(N_005, N_005, 0.1, 0.1, 0.5, form="exact")
    with pytest.raises(ValueError, match="soft"):
        c0.with_group_model("hard").expected_risks(N_005, N_005, 0.1, 0.1, 0.5, form="limit")
    with pytest.raises(ValueError, match="n = 800 must exceed d_T"):
        c0.expected_risks(800, N_005, 0.1, 0.1, 0.5)
    with pytest.raises(ValueError, match="N = 600 must exceed d_S"):
        c0.expected_risks(N_005, 600, 0.1, 0.1, 0.5)
    with pytest.raises(ValueError, match="eta_u is a group fraction"):
        c0.expected_risks(N_005, N_005, 0.1, 1.2, 0.5)
    with pytest.raises(ValueError, match="p_T \\* gamma_z"):
        th.risks_at(c0, 0.3, 0.05, 0.1, 0.1, 0.5, "limit")
