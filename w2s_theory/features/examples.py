r"""Ready-made feature matrices: scikit-learn's digits (bundled with its wheel, no download) and random
ReLU features.

The digits example (1797 images of 8 x 8 pixels): weak features are the 32 left-half pixels, strong
features all 64 pixels, the target is the digit's value (0-9). Pixels that are constant over the data set
(always 0) are dropped: they are zero after centring, so no principal component changes. With
:math:`k_w=20`, :math:`k_s=8` principal components the two spans overlap by :math:`d_{s\wedge w}\approx5.5`
against an unrelated-spans value of :math:`20\cdot8/1797\approx0.09` (``docs/theory/features.md`` §7).
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from w2s_theory import _validate

#: The digits example's truncation.
DIGITS_K_W, DIGITS_K_S = 20, 8


def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(F_w, F_s, target)``: left-half pixels (``1797 x 29``), all pixels (``1797 x 61``) and the digit
    value, constant pixels dropped. Needs scikit-learn (imported here only)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float64)
    left = X.reshape(-1, 8, 8)[:, :, :4].reshape(-1, 32)
    keep = lambda F: F[:, np.ptp(F, axis=0) > 0]
    return keep(left), keep(X), y.astype(np.float64)


def random_relu_features(F: np.ndarray, width: int, seed: int = 0) -> np.ndarray:
    r""":math:`\max(0,\,FW+b)` with Gaussian :math:`W` (``p x width``, scaled by :math:`1/\sqrt p` on
    standardised columns of ``F``) and uniform offsets :math:`b`; a classic non-Gaussian design."""
    F = _validate.finite_array("F", F, ndim=2)
    width = _validate.positive_int("width", width)
    rng = np.random.default_rng(seed)
    std = F.std(axis=0)
    Z = (F - F.mean(axis=0)) / np.where(std > 0, std, 1.0)
    W = rng.standard_normal((F.shape[1], width)) / np.sqrt(F.shape[1])
    with threadpool_limits(limits=1, user_api="blas"):  # OpenBLAS threads stall on a loaded few-core box
        return np.maximum(Z @ W + rng.uniform(-1.0, 1.0, width), 0.0)
