"""Monte Carlo (noise-averaged, docs/theory/spurious.md §10) against the proportional limit F3, the
reference settings of docs/theory/spurious.md §11, and exact identities of the simulator.

Finite-d_z bias allowance (docs/theory/monte_carlo.md §6; stated, not tuned per test): F3 is a d_z -> oo
limit; deterministic equivalents carry an O(1/d_z) relative correction. A scan at C0 (settings of
docs/theory/spurious.md §11.2, §11.4 and the large-nu example of docs/theory/spurious.md §8.5;
d_z = 25, 50, 100; 40-400 trials each) measured MC/F3 - 1 = c/d_z with c = 0.3-0.6 for the
teacher and c = 0.9-2.3 for the student (largest at nu_z = 0.2), so each risk gets
``C_BIAS * risk / d_z`` with ``C_BIAS = 2.5`` and a gain the sum of both; the O(1/d_z) rate itself is
checked by ``test_mc_converges_to_F3_at_rate_1_over_d_z``.
"""

import jax
import numpy as np
import pytest

from w2s_theory._random import trial_keys
from w2s_theory.metrics import mean_se
from w2s_theory.spurious import SpuriousModel
from w2s_theory.spurious import theory as th
from w2s_theory.spurious import trial as sim
from w2s_theory.testing import assert_mc_close

C_BIAS = 2.5


def allowance(model, th_risks, key):
    t, s = abs(th_risks["teacher"]), abs(th_risks["student"])
    per = {"teacher": t, "student": s, "gain": t + s}[key]
    return C_BIAS * per / model.d_z


def check_against_F3(model, n, N, etas, trials, seed, label, eta_ts=None):
    eta_l, eta_u, eta_t = etas
    eta_ts = [eta_t] if eta_ts is None else eta_ts
    mc = model.simulate(n, N, eta_l, eta_u, np.array(eta_ts), trials=trials, seed=seed)
    gamma_z, nu_z = model.d_z / n, model.d_z / N
    for j, et in enumerate(eta_ts):
        f3 = {k: float(v) for k, v in th.risks_at(model, gamma_z, nu_z, eta_l, eta_u, et, "limit").items()}
        for key in ("teacher", "student", "gain"):
            assert_mc_close(
                mc[key][:, j] / gamma_z,
                f3[key] / gamma_z,
                bias_allowance=allowance(model, f3, key) / gamma_z,
                label=f"{label} eta_t={et} {key} (units sigma_y^2 gamma_z) vs F3",
            )
    return mc


@pytest.mark.parametrize("eta_u", [0.0, 0.1, 0.5, 1.0])
def test_mc_vs_F3_eta_u_sweep_and_group_risks(eta_u):
    """eta_u sweep setting of docs/theory/spurious.md §11.2 at d_z = 100, gamma_z = nu_z = .05; eta_t = 0
    (majority), .5, 1 (minority) from one fit."""
    m = SpuriousModel.canonical(100, c=0.0, m=3.0)
    mc = check_against_F3(
        m, 2000, 2000, (0.1, eta_u, 0.5), 6, 0, f"eta_u sweep eta_u={eta_u}", eta_ts=[0.0, 0.5, 1.0]
    )
    if eta_u == 0.1:  # MC rejects the F1 and F2 teacher at gamma_z = .05: 5.44 and 6.80 vs F3 7.366
        est = mean_se(mc["teacher"][:, 1] / 0.05)
        for form in ("leading", "gaussian"):
            other = float(th.risks_at(m, 0.05, 0.05, 0.1, eta_u, 0.5, form)["teacher"]) / 0.05
            assert abs(est.value - other) > 5 * est.se + C_BIAS * est.value / m.d_z, form


@pytest.mark.parametrize("eta_u", [0.0, 0.5])
def test_mc_vs_F3_eta_u_star_shift_setting(eta_u):
    """eta_u* shift setting of docs/theory/spurious.md §11.3 (||Xi||_F^2 = .25) at d_z = 100."""
    m = SpuriousModel.canonical(100, c=0.25, m=3.0)
    check_against_F3(m, 2000, 2000, (0.1, eta_u, 0.5), 6, 1, f"eta_u* shift eta_u={eta_u}")


