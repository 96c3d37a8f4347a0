"""The feature model as data: invariants (exact identities), the overlap controls, the authors' estimator,
truncations, noise estimation from labels and bad inputs (``docs/theory/features.md`` §1-§2, §6)."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from w2s_theory import SubspaceModel
from w2s_theory.discrepancy import theory as subspace_theory
from w2s_theory.features import FeatureModel, authors_d_sw, authors_intrinsic_dim
from w2s_theory.features.examples import digits
from w2s_theory.features.model import parse_truncation


@pytest.fixture(scope="module")
def digits_data():
    return digits()


@pytest.fixture(scope="module")
def digits_model(digits_data):
    return FeatureModel.from_features(*digits_data, sigma2=0.5, k_w=20, k_s=8)


def _rotation(p: int, seed: int) -> np.ndarray:
    with threadpool_limits(limits=1, user_api="blas"):  # OpenBLAS threads stall on a loaded 2-core box
        Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((p, p)))
    return Q * np.sign(np.diag(R))


def test_digits_invariants_are_the_issue_numbers(digits_model):
    m = digits_model
    assert (m.M, m.d_w, m.d_s) == (1797, 20, 8)
    assert m.d_sw == pytest.approx(5.504, abs=5e-3)
    assert m.d_sw_null == pytest.approx(20 * 8 / 1797) and m.d_sw_null == pytest.approx(0.089, abs=1e-3)
    cc = m.canonical_correlations
    assert cc.shape == (8,) and np.all(np.diff(cc) <= 0) and np.all((cc >= 0) & (cc <= 1 + 1e-12))
    assert float(np.sum(cc**2)) == pytest.approx(m.d_sw, rel=1e-12)


def test_invariants_equal_the_subspace_model_on_the_same_spans(digits_model):
    """Exact identity: with the rows as the latent space (V = the orthonormal span bases, beta = f*/sqrt(M)),
    the subspace model's invariants are the feature model's."""
    m = digits_model
    sub = SubspaceModel(m.weak.Q, m.strong.Q, m.target / np.sqrt(m.M), m.sigma2)
    for key, value in sub.invariants().items():
        assert m.invariants()[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_bias_pieces_decompose_the_approximation_errors(digits_model):
    """||(I-P_w)f||^2 = ||P_s(I-P_w)f||^2 + ||(I-P_s)(I-P_w)f||^2, and the same for the ws piece."""
    m = digits_model
    f, Qw, Qs = m.target, m.weak.Q, m.strong.Q
    r_w = f - Qw @ (Qw.T @ f)
    rest = r_w - Qs @ (Qs.T @ r_w)
    assert m.rho_w == pytest.approx(m.bias_sw + rest @ rest / m.M, rel=1e-12)
    Pw_f = Qw @ (Qw.T @ f)
    assert m.bias_ws <= Pw_f @ Pw_f / m.M


def test_rotation_control_overlap_is_d_w_and_authors_estimate_is_the_random_value():
    """Strong = a random rotation of weak: the spans coincide (d_sw = d_w, every canonical correlation 1),
    while the authors' own-coordinate estimator returns the random-subspace value k_w k_s / d."""
    rng = np.random.default_rng(0)
    p, k = 120, 24  # k^2/p = 4.8; the estimator's spread over rotations is about 0.2
    F_w = rng.standard_normal((2000, p)) * np.linspace(3, 0.5, p)
    F_s = F_w @ _rotation(p, 1)
    m = FeatureModel.from_features(F_w, F_s, rng.standard_normal(2000), 1.0, k, k)
    assert m.d_sw == pytest.approx(k, abs=1e-8)
    np.testing.assert_allclose(m.canonical_correlations, 1.0, atol=1e-10)
    assert authors_d_sw(F_w, F_s, k, k, seed=0) == pytest.approx(k * k / p, rel=0.2)


