r"""PGR and OPR from Monte Carlo risks of any family, in the two ways the literature computes them.

.. math::
    \mathrm{PGR}=\frac{\mathrm{ER}(f_w)-\mathrm{ER}(f_{w2s})}{\mathrm{ER}(f_w)-\mathrm{ER}(f_c)},\qquad
    \mathrm{OPR}=\frac{\mathrm{ER}(f_s)}{\mathrm{ER}(f_{w2s})}

Which per-trial arrays play teacher (:math:`f_w`), student (:math:`f_{w2s}`), baseline (:math:`f_s`) and
ceiling (:math:`f_c`) is given by a family's :class:`~w2s_theory.family.Roles` (default: the names
``weak``, ``w2s``, ``strong``, ``ceiling`` of the subspace model).

* **ratio of means** (:func:`pgr_ratio_of_means`, :func:`opr_ratio_of_means`): the ratio of the mean
  risks, which estimates the theory's ratio of expectations; its standard error is by the delta method.
* **mean of ratios** (:func:`mean_of_ratios`): the mean of per-trial ratios, which is what the authors'
  notebook plots. The two differ by a few percent at small n (Jensen).

**Ratios of round-off are never reported.** Every ratio takes a ``floor``: where the denominator's
magnitude is ``<= floor`` the ratio is NaN (nothing to recover, e.g. a noise-free target that both
learners represent, whose risks are rounding residue). Models provide a floor at rounding level,
``rounding_floor`` (:math:`10^{-12}(\sigma^2+\|\beta\|^2)` for the subspace model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from w2s_theory.family import Roles

DEFAULT_ROLES = Roles()


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
        raise ValueError(f"a standard error needs at least 2 trials, got {x.size}")
    return Estimate(float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)))


def _role(roles: Roles, part: str) -> str:
    name = getattr(roles, part)
    if name is None:
        raise ValueError(f"this family has no {part} learner (roles={roles}), so the ratio is undefined")
    return name


def _pgr_parts(risks: Mapping[str, np.ndarray], roles: Roles) -> tuple[np.ndarray, np.ndarray]:
    teacher, student = risks[roles.teacher], risks[roles.student]
    return teacher - student, teacher - risks[_role(roles, "ceiling")]


def _opr_parts(risks: Mapping[str, np.ndarray], roles: Roles) -> tuple[np.ndarray, np.ndarray]:
    return risks[_role(roles, "baseline")], risks[roles.student]


def _per_trial_ratio(num: np.ndarray, den: np.ndarray, floor: float) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    ok = np.abs(den) > floor
    return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


def per_trial_pgr(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> np.ndarray:
    """PGR of each trial (the notebook's per-trial quantity); NaN where ``|denominator| <= floor``."""
    return _per_trial_ratio(*_pgr_parts(risks, roles), floor)


def per_trial_opr(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> np.ndarray:
    """OPR of each trial; NaN where ``|denominator| <= floor``."""
    return _per_trial_ratio(*_opr_parts(risks, roles), floor)


def with_per_trial_ratios(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> dict[str, np.ndarray]:
    """``risks`` plus the per-trial ``pgr`` and ``opr`` of :func:`per_trial_pgr` / :func:`per_trial_opr`
    (what every family with a baseline and a ceiling returns from ``simulate``)."""
    return dict(risks) | {
        "pgr": per_trial_pgr(risks, roles, floor=floor),
        "opr": per_trial_opr(risks, roles, floor=floor),
    }


def _ratio_of_means(num: np.ndarray, den: np.ndarray, floor: float) -> Estimate:
    r""":math:`\bar a/\bar b` with delta-method SE
    :math:`\frac{1}{\sqrt T}\sqrt{\operatorname{Var}(a-Rb)}/|\bar b|`, :math:`R=\bar a/\bar b`;
    NaN (value and SE) where :math:`|\bar b|\le` ``floor``."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if num.size < 2:
        raise ValueError(f"a standard error needs at least 2 trials, got {num.size}")
    if not abs(den.mean()) > floor:
        return Estimate(float("nan"), float("nan"))
    ratio = num.mean() / den.mean()
    resid = num - ratio * den
    return Estimate(float(ratio), float(resid.std(ddof=1) / np.sqrt(num.size) / abs(den.mean())))


def pgr_ratio_of_means(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> Estimate:
    """PGR as the ratio of mean risks (estimates the ratio of expectations), delta-method SE."""
    return _ratio_of_means(*_pgr_parts(risks, roles), floor)


def opr_ratio_of_means(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> Estimate:
    """OPR as the ratio of mean risks, delta-method SE."""
    return _ratio_of_means(*_opr_parts(risks, roles), floor)


def mean_of_ratios(per_trial: np.ndarray) -> Estimate:
    """Mean of per-trial ratios (the authors' notebook), with its SE; NaN if any trial's ratio is NaN."""
    return mean_se(per_trial)