def test_large_nu_example_separates_F1_F2_F3():
    """docs/theory/spurious.md §8.5: gamma_z = .02, nu_z = .2, ||Xi||^2 = .25, ||mu_T||^2 = 9,
    eta = (.1, .1, .5): F1 +2.25, F2 -0.57, F3 -2.32; MC sides with F3."""
    m = SpuriousModel.canonical(100, c=0.25, m=3.0)
    mc = check_against_F3(m, 5000, 500, (0.1, 0.1, 0.5), 6, 2, "large nu")
    est = mean_se(mc["gain"] / 0.02)
    for form in ("leading", "gaussian"):
        other = float(th.risks_at(m, 0.02, 0.2, 0.1, 0.1, 0.5, form)["gain"]) / 0.02
        assert est.value < other - 1.0, (form, est, other)


def test_failure_threshold_soft_fails_hard_does_not():
    """docs/theory/spurious.md §11.4 (gamma_z = .05, nu_z = .02): the soft gain crosses 0 near
    ||mu_T||^2 = 37.5 (F3: +1.11, -0.27, -1.65); the hard mixture's gain stays positive (LO +2.91). This
    separates the two models."""
    soft_gain, hard_gain = [], []
    for m2 in (25.0, 37.5, 50.0):
        soft = SpuriousModel.canonical(100, c=0.0, m=np.sqrt(m2))
        mc = check_against_F3(soft, 2000, 5000, (0.1, 0.4, 0.2), 4, 3, f"failure threshold |mu_T|^2={m2}")
        soft_gain.append(mean_se(mc["gain"] / 0.05))
        hard = soft.with_group_model("hard").simulate(2000, 5000, 0.1, 0.4, 0.2, trials=4, seed=3)
        hard_gain.append(mean_se(hard["gain"] / 0.05))
    assert soft_gain[0].value > 5 * soft_gain[0].se and soft_gain[2].value < -5 * soft_gain[2].se
    for est in hard_gain:
        assert est.value > 2.0 + 5 * est.se, est  # hard LO +2.91; finite gamma only raises it (a, b > 1)


def test_finite_gamma_sanity_mc_sides_with_F3():
    """docs/theory/spurious.md §11.7: random orthonormal T (p = 6, p_T = 4), mu_xi = T (1.5, 1, .5),
    eta_l = .1, eta_t = 0, gamma_z = .05: MC teacher 0.274 (measured at d_z = 200), F3 0.2715, F1 0.2018."""
    m = SpuriousModel.random(d_z=100, p=6, p_T=4, p_S=2, xi2=0.5, mu_T=[1.5, 1.0, 0.5], seed=7)
    mc = check_against_F3(m, 2000, 2000, (0.1, 0.1, 0.0), 6, 4, "finite-gamma sanity")
    assert mean_se(mc["teacher"]).value > 0.2018 * 1.25  # F1 underestimates by at least the factor a


# ------------------------------------------------------------------------------ convergence (slope)
def test_mc_converges_to_F3_at_rate_1_over_d_z():
    """Regress log(MC - F3) on log d_z for the student at the docs/theory/spurious.md §11.2 setting,
    eta_u = 0 (largest bias, ~7% at d_z = 16): slope within [-1.5, -0.5] (theory: -1), and the bias
    shrinks monotonically (docs/theory/monte_carlo.md §7)."""
    dzs, gaps = (16, 32, 64), []
    for d_z, trials in zip(dzs, (160, 80, 40), strict=True):
        m = SpuriousModel.canonical(d_z, c=0.0, m=3.0)
        n = 20 * d_z
        mc = m.simulate(n, n, 0.1, 0.0, 0.5, trials=trials, seed=10 + d_z)
        f3 = float(th.risks_at(m, 0.05, 0.05, 0.1, 0.0, 0.5, "limit")["student"])
        est = mean_se(mc["student"] / f3 - 1)
        assert est.value > 4 * est.se, f"d_z={d_z}: bias {est.value:.4f} not resolved (SE {est.se:.4f})"
        gaps.append(est.value)
    slope = np.polyfit(np.log(dzs), np.log(gaps), 1)[0]
    assert -1.5 < slope < -0.5, (gaps, slope)
    assert gaps[0] > gaps[1] > gaps[2]