def test_unrelated_features_authors_estimate_is_the_random_value_and_overlap_is_null():
    rng = np.random.default_rng(1)
    F_w = rng.standard_normal((2000, 90)) * np.linspace(2, 0.5, 90)
    F_s = rng.standard_normal((2000, 120)) * np.linspace(3, 0.2, 120)
    k_w, k_s = 24, 18
    assert authors_d_sw(F_w, F_s, k_w, k_s, seed=0) == pytest.approx(k_w * k_s / 90, rel=0.2)
    m = FeatureModel.from_features(F_w, F_s, rng.standard_normal(2000), 1.0, k_w, k_s)
    assert abs(m.d_sw - m.d_sw_null) <= 3 * m.d_sw_null_sd


def test_authors_numbers_in_the_issue_are_the_random_subspace_values():
    """Their reported overlaps equal k_w k_s / d to within 0.25 (UTKFace, ResNet vs CLIP)."""
    for k_w, k_s, d, reported in ((194, 443, 512, 167.64), (522, 443, 768, 301.06), (615, 443, 768, 354.52)):
        assert abs(k_w * k_s / d - reported) < 0.25


def test_independent_noise_features_overlap_within_3_se_of_the_null(digits_data):
    F_w, F_s, y = digits_data
    noise = np.random.default_rng(2).standard_normal(F_s.shape)
    m = FeatureModel.from_features(F_w, noise, y, 0.5, 20, 8)
    assert abs(m.d_sw - m.d_sw_null) <= 3 * m.d_sw_null_sd, (m.d_sw, m.d_sw_null, m.d_sw_null_sd)


def test_truncations_rank_energy_and_with_truncation(digits_data):
    F_w, F_s, y = digits_data
    full = FeatureModel.from_features(F_w, F_s, y, 0.5, "rank", "rank")
    assert (full.d_w, full.d_s) == (F_w.shape[1], F_s.shape[1])  # digits blocks have full column rank
    s2 = full.strong.spectrum**2
    k90 = FeatureModel.from_features(F_w, F_s, y, 0.5, 3, {"energy": 0.9}).d_s
    assert s2[:k90].sum() >= 0.9 * s2.sum() > s2[: k90 - 1].sum()
    cut = full.with_truncation(20, 8)
    direct = FeatureModel.from_features(F_w, F_s, y, 0.5, 20, 8)
    for key, value in direct.invariants().items():
        assert cut.invariants()[key] == pytest.approx(value, rel=1e-10, abs=1e-14), key
    assert parse_truncation("20") == 20 and parse_truncation("rank") == "rank"
    assert parse_truncation("energy=0.99") == {"energy": 0.99}
    with pytest.raises(ValueError, match="truncation must be an integer"):
        parse_truncation("twenty")


def test_authors_intrinsic_dimension_counts_uncentred_energy():
    F = np.diag([3.0, 1.0, 0.1])  # second-moment eigenvalues 9, 1, 0.01 (times 1/3): 89.9%, 99.9%, 100%
    assert authors_intrinsic_dim(F, 0.8) == 1
    assert authors_intrinsic_dim(F, 0.99) == 2
    assert authors_intrinsic_dim(F, 0.9995) == 3
    offset = np.random.default_rng(0).standard_normal((2000, 3)) + 10.0  # E xxᵀ = 100·11ᵀ + I: 301, 1, 1
    assert authors_intrinsic_dim(offset, 0.99) == 1  # uncentred: the mean direction holds 99.3%


def test_from_labels_estimates_the_noise_variance_and_says_so():
    rng = np.random.default_rng(3)
    M, sigma2 = 4000, 2.0
    F_s = rng.standard_normal((M, 12))
    F_w = F_s[:, :6] + rng.standard_normal((M, 6))
    f = F_s @ rng.standard_normal(12)
    m = FeatureModel.from_labels(F_w, F_s, f + np.sqrt(sigma2) * rng.standard_normal(M), 6, 12)
    dof = M - 18 - 1
    assert abs(m.sigma2 - sigma2) <= 4 * sigma2 * np.sqrt(2 / dof)
    assert m.sigma2_source.startswith("estimated") and "18 regressors" in m.sigma2_source
    np.testing.assert_allclose(m.target, f - f.mean(), atol=0.15 * np.std(f))
    assert m.with_sigma2(1.0).sigma2_source == "given"


