"""Exact risks in the over-parameterised (minimum-norm) regime (docs/theory/discrepancies.md §12): the
closed forms against the formulas written out by hand, the regime switch, the interpolation poles, the
extra invariant ||beta||^2, and the proportional limits. Monte Carlo: tests/test_minnorm_mc.py."""

import numpy as np
import pytest

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.discrepancy import theory as th

#: Invariants of a general-angle model (d_w = 20, d_s = 30; consistent: every norm below ||beta||^2).
INV = dict(d_w=20, d_s=30, d_sw=11.5, sigma2=0.5, rho_w=2.2, rho_s=1.7, bias_sw=0.9, bias_ws=0.6)
BETA2 = 4.0


def c1(r, k):
    return r * (r * k + k - 2) / (k * (k - 1) * (k + 2))


def c2(r, k):
    return r * (k - r) / (k * (k - 1) * (k + 2))


def by_hand(n, N, d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw, bias_ws, beta2):
    """§12.1–§12.4 written out directly (no shared code with the sympy derivation)."""
    Pw, Ps = beta2 - rho_w, beta2 - rho_s
    PsPw = Pw - bias_ws
    cross = (Ps + PsPw - bias_sw) / 2

    def single(m, k, rho, inside):
        if m >= k + 2:
            return rho + (sigma2 + rho) * k / (m - k - 1)
        return rho + (1 - m / k) * inside + (sigma2 + rho) * m / (k - m - 1)

    if n >= d_w + 2:
        s, g, h = 1.0, 0.0, (sigma2 + rho_w) / (n - d_w - 1)
    else:
        s = n / d_w
        g = c1(n, d_w) - s**2
        h = c2(n, d_w) * Pw + (sigma2 + rho_w) * n / (d_w * (d_w - n - 1))
    if N >= d_s + 2:
        lam, mu, kappa = 0.0, 1.0, d_s / (N - d_s - 1)
    else:
        lam, mu, kappa = 1 - N / d_s, N / d_s, N / (d_s - N - 1)
    inside = s**2 * PsPw - 2 * s * cross + Ps + g * PsPw + h * d_sw
    outside = (s**2 + g) * bias_ws + h * (d_w - d_sw)
    return {
        "weak": single(n, d_w, rho_w, Pw),
        "strong": single(n, d_s, rho_s, Ps),
        "ceiling": single(n + N, d_s, rho_s, Ps),
        "w2s": rho_s + lam * Ps + mu * inside + kappa * outside,
    }


REGIMES = {  # (n, N): teacher / student, with the baseline and ceiling in both regimes
    "teacher over, student under": [(12, 36), (4, 60), (16, 34)],
    "teacher under, student over": [(25, 20), (40, 6), (60, 26)],
    "teacher over, student over": [(12, 10), (6, 22), (17, 3)],
    "teacher under, student under": [(40, 60), (25, 36)],
}


@pytest.mark.parametrize("regime", REGIMES)
def test_closed_forms_match_the_formulas_written_by_hand(regime):
    for n, N in REGIMES[regime]:
        ex = th.expected_risks(n=n, N=N, beta2=BETA2, **INV)
        ref = by_hand(n, N, beta2=BETA2, **INV)
        for key, value in ref.items():
            assert ex[key] == pytest.approx(value, rel=1e-12), (regime, n, N, key)
        assert ex["pgr"] == pytest.approx((ref["weak"] - ref["w2s"]) / (ref["weak"] - ref["ceiling"]))
        assert ex["opr"] == pytest.approx(ref["strong"] / ref["w2s"])


def test_under_parameterised_risks_do_not_need_or_change_with_beta2():
    plain = th.expected_risks(n=40, N=60, **INV)
    for beta2 in (4.0, 9.0):
        with_norm = th.expected_risks(n=40, N=60, beta2=beta2, **INV)
        assert all(with_norm[k] == plain[k] for k in th.RISK_KEYS)


