"""The rounds figure in fast mode (slow: four compiled programs): its data against the exact round-0 teacher
and round-1 student expectations, its wording, and its table."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import w2s_theory.figures.rounds  # noqa: E402,F401  (registers the figure)
from w2s_theory.figures import Mode, figure  # noqa: E402
from w2s_theory.figures.rounds import ANCHORS, TEACHERS  # noqa: E402
from w2s_theory.figures.style import forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def output():
    out = figure("rounds_risk_per_round").make(Mode(fast=True, cache_dir=None, progress=False))
    yield out
    plt.close(out.figure)


def test_mc_points_match_the_exact_round0_and_round1_values(output):
    for lam in ANCHORS:
        for K in TEACHERS:
            d = output.data[f"lam={lam:g}"][f"K={K}"]
            assert_mc_close(
                Estimate(d["teacher_mc"][0], d["teacher_se"][0]),
                d["teacher_exact_round0"],
                label=f"rounds figure teacher t=0 lam={lam} K={K}",
            )
            assert_mc_close(
                Estimate(d["student_mc"][0], d["student_se"][0]),
                d["student_exact_round1"],
                label=f"rounds figure student t=1 lam={lam} K={K}",
            )
            limit = d["teacher_limit"]
            assert np.all(limit[1:] >= limit[0] - 1e-14)  # population teachers never improve


def test_wording_and_table(output):
    assert not forbidden_words(output.figure)
    table = output.data["table"]["markdown"]
    assert table.count("\n| ") == len(ANCHORS) * len(TEACHERS) + 1
