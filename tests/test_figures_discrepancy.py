"""Every registered discrepancy figure runs in fast mode; its data (not its pixels) is checked."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.discrepancy import theory as th  # noqa: E402
from w2s_theory.figures import Mode, figure, figure_names, reproduce  # noqa: E402
from w2s_theory.figures.discrepancy import BOUND_PARAMS  # noqa: E402
from w2s_theory.figures.style import figure_texts, forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402

FAST = Mode(fast=True, cache_dir=None, progress=False)
EXRISK = ["exrisk_dsw10", "exrisk_dsw90", "exrisk_dsw90_biased"]
PGR_OPR = ["pgr_opr_vardom", "pgr_opr_dsw_80_40_0", "pgr_opr_sigma2_0.1"]


@pytest.fixture(scope="module")
def outputs():
    outs = {name: figure(name).make(FAST) for name in figure_names() if name in EXRISK + PGR_OPR}
    yield outs
    for out in outs.values():
        plt.close(out.figure)


def test_every_paper_figure_is_registered():
    assert set(EXRISK + PGR_OPR + ["pgr_opr_lower_bounds"]) <= set(figure_names())


@pytest.mark.parametrize("name", EXRISK)
def test_exrisk_mc_points_lie_on_the_exact_curve(outputs, name):
    for panel, d in outputs[name].data.items():
        for key in ("weak", "strong", "ceiling", "w2s"):
            s = d[key]
            for x, mean, se, exact in zip(d["x"], s["mc_mean"], s["mc_se"], s["exact"], strict=True):
                assert_mc_close(Estimate(mean, se), exact, label=f"{name} {panel} {key} x={x}")


@pytest.mark.parametrize("name", PGR_OPR)
def test_pgr_opr_ratio_of_means_lie_on_the_exact_ratio(outputs, name):
    for panel, d in outputs[name].data.items():
        for series_name, series in d.items():
            if not series_name.startswith("d_sw="):
                continue
            for metric in ("pgr", "opr"):
                s = series[metric]
                for x, v, se, exact in zip(
                    d["x"], s["ratio_of_means"], s["ratio_of_means_se"], s["exact"], strict=True
                ):
                    assert_mc_close(
                        Estimate(v, se), exact, label=f"{name} {panel} {series_name} {metric} x={x}"
                    )


def test_dsw90_figure_plots_its_own_data_not_dsw10(outputs):
    """The authors' cell 11 plotted the d_sw = 10 data under the d_sw = 90 title."""
    a, b = outputs["exrisk_dsw10"].data["vs_N"]["w2s"], outputs["exrisk_dsw90"].data["vs_N"]["w2s"]
    assert not np.allclose(a["mc_mean"], b["mc_mean"])
    assert not np.allclose(a["exact"], b["exact"])


@pytest.mark.parametrize("name", EXRISK + PGR_OPR)
def test_legend_says_which_curve_is_exact_stated_and_monte_carlo(outputs, name):
    texts = figure_texts(outputs[name].figure)
    assert not forbidden_words(outputs[name].figure)
    for words in ("exact expectation", "stated (paper's form)", "± 1 SE", "$n$ (labelled samples)"):
        assert any(words in t for t in texts), (words, texts)


def test_lower_bound_figure_opr_region_matches_closed_form():
    out = figure("pgr_opr_lower_bounds").make(FAST)
    assert not forbidden_words(out.figure)
    plt.close(out.figure)
    N_axis = out.data["vs_N"]["x"]
    for n in (220, 510, 800):
        s = out.data["vs_N"][f"n={n}"]
        N_min = float(th.N_for_opr_above_1(n=n, **BOUND_PARAMS))
        np.testing.assert_array_equal(s["opr"] > 1, N_axis > N_min)
        assert s["N_for_opr_above_1"] == N_min
    assert np.isinf(out.data["vs_N"]["n=800"]["N_for_opr_above_1"])  # OPR bound never reaches 1 at n = 800
    n_axis = out.data["vs_n"]["x"]
    for N in (1600, 2800, 4000):
        s = out.data["vs_n"][f"N={N}"]
        step = n_axis[1] - n_axis[0]
        assert abs(n_axis[np.argmax(s["pgr"])] - s["n_star"]) <= step
        assert abs(n_axis[np.argmax(s["opr"])] - s["n_star"]) <= step


def test_reproduce_writes_a_png(tmp_path):
    path = reproduce("pgr_opr_lower_bounds", tmp_path, FAST)
    assert path.exists() and path.stat().st_size > 10_000
