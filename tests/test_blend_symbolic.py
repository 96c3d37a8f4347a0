"""sympy derivation of the blended-distillation risk: self-checks (w = 0, w = 1 reductions, the inert case,
the proportional limit), the generated module, sympy == numeric at a rational point."""

import pytest
import sympy as sp

from w2s_theory.blend import _closed_forms

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    formula_names,
    lazy_derivation,
)

sb = lazy_derivation("w2s_theory.symbolic.blend")


@pytest.fixture(scope="module")
def checks() -> dict[str, bool]:
    return sb.self_checks()


def test_every_self_check_holds(checks):
    failed = [name for name, ok in checks.items() if not ok]
    assert not failed, failed
    assert any(name.startswith("w = 0") for name in checks) and any(
        name.startswith("w = 1") for name in checks
    )


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(sb)


RATIONAL_POINT = {
    "n": 41, "d_s": 13, "d_w": 11, "d_sw": 5, "sigma2": sp.Rational(3, 7), "rho_w": sp.Rational(9, 5),
    "rho_s": sp.Rational(2, 11), "bias_sw": sp.Rational(7, 13), "w": sp.Rational(-2, 3),
    "gamma_s": sp.Rational(1, 3), "gamma_w": sp.Rational(1, 4), "gamma_sw": sp.Rational(1, 7),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(sb, _closed_forms, RATIONAL_POINT, name)


def test_latex_names_the_blocks():
    tex = sb.latex()
    assert set(tex) == set(sb.FORMULAS) and "b_A" in tex["shift"]
