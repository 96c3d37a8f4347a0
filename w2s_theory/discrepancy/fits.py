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


@partial(
    jax.tree_util.register_dataclass,
    data_fields=["b_L", "B_s_L", "b_U", "B_w_U", "sigma"],
    meta_fields=[],
)
@dataclass(frozen=True)
class Problem:
    r"""The traced part of a trial, in the two bases of the module docstring.

    ``b_L`` (r,): :math:`\beta` in teacher-first coordinates; ``B_s_L`` (r, d_s): the student basis there;
    ``b_U`` (r,): :math:`\beta` in student-first coordinates; ``B_w_U`` (r, d_w): the teacher basis there;
    ``sigma``: label-noise standard deviation. Shapes are static (they fix the compilation), values are
    not, so a sweep over ``sigma2`` or over subspaces of the same dimensions never recompiles.
    """

    b_L: jax.Array
    B_s_L: jax.Array
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

    @classmethod
    def from_subspaces(cls, B_w: np.ndarray, B_s: np.ndarray, b_star: np.ndarray, sigma2: float) -> Problem:
        r"""From bases of :math:`\mathcal V_w`, :math:`\mathcal V_s` (full column rank, any scaling) and
        :math:`\beta`, all in coordinates of :math:`\mathbb R^r`. Only the column spaces matter.

        The student-first basis is :func:`student_first_basis`, and :math:`b^{U}_{[d_s+1:]}` is set to
        exactly zero (it is zero up to rounding), as the compressed unlabelled factor of the module
        docstring needs."""
        Q_L = np.linalg.qr(np.asarray(B_w, dtype=float), mode="complete")[0]  # first d_w columns span V_w
        b = np.asarray(b_star, dtype=float)
        Q_U = student_first_basis(B_s, b)
        d_w, d_s = np.shape(B_w)[1], np.shape(B_s)[1]
        b_U = Q_U.T @ b
        b_U[d_s + 1 :] = 0.0
        return cls(  # host arrays: a trial program takes them as they are, with no eager device program
            b_L=Q_L.T @ b,
            B_s_L=Q_L.T @ Q_U[:, :d_s],
            b_U=b_U,
            B_w_U=Q_U.T @ Q_L[:, :d_w],
            sigma=np.sqrt(np.float64(sigma2)),
        )

    @classmethod
    def from_model(cls, model: SubspaceModelData) -> Problem:
        return cls.from_subspaces(model.B_w, model.B_s, model.b_star, model.sigma2)


def student_first_basis(B_s: np.ndarray, b_star: np.ndarray) -> np.ndarray:
    r"""The student-first orthonormal basis of :math:`\mathbb R^r` (columns): its first ``d_s`` vectors span
    the columns of ``B_s``, and vector ``d_s + 1`` is along :math:`\beta`'s part outside them (any unit
    vector there if that part is zero), so :math:`\beta` has zero coordinates past ``d_s + 1`` up to
    rounding."""
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


def _risk(theta: jax.Array, b: jax.Array) -> jax.Array:
    """Excess risk of the fit ``theta`` on the leading basis vectors, target coordinates ``b``."""
    d = theta.shape[0]
    err = theta - b[:d]
    return err @ err + b[d:] @ b[d:]


def _risks(c_hat: jax.Array, s_hat: jax.Array, ceiling_hat: jax.Array, w2s_hat: jax.Array, p: Problem):
    return {
        "weak": _risk(c_hat, p.b_L),
        "strong": _risk(s_hat, p.b_U),
        "ceiling": _risk(ceiling_hat, p.b_U),
        "w2s": _risk(w2s_hat, p.b_U),
        "misfit": _risk(w2s_hat, p.B_w_U @ c_hat),
    }


def risks_from_factors(
    T: jax.Array, t: jax.Array, T_u: jax.Array, t_u: jax.Array, p: Problem
) -> dict[str, jax.Array]:
    r"""Excess risks of the four fits from the labelled factor ``T`` (:math:`\min(n,r)\times r`), ``t`` and
    the first :math:`\min(N,d_s)` rows ``T_u``, ``t_u`` of the unlabelled one (full or compressed, module
    docstring), and the
    W2S student's population ``misfit`` to its teacher, :math:`\|\beta_s-\beta_t\|^2`."""
    c_hat = lstsq_leading_columns(T, t, p.d_w)
    X_s = T @ p.B_s_L
    s_hat = min_norm_lstsq(X_s, t)
    ceiling_hat = min_norm_lstsq(jnp.concatenate([X_s, T_u[:, : p.d_s]]), jnp.concatenate([t, t_u]))
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
    X_s = T @ p.B_s_L
    s_hat = masked_lstsq(X_s, t, keep, m)
    ceiling_hat = masked_lstsq(
        jnp.concatenate([X_s, T_u[:, : p.d_s]]),
        jnp.concatenate([t, t_u]),
        jnp.concatenate([keep, keep_u]),
        m + M,
    )
    w2s_hat = masked_leading_columns(T_u, unlabelled_product(T_u, p.B_w_U @ c_hat, p.d_s), p.d_s, M)
    return _risks(c_hat, s_hat, ceiling_hat, w2s_hat, p)
