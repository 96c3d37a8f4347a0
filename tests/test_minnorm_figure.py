"""The double-descent figure: its exact curves and Monte Carlo points (cheap, no simulation), and in the slow
run the whole figure in fast mode, every Monte Carlo point within 5 SE of the exact risk."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.figures import Mode  # noqa: E402
from w2s_theory.figures.double_descent import (  # noqa: E402
    RISKS,
    Setting,
    double_descent,
    exact_curves,
    fit_gaps,
    gaps,
    monte_carlo_points,
    panels,
)
from w2s_theory.figures.style import figure_texts, forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402

FAST = Mode(fast=True, cache_dir=None, progress=False)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "full"])
def test_exact_curves_run_through_every_threshold_and_peak_there(fast):
    s = Setting.for_mode(Mode(fast=fast))
    for p in panels(s):
        c = exact_curves(s, p)
        n, N = p.sizes(c["x"])
        teacher, baseline, ceiling, student = fit_gaps(n, N, s.d_w, s.d_s) <= 1
        poles = {"weak": teacher, "strong": baseline, "ceiling": ceiling, "w2s": teacher | student}
        for key in RISKS:  # each line stops only at the poles of the fits its risk depends on
            at = poles[key]
            assert np.all(np.isnan(c[key][at])) and np.all(np.isfinite(c[key][~at])), (p.name, key)
        # the W2S curve has a peak next to its own threshold (n = d_w, or N = d_s) on both sides
        t = s.d_w if p.x == "n" else s.d_s
        w2s, x = c["w2s"], c["x"]
        assert w2s[x == t - 2][0] > w2s[x == t - 6][0] and w2s[x == t + 2][0] > w2s[x == t + 6][0], p.name
        mc_x = monte_carlo_points(s, p)
        assert np.all(gaps(*p.sizes(mc_x), s.d_w, s.d_s) >= 4) and mc_x.size >= 4


def test_panels_cover_all_four_regimes_of_the_w2s_student():
    s = Setting.for_mode(Mode())
    by_name = {p.name: p for p in panels(s)}
    assert by_name["vs_n_student_under"].fixed >= s.d_s + 2
    assert by_name["vs_n_student_over"].fixed <= s.d_s - 2
    assert by_name["vs_N_teacher_under"].fixed >= s.d_w + 2
    assert by_name["vs_N_teacher_over"].fixed <= s.d_w - 2


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_fast_figure_monte_carlo_lies_on_the_exact_curves():
    out = double_descent(FAST)
    assert not forbidden_words(out.figure)
    texts = figure_texts(out.figure)
    for words in ("exact expectation", "interpolation threshold", "± 1 SE"):
        assert any(words in t for t in texts), (words, texts)
    plt.close(out.figure)
    for name, d in out.data.items():
        if name == "table":
            continue
        for key in RISKS:
            s = d[key]
            for x, mean, se, exact in zip(d["x"], s["mc_mean"], s["mc_se"], s["exact"], strict=True):
                assert_mc_close(Estimate(mean, se), exact, label=f"double_descent {name} {key} x={x}")
    assert out.data["table"]["markdown"].count("\n") > 30
