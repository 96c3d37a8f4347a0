"""Deterministic equivalents of the Gaussian covariate model: exact reductions, the kappa equation, the
structure of the W2S formula, vectorisation, and reference values (``docs/theory/general_covariance.md``).

No Monte Carlo here (``tests/test_gcm_simulate.py``)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from w2s_theory.closed_forms import evaluate
from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.gcm import GaussianCovariateModel, Rotated, overlapping_coordinates
from w2s_theory.gcm import theory as th
from w2s_theory.gcm._closed_forms import CLOSED_FORMS

RISKS = ("weak", "strong", "ceiling", "w2s")


def _random_subspace_model(rng: np.random.Generator) -> SubspaceModel:
    d_w, d_s = (int(x) for x in rng.integers(1, 25, size=2))
    k = int(rng.integers(0, min(d_w, d_s) + 1))
    D = d_w + d_s + int(rng.integers(0, 6))
    beta = rng.standard_normal(D) * rng.uniform(0.2, 2.0)
    return SubspaceModel.from_principal_angles(
        rng.uniform(0, np.pi / 2, k), d_w, d_s, float(rng.uniform(0.01, 2.0)), beta=beta, D=D
    )


# ----------------------------------------------------------------------------- exact reductions (§3.4)
def test_isotropic_ridgeless_reduction_equals_the_exact_forms_on_random_configs():
    """Ridgeless, under-parameterised, default finite-size rule: the DE *is* the exact finite-sample
    expectation of Dong et al. (w2s_theory.discrepancy.theory.expected_risks), to rounding."""
    rng = np.random.default_rng(20250611)
    worst = 0.0
    for _ in range(20):
        sub = _random_subspace_model(rng)
        n = int(max(sub.d_w, sub.d_s) + rng.integers(2, 60))
        N = int(sub.d_s + rng.integers(2, 80))
        exact = sub.expected_risks(n, N)
        de = GaussianCovariateModel.from_subspace_model(sub).expected_risks(n, N)
        for key in (*RISKS, "pgr", "opr"):
            if np.isnan(exact[key]):
                assert np.isnan(de[key])
                continue
            worst = max(worst, abs(de[key] - exact[key]) / abs(exact[key]))
        assert de["d_sw"] == pytest.approx(sub.d_sw, rel=1e-12, abs=1e-12)
    assert worst < 1e-12, worst


def test_any_gaussian_covariance_ridgeless_is_exact_after_whitening():
    """Ridgeless under-parameterised fits only see column spaces in the L2(P) geometry: the DE for a dense
    anisotropic model equals the exact isotropic form of the whitened model (V = orthonormal basis of
    range(Sigma^1/2 A), beta -> Sigma^1/2 beta), with d_sw = the sum of squared canonical correlations."""
    rng = np.random.default_rng(7)
    d, p_w, p_s = 30, 6, 9
    G = rng.standard_normal((d, d))
    Sigma = G @ G.T / d + 0.1 * np.eye(d)
    A_w, A_s, beta = rng.standard_normal((d, p_w)), rng.standard_normal((d, p_s)), rng.standard_normal(d)
    model = GaussianCovariateModel.from_latent(Sigma, A_w, A_s, beta, sigma2=0.3)
    w, V = np.linalg.eigh(Sigma)
    root = (V * np.sqrt(w)) @ V.T
    orth = lambda A: np.linalg.qr(root @ A)[0]
    whitened = SubspaceModel(orth(A_w), orth(A_s), root @ beta, 0.3)
    assert model.d_sw == pytest.approx(whitened.d_sw, rel=1e-10)
    assert model.d_sw == pytest.approx(np.sum(model.canonical_correlations**2), rel=1e-10)
    for n, N in [(12, 14), (40, 200), (11, 11)]:
        de, exact = model.expected_risks(n, N), whitened.expected_risks(n, N)
        for key in (*RISKS, "pgr", "opr"):
            assert de[key] == pytest.approx(exact[key], rel=1e-10), (n, N, key)


def test_without_the_shift_the_ridgeless_form_is_the_exact_one_with_m_minus_d():
    sub = SubspaceModel.from_principal_angles([0.2, 0.9, 1.3], 8, 5, 0.5, beta=np.linspace(-1, 1, 15))
    model = GaussianCovariateModel.from_subspace_model(sub)
    off = model.expected_risks(40, 30, finite_size="off")
    shifted = sub.expected_risks(41, 31)  # n - d - 1 -> n - d for teacher and student alike
    assert off["w2s"] == pytest.approx(shifted["w2s"], rel=1e-12)
    assert off["weak"] == pytest.approx(shifted["weak"], rel=1e-12)


def test_min_norm_isotropic_student_has_the_classical_rates():
    """Over-parameterised ridgeless (p > m), proportional form: kappa = p/m - 1, nu = m/(p - m), bias factor
    1 - m/p (Hastie et al. 2022)."""
    p, m_samples = 50, 20
    model = GaussianCovariateModel(
        Sigma_ww=np.eye(p), Sigma_ss=np.eye(p), Sigma_ws=np.eye(p), c_w=np.ones(p) / 10, c_s=np.ones(p) / 10,
        F=0.5, sigma2=0.4,
    )  # fmt: skip
    out = model.expected_risks(n=m_samples, N=m_samples, finite_size="off", second_order=False)
    assert out["kappa_w"] == pytest.approx(p / m_samples - 1, rel=1e-13)
    assert out["nu_s"] == pytest.approx(m_samples / (p - m_samples), rel=1e-13)
    rho, signal = model.rho_w, 0.5 - model.rho_w
    expected = rho + (1 - m_samples / p) * signal + (0.4 + rho) * m_samples / (p - m_samples)
    assert out["weak"] == pytest.approx(expected, rel=1e-12)


# ------------------------------------------------------------------------------ finite-size shift (§5)
def test_default_shift_is_exact_at_kappa_zero_and_continuous_in_the_penalty():
    model = GaussianCovariateModel.power_law(1.0, 0.5, 60, range(1, 21), range(1, 41), sigma2=0.2)
    exact = model.expected_risks(80, 300)
    near = model.expected_risks(80, 300, 1e-12, 1e-12)
    for key in (*RISKS, "pgr"):
        assert near[key] == pytest.approx(exact[key], rel=1e-8, abs=1e-9), key
    # the note's rule jumps at lam -> 0+ (1/(m - df2) relative); the default does not
    jump = model.expected_risks(80, 300, 1e-12, 1e-12, finite_size="ridgeless")["weak"] / exact["weak"] - 1
    assert jump < -1e-3
    lam = np.logspace(-8, 3, 40)
    f = th.finite_size_shift(model.spectra.e_w, th.solve_kappa(model.spectra.e_w, 80, lam), 80.0)
    assert f[0] == pytest.approx(1.0, abs=1e-6) and f[-1] < 1e-4 and np.all(np.diff(f) <= 1e-15)


def test_default_shift_keeps_half_the_margin_near_the_interpolation_threshold():
    e = np.arange(1, 21.0) ** -1.0
    for m in (19, 20, 21):  # rank 20: over, at, just under the threshold, tiny ridge
        kappa = th.solve_kappa(e, m, 1e-9)
        _, d2 = th.degrees_of_freedom(e, kappa)
        f = th.finite_size_shift(e, kappa, float(m))
        assert m - d2 - f >= (m - d2) / 2 > 0


# ------------------------------------------------------------------------------ kappa (§2.1, §5)
@settings(max_examples=40)
@given(
    seed=st.integers(0, 2**31 - 1),
    p=st.integers(1, 60),
    m=st.integers(1, 120),
    log_lam=st.floats(-8, 1),
)
def test_kappa_is_the_root_brentq_finds(seed, p, m, log_lam):
    e = np.random.default_rng(seed).gamma(0.5, size=p) + 1e-3
    lam = 10.0**log_lam
    kappa = float(th.solve_kappa(e, m, lam))
    g = lambda k: k * (1 - np.sum(e / (e + k)) / m) - lam
    ref = brentq(g, lam, lam + e.sum() / m, xtol=1e-300, rtol=1e-15)
    assert kappa == pytest.approx(ref, rel=1e-12)


def test_kappa_matches_the_isotropic_closed_form_and_its_ridgeless_limits():
    lam = np.logspace(-6, 1, 15)
    for p, m in [(30, 80), (80, 30)]:
        numeric = th.solve_kappa(np.full(p, 2.0), m, lam)
        closed = evaluate(CLOSED_FORMS["isotropic"]["kappa"], lam=lam, m=m, p=p, s=2.0)
        np.testing.assert_allclose(numeric, closed, rtol=1e-10)
    assert float(th.solve_kappa(np.full(30, 2.0), 80, 0.0)) == 0.0
    assert float(th.solve_kappa(np.full(80, 2.0), 30, 0.0)) == pytest.approx(2.0 * (80 / 30 - 1), rel=1e-14)
    # continuity of the ridgeless limit, both regimes
    assert float(th.solve_kappa(np.full(80, 2.0), 30, 1e-12)) == pytest.approx(2.0 * (80 / 30 - 1), rel=1e-9)
    assert float(th.solve_kappa(np.full(30, 2.0), 80, 1e-12)) == pytest.approx(1e-12 * 80 / 50, rel=1e-6)


def test_kappa_derivative_is_m_over_m_minus_df2():
    e = np.random.default_rng(3).gamma(0.7, size=40) + 1e-2
    m, lam, h = 25, 0.05, 1e-6
    slope = (th.solve_kappa(e, m, lam + h) - th.solve_kappa(e, m, lam - h)) / (2 * h)
    _, d2 = th.degrees_of_freedom(e, th.solve_kappa(e, m, lam))
    assert float(slope) == pytest.approx(m / (m - float(d2)), rel=1e-6)


def test_ridgeless_fit_at_the_interpolation_threshold_is_an_error_naming_the_learner():
    model = GaussianCovariateModel.power_law(1.0, 0.5, 40, range(1, 11), range(1, 21), sigma2=0.1)
    with pytest.raises(ValueError, match=r"teacher.*lam = 0 with m = rank = 10"):
        model.expected_risks(n=10, N=50)
    with pytest.raises(ValueError, match=r"W2S student.*m = rank = 20"):
        model.expected_risks(n=30, N=20)
    with pytest.raises(ValueError, match=r"strong baseline.*m = rank = 20"):
        model.expected_risks(n=20, N=50, lam_w=0.1)
    assert np.isfinite(model.expected_risks(n=10, N=50, lam_w=1e-6)["w2s"])  # ridge removes the peak


def test_one_sample_above_rank_the_exact_ridgeless_expectation_is_infinite():
    model = GaussianCovariateModel.power_law(1.0, 0.5, 40, range(1, 11), range(1, 21), sigma2=0.1)
    out = model.expected_risks(n=11, N=50)
    assert out["weak"] == np.inf and out["w2s"] == np.inf and np.isnan(out["pgr"])
    assert np.isfinite(model.expected_risks(n=11, N=50, finite_size="off")["weak"])


# ------------------------------------------------------------------------- structure of W2S (§3–§4)
def _naive_w2s(model: GaussianCovariateModel, n: int, N: int, lam_w: float, lam_s: float) -> dict:
    """The W2S formula in the original feature coordinates, with pseudo-inverses (no eigen-coordinates,
    no vectorisation): the reference for the vectorised implementation."""
    S_ww, S_ss, S_sw = model.Sigma_ww, model.Sigma_ss, model.Sigma_ws.T
    k_w = float(th.solve_kappa(model.spectra.e_w, n, lam_w))
    k_s = float(th.solve_kappa(model.spectra.e_s, N, lam_s))
    R_w = np.linalg.pinv(S_ww + k_w * np.eye(model.p_w))
    R_s = np.linalg.pinv(S_ss + k_s * np.eye(model.p_s))
    m_w = R_w @ model.c_w
    K_w = S_ww @ R_w @ R_w
    d_w = np.trace(S_ww @ K_w)
    theta = np.linalg.pinv(S_ww) @ model.c_w
    B_w = k_w**2 * theta @ S_ww @ R_w @ R_w @ theta
    tau_w = (model.sigma2 + model.rho_w + B_w) / (n - d_w)
    d_s = np.trace(S_ss @ S_ss @ R_s @ R_s)
    nu_s = d_s / (N - d_s)
    M1 = S_sw.T @ R_s @ S_ss @ R_s @ S_sw
    M2 = S_sw.T @ (S_ss + 2 * k_s * np.eye(model.p_s)) @ R_s @ R_s @ S_sw
    G = M1 + nu_s * (S_ww - M2)
    mean = model.F - 2 * model.c_s @ R_s @ S_sw @ m_w + m_w @ G @ m_w
    return {
        "w2s": mean + tau_w * np.trace(G @ K_w),
        "w2s_mean": mean,
        "d_sw": np.trace(S_sw.T @ np.linalg.pinv(S_ss) @ S_sw @ K_w),
        "d_sw_to": np.trace(M1 @ K_w),
        "d_sw_plus": np.trace(M2 @ K_w),
    }


@pytest.fixture(scope="module")
def dense_model() -> GaussianCovariateModel:
    rng = np.random.default_rng(11)
    d = 50
    k = np.arange(1, d + 1.0)
    A_w, A_s = rng.standard_normal((d, 12)), rng.standard_normal((d, 25))
    A_s[:, -3:] = A_s[:, :3] @ rng.standard_normal((3, 3))  # rank-deficient Sigma_ss
    return GaussianCovariateModel.from_latent(np.diag(k**-1.2), A_w, A_s, k**-0.6, sigma2=0.2)


@pytest.mark.parametrize("n,N,lam_w,lam_s", [(40, 200, 1e-3, 1e-2), (8, 15, 0.0, 1e-4), (60, 500, 0.3, 0.0)])
def test_vectorised_w2s_equals_the_matrix_formula(dense_model, n, N, lam_w, lam_s):
    assert dense_model.rank_s == 22
    out = dense_model.expected_risks(n, N, lam_w, lam_s, finite_size="off", second_order=False)
    for key, value in _naive_w2s(dense_model, n, N, lam_w, lam_s).items():
        assert out[key] == pytest.approx(value, rel=1e-9), key


def test_effective_dimensions_are_ordered_and_split_the_variance(dense_model):
    lam = np.logspace(-4, 0, 9)
    out = dense_model.expected_risks(60, 400, lam, lam[::-1], second_order=False)
    tol = 1e-10
    assert np.all(0 <= out["d_sw_to"]) and np.all(out["d_sw_to"] <= out["d_sw_plus"] + tol)
    assert np.all(out["d_sw_plus"] <= out["d_sw"] + tol) and np.all(out["d_sw"] <= out["d_w"] + tol)
    np.testing.assert_allclose(out["w2s"], out["w2s_mean"] + out["w2s_variance"], rtol=1e-13)
    bracket = out["d_sw_to"] + out["nu_s"] * (out["d_w"] - out["d_sw_plus"])
    np.testing.assert_allclose(out["w2s_variance"], out["tau_w"] * bracket, rtol=1e-12)
    ridgeless = dense_model.expected_risks(60, 400, 1e-2, 0.0)  # kappa_s = 0: the three overlaps coincide
    assert ridgeless["d_sw_to"] == pytest.approx(ridgeless["d_sw"], rel=1e-10)
    assert ridgeless["d_sw_plus"] == pytest.approx(ridgeless["d_sw"], rel=1e-10)


def test_second_order_terms_vanish_ridgeless_and_are_one_over_m(dense_model):
    """§2.3: the non-trace terms are zero at kappa = 0 (the exact forms stay exact) and scale like 1/m."""
    a = dense_model.expected_risks(40, 60)
    b = dense_model.expected_risks(40, 60, second_order=False)
    for key in RISKS:
        assert a[key] == b[key]
    gaps = [
        dense_model.expected_risks(n, 400, 0.3, 0.3)["weak"]
        - dense_model.expected_risks(n, 400, 0.3, 0.3, second_order=False)["weak"]
        for n in (100, 200, 400, 800)
    ]
    assert np.all(np.array(gaps) > 0)
    ratios = np.array(gaps[:-1]) / np.array(gaps[1:])  # halving m halves the term, as kappa settles
    np.testing.assert_allclose(ratios, 2.0, rtol=0.1)
    assert abs(ratios[-1] - 2) < abs(ratios[0] - 2)


def test_heavy_ridge_predicts_zero_and_every_risk_tends_to_F(dense_model):
    out = dense_model.expected_risks(60, 400, 1e9, 1e9)
    for key in RISKS:
        assert out[key] == pytest.approx(dense_model.F, rel=1e-6)


def test_grid_equals_pointwise_calls_for_outer_and_zipped_grids(dense_model):
    n, N = np.array([30, 45, 90])[:, None], np.array([40, 300, 1000, 2000])[None, :]
    grid = dense_model.expected_risks(n, N, 1e-3, 1e-2)
    assert grid["w2s"].shape == (3, 4)
    path = dense_model.expected_risks(
        np.arange(30, 130, 20), np.arange(200, 700, 100), np.logspace(-3, -1, 5), 1e-2
    )
    for a in range(3):
        for b in range(4):
            one = dense_model.expected_risks(int(n[a, 0]), int(N[0, b]), 1e-3, 1e-2)
            for key in (*RISKS, "pgr", "opr", "d_sw_to"):
                assert grid[key][a, b] == pytest.approx(one[key], rel=1e-12)
    for idx, (nn, NN, ll) in enumerate(
        zip(range(30, 130, 20), range(200, 700, 100), np.logspace(-3, -1, 5), strict=True)
    ):
        one = dense_model.expected_risks(nn, NN, ll, 1e-2)
        assert path["w2s"][idx] == pytest.approx(one["w2s"], rel=1e-12)


def test_chunked_pair_products_equal_the_matmul_path():
    rng = np.random.default_rng(0)
    A, R = [rng.standard_normal((50, 7))], [rng.standard_normal((60, 7))]
    i, j = rng.integers(0, 50, 30), rng.integers(0, 60, 30)  # 50*60 > 4*30 + 1e6? no: force chunks below
    direct = np.einsum("bk,bk->b", A[0][i], R[0][j])
    np.testing.assert_allclose(th._pair_products(A, R, i, j)[0], direct, rtol=1e-13)
    big = [rng.standard_normal((1100, 3))], [rng.standard_normal((1100, 3))]
    i, j = rng.integers(0, 1100, 40), rng.integers(0, 1100, 40)  # 1100^2 > 4*40 + 1e6: element path
    np.testing.assert_allclose(
        th._pair_products(*big, i, j)[0], np.einsum("bk,bk->b", big[0][0][i], big[1][0][j]), rtol=1e-13
    )


# ------------------------------------------------------- reference values (docs/theory/general_covariance.md §6)
def _assert_digits(actual, expected: tuple[str, ...]) -> None:
    """``actual`` rounds to each decimal string in ``expected`` (within half a unit of its last digit)."""
    for a, text in zip(actual, expected, strict=True):
        mantissa = text.lower().split("e")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
        assert abs(a - float(text)) <= 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9), (a, text)


#: Proportional form (no finite-size shift): (teacher, W2S, W2S variance, W2S mean) at n = 150, N = 1000, lam = 1e-4, sigma2 = 0.2, d = 400,
#: weak = 1..60, strong = {1..k} u {61..210-k} (§6.3).
TRADEOFF = {
    (1.5, 1.0, 60): ("0.121", "0.1161", "0.1161", "1.5e-05"),
    (1.5, 1.0, 5): ("0.121", "0.03058", "0.02432", "0.006254"),
    (1.0, 0.5, 30): ("0.1544", "0.1153", "0.08224", "0.03304"),
    (1.0, 0.5, 5): ("0.1544", "0.2405", "0.03369", "0.2068"),
}


@pytest.mark.parametrize("a,b,k", list(TRADEOFF))
def test_overlap_tradeoff_reference_values(a, b, k):
    model = GaussianCovariateModel.power_law(a, b, 400, *overlapping_coordinates(60, 150, k), sigma2=0.2)
    out = model.expected_risks(150, 1000, 1e-4, 1e-4, finite_size="off", second_order=False)
    got = (out["weak"], out["w2s"], out["w2s_variance"], out["w2s_mean"])
    _assert_digits(got, TRADEOFF[(a, b, k)])


def test_reference_values_of_the_coordinate_configurations():
    """P1, P2, P5 of §6.1 (sigma2 = 0.1): the proportional form (no shift, no second-order terms) and the
    shift everywhere."""
    cases = [
        (
            (1.0, 0.5, 500, range(1, 51), range(1, 201)),
            (300, 1500, 1e-3),
            ("0.03984", "0.09213", "0.01350", "0.03885"),
        ),
        (
            (1.5, 1.0, 500, range(1, 61), np.r_[1:31, 61:231]),
            (200, 1000, 1e-3),
            ("0.02571", "0.02616", "0.00468", "0.01480"),
        ),
        (
            (1.0, 0.5, 500, range(1, 61), np.r_[1:21, 61:341]),
            (200, 150, 1e-8),
            ("0.06362", "0.33376", "0.83212", "0.14264"),
        ),
    ]
    for args, (n, N, lam), expected in cases:
        out = GaussianCovariateModel.power_law(*args, sigma2=0.1).expected_risks(
            n, N, lam, lam, finite_size="off", second_order=False
        )
        _assert_digits([out[k] for k in RISKS], expected)
    p5 = GaussianCovariateModel.power_law(*cases[2][0], sigma2=0.1).expected_risks(
        200, 150, 1e-8, 1e-8, finite_size="on", second_order=False
    )
    _assert_digits([p5[k] for k in RISKS], ("0.06397", "0.33867", "0.84842", "0.14426"))


# --------------------------------------------------------------------------------------- bad input
def _moments(**change):
    base = dict(
        Sigma_ww=np.diag([2.0, 1.0]), Sigma_ss=np.diag([1.0, 1.0, 0.5]), Sigma_ws=np.array([[0.5, 0, 0], [0, 0.3, 0]]),
        c_w=np.array([0.4, 0.2]), c_s=np.array([0.3, 0.1, 0.1]), F=1.0, sigma2=0.1,
    )  # fmt: skip
    return base | change


@pytest.mark.parametrize(
    "change,match",
    [
        (dict(Sigma_ww=np.array([[2.0, 0.1], [0.0, 1.0]])), r"Sigma_ww must be symmetric: Sigma_ww\[0, 1\] = 0.1"),
        (dict(Sigma_ww=np.diag([2.0, -0.5])), r"Sigma_ww must be positive semi-definite: its smallest eigenvalue is -0.5"),
        (dict(Sigma_ss=np.ones((3, 2))), r"Sigma_ss must be a square matrix, got shape \(3, 2\)"),
        (dict(Sigma_ws=np.zeros((3, 2))), r"Sigma_ws must have shape \(2, 3\).*got \(3, 2\)"),
        (dict(c_w=np.zeros(3)), r"c_w must have shape \(2,\)"),
        (dict(F=-1.0), r"F must be a finite number >= 0, got -1.0"),
        (dict(sigma2=float("nan")), r"sigma2 must be a finite number >= 0"),
        (dict(Sigma_ww=np.diag([2.0, 0.0]), Sigma_ws=np.array([[0.5, 0, 0], [0, 0, 0]])), r"c_w has a component of size 0.2 outside the range of Sigma_ww"),
        (dict(Sigma_ss=np.diag([1.0, 1.0, 0.0])), r"c_s has a component of size 0.1 outside the range of Sigma_ss"),
        (dict(Sigma_ss=np.diag([1.0, 0.0, 0.5]), c_s=np.array([0.3, 0, 0.1])), r"Sigma_ws has a component of size 0.3 outside the range of Sigma_ss"),
        (dict(F=0.05), r"F = 0.05 is smaller than c_wᵀ Sigma_ww⁺ c_w = 0.12"),
        (dict(Sigma_ws=np.array([[1.6, 0, 0], [0, 0.3, 0]])), r"Sigma_ws is inconsistent.*canonical correlation.*1.13"),
        (dict(c_s=np.array([-1.0, 0, 0])), r"c_w, c_s and F are inconsistent"),
    ],
)  # fmt: skip
def test_bad_moments_are_rejected_naming_the_argument(change, match):
    with pytest.raises(ValueError, match=match):
        GaussianCovariateModel(**_moments(**change))


def test_good_moments_build_and_report_invariants():
    m = GaussianCovariateModel(**_moments())
    assert (m.p_w, m.p_s, m.rank_w, m.rank_s) == (2, 3, 2, 3)
    assert m.rho_w == pytest.approx(1 - 0.4**2 / 2 - 0.2**2)
    assert m.d_sw == pytest.approx(0.5**2 / 2 + 0.3**2)
    assert "GaussianCovariateModel(p_w=2, p_s=3" in repr(m)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(lam_w=-0.1), ValueError, r"lam_w must be finite and >= 0, got -0.1"),
        (dict(lam_s=np.array([0.1, -1.0])), ValueError, r"lam_s must be finite and >= 0, got -1.0"),
        (dict(n=40.5), TypeError, r"n must be an integer"),
        (dict(N=0), ValueError, r"N must be an integer >= 1, got 0"),
        (dict(finite_size="yes"), ValueError, r"finite_size must be one of"),
    ],
)
def test_bad_arguments_are_rejected_naming_the_parameter(kwargs, error, match):
    m = GaussianCovariateModel(**_moments())
    with pytest.raises(error, match=match):
        m.expected_risks(**({"n": 20, "N": 30} | kwargs))


def test_constructor_errors_name_the_argument():
    k = np.arange(1, 11.0)
    with pytest.raises(ValueError, match=r"Sigma must be positive semi-definite"):
        GaussianCovariateModel.from_latent(-np.eye(10), np.eye(10)[:, :2], np.eye(10), k, 0.1)
    with pytest.raises(ValueError, match=r"A_s must have shape \(d, p\) = \(10, p\)"):
        GaussianCovariateModel.from_latent(np.eye(10), np.eye(10)[:, :2], np.eye(9), k, 0.1)
    with pytest.raises(ValueError, match=r"beta must have shape \(10,\)"):
        GaussianCovariateModel.from_latent(np.eye(10), np.eye(10)[:, :2], np.eye(10), k[:5], 0.1)
    with pytest.raises(ValueError, match=r"weak coordinates must be distinct and lie in 1..d = 1..10"):
        GaussianCovariateModel.power_law(1.0, 0.5, 10, [1, 11], [1, 2], sigma2=0.1)
    with pytest.raises(ValueError, match=r"strong: a Rotated layout needs dim <= top <= d = 10"):
        GaussianCovariateModel.power_law(1.0, 0.5, 10, [1], Rotated(5, 20), sigma2=0.1)
    with pytest.raises(ValueError, match=r"a must be a finite number"):
        GaussianCovariateModel.power_law(-1.0, 0.5, 10, [1], [2], sigma2=0.1)
    with pytest.raises(ValueError, match=r"overlap must lie in \[0, min\(p_w, p_s\)\] = \[0, 3\]"):
        overlapping_coordinates(3, 5, 4)


def test_power_law_layouts():
    weak, strong = overlapping_coordinates(6, 10, 4)
    assert weak.tolist() == [1, 2, 3, 4, 5, 6] and strong.tolist() == [1, 2, 3, 4, 7, 8, 9, 10, 11, 12]
    m = GaussianCovariateModel.power_law(1.5, 1.0, 30, weak, strong, sigma2=0.2)
    assert m.d_sw == pytest.approx(4.0) and np.allclose(m.Sigma_ww, np.diag(np.arange(1, 7.0) ** -1.5))
    rotated = GaussianCovariateModel.power_law(1.5, 1.0, 30, range(1, 7), Rotated(10, 20), sigma2=0.2, seed=5)
    assert rotated.p_s == 10 and not np.allclose(rotated.Sigma_ss, np.diag(np.diag(rotated.Sigma_ss)))
    again = GaussianCovariateModel.power_law(1.5, 1.0, 30, range(1, 7), Rotated(10, 20), sigma2=0.2, seed=5)
    np.testing.assert_array_equal(rotated.Sigma_ss, again.Sigma_ss)


def test_docstring_examples_run():
    import doctest

    from w2s_theory.gcm import api

    result = doctest.testmod(api, verbose=False)
    assert result.attempted >= 3 and result.failed == 0
