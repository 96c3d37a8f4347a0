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
from w2s_theory.metrics import opr_ratio_of_means, pgr_ratio_of_means
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


def test_discriminates_exact_formula_from_notebook_formula_5B(notebook_dsw10):
    """n = 2000, N = 400, d_sw = 10: MC agrees with the exact 7.459e-4 and rejects the notebook's 6.30e-4."""
    m = notebook_dsw10
    mc = m.simulate(2000, 400, trials=200, seed=5)
    assert_mc_close(mc["w2s"], m.expected_risks(2000, 400)["w2s"], label="5B w2s exact")
    z_notebook = (mc["w2s"].mean() - m.paper_risks(2000, 400)["w2s"]) / (mc["w2s"].std(ddof=1) / np.sqrt(200))
    assert z_notebook > 5, f"the notebook formula should be rejected, z = {z_notebook:.1f}"


def test_weak_teacher_at_n_400_rejects_sigma2_dw_over_n_5B(notebook_dsw10):
    m = notebook_dsw10
    mc = m.simulate(400, 120, trials=200, seed=6)
    exact = m.expected_risks(400, 120)["weak"]
    assert exact == pytest.approx(1.0563e-2, abs=5e-7)
    assert_mc_close(mc["weak"], exact, label="5B weak n=400")
    stated = m.paper_risks(400, 120)["weak"]
    assert (mc["weak"].mean() - stated) / (mc["weak"].std(ddof=1) / np.sqrt(200)) > 5


@pytest.mark.parametrize("n,N", [(80, 60), (80, 200), (200, 1000)])
def test_general_principal_angles_5C(n, N):
    """Spec §5.C: D = 60, d_s = 20, d_w = 30, 8 shared and 10 tilted directions (cos ~ U(0.2, 0.9))."""
    rng = np.random.default_rng(2025)
    angles = np.r_[np.zeros(8), np.arccos(rng.uniform(0.2, 0.9, size=10))]
    beta = rng.standard_normal(60) / np.sqrt(60)
    m = SubspaceModel.from_principal_angles(angles, d_w=30, d_s=20, sigma2=0.5, beta=beta)
    noise_only = SubspaceModel.from_principal_angles(angles, d_w=30, d_s=20, sigma2=0.5, D=60)
    for model, tag in [(m, "full"), (noise_only, "noise-only")]:
        mc = model.simulate(n, N, trials=2000, seed=n + N)
        assert_mc_close(mc["w2s"], model.expected_risks(n, N)["w2s"], label=f"5C {tag} n={n} N={N}")


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
    """The same draws as the JAX kernel, fitted with numpy's SVD-based lstsq (min-norm)."""
    r = model.r
    k_z, k_eps, k_zt, k_epst = jax.random.split(key, 4)
    Z = np.asarray(jax.random.normal(k_z, (n, r)))
    Zt = np.asarray(jax.random.normal(k_zt, (N, r)))
    b, s = model.b_star, np.sqrt(model.sigma2)
    y = Z @ b + s * np.asarray(jax.random.normal(k_eps, (n,)))
    yt = Zt @ b + s * np.asarray(jax.random.normal(k_epst, (N,)))
    lstsq = lambda X, t: np.linalg.lstsq(X, t, rcond=None)[0]
    c = lstsq(Z @ model.B_w, y)
    fits = {
        "weak": model.B_w @ c,
        "strong": model.B_s @ lstsq(Z @ model.B_s, y),
        "ceiling": model.B_s @ lstsq(np.r_[Z, Zt] @ model.B_s, np.r_[y, yt]),
        "w2s": model.B_s @ lstsq(Zt @ model.B_s, Zt @ model.B_w @ c),
    }
    return {k: float(np.sum((v - b) ** 2)) for k, v in fits.items()}


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
    mc = m.simulate(n, N, trials=3, seed=9)
    for i, key in enumerate(trial_keys(9, 3)):
        ref = _numpy_reference_trial(m, key, n, N)
        for k in RISKS:
            assert mc[k][i] == pytest.approx(ref[k], rel=1e-8)


def test_invariance_to_invertible_feature_maps_within_each_subspace():
    """Ridgeless fits depend on the features only through their column space (spec §1.2)."""
    rng = np.random.default_rng(4)
    m = SubspaceModel.from_principal_angles(
        [0.3, 0.5, 1.1], d_w=5, d_s=4, sigma2=0.3, beta=rng.standard_normal(9)
    )
    p = sim.Problem.from_model(m)
    A_w, A_s = rng.standard_normal((5, 5)), rng.standard_normal((4, 4))
    q = sim.Problem(p.B_w @ A_w, p.B_s @ A_s, p.b_star, p.sigma)
    for key in trial_keys(0, 3):
        a, b = sim.design_trial(key, p, 20, 25), sim.design_trial(key, q, 20, 25)
        for k in RISKS:
            assert float(a[k]) == pytest.approx(float(b[k]), rel=1e-9)


def test_same_seed_same_numbers_for_any_chunk_size():
    m = SubspaceModel.coordinate(d_w=6, d_s=5, d_sw=2, sigma2=1.0, beta=np.linspace(0, 1, 10))
    runs = [m.simulate(20, 30, trials=10, seed=42, chunk_size=c) for c in (1, 3, 10, 64)]
    for other in runs[1:]:
        for k in runs[0]:
            np.testing.assert_array_equal(runs[0][k], other[k])
    # with JAX's partitionable threefry, split(key, 5) is a prefix of split(key, 10): trial i's numbers
    # depend on (seed, i) only, so adding trials extends a run instead of changing it
    first5 = m.simulate(20, 30, trials=5, seed=42)["w2s"]
    np.testing.assert_array_equal(first5, runs[0]["w2s"][:5])


def test_sweeping_sigma2_and_subspaces_never_recompiles():
    m = SubspaceModel.from_principal_angles([0.4], d_w=7, d_s=4, sigma2=1.0)
    m.simulate(25, 35, trials=4, seed=0)
    before = sim._design_chunk._cache_size()
    for s2 in (0.0, 0.5, 2.0, 10.0):
        m.with_sigma2(s2).simulate(25, 35, trials=4, seed=1)
    other = SubspaceModel.from_principal_angles([1.2, 0.1], d_w=7, d_s=4, sigma2=1.0)
    assert other.r == m.r  # same shapes, other subspaces
    other.simulate(25, 35, trials=4, seed=2)
    assert sim._design_chunk._cache_size() == before


def test_design_trial_returns_float64():
    m = SubspaceModel.coordinate(d_w=2, d_s=2, d_sw=1, sigma2=1.0)
    out = sim.design_trial(trial_keys(0, 1)[0], sim.Problem.from_model(m), 10, 10)
    assert all(v.dtype == jnp.float64 for v in out.values())