# --------------------------------------------------------------------------------- exact identities
def test_test_mixture_curve_is_quadratic_soft_linear_hard_per_trial():
    eta_t = np.linspace(0, 1, 6)
    for gm, order in (("soft", 2), ("hard", 1)):
        m = SpuriousModel.canonical(12, c=0.3, m=2.0, m4=1.0, group_model=gm)
        mc = m.simulate(400, 300, 0.2, 0.4, eta_t, trials=3, seed=5)
        for key in ("teacher", "student"):
            diffs = np.diff(mc[key], order + 1, axis=1)
            assert np.abs(diffs).max() < 1e-10 * np.abs(mc[key]).max()
            if gm == "soft":
                assert np.all(np.diff(mc[key], 2, axis=1) > 0)  # strictly quadratic (mu != 0)
        np.testing.assert_allclose(mc["teacher"][:, 0], mc["teacher_majority"], rtol=1e-12)
        np.testing.assert_allclose(mc["student"][:, -1], mc["student_minority"], rtol=1e-12)
        np.testing.assert_array_equal(
            mc["student_worst_group"], np.maximum(mc["student_majority"], mc["student_minority"])
        )


def test_noise_average_matches_explicit_label_noise():
    """The trace formula of docs/theory/spurious.md §10 equals an explicit average over label-noise draws
    of the fitted excess risks (same designs, built here with numpy from the same keys)."""
    m = SpuriousModel.canonical(6, c=0.3, m=2.0, m4=1.0)
    n, N, el, eu, et = 80, 60, 0.2, 0.4, 0.7
    key = trial_keys(0, 1)[0]
    prob = sim.Problem.from_model(m, el, eu)
    mom = sim.trial_moments(key, prob, m.d_z, n, N)
    k_l, k_u = jax.random.split(key)

    def rows(k, total, eta):
        keys, mask = sim._block_keys(k, total)
        zs, xs = zip(
            *[sim._block(keys[i], prob, eta, m.d_z, mask[i]) for i in range(keys.shape[0])], strict=True
        )
        Z, X = np.concatenate(zs)[:total], np.concatenate(xs)[:total]
        return Z, X

    Z, X = rows(k_l, n, el)
    Zu, Xu = rows(k_u, N, eu)
    Phi = np.asarray(sim._kron_rows(Z, X @ m.P_T.T))
    Phi_u = np.asarray(sim._kron_rows(Zu, Xu @ m.P_T.T))
    Psi_u = np.asarray(sim._kron_rows(Zu, Xu @ m.P_S.T))
    rng = np.random.default_rng(0)
    E = rng.standard_normal((n, 20000))  # sigma_y = 1; beta* drops out (OLS is unbiased)
    delta_T = np.linalg.lstsq(Phi, E, rcond=None)[0]
    delta_S = np.linalg.lstsq(Psi_u, Phi_u @ delta_T, rcond=None)[0]
    Sig_T, Sig_S = np.kron(np.eye(m.d_z), m.M_w(et)), np.kron(np.eye(m.d_z), m.M_psi(et))
    er_T = np.einsum("it,ij,jt->t", delta_T, Sig_T, delta_T)
    er_S = np.einsum("it,ij,jt->t", delta_S, Sig_S, delta_S)
    exact_T = float(np.sum(np.asarray(mom["teacher_moment"]) * m.M_w(et)))
    exact_S = float(np.sum(np.asarray(mom["student_moment"]) * m.M_psi(et)))
    assert_mc_close(er_T, exact_T, label="noise average, teacher (identity)")
    assert_mc_close(er_S, exact_S, label="noise average, student (identity)")


