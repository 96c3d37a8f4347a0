r"""One Monte Carlo trial of weak-to-strong ridge regression in the Gaussian covariate model: the exact
pipeline, with two engines that draw the same law.

Coordinates. :math:`(U_w^\top\phi_w,U_s^\top\phi_s,f_*)=M^\top z`, :math:`z\sim\mathcal N(0,I_r)`, with
:math:`M=[B_w,B_s,b]` the model's :attr:`~w2s_theory.gcm.model.GaussianCovariateModelData.joint_factor`
(padded with zero rows to a multiple of :data:`ROW_BUCKET`, which adds latent coordinates nothing depends
on, so models of nearby ranks share one compilation). Ridge fits on the range coordinates
:math:`U_w^\top\phi_w` give the same predictions as on :math:`\phi_w` (features have no component in the
null space, and the penalty is rotation invariant), and every excess risk is exact, with no test sample:
:math:`\mathrm{ER}(\theta)=\mathbb E(\phi^\top\theta-f_*)^2=\|B\theta-b\|^2`.

One trial: labelled latent design :math:`Z` (``n x r``) with labels :math:`y=Zb+\sigma\epsilon`, an
independent unlabelled :math:`\tilde Z` (``N x r``) with true labels :math:`\tilde y=\tilde Zb+\sigma\tilde\epsilon`
(seen by the ceiling only). With :math:`\mathrm{ridge}(X,y,\mu)=\arg\min\|X\theta-y\|^2+\mu\|\theta\|^2`
(:func:`w2s_theory._linalg.min_norm_lstsq`, the :math:`1/m`-normalised penalty :math:`\lambda` becoming
:math:`\mu=m\lambda`):

* teacher :math:`\hat\theta_w=\mathrm{ridge}(ZB_w,y,n\lambda_w)`;
* strong baseline :math:`\mathrm{ridge}(ZB_s,y,n\lambda_s)`;
* ceiling :math:`\mathrm{ridge}([ZB_s;\tilde ZB_s],[y;\tilde y],(n+N)\lambda_s)`;
* W2S student :math:`\mathrm{ridge}(\tilde ZB_s,\tilde ZB_w\hat\theta_w,N\lambda_s)` (pseudo-labels only).

Engines (``Static.engine``):

* ``"wishart"`` (default): every fit depends on a design only through :math:`Z^\top Z` and :math:`Z^\top y`,
  so it is the same fit on the triangular factor :math:`T` of :math:`Z=QT` and :math:`t=Q^\top y`
  (rows rotated). :math:`T` is drawn directly by the Bartlett decomposition
  (:func:`w2s_theory._wishart.bartlett_factors`, :math:`\min(n,r)` rows), :math:`t=Tb+\sigma g`,
  :math:`g\sim\mathcal N(0,I)`; likewise :math:`\tilde T`, :math:`\tilde t`. The cost no longer depends on
  ``n`` and ``N``, which are traced: a grid over sample sizes compiles once per ``rows``.
* ``"design"``: the full designs, the literal pipeline; the reference for the Wishart engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory._linalg import masked_min_norm, min_norm_lstsq, smaller_gram
from w2s_theory._trials import map_points
from w2s_theory._wishart import bartlett_factors, diagonals, off_diagonals
from w2s_theory.gcm.model import GaussianCovariateModelData

Engine = Literal["wishart", "design"]
ENGINES: tuple[str, ...] = ("wishart", "design")
RISK_KEYS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s")
#: The latent dimension r of a trial is padded to a multiple of this (fewer compilations).
ROW_BUCKET = 32


@partial(
    jax.tree_util.register_dataclass,
    data_fields=["B_w", "B_s", "b", "sigma", "lam_w", "lam_s"],
    meta_fields=[],
)
@dataclass(frozen=True)
class Problem:
    r"""The traced part of a trial: ``B_w`` (r, r_w), ``B_s`` (r, r_s), ``b`` (r,) (module docstring),
    the noise standard deviation ``sigma`` and the penalties ``lam_w``, ``lam_s``. Shapes are static,
    values are not: a sweep over penalties, noise or moments of the same ranks never recompiles."""

    B_w: jax.Array
    B_s: jax.Array
    b: jax.Array
    sigma: jax.Array
    lam_w: jax.Array
    lam_s: jax.Array

    @property
    def r(self) -> int:
        return self.b.shape[0]

    @classmethod
    def from_model(cls, model: GaussianCovariateModelData, lam_w: float, lam_s: float) -> Problem:
        """The model's joint factor, padded to a multiple of :data:`ROW_BUCKET` rows."""
        M = model.joint_factor
        r_w, r_s = model.rank_w, model.rank_s
        r = -(-M.shape[0] // ROW_BUCKET) * ROW_BUCKET
        M = np.pad(M, ((0, r - M.shape[0]), (0, 0)))
        f64 = lambda x: jnp.asarray(x, dtype=float)
        return cls(
            B_w=f64(M[:, :r_w]),
            B_s=f64(M[:, r_w : r_w + r_s]),
            b=f64(M[:, -1]),
            sigma=f64(np.sqrt(model.sigma2)),
            lam_w=f64(lam_w),
            lam_s=f64(lam_s),
        )


class Traced(NamedTuple):
    """The traced arguments of a trial: the problem and the sample sizes (floats: the penalties scale with
    them, and the Wishart engine's chi-square degrees of freedom are ``n`` and ``N``)."""

    problem: Problem
    n: jax.Array
    N: jax.Array


@dataclass(frozen=True)
class Static:
    """What fixes a trial's shapes: the engine, ``r``, the ranks ``r_w``, ``r_s``, the rows of the two
    draws (:func:`rows_for`) and, for a penalty curve, its number of penalty pairs ``curve`` (0: one
    pair, scalars ``lam_w``, ``lam_s``); ``padded``: ``curve`` points of sample sizes instead, on the
    leading rows of full-size factors (:func:`grid_risks`)."""

    engine: Engine
    r: int
    r_w: int
    r_s: int
    rows: tuple[int, int]
    curve: int = 0
    padded: bool = False


def rows_for(engine: Engine, n: int, N: int, r: int) -> tuple[int, int]:
    """Rows of the labelled and unlabelled draws: ``(n, N)`` for the design engine, ``(min(n, r),
    min(N, r))`` factor rows for the Wishart engine."""
    return (n, N) if engine == "design" else (min(n, r), min(N, r))


def _draws(key: jax.Array, traced: Traced, static: Static) -> tuple[jax.Array, ...]:
    """``Z, y, Zu, yu``: full designs (design engine) or their Bartlett factors (Wishart engine)."""
    p = traced.problem
    rows, rows_u = static.rows
    if static.engine == "design":
        k_z, k_e, k_zu, k_eu = jax.random.split(key, 4)
        Z = jax.random.normal(k_z, (rows, static.r))
        Zu = jax.random.normal(k_zu, (rows_u, static.r))
        g, g_u = jax.random.normal(k_e, (rows,)), jax.random.normal(k_eu, (rows_u,))
    else:  # one sampler call for both factors and both noise vectors
        Z, Zu, g, g_u = bartlett_factors(key, [traced.n, traced.N], static.r, static.rows, noise=static.rows)
    return Z, Z @ p.b + p.sigma * g, Zu, Zu @ p.b + p.sigma * g_u


def _excess_risk(B: jax.Array, theta: jax.Array, b: jax.Array) -> jax.Array:
    r""":math:`\mathbb E(\phi^\top\theta-f_*)^2=\|B\theta-b\|^2` (exact, never negative)."""
    err = B @ theta - b
    return err @ err


class Designs(NamedTuple):
    """What the fits of one trial read: the labels ``y`` and the unlabelled draw ``Zu`` (:func:`_draws`), the
    teacher's ``X_w``, the strong features ``X_s`` and ``Xu_s`` of the two draws, and the ceiling's stacked
    ``X_c``, ``y_c``."""

    y: jax.Array
    Zu: jax.Array
    X_w: jax.Array
    X_s: jax.Array
    Xu_s: jax.Array
    X_c: jax.Array
    y_c: jax.Array


def _designs(key: jax.Array, traced: Traced, static: Static) -> Designs:
    p = traced.problem
    Z, y, Zu, yu = _draws(key, traced, static)
    X_w, X_s, Xu_s = Z @ p.B_w, Z @ p.B_s, Zu @ p.B_s
    return Designs(y, Zu, X_w, X_s, Xu_s, jnp.concatenate([X_s, Xu_s]), jnp.concatenate([y, yu]))


def _risks(
    p: Problem, n: jax.Array, N: jax.Array, d: Designs, lam_w: jax.Array, lam_s: jax.Array, grams=(None,) * 4
) -> dict[str, jax.Array]:
    """The four ridge fits at one penalty pair and their exact excess risks (module docstring); ``grams``
    are the designs' Gram matrices when computed once for several penalties."""
    theta_w = min_norm_lstsq(d.X_w, d.y, n * lam_w, grams[0])
    theta_strong = min_norm_lstsq(d.X_s, d.y, n * lam_s, grams[1])
    theta_ceiling = min_norm_lstsq(d.X_c, d.y_c, (n + N) * lam_s, grams[2])
    theta_w2s = min_norm_lstsq(d.Xu_s, d.Zu @ (p.B_w @ theta_w), N * lam_s, grams[3])
    return _fit_risks(p, theta_w, theta_strong, theta_ceiling, theta_w2s)


def _fit_risks(
    p: Problem, theta_w: jax.Array, theta_strong: jax.Array, theta_ceiling: jax.Array, theta_w2s: jax.Array
) -> dict[str, jax.Array]:
    """The four fits' exact excess risks (:func:`_excess_risk`)."""
    return {
        "weak": _excess_risk(p.B_w, theta_w, p.b),
        "strong": _excess_risk(p.B_s, theta_strong, p.b),
        "ceiling": _excess_risk(p.B_s, theta_ceiling, p.b),
        "w2s": _excess_risk(p.B_s, theta_w2s, p.b),
    }


def trial_risks(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    """Excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` of one trial (module docstring).

    For a penalty curve (``static.curve`` pairs, ``lam_w`` and ``lam_s`` vectors) the draws, the feature
    designs and their Gram matrices are formed once and every pair's fits (a Cholesky factor and solves
    each) reuse them: the risks get a last axis, one entry per pair, each what a single-pair trial with the
    same key gives. For a grid of sample sizes (``static.padded``): :func:`grid_risks`."""
    if static.padded:
        return grid_risks(key, traced, static)
    p = traced.problem
    d = _designs(key, traced, static)
    if not static.curve:
        return _risks(p, traced.n, traced.N, d, p.lam_w, p.lam_s)
    grams = tuple(smaller_gram(X) for X in (d.X_w, d.X_s, d.X_c, d.Xu_s))
    at = lambda lam: _risks(p, traced.n, traced.N, d, lam[0], lam[1], grams)
    return map_points(at, (p.lam_w, p.lam_s))


def _kept_fit(X: jax.Array, y: jax.Array, keep: jax.Array, count: jax.Array, mu: jax.Array, gram: jax.Array):
    """The ridge fit (penalty ``mu``, may be 0) on the kept rows of ``X`` (the other rows zero): through the
    Gram matrix ``gram`` (:math:`X^\top X`) where the kept rows are at least the columns or the penalty is
    positive (a zero row adds nothing), else the minimum-norm interpolant of the kept rows."""
    return jax.lax.cond(
        (count >= X.shape[1]) | (mu > 0),
        lambda _: min_norm_lstsq(X, y, mu, gram),
        lambda _: masked_min_norm(X, y, keep),
        None,
    )


def grid_risks(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    r"""Every point ``(n[j], N[j])`` of a grid of sample sizes (Wishart engine, ``static.rows = (r, r)``) on
    one trial's draws: point ``j`` uses the leading :math:`\min(n_j,r)` and :math:`\min(N_j,r)` rows of the
    two full-size Bartlett factors, with its own chi-square diagonals (degrees of freedom :math:`n_j-i`,
    :math:`N_j-i`); the leading rows of such a factor are the factor of an :math:`n_j`-row design, so each
    point is an exact draw of the one-point law, and where both factors are full it is a one-point trial's
    own draw (same layout; to rounding). A factor is :math:`T=U+\operatorname{diag}(t)` with :math:`U` its
    strictly upper part, shared by every point, so the products :math:`UB` are formed once per trial and a
    point's designs :math:`TB=UB+\operatorname{diag}(t)B` cost :math:`O(rp)`; each point then forms its Gram
    matrices (the ceiling's is the sum of the other two) and its four fits on the kept rows. The outputs get
    a last axis, one entry per point."""
    p = traced.problem
    k_diag, k_off = jax.random.split(key)  # as bartlett_factors splits it
    U, U_u, g, g_u = off_diagonals(k_off, static.r, static.rows, noise=static.rows)
    UB_w, UB_s, Ub = U @ p.B_w, U @ p.B_s, U @ p.b
    U_uB_s, U_ub = U_u @ p.B_s, U_u @ p.b

    def at(sizes):
        n, N = sizes
        used = (jnp.minimum(n, static.r), jnp.minimum(N, static.r))
        diag = diagonals(k_diag, sizes, static.rows, used)
        t, t_u = diag[: static.r], diag[static.r :]
        keep, keep_u = ((jnp.arange(static.r) < u).astype(t.dtype) for u in used)
        X_w = keep[:, None] * (UB_w + t[:, None] * p.B_w)
        X_s = keep[:, None] * (UB_s + t[:, None] * p.B_s)
        Xu_s = keep_u[:, None] * (U_uB_s + t_u[:, None] * p.B_s)
        y = keep * (Ub + t * p.b + p.sigma * g)
        y_u = keep_u * (U_ub + t_u * p.b + p.sigma * g_u)
        G_s, G_us = X_s.T @ X_s, Xu_s.T @ Xu_s
        theta_w = _kept_fit(X_w, y, keep, used[0], n * p.lam_w, X_w.T @ X_w)
        theta_strong = _kept_fit(X_s, y, keep, used[0], n * p.lam_s, G_s)
        X_c, keep_c = jnp.concatenate([X_s, Xu_s]), jnp.concatenate([keep, keep_u])
        theta_ceiling = _kept_fit(
            X_c, jnp.concatenate([y, y_u]), keep_c, used[0] + used[1], (n + N) * p.lam_s, G_s + G_us
        )
        teacher = p.B_w @ theta_w  # pseudo-labels: the unlabelled factor times the teacher's latent vector
        labels = keep_u * (U_u @ teacher + t_u * teacher)
        theta_w2s = _kept_fit(Xu_s, labels, keep_u, used[1], N * p.lam_s, G_us)
        return _fit_risks(p, theta_w, theta_strong, theta_ceiling, theta_w2s)

    return map_points(at, (traced.n, traced.N))


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes, an upper estimate): the two draws and their feature
    designs, plus a few Gram-sized matrices."""
    rows = sum(static.rows)
    widest = max(static.r_w, static.r_s)
    return 8 * (
        rows * (static.r + static.r_w + 2 * static.r_s + 2) + 6 * widest * widest + 2 * static.r * widest
    )
