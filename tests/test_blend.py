"""Blended distillation (``docs/theory/blend.md``): the exact quadratic risk against hand values and Monte
Carlo, the regimes that are Monte Carlo only (general angles: the commuting plug-in fails; pseudo-labelled
points: w* < 0), and bad input.

Default run: configuration B2 (n - d_s - 1 = 11, n - d_w - 1 = 9: margins at which the sample SE of a risk
is itself reliable) against Monte Carlo. The other four configurations (B1 with n - d_s - 1 = 7; B5 with
n - d_w - 1 = 3, n - d_s - 1 = 5), the failing plug-in and the pseudo-labelled variant are slow
(``pytest -m slow``)."""

import numpy as np
import pytest

from w2s_theory.blend import BlendModel
from w2s_theory.blend._closed_forms import CLOSED_FORMS
from w2s_theory.blend.simulate import blend_risk_estimate, optimal_weight_estimate
from w2s_theory.closed_forms import evaluate
from w2s_theory.testing import assert_mc_close

#: (c, a, b, sigma2, shared, student_only = b_A, teacher_only, outside = tau^2 - sigma2, n)
CONFIGS = {
    "B1": (2, 4, 3, 0.5, 0.7, 1.0, 1.0, 0.5, 14),
    "B2": (4, 4, 6, 1.0, 0.5, 0.3, 0.6, 1.0, 20),
    "B3": (0, 10, 8, 0.3, 0.0, 2.0, 0.4, 0.5, 30),
    "B4": (3, 2, 6, 0.8, 1.0, 0.2, 0.5, 0.5, 16),
    "B5": (8, 4, 6, 0.5, 0.3, 0.5, 0.2, 0.5, 18),
}
CHUNK = 256
KEYS = ("weak", "strong", "cross", "shift", "blend")


def _model(name: str) -> tuple[BlendModel, int]:
    c, a, b, s2, shared, b_A, t_only, out, n = CONFIGS[name]
    m = BlendModel.blocks(c, a, b, s2, shared=shared, student_only=b_A, teacher_only=t_only, outside=out)
    return m, n


def test_exact_coefficients_match_hand_values():
    """B1 (c=2, a=4, b=3, n=14): T = 9*13*4/(12*11*7), L = 13/11 [c1 + c2 (12*4 - 2)/7] with the Haar
    moments c1(9, 12), c2(9, 12) (docs/theory/blend.md §2); tau^2 = 1, b_A = 1."""
    m, n = _model("B1")
    out = m.expected_risk(n, w=0.5)
    T = 9 * 13 * 4 / (12 * 11 * 7)
    c1, c2 = 9 * (9 * 12 + 12 - 2) / (12 * 11 * 14), 9 * 3 / (12 * 11 * 14)
    L = 13 / 11 * (c1 + c2 * (12 * 4 - 2) / 7)
    assert m.is_commuting and m.tau2 == pytest.approx(1.0)
    np.testing.assert_allclose(out["strong"], 2.0 * 6 / 7 + 1.5, rtol=1e-12)
    np.testing.assert_allclose([out["cross"], out["shift"]], [T, T + L], rtol=1e-12)
    np.testing.assert_allclose(out["blend"], out["strong"] - out["cross"] + 0.25 * out["shift"], rtol=1e-12)
    np.testing.assert_allclose([out["w_star"], out["gain"]], [T / (T + L), T**2 / (T + L)], rtol=1e-12)
    np.testing.assert_allclose(out["w_star"], 0.38987, atol=1e-5)


def test_optimal_weight_constrained_is_the_clipped_optimum():
    m, n = _model("B1")
    w_star = m.optimal_weight(n)
    assert m.optimal_weight(n, interval=(0.0, 1.0)) == pytest.approx(w_star)
    assert m.optimal_weight(n, interval=(0.5, 1.0)) == 0.5
    assert m.optimal_weight(n, interval=(0.0, 0.2)) == 0.2
    grid = np.linspace(0, 1, 2001)
    risks = m.expected_risk(n, w=grid)["blend"]
    assert abs(grid[np.argmin(risks)] - w_star) < 1e-3


def test_inert_blend_when_the_student_span_is_inside_the_teacher_span():
    """a = 0: the residual M_W y is orthogonal to the student's features; E ER(w) = E0 for every w."""
    m = BlendModel.blocks(3, 0, 2, 0.5, shared=1.0, student_only=0.0, teacher_only=0.4, outside=0.3)
    out = m.expected_risk(12, w=np.array([0.0, 0.5, 1.0, -2.0]))
    np.testing.assert_allclose(out["blend"], out["strong"], rtol=1e-12)
    assert np.isnan(m.optimal_weight(12)) and m.optimal_weight(12, interval=(0.2, 0.9)) == 0.2


def test_proportional_limit_is_the_large_n_value():
    m, _ = _model("B2")
    inv = m._exact_invariants()
    scale = 4000
    big = {k: v * scale if k in ("d_w", "d_s", "d_sw") else v for k, v in inv.items()}
    exact = evaluate(CLOSED_FORMS["exact"]["w_star"], n=20 * scale, **big)
    limit = evaluate(
        CLOSED_FORMS["limit"]["w_star"], gamma_s=8 / 20, gamma_w=10 / 20, gamma_sw=4 / 20, **inv, w=0.0
    )
    np.testing.assert_allclose(exact, limit, rtol=2e-3)


