"""The real pipeline on resampled rows: exact identities, agreement with the exact forms on Gaussian features
(5 SE), the Gaussian-design diagnostic and its warning (``docs/theory/features.md`` §3-§5). The digits
check at a small size runs on the figure's fast-mode data (``test_features_report.py``); the 300-trial done
criteria are slow tests (``test_features_digits.py``)."""

import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from w2s_theory.features import DesignWarning, FeatureModel
from w2s_theory.features.examples import digits, random_relu_features
from w2s_theory.features.trial import excess_risk
from w2s_theory.metrics import opr_ratio_of_means, pgr_ratio_of_means
from w2s_theory.testing import assert_mc_close

RISKS = ("weak", "strong", "ceiling", "w2s")


#: Every small run has these shapes and trial count, so they share one compiled program (a new chunk
#: size or static shape compiles again, about 2 s here).
SMALL = dict(n=12, N=9, trials=6)


def _small(sigma2=1.0, rotate=False):
    """A small model (M = 300, d_w = d_s = 5): weak = 3 strong directions plus noise, or a rotation of the
    strong features."""
    rng = np.random.default_rng(0)
    F_s = rng.standard_normal((300, 5)) * np.array([3.0, 2.0, 1.0, 0.7, 0.5])
    if rotate:
        F_w = F_s @ np.linalg.qr(rng.standard_normal((5, 5)))[0]
    else:
        F_w = F_s[:, :3] @ rng.standard_normal((3, 5)) + 0.5 * rng.standard_normal((300, 5))
    target = F_s @ np.array([1.0, -1.0, 0.5, 0.0, 2.0]) + np.sin(F_s[:, 0])
    return FeatureModel.from_features(F_w, F_s, target, sigma2, 5, 5), F_w, F_s, target


# ----------------------------------------------------------------------------------------- exact identities
def test_excess_risk_from_coefficients_equals_the_mean_over_all_rows():
    model, *_ = _small()
    c = model.population_coordinates()
    theta = np.random.default_rng(1).standard_normal(model.d_s)
    direct = np.mean((c["X_s"] @ theta - model.target) ** 2)
    fast = excess_risk(jnp.asarray(theta), jnp.asarray(c["r_s"]), jnp.asarray(c["a_s"]), c["rho_s"])
    assert float(fast) == pytest.approx(direct, rel=1e-12)


def test_noise_free_target_in_both_spans_gives_zero_risk():
    """sigma2 = 0 and f* inside span_w = span_s: every tall fit recovers f* exactly."""
    model, F_w, F_s, _ = _small(sigma2=0.0, rotate=True)
    clean = FeatureModel.from_features(F_w, F_s, F_s @ np.arange(1.0, 6.0), 0.0, 5, 5)
    assert clean.rho_w == clean.rho_s == clean.bias_sw == clean.bias_ws == 0.0
    out = clean.simulate(**SMALL, seed=0)
    scale = float(clean.target @ clean.target) / clean.M
    for key in RISKS:
        assert np.max(out[key]) <= 1e-20 * scale, key


def test_student_reproduces_the_teacher_when_the_spans_coincide():
    """Strong = a rotation of weak (same span): the W2S student fits the teacher's predictions exactly, so
    its risk equals the teacher's, trial by trial; so does the baseline's (same span, rows and labels)."""
    model, *_ = _small(sigma2=1.0, rotate=True)
    assert model.d_sw == pytest.approx(5, abs=1e-10)
    out = model.simulate(**SMALL, seed=1)
    np.testing.assert_allclose(out["w2s"], out["weak"], rtol=1e-8)
    np.testing.assert_allclose(out["strong"], out["weak"], rtol=1e-8)
    assert np.all(out["ceiling"] < out["weak"])  # n + N labels


def test_risks_are_invariant_to_scaling_and_rotating_a_block():
    """Ridgeless fits on at least as many rows as columns see only the column span: scaling the weak
    features or rotating the strong ones changes no per-trial risk."""
    model, F_w, F_s, target = _small()
    Q, _ = np.linalg.qr(np.random.default_rng(5).standard_normal((5, 5)))
    other = FeatureModel.from_features(3.7 * F_w, F_s @ Q, target, model.sigma2, 5, 5)
    a, b = model.simulate(**SMALL, seed=2), other.simulate(**SMALL, seed=2)
    for key in RISKS:
        np.testing.assert_allclose(b[key], a[key], rtol=1e-8, err_msg=key)


def test_min_norm_regime_runs_and_is_finite():
    model, *_ = _small()
    out = model.simulate(3, 2, trials=SMALL["trials"], seed=0)  # n < d_w, N < d_s: min-norm interpolators
    assert all(np.all(np.isfinite(out[k])) for k in RISKS)


