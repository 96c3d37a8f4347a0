r"""One Monte Carlo trial of the multi-teacher model: M teacher fits, M student fits, four Gram outputs.

In coordinates of :math:`R` (``r`` dims): teacher :math:`m` regresses :math:`y=Z\beta+\epsilon` on
:math:`ZB_m` (its own :math:`Z_m\in\mathbb R^{n_m\times r}`, or one shared :math:`Z`), giving
:math:`\beta_m=B_m\hat\theta_m`; the student regresses the pseudo-labels :math:`\tilde Z\beta_m` on
:math:`\tilde ZB_s` (``N`` fresh rows), giving :math:`\beta_s^{(m)}`. A student fitted on
:math:`\sum_m\alpha_m\tilde Z\beta_m` is :math:`\sum_m\alpha_m\beta_s^{(m)}` (linearity), so the trial
returns Gram matrices from which the risk of *any* weights follows
(:func:`w2s_theory.multiteacher.simulate.weighted_risk`):

* ``w2s_gram`` :math:`=E^\top E`, :math:`E=[\beta_s^{(m)}-\beta]_m`; ``w2s_cross`` :math:`=E^\top\beta`;
* ``weak_gram`` :math:`=[\beta_m-\beta]^\top[\beta_l-\beta]` (diagonal: each teacher's risk);
* ``grad_gram``: the Gram of the per-teacher distillation-loss gradients at the uniformly weighted
  student's outputs on the ``N`` transfer points,
  :math:`g_m=\tilde Z(\bar\beta_s-\beta_m)`, :math:`\bar\beta_s=\frac1M\sum_m\beta_s^{(m)}`, divided by
  ``N``: what AE-KD's rule (min-norm point of the gradients' convex hull) sees.

Engines (``Static.engine``):

* ``"wishart"``: each design enters only through its triangular factor :math:`Z=QT` and
  :math:`Q^\top y=T\beta+\sigma g` (:mod:`w2s_theory._wishart`, Bartlett): every fit above is a
  least-squares fit on columns of :math:`Z`, unchanged when the rows are rotated, and
  :math:`\tilde Z^\top\tilde Z=\tilde T^\top\tilde T`. A teacher on its own set is read in a
  teacher-first orthonormal basis (the law of a Gaussian design does not depend on the basis), so it needs
  only the leading :math:`\min(n_m,d_m)` rows of its factor, and the student the leading ``d_s`` rows of
  its. All chi-square diagonals of a trial are drawn in one call (one gamma sampler to compile). Exact in
  law for any subspaces, disjoint or shared labels, any ``n, N >= 1``; cost independent of ``n`` and ``N``
  (which are traced: a grid over ``n_m >= d_m`` compiles once).
* ``"design"``: draws the full designs (the reference; sizes static).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import jax
import jax.numpy as jnp

from w2s_theory._linalg import lstsq_leading_columns, min_norm_lstsq
from w2s_theory._wishart import bartlett_factors

Engine = Literal["wishart", "design"]
ENGINES: tuple[str, ...] = ("wishart", "design")
OUTPUTS: tuple[str, ...] = ("w2s_gram", "w2s_cross", "weak_gram", "grad_gram")


class Problem(NamedTuple):
    """The model in trial coordinates: orthogonal ``r x r`` bases whose leading columns are the student's
    (``O_s``) and each teacher's (``O_t``) subspace, the target ``b`` and the noise scale."""

    O_s: jax.Array
    O_t: tuple[jax.Array, ...]
    b: jax.Array
    sigma: jax.Array


class Traced(NamedTuple):
    """Traced arguments: the problem and the sample sizes (floats; read by the Wishart engine only)."""

    problem: Problem
    n: jax.Array
    N: jax.Array


@dataclass(frozen=True)
class Static:
    """What fixes a trial's shapes: engine, labels, ``r``, ``d_s``, the teachers' ``d_m``, the rows of each
    labelled draw (one per teacher, or one shared) and of the unlabelled draw."""

    engine: Engine
    shared: bool
    r: int
    d_s: int
    d_m: tuple[int, ...]
    rows: tuple[int, ...]
    rows_u: int


