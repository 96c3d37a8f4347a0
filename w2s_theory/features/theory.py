r"""Predicted W2S curves of a feature model: the exact finite-sample forms at its invariants.

With :math:`q(d,m)=d/(m-d-1)` (the inverse-Wishart mean, :math:`\mathbb E\operatorname{tr}(Z^\top Z)^{-1}`
for ``m`` Gaussian rows in ``d`` dimensions):

.. math::
    \mathrm{weak}&=\rho_w+(\sigma^2+\rho_w)\,q(d_w,n),\qquad
    \mathrm{strong}=\rho_s+(\sigma^2+\rho_s)\,q(d_s,n),\qquad
    \mathrm{ceiling}=\rho_s+(\sigma^2+\rho_s)\,q(d_s,n+N),\\
    \mathrm{w2s}&=\rho_s+\|P_s(I-P_w)f_*\|^2+\frac{\sigma^2+\rho_w}{n-d_w-1}
    \big[d_{s\wedge w}+(d_w-d_{s\wedge w})\,q(d_s,N)\big]+q(d_s,N)\,\|(I-P_s)P_wf_*\|^2.

These are the subspace model's exact expectations (Dong et al., ICML 2025, derived in
:mod:`w2s_theory.symbolic.discrepancy`; :func:`w2s_theory.discrepancy.theory.expected_risks`) with the
rows as the population: exact for a Gaussian design, approximate for resampled real rows, with an error
the design factor of :mod:`w2s_theory.features.design` measures (``docs/theory/features.md`` §3-§5).
Every function here broadcasts over integer grids of ``n`` and ``N``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory.discrepancy import theory as subspace_theory
from w2s_theory.features.model import FeatureModelData


def _on_grid(out: dict[str, np.ndarray], n: ArrayLike, N: ArrayLike) -> dict[str, np.ndarray]:
    """Every quantity on the broadcast grid of ``n`` and ``N`` (the weak and strong risks do not depend on
    ``N``, but a curve vs ``N`` still wants one value per point)."""
    shape = np.broadcast_shapes(np.shape(n), np.shape(N))
    return {key: np.array(np.broadcast_to(value, shape)) for key, value in out.items()}


def expected_risks(model: FeatureModelData, n: ArrayLike, N: ArrayLike) -> dict[str, np.ndarray]:
    """Exact-form ``weak``, ``strong``, ``ceiling``, ``w2s`` and ``pgr``, ``opr`` (ratios of expectations)
    at ``n``, ``N`` (integers or integer arrays; every output has their broadcast shape); needs
    :math:`n>\\max(d_w,d_s)+1`, :math:`N>d_s+1`."""
    out = subspace_theory.expected_risks(n=n, N=N, floor=model.rounding_floor, **model.invariants())
    return _on_grid(out, n, N)


def paper_risks(model: FeatureModelData, n: ArrayLike, N: ArrayLike) -> dict[str, np.ndarray]:
    r"""The paper's stated forms at the same invariants (:func:`w2s_theory.discrepancy.theory.paper_risks`):
    :math:`\sigma^2D_N/(n-d_w-1)+\rho_w+\rho_s` for W2S, :math:`\sigma^2d/n+\rho` for the others. They
    drop the two bias terms, which dominate on real features (``docs/theory/features.md`` §4)."""
    out = subspace_theory.paper_risks(n=n, N=N, floor=model.rounding_floor, **model.invariants())
    return _on_grid(out, n, N)
