"""The multi-teacher closed forms without Monte Carlo: reductions, weights, the coverage example's numbers
and bad input (``docs/theory/multiteacher.md``)."""

from __future__ import annotations

import numpy as np
import pytest

from w2s_theory import SubspaceModel
from w2s_theory.multiteacher import MultiTeacherModel
from w2s_theory.multiteacher import weights as W


def orthonormal(rng: np.random.Generator, D: int, d: int) -> np.ndarray:
    return np.linalg.qr(rng.standard_normal((D, d)))[0]


def tilted(rng: np.random.Generator, D: int, d: int, base: np.ndarray, angle: float) -> np.ndarray:
    """``d`` columns of ``base`` tilted by ``angle`` towards random directions: general principal angles."""
    return np.linalg.qr(
        np.cos(angle) * base[:, :d] + np.sin(angle) * rng.standard_normal((D, d)) / np.sqrt(D)
    )[0]


def general_model(
    seed: int = 0, D: int = 14, d_s: int = 5, d_m=(4, 5), sigma2: float = 0.5
) -> MultiTeacherModel:
    """Teachers on general (non-commuting) subspaces, partly aligned with a random student subspace."""
    rng = np.random.default_rng(seed)
    V_s = orthonormal(rng, D, d_s)
    base = np.concatenate([V_s, orthonormal(rng, D, D)[:, : D - d_s]], axis=1)
    teachers = tuple(tilted(rng, D, d, np.roll(base, -2 * m, axis=1), 0.6) for m, d in enumerate(d_m))
    beta = rng.standard_normal(D) / np.sqrt(D) * 2
    return MultiTeacherModel(V_s, teachers, beta, sigma2)


def commuting_model(seed: int = 0, D: int = 12, d_s: int = 5, coords=((0, 1, 2, 3, 4, 5), (3, 4, 5, 6, 7, 8)),
                    sigma2: float = 0.5) -> MultiTeacherModel:  # fmt: skip
    """Teachers on coordinate subspaces (commuting projectors), a random student subspace."""
    rng = np.random.default_rng(seed)
    beta = rng.standard_normal(D) / np.sqrt(D) * 2
    return MultiTeacherModel.from_coordinates(orthonormal(rng, D, d_s), coords, beta, sigma2)


# ------------------------------------------------------------------------------------ reductions
def test_one_teacher_is_the_single_teacher_model():
    """M = 1: rho_s + Q_11 equals the discrepancy family's exact W2S risk, for general angles."""
    rng = np.random.default_rng(3)
    D, V_s, V_w = 12, orthonormal(rng, 12, 4), orthonormal(rng, 12, 6)
    beta = rng.standard_normal(D)
    single = SubspaceModel(V_w, V_s, beta, 0.7)
    multi = MultiTeacherModel(V_s, (V_w,), beta, 0.7)
    for labels in ("disjoint", "shared"):
        q = multi.expected(n=15, N=11, labels=labels)
        assert q.risk([1.0]) == pytest.approx(single.expected_risks(n=15, N=11)["w2s"], rel=1e-12)
    assert multi.commuting


def test_shared_diagonal_equals_disjoint_diagonal_and_disjoint_is_diagonal():
    model = commuting_model()
    shared, disjoint = model.expected(n=12, N=10, labels="shared"), model.expected(n=12, N=10)
    np.testing.assert_allclose(np.diag(shared.K), np.diag(disjoint.K), rtol=1e-12)
    assert disjoint.K[0, 1] == 0 and shared.K[0, 1] != 0


def test_nested_teachers_cross_term():
    """V_1 ⊂ V_2 on one set: K_12 = (sigma2 + rho_2) tr(A_N P_1)/(n - d_1 - 1)."""
    model = commuting_model(coords=((0, 1, 2), (0, 1, 2, 3, 4, 5, 6)))
    q = model.expected(n=11, N=10, labels="shared")
    t = model.teacher_invariants()
    kappa = model.d_s / (10 - model.d_s - 1)
    tr_A_P1 = t["d_sw"][0] + kappa * (3 - t["d_sw"][0])
    assert q.K[0, 1] == pytest.approx((model.sigma2 + t["rho_w"][1]) * tr_A_P1 / (11 - 3 - 1), rel=1e-12)


def test_inhomogeneous_form_agrees_on_the_sum_to_one_plane():
    q = general_model().expected(n=[9, 12], N=10)
    a = np.array([0.3, 0.7])
    assert q.risk(a, sum_to_one=False) == pytest.approx(q.risk(a), rel=1e-12)
    free = q.free_optimum()
    assert q.risk(free, sum_to_one=False) <= q.risk(q.weights("optimal")) + 1e-12


