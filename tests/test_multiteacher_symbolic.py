"""The multi-teacher sympy derivation: self-checks (M = 1 reduces to the single-teacher W2S risk, the
shared-set form to the disjoint one on its diagonal, the sum-to-one optimum), the generated module is
current, and generated == sympy at a rational point."""

from functools import cache

import pytest
import sympy as sp

from w2s_theory.multiteacher import _closed_forms

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    assert_self_checks_hold,
    formula_names,
    lazy_derivation,
)

smt = lazy_derivation("w2s_theory.symbolic.multiteacher")


@cache
def _checks() -> dict[str, bool]:
    return smt.self_checks()


def test_every_self_check_holds():
    assert_self_checks_hold(_checks())


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(smt)


RATIONAL_POINT = {
    "n": 37, "N": 29, "d_w": 11, "d_s": 9, "d_sw": sp.Rational(41, 10), "c": 5, "d_sc": sp.Rational(17, 7),
    "sigma2": sp.Rational(3, 7), "rho_w": sp.Rational(1, 9), "rho_c": sp.Rational(2, 11),
    "coupling_s": sp.Rational(-1, 13), "coupling_ws": sp.Rational(1, 17), "bias_sw_ml": sp.Rational(3, 19),
    "bias_ws_ml": sp.Rational(-2, 23), "k_ml": sp.Rational(5, 3), "gamma_w": sp.Rational(1, 3),
    "gamma_s": sp.Rational(1, 4), "gamma_c": sp.Rational(1, 5), "omega": sp.Rational(2, 5),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(smt, _closed_forms, RATIONAL_POINT, name)


def test_latex_available_for_every_formula():
    tex = smt.latex()
    assert set(tex) == set(smt.FORMULAS) and r"\sigma^2" in tex["k_shared"]
