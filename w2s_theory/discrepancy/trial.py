r"""One Monte Carlo trial of the subspace model: two engines that draw the trial's sufficient statistics,
and one set of fits (:mod:`w2s_theory.discrepancy.fits`).

One trial: labelled :math:`Z\in\mathbb R^{n\times r}`, unlabelled :math:`\tilde Z\in\mathbb R^{N\times r}`,
i.i.d. :math:`\mathcal N(0,1)`, labels :math:`y=Z\beta+\epsilon`,
:math:`\epsilon\sim\mathcal N(0,\sigma^2I)`; weak teacher on the ``n`` labels, strong baseline on the
same, strong ceiling on all ``n + N`` true labels, W2S student on the ``N`` pseudo-labels only; besides
the four excess risks a trial returns the student's population ``misfit`` to its teacher. The fits
only see the triangular factors :math:`T` of :math:`Z=QT` and :math:`\tilde T` of
:math:`\tilde Z=\tilde Q\tilde T` with :math:`Q^\top y`, :math:`\tilde Q^\top\tilde y`.

Engines (``Static.engine``):

* ``"wishart"``: draws those factors directly by the Bartlett decomposition (:mod:`w2s_theory._wishart`):
  :math:`T` (all :math:`\min(n,r)` rows) and the first :math:`\min(N,d_s)` rows of :math:`\tilde T`, with
  :math:`Q^\top y=T\beta+\sigma g`, :math:`g\sim\mathcal N(0,I)`; :math:`\tilde T` compressed to
  :math:`d_s+2` columns (:mod:`w2s_theory.discrepancy.fits`). Equivalently
  :math:`W=Z^\top Z\sim\mathrm{Wishart}_r(n,I)`, :math:`Z^\top\epsilon\,|\,W\sim\mathcal N(0,\sigma^2W)`.
  The joint law of the per-trial outputs is exactly the design engine's, for every ``n, N >= 1`` (the
  singular Bartlett factor covers ``n < r``). Cost :math:`O(r^2 d)` per trial, independent of ``n`` and
  ``N``; ``n`` and ``N`` are traced, so a grid over sample sizes compiles once per ``rows``.
* ``"design"``: draws the full designs and noise and compresses them exactly
  (:func:`w2s_theory._linalg.leading_r_factor`); cost :math:`O((n+N)r^2)` plus :math:`(n+N)r` normals.
  The reference for the Wishart engine (``tests/test_engines_discrepancy.py``).

Why the Wishart engine is exact: ``docs/theory/discrepancies.md`` (simulation engines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp

from w2s_theory._linalg import leading_r_factor
from w2s_theory._trials import map_points
from w2s_theory._wishart import bartlett_factors, diagonals, off_diagonals, with_diagonals
from w2s_theory.discrepancy.fits import (
    Problem,
    risks_from_factors,
    risks_from_leading_rows,
    unlabelled_product,
    unlabelled_width,
)

Engine = Literal["wishart", "design"]
ENGINES: tuple[str, ...] = ("wishart", "design")
RISK_KEYS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s")
#: Every per-trial output: the four excess risks and the W2S student's population misfit to its teacher.
OUTPUT_KEYS: tuple[str, ...] = (*RISK_KEYS, "misfit")

Factors = tuple[jax.Array, jax.Array, jax.Array, jax.Array]


class Traced(NamedTuple):
    """The traced arguments of a trial: the model in trial coordinates and the sample sizes (floats; only
    the Wishart engine reads them, the design engine's sizes are static)."""

    problem: Problem
    n: jax.Array
    N: jax.Array


@dataclass(frozen=True)
class Static:
    """What fixes a trial's shapes: the engine, ``r = dim R``, ``d_s``, the factor rows (:func:`rows_for`)
    and, for a curve of sample sizes (Wishart engine), its number of points ``curve`` (0: one point);
    ``padded``: the curve's points use the leading rows of full-size factors (:func:`padded_curve`)."""

    engine: Engine
    r: int
    rows: tuple[int, int]
    curve: int = 0
    padded: bool = False


def rows_for(engine: Engine, n: int, N: int, r: int, d_s: int) -> tuple[int, int]:
    """Rows of the labelled and unlabelled draws: ``(n, N)`` for the design engine, ``(min(n, r),
    min(N, d_s))`` factor rows for the Wishart engine."""
    return (n, N) if engine == "design" else (min(n, r), min(N, d_s))


def design_factors(key: jax.Array, p: Problem, n: int, N: int) -> Factors:
    """Draw the two designs and their noise (teacher-first / student-first coordinates) and compress them."""
    k_z, k_eps, k_zt, k_epst = jax.random.split(key, 4)
    Z = jax.random.normal(k_z, (n, p.r))
    Zt = jax.random.normal(k_zt, (N, p.r))
    y = Z @ p.b_L + p.sigma * jax.random.normal(k_eps, (n,))
    yt = Zt @ p.b_U + p.sigma * jax.random.normal(k_epst, (N,))
    T, t = leading_r_factor(Z, y, min(n, p.r))
    T_u, t_u = leading_r_factor(Zt, yt, min(N, p.d_s))
    return T, t, T_u, t_u


def wishart_factors(
    key: jax.Array, p: Problem, n: int | jax.Array, N: int | jax.Array, rows: tuple[int, int]
) -> Factors:
    """Draw the same factors directly (Bartlett), the unlabelled one compressed to
    :func:`~w2s_theory.discrepancy.fits.unlabelled_width` columns: :math:`O(r^2)` normals instead of
    :math:`(n+N)r`, all in one :func:`~w2s_theory._wishart.bartlett_factors` call (both factors and both
    noise vectors)."""
    return _with_labels(*bartlett_factors(key, [n, N], _widths(p), rows, noise=rows), p)


def _with_labels(T: jax.Array, T_u: jax.Array, g: jax.Array, g_u: jax.Array, p: Problem) -> Factors:
    r"""The Wishart engine's factors with their labels in factor coordinates: :math:`t=T\beta+\sigma g` and
    the unlabelled :math:`\tilde t` likewise (``g``, ``g_u``: the standard normal noise of their rows)."""
    return T, T @ p.b_L + p.sigma * g, T_u, unlabelled_product(T_u, p.b_U, p.d_s) + p.sigma * g_u


def _widths(p: Problem) -> tuple[int, int]:
    """Columns of the two Wishart-engine factors: all ``r`` labelled, the compressed unlabelled ones."""
    return p.r, unlabelled_width(p.r, p.d_s)


def trial_risks(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    r"""Excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` and the ``misfit``
    :math:`\|\beta_s-\beta_t\|^2` of one trial (:func:`~w2s_theory.discrepancy.fits.risks_from_factors`),
    or of every point of a curve of sample sizes (:func:`factor_curve`, :func:`padded_curve`)."""
    if static.curve:
        if static.padded:
            return padded_curve(key, traced, static)
        return factor_curve(key, traced, static, risks_from_factors)
    if static.engine == "design":
        factors = design_factors(key, traced.problem, *static.rows)
    else:
        factors = wishart_factors(key, traced.problem, traced.n, traced.N, static.rows)
    return risks_from_factors(*factors, traced.problem)


def factor_curve(
    key: jax.Array, traced: Traced, static: Static, risks: Callable[..., dict[str, jax.Array]]
) -> dict[str, jax.Array]:
    r"""``risks(T, t, T_u, t_u, problem)`` at every point ``(n[j], N[j])`` of a curve, on one trial's Wishart
    draws (``traced.n``, ``traced.N`` vectors; the same factor rows at every point): each point's numbers
    are what a one-point trial with the same key gives, since a sample size enters only the chi-square
    degrees of freedom of the factors' diagonals. Every normal draw (the factors' off-diagonal entries and
    the noise) is made once and shared; each point draws its diagonals (the same candidates, other degrees
    of freedom) and evaluates ``risks``. The outputs get a last axis, one entry per point."""
    p = traced.problem
    k_diag, k_off = jax.random.split(key)  # as bartlett_factors splits it
    parts = off_diagonals(k_off, _widths(p), static.rows, noise=static.rows)

    def at(sizes):
        return risks(
            *_with_labels(*with_diagonals(parts, static.rows, diagonals(k_diag, sizes, static.rows)), p), p
        )

    return map_points(at, (traced.n, traced.N))


def padded_curve(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    r"""Every point ``(n[j], N[j])`` of a curve, any sizes, on one trial's draws of the full-size factors
    (``static.rows`` = ``(r, d_s)``): point ``j`` uses the leading :math:`\min(n_j,r)` rows of the labelled
    factor and :math:`\min(N_j,d_s)` of the unlabelled one, its own chi-square diagonals (degrees of
    freedom :math:`n_j-i`, :math:`N_j-i`) and the rows' noise, and fits on those rows
    (:func:`~w2s_theory.discrepancy.fits.risks_from_leading_rows`). The leading rows of a Bartlett factor
    with these diagonals are the Bartlett factor of an :math:`n_j`-row design, so each point is an exact
    draw of the one-point law; where both factors are full (:math:`n_j\ge r`, :math:`N_j\ge d_s`) it is
    the very draw of a one-point trial with the same key (same layout). One compiled program for every
    sample size. The outputs get a last axis, one entry per point."""
    p = traced.problem
    k_diag, k_off = jax.random.split(key)  # as bartlett_factors splits it
    parts = off_diagonals(k_off, _widths(p), static.rows, noise=static.rows)

    def at(sizes):
        used = tuple(jnp.minimum(size, k) for size, k in zip(sizes, static.rows, strict=True))
        T, T_u, g, g_u = with_diagonals(parts, static.rows, diagonals(k_diag, sizes, static.rows, used))
        keep, keep_u = ((jnp.arange(k) < u).astype(T.dtype) for k, u in zip(static.rows, used, strict=True))
        factors = _with_labels(T * keep[:, None], T_u * keep_u[:, None], keep * g, keep_u * g_u, p)
        return risks_from_leading_rows(*factors, *used, p)

    return map_points(at, (traced.n, traced.N))


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes): the designs (design engine) or a few ``r x r`` factors."""
    rows = sum(static.rows) if static.engine == "design" else 0
    return 8 * (2 * rows * static.r + 8 * static.r * static.r)
