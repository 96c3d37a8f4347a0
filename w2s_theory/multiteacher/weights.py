r"""Weighting rules for M teachers, given the matrix :math:`Q` of the exact risk
:math:`\rho_s+\alpha^\top Q\alpha` on :math:`\sum_m\alpha_m=1` (``docs/theory/multiteacher.md`` §4).

* :func:`optimal_sum_to_one`: :math:`\alpha^*=Q^{-1}\mathbf 1/(\mathbf 1^\top Q^{-1}\mathbf 1)` (any sign);
* :func:`optimal_simplex`: the minimiser on the simplex, exactly, by enumerating supports;
* :func:`uniform`, :func:`inverse_variance` (:math:`\alpha_m\propto1/Q_{mm}`);
* :func:`min_norm_capped`: AE-KD's rule (Du et al. 2020, Eq. 11 and its tolerance): the min-norm point of
  the convex hull of M vectors with Gram matrix :math:`G` (MGDA), with every weight capped at :math:`C`,
  vectorised over a stack of Gram matrices (one per Monte Carlo trial).

Pure numpy; imports nothing from its siblings.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from w2s_theory import _validate

#: |sum(alpha) - 1| above this is "does not sum to one".
SUM_TOL = 1e-9
#: Candidate weights this far outside [0, cap] still count as feasible (rounding).
FEASIBLE_TOL = 1e-10


def weight_vector(alpha: object, M: int, *, sum_to_one: bool) -> np.ndarray:
    """``alpha`` as a length-``M`` float array; with ``sum_to_one`` it must sum to one (error names it)."""
    a = _validate.finite_array("alpha", alpha, ndim=1)
    if a.shape[0] != M:
        raise ValueError(f"alpha must have one weight per teacher (M = {M}), got {a.shape[0]}")
    if sum_to_one and abs(a.sum() - 1) > SUM_TOL:
        raise ValueError(
            f"alpha must sum to one here (the homogeneous form rho_s + alpha^T Q alpha), got sum {a.sum():.12g}; "
            "use sum_to_one=False for the general quadratic |beta|^2 - 2 alpha^T b + alpha^T Q' alpha"
        )
    return a


def uniform(M: int) -> np.ndarray:
    """:math:`\\alpha_m=1/M`."""
    return np.full(M, 1.0 / M)


def inverse_variance(Q: np.ndarray) -> np.ndarray:
    r""":math:`\alpha_m\propto1/Q_{mm}` (each teacher's own excess risk through the student); optimal iff
    :math:`Q` is diagonal."""
    w = 1.0 / np.diag(Q)
    return w / w.sum()


def optimal_sum_to_one(Q: np.ndarray) -> np.ndarray:
    r""":math:`\alpha^*=Q^{-1}\mathbf 1/(\mathbf 1^\top Q^{-1}\mathbf 1)`, the minimiser of
    :math:`\alpha^\top Q\alpha` on :math:`\sum\alpha=1` (derived in :mod:`w2s_theory.symbolic.multiteacher`);
    weights may be negative."""
    x = np.linalg.solve(Q, np.ones(Q.shape[0]))
    return x / x.sum()


def optimal_simplex(Q: np.ndarray) -> np.ndarray:
    r"""The minimiser of :math:`\alpha^\top Q\alpha` over the simplex, exactly: for every support
    :math:`S` the sum-to-one optimum :math:`\alpha_S=Q_S^{-1}\mathbf 1/(\mathbf 1^\top Q_S^{-1}\mathbf 1)`;
    keep the non-negative ones and return the best (:func:`min_norm_capped` with cap 1)."""
    return min_norm_capped(Q, 1.0)


def min_norm_capped(G: np.ndarray, cap: float = 1.0) -> np.ndarray:
    r"""AE-KD's weights: :math:`\arg\min_\alpha\alpha^\top G\alpha` over :math:`\{0\le\alpha_m\le C,
    \sum\alpha_m=1\}`, i.e. the min-norm point of the convex hull of vectors with Gram matrix :math:`G`
    (MGDA), each weight at most the tolerance cap :math:`C\in[1/M,1]` (:math:`C=1`: plain MGDA;
    :math:`C=1/M`: uniform).

    ``G`` is one ``M x M`` matrix or a stack ``(..., M, M)`` (one per trial). Exact, by enumerating the
    faces: each weight is 0, :math:`C` or free; on the free set :math:`F` the sum-constrained optimum
    solves :math:`G_{FF}\alpha_F=\lambda\mathbf 1-G_{FC}\alpha_C` with :math:`\lambda` fixed by the sum.
    The best feasible candidate is the minimiser (the minimiser is the optimum on its own face).
    :math:`3^M` batched solves: meant for M up to about 8.
    """
    G = np.asarray(G, dtype=float)
    M = G.shape[-1]
    cap = _validate.fraction("cap", cap)
    if cap < 1.0 / M - 1e-12:
        raise ValueError(f"cap must lie in [1/M, 1] = [{1 / M:.6g}, 1] (weights sum to one), got {cap!r}")
    batch = G.shape[:-2]
    best = np.broadcast_to(uniform(M), (*batch, M)).copy()
    best_value = np.full(batch, np.inf)
    for state in product((0, 1, 2), repeat=M):  # 0: weight 0, 1: weight cap, 2: free
        state = np.array(state)
        F, U = np.flatnonzero(state == 2), np.flatnonzero(state == 1)
        rest = 1.0 - cap * U.size
        a = np.zeros((*batch, M))
        a[..., U] = cap
        if F.size == 0:
            if abs(rest) > 1e-12:
                continue
        else:
            if rest < -1e-12:
                continue
            G_FF = G[..., F[:, None], F[None, :]]
            rhs_fixed = np.einsum("...ij,j->...i", G[..., F[:, None], U[None, :]], np.full(U.size, cap))
            with np.errstate(all="ignore"):
                x1 = _solve(G_FF, np.ones(F.size))
                x0 = _solve(G_FF, rhs_fixed)
                lam = (rest + x0.sum(axis=-1)) / x1.sum(axis=-1)
            a[..., F] = lam[..., None] * x1 - x0
        ok = np.all((a >= -FEASIBLE_TOL) & (a <= cap + FEASIBLE_TOL), axis=-1) & np.all(
            np.isfinite(a), axis=-1
        )
        value = np.einsum("...i,...ij,...j->...", a, G, a)
        better = ok & (value < best_value)
        best = np.where(better[..., None], a, best)
        best_value = np.where(better, value, best_value)
    return np.clip(best, 0.0, cap)


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched ``A x = b`` (``b`` broadcast); least squares where a matrix of the batch is singular."""
    b = np.broadcast_to(b, A.shape[:-1])
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.einsum("...ij,...j->...i", np.linalg.pinv(A), b)