def test_expected_risks_are_the_subspace_forms_on_grids(digits_model):
    n = np.array([44, 60, 100])[:, None]
    N = np.array([20, 400])[None, :]
    out = digits_model.expected_risks(n, N, check_design=False)
    ref = subspace_theory.expected_risks(n=n, N=N, **digits_model.invariants())
    for key in ("weak", "strong", "ceiling", "w2s", "pgr", "opr"):
        assert out[key].shape == (3, 2)
        np.testing.assert_allclose(out[key], np.broadcast_to(ref[key], (3, 2)), rtol=1e-14)


def test_stated_form_pgr_is_far_off_where_bias_dominates(digits_model):
    """The stated forms drop both bias terms: at n = 100 their PGR is strongly negative while the exact one
    is positive (``docs/theory/features.md`` §4)."""
    m = digits_model.with_sigma2(4.0)
    stated, exact = m.paper_risks(100, 400), m.expected_risks(100, 400, check_design=False)
    assert stated["pgr"] < -3 and exact["pgr"] > 0.4


# ------------------------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize(
    "mutate,match",
    [
        (lambda w, s, y: (w[:-1], s, y), r"F_w, F_s, target must describe the same M inputs.*\(1796, 30\)"),
        (lambda w, s, y: (w, s, y[:-1]), r"same M inputs.*target \(1796,\)"),
        (
            lambda w, s, y: (np.where(np.arange(len(w))[:, None] == 5, np.nan, w), s, y),
            r"F_w has NaN or inf in 1 row\(s\) \(first: row 5\)",
        ),
        (
            lambda w, s, y: (w, np.c_[np.ones(len(s)), s], y),
            r"F_s has 1 constant column\(s\) \(first: column 0\)",
        ),
        (lambda w, s, y: (w, s, np.r_[np.nan, y[1:]]), r"target contains NaN or inf"),
    ],
)
def test_bad_features_are_rejected_naming_the_argument(digits_data, mutate, match):
    with pytest.raises(ValueError, match=match):
        FeatureModel.from_features(*mutate(*digits_data), 0.5, 20, 8)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(k_w=31), ValueError, r"k_w=31 exceeds the rank of the centred features \(30\)"),
        (dict(k_s=0), ValueError, r"k_s must be an integer >= 1, got 0"),
        (dict(k_w=2.5), TypeError, r"k_w must be an integer"),
        (dict(k_s="all"), ValueError, r'k_s must be an integer, "rank" or'),
        (dict(k_s={"energy": 1.5}), ValueError, r"k_s\['energy'\] must lie in .*got 1.5"),
        (dict(sigma2=-1.0), ValueError, r"sigma2 must be a finite number >= 0, got -1.0"),
    ],
)
def test_bad_truncations_and_noise_are_rejected(digits_data, kwargs, error, match):
    args = dict(sigma2=0.5, k_w=20, k_s=8) | kwargs
    with pytest.raises(error, match=match):
        FeatureModel.from_features(*digits_data, **args)


def test_exact_forms_need_n_above_d_w_plus_1(digits_model):
    with pytest.raises(ValueError, match=r"n=21 must exceed d_w \+ 1 = 21"):
        digits_model.expected_risks(21, 100, check_design=False)
    with pytest.raises(ValueError, match=r"N=9 must exceed d_s \+ 1 = 9"):
        digits_model.expected_risks(44, 9, check_design=False)
    with pytest.raises(ValueError, match=r"n=21 must exceed max\(d_w, d_s\) \+ 1 = 21"):
        digits_model.design_check(21)


def test_docstring_examples_run_as_printed():
    import doctest

    import w2s_theory.features.api as api

    result = doctest.testmod(api, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
