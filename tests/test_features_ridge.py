"""Ridge mode for real features (``docs/theory/features.md`` §10): the feature model read as a Gaussian
covariate model, the ridge pipeline, and the label-only jackknife."""

from __future__ import annotations

import numpy as np
import pytest

from w2s_theory.family import trace_count
from w2s_theory.features import FeatureModel, ridge
from w2s_theory.features.family import FAMILY
from w2s_theory.metrics import mean_se
from w2s_theory.testing import assert_mc_close

RISKS = ("weak", "strong", "ceiling", "w2s")


def _features(M: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian rows: strong features with a decaying spectrum, weak ones a noisy mix of three of them."""
    rng = np.random.default_rng(seed)
    F_s = rng.standard_normal((M, 6)) * np.array([3.0, 2.0, 1.0, 0.7, 0.5, 0.3])
    F_w = F_s[:, :3] @ rng.standard_normal((3, 6)) + 0.5 * rng.standard_normal((M, 6))
    target = F_s @ np.array([1.0, -1.0, 0.5, 0.0, 2.0, 1.0]) + 0.5 * np.sin(F_s[:, 0])
    return F_w, F_s, target


@pytest.fixture(scope="module")
def gaussian_pool() -> FeatureModel:
    F_w, F_s, target = _features(20000)
    return FeatureModel.from_features(F_w, F_s, target, 1.0, 4, 6)


def test_ridgeless_limit_is_the_exact_forms():
    """At lam = 0 the covariate model's equivalents (ridgeless, under-parameterised: exact) reproduce the
    feature model's exact forms to rounding: the moments are read off the rows correctly."""
    F_w, F_s, target = _features(300, seed=0)
    model = FeatureModel.from_features(F_w, F_s, target, 1.0, 4, 5)
    n, N = np.array([12, 30, 200]), np.array([9, 40, 17])
    exact = model.expected_risks(n, N, check_design=False)
    de = ridge.expected_risks(model, n, N)
    for key in (*RISKS, "pgr", "opr"):
        np.testing.assert_allclose(de[key], exact[key], rtol=1e-12, err_msg=key)
    assert np.allclose(de["d_sw"], model.d_sw, rtol=1e-12)


def test_ridge_pipeline_matches_the_gaussian_law_and_the_equivalent(gaussian_pool):
    """On a pool of Gaussian rows the resampled ridge pipeline has (to 5 SE) the risks of the Gaussian
    covariate model's own exact Monte Carlo with the same moments, which checks the penalty convention
    (m * lam on m rows), and both sit within 5 SE plus the equivalent's measured finite-size bound
    2 / (m - df2) of the deterministic equivalent."""
    n, N, lam_w, lam_s = 12, 30, 0.1, 0.05
    de = gaussian_pool.expected_risks(n, N, lam_w=lam_w, lam_s=lam_s, check_design=False)
    mc = gaussian_pool.simulate(n, N, 2000, seed=3, lam_w=lam_w, lam_s=lam_s)
    gauss = ridge.covariate_model(gaussian_pool).simulate(n, N, 2000, seed=4, lam_w=lam_w, lam_s=lam_s)
    margin = {"weak": n - de["d_w"], "strong": n - de["df2_strong"], "w2s": N - de["d_s"]}
    margin["ceiling"] = n + N - de["df2_ceiling"]
    for key in RISKS:
        a, b = mean_se(mc[key]), mean_se(gauss[key])
        z = (a.value - b.value) / np.hypot(a.se, b.se)
        assert abs(z) <= 5, f"{key}: pipeline {a} vs Gaussian {b} (z = {z:.2f})"
        assert_mc_close(mc[key], de[key], bias_allowance=2 / margin[key] * de[key], label=f"ridge {key}")


def test_a_ridge_sweep_compiles_once(gaussian_pool):
    """The penalties are traced: a sweep over them reuses one program (the shapes of the test above)."""
    gaussian_pool.simulate(12, 30, 256, seed=0, lam_w=0.1, lam_s=0.1)
    before = trace_count(FAMILY)
    for lam_w, lam_s in ((1.0, 0.01), (0.0, 2.0)):
        gaussian_pool.simulate(12, 30, 256, seed=1, lam_w=lam_w, lam_s=lam_s)
    assert trace_count(FAMILY) == before


def test_noise_free_labels_give_the_known_target_plug_in():
    """Labels without noise inside the joint span: the plain label plug-in (sigma2 estimated ~ 0) is the
    known-target prediction, so the label path reads the same moments."""
    F_w, F_s, _ = _features(400, seed=2)
    known = FeatureModel.from_features(F_w, F_s, F_s @ np.arange(1.0, 7.0), 0.0, 4, 6)
    labels = FeatureModel.from_labels(F_w, F_s, F_s @ np.arange(1.0, 7.0), 4, 6)
    kw = dict(lam_w=0.2, lam_s=0.1, check_design=False)
    plain = labels.expected_risks(30, 50, jackknife_groups=None, **kw)
    truth = known.expected_risks(30, 50, **kw)
    for key in RISKS:
        assert plain[key] == pytest.approx(truth[key], rel=1e-8, abs=1e-10), key


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(lam_w=-0.1), "lam_w"),
        (dict(lam_s=float("nan")), "lam_s"),
    ],
)
def test_bad_penalties_are_rejected_naming_them(gaussian_pool, kwargs, match):
    with pytest.raises(ValueError, match=match):
        gaussian_pool.simulate(5, 7, 4, **kwargs)


def test_bad_jackknife_groups_are_rejected():
    F_w, F_s, target = _features(50, seed=3)
    model = FeatureModel.from_labels(F_w, F_s, target + np.random.default_rng(0).standard_normal(50), 3, 4)
    for groups, match in ((1, "jackknife_groups"), (51, "jackknife_groups must be <= M = 50")):
        with pytest.raises(ValueError, match=match):
            model.expected_risks(20, 30, lam_w=0.1, jackknife_groups=groups, check_design=False)


@pytest.mark.slow
def test_label_only_jackknife_remaining_bias_on_digits():
    """The measurement quoted in docs/theory/features.md §10: digits features, the digit value as target,
    noise sigma2 = 4, 30 label draws; the jackknifed label-only prediction of each test MSE is within
    5 SE + 2% of the known-target prediction (measured: |bias| <= 1.4%, per-draw sd 2-3%)."""
    from w2s_theory.features.examples import DIGITS_K_S, DIGITS_K_W, digits

    F_w, F_s, f = digits()
    sigma2 = 4.0
    truth_model = FeatureModel.from_features(F_w, F_s, f, sigma2, DIGITS_K_W, DIGITS_K_S)
    rng = np.random.default_rng(5)
    for n, N, lam_w, lam_s in ((100, 400, 1e-2, 1e-2), (40, 200, 1e-1, 1e-3), (200, 1000, 1e-3, 1e-1)):
        kw = dict(lam_w=lam_w, lam_s=lam_s, check_design=False)
        truth = truth_model.expected_risks(n, N, **kw)
        deviation = []
        for _ in range(30):
            y = f + np.sqrt(sigma2) * rng.standard_normal(f.shape)
            model = FeatureModel.from_labels(F_w, F_s, y, DIGITS_K_W, DIGITS_K_S)
            est = model.expected_risks(n, N, **kw)
            deviation.append([(est[k] + model.sigma2) / (truth[k] + sigma2) - 1 for k in RISKS])
        deviation = np.array(deviation)
        for i, key in enumerate(RISKS):
            assert_mc_close(deviation[:, i], 0.0, bias_allowance=0.02, label=f"jackknife {key} n={n}")
