"""sympy derivation of the filtering closed forms: self-checks, the generated module, sympy == numeric."""

import pytest
import sympy as sp

from w2s_theory.filtering import _closed_forms

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    assert_self_checks_hold,
    formula_names,
    lazy_derivation,
)

sf = lazy_derivation("w2s_theory.symbolic.filtering")


def test_every_self_check_holds():
    assert_self_checks_hold(sf.self_checks())


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(sf)


RATIONAL_POINT = {
    "a": sp.Rational(7, 3), "density": sp.Rational(1, 11), "q": sp.Rational(3, 10), "c": sp.Rational(5, 8),
    "n": 97, "m": 233, "d_w": 13, "d_s": 7, "d_sw": sp.Rational(41, 10), "sigma2": sp.Rational(3, 7),
    "rho_w": sp.Rational(1, 9), "rho_s": sp.Rational(2, 11), "bias_sw": sp.Rational(1, 13),
    "bias_ws": sp.Rational(1, 17),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(sf, _closed_forms, RATIONAL_POINT, name)


def test_latex_available_for_every_formula():
    assert set(sf.latex()) == set(sf.FORMULAS)
