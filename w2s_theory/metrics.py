r"""PGR and OPR from Monte Carlo risks, in the two ways the literature computes them (spec §2.1, §4.6).

.. math::
    \mathrm{PGR}=\frac{\mathrm{ER}(f_w)-\mathrm{ER}(f_{w2s})}{\mathrm{ER}(f_w)-\mathrm{ER}(f_c)},\qquad
    \mathrm{OPR}=\frac{\mathrm{ER}(f_s)}{\mathrm{ER}(f_{w2s})}

* **ratio of means** (:func:`pgr_ratio_of_means`, :func:`opr_ratio_of_means`): the ratio of the mean
  risks, which estimates the theory's ratio of expectations; its standard error is by the delta method.
* **mean of ratios** (:func:`mean_of_ratios`): the mean of per-trial ratios, which is what the authors'
  notebook plots. The two differ by a few percent at small n (Jensen).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its standard error."""

    value: float
    se: float

    def z_score(self, expected: float) -> float:
        """(value - expected) / se."""
        return (self.value - expected) / self.se


def mean_se(x: np.ndarray) -> Estimate:
    """Sample mean and its standard error ``std(ddof=1)/sqrt(T)``."""
    x = np.asarray(x, dtype=float)
    if x.size < 2:
        raise ValueError("a standard error needs at least 2 trials")
    return Estimate(float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)))


def per_trial_pgr(risks: Mapping[str, np.ndarray]) -> np.ndarray:
    """PGR of each trial (the notebook's per-trial quantity); NaN where it is 0/0 (e.g. noise-free)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (risks["weak"] - risks["w2s"]) / (risks["weak"] - risks["ceiling"])


def per_trial_opr(risks: Mapping[str, np.ndarray]) -> np.ndarray:
    """OPR of each trial; NaN where it is 0/0 (e.g. noise-free)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return risks["strong"] / risks["w2s"]


def _ratio_of_means(num: np.ndarray, den: np.ndarray) -> Estimate:
    r""":math:`\bar a/\bar b` with delta-method SE
    :math:`\frac{1}{\sqrt T}\sqrt{\operatorname{Var}(a-Rb)}/|\bar b|`, :math:`R=\bar a/\bar b`."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if num.size < 2:
        raise ValueError("a standard error needs at least 2 trials")
    ratio = num.mean() / den.mean()
    resid = num - ratio * den
    return Estimate(float(ratio), float(resid.std(ddof=1) / np.sqrt(num.size) / abs(den.mean())))


def pgr_ratio_of_means(risks: Mapping[str, np.ndarray]) -> Estimate:
    """PGR as the ratio of mean risks (estimates the ratio of expectations), delta-method SE."""
    return _ratio_of_means(risks["weak"] - risks["w2s"], risks["weak"] - risks["ceiling"])


def opr_ratio_of_means(risks: Mapping[str, np.ndarray]) -> Estimate:
    """OPR as the ratio of mean risks, delta-method SE."""
    return _ratio_of_means(risks["strong"], risks["w2s"])


def mean_of_ratios(per_trial: np.ndarray) -> Estimate:
    """Mean of per-trial ratios (the authors' notebook), with its SE."""
    return mean_se(per_trial)
