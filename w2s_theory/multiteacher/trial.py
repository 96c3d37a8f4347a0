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
from w2s_theory._trials import map_points
from w2s_theory._wishart import bartlett_factors, diagonals, off_diagonals, with_diagonals

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
    """Traced arguments: the problem and the sample sizes (floats; read by the Wishart engine only): ``n``
    one per teacher, or for a curve one row of them per point."""

    problem: Problem
    n: jax.Array
    N: jax.Array


@dataclass(frozen=True)
class Static:
    """What fixes a trial's shapes: engine, labels, ``r``, ``d_s``, the teachers' ``d_m``, the rows of each
    labelled draw (one per teacher, or one shared) and of the unlabelled draw; for a curve of teachers'
    sample sizes (:func:`curve_grams`), its number of points ``curve`` and the teachers whose size
    ``varies`` along it."""

    engine: Engine
    shared: bool
    r: int
    d_s: int
    d_m: tuple[int, ...]
    rows: tuple[int, ...]
    rows_u: int
    curve: int = 0
    varies: tuple[int, ...] = ()


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


def _teacher_fit(m: int, key: jax.Array, Zs: list[jax.Array], p: Problem, static: Static) -> jax.Array:
    """Teacher ``m``'s latent vector :math:`\beta_m` (``r``).

    Its design is read in its teacher-first basis :math:`O_m` (the law of a Gaussian design does not depend
    on the basis), so the fit is on the leading ``d_m`` columns; a shared design is one draw, rotated into
    each basis."""
    O, d = p.O_t[m], static.d_m[m]
    if static.shared:
        Z = Zs[0]
        y = Z @ p.b + p.sigma * jax.random.normal(key, (Z.shape[0],))  # one set of labels
        Z = Z @ O
    else:
        Z = Zs[m]
        y = Z @ (O.T @ p.b) + p.sigma * jax.random.normal(key, (Z.shape[0],))
    triangular = static.engine == "wishart" and not static.shared
    return O[:, :d] @ _fit(Z, y, d, triangular)


def _teacher_fits(keys: jax.Array, Zs: list[jax.Array], p: Problem, static: Static) -> jax.Array:
    """Teacher vectors :math:`\beta_m` as columns (``r x M``, :func:`_teacher_fit`); a shared labelled set
    uses the first key for its one set of labels."""
    return jnp.stack(
        [_teacher_fit(m, keys[0 if static.shared else m], Zs, p, static) for m in range(len(p.O_t))], axis=1
    )


def _student_fits(Zu: jax.Array, teachers: jax.Array, p: Problem, static: Static) -> jax.Array:
    """The student's latent vector on each teacher's pseudo-labels (columns), the unlabelled design read in
    the student-first basis :math:`O_s`; pseudo-labels carry no extra noise."""
    targets = Zu @ (p.O_s.T @ teachers)
    return p.O_s[:, : static.d_s] @ _fit(Zu, targets, static.d_s, static.engine == "wishart")


def _grams(Zu: jax.Array, teachers: jax.Array, students: jax.Array, p: Problem, N: jax.Array):
    E = students - p.b[:, None]
    W = teachers - p.b[:, None]
    grad = Zu @ (p.O_s.T @ (jnp.mean(students, axis=1, keepdims=True) - teachers))
    return {
        "w2s_gram": E.T @ E,
        "w2s_cross": E.T @ p.b,
        "weak_gram": W.T @ W,
        "grad_gram": grad.T @ grad / N,
    }


def trial_grams(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    """The four Gram outputs of one trial (module docstring), or of every point of a curve
    (:func:`curve_grams`)."""
    if static.curve:
        return curve_grams(key, traced, static)
    p = traced.problem
    k_design, k_noise = jax.random.split(key)
    Zs, Zu = _designs(k_design, traced, static)
    teachers = _teacher_fits(jax.random.split(k_noise, len(p.O_t)), Zs, p, static)
    return _grams(Zu, teachers, _student_fits(Zu, teachers, p, static), p, traced.N)


def curve_grams(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    r"""The Gram outputs at every point of a curve of the teachers' sample sizes (``traced.n``: one row of
    ``M`` sizes per point, the same factor rows at every point; Wishart engine, disjoint labelled sets) on
    one trial's draws. A sample size enters only the chi-square degrees of freedom of its factor's diagonal
    (:mod:`w2s_theory._wishart`), so every normal draw is made once; the teachers whose size does not vary
    (``static.varies``), their students and the unlabelled factor are fitted once, and each point draws the
    diagonals (the same candidates, its own degrees of freedom) and fits the varying teachers and their
    students. Each point's numbers are what a one-point trial with the same key gives, to rounding. The
    outputs get a leading axis after the trial's, one entry per point."""
    p = traced.problem
    k_design, k_noise = jax.random.split(key)
    k_diag, k_off = jax.random.split(k_design)  # as bartlett_factors splits it
    rows = (*static.rows, static.rows_u)
    parts = off_diagonals(k_off, static.r, rows)
    noise_keys = jax.random.split(k_noise, len(p.O_t))
    factors = lambda n: with_diagonals(parts, rows, diagonals(k_diag, [*n, traced.N], rows))
    first = factors(traced.n[0])
    Zu = first[-1]  # its degrees of freedom are N at every point
    fixed = [m for m in range(len(p.O_t)) if m not in static.varies]
    fixed_teachers = [_teacher_fit(m, noise_keys[m], first, p, static) for m in fixed]
    fixed_students = _student_fits(Zu, jnp.stack(fixed_teachers, axis=1), p, static) if fixed else None

    def at(point):
        Zs = factors(point[0])
        varying = [_teacher_fit(m, noise_keys[m], Zs, p, static) for m in static.varies]
        students = _student_fits(Zu, jnp.stack(varying, axis=1), p, static)
        order = {m: j for j, m in enumerate(fixed)} | {m: len(fixed) + j for j, m in enumerate(static.varies)}
        columns = [order[m] for m in range(len(p.O_t))]
        teachers = jnp.stack(fixed_teachers + varying, axis=1)[:, columns]
        all_students = students if fixed_students is None else jnp.concatenate([fixed_students, students], 1)
        return _grams(Zu, teachers, all_students[:, columns], p, traced.N)

    return map_points(at, (traced.n,))


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes): the labelled and unlabelled draws and a few ``r x r``."""
    rows = sum(static.rows) + static.rows_u
    return 8 * (2 * rows * static.r + (8 + len(static.d_m)) * static.r * static.r)
