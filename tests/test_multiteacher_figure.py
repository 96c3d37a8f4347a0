"""The multi-teacher figure: registered; its exact curves carry the headline numbers (default run, no
Monte Carlo); in fast mode its Monte Carlo markers lie on the exact lines (slow: one compilation)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.figures import Mode  # noqa: E402
from w2s_theory.figures import multiteacher as fig_mt  # noqa: E402
from w2s_theory.figures.registry import REGISTRY  # noqa: E402
from w2s_theory.figures.style import figure_texts, forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.multiteacher import MultiTeacherModel  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402


def test_registered():
    assert REGISTRY["multiteacher_weights"].make is fig_mt.multiteacher_weights


def test_exact_curves_carry_the_headline_numbers():
    gaps = np.array([3, 4])
    A = fig_mt._exact_curves(MultiTeacherModel.coverage("redundant"), gaps)
    excess = (A["uniform_risk"] - A["simplex_risk"]) / (A["simplex_risk"] - 0.5)
    assert excess[0] == pytest.approx(0.47, abs=0.005)
    B = fig_mt._exact_curves(MultiTeacherModel.coverage("complementary"), gaps)
    assert B["simplex_w4"][0] == pytest.approx(0.17, abs=0.005)
    assert B["inverse_variance_risk"][1] > B["uniform_risk"][1]


@pytest.mark.slow
def test_fast_mode_markers_lie_on_the_exact_lines():
    out = fig_mt.multiteacher_weights(Mode(fast=True, progress=False))
    try:
        assert not forbidden_words(out.figure) and figure_texts(out.figure)
        for case in ("redundant", "complementary"):
            d = out.data[case]
            for i, g in enumerate(d["gaps_mc"]):
                j = int(np.flatnonzero(d["gaps"] == g)[0])
                for rule in fig_mt.RULES:
                    assert_mc_close(
                        Estimate(d["mc"][f"{rule}_mean"][i], d["mc"][f"{rule}_se"][i]),
                        d["exact"][f"{rule}_risk"][j],
                        label=f"figure {case} n4-d4={g} {rule}",
                    )
        assert "| redundant | 4 | uniform |" in out.data["table"]["markdown"]
    finally:
        plt.close(out.figure)
