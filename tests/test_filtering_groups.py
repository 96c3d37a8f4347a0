"""Confidence filtering in the group-imbalance model (hard groups): the kept minority fraction and the gain
law (docs/theory/filtering.md §5)."""

from __future__ import annotations

import numpy as np
import pytest

from w2s_theory import SpuriousModel
from w2s_theory.filtering.groups import gains, simulate_groups, unfiltered_gains
from w2s_theory.metrics import mean_se
from w2s_theory.testing import assert_mc_close

HARD = SpuriousModel.canonical(6, c=0.3, m=3.0, group_model="hard")


def test_soft_groups_and_bad_keep_fractions_are_rejected():
    with pytest.raises(ValueError, match="group_model='hard'"):
        simulate_groups(HARD.with_group_model("soft"), 200, 300, 0.1, 0.5, (0.5,), trials=2)
    with pytest.raises(ValueError, match=r"q must lie in \(0, 1\], got 0"):
        simulate_groups(HARD, 200, 300, 0.1, 0.5, (0.0,), trials=2)


@pytest.mark.slow
def test_leverage_filtering_discards_the_under_represented_minority_first():
    """eta_l = 0.1 < eta_u = 0.5: the kept minority fraction falls well below eta_u (random filtering keeps
    it); at q = 1 the filtered and random students are the naive one, whose gain matches the group model's
    own simulator (independent draws, two-sample 5 SE)."""
    out = simulate_groups(HARD, 300, 600, 0.1, 0.5, (0.3, 1.0), trials=300, seed=5)
    kept = mean_se(out["eta_kept"][:, 0])
    assert kept.value < 0.5 - 20 * kept.se
    assert_mc_close(out["eta_kept_random"][:, 0], 0.5, label="random filter keeps eta_u")
    g = gains(HARD, out, 0.5)
    np.testing.assert_array_equal(g["filtered"][:, 1], g["random"][:, 1])
    naive, reference = (
        mean_se(g["filtered"][:, 1]),
        mean_se(unfiltered_gains(HARD, 300, 600, 0.1, 0.5, 0.5, 300, 9)),
    )
    z = (naive.value - reference.value) / np.hypot(naive.se, reference.se)
    assert abs(z) < 5, (naive, reference)
    # the filtered student gains more than the law at eta_u(q) predicts (docs/theory/filtering.md §5)
    matched = mean_se(unfiltered_gains(HARD, 300, 180, 0.1, kept.value, 0.5, 300, 10))
    assert mean_se(g["filtered"][:, 0]).value > matched.value + 5 * np.hypot(
        matched.se, mean_se(g["filtered"][:, 0]).se
    )
