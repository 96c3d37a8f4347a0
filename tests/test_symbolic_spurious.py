"""sympy derivation of the spurious-correlation theory: self-checks (incl. the mu_xi = 0 reduction to the
discrepancy engine), the generated numeric module, and sympy == numeric at a rational point."""

from functools import cache

import pytest
import sympy as sp

from w2s_theory.spurious import _closed_forms

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    assert_self_checks_hold,
    formula_names,
    lazy_derivation,
)

ss = lazy_derivation("w2s_theory.symbolic.spurious")


@cache
def _checks() -> dict[str, bool]:
    return ss.self_checks()


def test_every_self_check_holds():
    assert_self_checks_hold(_checks())


def test_mu_zero_reduction_to_discrepancy_engine_is_checked():
    """The two theories are tied together: F1 and F2 at mu_xi = 0 are the discrepancy formulas with
    d_T = p_T d_z, d_S = p_S d_z, d_TS = p_TS d_z (symbolic identities above)."""
    tied = [name for name in _checks() if name.startswith("mu_xi = 0")]
    assert len(tied) == 5 and all(_checks()[name] for name in tied)


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(ss)


RATIONAL_POINT = {
    "gamma_z": sp.Rational(1, 23), "nu_z": sp.Rational(1, 31), "eta_l": sp.Rational(1, 7),
    "eta_u": sp.Rational(3, 8), "eta_t": sp.Rational(5, 9), "p_T": 5, "p_S": 3, "xi2": sp.Rational(7, 10),
    "mT2": sp.Rational(17, 3), "mS2": sp.Rational(11, 4), "xmS2": sp.Rational(6, 5),
    "cross": sp.Rational(-3, 7), "sigma_xi2": sp.Rational(4, 3), "sigma_y2": sp.Rational(5, 2),
    "a_T": sp.Rational(6, 5), "b_T": sp.Rational(13, 10), "a_S": sp.Rational(11, 10),
    "b_S": sp.Rational(6, 5),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(ss, _closed_forms, RATIONAL_POINT, name)


def test_latex_available_for_every_formula():
    tex = ss.latex()
    assert set(tex) == set(ss.FORMULAS)
    assert r"\|\mu_T\|^2" in tex["er_teacher_leading"] and r"\gamma_z" in tex["er_teacher_leading"]
