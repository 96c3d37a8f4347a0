r"""Ridge predictions for real features: the feature model read as a Gaussian covariate model.

The deterministic equivalents of :mod:`w2s_theory.gcm` need only second moments of the weak scores
:math:`\phi_w`, the strong scores :math:`\phi_s` and the target. Over the feature model's population (the
``M`` rows, each with probability :math:`1/M`) those are exact row means of the truncated
principal-component scores :math:`X_w`, :math:`X_s` (:mod:`w2s_theory.features.model`):

.. math::
    \Sigma_{ww}=\tfrac1MX_w^\top X_w,\quad\Sigma_{ss}=\tfrac1MX_s^\top X_s,\quad
    \Sigma_{ws}=\tfrac1MX_w^\top X_s,\quad c_w=\tfrac1MX_w^\top f_*,\quad c_s=\tfrac1MX_s^\top f_*,\quad
    F=\tfrac1M\|f_*\|_2^2,

so with a known target (:meth:`FeatureModelData.from_features`) the plug-in has no estimation bias: what
remains is the deterministic equivalent's own finite-size error and the Gaussian-universality gap of the
real rows (``docs/theory/features.md`` §10).

With noisy labels only (:meth:`FeatureModelData.from_labels`) the label moments :math:`c_w,c_s,F` carry the
noise, and the deterministic equivalent is a quadratic function of :math:`(c_w,c_s)` (affine in :math:`F`)
at fixed covariances, so the plug-in is biased at order :math:`p/M`. :func:`expected_risks` then predicts
the test error against noisy labels from the moments of the labels themselves (noise and
misspecification enter the equivalents only through their sum, so :math:`\sigma^2=0`,
:math:`F=\frac1M\|y\|^2`), removes the bias with a delete-a-group jackknife over ``g`` groups of rows,

.. math:: \hat T_{\rm jack}=g\,\hat T-(g-1)\,\frac1g\sum_{j=1}^g\hat T_{(-j)},

applied to every risk, and subtracts the model's :math:`\hat\sigma^2` to return excess risks. PGR and OPR
are ratios of the debiased risks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from w2s_theory import _validate
from w2s_theory.features.model import FeatureModelData
from w2s_theory.gcm import GaussianCovariateModel

#: Default number of jackknife groups for label-only models.
JACKKNIFE_GROUPS = 10
#: The risks the jackknife debiases (the other outputs depend on the covariances only).
LABEL_RISKS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s", "w2s_mean", "w2s_variance")
#: Risks that contain the label noise when the labels are the target (``sigma2`` is subtracted from them).
NOISY_RISKS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s", "w2s_mean")


def _moments(X_w: np.ndarray, X_s: np.ndarray, f: np.ndarray, sigma2: float) -> GaussianCovariateModel:
    """The Gaussian covariate model with the row means of ``(X_w, X_s, f)`` as its second moments."""
    m = X_w.shape[0]
    with threadpool_limits(limits=1, user_api="blas"):  # the same bits for any BLAS thread count
        return GaussianCovariateModel(
            Sigma_ww=X_w.T @ X_w / m,
            Sigma_ss=X_s.T @ X_s / m,
            Sigma_ws=X_w.T @ X_s / m,
            c_w=X_w.T @ f / m,
            c_s=X_s.T @ f / m,
            F=float(f @ f) / m,
            sigma2=sigma2,
        )


def covariate_model(model: FeatureModelData) -> GaussianCovariateModel:
    r"""The Gaussian covariate model with the feature model's population moments (module docstring):
    the truncated scores' row moments, the model's target and its ``sigma2``."""
    return _moments(model.weak.scores, model.strong.scores, model.target, model.sigma2)


def _leave_group_out(model: FeatureModelData, y: np.ndarray, groups: int) -> list[GaussianCovariateModel]:
    """The labels-as-target model on the rows outside each of ``groups`` fixed groups (a seeded permutation
    of the rows cut into near-equal parts: the same groups on every call)."""
    X_w, X_s = model.weak.scores, model.strong.scores
    out = []
    for part in np.array_split(np.random.default_rng(0).permutation(model.M), groups):
        keep = np.ones(model.M, dtype=bool)
        keep[part] = False
        out.append(_moments(X_w[keep], X_s[keep], y[keep], 0.0))
    return out


def _ratios(out: dict[str, np.ndarray], floor: float) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        den = out["weak"] - out["ceiling"]
        out["pgr"] = np.where(np.abs(den) > floor, (out["weak"] - out["w2s"]) / den, np.nan)
        out["opr"] = np.where(np.abs(out["w2s"]) > floor, out["strong"] / out["w2s"], np.nan)


def expected_risks(
    model: FeatureModelData,
    n: ArrayLike,
    N: ArrayLike,
    lam_w: ArrayLike = 0.0,
    lam_s: ArrayLike = 0.0,
    *,
    jackknife_groups: int | None = JACKKNIFE_GROUPS,
) -> dict[str, np.ndarray]:
    r"""Deterministic equivalents of the ridge pipeline's expected excess risks on real features.

    With a known target: :func:`w2s_theory.gcm.theory.expected_risks` of :func:`covariate_model` (every
    output key is listed there). With labels only (``model.labels`` set): the same equivalents of the
    labels' own moments, jackknifed over ``jackknife_groups`` groups of rows (``None``: the plain, biased
    plug-in), minus ``model.sigma2``; the outputs that depend on the covariances alone (effective
    dimensions, :math:`\kappa`) are the all-rows values.
    """
    y = model.labels
    if y is None:
        return covariate_model(model).expected_risks(n, N, lam_w, lam_s)
    if jackknife_groups is not None:
        jackknife_groups = _validate.positive_int("jackknife_groups", jackknife_groups, minimum=2)
        if jackknife_groups > model.M:
            raise ValueError(f"jackknife_groups must be <= M = {model.M} rows, got {jackknife_groups}")
    full = _moments(model.weak.scores, model.strong.scores, y, 0.0)
    out = {k: np.asarray(v, dtype=float) for k, v in full.expected_risks(n, N, lam_w, lam_s).items()}
    if jackknife_groups is not None:
        g = jackknife_groups
        parts = [m.expected_risks(n, N, lam_w, lam_s) for m in _leave_group_out(model, y, g)]
        for key in LABEL_RISKS:
            out[key] = g * out[key] - (g - 1) * np.mean([p[key] for p in parts], axis=0)
    for key in NOISY_RISKS:
        out[key] = out[key] - model.sigma2
    _ratios(out, model.rounding_floor)
    return out
