r"""The four ridgeless fits of one trial, from triangular factors of the two designs.

Coordinates. A trial lives in :math:`R=\operatorname{span}(V_w,V_s,\beta)` (``r`` dims, see
:class:`~w2s_theory.discrepancy.model.SubspaceModelData`). The labelled design :math:`Z` (``n x r``) is
written in a *teacher-first* orthonormal basis of :math:`R`, whose first ``d_w`` vectors span
:math:`\mathcal V_w`; the unlabelled design :math:`\tilde Z` (``N x r``) in a *student-first* basis, whose
first ``d_s`` vectors span :math:`\mathcal V_s`. An isotropic design is isotropic in every basis and the
two designs are independent, so this changes no joint law; the teacher's and student's coefficients refer
to these basis vectors, and ridgeless predictors do not depend on the basis of their subspace.

Sufficient statistics. With thin QRs :math:`Z=QT`, :math:`\tilde Z=\tilde Q\tilde T`
(:mod:`w2s_theory._wishart`), every fit below is the same fit on :math:`(T, Q^\top y)` and on the first
:math:`\min(N,d_s)` rows of :math:`(\tilde T,\tilde Q^\top\tilde y)`:

* weak teacher: :math:`\hat c=\arg\min\|T_{:,[:d_w]}c-t\|` (a triangular solve when :math:`n\ge d_w`);
* strong baseline: :math:`\hat s=\arg\min\|TB_s^{L}s-t\|`, :math:`B_s^{L}` the student basis in
  teacher-first coordinates;
* strong ceiling: the stacked problem :math:`[TB_s^{L};\tilde T_{:,[:d_s]}]`, :math:`[t;\tilde t]`;
* W2S student: :math:`\hat w=\arg\min\|\tilde T_{:,[:d_s]}w-\tilde TB_w^{U}\hat c\|` (pseudo-labels
  :math:`\tilde ZB_w^{U}\hat c` only; a triangular solve when :math:`N\ge d_s`).

All are minimum-norm, so ``n <= d_w`` or ``N <= d_s`` (interpolation) is covered. Excess risks are exact
(no test sample): :math:`\|\hat c-b^{L}_{[:d_w]}\|^2+\|b^{L}_{[d_w:]}\|^2` for the teacher and
:math:`\|\theta-b^{U}_{[:d_s]}\|^2+\|b^{U}_{[d_s:]}\|^2` for the three student-space fits.

Compressed unlabelled factor. The unlabelled factor enters the fits only through its first :math:`d_s`
columns and the two products :math:`\tilde T b^{U}` (true labels) and :math:`\tilde TB_w^{U}\hat c`
(pseudo-labels). The student-first basis is chosen so that :math:`\beta`'s part outside :math:`\mathcal V_s`
lies along its basis vector :math:`d_s+1` (:math:`b^{U}_{[d_s+1:]}=0`, :meth:`Problem.from_subspaces`).
The entries of :math:`E=\tilde T_{:,[d_s:]}` are i.i.d. :math:`\mathcal N(0,1)` and independent of
everything else in the trial, and :math:`\hat c` depends on the labelled draws only, so given them
:math:`E_{:,[1:]}v_{[d_s+1:]}` is :math:`\|v_{[d_s+1:]}\|` times a standard normal vector independent of
:math:`E_{:,0}`. Hence the factor :math:`[\tilde T_{:,[:d_s]},\,e_1,\,e_2]` (:math:`d_s+2` columns, the last
two i.i.d. normal) with coordinates :math:`(v_{[:d_s+1]},\|v_{[d_s+1:]}\|)` (:func:`unlabelled_coords`)
gives every per-trial output the same joint law as the full factor. The Wishart engine draws this form
(:func:`unlabelled_width` columns); the design engine passes the full factor; the fits accept either
(:func:`unlabelled_product`).

Misfit (Charikar, Pabbaraju, Shiragur, NeurIPS 2024): the population disagreement of the W2S student and
its teacher, :math:`\mathbb E_x(f_{w2s}(x)-f_w(x))^2=\|\beta_s-\beta_t\|^2`, exact like the risks: the
teacher's latent vector in student-first coordinates is :math:`B_w^{U}\hat c`, so the misfit is
:math:`\|\hat w-(B_w^{U}\hat c)_{[:d_s]}\|^2+\|(B_w^{U}\hat c)_{[d_s:]}\|^2`
(``docs/theory/misfit_gain.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory._linalg import (
    lstsq_leading_columns,
    masked_leading_columns,
    masked_lstsq,
    min_norm_lstsq,
)
from w2s_theory.discrepancy.model import SubspaceModelData

#: A student basis vector's part outside :math:`\mathcal V_w` shorter than this is rounding: the vector is
#: taken to lie in :math:`\mathcal V_w` (a change of the subspace far below any Monte Carlo resolution).
OUTSIDE_MIN = 1e-12


@partial(
    jax.tree_util.register_dataclass,
    data_fields=["b_L", "B_s_L", "s_rows", "s_coefs", "b_U", "B_w_U", "sigma"],
    meta_fields=[],
)
@dataclass(frozen=True)
class Problem:
    r"""The traced part of a trial, in the two bases of the module docstring (:func:`trial_bases`).

    ``b_L`` (r,): :math:`\beta` in teacher-first coordinates; ``B_s_L`` (r, d_s): the student basis there,
    with at most two non-zero entries per column, which ``s_rows`` (2, d_s) and ``s_coefs`` (2, d_s) list
    (:meth:`student_design`); ``b_U`` (r,): :math:`\beta` in student-first coordinates; ``B_w_U``
    (r, d_w): the teacher basis there; ``sigma``: label-noise standard deviation. Shapes are static (they
    fix the compilation), values are not, so a sweep over ``sigma2`` or over subspaces of the same
    dimensions never recompiles.
    """

    b_L: jax.Array
    B_s_L: jax.Array
    s_rows: jax.Array
    s_coefs: jax.Array
    b_U: jax.Array
    B_w_U: jax.Array
    sigma: jax.Array

    @property
    def r(self) -> int:
        return self.b_L.shape[0]

    @property
    def d_w(self) -> int:
        return self.B_w_U.shape[1]

    @property
    def d_s(self) -> int:
        return self.B_s_L.shape[1]

    def student_design(self, T: jax.Array) -> jax.Array:
        r""":math:`TB_s^{L}`, the labelled factor in student coordinates, from the two non-zero entries of
        each column of :math:`B_s^{L}`: two column gathers instead of a matrix product."""
        return (
            T[:, self.s_rows[0]] * self.s_coefs[0][None, :] + T[:, self.s_rows[1]] * self.s_coefs[1][None, :]
        )

    @classmethod
    def from_subspaces(cls, B_w: np.ndarray, B_s: np.ndarray, b_star: np.ndarray, sigma2: float) -> Problem:
        r"""From bases of :math:`\mathcal V_w`, :math:`\mathcal V_s` (full column rank, any scaling) and
        :math:`\beta`, all in coordinates of :math:`\mathbb R^r`. Only the column spaces matter.

        The bases are :func:`trial_bases`; :math:`b^{U}_{[d_s+1:]}` is set to exactly zero (it is zero up
        to rounding), as the compressed unlabelled factor of the module docstring needs, and the entries of
        :math:`B_s^{L}` off its two rows per column (rounding, at most ``1e-12``; checked) to zero."""
        b = np.asarray(b_star, dtype=float)
        Q_L, Q_U, rows = trial_bases(B_w, B_s, b)
        d_w, d_s = np.shape(B_w)[1], np.shape(B_s)[1]
        dense = Q_L.T @ Q_U[:, :d_s]
        coefs = np.take_along_axis(dense, rows, axis=0) * (rows >= 0)
        rows = np.maximum(rows, 0)
        B_s_L = np.zeros_like(dense)
        for j in range(2):
            B_s_L[rows[j], np.arange(d_s)] += coefs[j]
        if np.max(np.abs(dense - B_s_L), initial=0.0) > 1e-12:
            raise RuntimeError("the student basis is not two-sparse in the teacher-first basis (a bug)")
        b_U = Q_U.T @ b
        b_U[d_s + 1 :] = 0.0
        return cls(  # host arrays: a trial program takes them as they are, with no eager device program
            b_L=Q_L.T @ b,
            B_s_L=B_s_L,
            s_rows=rows.astype(np.int32),
            s_coefs=coefs,
            b_U=b_U,
            B_w_U=Q_U.T @ Q_L[:, :d_w],
            sigma=np.sqrt(np.float64(sigma2)),
        )

    @classmethod
    def from_model(cls, model: SubspaceModelData) -> Problem:
        return cls.from_subspaces(model.B_w, model.B_s, model.b_star, model.sigma2)


def trial_bases(
    B_w: np.ndarray, B_s: np.ndarray, b_star: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The teacher-first and student-first orthonormal bases of :math:`\mathbb R^r` (columns) and where
    the student basis vectors sit in the first one.

    Principal vectors (the SVD :math:`U_w^\top U_s=P\Sigma Q^\top` of orthonormal bases of the two
    subspaces): teacher vectors :math:`a_i=U_wP_{:,i}`, student vectors :math:`s_i=U_sQ_{:,i}`, with
    :math:`a_i^\top s_j=\cos\theta_i\,\delta_{ij}`. So :math:`s_i=\cos\theta_i\,a_i+c_i` with the parts
    :math:`c_i\perp\mathcal V_w` mutually orthogonal. The teacher-first basis is a Householder QR of
    :math:`[a_1..a_{d_w},c_i\ (\|c_i\|>` :data:`OUTSIDE_MIN` :math:`)]` completed to :math:`\mathbb R^r`,
    in which :math:`s_i` has two non-zero coordinates: :math:`i` (if :math:`i<\min(d_w,d_s)`) and
    :math:`d_w+` the rank of :math:`c_i` among the kept parts. The student-first basis is
    :func:`student_first_basis` of :math:`[s_1..s_{d_s}]`. Both are bases of the subspaces like any other,
    and ridgeless predictors do not depend on the basis of their subspace.

    Returns ``(Q_L, Q_U, rows)``: ``rows`` (2, d_s) holds those two coordinates, ``-1`` where absent."""
    U_w = np.linalg.qr(np.asarray(B_w, dtype=float))[0]
    U_s = np.linalg.qr(np.asarray(B_s, dtype=float))[0]
    d_w, d_s = U_w.shape[1], U_s.shape[1]
    P, cos, Qt = np.linalg.svd(U_w.T @ U_s)
    A, S = U_w @ P, U_s @ Qt.T
    k = cos.size
    C = S.copy()
    C[:, :k] -= A[:, :k] * cos
    outside = np.flatnonzero(np.linalg.norm(C, axis=0) > OUTSIDE_MIN)
    Q_L = np.linalg.qr(np.concatenate([A, C[:, outside]], axis=1), mode="complete")[0]
    rows = np.full((2, d_s), -1)
    rows[0, :k] = np.arange(k)
    rows[1, outside] = d_w + np.arange(outside.size)
    return Q_L, student_first_basis(S, b_star), rows


