r"""The intrinsic-dimension and overlap estimators of the authors' public code, for comparison.

Dong et al. (ICML 2025) estimate, on real features (``linear_probing/utkface.ipynb`` of
``dyjdongyijun/w2s_intrinsic_dim``):

* the **intrinsic dimension** of a feature matrix as the number of leading eigenvalues of its uncentred
  second moment :math:`F^\top F/M` that reach 99% of its trace (:func:`authors_intrinsic_dim`);
* the **overlap** by randomly projecting the wider feature set to the narrower width :math:`d`, taking
  the top-:math:`k` covariance eigenvectors of each model *in its own coordinates*, and summing the squared
  singular values of :math:`V_w^\top V_s` (:func:`authors_d_sw`).

Eigenvectors of two models live in two unrelated coordinate systems, so :math:`V_w^\top V_s` compares
arbitrary bases: the result is the overlap of two random subspaces, :math:`\approx k_wk_s/d`, whatever
the features (``docs/theory/features.md`` §6). The overlap that enters the theory is measured between the
two column spans on the same inputs (:attr:`w2s_theory.features.FeatureModel.d_sw`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from w2s_theory import _validate


def authors_intrinsic_dim(F: ArrayLike, energy: float = 0.99) -> int:
    r"""Number of leading eigenvalues of the uncentred second moment :math:`F^\top F/M` whose sum reaches
    ``energy`` of its trace (the authors' intrinsic dimension at ``energy = 0.99``)."""
    F = _validate.finite_array("F", F, ndim=2)
    energy = _validate.positive_fraction("energy", energy)
    with threadpool_limits(limits=1, user_api="blas"):
        s2 = np.linalg.svd(F, compute_uv=False) ** 2
    return int(np.searchsorted(np.cumsum(s2) / np.sum(s2), energy * (1 - 1e-12)) + 1)


def _top_eigenvectors(F: np.ndarray, k: int) -> np.ndarray:
    """Top-``k`` eigenvectors of the (centred) covariance of ``F``, in ``F``'s own coordinates."""
    _, _, Vt = np.linalg.svd(F - F.mean(axis=0), full_matrices=False)
    return Vt[:k].T


def authors_d_sw(F_w: ArrayLike, F_s: ArrayLike, k_w: int, k_s: int, seed: int = 0) -> float:
    r"""The authors' overlap estimate: random projection of the wider features to the narrower width
    :math:`d=\min(p_w,p_s)` (Gaussian, entries :math:`\mathcal N(0,1/d)`, from
    ``numpy.random.default_rng(seed)``), top-:math:`k` covariance eigenvectors :math:`V_w`, :math:`V_s` of
    each model in its own coordinates, and :math:`\|V_w^\top V_s\|_F^2`.

    Parameters
    ----------
    F_w, F_s
        ``M x p_w`` and ``M x p_s`` features of the same inputs.
    k_w, k_s
        Eigenvectors kept per model, at most :math:`d`.
    seed
        Seed of the random projection (unused when the widths are equal: nothing is projected).
    """
    F_w = _validate.finite_array("F_w", F_w, ndim=2)
    F_s = _validate.finite_array("F_s", F_s, ndim=2)
    if F_w.shape[0] != F_s.shape[0]:
        raise ValueError(f"F_w and F_s must have the same rows (inputs), got {F_w.shape} and {F_s.shape}")
    d = min(F_w.shape[1], F_s.shape[1])
    for name, k in (("k_w", k_w), ("k_s", k_s)):
        if _validate.positive_int(name, k) > d:
            raise ValueError(f"{name}={k} exceeds the narrower feature width d = {d}")
    rng = np.random.default_rng(seed)
    project = lambda F: F @ (rng.standard_normal((F.shape[1], d)) / np.sqrt(d)) if F.shape[1] > d else F
    with threadpool_limits(limits=1, user_api="blas"):  # the same bits for any thread count
        V_w = _top_eigenvectors(project(F_w), k_w)
        V_s = _top_eigenvectors(project(F_s), k_s)
        return float(np.sum(np.linalg.svd(V_w.T @ V_s, compute_uv=False) ** 2))
