"""Every registered spurious-correlation figure runs in fast mode (d_z = 20); its data is checked."""

import os
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.figures import Mode, figure_names  # noqa: E402
from w2s_theory.figures.registry import REGISTRY  # noqa: E402
from w2s_theory.figures.spurious import explore_gain  # noqa: E402
from w2s_theory.figures.style import figure_texts, forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.spurious import SpuriousModel  # noqa: E402
from w2s_theory.spurious import theory as th  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402

FAST = Mode(fast=True, cache_dir=None, progress=False)
NAMES = [
    "spurious_gain_vs_xi",
    "spurious_gain_vs_nu",
    "spurious_eta_u_star_drift",
    "spurious_phase_diagram",
    "spurious_hard_vs_soft",
]
#: Finite-d_z allowance of tests/test_simulate_spurious.py (C_BIAS = 2.5 per risk, relative, / d_z): at
#: d_z = 20 the gain may sit 12.5% of (ER_T + ER_S) away from F3; ER_T + ER_S <= ~25 sigma_y^2 gamma_z here.
D_Z_FAST = 20


#: Theory entry points whose default ``form`` is not to be relied on by the figures.
FORM_CALLS = [(th, "risks_at"), (SpuriousModel, "expected_risks"), (SpuriousModel, "optimal_eta_u"),
              (SpuriousModel, "failure_threshold")]  # fmt: skip
IMPLICIT_FORM: list[str] = []


def _require_form(fn, name):
    """Wrap ``fn`` to record calls from the figure code that leave ``form`` to the library default."""

    def wrapper(*args, **kwargs):
        caller = sys._getframe(1).f_code.co_filename
        if "form" not in kwargs and f"figures{os.sep}" in caller:
            IMPLICIT_FORM.append(f"{name} from {os.path.basename(caller)}")
        return fn(*args, **kwargs)

    return wrapper


@pytest.fixture(scope="module")
def outputs():
    figure_names()
    with pytest.MonkeyPatch.context() as mp:
        for owner, name in FORM_CALLS:
            mp.setattr(owner, name, _require_form(getattr(owner, name), name))
        outs = {name: REGISTRY[name].make(FAST) for name in NAMES}
        outs["explore_gain"] = explore_gain()
    yield outs
    for out in outs.values():
        plt.close(out.figure)


def test_figures_pass_the_theory_form_explicitly(outputs):
    """The library's default ``form`` may change ("leading" -> "limit"); the figures must not follow it."""
    assert not IMPLICIT_FORM, IMPLICIT_FORM


def test_registered():
    assert set(NAMES) <= set(figure_names())


@pytest.mark.parametrize("name", ["spurious_gain_vs_xi", "spurious_gain_vs_nu", "spurious_eta_u_star_drift"])
def test_soft_mc_points_follow_F3(outputs, name):
    for series, d in outputs[name].data["gain"].items():
        for x, mean, se, f3 in zip(d["x"], d["mc_mean"], d["mc_se"], d["limit"], strict=True):
            allowance = 2.5 * (abs(f3) + 10.0) / D_Z_FAST  # ER_T + ER_S <= |gain| + 2 ER_S, ER_S <= ~5 here
            assert_mc_close(
                Estimate(mean, se), f3, bias_allowance=allowance, label=f"{name} {series} eta_u={x}"
            )


def test_eta_u_star_moves_away_from_eta_l_with_mu_S(outputs):
    stars = [d["eta_u_star"]["limit"] for d in outputs["spurious_eta_u_star_drift"].data["gain"].values()]
    assert stars[0] == pytest.approx(0.1, abs=1e-9) and np.all(np.diff(stars) > 0)


def test_phase_diagram_boundary_and_mc_signs(outputs):
    d = outputs["spurious_phase_diagram"].data
    b = d["boundary"]
    i = np.argmin(np.abs(b["eta_u"] - 0.4))
    assert b["leading"][i] == pytest.approx(37.5 * (1 - 0.02 * 3), rel=1e-9)  # (p_T - 1)(1 - nu p_S)/0.08
    mc = d["mc"]
    assert np.all(np.sign(mc["mc_mean"]) == np.sign(mc["limit"]))


def test_hard_model_gain_stays_positive_where_soft_fails(outputs):
    d = outputs["spurious_hard_vs_soft"].data
    soft, hard = d["soft"]["m2=25"], d["hard"]["m2=25"]
    j = list(soft["x"]).index(0.7)
    assert soft["mc_mean"][j] < -5 * soft["mc_se"][j]
    assert hard["mc_mean"][j] > 5 * hard["mc_se"][j]


@pytest.mark.parametrize("name", NAMES)
def test_legend_names_the_theory_forms_and_the_monte_carlo(outputs, name):
    texts = figure_texts(outputs[name].figure)
    assert not forbidden_words(outputs[name].figure)
    assert any("exact proportional limit" in t for t in texts), texts
    assert any("Monte Carlo" in t or "MC gain" in t for t in texts), texts
    assert any("leading order" in t for t in texts), texts
