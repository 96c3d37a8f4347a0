"""sympy derivation of the GCM's scalar closed forms: self-checks, the generated module, sympy == numeric."""

import pytest
import sympy as sp

from w2s_theory.gcm import _closed_forms

from .symbolic_checks import (
    assert_generated_equals_sympy,
    assert_generated_module_is_current,
    formula_names,
    lazy_derivation,
)

sg = lazy_derivation("w2s_theory.symbolic.gcm")


@pytest.fixture(scope="module")
def checks() -> dict[str, bool]:
    return sg.self_checks()


def test_every_self_check_holds(checks):
    failed = [name for name, ok in checks.items() if not ok]
    assert not failed, failed
    assert any("exact isotropic E ER(f_w2s)" in name for name in checks)


def test_generated_module_is_up_to_date():
    assert_generated_module_is_current(sg)


RATIONAL_POINT = {
    "m": 97, "n": 83, "N": 311, "p": 40, "lam": sp.Rational(1, 20), "s": sp.Rational(3, 2),
    "sigma2": sp.Rational(3, 7), "rho": sp.Rational(1, 9), "B": sp.Rational(1, 13), "F": sp.Rational(5, 4),
    "d2": sp.Rational(141, 10), "fs": sp.Rational(1, 3), "rho_w": sp.Rational(2, 11), "B_w": sp.Rational(1, 17),
    "d_w": sp.Rational(71, 4), "fs_w": 1, "d_s": sp.Rational(93, 2), "fs_s": 0, "lin": sp.Rational(2, 5),
    "q1": sp.Rational(1, 3), "q2": sp.Rational(1, 6), "d_sw_to": sp.Rational(17, 2), "d_sw_plus": sp.Rational(19, 2),
}  # fmt: skip


@pytest.mark.parametrize("name", formula_names(_closed_forms))
def test_numeric_equals_sympy_at_rational_point(name):
    assert_generated_equals_sympy(sg, _closed_forms, RATIONAL_POINT, name)


def test_latex_available_for_every_formula():
    tex = sg.latex()
    assert set(tex) == set(sg.FORMULAS)
    assert r"\mathrm{df}_2" in tex["er_ridge"] and r"d_{sw}^{\to}" in tex["er_w2s"]