@pytest.mark.parametrize("group_model", ["soft", "hard"])
def test_grams_equal_the_products_of_the_kronecker_rows(group_model):
    """The symmetric Grams, accumulated as their block upper triangle in feature-major order, and every
    curve term equal the plain products of the core-major rows kron(z, w) (numpy, same draws)."""
    m = SpuriousModel.canonical(5, c=0.3, m=2.0, m4=1.0, group_model=group_model)
    n, N, etas = 700, 600, np.array([0.0, 0.3, 1.0])
    prob = sim.Problem.from_model(m, 0.2, etas)
    key = trial_keys(3, 1)[0]

    def rows(total, eta):
        keys, mask = sim._block_keys(key, total)
        blocks = [sim._block(keys[i], prob, eta, m.d_z, mask[i]) for i in range(keys.shape[0])]
        Z, X = (np.concatenate(part)[:total] for part in zip(*blocks, strict=True))
        return Z, X, keys

    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * np.abs(b).max())
    if group_model == "soft":  # the teacher's Gram and the one-point student Grams: as in the hard model
        Z, X, _ = rows(n, prob.eta_l)
        Phi = np.asarray(sim._kron_rows(Z, X @ m.P_T.T))
        close(sim.teacher_gram(key, prob, m.d_z, n), Phi.T @ Phi)
        one = sim.Problem.from_model(m, 0.2, 0.4)
        Zu, Xu, _ = rows(N, one.eta_u)
        Phi_u = np.asarray(sim._kron_rows(Zu, Xu @ m.P_T.T))
        Psi_u = np.asarray(sim._kron_rows(Zu, Xu @ m.P_S.T))
        G_SS, G_ST = sim.student_grams(key, one, m.d_z, N)
        close(G_SS, Psi_u.T @ Psi_u)
        close(G_ST, Psi_u.T @ Phi_u)
    Z0, X0, keys = rows(N, np.zeros(()))  # the rows x_0 of the curve's expansion
    Phi0 = np.asarray(sim._kron_rows(Z0, X0 @ m.P_T.T))
    Psi0 = np.asarray(sim._kron_rows(Z0, X0 @ m.P_S.T))
    terms = sim.student_gram_terms(key, prob, m.d_z, N)
    close(terms[0], Psi0.T @ Psi0)
    close(terms[1], Psi0.T @ Phi0)
    if group_model == "soft":
        close(terms[2], Psi0.T @ Z0)
        close(terms[3], Phi0.T @ Z0)
        close(terms[4], Z0.T @ Z0)
    else:
        u = np.concatenate([np.asarray(sim._block_uniforms(k)) for k in keys])[:N, 0]
        for e, eta in enumerate(etas):
            S = (u < eta).astype(float)[:, None]
            close(terms[2][e], Psi0.T @ (S * Z0))
            close(terms[3][e], Phi0.T @ (S * Z0))
            close(terms[4][e], Z0.T @ (S * Z0))


def test_teacher_shared_across_eta_u_with_one_seed():
    m = SpuriousModel.canonical(8, c=0.3, m=2.0)
    a = m.simulate(200, 150, 0.1, 0.0, 0.5, trials=2, seed=4)
    b = m.simulate(200, 150, 0.1, 0.9, 0.5, trials=2, seed=4)
    np.testing.assert_array_equal(a["teacher"], b["teacher"])
    assert not np.array_equal(a["student"], b["student"])


@pytest.mark.parametrize("group_model", ["soft", "hard"])
def test_curve_equals_single_points_with_the_same_seed(group_model):
    """simulate_curve reuses simulate's draws: each point equals simulate at that eta_u up to rounding (the
    student Grams are expanded in the group shift, eta_u I or diag(1[u < eta_u]), and summed in another
    order)."""
    m = SpuriousModel.canonical(8, c=0.3, m=2.0, m4=1.0, group_model=group_model)
    etas = [0.0, 0.35, 1.0]
    curve = m.simulate_curve(200, 150, 0.1, etas, [0.2, 0.5], trials=3, seed=7)
    assert len(curve) == len(etas)
    for eta_u, point in zip(etas, curve, strict=True):
        single = m.simulate(200, 150, 0.1, eta_u, [0.2, 0.5], trials=3, seed=7)
        assert point.keys() == single.keys()
        for key, value in single.items():
            np.testing.assert_allclose(point[key], value, rtol=1e-12, atol=0, err_msg=f"{key} at {eta_u}")
    np.testing.assert_array_equal(curve[0]["teacher"], curve[2]["teacher"])  # one teacher per trial


