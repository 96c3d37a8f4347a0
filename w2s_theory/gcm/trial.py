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

from w2s_theory._linalg import min_norm_lstsq, smaller_gram
from w2s_theory._wishart import bartlett_factors
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
    pair, scalars ``lam_w``, ``lam_s``)."""

    engine: Engine
    r: int
    r_w: int
    r_s: int
    rows: tuple[int, int]
    curve: int = 0


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
    same key gives."""
    p = traced.problem
    d = _designs(key, traced, static)
    if not static.curve:
        return _risks(p, traced.n, traced.N, d, p.lam_w, p.lam_s)
    grams = tuple(smaller_gram(X) for X in (d.X_w, d.X_s, d.X_c, d.Xu_s))
    at = lambda lam: _risks(p, traced.n, traced.N, d, lam[0], lam[1], grams)
    if static.curve == 1:  # inline: a one-trip loop would compile to other fusions
        return jax.tree.map(lambda x: x[None], at((p.lam_w[0], p.lam_s[0])))
    return jax.lax.map(at, (p.lam_w, p.lam_s))


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes, an upper estimate): the two draws and their feature
    designs, plus a few Gram-sized matrices."""
    rows = sum(static.rows)
    widest = max(static.r_w, static.r_s)
    return 8 * (
        rows * (static.r + static.r_w + 2 * static.r_s + 2) + 6 * widest * widest + 2 * static.r * widest
    )
