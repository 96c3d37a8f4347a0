r"""One Monte Carlo trial of the real pipeline on resampled rows of two feature matrices.

One trial draws ``n`` labelled and ``N`` unlabelled row indices i.i.d. uniformly from the ``M`` inputs
(with replacement) and fits, without intercept, on the truncated principal-component scores
(:mod:`w2s_theory.features.model`), ridgeless by default or with ridge penalties :math:`\lambda_w`,
:math:`\lambda_s` (the :math:`1/m`-normalised convention of :mod:`w2s_theory.gcm`: a fit on ``m`` rows
solves :math:`(X^\top X+m\lambda I)\theta=X^\top y`):

* **weak teacher**: weak block on the ``n`` rows, labels :math:`y=f_*+\epsilon`,
  :math:`\epsilon\sim\mathcal N(0,\sigma^2)`;
* **strong baseline**: strong block on the same ``n`` rows and labels;
* **W2S student**: strong block on the ``N`` fresh rows, labelled by the teacher's predictions;
* **strong ceiling**: strong block on all ``n + N`` rows with true noisy labels (the ``n`` labels above
  and fresh noise on the ``N`` rows).

Excess risks are exact over the population of ``M`` rows, from the coefficients alone:
:math:`\frac1M\|X\theta-f_*\|^2=\|r\odot\theta-a\|^2+\rho` (:meth:`FeatureModelData.population_coordinates`).

A **curve** of sample sizes :math:`(n_j,N_j)` (``Static.curve`` points) runs on the same trials: one
trial draws :math:`\max_j n_j` and :math:`\max_j N_j` rows, and point :math:`j` reads the first
:math:`n_j` and :math:`N_j` of them (zero weights on the rest). The row indices and the noise of a draw
are indexed by position (JAX's partitionable Threefry), so these are the very rows a one-point trial with
the same key draws at :math:`(n_j,N_j)`: each point's numbers are a one-point run's, up to the rounding of
Gram sums over the extra zero-weight rows. Every point's designs must be tall (:math:`n_j\ge k_w,k_s`,
:math:`N_j\ge k_s`): a zero row leaves a least-squares fit unchanged only when the design has full
column rank.

Cost: the three Gram products :math:`X_{w,n}^\top X_{w,n}` (:math:`nk_w^2`), :math:`X_{s,n}^\top X_{s,n}`
(:math:`nk_s^2`) and :math:`X_{s,N}^\top X_{s,N}` (:math:`Nk_s^2`); the ceiling's Gram is the sum of the
last two, so it costs nothing more. Each Gram is factored by Cholesky; where the factor is unreliable the
package's least-squares kernel (:func:`w2s_theory._linalg.min_norm_lstsq`: Cholesky, then Householder QR)
solves from the design instead. Where a design is wide (fewer rows than columns) the kernel gives the
minimum-norm interpolator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.scipy.linalg import cho_solve

from w2s_theory._linalg import _cholesky_is_reliable, min_norm_lstsq
from w2s_theory._trials import map_points

RISK_KEYS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s")


class Traced(NamedTuple):
    """The model in population coordinates (:meth:`FeatureModelData.population_coordinates`): changing
    any value (features, target, noise) at the same shapes never recompiles."""

    X_w: jax.Array
    X_s: jax.Array
    target: jax.Array
    r_w: jax.Array
    a_w: jax.Array
    rho_w: jax.Array
    r_s: jax.Array
    a_s: jax.Array
    rho_s: jax.Array
    sigma: jax.Array
    lam_w: jax.Array
    lam_s: jax.Array


@dataclass(frozen=True)
class Static:
    """What fixes a trial's shapes: rows ``M``, block widths ``k_w``, ``k_s``, sample sizes ``n``, ``N``,
    whether the fits read the (traced) penalties (``ridge=False`` runs exactly the ridgeless program) and,
    for a curve of sample sizes, its number of points ``curve`` (0: one point; ``n``, ``N`` are then the
    largest sizes on the curve, the points' own sizes are traced, :class:`Curve`)."""

    M: int
    k_w: int
    k_s: int
    n: int
    N: int
    ridge: bool = False
    curve: int = 0


class Curve(NamedTuple):
    """The traced arguments of a curve: the model (:class:`Traced`) and each point's sample sizes (floats,
    ``Static.curve`` of each)."""

    model: Traced
    n: jax.Array
    N: jax.Array


def _fit_from_gram(
    G: jax.Array, b: jax.Array, mu: jax.Array | None, design: Callable[[], tuple[jax.Array, jax.Array]]
) -> jax.Array:
    r""":math:`(G+\mu I)^{-1}b` for a tall design with Gram :math:`G=X^\top X` and :math:`b=X^\top y` already
    formed (``mu=None``: ridgeless), by Cholesky; the least-squares kernel on ``(X, y) = design()`` where the
    factor is unreliable (the design is only assembled in that branch)."""
    L = jnp.linalg.cholesky(G if mu is None else G + mu * jnp.eye(G.shape[0], dtype=G.dtype))
    return jax.lax.cond(
        _cholesky_is_reliable(L),
        lambda _: cho_solve((L, True), b),
        lambda _: min_norm_lstsq(*design(), mu),
        None,
    )


def _fit(
    X: jax.Array, y: jax.Array, mu: jax.Array | None
) -> tuple[jax.Array, tuple[jax.Array, jax.Array] | None]:
    """Ridge (``mu``, unnormalised; ``None`` ridgeless) fit of ``y`` on ``X`` and, for a tall design, its
    ``(Gram, X^T y)`` without the penalty, for reuse."""
    if X.shape[0] < X.shape[1]:
        return min_norm_lstsq(X, y, mu), None
    G, b = X.T @ X, X.T @ y
    return _fit_from_gram(G, b, mu, lambda: (X, y)), (G, b)


def excess_risk(theta: jax.Array, r: jax.Array, a: jax.Array, rho: jax.Array) -> jax.Array:
    r"""Exact excess risk over the ``M`` rows, :math:`\|r\odot\theta-a\|^2+\rho`."""
    e = r * theta - a
    return e @ e + rho


def _draws(key: jax.Array, traced: Traced, static: Static) -> tuple[jax.Array, ...]:
    """``Xw, Xs, y, Xw_u, Xs_u, y_u``: the ``n`` labelled and ``N`` unlabelled resampled rows of both
    blocks with their noisy labels."""
    k_rows, k_rows_u, k_eps, k_eps_u = jax.random.split(key, 4)
    rows = jax.random.randint(k_rows, (static.n,), 0, static.M)
    rows_u = jax.random.randint(k_rows_u, (static.N,), 0, static.M)
    y = traced.target[rows] + traced.sigma * jax.random.normal(k_eps, (static.n,))
    y_u = traced.target[rows_u] + traced.sigma * jax.random.normal(k_eps_u, (static.N,))
    return traced.X_w[rows], traced.X_s[rows], y, traced.X_w[rows_u], traced.X_s[rows_u], y_u


def _risks(traced: Traced, thetas: tuple[jax.Array, ...]) -> dict[str, jax.Array]:
    theta_w, theta_s, theta_c, theta_w2s = thetas
    return {
        "weak": excess_risk(theta_w, traced.r_w, traced.a_w, traced.rho_w),
        "strong": excess_risk(theta_s, traced.r_s, traced.a_s, traced.rho_s),
        "ceiling": excess_risk(theta_c, traced.r_s, traced.a_s, traced.rho_s),
        "w2s": excess_risk(theta_w2s, traced.r_s, traced.a_s, traced.rho_s),
    }


def _point(traced: Traced, static: Static, draws: tuple[jax.Array, ...]) -> dict[str, jax.Array]:
    Xw, Xs, y, Xw_u, Xs_u, y_u = draws
    n, N = static.n, static.N
    mu = lambda m, lam: m * lam if static.ridge else None  # the 1/m-normalised penalty on m rows
    theta_w, _ = _fit(Xw, y, mu(n, traced.lam_w))
    theta_s, gram_s = _fit(Xs, y, mu(n, traced.lam_s))
    theta_w2s, gram_s_u = _fit(Xs_u, Xw_u @ theta_w, mu(N, traced.lam_s))
    stacked = lambda: (jnp.concatenate([Xs, Xs_u]), jnp.concatenate([y, y_u]))
    mu_c = mu(n + N, traced.lam_s)
    if gram_s is not None and gram_s_u is not None:  # the ceiling's Gram is the sum of the two
        theta_c = _fit_from_gram(gram_s[0] + gram_s_u[0], gram_s[1] + Xs_u.T @ y_u, mu_c, stacked)
    else:
        theta_c, _ = _fit(*stacked(), mu_c)
    return _risks(traced, (theta_w, theta_s, theta_c, theta_w2s))


def _curve_point(
    traced: Traced, static: Static, draws: tuple[jax.Array, ...], n: jax.Array, N: jax.Array
) -> dict[str, jax.Array]:
    """One point of a curve: the fits on the first ``n`` and ``N`` drawn rows (tall designs), every Gram
    formed with zero weights on the other rows."""
    Xw, Xs, y, Xw_u, Xs_u, y_u = draws
    keep = (jnp.arange(static.n) < n).astype(y.dtype)
    keep_u = (jnp.arange(static.N) < N).astype(y.dtype)
    Xw_k, Xs_k, Xs_uk = Xw * keep[:, None], Xs * keep[:, None], Xs_u * keep_u[:, None]
    mu = lambda m, lam: m * lam if static.ridge else None
    design = lambda X, t: lambda: (X, t)  # the fallback's design: the kept rows, zeros elsewhere
    theta_w = _fit_from_gram(Xw_k.T @ Xw, Xw_k.T @ y, mu(n, traced.lam_w), design(Xw_k, keep * y))
    G_s, b_s = Xs_k.T @ Xs, Xs_k.T @ y
    theta_s = _fit_from_gram(G_s, b_s, mu(n, traced.lam_s), design(Xs_k, keep * y))
    labels = Xw_u @ theta_w
    G_su = Xs_uk.T @ Xs_u
    theta_w2s = _fit_from_gram(G_su, Xs_uk.T @ labels, mu(N, traced.lam_s), design(Xs_uk, keep_u * labels))
    stacked = design(jnp.concatenate([Xs_k, Xs_uk]), jnp.concatenate([keep * y, keep_u * y_u]))
    theta_c = _fit_from_gram(G_s + G_su, b_s + Xs_uk.T @ y_u, mu(n + N, traced.lam_s), stacked)
    return _risks(traced, (theta_w, theta_s, theta_c, theta_w2s))


def trial_risks(key: jax.Array, traced: Traced | Curve, static: Static) -> dict[str, jax.Array]:
    """Excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` of one trial (module docstring); for a curve,
    of every point on the same draws, along a last axis."""
    if not static.curve:
        return _point(traced, static, _draws(key, traced, static))
    model = traced.model
    draws = _draws(key, model, static)
    at = lambda sizes: _curve_point(model, static, draws, *sizes)
    return map_points(at, (traced.n, traced.N))


def gram_flops(static: Static) -> int:
    """Floating-point operations of the trial's three Gram products (the GEMM bound's work)."""
    return 2 * (static.n * static.k_w**2 + (static.n + static.N) * static.k_s**2)


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes): the gathered designs (the strong one twice where the
    ceiling falls back to its stacked design; a curve's point also holds their weighted copies), the labels
    and a few Gram matrices."""
    rows = static.n + static.N
    copies = 2 if static.curve else 1
    return 8 * (
        copies * rows * (static.k_w + 2 * static.k_s) + 4 * rows + 4 * (static.k_w**2 + static.k_s**2)
    )