def test_curve_rejects_bad_eta_us():
    m = SpuriousModel.canonical(8)
    with pytest.raises(ValueError, match=r"eta_u is a group fraction and must lie in \[0, 1\], got 1.5"):
        m.simulate_curve(200, 150, 0.1, [0.2, 1.5], 0.5, trials=2)
    with pytest.raises(
        ValueError, match=r"eta_u must be a number or a non-empty 1-D array, got shape \(0,\)"
    ):
        m.simulate_curve(200, 150, 0.1, [], 0.5, trials=2)
    with pytest.raises(
        ValueError, match=r"eta_u must be a number or a non-empty 1-D array, got shape \(1, 2\)"
    ):
        m.simulate_curve(200, 150, 0.1, [[0.1, 0.2]], 0.5, trials=2)
    with pytest.raises((ValueError, TypeError), match="eta_u"):
        m.simulate(200, 150, 0.1, [0.1, 0.2], 0.5, trials=2)


def test_hard_model_leading_order_is_the_small_gamma_limit_of_the_hard_mc():
    """The hard mixture has no F3 (docs/theory/spurious.md §9.4: leading order only). Its MC approaches
    the matrix form of docs/theory/spurious.md §9.2 linearly in gamma_z = nu_z: measured MC/LO - 1 =
    0.149, 0.071, 0.035 (teacher) at gamma_z = .02, .01, .005 (d_z = 30, 30 trials). Check: the relative
    gap is positive, resolved, and halves (ratio in [1.4, 2.8]) when gamma_z halves."""
    gaps = {}
    for g in (0.02, 0.01):
        h = SpuriousModel.canonical(30, c=0.25, m=3.0, m4=1.0, group_model="hard")
        n = round(30 / g)
        mc = h.simulate(n, n, 0.1, 0.5, 0.5, trials=12, seed=21)
        lo = th.risks_at(h, g, g, 0.1, 0.5, 0.5)
        for key in ("teacher", "student"):
            est = mean_se(mc[key] / float(lo[key]) - 1)
            assert est.value > 5 * est.se, (g, key, est)
            gaps[g, key] = est.value
    for key in ("teacher", "student"):
        assert 1.4 < gaps[0.02, key] / gaps[0.01, key] < 2.8, gaps


@pytest.mark.parametrize("group_model", ["soft", "hard"])
def test_means_curve_equals_each_mean_alone_with_the_same_seed(group_model):
    """simulate_means forms the rows' products once with the group shift removed (a mean enters a row
    only as its shift): each mean's curve equals simulate_curve of the model with that mean, same seed, up
    to rounding, for means along e_1 and off it."""
    import dataclasses

    m = SpuriousModel.canonical(8, c=0.3, m=2.0, m4=1.0, group_model=group_model)
    mus = np.array([[2.0, 0.0, 0.0, 1.0, 0.0], [0.5, 0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, -1.5, 0.0]])
    etas = [0.0, 0.35, 1.0]
    means = m.simulate_means(mus, 200, 150, 0.1, etas, [0.2, 0.5], trials=3, seed=7)
    assert [len(curve) for curve in means] == [3, 3, 3]
    for mu, curve in zip(mus, means, strict=True):
        alone = dataclasses.replace(m, mu_xi=mu).simulate_curve(
            200, 150, 0.1, etas, [0.2, 0.5], trials=3, seed=7
        )
        for point, single in zip(curve, alone, strict=True):
            assert point.keys() == single.keys()
            for key, value in single.items():
                scale = np.max(np.abs(value))
                np.testing.assert_allclose(
                    point[key], value, rtol=0, atol=1e-12 * scale, err_msg=f"{key} {mu}"
                )


def test_bad_means_are_rejected_naming_them():
    m = SpuriousModel.canonical(8)
    with pytest.raises(ValueError, match=r"mu_xis must be K x p = K x 5 with K >= 1, got shape \(2, 4\)"):
        m.simulate_means(np.ones((2, 4)), 200, 150, 0.1, [0.2], 0.5, trials=2)
    with pytest.raises(ValueError, match=r"eta_us must be a non-empty 1-D array"):
        m.simulate_means(np.ones((1, 5)), 200, 150, 0.1, [], 0.5, trials=2)


