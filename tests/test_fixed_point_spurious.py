"""The F3 constants (a, b): the 1-d fixed point for b, checked against the reference numbers of
docs/theory/spurious.md §8.3, an independent quadrature of the *other* fixed-point equation, its limits
and its input validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from w2s_theory.spurious.fixed_point import b_equation, product_design_constants


def test_reference_value_at_gamma_0_05_p_4():
    """docs/theory/spurious.md §8.3: (gamma_z, p_T) = (0.05, 4) gives a = 1.25, b = 1.377."""
    a, b = product_design_constants(0.05, 4)
    assert a == pytest.approx(1.25, abs=1e-15)
    assert b == pytest.approx(1.377, abs=5e-4)


def _laguerre_mean(fn, k: int, nodes: int = 150) -> float:
    """E fn(X), X ~ chi2_k, by generalized Gauss-Laguerre (independent of the solver's quadrature)."""
    u, w = special.roots_genlaguerre(nodes, k / 2 - 1)
    return float(np.sum(w * fn(2 * u)) / special.gamma(k / 2))


@settings(max_examples=25)
@given(p=st.integers(2, 7), frac=st.floats(0.01, 0.9))
def test_solution_satisfies_both_fixed_point_equations(p, frac):
    """b solves 1/b = E[X/(1+ga+gbX)]/(p-1); then the first diagonal entry of Q^{-1} = E[ww^T/(1+g w^TQw)]
    must hold too, 1/a = E[1/(1 + g(a + bX))] (the trace identity): an independent check of (a, b)."""
    ratio = frac / p
    a, b = product_design_constants(ratio, p)
    assert abs(b_equation(b, ratio, p)) < 1e-11
    first = _laguerre_mean(lambda x: 1.0 / (1.0 + ratio * (a + b * x)), p - 1)
    assert first == pytest.approx(1.0 / a, rel=1e-8)
    assert b > a > 1.0  # docs/theory/spurious.md §8.3: always b > a


def test_small_ratio_limit_and_first_order():
    """a, b -> 1 as ratio -> 0, with b = 1 + (p + 1) ratio + O(ratio^2)? -- checked against finite
    differences of the solver itself: the slope is between the slopes of a (p) and of the Jensen bound."""
    for p in (2, 4, 6):
        r = 1e-4
        a, b = product_design_constants(r, p)
        assert abs(a - 1) < 2 * p * r and abs(b - 1) < 4 * p * r
        assert product_design_constants(0.0, p) == (1.0, 1.0)
        slope_b = (b - 1) / r
        assert p < slope_b < 2 * p + 2


def test_monotone_in_ratio():
    bs = [product_design_constants(r, 4)[1] for r in np.linspace(0.0, 0.24, 7)]
    assert np.all(np.diff(bs) > 0)


@pytest.mark.parametrize(
    "ratio,p,match",
    [
        (0.25, 4, "p \\* ratio"),
        (0.5, 2, "p \\* ratio"),
        (-0.1, 4, ">= 0"),
        (0.1, 1, "p must be"),
        (np.nan, 3, "finite"),
    ],
)
def test_invalid_inputs(ratio, p, match):
    with pytest.raises(ValueError, match=match):
        product_design_constants(ratio, p)