# ---------------------------------------------------------------------------------------- weights
def test_weight_rules():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 6))
    Q = A @ A.T
    a = W.optimal_sum_to_one(Q)
    assert a.sum() == pytest.approx(1) and a @ Q @ a == pytest.approx(1 / np.sum(np.linalg.inv(Q)))
    s = W.optimal_simplex(Q)
    probes = rng.dirichlet(np.ones(4), 20000)
    assert np.all(s >= 0) and s @ Q @ s <= np.min(np.einsum("ni,ij,nj->n", probes, Q, probes)) + 1e-12
    np.testing.assert_allclose(W.min_norm_capped(Q, 0.25), W.uniform(4))  # cap 1/M: uniform
    capped = W.min_norm_capped(Q, 0.3)
    assert np.all(capped <= 0.3 + 1e-12) and capped.sum() == pytest.approx(1)
    np.testing.assert_allclose(W.inverse_variance(np.diag([1.0, 2, 4, 4])), [0.5, 0.25, 0.125, 0.125])


def test_aekd_rule_with_the_oracle_gram_is_the_simplex_optimum():
    """The min-norm point of the per-teacher students' errors under their expected Gram (rho_s + Q) is
    the simplex optimum: rho_s 1 1^T is constant on the simplex."""
    q = MultiTeacherModel.coverage("complementary").expected(n=[40, 40, 40, 15], N=30)
    np.testing.assert_allclose(W.min_norm_capped(q.gram, 1.0), q.weights("simplex"), atol=1e-9)


# --------------------------------------------------------------------------- the coverage example
def test_coverage_headline_numbers():
    """Redundant weak teacher at n_4 = d_4 + 3: uniform 47% worse than optimal (excess over rho_s),
    inverse variance within 1%; complementary teacher keeps weight 0.17 there."""
    n = [40, 40, 40, 15]
    A = MultiTeacherModel.coverage("redundant").expected(n=n, N=30).compare()
    assert A["uniform"]["excess"] == pytest.approx(0.47, abs=0.005)
    assert 0 < A["inverse_variance"]["excess"] < 0.01
    B = MultiTeacherModel.coverage("complementary").expected(n=n, N=30)
    assert B.weights("simplex")[3] == pytest.approx(0.17, abs=0.005)
    c4 = MultiTeacherModel.coverage("complementary").expected(n=[40, 40, 40, 16], N=30).compare()
    assert c4["inverse_variance"]["risk"] > c4["uniform"]["risk"]  # ignores shared blind spots


def test_uniform_excess_grows_like_one_over_n4_minus_d4_minus_1():
    model = MultiTeacherModel.coverage("redundant")
    excess = [
        model.expected(n=[40, 40, 40, 12 + g], N=30).compare()["uniform"]["excess"] for g in (2, 3, 4, 8)
    ]
    assert np.all(np.diff(excess) < 0) and excess[0] > 0.95


# ---------------------------------------------------------------------------------------- bad input
def test_weights_must_sum_to_one_where_required():
    q = general_model().expected(n=[9, 12], N=10)
    with pytest.raises(ValueError, match=r"alpha must sum to one.*got sum 0\.9"):
        q.risk([0.4, 0.5])
    with pytest.raises(ValueError, match=r"alpha must have one weight per teacher \(M = 2\), got 3"):
        q.risk([0.4, 0.3, 0.3])


def test_mismatched_ambient_dimension_names_the_teacher():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"teachers\[1\] has ambient dimension 9 \(rows\) but V_s has 10"):
        MultiTeacherModel(
            orthonormal(rng, 10, 3), (orthonormal(rng, 10, 4), orthonormal(rng, 9, 4)), np.ones(10), 1.0
        )
    with pytest.raises(ValueError, match=r"beta has ambient dimension 8 but V_s has 10 rows"):
        MultiTeacherModel(orthonormal(rng, 10, 3), (orthonormal(rng, 10, 4),), np.ones(8), 1.0)
    with pytest.raises(ValueError, match=r"teachers\[0\] must have orthonormal columns"):
        MultiTeacherModel(orthonormal(rng, 10, 3), (2 * orthonormal(rng, 10, 4),), np.ones(10), 1.0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(n=[9, 5], N=10), r"n\[1\]=5 must exceed d_m\[1\] \+ 1 = 6.*infinite"),
        (dict(n=[9, 6], N=10), r"n\[1\]=6 must exceed d_m\[1\] \+ 1 = 6"),
        (dict(n=9, N=6), r"N=6 must exceed d_s \+ 1 = 6"),
        (dict(n=6, N=10, labels="shared"), r"n=6 must exceed d_m\[1\] \+ 1 = 6"),
        (dict(n=[9, 12], N=10, labels="shared"), r"n must be one integer with labels='shared'"),
        (dict(n=[9, 12, 3], N=10), r"n must be an integer or one integer per teacher \(M = 2\)"),
        (dict(n=9, N=10, labels="joint"), r"labels must be one of \('disjoint', 'shared'\)"),
    ],
)
def test_sample_sizes_within_one_of_the_dimension_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        general_model().expected(**kwargs)


def test_shared_set_with_non_commuting_teachers_is_monte_carlo_only():
    model = general_model()
    assert not model.commuting
    with pytest.raises(ValueError, match=r"no closed form.*do not commute.*Monte Carlo only"):
        model.expected(n=12, N=10, labels="shared")
    plug = model.expected(n=12, N=10, labels="shared", plug_in=True)
    assert not plug.exact and model.expected(n=12, N=10).exact
