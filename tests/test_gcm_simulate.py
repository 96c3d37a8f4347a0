"""Monte Carlo of the Gaussian covariate model against its deterministic equivalents, the exact ridgeless
forms, a numpy re-computation of the pipeline, and the design engine (``docs/theory/general_covariance.md`` §6).

Fixed seeds. One small dense model (rank 25, so every trial works in r = 32 latent dimensions and every
sample size >= 32 shares one compiled program); every call uses chunks of 250 trials. Where the DE is a
deterministic equivalent (not exact), the allowance is the measured finite-size bound 2/(m - df2) of the
estimator's margin (``docs/theory/general_covariance.md`` §6), stated per call.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from w2s_theory._random import trial_keys
from w2s_theory.gcm import GaussianCovariateModel, Rotated
from w2s_theory.gcm.trial import Problem
from w2s_theory.gcm.verification import CONFIGURATIONS, Configuration, margins, verification_rows
from w2s_theory.metrics import mean_se, opr_ratio_of_means, pgr_ratio_of_means
from w2s_theory.testing import assert_mc_close

RISKS = ("weak", "strong", "ceiling", "w2s")
CHUNK = 250
TRIALS = 2000


@pytest.fixture(scope="module")
def model() -> GaussianCovariateModel:
    """a = 1.5, b = 1, d = 40; weak = top-8 coordinates, strong = a random 12-dim subspace of the top-24."""
    return GaussianCovariateModel.power_law(1.5, 1.0, 40, range(1, 9), Rotated(12, 24), sigma2=0.2, seed=1)


def _check(model, n, N, lam_w, lam_s, seed, *, exact: bool) -> dict:
    mc = model.simulate(n, N, trials=TRIALS, seed=seed, lam_w=lam_w, lam_s=lam_s, chunk_size=CHUNK)
    de = model.expected_risks(n, N, lam_w, lam_s)
    c = Configuration("", "", lambda: model, n, N, lam_w, lam_s)
    margin = margins(de, c)
    for key in RISKS:
        allowance = 0.0 if exact else 2.0 / margin[key] * de[key]
        assert_mc_close(mc[key], de[key], bias_allowance=allowance, label=f"gcm n={n} N={N} {key}")
        if not exact and margin[key] >= 40:
            assert abs(mean_se(mc[key]).value / de[key] - 1) <= 0.02, key
    return mc | {"de": de}


def test_ridgeless_dense_covariances_match_the_exact_forms(model):
    """lam = 0, p_w = 8 < n, p_s = 12 < N: the default DE is the exact finite-sample expectation."""
    out = _check(model, 40, 40, 0.0, 0.0, seed=1, exact=True)
    pgr = pgr_ratio_of_means(out, floor=model.rounding_floor)
    assert_mc_close(pgr, out["de"]["pgr"], label="gcm exact pgr")
    assert_mc_close(opr_ratio_of_means(out), out["de"]["opr"], label="gcm exact opr")


@pytest.mark.parametrize(
    "n,N,lam_w,lam_s", [(60, 200, 1e-3, 1e-2), (120, 400, 0.1, 1e-3), (34, 900, 0.0, 0.3)]
)
def test_ridge_matches_the_deterministic_equivalent(model, n, N, lam_w, lam_s):
    _check(model, n, N, lam_w, lam_s, seed=2, exact=False)


def test_heavy_ridge_needs_the_second_order_terms(model):
    """lam = 0.3: the teacher has d_w = 1.2 effective dimensions and its risk is almost all bias. The
    proportional DE misses the O(1/n) bias-fluctuation terms (§2.3) by 2.9%; with them the DE is within
    5 SE without any finite-size allowance. 16000 trials put the expected gap to the plain DE at 8.8 SE
    (4.4 SE at 4000 trials, where three seeds gave 3.0, 5.4 and 4.6), so the > 3.5 SE rejection does not
    hinge on the seed."""
    mc = model.simulate(40, 40, trials=16000, seed=6, lam_w=0.3, lam_s=0.3, chunk_size=CHUNK)
    de = model.expected_risks(40, 40, 0.3, 0.3)
    plain = model.expected_risks(40, 40, 0.3, 0.3, second_order=False)
    assert de["d_w"] < 2
    for key in RISKS:
        assert_mc_close(mc[key], de[key], label=f"gcm heavy ridge {key}")
    est = mean_se(mc["weak"])
    assert (est.value - plain["weak"]) / est.se > 3.5


def test_design_engine_draws_the_same_law(model):
    n, N, lam = 60, 200, 1e-2
    wishart = model.simulate(n, N, trials=1000, seed=3, lam_w=lam, lam_s=lam, chunk_size=CHUNK)
    design = model.simulate(
        n, N, trials=1000, seed=4, lam_w=lam, lam_s=lam, chunk_size=CHUNK, engine="design"
    )
    for key in RISKS:
        a, b = mean_se(wishart[key]), mean_se(design[key])
        z = (a.value - b.value) / np.hypot(a.se, b.se)
        assert abs(z) < 5, (key, a, b, z)


def _ridge(X, y, mu):
    return np.linalg.solve(X.T @ X + mu * np.eye(X.shape[1]), X.T @ y)


def test_design_engine_computes_the_stated_pipeline_trial_by_trial(model):
    """Re-draw trial i's designs from its key and fit the four ridges with numpy: the same risks."""
    n, N, lam_w, lam_s, seed = 60, 200, 1e-3, 1e-2, 5
    out = model.simulate(
        n, N, trials=CHUNK, seed=seed, lam_w=lam_w, lam_s=lam_s, chunk_size=CHUNK, engine="design"
    )
    p = Problem.from_model(model, lam_w, lam_s)
    B_w, B_s, b, sigma = (np.asarray(x) for x in (p.B_w, p.B_s, p.b, p.sigma))
    keys = trial_keys(seed, CHUNK)
    for i in (0, 1, CHUNK - 1):
        k_z, k_e, k_zu, k_eu = jax.random.split(keys[i], 4)
        Z = np.asarray(jax.random.normal(k_z, (n, p.r)))
        Zu = np.asarray(jax.random.normal(k_zu, (N, p.r)))
        y = Z @ b + sigma * np.asarray(jax.random.normal(k_e, (n,)))
        yu = Zu @ b + sigma * np.asarray(jax.random.normal(k_eu, (N,)))
        theta_w = _ridge(Z @ B_w, y, n * lam_w)
        fits = {
            "weak": (B_w, theta_w),
            "strong": (B_s, _ridge(Z @ B_s, y, n * lam_s)),
            "ceiling": (B_s, _ridge(np.vstack([Z, Zu]) @ B_s, np.r_[y, yu], (n + N) * lam_s)),
            "w2s": (B_s, _ridge(Zu @ B_s, Zu @ B_w @ theta_w, N * lam_s)),
        }
        for key, (B, theta) in fits.items():
            assert out[key][i] == pytest.approx(np.sum((B @ theta - b) ** 2), rel=1e-9), (i, key)


