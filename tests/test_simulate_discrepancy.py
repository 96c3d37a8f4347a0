"""Monte Carlo of the four ridgeless fits against the exact expectations, and exact identities.

Statistical checks use fixed seeds and assert |MC mean - exact| <= 5 SE (w2s_theory.testing).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2s_theory._random import trial_keys
from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.discrepancy import simulate as sim
from w2s_theory.discrepancy.fits import Problem
from w2s_theory.discrepancy.trial import ENGINES, Static, Traced, rows_for, trial_risks
from w2s_theory.metrics import Estimate, mean_se, opr_ratio_of_means, pgr_ratio_of_means
from w2s_theory.testing import assert_mc_close

from .strategies import subspace_models

RISKS = ("weak", "strong", "ceiling", "w2s")


@settings(max_examples=12)
@given(
    model=subspace_models(), n_extra=st.integers(10, 40), N_extra=st.integers(10, 60), seed=st.integers(0, 99)
)
def test_mc_matches_exact_expectations(model, n_extra, N_extra, seed):
    """Hypothesis-drawn coordinate / principal-angle / general-position models, with and without bias.
    n - max(d_w, d_s) >= 10 keeps the inverse-Wishart tails light enough for a 5-SE check."""
    n = max(model.d_w, model.d_s) + n_extra
    N = model.d_s + N_extra
    mc = model.simulate(n, N, trials=3000, seed=seed)
    exact = model.expected_risks(n, N)
    label = f"d_w={model.d_w} d_s={model.d_s} d_sw={model.d_sw:.2f} n={n} N={N} sigma2={model.sigma2}"
    for key in RISKS:
        if exact[key] > 1e-20:  # sigma2 = 0 with beta in V_s ∩ V_w: exactly zero, covered below
            assert_mc_close(mc[key], exact[key], label=f"{key}: {label}")


@pytest.fixture(scope="module")
def notebook_dsw10():
    return SubspaceModel.notebook(doff=90)


def test_discriminates_exact_formula_from_notebook_formula(notebook_dsw10):
    """n = 2000, N = 400, d_sw = 10: MC agrees with the exact 7.459e-4 and rejects the notebook's 6.30e-4
    (docs/theory/discrepancies.md §4.4, §10.1; docs/theory/monte_carlo.md §8)."""
    m = notebook_dsw10
    mc = m.simulate(2000, 400, trials=200, seed=5)
    assert_mc_close(mc["w2s"], m.expected_risks(2000, 400)["w2s"], label="stated vs exact: w2s exact")
    z_notebook = (mc["w2s"].mean() - m.paper_risks(2000, 400)["w2s"]) / (mc["w2s"].std(ddof=1) / np.sqrt(200))
    assert z_notebook > 5, f"the notebook formula should be rejected, z = {z_notebook:.1f}"


def test_weak_teacher_at_n_400_rejects_sigma2_dw_over_n(notebook_dsw10):
    """n = 400 = 2 d_w: MC agrees with the exact 1.0563e-2 and rejects the stated curve sigma2 d_w/n + rho_w
    (docs/theory/discrepancies.md §4.4; docs/theory/monte_carlo.md §8)."""
    m = notebook_dsw10
    mc = m.simulate(400, 120, trials=200, seed=6)
    exact = m.expected_risks(400, 120)["weak"]
    assert exact == pytest.approx(1.0563e-2, abs=5e-7)
    assert_mc_close(mc["weak"], exact, label="stated vs exact: weak n=400")
    stated = m.paper_risks(400, 120)["weak"]
    assert (mc["weak"].mean() - stated) / (mc["weak"].std(ddof=1) / np.sqrt(200)) > 5


@pytest.mark.parametrize("n,N", [(80, 60), (80, 200), (200, 1000)])
def test_general_principal_angles(n, N):
    """docs/theory/discrepancies.md §8.1: D = 60, d_s = 20, d_w = 30, 8 shared and 10 tilted directions
    (cos ~ U(0.2, 0.9))."""
    rng = np.random.default_rng(2025)
    angles = np.r_[np.zeros(8), np.arccos(rng.uniform(0.2, 0.9, size=10))]
    beta = rng.standard_normal(60) / np.sqrt(60)
    m = SubspaceModel.from_principal_angles(angles, d_w=30, d_s=20, sigma2=0.5, beta=beta)
    noise_only = SubspaceModel.from_principal_angles(angles, d_w=30, d_s=20, sigma2=0.5, D=60)
    for model, tag in [(m, "full"), (noise_only, "noise-only")]:
        mc = model.simulate(n, N, trials=2000, seed=n + N)
        assert_mc_close(
            mc["w2s"], model.expected_risks(n, N)["w2s"], label=f"principal angles {tag} n={n} N={N}"
        )


def test_pgr_opr_ratio_of_means_match_exact_ratios():
    m = SubspaceModel.coordinate(d_w=8, d_s=6, d_sw=2, sigma2=1.0, beta=np.linspace(-0.3, 0.3, 16))
    mc = m.simulate(40, 60, trials=4000, seed=11)
    exact = m.expected_risks(40, 60)
    assert_mc_close(pgr_ratio_of_means(mc), exact["pgr"], label="PGR ratio of means")
    assert_mc_close(opr_ratio_of_means(mc), exact["opr"], label="OPR ratio of means")
    # the per-trial average (notebook) estimates a different quantity: Jensen makes it larger here
    assert mc["opr"].mean() > opr_ratio_of_means(mc).value


def test_noise_free_target_in_both_subspaces_is_learned_exactly():
    beta = np.zeros(10)
    beta[4:6] = [0.7, -1.2]  # inside V_s ∩ V_w = span(e5, e6)
    m = SubspaceModel.coordinate(d_w=4, d_s=6, d_sw=2, sigma2=0.0, beta=beta)
    mc = m.simulate(12, 15, trials=5, seed=0)
    for key in RISKS:
        np.testing.assert_array_less(mc[key], 1e-20)


def test_teacher_inside_student_gives_no_variance_gain():
    m = SubspaceModel.coordinate(d_w=5, d_s=8, d_sw=5, sigma2=1.0)  # V_w ⊆ V_s, rho = 0
    exact = m.expected_risks(30, 50)
    assert exact["w2s"] == pytest.approx(exact["weak"], rel=1e-14)
    mc = m.simulate(30, 50, trials=3000, seed=3)
    assert_mc_close(mc["w2s"] - mc["weak"], 0.0, label="V_w ⊆ V_s: E[w2s - weak] = 0")


def _numpy_reference_trial(model: SubspaceModel, key, n: int, N: int) -> dict[str, float]:
    """The design engine's draws (teacher-first / student-first coordinates, ``fits.Problem``), fitted on
    the full designs with numpy's SVD-based lstsq (min-norm): checks the exact compression to triangular
    factors and the triangular-solve shortcuts of the shared fits."""
    p = Problem.from_model(model)
    b_L, B_s_L, b_U, B_w_U = (np.asarray(a) for a in (p.b_L, p.B_s_L, p.b_U, p.B_w_U))
    r, d_w, d_s = p.r, p.d_w, p.d_s
    k_z, k_eps, k_zt, k_epst = jax.random.split(key, 4)
    Z = np.asarray(jax.random.normal(k_z, (n, r)))
    Zt = np.asarray(jax.random.normal(k_zt, (N, r)))
    s = np.sqrt(model.sigma2)
    y = Z @ b_L + s * np.asarray(jax.random.normal(k_eps, (n,)))
    yt = Zt @ b_U + s * np.asarray(jax.random.normal(k_epst, (N,)))
    lstsq = lambda X, t: np.linalg.lstsq(X, t, rcond=None)[0]
    risk = lambda theta, b: float(np.sum((theta - b[: theta.size]) ** 2) + np.sum(b[theta.size :] ** 2))
    c = lstsq(Z[:, :d_w], y)
    return {
        "weak": risk(c, b_L),
        "strong": risk(lstsq(Z @ B_s_L, y), b_U),
        "ceiling": risk(lstsq(np.r_[Z @ B_s_L, Zt[:, :d_s]], np.r_[y, yt]), b_U),
        "w2s": risk(lstsq(Zt[:, :d_s], Zt @ (B_w_U @ c)), b_U),
    }


@pytest.mark.parametrize(
    "n,N",
    [(30, 40), (5, 40), (30, 4), (3, 2)],
    ids=["ols", "teacher-min-norm", "student-min-norm", "all-min-norm"],
)
def test_kernel_equals_numpy_reference_including_min_norm_regime(n, N):
    rng = np.random.default_rng(0)
    m = SubspaceModel.from_principal_angles(
        [0.2, 0.9], d_w=8, d_s=6, sigma2=0.4, beta=rng.standard_normal(16)
    )
    mc = m.simulate(n, N, trials=3, seed=9, engine="design")
    for i, key in enumerate(trial_keys(9, 3)):
        ref = _numpy_reference_trial(m, key, n, N)
        for k in RISKS:
            assert mc[k][i] == pytest.approx(ref[k], rel=1e-8)


def test_invariance_to_invertible_feature_maps_within_each_subspace():
    """Ridgeless fits depend on the features only through their column space
    (docs/theory/discrepancies.md §1.5): a Problem built from re-scaled bases B_w A_w, B_s A_s has the same
    law-determining invariants (orthonormal bases, rho_w, rho_s, principal angles, target in V_s ∩ V_w), and
    its risks agree with the original's in law."""
    rng = np.random.default_rng(4)
    m = SubspaceModel.from_principal_angles(
        [0.3, 0.5, 1.1], d_w=5, d_s=4, sigma2=0.3, beta=rng.standard_normal(9)
    )
    p = Problem.from_model(m)
    A_w, A_s = rng.standard_normal((5, 5)), rng.standard_normal((4, 4))
    q = Problem.from_subspaces(m.B_w @ A_w, m.B_s @ A_s, m.b_star, m.sigma2)
    for prob in (p, q):
        np.testing.assert_allclose(prob.B_s_L.T @ prob.B_s_L, np.eye(4), atol=1e-12)
        np.testing.assert_allclose(prob.B_w_U.T @ prob.B_w_U, np.eye(5), atol=1e-12)
        assert float(prob.b_L[5:] @ prob.b_L[5:]) == pytest.approx(m.rho_w, rel=1e-10)
        assert float(prob.b_U[4:] @ prob.b_U[4:]) == pytest.approx(m.rho_s, rel=1e-10)
        cosines = np.linalg.svd(np.asarray(prob.B_s_L[:5]), compute_uv=False)
        np.testing.assert_allclose(np.sort(cosines)[::-1][:3], np.cos([0.3, 0.5, 1.1]), atol=1e-12)
    run = lambda prob: sim.simulate_problem(prob, 20, 25, trials=2000, seed=3)
    a, b = run(p), run(q)
    for k in RISKS:
        ea, eb = mean_se(a[k]), mean_se(b[k])
        assert_mc_close(Estimate(ea.value - eb.value, np.hypot(ea.se, eb.se)), 0.0, label=f"invariance {k}")


