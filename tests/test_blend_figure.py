"""The ``blend_weight`` figure (fast mode, slow-marked: it runs Monte Carlo): its data lie on the exact
forms, and its words cite only the papers."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.figures import Mode  # noqa: E402
from w2s_theory.figures.blend import blend_weight  # noqa: E402
from w2s_theory.figures.style import forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402


@pytest.mark.slow
def test_blend_figure_data_lie_on_the_exact_forms():
    out = blend_weight(Mode(fast=True, cache_dir=None, progress=False))
    try:
        d = out.data
        for name, series in d["risk_vs_w"].items():
            if name.startswith("b_A"):
                for w, m, se, ex in zip(
                    d["risk_vs_w"]["w"], series["mc_mean"], series["mc_se"], series["exact"], strict=True
                ):
                    assert_mc_close(Estimate(m, se), ex, label=f"blend figure {name} w={w}")
        for key, series in d["w_star_vs_teacher"].items():
            for v, m, se, ex in zip(
                series["values"], series["mc_mean"], series["mc_se"], series["exact"], strict=True
            ):
                assert_mc_close(Estimate(m, se), ex, label=f"blend figure w* {key}={v}")
        N = d["w_star_vs_N"]
        assert_mc_close(Estimate(N["mc_mean"][0], N["mc_se"][0]), N["exact_N0"], label="blend figure w* N=0")
        assert np.all(N["mc_mean"][1:] < 0)  # fast mode: the sign (5 SE: test_blend.py, slow)
        assert forbidden_words(out.figure) == []
    finally:
        plt.close(out.figure)
