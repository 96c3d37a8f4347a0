"""Two-stage filtering (Shi et al., ACL 2025) in the subspace model: the procedure's exact identities, the
closed forms against Monte Carlo, and bad input. Theory: docs/theory/filtering.md."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from w2s_theory import SubspaceModel
from w2s_theory._linalg import masked_lstsq
from w2s_theory.discrepancy.theory import expected_risks
from w2s_theory.filtering import FilterSettings, TwoStageFilter, procedure, theory
from w2s_theory.filtering.model import kept_count
from w2s_theory.metrics import mean_se
from w2s_theory.testing import assert_mc_close

# ------------------------------------------------------------------------- the procedure's exact algebra
N_POOL, D_S = 12, 5
_stage_one = jax.jit(procedure.stage_one)
_stage_two = jax.jit(procedure.stage_two)
_masked_lstsq = jax.jit(masked_lstsq)


def _reference_lstsq(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(X, y, rcond=None)[0]  # OLS, or the minimum-norm solution (numpy's SVD)


#: (m, m2): min-norm stage I and II; min-norm stage I, OLS stage II; OLS both; q = 1 (no stage II).
COUNTS = [(2, 2), (3, 1), (4, 4), (5, 3), (7, 5), (9, 0), (12, 0)]


def test_keep_smallest_keeps_what_a_stable_sort_keeps():
    """The threshold read off the sorted integer keys keeps exactly the first ``m`` of numpy's stable
    argsort (ties in pool order), on scores with many ties, negative numbers, -0.0 against 0.0, infinities
    and a NaN; with the keys sorted once (:func:`sorted_keys`) or inside the call, ``m`` traced or not."""
    rng = np.random.default_rng(5)
    scores = rng.integers(-3, 4, 200).astype(float)  # about 29 copies of each value
    scores[rng.choice(200, 12, replace=False)] = -0.0
    scores[:3] = (np.inf, -np.inf, np.nan)
    first = np.argsort(scores, kind="stable")  # NaN last, -0.0 tied with 0.0
    ordered = procedure.sorted_keys(scores)
    keep = jax.jit(procedure.keep_smallest)
    for m in (0, 1, 57, 100, 199, 200):
        expected = np.zeros(200)
        expected[first[:m]] = 1.0
        np.testing.assert_array_equal(
            np.asarray(procedure.keep_smallest(scores, m)), expected, err_msg=f"{m}"
        )
        np.testing.assert_array_equal(np.asarray(keep(scores, m, ordered)), expected, err_msg=f"{m}")


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("m,m2", COUNTS)
def test_stage_two_is_the_identity_for_least_squares(seed, m, m2):
    """docs/theory/filtering.md §2.1 [EXACT]: any scores, any labels, OLS or minimum-norm student: the
    stage-II refit equals the stage-I fit; and a masked fit equals the fit on the kept rows."""
    rng = np.random.default_rng(100 * seed + m)
    X = rng.standard_normal((N_POOL, D_S)) * rng.uniform(0.5, 2.0, D_S)
    labels, scores = rng.standard_normal(N_POOL), rng.standard_normal(N_POOL)
    A, theta_I = _stage_one(X, labels, scores, m)
    kept = np.flatnonzero(np.asarray(A))
    assert kept.size == m and set(kept) == set(np.argsort(scores, kind="stable")[:m])
    np.testing.assert_allclose(theta_I, _reference_lstsq(X[kept], labels[kept]), rtol=1e-10, atol=1e-10)
    theta_II, B, _ = _stage_two(X, labels, A, m, theta_I, m2)
    assert int(np.sum(B)) == m2 and not np.any(np.asarray(A) * np.asarray(B))
    scale = max(1.0, float(np.max(np.abs(theta_I))))
    assert float(np.max(np.abs(theta_II - theta_I))) <= 1e-12 * scale
    # any B, not only the student's most confident points: relabel a random subset of the discarded ones
    other = rng.permutation(np.flatnonzero(np.asarray(A) == 0))[:m2]
    B_any = np.zeros(N_POOL)
    B_any[other] = 1.0
    train = np.asarray(A) * labels + B_any * (X @ np.asarray(theta_I))
    refit = _masked_lstsq(X, train, np.asarray(A) + B_any, m + m2)
    assert float(np.max(np.abs(refit - theta_I))) <= 1e-12 * scale


def test_realizable_teacher_error_survives_every_filter():
    """§2.2 [EXACT]: pseudo-labels the student represents exactly (V_w ⊆ V_s, rho_w = 0) are recovered from
    any kept set with at least d_s points, so no x-dependent filter, not even the oracle, changes the fit."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((N_POOL, D_S))
    theta = rng.standard_normal(D_S)
    for m in (5, 8, 12):
        _, fit = _stage_one(X, X @ theta, rng.standard_normal(N_POOL), m)
        np.testing.assert_allclose(fit, theta, rtol=1e-11, atol=1e-11)


