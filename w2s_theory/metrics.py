r"""PGR, OPR and RGR from Monte Carlo risks of any family, in the two ways the literature computes them.

.. math::
    \mathrm{PGR}=\frac{\mathrm{ER}(f_w)-\mathrm{ER}(f_{w2s})}{\mathrm{ER}(f_w)-\mathrm{ER}(f_c)},\qquad
    \mathrm{OPR}=\frac{\mathrm{ER}(f_s)}{\mathrm{ER}(f_{w2s})},\qquad
    \mathrm{RGR}=\frac{\mathrm{ER}(f_0)-\mathrm{ER}(f_{w2s})}{\mathrm{ER}(f_0)-\mathrm{ER}(f_c)}

Which per-trial arrays play teacher (:math:`f_w`), student (:math:`f_{w2s}`), baseline (:math:`f_s`),
ceiling (:math:`f_c`) and the un-tuned student (:math:`f_0`, :math:`\theta=0`) is given by a family's
:class:`~w2s_theory.family.Roles` (default: the names ``weak``, ``w2s``, ``strong``, ``ceiling`` of the
subspace model, and no un-tuned student). RGR is the "Reasoning Gap Recovered" of W2SR (Yuan et al.
2025): the share of the gap between the un-tuned student and the ceiling that weak supervision closes
(``docs/theory/rgr.md``).

* **ratio of means** (:func:`pgr_ratio_of_means`, :func:`opr_ratio_of_means`, :func:`rgr_ratio_of_means`):
  the ratio of the mean risks, which estimates the theory's ratio of expectations; its standard error is by
  the delta method.
* **mean of ratios** (:func:`mean_of_ratios`): the mean of per-trial ratios, which is what the authors'
  notebook plots. The two differ by a few percent at small n (Jensen).

**Ratios of round-off are never reported.** Every ratio takes a ``floor``: where the denominator's
magnitude is ``<= floor`` the ratio is NaN (nothing to recover, e.g. a noise-free target that both
learners represent, whose risks are rounding residue). Models provide a floor at rounding level,
``rounding_floor`` (:math:`10^{-12}(\sigma^2+\|\beta\|^2)` for the subspace model).
RGR is signed: it is NaN where its denominator :math:`\mathrm{ER}(f_0)-\mathrm{ER}(f_c)` is ``<= floor``
(a ceiling no better than the un-tuned student leaves no gap to recover), and the estimate carries the
reason (:attr:`Estimate.reason`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from w2s_theory.family import Roles

DEFAULT_ROLES = Roles()


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its standard error; ``reason`` says why, where the value is NaN."""

    value: float
    se: float
    reason: str | None = None

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


def _rgr_parts(risks: Mapping[str, np.ndarray], roles: Roles) -> tuple[np.ndarray, np.ndarray]:
    base = risks[_role(roles, "base")]
    return base - risks[roles.student], base - risks[_role(roles, "ceiling")]


def _per_trial_ratio(num: np.ndarray, den: np.ndarray, floor: float, signed: bool = False) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    ok = (den if signed else np.abs(den)) > floor
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


def per_trial_rgr(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> np.ndarray:
    """RGR of each trial; NaN where the trial's ceiling is not better than the un-tuned student by more
    than ``floor`` (signed denominator ``<= floor``)."""
    return _per_trial_ratio(*_rgr_parts(risks, roles), floor, signed=True)


def with_per_trial_ratios(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> dict[str, np.ndarray]:
    """``risks`` plus the per-trial ``pgr``, ``opr`` and ``rgr`` of :func:`per_trial_pgr`,
    :func:`per_trial_opr`, :func:`per_trial_rgr`, each where ``roles`` names the learners it needs (PGR: a
    ceiling; OPR: a baseline; RGR: an un-tuned student and a ceiling)."""
    out = dict(risks)
    if roles.ceiling is not None:
        out["pgr"] = per_trial_pgr(risks, roles, floor=floor)
    if roles.baseline is not None:
        out["opr"] = per_trial_opr(risks, roles, floor=floor)
    if roles.base is not None and roles.ceiling is not None:
        out["rgr"] = per_trial_rgr(risks, roles, floor=floor)
    return out


def curve_points(
    risks: Mapping[str, np.ndarray], points: int, roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> list[dict[str, np.ndarray]]:
    """Per-trial outputs of a curve (a last axis of ``points`` entries) as one dict per point, each with its
    per-trial ratios (:func:`with_per_trial_ratios`)."""
    return [
        with_per_trial_ratios({k: v[:, j] for k, v in risks.items()}, roles, floor=floor)
        for j in range(points)
    ]


def _ratio_of_means(num: np.ndarray, den: np.ndarray, floor: float, signed: bool = False) -> Estimate:
    r""":math:`\bar a/\bar b` with delta-method SE
    :math:`\frac{1}{\sqrt T}\sqrt{\operatorname{Var}(a-Rb)}/|\bar b|`, :math:`R=\bar a/\bar b`;
    NaN (value and SE) where :math:`|\bar b|\le` ``floor`` (``signed``: where :math:`\bar b\le` ``floor``)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if num.size < 2:
        raise ValueError(f"a standard error needs at least 2 trials, got {num.size}")
    if not (den.mean() if signed else abs(den.mean())) > floor:
        what = "mean denominator" if not signed else "mean denominator (signed)"
        reason = f"{what} {den.mean():.6g} is <= floor {floor:.3g}"
        return Estimate(float("nan"), float("nan"), reason)
    ratio = num.mean() / den.mean()
    resid = num - ratio * den
    return Estimate(float(ratio), float(resid.std(ddof=1) / np.sqrt(num.size) / abs(den.mean())))


def ratio_of_means(num: np.ndarray, den: np.ndarray, *, floor: float = 0.0) -> Estimate:
    r"""Any ratio of expectations :math:`\mathbb E a/\mathbb E b` from per-trial ``num``, ``den``: the
    ratio of means with delta-method SE; NaN with :attr:`Estimate.reason` where :math:`|\bar b|\le` ``floor``."""
    return _ratio_of_means(num, den, floor)


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


def rgr_ratio_of_means(
    risks: Mapping[str, np.ndarray], roles: Roles = DEFAULT_ROLES, *, floor: float = 0.0
) -> Estimate:
    r"""RGR as the ratio of mean risks (estimates the ratio of expectations), delta-method SE.

    NaN, with :attr:`Estimate.reason`, where the mean of :math:`\mathrm{ER}(f_0)-\mathrm{ER}(f_c)` is
    ``<= floor``: the ceiling does not beat the un-tuned student, so there is no gap to recover. Needs
    ``roles.base`` (the un-tuned student's per-trial risk) and ``roles.ceiling``."""
    return _ratio_of_means(*_rgr_parts(risks, roles), floor, signed=True)


def mean_of_ratios(per_trial: np.ndarray) -> Estimate:
    """Mean of per-trial ratios (the authors' notebook), with its SE; NaN if any trial's ratio is NaN,
    with the count of such trials in :attr:`Estimate.reason`."""
    est = mean_se(per_trial)
    bad = int(np.sum(np.isnan(np.asarray(per_trial, dtype=float))))
    if bad:
        reason = f"{bad} of {np.size(per_trial)} per-trial ratios are NaN (denominator at or below the floor)"
        return Estimate(est.value, est.se, reason)
    return est
