"""The registered filtering figure in fast mode: its data, not its pixels (slow: two compiled runs at the
reference sizes, N = 800)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2s_theory.figures import Mode  # noqa: E402
from w2s_theory.figures.filtering import SCORE_LABELS, filtering_pgr  # noqa: E402
from w2s_theory.figures.style import forbidden_words  # noqa: E402


@pytest.mark.slow
def test_filtering_figure_fast_mode():
    out = filtering_pgr(Mode(fast=True, cache_dir=None, progress=False))
    try:
        assert set(out.data) == {"split", "tilted"}
        for panel in out.data.values():
            assert float(panel["stage2_shift_max"]) <= 1e-12
            for score in SCORE_LABELS:
                stage1, stage2 = panel[f"{score}/stage1/pgr"], panel[f"{score}/stage2/pgr"]
                assert stage1.shape == panel["q"].shape and np.all(np.isfinite(stage1))
                np.testing.assert_allclose(stage2, stage1, rtol=1e-10)  # stage II is the identity
            # every score at q = 1 is the same naive student
            assert np.ptp([panel[f"{s}/stage1/pgr"][-1] for s in SCORE_LABELS]) < 1e-12
        assert not forbidden_words(out.figure)
    finally:
        plt.close(out.figure)
