"""The ``rgr_iso_accuracy`` figure: the exact curves (default run, no Monte Carlo) and, in fast mode
(slow-marked), its Monte Carlo points on the exact forms."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.figures import Mode  # noqa: E402
from w2s_theory.figures.registry import REGISTRY  # noqa: E402
from w2s_theory.figures.rgr import LINES, exact_curves, rgr_iso_accuracy  # noqa: E402
from w2s_theory.figures.style import forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402
from w2s_theory.testing import assert_mc_close  # noqa: E402


def test_exact_curves_cross_at_kappa_one():
    """In-span and null-space teachers have equal RGR at N = 2 d_s + 1 = 31 and swap order there."""
    curves = exact_curves(np.array([24, 31, 40]))
    diff = curves["student span + null"]["rgr"] - curves["in-span (10)"]["rgr"]
    assert diff[0] < 0 and abs(diff[1]) < 1e-12 and diff[2] > 0
    assert set(LINES) <= set(curves)


def test_both_figures_register_on_import():
    import w2s_theory.figures.blend  # noqa: F401

    assert {"rgr_iso_accuracy", "blend_weight"} <= set(REGISTRY)


@pytest.mark.slow
def test_rgr_figure_data_lie_on_the_exact_forms():
    out = rgr_iso_accuracy(Mode(fast=True, cache_dir=None, progress=False))
    try:
        for name, series in out.data["rgr"].items():
            if "mc_mean" not in series:
                continue
            for N, m, se, ex in zip(
                series["N"], series["mc_mean"], series["mc_se"], series["exact"], strict=True
            ):
                assert_mc_close(Estimate(m, se), ex, label=f"rgr figure {name} N={N}")
        for name, split in out.data["split"].items():
            for key, ex in split["exact"].items():
                if split["mc_se"][key] > 0:
                    assert_mc_close(
                        Estimate(split["mc_mean"][key], split["mc_se"][key]),
                        ex,
                        label=f"rgr figure {name} {key}",
                    )
                else:
                    assert split["mc_mean"][key] == pytest.approx(ex, abs=1e-12)
        assert forbidden_words(out.figure) == []
    finally:
        plt.close(out.figure)