# ------------------------------------------------------------------------------------- closed forms
def test_kept_moment_values_and_limits():
    """§3.1: c(q) at d_w = 24 (the reference geometry's teacher), c(1) = 1, c increasing in q."""
    np.testing.assert_allclose(
        theory.kept_moment([0.1, 0.2, 0.3, 0.5, 0.7, 1.0], 24),
        [0.559317, 0.632434, 0.685869, 0.772330, 0.850979, 1.0],
        atol=5e-7,
    )
    c = theory.kept_moment(np.linspace(0.05, 1.0, 20), 7)
    assert np.all(np.diff(c) > 0) and c[-1] == 1.0


def test_finite_pool_kept_moment_converges_at_rate_one_over_N():
    """§3.1 [LIMIT]: the empirical-quantile filter's exact finite-pool moment tends to c(q) like 1/N."""
    Ns = np.array([100, 200, 400, 800])
    gaps = [abs(theory.kept_moment_finite(0.3, 6, int(N)) - float(theory.kept_moment(0.3, 6))) for N in Ns]
    slope = np.polyfit(np.log(Ns), np.log(gaps), 1)[0]
    assert -1.15 < slope < -0.85, (slope, gaps)


def test_isotropic_filter_has_no_population_effect_with_commuting_projections():
    """§3.2 [EXACT]: with commuting projections L_c P_w = P_s P_w for every c; tilted subspaces break it."""
    split = TwoStageFilter.split().model
    P_w, P_s = split.B_w @ split.B_w.T, split.B_s @ split.B_s.T
    for c in (0.3, 0.6, 0.9):
        np.testing.assert_allclose(theory.population_map(split, c) @ P_w, P_s @ P_w, atol=1e-12)
    tilted = TwoStageFilter.tilted().model
    P_w, P_s = tilted.B_w @ tilted.B_w.T, tilted.B_s @ tilted.B_s.T
    assert np.max(np.abs(theory.population_map(tilted, 0.5) @ P_w - P_s @ P_w)) > 0.1
    # the split limit is the N -> oo W2S risk for every q; the tilted one depends on q
    np.testing.assert_allclose(
        split_limit := TwoStageFilter.split().stage1_limit(80, [0.1, 0.5, 1.0]), 0.2454545, atol=1e-6
    )
    assert np.ptp(split_limit) < 1e-12
    np.testing.assert_allclose(
        TwoStageFilter.tilted().stage1_limit(80, [0.1, 0.3, 0.5, 1.0]),
        [0.35067, 0.35993, 0.36752, 0.38977],
        atol=1e-5,
    )


# ----------------------------------------------------------------------------------- Monte Carlo
SMALL = SubspaceModel.from_principal_angles(
    [0.4, 0.9], d_w=4, d_s=6, sigma2=0.5, beta=np.linspace(1, -0.5, 10) / 2
)
SMALL_SETTINGS = FilterSettings(scores=("random", "isotropic"), q=(0.5, 1.0))
n_SMALL, N_SMALL = 20, 48


@pytest.fixture(scope="module")
def small_run() -> dict[str, np.ndarray]:
    return TwoStageFilter(SMALL, SMALL_SETTINGS).simulate(n_SMALL, N_SMALL, trials=500, seed=11)


