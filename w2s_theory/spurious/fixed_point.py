r"""The constants :math:`(a,b)` of the exact proportional limit F3 (``docs/theory/spurious.md`` §8.3).

For the product design :math:`\Phi=[z_i\otimes w_i]` with :math:`m=d_z/\gamma` rows, the deterministic
equivalent of :math:`(\Phi^\top\Phi/m)^{-1}` is :math:`I_{d_z}\otimes Q`,
:math:`Q^{-1}=\mathbb E[ww^\top/(1+\gamma\,w^\top Qw)]`. In coordinates whitened by the training law
(:math:`w=[1;x]`, :math:`x\sim\mathcal N(0,I_{p-1})`, soft model) symmetry gives
:math:`Q=\operatorname{diag}(a,bI_{p-1})` with

.. math::
    a=\frac{1}{1-p\gamma}\ \text{(trace identity, exact)},\qquad
    \frac1b=\frac{1}{p-1}\,\mathbb E\Big[\frac{X}{1+\gamma a+\gamma bX}\Big],\quad X\sim\chi^2_{p-1}.

:func:`product_design_constants` solves the one-dimensional equation for :math:`b` by bracketing and
Brent's method; the expectation is an adaptive quadrature against the :math:`\chi^2` density.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import integrate, optimize

#: Absolute tolerance on b (b is O(1)); the quadrature is ~1e-13 accurate.
B_XTOL = 1e-13


def _chi2_mean(fn, k: int) -> float:
    """E fn(X) for X ~ chi2_k by adaptive quadrature (split at the mean, where the density's mass sits)."""
    log_norm = -0.5 * k * math.log(2.0) - math.lgamma(0.5 * k)

    def integrand(x: float) -> float:
        return fn(x) * math.exp(log_norm + (0.5 * k - 1.0) * math.log(x) - 0.5 * x) if x > 0 else 0.0

    head, _ = integrate.quad(integrand, 0.0, k, epsabs=1e-14, epsrel=1e-13, limit=200)
    tail, _ = integrate.quad(integrand, k, np.inf, epsabs=1e-14, epsrel=1e-13, limit=200)
    return head + tail


def b_equation(b: float, ratio: float, p: int) -> float:
    r"""Residual :math:`\frac{b}{p-1}\mathbb E[X/(1+\gamma a+\gamma bX)]-1` (increasing in :math:`b`)."""
    k = p - 1
    c = 1.0 + ratio / (1.0 - p * ratio)
    return b * _chi2_mean(lambda x: x / (c + ratio * b * x), k) / k - 1.0


@lru_cache(maxsize=4096)
def _constants(ratio: float, p: int) -> tuple[float, float]:
    a = 1.0 / (1.0 - p * ratio)
    if ratio == 0.0:
        return 1.0, 1.0
    k = p - 1
    # Jensen (bX/(c+gamma bX) is concave in X) gives f(b) <= b/(c + gamma b k), so the root is >= lo.
    lo = (1.0 + ratio * a) / (1.0 - ratio * k)
    hi = 2.0 * lo
    while b_equation(hi, ratio, p) < 0.0:  # f(b) -> 1/(gamma k) > 1 as b -> inf, so this ends
        hi *= 2.0
    b = optimize.brentq(b_equation, lo, hi, args=(ratio, p), xtol=B_XTOL, rtol=4 * np.finfo(float).eps)
    return a, float(b)


def product_design_constants(ratio: float, p: int) -> tuple[float, float]:
    r"""``(a, b)`` for ``ratio`` :math:`=d_z/m` (:math:`\gamma_z` for the teacher, :math:`\nu_z` for the
    student) and ``p`` features per core coordinate (:math:`p_T` or :math:`p_S`). Needs
    :math:`p\cdot\text{ratio}<1` (more rows than columns) and :math:`p\ge2`."""
    ratio = float(ratio)
    if not (np.isfinite(ratio) and ratio >= 0.0):
        raise ValueError(f"ratio d_z/m must be a finite number >= 0, got {ratio!r}")
    if int(p) != p or p < 2:
        raise ValueError(
            f"p must be an integer >= 2 (one constant and at least one group feature), got {p!r}"
        )
    if p * ratio >= 1.0:
        raise ValueError(
            f"p * ratio = {p} * {ratio:g} = {p * ratio:g} >= 1: the F3 limit needs more rows than columns "
            "(p_T gamma_z < 1 for the teacher, p_S nu_z < 1 for the student)"
        )
    return _constants(ratio, int(p))
