"""sympy derivation of RGR and its error split: self-checks (agreement with the subspace model's exact
risks, the split identities, the commuting form, limits), the generated module, sympy == numeric."""

import pytest
import sympy as sp

from w2s_theory.rgr import _closed_forms

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    formula_names,
    lazy_derivation,
)

sr = lazy_derivation("w2s_theory.symbolic.rgr")


@pytest.fixture(scope="module")
def checks() -> dict[str, bool]:
    return sr.self_checks()


def test_every_self_check_holds(checks):
    failed = [name for name, ok in checks.items() if not ok]
    assert not failed, failed


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(sr)


RATIONAL_POINT = {
    "n": 47, "N": 61, "d_w": 13, "d_s": 9, "d_sw": sp.Rational(41, 10), "sigma2": sp.Rational(3, 7),
    "rho_w": sp.Rational(9, 5), "rho_s": sp.Rational(2, 11), "bias_sw": sp.Rational(1, 13),
    "bias_ws": sp.Rational(1, 17), "beta_norm2": sp.Rational(13, 4), "gamma_w": sp.Rational(1, 3),
    "gamma_s": sp.Rational(1, 4), "omega": sp.Rational(2, 5),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(sr, _closed_forms, RATIONAL_POINT, name)
