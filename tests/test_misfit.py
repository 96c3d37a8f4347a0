"""Misfit as a per-trial output of the subspace model's simulator and the misfit–gain check
(w2s_theory.discrepancy.misfit; docs/theory/misfit_gain.md).

Exact identities: the trial's misfit equals ||beta_s - beta_t||^2 of a direct least-squares pipeline on the
same designs (any seed), and vanishes when the teacher's span lies in the student's. Statistical checks:
fixed seeds, |MC mean - exact| <= 5 SE (w2s_theory.testing). The default run checks the fast figure's
data (3 configurations x 4 values of N, both student regimes); slow tests add the full-size configurations
(the headline numbers), general-position models and the second engine.
"""

import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest
from scipy import stats

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from w2s_theory._linalg import leading_r_factor  # noqa: E402
from w2s_theory.discrepancy import SubspaceModel, misfit_gain  # noqa: E402
from w2s_theory.discrepancy.fits import Problem, risks_from_factors, trial_bases  # noqa: E402
from w2s_theory.discrepancy.misfit import QUANTITIES, expected_misfit_gain  # noqa: E402
from w2s_theory.figures.misfit import CONFIGS, FAST, configuration, misfit_gain_figure  # noqa: E402
from w2s_theory.figures.registry import Mode  # noqa: E402
from w2s_theory.figures.style import figure_texts, forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate, mean_se  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402

KS_LEVEL = 1e-3


def _direct_fit(model: SubspaceModel, Z, Zt, eps, epst) -> dict[str, float]:
    """Teacher and student by numpy least squares in R-coordinates on the designs the trial sees."""
    Q_L, Q_U, _ = trial_bases(model.B_w, model.B_s, model.b_star)  # as in Problem.from_subspaces
    X, Xt, b = Z @ Q_L.T, Zt @ Q_U.T, model.b_star
    V_w, V_s = Q_L[:, : model.d_w], Q_U[:, : model.d_s]
    beta_t = V_w @ np.linalg.lstsq(X @ V_w, X @ b + eps, rcond=None)[0]
    beta_s = V_s @ np.linalg.lstsq(Xt @ V_s, Xt @ beta_t, rcond=None)[0]
    del epst  # the student never sees true labels
    sq = lambda v: float(v @ v)
    return {"weak": sq(beta_t - b), "w2s": sq(beta_s - b), "misfit": sq(beta_s - beta_t)}


def _trial_from_designs(model: SubspaceModel, Z, Zt, eps, epst) -> dict[str, float]:
    p = Problem.from_model(model)
    T, t = leading_r_factor(jnp.asarray(Z), jnp.asarray(Z @ p.b_L + eps), min(Z.shape[0], p.r))
    T_u, t_u = leading_r_factor(jnp.asarray(Zt), jnp.asarray(Zt @ p.b_U + epst), min(Zt.shape[0], p.d_s))
    return {k: float(v) for k, v in risks_from_factors(T, t, T_u, t_u, p).items()}


def _angles_model(seed: int, d_w: int = 5, d_s: int = 6, sigma2: float = 0.5) -> SubspaceModel:
    rng = np.random.default_rng(seed)
    k = min(d_w, d_s)
    beta = rng.standard_normal(d_w + d_s) / np.sqrt(d_w + d_s)
    return SubspaceModel.from_principal_angles(rng.uniform(0.1, 1.4, k), d_w, d_s, sigma2, beta=beta)


@pytest.mark.parametrize(
    "n,N",
    [
        (14, 15),
        pytest.param(14, 3, marks=pytest.mark.slow),  # each shape compiles its eager kernels anew
        pytest.param(3, 15, marks=pytest.mark.slow),
    ],
    ids=["OLS", "min-norm student", "min-norm teacher"],
)
def test_misfit_equals_a_direct_least_squares_fit(n, N):
    model = _angles_model(1)
    rng = np.random.default_rng(n * 100 + N)
    Z, Zt = rng.standard_normal((n, model.r)), rng.standard_normal((N, model.r))
    eps, epst = np.sqrt(model.sigma2) * rng.standard_normal(n), rng.standard_normal(N)
    got, ref = _trial_from_designs(model, Z, Zt, eps, epst), _direct_fit(model, Z, Zt, eps, epst)
    for key, value in ref.items():
        assert got[key] == pytest.approx(value, rel=1e-9), key


@pytest.mark.slow
def test_misfit_vanishes_when_the_teacher_lies_in_the_strong_span():
    """V_w ⊆ V_s and N >= d_s: the student reproduces the teacher exactly, misfit = 0, gain = 0."""
    model = SubspaceModel.coordinate(d_w=3, d_s=5, d_sw=3, sigma2=1.0, beta=np.linspace(-1, 1, 5))
    rng = np.random.default_rng(0)
    Z, Zt = rng.standard_normal((9, model.r)), rng.standard_normal((7, model.r))
    out = _trial_from_designs(model, Z, Zt, rng.standard_normal(9), rng.standard_normal(7))
    assert out["misfit"] < 1e-24 and out["w2s"] == pytest.approx(out["weak"], rel=1e-12)


# ------------------------------------------------------------------------------------- fast figure data
@pytest.fixture(scope="module")
def fast_figure():
    out = misfit_gain_figure(Mode(fast=True, cache_dir=None, progress=False))
    yield out
    plt.close(out.figure)


