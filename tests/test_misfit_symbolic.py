"""The misfit–gain derivation (w2s_theory.symbolic.misfit): self-checks, the generated module, sympy ==
numeric, the geometry it relies on, agreement with the subspace model's own exact risks, and the headline
numbers of docs/theory/misfit_gain.md from the package's closed forms."""

from functools import cache

import numpy as np
import pytest
import sympy as sp

from w2s_theory.closed_forms import evaluate
from w2s_theory.discrepancy import SubspaceModel, _misfit_closed_forms, expected_misfit_gain
from w2s_theory.discrepancy._closed_forms import CLOSED_FORMS as DISCREPANCY_FORMS
from w2s_theory.discrepancy.misfit import exact_expectations, misfit_invariants
from w2s_theory.figures.misfit import configuration

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    formula_names,
    lazy_derivation,
)

sm = lazy_derivation("w2s_theory.symbolic.misfit")


@cache
def _self_checks() -> dict[str, bool]:
    return sm.self_checks()


def test_self_checks():
    failed = [name for name, ok in _self_checks().items() if not ok]
    assert not failed, failed


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(sm)


RATIONAL_POINT = {
    "n": 97, "N": 233, "d_w": 13, "d_s": 7, "d_sw": sp.Rational(41, 10), "sigma2": sp.Rational(3, 7),
    "rho_w": sp.Rational(1, 9), "rho_s": sp.Rational(2, 11), "bias_sw": sp.Rational(1, 13),
    "bias_ws": sp.Rational(1, 17), "beta_norm2": sp.Rational(5, 3),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_misfit_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(sm, _misfit_closed_forms, RATIONAL_POINT, name)


def _random_models(count: int) -> list[SubspaceModel]:
    rng = np.random.default_rng(11)
    models = []
    for i in range(count):
        D, d_w, d_s = 14, 4 + i % 3, 5 + i % 2
        V_w = np.linalg.qr(rng.standard_normal((D, d_w)))[0]
        V_s = np.linalg.qr(rng.standard_normal((D, d_s)))[0]
        if i % 2:  # partly shared subspaces
            V_s[:, 0] = V_w[:, 0]
            V_s = np.linalg.qr(V_s)[0]
        models.append(SubspaceModel(V_w, V_s, rng.standard_normal(D), 0.7))
    return models


@pytest.mark.parametrize("model", _random_models(4))
def test_geometry_identities_match_inner_products(model):
    """The derivation's inner products, written in the invariants, equal the inner products themselves."""
    b, P_w, P_s = model.beta, model.V_w @ model.V_w.T, model.V_s @ model.V_s.T
    I = np.eye(model.D)
    direct = {
        "signal_s": b @ P_s @ b,
        "cross_ws": ((I - P_s) @ P_w @ b) @ ((I - P_s) @ b),
        "signal_ws": np.sum((P_s @ P_w @ b) ** 2),
        "cross_sw": (P_s @ P_w @ b) @ (P_s @ b),
    }
    invariants = misfit_invariants(model)
    for name, expr in sm.GEOMETRY.items():
        value = float(expr.subs({s: invariants[s.name] for s in expr.free_symbols}))
        assert value == pytest.approx(direct[name], rel=1e-10, abs=1e-12), name


def test_ols_forms_equal_the_subspace_models_exact_risks():
    rng = np.random.default_rng(3)
    for _ in range(20):
        d_w, d_s = rng.integers(2, 30, size=2)
        point = dict(
            n=int(d_w + rng.integers(2, 200)), N=int(d_s + rng.integers(2, 200)), d_w=int(d_w),
            d_s=int(d_s), d_sw=float(rng.uniform(0, min(d_w, d_s))), **dict(zip(
                ("sigma2", "rho_w", "rho_s", "bias_sw", "bias_ws", "beta_norm2"), rng.uniform(0, 2, 6), strict=True)),
        )  # fmt: skip
        for q in ("weak", "w2s"):
            ours = evaluate(_misfit_closed_forms.CLOSED_FORMS["exact"][q], **point)
            theirs = evaluate(DISCREPANCY_FORMS["exact"][q], **point)
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


#: (configuration, N): exact E of weak, w2s, misfit, gain - misfit, and the N -> oo gap, to 5 decimals
#: (n = 60, d_s = 32, d_w = 24, d_sw = 8, sigma2 = 1; docs/theory/misfit_gain.md).
HEADLINE = {
    ("A", 20): (1.10714, 1.84253, 2.09253, -2.82792, 0.0),
    ("A", 200): (1.10714, 0.64521, 0.68092, -0.21899, 0.0),
    ("A", 2000): (1.10714, 0.54501, 0.58072, -0.01859, 0.0),
    ("B", 200): (1.10714, 0.76437, 0.80009, -0.45731, -0.2),
    ("B", 2000): (1.10714, 0.64664, 0.68235, -0.22185, -0.2),
    ("C", 200): (2.33771, 1.65911, 0.64654, 0.03207, 0.24),
    ("C", 2000): (2.33771, 1.56397, 0.55140, 0.22235, 0.24),
}


@pytest.mark.parametrize("config,N", list(HEADLINE))
def test_headline_exact_numbers(config, N):
    exact = expected_misfit_gain(configuration(config), 60, N)
    got = [exact[k] for k in ("weak", "w2s", "misfit", "gap", "gap_limit")]
    np.testing.assert_allclose(got, HEADLINE[config, N], atol=6e-6)


def test_rho_s_zero_gap_is_twice_the_student_variance():
    """A: E gap = -2 kappa_N E||(I - P_s) beta_t||^2 exactly, E||(I-P_s)beta_t||^2 = 16 * 1.25 / 35."""
    m = configuration("A")
    assert m.rho_s == 0
    N = np.array([40, 200, 2000, 10**6])
    gap = expected_misfit_gain(m, 60, N)["gap"]
    np.testing.assert_allclose(gap, -2 * 32 / (N - 33) * 16 * 1.25 / 35, rtol=1e-12)


def test_exact_regimes_and_errors():
    inv = misfit_invariants(configuration("A"))
    both = exact_expectations(n=60, N=np.array([20, 40]), **inv)
    assert both["gap"][0] == pytest.approx(-2.82792, abs=6e-6) and both["gap"][1] < 0
    for N in (31, 32, 33):
        with pytest.raises(ValueError, match=rf"N={N} lies in \[d_s - 1, d_s \+ 1\] = \[31, 33\]"):
            exact_expectations(n=60, N=N, **inv)
    with pytest.raises(ValueError, match=r"n=25 must exceed d_w \+ 1 = 25"):
        exact_expectations(n=25, N=200, **inv)
    with pytest.raises(TypeError, match="N must be an integer"):
        exact_expectations(n=60, N=200.5, **inv)
