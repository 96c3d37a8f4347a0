"""Every registered GCM figure runs in fast mode; its data (not its pixels) is checked against the
deterministic equivalents (``docs/theory/general_covariance.md``)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.figures import Mode, figure, figure_names  # noqa: E402
from w2s_theory.figures.gcm import TRADEOFF_LAWS, TradeoffSetting  # noqa: E402
from w2s_theory.figures.style import figure_texts, forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402

FAST = Mode(fast=True, cache_dir=None, progress=False)
NAMES = ["gcm_power_law", "gcm_overlap_tradeoff", "gcm_ridge"]


@pytest.fixture(scope="module")
def outputs():
    outs = {name: figure(name).make(FAST) for name in NAMES}
    yield outs
    for out in outs.values():
        plt.close(out.figure)


def test_every_gcm_figure_is_registered():
    assert set(NAMES) <= set(figure_names())


def _allowance(de: float, margin: float) -> float:
    """The finite-size allowance of a deterministic equivalent, 2/(m - df2) relative (§6)."""
    return 2.0 * abs(de) / margin


def test_power_law_mc_points_lie_on_the_deterministic_equivalent(outputs):
    for panel, d in outputs["gcm_power_law"].data.items():
        margin = min(np.min(d["margin_n"]), np.min(d["margin_N"]))
        for key in ("weak", "strong", "ceiling", "w2s", "pgr", "opr"):
            s = d[key]
            for x, mean, se, de in zip(d["x"], s["mc_mean"], s["mc_se"], s["de"], strict=True):
                assert_mc_close(
                    Estimate(mean, se),
                    de,
                    bias_allowance=_allowance(de, margin),
                    label=f"gcm {panel} {key} x={x}",
                )


def test_ridge_figure_pgr_opr_lie_on_the_deterministic_equivalent(outputs):
    d = outputs["gcm_ridge"].data
    for series in ("both", "student"):
        margin = min(np.min(d[series]["margin_n"]), np.min(d[series]["margin_N"]))
        for metric in ("pgr", "opr"):
            s = d[series][metric]
            for lam, mean, se, de in zip(d["x"]["lam"], s["mc_mean"], s["mc_se"], s["de"], strict=True):
                assert_mc_close(
                    Estimate(mean, se),
                    de,
                    bias_allowance=_allowance(de, margin),
                    label=f"gcm ridge {series} {metric} {lam:g}",
                )


def test_tradeoff_gains_and_their_shape(outputs):
    data = outputs["gcm_overlap_tradeoff"].data
    assert TradeoffSetting.for_mode(FAST).overlaps == (12, 7, 3)
    for a, b in TRADEOFF_LAWS:
        d = data[f"a={a:g},b={b:g}"]
        for k, mean, se, de in zip(d["k"], d["mc_gain"], d["mc_se"], d["de_gain"], strict=True):
            assert_mc_close(
                Estimate(mean, se), de, bias_allowance=0.05 * abs(de) + 1e-4, label=f"gcm gain a={a} k={k}"
            )
        assert np.all(d["d_sw"] <= np.array(d["k"]) + 1e-9)  # the overlap of coordinate maps: d_sw <= k
        assert np.all(np.diff(d["w2s_variance"]) < 0)  # less overlap, less inherited variance (k decreasing)
    steep, flat = data["a=1.5,b=1"], data["a=1,b=0.5"]
    assert (
        steep["de_gain"][1] > steep["de_gain"][0] > -1e-9
    )  # signal in the shared top coordinates: gain grows
    assert flat["de_gain"][-1] < 0  # signal also outside: less overlap ends up worse than the teacher


@pytest.mark.parametrize("name", NAMES)
def test_legend_names_theory_and_monte_carlo(outputs, name):
    texts = figure_texts(outputs[name].figure)
    assert not forbidden_words(outputs[name].figure)
    assert any("deterministic equivalent" in t for t in texts), texts
    assert any("± 1 SE" in t for t in texts), texts


@pytest.mark.slow
def test_full_tradeoff_reproduces_the_gains():
    """docs/theory/general_covariance.md §4: a = 1.5, b = 1: gain 0.0049 -> 0.090 as the overlap falls
    60 -> 5 (proportional form); a = 1, b = 0.5: peak 0.039 at k = 30, -0.086 at k = 5. Monte Carlo,
    400 trials per point, within 5 SE of the default DE."""
    out = figure("gcm_overlap_tradeoff").make(Mode(fast=False, cache_dir=None, progress=False))
    plt.close(out.figure)
    steep, flat = out.data["a=1.5,b=1"], out.data["a=1,b=0.5"]
    assert steep["k"].tolist() == [60, 45, 30, 15, 5]
    for d in (steep, flat):
        for k, mean, se, de in zip(d["k"], d["mc_gain"], d["mc_se"], d["de_gain"], strict=True):
            assert_mc_close(Estimate(mean, se), de, label=f"gcm full gain k={k}")
    assert np.all(np.diff(steep["de_gain"]) > 0)
    assert int(np.argmax(flat["de_gain"])) == 2 and flat["de_gain"][-1] < -0.08