@pytest.mark.parametrize("engine", ENGINES)
def test_trial_returns_float64(engine):
    m = SubspaceModel.coordinate(d_w=2, d_s=2, d_sw=1, sigma2=1.0)
    p = Problem.from_model(m)
    static = Static(engine, p.r, rows_for(engine, 10, 10, p.r, p.d_s))
    out = trial_risks(trial_keys(0, 1)[0], Traced(p, jnp.asarray(10.0), jnp.asarray(10.0)), static)
    assert all(v.dtype == jnp.float64 for v in out.values())


@pytest.mark.parametrize(("n", "N"), [([60, 90, 400], 50), (45, [30, 60]), (5, [20, 40]), ([30, 60], 7)])
def test_curve_equals_single_points_on_the_same_trials(n, N):
    """simulate_curve shares every normal draw of a trial along the curve; each point equals simulate with
    the same seed up to rounding (OLS, and a minimum-norm teacher or student), whatever its position on the
    curve, and other sizes with the same length and rows reuse the compiled program."""
    from w2s_theory.discrepancy.family import FAMILY
    from w2s_theory.family import trace_count

    m = SubspaceModel.from_principal_angles([0.3, 0.9], 8, 12, 0.5, beta=np.linspace(-1, 1, 24), D=24)
    curve = m.simulate_curve(n, N, trials=6, seed=4)
    ns, Ns = np.broadcast_arrays(n, N)
    assert len(curve) == ns.size
    for a, b, point in zip(ns, Ns, curve, strict=True):
        single = m.simulate(int(a), int(b), trials=6, seed=4)
        assert point.keys() == single.keys()
        for key in (*RISKS, "misfit"):
            np.testing.assert_allclose(point[key], single[key], rtol=1e-12, atol=0, err_msg=f"{key} {a} {b}")
    before = trace_count(FAMILY)
    reversed_curve = m.simulate_curve(ns[::-1], Ns[::-1], trials=6, seed=4)  # other sizes, same rows
    assert trace_count(FAMILY) == before
    np.testing.assert_allclose(reversed_curve[0]["w2s"], curve[-1]["w2s"], rtol=1e-12, atol=0)
    assert not np.array_equal(reversed_curve[0]["w2s"], curve[0]["w2s"])