def test_bad_sample_sizes_are_rejected_naming_them():
    model, *_ = _small()
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        model.simulate(0, 9, trials=2)
    with pytest.raises(TypeError, match="N must be an integer"):
        model.simulate(12, 9.5, trials=2)


@pytest.mark.parametrize("ridge", [{}, {"lam_w": 0.05, "lam_s": 0.1}])
def test_each_point_of_a_curve_is_that_point_run_alone(ridge):
    """A curve draws the largest sizes once and each point reads the leading rows, which are the rows a
    one-point run draws: the same numbers up to the rounding of Gram sums over zero-weight rows."""
    model, *_ = _small()
    n, N = [SMALL["n"], 20, 12], [SMALL["N"], 15, 9]
    curve = model.simulate_curve(n, N, trials=SMALL["trials"], seed=4, **ridge)
    assert len(curve) == 3
    for j in (0, 1) if not ridge else (0,):
        alone = model.simulate(n[j], N[j], trials=SMALL["trials"], seed=4, **ridge)
        for key in (*RISKS, "pgr", "opr"):
            np.testing.assert_allclose(curve[j][key], alone[key], rtol=1e-12, err_msg=f"point {j}: {key}")
    np.testing.assert_array_equal(curve[2]["weak"], curve[0]["weak"])  # same n: the same teacher


def test_a_curve_rejects_wide_designs_and_bad_points_naming_them():
    model, *_ = _small()
    with pytest.raises(ValueError, match=r"tall designs.*\(n\[1\], N\[1\]\) = \(4, 9\)"):
        model.simulate_curve([12, 4], 9, trials=2)
    with pytest.raises(ValueError, match=r"N\[0\] must be an integer >= 1, got 0"):
        model.simulate_curve(12, [0, 9], trials=2)
    with pytest.raises(ValueError, match="n and N must broadcast, got lengths 2 and 3"):
        model.compare_curve([12, 13], [9, 10, 11], trials=2)


# ------------------------------------------------------------------------------- Gaussian features: 5 SE
@pytest.fixture(scope="module")
def gaussian_model():
    """Features that are linear maps of a Gaussian latent (M = 20000 rows): the exact forms hold up to the
    O(1/sqrt(M)) difference between the rows and the Gaussian law."""
    rng = np.random.default_rng(1)
    z = rng.standard_normal((20000, 12))
    F_w = z[:, :6] @ rng.standard_normal((6, 6))
    F_s = z[:, 3:10] @ rng.standard_normal((7, 7))
    return FeatureModel.from_features(F_w, F_s, z @ (0.5 * rng.standard_normal(12)), 1.0, 6, 7)


def test_gaussian_features_match_the_exact_forms_within_5_se(gaussian_model):
    m = gaussian_model
    assert m.d_sw == pytest.approx(3.0, abs=0.01)
    n, N = 30, 40
    exact = m.expected_risks(n, N, check_design=False)
    mc = m.simulate(n, N, trials=1000, seed=3)
    for key in RISKS:
        assert_mc_close(mc[key], exact[key], label=f"gaussian features {key} n={n} N={N}")
    assert_mc_close(pgr_ratio_of_means(mc), exact["pgr"], label="gaussian features pgr")
    assert_mc_close(opr_ratio_of_means(mc), exact["opr"], label="gaussian features opr")


def test_gaussian_design_factor_is_one(gaussian_model):
    factors = gaussian_model.design_check(30, trials=400, seed=0)
    for block, est in factors.items():
        assert_mc_close(est, 1.0, label=f"gaussian design factor {block}")


# -------------------------------------------------------------------------------------- digits, small run
@pytest.fixture(scope="module")
def digits_model():
    F_w, F_s, y = digits()
    return FeatureModel.from_features(F_w, F_s, y, 4.0, 20, 8)


def test_digits_design_is_close_to_gaussian_and_does_not_warn(digits_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DesignWarning)
        digits_model.expected_risks(44, 400)
    factors = digits_model.design_check(44, trials=64)
    assert all(1 / 1.2 < est.value < 1.2 for est in factors.values()), factors


def test_random_relu_features_trigger_the_design_warning():
    F_w, F_s, y = digits()
    relu = FeatureModel.from_features(
        random_relu_features(F_w, 100, seed=1), random_relu_features(F_s, 200, seed=2), y, 1.0, 40, 60
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        relu.expected_risks(np.array([150, 300]), 200)  # checked at the smallest n
    messages = [str(w.message) for w in caught if issubclass(w.category, DesignWarning)]
    assert [m.split("'")[0] for m in messages] == ["the weak block", "the strong block"], messages
    assert all("Gaussian-design factor at n=150" in m for m in messages)
    factors = relu.design_check(150, trials=64)
    assert min(est.value for est in factors.values()) > 1.45, factors