def student_first_basis(B_s: np.ndarray, b_star: np.ndarray) -> np.ndarray:
    r"""A student-first orthonormal basis of :math:`\mathbb R^r` (columns): its first ``d_s`` vectors span
    the columns of ``B_s`` (they are ``B_s`` up to signs when its columns are orthonormal), and vector
    ``d_s + 1`` is along :math:`\beta`'s part outside them (any unit vector there if that part is zero),
    so :math:`\beta` has zero coordinates past ``d_s + 1`` up to rounding."""
    Q_U = np.linalg.qr(np.asarray(B_s, dtype=float), mode="complete")[0]
    outside = Q_U[:, np.shape(B_s)[1] :]
    if outside.shape[1]:  # a reflection whose first column is beta's part outside V_s, normalised
        b = np.asarray(b_star, dtype=float)
        Q_U[:, np.shape(B_s)[1] :] = outside @ np.linalg.qr((outside.T @ b)[:, None], mode="complete")[0]
    return Q_U


def unlabelled_width(r: int, d_s: int) -> int:
    """Columns of the compressed unlabelled factor (module docstring): ``d_s + 2``, or ``r`` if that is
    no larger (then it is the full factor)."""
    return min(r, d_s + 2)


def unlabelled_coords(v: jax.Array, width: int, d_s: int) -> jax.Array:
    r"""The coordinates that stand for the student-first vector ``v`` (length ``r``) on an unlabelled factor
    of ``width`` columns: ``v`` itself for the full factor, else :math:`(v_{[:d_s+1]},\|v_{[d_s+1:]}\|)`."""
    if width == v.shape[0]:
        return v
    return jnp.concatenate([v[: d_s + 1], jnp.sqrt(v[d_s + 1 :] @ v[d_s + 1 :])[None]])