@pytest.mark.parametrize(
    ("n", "N", "match"),
    [
        ([], 50, "non-empty 1-D"),
        ([60, 0], 50, r"n\[1\] must be"),
        ([60, 70], [50, 60, 70], "must broadcast"),
        ([10, 60], 50, "same factor rows"),
    ],
)
def test_bad_curves_are_rejected_naming_them(n, N, match):
    m = SubspaceModel.from_principal_angles([0.3, 0.9], 8, 12, 0.5, beta=np.linspace(-1, 1, 24), D=24)
    with pytest.raises(ValueError, match=match):
        m.simulate_curve(n, N, trials=2)


def test_grid_points_are_their_own_draws_and_simulate_where_the_factors_are_full():
    """simulate_grid runs any sizes in one program: a point's numbers depend only on the seed and its own
    sizes (any position, any other points), equal simulate's where n >= r and N >= d_s, and another grid
    of the same length compiles nothing."""
    from w2s_theory.discrepancy.family import FAMILY
    from w2s_theory.family import trace_count

    m = SubspaceModel.from_principal_angles([0.3, 0.9], 8, 12, 0.5, beta=np.linspace(-1, 1, 24), D=24)
    r = Problem.from_model(m).r
    n, N = [r + 5, 4, r + 30, 2], [50, 50, 8, 5]
    grid = m.simulate_grid(n, N, trials=6, seed=4)
    for j in (0,):  # both factors full: the one-point trial's very draw
        single = m.simulate(n[j], N[j], trials=6, seed=4)
        for key in (*RISKS, "misfit", "pgr", "opr"):
            np.testing.assert_allclose(grid[j][key], single[key], rtol=1e-12, atol=0, err_msg=key)
    before = trace_count(FAMILY)
    other = m.simulate_grid([2, 60, 4, 33], [5, 9, 50, 40], trials=6, seed=4)
    assert trace_count(FAMILY) == before
    for a, b in ((0, 3), (2, 1)):  # the same sizes at other positions among other points
        for key in (*RISKS, "misfit"):
            np.testing.assert_allclose(other[a][key], grid[b][key], rtol=1e-12, atol=0, err_msg=key)


