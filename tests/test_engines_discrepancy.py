"""The Wishart engine against the design engine: same law of the four per-trial risks (1 vs 4 devices
is in ``tests/test_conformance.py``).

Fixed seeds. Means: two engines within 5 SE of each other and of the exact theory, where second moments
exist (n > d_w + 3, N > d_s + 3); laws: two-sample KS p-value above 1e-3 on every per-trial risk, also
at n = d_w + 3 and in the min-norm (interpolation) regime, where means are heavy-tailed or undefined.
"""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.discrepancy.fits import Problem, trial_bases, unlabelled_coords, unlabelled_width
from w2s_theory.metrics import Estimate, mean_se
from w2s_theory.testing import assert_mc_close

RISKS = ("weak", "strong", "ceiling", "w2s")
KS_LEVEL = 1e-3
TRIALS = 3000


def _angles_model(d_w: int, d_s: int, sigma2: float) -> SubspaceModel:
    rng = np.random.default_rng(d_w * 100 + d_s)
    k = min(d_w, d_s)
    beta = rng.standard_normal(d_w + d_s) / np.sqrt(d_w + d_s)
    return SubspaceModel.from_principal_angles(rng.uniform(0, np.pi / 2, k), d_w, d_s, sigma2, beta=beta)


CONFIGS = {
    "angles n=20 N=30": (_angles_model(6, 4, 0.5), 20, 30),
    "coordinate d_w=20 d_s=10 n=40 N=60": (
        SubspaceModel.notebook(d=400, d_w=20, d_s=10, doff=6, d_gt=30, sigma2=1e-2),
        40,
        60,
    ),
    "n = d_w + 3": (_angles_model(8, 5, 1.0), 11, 40),
    "min-norm n < d_w, N < d_s": (_angles_model(8, 6, 1.0), 5, 4),
}


@pytest.fixture(scope="module", params=list(CONFIGS), ids=list(CONFIGS))
def both_engines(request):
    model, n, N = CONFIGS[request.param]
    runs = {e: model.simulate(n, N, trials=TRIALS, seed=17, engine=e) for e in ("wishart", "design")}
    return request.param, model, n, N, runs


def test_same_law_of_per_trial_risks(both_engines):
    label, model, n, N, runs = both_engines
    for key in (*RISKS, "misfit", "pgr", "opr"):
        a, b = runs["wishart"][key], runs["design"][key]
        p = stats.ks_2samp(a[np.isfinite(a)], b[np.isfinite(b)]).pvalue
        assert p > KS_LEVEL, f"{label}: {key} KS p = {p:.2g}"


def test_same_means_and_exact_theory(both_engines):
    label, model, n, N, runs = both_engines
    if not (n > model.d_w + 3 and n > model.d_s + 3 and N > model.d_s + 3):
        pytest.skip("second moments infinite here: laws are compared by KS only")
    exact = model.expected_risks(n, N)
    for key in RISKS:
        w, d = mean_se(runs["wishart"][key]), mean_se(runs["design"][key])
        assert_mc_close(Estimate(w.value - d.value, np.hypot(w.se, d.se)), 0.0, label=f"{label}: {key} W-D")
        for engine, est in (("wishart", w), ("design", d)):
            assert_mc_close(est, exact[key], label=f"{label}: {key} {engine} vs exact")


def test_unknown_engine_is_rejected_with_the_valid_choices():
    with pytest.raises(ValueError, match=r"engine must be one of \('wishart', 'design'\)"):
        SubspaceModel.coordinate(2, 2, 1, 1.0).simulate(10, 10, trials=2, engine="bartlett")


@pytest.mark.parametrize("label", list(CONFIGS))
def test_compressed_unlabelled_factor_keeps_the_products_covariances(label):
    """The Wishart engine's unlabelled factor has d_s + 2 columns; the products of its i.i.d. normal columns
    with the coordinates of beta and of any teacher vector v have the covariances of the full factor's
    (u . v for every pair) only because beta has no coordinates past d_s + 1 in the student-first basis."""
    model = CONFIGS[label][0]
    p = Problem.from_model(model)
    r, d_s = p.r, p.d_s
    width = unlabelled_width(r, d_s)
    assert width == d_s + 2 < r
    assert np.all(np.asarray(p.b_U)[d_s + 1 :] == 0.0)
    assert float(p.b_U @ p.b_U) == pytest.approx(float(model.b_star @ model.b_star), rel=1e-12)
    coords = lambda v: np.asarray(unlabelled_coords(jnp.asarray(v), width, d_s))
    rng = np.random.default_rng(3)
    for v in rng.standard_normal((5, r)):
        assert coords(v) @ coords(v) == pytest.approx(v @ v, rel=1e-12)
        assert coords(v) @ coords(p.b_U) == pytest.approx(v @ p.b_U, rel=1e-12, abs=1e-12)
    # with beta spread past coordinate d_s + 1 (a basis without the reflection) the compression is wrong
    b = np.asarray(p.b_U).copy()
    b[d_s + 1 :] = rng.standard_normal(r - d_s - 1)
    v = rng.standard_normal(r)
    assert abs(coords(v) @ coords(b) - v @ b) > 1e-3


TWO_SPARSE_MODELS = {
    "angles d_w > d_s": _angles_model(6, 4, 0.5),
    "angles d_s > d_w": _angles_model(4, 7, 0.5),
    "coordinate, 6 shared axes": SubspaceModel.notebook(d=400, d_w=20, d_s=10, doff=6, d_gt=30, sigma2=1e-2),
    "beta inside V_s": SubspaceModel.coordinate(
        9, 6, 2, 1.0, beta=np.r_[np.linspace(1.0, 0.5, 6), np.zeros(7)]
    ),
}


@pytest.mark.parametrize("label", list(TWO_SPARSE_MODELS))
def test_trial_bases_make_the_student_basis_two_sparse(label):
    """Principal-vector bases: orthonormal, spanning the subspaces, and the student basis has two non-zero
    coordinates per vector in the teacher-first basis, so the labelled factor in student coordinates is
    two column gathers (equal to the product with the dense matrix)."""
    model = TWO_SPARSE_MODELS[label]
    p = Problem.from_model(model)
    d_w, d_s, r = p.d_w, p.d_s, p.r
    Q_L, Q_U, _ = trial_bases(model.B_w, model.B_s, model.b_star)
    for Q in (Q_L, Q_U):
        np.testing.assert_allclose(Q.T @ Q, np.eye(r), atol=1e-13)
    proj = lambda B: B @ np.linalg.pinv(B)
    np.testing.assert_allclose(proj(Q_L[:, :d_w]), proj(model.B_w), atol=1e-12)
    np.testing.assert_allclose(proj(Q_U[:, :d_s]), proj(model.B_s), atol=1e-12)
    B = np.asarray(p.B_s_L)
    assert np.all(np.count_nonzero(B, axis=0) <= 2)
    np.testing.assert_allclose(B, Q_L.T @ Q_U[:, :d_s], atol=1e-12)
    np.testing.assert_allclose(B.T @ B, np.eye(d_s), atol=1e-12)
    T = np.triu(np.random.default_rng(5).standard_normal((r, r)))
    np.testing.assert_allclose(np.asarray(p.student_design(jnp.asarray(T))), T @ B, rtol=0, atol=1e-13)
