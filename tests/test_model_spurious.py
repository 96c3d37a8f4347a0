"""SpuriousModel: derived quantities, constructors and clear errors at the boundary."""

import numpy as np
import pytest

from w2s_theory.spurious import SpuriousModel


def test_canonical_c0_geometry():
    m = SpuriousModel.canonical(100, c=0.25, m=3.0, m4=2.0)
    assert (m.p, m.p_T, m.p_S, m.d_T, m.d_S) == (5, 4, 3, 400, 300)
    assert m.xi2 == pytest.approx(0.25) and m.p_TS == pytest.approx(1.25)
    np.testing.assert_allclose(m.mu_T, [3.0, 0.0, 0.0])
    np.testing.assert_allclose(m.mu_S, [3.0 * 0.5 + 2.0 * np.sqrt(0.75), 0.0])


@pytest.mark.parametrize("xi2", [0.0, 0.7, 2.0])
def test_random_constructor_hits_xi2(xi2):
    m = SpuriousModel.random(d_z=10, p=8, p_T=4, p_S=3, xi2=xi2, mu_T=[1.0, 2.0, 2.0], mu_perp=1.0, seed=3)
    assert m.xi2 == pytest.approx(xi2, abs=1e-12)
    assert float(m.mu_T @ m.mu_T) == pytest.approx(9.0)
    assert float(m.mu_xi @ m.mu_xi) == pytest.approx(10.0)  # the perpendicular part is invisible to T, S
    np.testing.assert_allclose(m.Xi.T @ m.mu_T, m.S.T @ m.T @ m.T.T @ m.mu_xi, atol=1e-12)


def test_moments_match_spec_2_9():
    m = SpuriousModel.canonical(10, c=0.5, m=2.0, m4=1.0)
    for gm, rho in [("soft", lambda e: e**2), ("hard", lambda e: e)]:
        mm = m.with_group_model(gm)
        eta = 0.3
        R = mm.R(eta)
        assert R[0, 0] == 1.0
        np.testing.assert_allclose(R[1:, 0], eta * m.mu_xi)
        np.testing.assert_allclose(R[1:, 1:], np.eye(5) + rho(eta) * np.outer(m.mu_xi, m.mu_xi))
        np.testing.assert_allclose(mm.M_w(eta), m.P_T @ R @ m.P_T.T)


def _base(**over):
    kw = dict(d_z=10, T=np.eye(5)[:, :3], S=np.eye(5)[:, 3:5], mu_xi=np.ones(5))
    kw.update(over)
    return kw


@pytest.mark.parametrize(
    "over,exc,match",
    [
        ({"T": np.ones((5, 3))}, ValueError, "T must have orthonormal columns"),
        ({"S": 2 * np.eye(5)[:, :2]}, ValueError, "S must have orthonormal columns"),
        ({"S": np.eye(5)[:, :4]}, ValueError, "p_S = 5 > p_T = 4"),
        ({"mu_xi": np.ones(4)}, ValueError, "same group-feature space"),
        ({"mu_xi": np.r_[np.ones(4), np.nan]}, ValueError, "NaN or inf"),
        ({"sigma_xi2": 0.0}, ValueError, "sigma_xi2 must be a finite number > 0"),
        ({"sigma_y2": -1.0}, ValueError, "sigma_y2 must be a finite number"),
        ({"d_z": 0}, ValueError, "d_z must be an integer >= 1"),
        ({"group_model": "mixture"}, ValueError, "group_model must be one of"),
    ],
)
def test_constructor_errors(over, exc, match):
    with pytest.raises(exc, match=match):
        SpuriousModel(**_base(**over))


def test_constructor_helper_errors():
    """Each error names the parameter that is wrong and its value (c is a squared cosine, not a group
    fraction; p_S > p_T is reported as such, not as a non-orthonormal S)."""
    with pytest.raises(ValueError, match=r"^c must lie in \[0, 1\], got 1.5$"):
        SpuriousModel.canonical(10, c=1.5)
    with pytest.raises(ValueError, match=r"p_S = 3 must be <= p_T = 2"):
        SpuriousModel.random(10, p=8, p_T=2, p_S=3, xi2=0.5)
    with pytest.raises(ValueError, match="xi2"):
        SpuriousModel.random(10, p=8, p_T=4, p_S=3, xi2=2.5)
    with pytest.raises(ValueError, match="p = 4 is too small"):
        SpuriousModel.random(10, p=4, p_T=4, p_S=3, xi2=0.5)


@pytest.mark.parametrize("name", ["eta_l", "eta_u", "eta_t"])
@pytest.mark.parametrize("value", [-0.1, 1.01, float("nan")])
def test_fraction_errors_everywhere(name, value):
    m = SpuriousModel.canonical(10, c=0.0, m=1.0)
    etas = {"eta_l": 0.1, "eta_u": 0.2, "eta_t": 0.3} | {name: value}
    with pytest.raises(ValueError, match=f"{name} is a group fraction"):
        m.expected_risks(n=1000, N=1000, **etas)
    with pytest.raises(ValueError, match=f"{name} is a group fraction"):
        m.simulate(n=100, N=100, trials=2, **etas)


def test_simulate_needs_ols_regime():
    m = SpuriousModel.canonical(10, c=0.0, m=1.0)
    with pytest.raises(ValueError, match="n = 40 must exceed d_T = p_T d_z = 40"):
        m.simulate(n=40, N=100, eta_l=0.1, eta_u=0.1, eta_t=0.5, trials=2)
    with pytest.raises(ValueError, match="N = 30 must exceed d_S = p_S d_z = 30"):
        m.simulate(n=100, N=30, eta_l=0.1, eta_u=0.1, eta_t=0.5, trials=2)


def test_issue_api_surface():
    """The names the issue promises: keyword constructor, expected_risks (3 forms, per-group, worst group),
    simulate (per-trial teacher, student, gain), optimal_eta_u, failure_threshold; exported at top level."""
    import w2s_theory

    assert w2s_theory.SpuriousModel is SpuriousModel
    c0 = SpuriousModel.canonical(20, c=0.25, m=3.0)
    m = SpuriousModel(d_z=20, T=c0.T, S=c0.S, mu_xi=c0.mu_xi, sigma_xi2=1.0, sigma_y2=1.0, group_model="soft")
    for form in ("leading", "gaussian", "limit"):
        r = m.expected_risks(n=400, N=400, eta_l=0.1, eta_u=0.4, eta_t=0.5, form=form)
        assert r["gain"] == pytest.approx(r["teacher"] - r["student"])
        for who in ("teacher", "student"):
            assert r[f"{who}_worst_group"] == max(r[f"{who}_majority"], r[f"{who}_minority"])
    mc = m.simulate(n=400, N=400, eta_l=0.1, eta_u=0.4, eta_t=0.5, trials=3, seed=0)
    assert {"teacher", "student", "gain"} <= set(mc) and mc["gain"].shape == (3,)
    assert 0.0 <= m.optimal_eta_u(n=400, N=400, eta_l=0.1, eta_t=0.5) <= 1.0
    flat = SpuriousModel.canonical(20, c=0.0, m=3.0)
    assert flat.failure_threshold(n=400, N=400, eta_l=0.1, eta_u=0.4, eta_t=0.2) > 0
