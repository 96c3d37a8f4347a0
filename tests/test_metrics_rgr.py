"""RGR as a generic metric (:mod:`w2s_theory.metrics`): ratio of means with delta-method SE, per-trial
ratios, NaN with a reason where the signed denominator is at or below the floor, and no change for
families without an un-tuned student."""

import numpy as np
import pytest

from w2s_theory.family import Roles
from w2s_theory.metrics import (
    DEFAULT_ROLES,
    mean_of_ratios,
    per_trial_rgr,
    ratio_of_means,
    rgr_ratio_of_means,
    with_per_trial_ratios,
)

ROLES = Roles(teacher="weak", student="w2s", baseline="strong", ceiling="ceiling", base="base")


def _risks(T: int = 4000, seed: int = 0, ceiling_mean: float = 2.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "weak": 3.0 + rng.standard_normal(T) * 0.3,
        "w2s": 2.5 + rng.standard_normal(T) * 0.3,
        "strong": 2.8 + rng.standard_normal(T) * 0.3,
        "ceiling": ceiling_mean + rng.standard_normal(T) * 0.2,
        "base": np.full(T, 5.0),
    }


def test_rgr_ratio_of_means_and_its_delta_method_se():
    risks = _risks()
    est = rgr_ratio_of_means(risks, ROLES)
    num, den = 5.0 - risks["w2s"], 5.0 - risks["ceiling"]
    assert est.value == pytest.approx(num.mean() / den.mean()) and est.reason is None
    # delta method against the spread of the ratio over independent replications
    reps = [rgr_ratio_of_means(_risks(400, seed), ROLES).value for seed in range(1, 200)]
    assert est.se * np.sqrt(4000 / 400) == pytest.approx(np.std(reps, ddof=1), rel=0.15)


def test_per_trial_rgr_and_mean_of_ratios():
    risks = _risks()
    per = per_trial_rgr(risks, ROLES)
    np.testing.assert_allclose(per, (5.0 - risks["w2s"]) / (5.0 - risks["ceiling"]))
    est = mean_of_ratios(per)
    assert est.value == pytest.approx(per.mean()) and est.reason is None


def test_rgr_is_nan_with_a_reason_where_the_ceiling_does_not_beat_the_base():
    """Signed: a ceiling *worse* than the un-tuned student is not a gap to recover (unlike PGR's |den|)."""
    risks = _risks(ceiling_mean=6.0)  # mean denominator 5 - 6 < 0
    est = rgr_ratio_of_means(risks, ROLES)
    assert np.isnan(est.value) and np.isnan(est.se)
    assert "mean denominator (signed) -1" in est.reason and "<= floor 0" in est.reason
    per = per_trial_rgr(risks, ROLES, floor=0.1)
    assert np.all(np.isnan(per[5.0 - risks["ceiling"] <= 0.1]))
    bad = mean_of_ratios(per)
    assert np.isnan(bad.value) and bad.reason.startswith(
        f"{int(np.isnan(per).sum())} of 4000 per-trial ratios"
    )


def test_rgr_needs_a_base_role():
    with pytest.raises(ValueError, match=r"no base learner"):
        rgr_ratio_of_means(_risks(), DEFAULT_ROLES)


def test_with_per_trial_ratios_adds_rgr_only_for_families_with_a_base():
    risks = _risks(10)
    assert set(with_per_trial_ratios(risks, DEFAULT_ROLES)) == set(risks) | {"pgr", "opr"}
    assert set(with_per_trial_ratios(risks, ROLES)) == set(risks) | {"pgr", "opr", "rgr"}
    no_ceiling = Roles(teacher="weak", student="w2s", baseline="strong", ceiling=None, base="base")
    assert set(with_per_trial_ratios(risks, no_ceiling)) == set(risks) | {"opr"}


def test_generic_ratio_of_means():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    assert ratio_of_means(a, b).value == pytest.approx(1.0)
    zero = ratio_of_means(a, np.zeros(3))
    assert np.isnan(zero.value) and "mean denominator 0" in zero.reason