def test_grid_matches_the_exact_risks_in_every_regime_within_5_se():
    """Every regime of the four fits on one grid: OLS, a min-norm teacher, a min-norm student and every fit
    min-norm, each fit at least 4 from its pole."""
    m = SubspaceModel.from_principal_angles([0.3, 0.9], 8, 12, 0.5, beta=np.linspace(-1, 1, 24), D=24)
    n, N = np.array([60, 4, 60, 2]), np.array([50, 50, 8, 5])
    exact = m.expected_risks(n, N)
    for j, point in enumerate(m.simulate_grid(n, N, trials=4000, seed=11)):
        for key in RISKS:
            assert_mc_close(mean_se(point[key]), exact[key][j], label=f"grid {key} n={n[j]} N={N[j]}")


@pytest.mark.parametrize(
    ("n", "N", "match"),
    [([], 50, "non-empty 1-D"), ([60, 0], 50, r"n\[1\] must be"), ([60, 70], [50, 60, 70], "must broadcast")],
)
def test_bad_grids_are_rejected_naming_them(n, N, match):
    m = SubspaceModel.from_principal_angles([0.3, 0.9], 8, 12, 0.5, beta=np.linspace(-1, 1, 24), D=24)
    with pytest.raises(ValueError, match=match):
        m.simulate_grid(n, N, trials=2)