def test_joint_factor_reproduces_the_moments(model):
    M = model.joint_factor
    sp = model.spectra
    r_w = model.rank_w
    J = M.T @ M
    np.testing.assert_allclose(J[:r_w, :r_w], np.diag(sp.e_w), atol=1e-13)
    np.testing.assert_allclose(J[r_w:-1, :r_w], sp.L, atol=1e-13)
    np.testing.assert_allclose(J[:r_w, -1], sp.cw, atol=1e-13)
    assert J[-1, -1] == pytest.approx(model.F, rel=1e-13)
    assert Problem.from_model(model, 0.0, 0.0).r % 32 == 0


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(lam_w=-1e-3), ValueError, r"lam_w must be a finite number >= 0, got -0.001"),
        (dict(lam_s=float("inf")), ValueError, r"lam_s must be a finite number >= 0"),
        (dict(engine="exact"), ValueError, r"engine must be one of \('wishart', 'design'\)"),
        (dict(n=0), ValueError, r"n must be an integer >= 1, got 0"),
    ],
)
def test_bad_simulate_arguments_are_rejected_naming_them(model, kwargs, error, match):
    with pytest.raises(error, match=match):
        model.simulate(**({"n": 40, "N": 40, "trials": 2} | kwargs))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_verification_table(name):
    """docs/theory/general_covariance.md §6.1, 2000 trials per configuration: |DE - MC| <= 5 SE plus the
    finite-size allowance 2/(m - df2), and within 2% wherever m - df2 >= 40."""
    for row in verification_rows(CONFIGURATIONS[name], trials=2000, seed=0):
        allowance = 2.0 / row["margin"] * row["de"]
        assert abs(row["mc"] - row["de"]) <= 5 * row["se"] + allowance, row
        if row["margin"] >= 40:
            assert abs(row["rel_err"]) <= 0.02, row


def test_wishart_engine_keeps_sample_sizes_traced(model):
    """A sweep over n, N >= r and the penalties reuses one compiled program (the conformance suite checks
    the general case); here: different sizes give different numbers from the same compilation."""
    from w2s_theory.family import trace_count
    from w2s_theory.gcm.family import FAMILY

    model.simulate(40, 40, trials=CHUNK, seed=0, chunk_size=CHUNK)
    before = trace_count(FAMILY)
    a = model.simulate(50, 300, trials=CHUNK, seed=0, lam_w=0.1, chunk_size=CHUNK)
    b = model.with_sigma2(1.0).simulate(90, 60, trials=CHUNK, seed=0, lam_s=1.0, chunk_size=CHUNK)
    assert trace_count(FAMILY) == before
    assert not np.array_equal(a["w2s"], b["w2s"])
    assert jnp.asarray(a["weak"]).dtype == jnp.float64