def _check_config(m: BlendModel, n: int, trials: int, seed: int, label: str) -> None:
    w = 0.7
    mc = m.simulate(n, trials, seed, w=w, chunk_size=CHUNK)
    exact = m.expected_risk(n, w=w)
    for key in KEYS:
        assert_mc_close(mc[key], exact[key], label=f"{label} {key}")
    for other in (0.0, 1.0):  # any weight from the same trials
        assert_mc_close(
            blend_risk_estimate(mc, other), m.expected_risk(n, w=other)["blend"], label=f"{label} w={other}"
        )


def test_mc_matches_exact_B2():
    m, n = _model("B2")
    _check_config(m, n, trials=3072, seed=11, label="blend B2")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["B1", "B3", "B4", "B5"])
def test_mc_matches_exact_slow(name):
    m, n = _model(name)
    _check_config(m, n, trials=40_960, seed=5, label=f"blend {name}")


@pytest.mark.slow
def test_mc_optimal_weight_and_inert_blend():
    m, n = _model("B1")
    est = optimal_weight_estimate(m.simulate(n, 40_960, 3, chunk_size=CHUNK))
    assert_mc_close(est, m.optimal_weight(n), label="blend B1 w*")
    inert = BlendModel.blocks(3, 0, 2, 0.5, shared=1.0, student_only=0.0, teacher_only=0.4, outside=0.3)
    mc = inert.simulate(12, 512, 0, chunk_size=CHUNK)
    assert np.max(np.abs(mc["shift"])) < 1e-20 and np.max(np.abs(mc["cross"])) < 1e-10


#: General principal angles (non-commuting P_s, P_w): the commuting formula with c = d_sw is not exact.
NON_COMMUTING = dict(angles=[0.3, 0.9, 1.3], d_w=5, d_s=5, sigma2=0.5)
NC_BETA = np.array([1.0, -0.8, 0.6, 0.5, 0.4, -0.3, 0.7, 0.2, 0.5, 0.6])


def test_general_angles_are_monte_carlo_only():
    m = BlendModel.from_principal_angles(**NON_COMMUTING, beta=NC_BETA)
    assert not m.is_commuting
    with pytest.raises(ValueError, match=r"Monte Carlo only.*commuting projectors"):
        m.expected_risk(14)
    with pytest.raises(ValueError, match="Monte Carlo only"):
        m.optimal_weight(14)


@pytest.mark.slow
def test_commuting_plug_in_fails_for_general_angles():
    """The plug-in (c = d_sw, b_A = ||P_s(I-P_w)beta||^2, tau^2 = sigma^2 + rho_w - b_A) keeps E0 (exact for
    any angles) but misses U by many SEs: nobody should "fix" the API into using it."""
    m = BlendModel.from_principal_angles(**NON_COMMUTING, beta=NC_BETA)
    n = 14
    mc = m.simulate(n, 40_960, 3, chunk_size=CHUNK)
    plug_in = {
        k: float(evaluate(CLOSED_FORMS["exact"][k], n=n, w=0.5, **m.invariants()))
        for k in ("strong", "cross")
    }
    assert_mc_close(mc["strong"], plug_in["strong"], label="blend general angles E0 (exact)")
    with pytest.raises(AssertionError, match="cross"):
        assert_mc_close(mc["cross"], plug_in["cross"], n_se=8, label="blend general angles cross (plug-in)")


@pytest.mark.slow
def test_pseudo_labelled_points_make_the_optimal_weight_negative():
    """B1 with N teacher-labelled points added: the MC optimum w* = E[e0'D]/E||D||^2 is negative already at
    N = 10 (about -0.12) and about -10.7 at N = 200; on [0, 1] the best weight is then 0."""
    m, n = _model("B1")
    w10 = m.optimal_weight_mc(n, 40_960, 2, N=10)
    w200 = m.optimal_weight_mc(n, 40_960, 2, N=200)
    assert w10.value + 5 * w10.se < 0 and abs(w10.value + 0.125) < 0.03
    assert abs(w200.value + 10.7) < 0.2


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(n=7), ValueError, r"n=7 must exceed d_s \+ 1 = 7"),
        (dict(n=6), ValueError, r"n=6 must exceed d_s \+ 1 = 7"),
        (dict(n=14.5), TypeError, r"n must be an integer"),
        (dict(n=14, w=float("nan")), ValueError, r"w contains NaN"),
    ],
)
def test_bad_input_to_the_exact_risk(kwargs, error, match):
    m, _ = _model("B1")
    with pytest.raises(error, match=match):
        m.expected_risk(**kwargs)


def test_n_within_one_of_the_teacher_dimension_is_an_error():
    m = BlendModel.blocks(2, 1, 8, 0.5)  # d_s = 3, d_w = 10
    with pytest.raises(ValueError, match=r"n=11 must exceed d_w \+ 1 = 11.*weak teacher"):
        m.expected_risk(11)


@pytest.mark.parametrize("interval", [(-0.1, 0.5), (0.2, 1.5), (0.8, 0.3)])
def test_constrained_optimum_outside_unit_interval_is_an_error(interval):
    m, n = _model("B1")
    with pytest.raises(ValueError, match=r"interval must satisfy 0 <= lo <= hi <= 1"):
        m.optimal_weight(n, interval=interval)


def test_bad_block_layouts():
    with pytest.raises(ValueError, match=r"teacher_only = 0.5 > 0 needs a block"):
        BlendModel.blocks(2, 3, 0, 0.5, teacher_only=0.5)
    with pytest.raises(ValueError, match=r"student_only must be a finite number >= 0"):
        BlendModel.blocks(2, 3, 1, 0.5, student_only=-1.0)
    with pytest.raises(ValueError, match=r"need >= 1 dimension"):
        BlendModel.blocks(0, 0, 3, 0.5, student_only=0.0)


def test_docstring_example():
    import doctest

    from w2s_theory.blend import api

    result = doctest.testmod(api, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
