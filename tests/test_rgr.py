"""W2SR's Reasoning Gap Recovered (``docs/theory/rgr.md``): the error split, the iso-accuracy teachers
(RGR from 0.38 to 0.89 at the same teacher accuracy, the order flipping at N = 24), Monte Carlo against the
exact forms, and bad input.

Default run: one small configuration against Monte Carlo (general principal angles, N - d_s - 1 = 7). The
iso-accuracy teachers against Monte Carlo (N = 40 and N = 24, N - d_s - 1 = 8) are slow."""

import numpy as np
import pytest

from w2s_theory.metrics import rgr_ratio_of_means
from w2s_theory.rgr import RGRModel
from w2s_theory.rgr.family import FAMILY
from w2s_theory.rgr.teachers import TEACHERS
from w2s_theory.testing import assert_mc_close

CHUNK = 256


@pytest.fixture(scope="module")
def teachers() -> dict[str, tuple[RGRModel, int]]:
    return RGRModel.iso_accuracy_teachers(er_weak=2.5)


def _rgr(teachers, N: int) -> dict[str, float]:
    return {name: m.expected_risks(n, N)["rgr"] for name, (m, n) in teachers.items()}


def test_iso_accuracy_teachers_have_the_same_accuracy(teachers):
    assert list(teachers) == list(TEACHERS)
    for name, (m, n) in teachers.items():
        out = m.expected_risks(n, 40)
        np.testing.assert_allclose(out["weak"], 2.5, rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(out["eps_vis"] + out["eps_inv"], 2.5, rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(
            out["w2s"], m.rho_s + out["weak"] - out["s_t"], rtol=1e-12, err_msg=f"{name}: E ER_w2s split"
        )


def test_rgr_ranges_from_0_38_to_0_89_at_the_same_accuracy(teachers):
    """ER_weak = 2.5, N = 40: the teacher that knows signal the student cannot use recovers 0.38 of the gap,
    the one whose errors lie off the student's span 0.89; every in-span teacher 0.816 whatever its
    variance/bias split."""
    rgr = _rgr(teachers, 40)
    assert rgr["student span + outside signal"] == pytest.approx(0.3802, abs=1e-4)
    assert rgr["student span + null"] == pytest.approx(0.8852, abs=1e-4)
    in_span = [v for k, v in rgr.items() if k.startswith("in-span")]
    np.testing.assert_allclose(in_span, (4 - 2.5 + 1) / (4 - 15 / 24 * 1.5), rtol=1e-12)
    assert min(rgr, key=rgr.get) == "student span + outside signal"
    assert max(rgr, key=rgr.get) == "student span + null"


def test_the_order_flips_with_little_unlabelled_data(teachers):
    """kappa_N = d_s/(N - d_s - 1) > 1 at N = 24: variance the student cannot represent now costs more than
    it saves, so in-span teachers overtake the null-space teacher, and the outside-signal one hurts."""
    r40, r24 = _rgr(teachers, 40), _rgr(teachers, 24)
    assert r40["student span + null"] > r40["in-span (10)"] > r40["student span + outside signal"]
    assert (
        r24["in-span (10)"]
        > r24["tilted"]
        > r24["student span + null"]
        > 0
        > r24["student span + outside signal"]
    )
    for N in range(
        22, 60
    ):  # RGR defined from N = 22; the null teacher is ahead exactly where kappa_N < 1, i.e. N > 2 d_s + 1 = 31
        r = _rgr(teachers, N)
        diff, kappa = r["student span + null"] - r["in-span (10)"], 15 / (N - 16)
        assert abs(diff) < 1e-12 if N == 31 else np.sign(diff) == np.sign(1 - kappa), N


def test_rgr_is_nan_where_the_ceiling_does_not_beat_theta_0(teachers):
    m, n = teachers["in-span (10)"]
    N0 = m.smallest_N_with_gap()
    assert N0 == int(np.floor(15 + 1 + 15 * 1.5 / 4)) + 1
    assert np.isnan(m.expected_risks(n, N0 - 1)["rgr"]) and m.expected_risks(n, N0 - 1)["gap"] <= 0
    assert np.isfinite(m.expected_risks(n, N0)["rgr"])


def _small() -> RGRModel:
    return RGRModel.from_principal_angles(
        [0.4, 1.1],
        d_w=6,
        d_s=4,
        sigma2=0.5,
        beta=np.array([1.0, -0.7, 0.5, 0.3, 0.8, -0.4, 0.6, 0.2, 0.5, 0.3]),
    )


def _check(m: RGRModel, n: int, N: int, trials: int, seed: int, label: str) -> None:  # slow runs
    mc = m.simulate(n, N, trials, seed, chunk_size=CHUNK)
    exact = m.expected_risks(n, N)
    for key in ("weak", "w2s", "ceiling", "eps_vis", "eps_inv", "eta_inv"):
        if np.ptp(mc[key]) <= 1e-12 * max(1.0, abs(exact[key])):  # deterministic (an in-span teacher)
            np.testing.assert_allclose(mc[key], exact[key], atol=1e-12, err_msg=f"{label} {key}")
        else:
            assert_mc_close(mc[key], exact[key], label=f"{label} {key}")
    np.testing.assert_allclose(mc["base"], m.beta_norm2, rtol=1e-13)
    assert_mc_close(rgr_ratio_of_means(mc, FAMILY.roles), exact["rgr"], label=f"{label} rgr")


@pytest.fixture(scope="module")
def small_mc() -> dict[str, np.ndarray]:
    return _small().simulate(14, 12, 3072, 4, chunk_size=CHUNK)


def test_mc_matches_exact_small_config(small_mc):
    m = _small()
    exact = m.expected_risks(14, 12)
    assert exact["gap"] > 0
    for key in ("weak", "w2s", "ceiling", "eps_vis", "eps_inv", "eta_inv"):
        assert_mc_close(small_mc[key], exact[key], label=f"rgr small n=14 N=12 {key}")
    np.testing.assert_allclose(small_mc["base"], m.beta_norm2, rtol=1e-13)
    assert_mc_close(rgr_ratio_of_means(small_mc, FAMILY.roles), exact["rgr"], label="rgr small n=14 N=12 rgr")


def test_simulate_outputs_rgr_per_trial(small_mc):
    mc, floor = small_mc, _small().rounding_floor
    assert {"weak", "strong", "ceiling", "w2s", "base", "pgr", "opr", "rgr"} <= set(mc)
    ok = mc["base"] - mc["ceiling"] > floor
    np.testing.assert_allclose(mc["rgr"][ok], ((mc["base"] - mc["w2s"]) / (mc["base"] - mc["ceiling"]))[ok])
    assert np.all(np.isnan(mc["rgr"][~ok]))


@pytest.mark.slow
@pytest.mark.parametrize("N", [40, 24])
@pytest.mark.parametrize(
    "name", ["in-span (10)", "student span + null", "student span + outside signal", "tilted"]
)
def test_iso_accuracy_mc_matches_exact(teachers, name, N):
    m, n = teachers[name]
    _check(m, n, N, 20_480, 1, f"rgr {name} n={n} N={N}")


@pytest.mark.parametrize(
    "n,N,match",
    [
        (7, 12, r"n=7 must exceed d_w \+ 1 = 7.*weak teacher"),
        (14, 5, r"N=5 must exceed d_s \+ 1 = 5.*student"),
    ],
)
def test_exact_regime_errors(n, N, match):
    with pytest.raises(ValueError, match=match):
        _small().expected_risks(n, N)


def test_docstring_example():
    import doctest

    from w2s_theory.rgr import api

    result = doctest.testmod(api, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_curve_in_N_equals_single_points_on_the_same_trials():
    """RGRModel.simulate_curve shares every normal draw of a trial along the curve; each point equals
    simulate with the same seed up to rounding."""
    m, n = RGRModel.iso_accuracy_teachers(2.5)["tilted"]
    Ns = [20, 33]
    curve = m.simulate_curve(n, Ns, trials=6, seed=2)
    for N, point in zip(Ns, curve, strict=True):
        single = m.simulate(n, N, trials=6, seed=2)
        assert point.keys() == single.keys()
        for key in ("weak", "strong", "ceiling", "w2s", "eps_vis", "eps_inv", "eta_inv"):
            np.testing.assert_allclose(point[key], single[key], rtol=1e-12, atol=0, err_msg=f"{key} N={N}")