def unlabelled_product(T_u: jax.Array, v: jax.Array, d_s: int) -> jax.Array:
    r"""The unlabelled factor times the student-first vector ``v``: :math:`\tilde Tv` for the full factor,
    and a draw with its joint law for the compressed one (module docstring)."""
    return T_u @ unlabelled_coords(v, T_u.shape[1], d_s)


def excess_risk(theta: jax.Array, b: jax.Array) -> jax.Array:
    """Excess risk of the fit ``theta`` on the leading basis vectors, target coordinates ``b``."""
    d = theta.shape[0]
    err = theta - b[:d]
    return err @ err + b[d:] @ b[d:]


def _risks(c_hat: jax.Array, s_hat: jax.Array, ceiling_hat: jax.Array, w2s_hat: jax.Array, p: Problem):
    return {
        "weak": excess_risk(c_hat, p.b_L),
        "strong": excess_risk(s_hat, p.b_U),
        "ceiling": excess_risk(ceiling_hat, p.b_U),
        "w2s": excess_risk(w2s_hat, p.b_U),
        "misfit": excess_risk(w2s_hat, p.B_w_U @ c_hat),
    }


def risks_from_factors(
    T: jax.Array, t: jax.Array, T_u: jax.Array, t_u: jax.Array, p: Problem
) -> dict[str, jax.Array]:
    r"""Excess risks of the four fits from the labelled factor ``T`` (:math:`\min(n,r)\times r`), ``t`` and
    the first :math:`\min(N,d_s)` rows ``T_u``, ``t_u`` of the unlabelled one (full or compressed, module
    docstring), and the W2S student's population ``misfit`` to its teacher, :math:`\|\beta_s-\beta_t\|^2`."""
    c_hat = lstsq_leading_columns(T, t, p.d_w)
    X_s = p.student_design(T)
    S = T_u[:, : p.d_s]
    gram = X_s.T @ X_s  # the baseline's Gram (tall X_s), and the ceiling's with S'S added (tall stack)
    s_hat = min_norm_lstsq(X_s, t, gram=gram if X_s.shape[0] >= p.d_s else None)
    stacked = jnp.concatenate([X_s, S])
    tall = stacked.shape[0] >= p.d_s
    ceiling_hat = min_norm_lstsq(stacked, jnp.concatenate([t, t_u]), gram=gram + S.T @ S if tall else None)
    w2s_hat = lstsq_leading_columns(T_u, unlabelled_product(T_u, p.B_w_U @ c_hat, p.d_s), p.d_s)
    return _risks(c_hat, s_hat, ceiling_hat, w2s_hat, p)