def rows_for(
    engine: Engine, shared: bool, n: tuple[int, ...], N: int, r: int, d_m: tuple[int, ...]
) -> tuple[tuple[int, ...], int]:
    """Design rows ``(n, N)`` for the design engine. Wishart factor rows: ``min(n_m, d_m)`` per teacher on
    disjoint sets (each teacher's fit needs only the leading rows of its factor in a teacher-first basis),
    ``min(n, r)`` for a shared set, ``min(N, r)`` for the unlabelled draw (the gradient Gram needs all of
    :math:`\tilde Z^\top\tilde Z`)."""
    if engine == "design":
        return (n[0],) if shared else n, N
    if shared:
        return (min(n[0], r),), min(N, r)
    return tuple(min(k, d) for k, d in zip(n, d_m, strict=True)), min(N, r)


def _designs(key: jax.Array, traced: Traced, static: Static) -> tuple[list[jax.Array], jax.Array]:
    """The labelled designs (one per teacher, or one shared) and the unlabelled one, or their factors."""
    r, labelled = static.r, len(static.rows)
    if static.engine == "design":
        keys = jax.random.split(key, labelled + 1)
        Zs = [jax.random.normal(keys[i], (static.rows[i], r)) for i in range(labelled)]
        return Zs, jax.random.normal(keys[-1], (static.rows_u, r))
    dofs = [traced.n[i] for i in range(labelled)] + [traced.N]
    factors = bartlett_factors(key, dofs, r, (*static.rows, static.rows_u))
    return factors[:-1], factors[-1]


def _fit(Z: jax.Array, y: jax.Array, d: int, triangular: bool) -> jax.Array:
    """Least squares of ``y`` on the first ``d`` columns of ``Z`` (a triangular factor or a design)."""
    return lstsq_leading_columns(Z, y, d) if triangular else min_norm_lstsq(Z[:, :d], y)


def _teacher_fits(keys: jax.Array, Zs: list[jax.Array], p: Problem, static: Static) -> jax.Array:
    """Teacher vectors :math:`\beta_m` as columns (``r x M``).

    The design of teacher m is read in its teacher-first basis :math:`O_m` (the law of a Gaussian design
    does not depend on the basis), so the fit is on the leading ``d_m`` columns; a shared design is one
    draw, rotated into each basis."""
    fits = []
    for m, O in enumerate(p.O_t):
        d = static.d_m[m]
        if static.shared:
            Z = Zs[0]
            y = Z @ p.b + p.sigma * jax.random.normal(keys[0], (Z.shape[0],))  # one set of labels
            Z = Z @ O
        else:
            Z = Zs[m]
            y = Z @ (O.T @ p.b) + p.sigma * jax.random.normal(keys[m], (Z.shape[0],))
        triangular = static.engine == "wishart" and not static.shared
        fits.append(O[:, :d] @ _fit(Z, y, d, triangular))
    return jnp.stack(fits, axis=1)


def trial_grams(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    """The four Gram outputs of one trial (module docstring)."""
    p = traced.problem
    k_design, k_noise = jax.random.split(key)
    Zs, Zu = _designs(k_design, traced, static)
    teachers = _teacher_fits(jax.random.split(k_noise, len(p.O_t)), Zs, p, static)
    # the unlabelled design read in the student-first basis O_s; pseudo-labels carry no extra noise
    targets = Zu @ (p.O_s.T @ teachers)
    students = p.O_s[:, : static.d_s] @ _fit(Zu, targets, static.d_s, static.engine == "wishart")
    E = students - p.b[:, None]
    W = teachers - p.b[:, None]
    grad = Zu @ (p.O_s.T @ (jnp.mean(students, axis=1, keepdims=True) - teachers))
    return {
        "w2s_gram": E.T @ E,
        "w2s_cross": E.T @ p.b,
        "weak_gram": W.T @ W,
        "grad_gram": grad.T @ grad / traced.N,
    }


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes): the labelled and unlabelled draws and a few ``r x r``."""
    rows = sum(static.rows) + static.rows_u
    return 8 * (2 * rows * static.r + (8 + len(static.d_m)) * static.r * static.r)