def test_fast_figure_monte_carlo_matches_the_exact_expectations(fast_figure):
    """3 configurations x N = 2 (min-norm student), 24, 40, 160 (OLS): gain, misfit and gap within 5 SE."""
    data = fast_figure.data
    for config in CONFIGS:
        d = data[config]
        for q in ("gain", "misfit", "gap"):
            for N, mean, se, exact in zip(
                data["N"]["N_mc"], d[f"{q}_mc"], d[f"{q}_se"], d["exact"][q], strict=True
            ):
                assert_mc_close(Estimate(mean, se), exact, label=f"fast {config} N={N} {q}")
    assert data["A"]["gap_limit"] == 0 and data["B"]["gap_limit"] < 0 < data["C"]["gap_limit"]
    assert np.all(data["A"]["exact"]["gap"] < 0)  # rho_s = 0: fails in expectation at every finite N
    assert np.all(data["A"]["frac_gap_negative"] > 0.5)


def test_fast_figure_legend_and_wording(fast_figure):
    texts = figure_texts(fast_figure.figure)
    assert not forbidden_words(fast_figure.figure)
    assert any("exact expectation" in t for t in texts) and any("± 1 SE" in t for t in texts), texts
    assert set(fast_figure.data["scatter"]) == {40, 160}


# ------------------------------------------------------------------------------------------ the check
def test_misfit_gain_reports_the_simulators_numbers_and_the_exact_forms():
    model = configuration("A", FAST)
    res = misfit_gain(model, FAST.n, 40, trials=300, seed=4)
    mc = model.simulate(FAST.n, 40, trials=300, seed=4)
    np.testing.assert_array_equal(res.per_trial["gain"], mc["weak"] - mc["w2s"])
    np.testing.assert_array_equal(res.per_trial["gap"], mc["weak"] - mc["w2s"] - mc["misfit"])
    assert res.frac_gap_negative.value == np.mean(res.per_trial["gap"] < 0)
    assert res.regime == "ols" and res.not_exact is None
    assert res.exact == expected_misfit_gain(model, FAST.n, 40)
    assert set(res.z_scores()) == set(QUANTITIES)
    text = str(res)
    assert "OLS student" in text and "P(gap < 0)" in text and "fails" in text


def test_misfit_gain_at_the_interpolation_threshold_is_not_exact_and_says_why():
    # 300 trials: the same compiled chunk (256 trials) as the other fast runs
    res = misfit_gain(configuration("A", FAST), FAST.n, FAST.d_s, trials=300, seed=0)
    assert res.exact is None and res.z_scores() == {} and res.regime == "threshold"
    assert "interpolation threshold" in res.not_exact and "not exact" in str(res)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(n=0), ValueError, r"n must be an integer >= 1, got 0"),
        (dict(N=2.5), TypeError, r"N must be an integer"),
        (dict(engine="exact"), ValueError, r"engine must be one of \('wishart', 'design'\)"),
    ],
)
def test_misfit_gain_rejects_bad_input_naming_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        misfit_gain(configuration("A", FAST), **({"n": 20, "N": 40, "trials": 4} | kwargs))


# ------------------------------------------------------------------------------------------ slow checks
@pytest.mark.slow
def test_full_figure_reproduces_the_headline_numbers():
    """Full size (d_s = 32, d_w = 24, n = 60), 4000 trials per point, N = 20 ... 2000: every point within
    5 SE of the exact forms; A at N = 2000: gap < 0 in about 76 % of trials."""
    out = misfit_gain_figure(Mode(fast=False, cache_dir=None, progress=False))
    plt.close(out.figure)
    data = out.data
    for config in CONFIGS:
        d = data[config]
        for q in ("gain", "misfit", "gap"):
            for N, mean, se, exact in zip(
                data["N"]["N_mc"], d[f"{q}_mc"], d[f"{q}_se"], d["exact"][q], strict=True
            ):
                assert_mc_close(Estimate(mean, se), exact, label=f"full {config} N={N} {q}")
    frac = dict(zip(data["N"]["N_mc"].tolist(), data["A"]["frac_gap_negative"], strict=True))
    assert 0.73 < frac[2000] < 0.79 and frac[200] > 0.95 and frac[20] == 1.0


#: General-position models (random principal angles and target): (seed, d_w, d_s, n, N).
GENERAL = [
    (2, 5, 12, 20, 3),  # min-norm student
    (3, 6, 14, 24, 4),
    (4, 4, 10, 18, 2),
    (5, 5, 6, 20, 30),  # OLS student
    (6, 8, 5, 24, 40),
]


@pytest.mark.slow
@pytest.mark.parametrize("seed,d_w,d_s,n,N", GENERAL)
def test_general_position_models_match_the_exact_forms(seed, d_w, d_s, n, N):
    model = _angles_model(seed, d_w, d_s, sigma2=0.8)
    res = misfit_gain(model, n, N, trials=4000, seed=seed)
    for q in QUANTITIES:
        assert_mc_close(res.mean[q], res.exact[q], label=f"general seed={seed} N={N} {q}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "n,N", [(20, 30), (20, 3), (4, 30)], ids=["OLS", "min-norm student", "min-norm teacher"]
)
def test_engines_give_the_same_law_of_misfit_and_gap(n, N):
    model = _angles_model(7, 6, 8)
    runs = {e: misfit_gain(model, n, N, trials=3000, seed=17, engine=e) for e in ("wishart", "design")}
    for q in ("misfit", "gap"):
        a, b = runs["wishart"].per_trial[q], runs["design"].per_trial[q]
        p = stats.ks_2samp(a, b).pvalue
        assert p > KS_LEVEL, f"{q} KS p = {p:.2g}"
        if runs["wishart"].exact is not None:
            w, d = mean_se(a), mean_se(b)
            assert_mc_close(Estimate(w.value - d.value, np.hypot(w.se, d.se)), 0.0, label=f"{q} W-D")


@pytest.mark.slow
def test_teacher_at_or_below_d_w_plus_1_is_not_exact_and_says_why():
    res = misfit_gain(configuration("A", FAST), FAST.d_w + 1, 40, trials=8, seed=0)
    assert res.exact is None and "teacher" in res.not_exact