def risks_from_leading_rows(
    T: jax.Array, t: jax.Array, T_u: jax.Array, t_u: jax.Array, m: jax.Array, M: jax.Array, p: Problem
) -> dict[str, jax.Array]:
    r""":func:`risks_from_factors` on the leading ``m`` rows of ``T`` (``r`` rows, the others zero) and the
    leading ``M`` rows of ``T_u`` (``d_s`` rows, the others zero), ``m``, ``M`` traced: every fit is the
    same fit on its kept rows (:func:`w2s_theory._linalg.masked_lstsq`), so one compiled program serves
    every sample size."""
    keep = (jnp.arange(T.shape[0]) < m).astype(T.dtype)
    keep_u = (jnp.arange(T_u.shape[0]) < M).astype(T.dtype)
    c_hat = masked_leading_columns(T, t, p.d_w, m)
    X_s = p.student_design(T)
    s_hat = masked_lstsq(X_s, t, keep, m)
    ceiling_hat = masked_lstsq(
        jnp.concatenate([X_s, T_u[:, : p.d_s]]),
        jnp.concatenate([t, t_u]),
        jnp.concatenate([keep, keep_u]),
        m + M,
    )
    w2s_hat = masked_leading_columns(T_u, unlabelled_product(T_u, p.B_w_U @ c_hat, p.d_s), p.d_s, M)
    return _risks(c_hat, s_hat, ceiling_hat, w2s_hat, p)
