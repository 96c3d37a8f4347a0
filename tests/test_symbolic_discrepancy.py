"""sympy derivation: self-checks, the generated numeric module, and sympy == numeric at rational points."""

import subprocess
import sys

import pytest
import sympy as sp

from w2s_theory.discrepancy import _closed_forms

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    assert_self_checks_hold,
    formula_names,
    lazy_derivation,
)

sd = lazy_derivation("w2s_theory.symbolic.discrepancy")


def test_every_self_check_holds():
    assert_self_checks_hold(sd.self_checks())


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(sd)


RATIONAL_POINT = {
    "n": 97, "N": 233, "d_w": 13, "d_s": 7, "d_sw": sp.Rational(41, 10), "sigma2": sp.Rational(3, 7),
    "rho_w": sp.Rational(1, 9), "rho_s": sp.Rational(2, 11), "bias_sw": sp.Rational(1, 13),
    "bias_ws": sp.Rational(1, 17), "rho": sp.Rational(3, 10), "epsilon": sp.Rational(1, 5),
    "gamma_w": sp.Rational(1, 3), "gamma_s": sp.Rational(1, 4), "lam": sp.Rational(5, 2),
    "omega": sp.Rational(2, 5), "N_star": 400, "beta2": sp.Rational(7, 3),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(sd, _closed_forms, RATIONAL_POINT, name)


def test_latex_available_for_every_formula():
    tex = sd.latex()
    assert set(tex) == set(sd.FORMULAS)
    assert r"d_{s\wedge w}" in tex["er_w2s"] and r"\sigma^2" in tex["er_w2s"]


def test_import_w2s_theory_does_not_import_sympy():
    code = "import sys, w2s_theory; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