def test_a_grid_across_the_threshold_is_piecewise_and_equals_pointwise_calls():
    n = np.array([4, 12, 18, 22, 40])[:, None]
    N = np.array([6, 24, 34, 90])[None, :]
    grid = th.expected_risks(n=n, N=N, beta2=BETA2, **INV)
    assert grid["w2s"].shape == grid["weak"].shape == (5, 4)
    for i, j in np.ndindex(5, 4):
        one = th.expected_risks(n=int(n[i, 0]), N=int(N[0, j]), beta2=BETA2, **INV)
        for key in (*th.RISK_KEYS, "pgr", "opr"):
            assert grid[key][i, j] == pytest.approx(float(one[key]), rel=1e-14, nan_ok=True), (key, i, j)


@pytest.mark.parametrize(
    "n,N,match",
    [
        (19, 60, r"n=19 must exceed d_w \+ 1 = 21 or be at most d_w - 2 = 18 .*the weak teacher"),
        (20, 60, r"n=20 must exceed d_w \+ 1 = 21 .*\{19, 20, 21\}"),
        (21, 60, r"n=21 must exceed d_w \+ 1 = 21 .*the weak teacher"),
        (29, 60, r"n=29 must exceed d_s \+ 1 = 31 .*the strong baseline"),
        (31, 60, r"n=31 must exceed d_s \+ 1 = 31 .*the strong baseline"),
        (12, 18, r"n \+ N=30 must exceed d_s \+ 1 = 31 .*the strong ceiling"),
        (12, 17, r"n \+ N=29 must exceed d_s \+ 1 = 31 .*the strong ceiling"),
        (40, 29, r"N=29 must exceed d_s \+ 1 = 31 or be at most d_s - 2 = 28 .*the W2S student"),
        (40, 31, r"N=31 must exceed d_s \+ 1 = 31 .*the W2S student"),
    ],
)
def test_interpolation_poles_raise_with_the_fit_and_the_reason(n, N, match):
    with pytest.raises(ValueError, match=match) as info:
        th.expected_risks(n=n, N=N, beta2=BETA2, **INV)
    assert "infinite" in str(info.value) and "interpolation pole" in str(info.value)


def test_at_poles_nan_blanks_only_the_risks_whose_fit_is_at_a_pole():
    n = np.arange(1, 80)
    out = th.expected_risks(n=n, N=10, beta2=BETA2, at_poles="nan", **INV)
    teacher, baseline, ceiling = np.abs(n - 20) <= 1, np.abs(n - 30) <= 1, np.abs(n + 10 - 30) <= 1
    for key, at in {"weak": teacher, "strong": baseline, "ceiling": ceiling, "w2s": teacher}.items():
        assert np.all(np.isnan(out[key][at])) and np.all(np.isfinite(out[key][~at])), key
    assert np.all(np.isnan(out["opr"][baseline | teacher])) and np.all(np.isnan(out["pgr"][ceiling]))
    fine = ~(teacher | baseline | ceiling)
    strict = th.expected_risks(n=n[fine], N=10, beta2=BETA2, **INV)
    for key in (*th.RISK_KEYS, "pgr", "opr"):
        np.testing.assert_array_equal(out[key][fine], strict[key])
    with pytest.raises(ValueError, match="at_poles must be one of"):
        th.expected_risks(n=40, N=60, at_poles="inf", **INV)


def test_just_outside_the_poles_the_risks_are_finite_and_blow_up_towards_them():
    inv = INV | dict(d_s=250)  # keep the baseline's and the ceiling's poles off this range of n
    below = th.expected_risks(n=np.arange(1, 19), N=300, beta2=BETA2, **inv)
    above = th.expected_risks(n=np.arange(22, 200), N=300, beta2=BETA2, **inv)
    for out in (below, above):
        assert np.all(np.isfinite(out["weak"])) and np.all(out["weak"] > 0)
    # double descent of the teacher: rises to the pole from both sides, then descends
    assert np.all(np.diff(below["weak"][6:]) > 0) and np.all(np.diff(above["weak"]) < 0)
    assert below["weak"][-1] > 10 * below["weak"][0] and above["weak"][0] > 10 * above["weak"][-1]