@pytest.mark.parametrize(
    ("group_model", "Ns"), [("soft", [1100, 150, 512]), ("hard", [600, 150])], ids=["soft", "hard"]
)
def test_sizes_curve_equals_each_size_alone_with_the_same_seed(group_model, Ns):
    """simulate_sizes passes once over the longest unlabelled draw: each size's curve is simulate_curve
    with that N and the same seed, bit for bit, for sizes given in any order, on a block boundary (512),
    two sizes ending in the same block (150 and 512, block 0) and one spanning three blocks (1100). (Each
    size alone is a compilation, so the hard model, whose products differ and whose nesting does not, gets
    two sizes; N = 150 is the means test's program.)"""
    m = SpuriousModel.canonical(8, c=0.3, m=2.0, m4=1.0, group_model=group_model)
    etas = [0.0, 0.35, 1.0]
    sizes = m.simulate_sizes(200, Ns, 0.1, etas, [0.2, 0.5], trials=3, seed=7)
    assert [len(curve) for curve in sizes] == [3] * len(Ns)
    for N, curve in zip(Ns, sizes, strict=True):
        alone = m.simulate_curve(200, N, 0.1, etas, [0.2, 0.5], trials=3, seed=7)
        for point, single in zip(curve, alone, strict=True):
            assert point.keys() == single.keys()
            for key, value in single.items():
                np.testing.assert_array_equal(point[key], value, err_msg=f"{key} N={N}")


def test_bad_sizes_are_rejected_naming_them():
    m = SpuriousModel.canonical(8)
    with pytest.raises(ValueError, match=r"Ns must be a non-empty 1-D sequence"):
        m.simulate_sizes(200, [], 0.1, [0.2], 0.5, trials=2)
    with pytest.raises(ValueError, match=r"Ns must be distinct, got \[150, 150\]"):
        m.simulate_sizes(200, [150, 150], 0.1, [0.2], 0.5, trials=2)
    with pytest.raises(ValueError, match=r"N = 20 must exceed d_S = p_S d_z = 24"):
        m.simulate_sizes(200, [150, 20], 0.1, [0.2], 0.5, trials=2)
    with pytest.raises(TypeError, match=r"Ns\[1\] must be an integer"):
        m.simulate_sizes(200, [150, 2.5], 0.1, [0.2], 0.5, trials=2)
    with pytest.raises(ValueError, match=r"eta_us must be a non-empty 1-D array"):
        m.simulate_sizes(200, [150], 0.1, [], 0.5, trials=2)


@pytest.mark.parametrize("group_model", ["soft", "hard"])
def test_students_curve_equals_each_student_alone_with_the_same_seed(group_model):
    """simulate_students forms the rows' products once for a basis of every student's features (here 4 of
    the 6 dimensions of [1; xi]) and each student's from them: each curve equals simulate_curve of the model
    with that S, same seed, up to rounding (1e-12 of the largest entry)."""
    import dataclasses

    models = [
        SpuriousModel.canonical(8, c=c, m=2.0, m4=1.0, group_model=group_model) for c in (0.0, 0.3, 0.8)
    ]
    etas = [0.0, 0.35, 1.0]
    curves = models[0].simulate_students(
        [m.S for m in models], 200, 150, 0.1, etas, [0.2, 0.5], trials=3, seed=7
    )
    assert [len(curve) for curve in curves] == [3, 3, 3]
    for m, curve in zip(models, curves, strict=True):
        alone = dataclasses.replace(models[0], S=m.S).simulate_curve(
            200, 150, 0.1, etas, [0.2, 0.5], trials=3, seed=7
        )
        for point, single in zip(curve, alone, strict=True):
            assert point.keys() == single.keys()
            for key, value in single.items():
                scale = np.max(np.abs(value))
                np.testing.assert_allclose(point[key], value, rtol=0, atol=1e-12 * scale, err_msg=f"{key} c")


def test_bad_students_are_rejected_naming_them():
    m = SpuriousModel.canonical(8)
    with pytest.raises(ValueError, match=r"students must be a non-empty sequence"):
        m.simulate_students([], 200, 150, 0.1, [0.2], 0.5, trials=2)
    with pytest.raises(
        ValueError, match=r"students\[1\] has p_S = 2, but every student needs this model's p_S = 3"
    ):
        m.simulate_students([m.S, m.S[:, :1]], 200, 150, 0.1, [0.2], 0.5, trials=2)
    with pytest.raises(ValueError, match=r"S must have orthonormal columns"):
        m.simulate_students([2 * m.S], 200, 150, 0.1, [0.2], 0.5, trials=2)