def test_penalty_curve_equals_single_penalties_on_the_same_trials(model):
    """simulate_curve forms each trial's designs and Gram matrices once; every pair's numbers are what
    simulate gives with the same seed at that pair (up to rounding), including the ridgeless pair, and a
    sweep over penalties of the same length reuses the compiled program."""
    from w2s_theory.family import trace_count
    from w2s_theory.gcm.family import FAMILY

    lam_w, lam_s = np.array([0.0, 1e-3, 0.1]), np.array([1e-2, 1e-3, 0.0])
    for n, N in ((60, 300), (20, 16)):  # under- and over-parameterised (minimum-norm at 0)
        curve = model.simulate_curve(n, N, lam_w, lam_s, trials=8, seed=3, chunk_size=CHUNK)
        assert len(curve) == lam_w.size
        for a, b, point in zip(lam_w, lam_s, curve, strict=True):
            single = model.simulate(n, N, trials=8, seed=3, lam_w=a, lam_s=b, chunk_size=CHUNK)
            assert point.keys() == single.keys()
            for key in RISKS:
                np.testing.assert_allclose(
                    point[key], single[key], rtol=1e-12, atol=0, err_msg=f"{key} {a} {b}"
                )
    before = trace_count(FAMILY)
    other = model.simulate_curve(60, 300, lam_w + 0.5, 0.2, trials=8, seed=3, chunk_size=CHUNK)
    assert trace_count(FAMILY) == before
    assert not np.array_equal(other[0]["w2s"], curve[0]["w2s"])


@pytest.mark.parametrize(
    ("lam_w", "lam_s", "match"),
    [
        ([], [0.1], "non-empty 1-D"),
        ([0.1, -1.0], 0.1, r"lam_w\[1\] must be a finite number >= 0"),
        ([0.1, 0.2], [0.1, 0.2, 0.3], "must broadcast"),
        (0.1, [[0.1]], "non-empty 1-D"),
    ],
)
def test_bad_penalty_curves_are_rejected_naming_them(model, lam_w, lam_s, match):
    with pytest.raises(ValueError, match=match):
        model.simulate_curve(60, 300, lam_w, lam_s, trials=2)


def test_size_grid_points_are_exact_draws_in_one_program(model):
    """simulate_grid: full-size factors once per trial, each point on their leading rows. A point with both
    factors full (n, N >= r = 32) is simulate's own draw; every point depends only on the seed and its own
    sizes; another grid of the same length compiles nothing."""
    from w2s_theory.family import trace_count
    from w2s_theory.gcm.family import FAMILY

    grid = model.simulate_grid([40, 20, 14], [300, 8, 60], trials=8, seed=3, lam_w=1e-3, chunk_size=CHUNK)
    single = model.simulate(40, 300, trials=8, seed=3, lam_w=1e-3, chunk_size=CHUNK)
    for key in RISKS:  # the same draw; designs formed as U B + diag(t) B instead of T B
        np.testing.assert_allclose(grid[0][key], single[key], rtol=1e-10, atol=0, err_msg=key)
    before = trace_count(FAMILY)
    other = model.simulate_grid([14, 50, 20], [60, 33, 8], trials=8, seed=3, lam_w=1e-3, chunk_size=CHUNK)
    assert trace_count(FAMILY) == before
    for a, b in ((0, 2), (2, 1)):
        for key in RISKS:
            np.testing.assert_allclose(other[a][key], grid[b][key], rtol=1e-12, atol=0, err_msg=key)


def test_size_grid_matches_the_exact_forms_and_the_one_point_law(model):
    """Ridgeless, p_w = 8 and p_s = 12 at least 6 below n and N (finite variances): the exact finite-sample
    forms, within 5 SE, at points whose factors are padded (n, N < r); a minimum-norm student
    (N = 8 < p_s) against simulate's own law."""
    n, N = np.array([18, 24, 40, 20]), np.array([20, 26, 40, 8])
    grid = model.simulate_grid(n, N, trials=TRIALS, seed=5, chunk_size=CHUNK)
    de = model.expected_risks(n[:3], N[:3], 0.0, 0.0)
    for j in range(3):
        for key in RISKS:
            assert_mc_close(grid[j][key], de[key][j], label=f"gcm grid n={n[j]} N={N[j]} {key}")
    alone = model.simulate(20, 8, trials=TRIALS, seed=6, chunk_size=CHUNK)
    for key in RISKS:
        a, b = mean_se(grid[3][key]), mean_se(alone[key])
        assert abs(a.value - b.value) <= 5 * np.hypot(a.se, b.se), key