def test_min_norm_risks_need_beta2_and_a_consistent_one():
    with pytest.raises(ValueError, match=r"beta2 = \|\|beta\|\|\^2 is required where a fit is over-param"):
        th.expected_risks(n=12, N=60, **INV)
    with pytest.raises(ValueError, match=r"beta2 = \|\|beta\|\|\^2 must be >= rho_w \+ bias_ws = 2.8"):
        th.expected_risks(n=12, N=60, beta2=2.0, **INV)
    with pytest.raises(ValueError, match="beta2 must be finite and >= 0"):
        th.expected_risks(n=12, N=60, beta2=-1.0, **INV)


def test_stated_forms_stay_refused_in_the_min_norm_regime():
    with pytest.raises(ValueError, match=r"n=12 must exceed d_w \+ 1 = 21"):
        th.paper_risks(n=12, N=60, beta2=BETA2, **INV)


def test_model_passes_its_own_norm():
    rng = np.random.default_rng(0)
    beta = rng.normal(size=45) / 3
    m = SubspaceModel.from_principal_angles(rng.uniform(0.1, 1.4, 9), 20, 25, 0.5, beta=beta)
    assert m.beta2 == pytest.approx(float(beta @ beta), rel=1e-12)
    ex = m.expected_risks(12, 10)
    ref = by_hand(12, 10, beta2=m.beta2, **m.invariants())
    for key in th.RISK_KEYS:
        assert ex[key] == pytest.approx(ref[key], rel=1e-12)
    # a teacher and a student with no data predict 0: risk ||beta||^2 (the n, N -> 0 ends of the curves)
    assert by_hand(0, 60, beta2=m.beta2, **m.invariants())["w2s"] == pytest.approx(m.beta2, rel=1e-12)
    assert by_hand(40, 0, beta2=m.beta2, **m.invariants())["w2s"] == pytest.approx(m.beta2, rel=1e-12)


LIMIT_CASES = {
    "teacher over, student over": dict(gamma_w=2.5, gamma_s=1.6, lam=0.5),
    "teacher over, student under": dict(gamma_w=1.8, gamma_s=0.3, lam=1.5),
    "teacher under, student over": dict(gamma_w=0.4, gamma_s=3.0, lam=0.2),
    "teacher under, student under": dict(gamma_w=0.4, gamma_s=0.25, lam=2.0),
}


@pytest.mark.parametrize("regime", LIMIT_CASES)
def test_proportional_limits_are_the_limits_of_the_exact_risks(regime):
    r = LIMIT_CASES[regime]
    p = dict(sigma2=0.5, rho_w=0.3, rho_s=0.2, bias_sw=0.1, bias_ws=0.15, beta2=1.5)
    omega = 0.2  # d_sw = omega d_w <= min(d_w, d_s) in every case
    lim = th.proportional_limit(**r, omega=omega, **p)
    sizes = np.array([1e3, 1e4, 1e5])
    errors = []
    for n in sizes:
        N = r["lam"] * n
        d_w, d_s = r["gamma_w"] * n, r["gamma_s"] * N
        ex = th.expected_risks(n=n, N=N, d_w=d_w, d_s=d_s, d_sw=omega * d_w, **p)
        errors.append(max(abs(ex[k] - lim[k]) / lim[k] for k in th.RISK_KEYS))
    slope = np.polyfit(np.log(sizes), np.log(errors), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.05), errors


def test_proportional_limit_refuses_the_threshold_and_needs_beta2_above_it():
    with pytest.raises(ValueError, match="gamma_w = 1 is the interpolation threshold"):
        th.proportional_limit(gamma_w=1.0, gamma_s=0.5, lam=1.0, omega=0.2, sigma2=1.0)
    with pytest.raises(ValueError, match="beta2 = "):
        th.proportional_limit(gamma_w=0.5, gamma_s=2.0, lam=0.25, omega=0.2, sigma2=1.0)