def test_random_filter_and_base_risks_match_exact_expectations(small_run):
    """§3.5 [VERIFIED]: the random filter keeps m i.i.d. pool points, so its stage-I student has the exact
    W2S risk at N = m; at q = 1 every arm is the naive student, whose risk (and the teacher's, the
    baseline's, the ceiling's) is exact (Dong et al. 2025)."""
    f = TwoStageFilter(SMALL, SMALL_SETTINGS)
    assert_mc_close(
        small_run["stage1"][:, 0, 0], f.random_filter_risk(n_SMALL, N_SMALL, 0.5), label="filter random q=0.5"
    )
    exact = expected_risks(n=n_SMALL, N=N_SMALL, **SMALL.invariants())
    for key in ("weak", "strong", "ceiling", "w2s"):
        assert_mc_close(small_run[key], float(exact[key]), label=f"filter base {key}")
    np.testing.assert_array_equal(
        small_run["stage1"][:, :, 1], np.repeat(small_run["w2s"][:, None], 2, axis=1)
    )


def test_isotropic_kept_moment_matches_its_exact_finite_pool_value(small_run):
    """§3.1 [VERIFIED]: mean ||phi_w||^2/d_w over the kept half of the pool."""
    expected = theory.kept_moment_finite(0.5, SMALL.d_w, N_SMALL)
    assert_mc_close(small_run["weak_norm_A"][:, 1, 0], expected, label="filter kept moment q=0.5")


def test_stage_two_changes_nothing_in_any_trial(small_run):
    """§2.1 [EXACT], inside the Monte Carlo: the refit equals the stage-I fit to rounding in every trial."""
    assert np.max(small_run["stage2_shift"]) <= 1e-12
    np.testing.assert_allclose(small_run["stage2"], small_run["stage1"], rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(q=(0.0,)), r"q must lie in \(0, 1\], got 0"),
        (dict(q=(0.5, 1.5)), r"q must lie in \[0, 1\].*1\.5|q must lie in \(0, 1\].*1\.5"),
        (dict(q=(-0.2,)), r"q must lie in .*-0\.2"),
        (dict(q2=0.0), r"q2 must lie in \(0, 1\], got 0"),
        (dict(scores=("entropy",)), r"score must be one of"),
        (dict(n_boot=1), r"n_boot must be an integer >= 2, got 1"),
    ],
)
def test_bad_settings_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FilterSettings(**kwargs)


def test_bad_keep_fractions_in_the_theory_and_too_small_pools():
    with pytest.raises(ValueError, match=r"q must lie in \(0, 1\], got 0"):
        theory.kept_moment(0.0, 4)
    with pytest.raises(ValueError, match=r"q must lie in"):
        theory.kept_moment(1.2, 4)
    with pytest.raises(ValueError, match=r"q = 0.01 keeps round\(q \* N\) = 0 of N = 20"):
        FilterSettings(q=(0.01,)).kept(20)
    assert kept_count(0.5, 5) == 3 and kept_count(0.3, 800) == 240


# ------------------------------------------------------------------ slow: more configurations and limits
def _variant(angles, sigma2, beta_scale) -> SubspaceModel:
    """Same shapes as SMALL (r = 10, d_w = 4, d_s = 6), other traced values: no recompilation."""
    beta = beta_scale * np.cos(np.arange(10.0))
    return SubspaceModel.from_principal_angles(angles, d_w=4, d_s=6, sigma2=sigma2, beta=beta)


VARIANTS = [
    (SMALL, (0.5, 1.0)),
    (_variant([0.1, 0.2, 1.2], 1.0, 0.4), (0.6, 1.0)),
    (_variant([1.5], 0.2, 0.8), (0.75, 1.0)),
    (_variant([0.0, 0.7, 0.7, 1.1], 2.0, 0.3), (0.4, 1.0)),
]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(VARIANTS)))
def test_random_filter_and_kept_moment_on_four_configurations(index):
    """§3.1, §3.5 [VERIFIED] on four configurations (geometry, noise, target and q differ)."""
    model, q = VARIANTS[index]
    f = TwoStageFilter(model, FilterSettings(scores=("random", "isotropic"), q=q))
    out = f.simulate(n_SMALL, N_SMALL, trials=4000, seed=100 + index)
    assert_mc_close(
        out["stage1"][:, 0, 0], f.random_filter_risk(n_SMALL, N_SMALL, q[0]), label=f"random filter #{index}"
    )
    assert_mc_close(
        out["stage2"][:, 0, 0], f.random_filter_risk(n_SMALL, N_SMALL, q[0]), label=f"random I+II #{index}"
    )
    expected = theory.kept_moment_finite(q[0], model.d_w, N_SMALL)
    assert_mc_close(out["weak_norm_A"][:, 1, 0], expected, label=f"kept moment #{index}")
    exact = expected_risks(n=n_SMALL, N=N_SMALL, **model.invariants())
    for key in ("weak", "strong", "ceiling", "w2s"):
        assert_mc_close(out[key], float(exact[key]), label=f"base {key} #{index}")
    assert np.max(out["stage2_shift"]) <= 1e-12


@pytest.mark.slow
def test_isotropic_stage_one_converges_to_its_population_limit_like_one_over_N():
    """§3.2 [LIMIT]: E[ER_I(N) - ||L_c beta_t - beta||^2] -> 0 like 1/N (slope of log gap vs log N near -1),
    in the tilted small geometry where L_c differs from P_s; the per-trial limit removes the teacher's
    variance from the comparison (paired)."""
    model = _variant([0.6, 0.8, 0.9, 1.0], 1.0, 0.5)
    settings = FilterSettings(scores=("isotropic",), q=(0.4,))
    Ns, gaps = np.array([60, 120, 240, 480]), []
    for N in Ns:
        out = TwoStageFilter(model, settings).simulate(40, int(N), trials=1500, seed=int(N))
        est = mean_se(out["stage1"][:, 0, 0] - out["limit"][:, 0])
        assert est.value > 5 * est.se
        gaps.append(est.value)
    slope = np.polyfit(np.log(Ns), np.log(gaps), 1)[0]
    assert -1.25 < slope < -0.75, (slope, gaps)


@pytest.mark.slow
def test_realizable_teacher_error_through_the_simulator():
    """§2.2 [EXACT]: V_w ⊆ V_s and beta in V_w: every filter's stage-I student equals the teacher in every
    trial (risk identical to rounding), the oracle included."""
    model = SubspaceModel.coordinate(
        d_w=3, d_s=6, d_sw=3, sigma2=1.0, beta=np.r_[0.0, 0.0, 0.0, 1.0, -0.5, 0.3, 0.0]
    )
    assert model.rho_w == 0.0 and model.rho_s == 0.0
    settings = FilterSettings(scores=("leverage", "bootstrap", "oracle", "random"), q=(0.3, 0.7), n_boot=4)
    out = TwoStageFilter(model, settings).simulate(20, 40, trials=50, seed=3)
    np.testing.assert_allclose(
        out["stage1"], np.broadcast_to(out["weak"][:, None, None], out["stage1"].shape), rtol=1e-9
    )


@pytest.mark.slow
@pytest.mark.parametrize("which", ["split", "tilted"])
def test_reference_headlines(which):
    """§4 (reference runs at 300 trials): the best teacher-confidence filter helps a little (paired gain
    > 0), only the oracle filter gets PGR > 1, random filtering only hurts, stage II changes nothing."""
    f = getattr(TwoStageFilter, which)()
    out = f.simulate(80, 800, trials=300, seed=0)
    rows = {(r.score, r.q, r.stage): r for r in f.summarize(out)}
    best_q = 0.7 if which == "split" else 0.5
    gain = rows[("leverage", best_q, "stage1")].gain
    assert gain.value > 5 * gain.se, gain
    assert rows[("oracle", 0.3, "stage1")].pgr.value > 1.0 + 5 * rows[("oracle", 0.3, "stage1")].pgr.se
    assert max(rows[("leverage", q, "stage1")].pgr.value for q in f.settings.q) < 0.7
    assert all(rows[("random", q, "stage1")].gain.value < 0 for q in f.settings.q[:-1])
    assert np.max(out["stage2_shift"]) <= 1e-12


@pytest.mark.slow
def test_minimum_norm_arms_through_the_simulator():
    """Kept sets smaller than d_s (round(0.1 * 48) = 5 < 6): the minimum-norm student; stage II is still the
    identity in every trial (the masked minimum-norm fit itself is checked against numpy in the algebra tests)."""
    settings = FilterSettings(scores=("leverage", "oracle", "random"), q=(0.1, 1.0))
    out = TwoStageFilter(SMALL, settings).simulate(n_SMALL, N_SMALL, trials=200, seed=4)
    assert np.all(np.isfinite(out["stage1"])) and np.max(out["stage2_shift"]) <= 1e-12
    assert np.all(out["stage1"][:, :, 0] > 0)
