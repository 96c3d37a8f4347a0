r"""Monte Carlo of the multi-teacher model through the shared driver (:func:`w2s_theory.family.run_trials`),
and the per-trial risks of any weights, including AE-KD's data-driven rule.

The risk of a student fitted on :math:`\sum_m\alpha_m\hat y_m` in one trial follows from that trial's Gram
outputs (:mod:`w2s_theory.multiteacher.trial`): with :math:`s=\sum_m\alpha_m`,

.. math:: \mathrm{ER}(\alpha)=\alpha^\top G\alpha+2(s-1)\,\alpha^\top c+(s-1)^2\|\beta\|^2,

:math:`G` = ``w2s_gram``, :math:`c` = ``w2s_cross`` (on :math:`s=1` just :math:`\alpha^\top G\alpha`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import run_trials
from w2s_theory.multiteacher import weights
from w2s_theory.multiteacher.family import FAMILY
from w2s_theory.multiteacher.model import LABELS, Labels, MultiTeacherModelData, sample_sizes
from w2s_theory.multiteacher.trial import ENGINES, Engine, Problem, Static, Traced, rows_for

DEFAULT_ENGINE: Engine = "wishart"


def _completed(B: np.ndarray) -> np.ndarray:
    """An orthogonal ``r x r`` matrix whose leading ``d`` columns span the columns of ``B`` (complete QR)."""
    return np.linalg.qr(B, mode="complete")[0]


def problem_of(model: MultiTeacherModelData) -> Problem:
    """The model in trial coordinates: student-first and teacher-first orthogonal bases of :math:`R`."""
    return Problem(
        jnp.asarray(_completed(model.B_s)),
        tuple(jnp.asarray(_completed(B)) for B in model.B_t),
        jnp.asarray(model.b_star),
        jnp.asarray(np.sqrt(model.sigma2)),
    )


def simulate(
    model: MultiTeacherModelData,
    n: int | Sequence[int],
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    labels: Labels = "disjoint",
    engine: Engine = DEFAULT_ENGINE,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial ``w2s_gram`` (trials, M, M), ``w2s_cross`` (trials, M), ``weak_gram`` (trials, M, M),
    ``grad_gram`` (trials, M, M), and the per-teacher risks ``weak`` and ``w2s`` (trials, M), the
    diagonals. Any ``n, N >= 1``; with ``labels="shared"`` ``n`` is one integer. Needs float64."""
    labels = _validate.choice("labels", labels, LABELS)
    engine = _validate.choice("engine", engine, ENGINES)
    sizes = sample_sizes("n", n, model.M)
    if labels == "shared" and len(set(sizes)) > 1:
        raise ValueError(f"n must be one integer with labels='shared' (one labelled set), got {list(sizes)}")
    N = _validate.positive_int("N", N)
    shared = labels == "shared"
    rows, rows_u = rows_for(engine, shared, sizes, N, model.r, model.d_m)
    static = Static(engine, shared, model.r, model.d_s, model.d_m, rows, rows_u)
    traced = Traced(problem_of(model), jnp.asarray(sizes, dtype=float), jnp.asarray(N, dtype=float))
    out = run_trials(
        FAMILY, traced, static, trials=trials, seed=seed, chunk_size=chunk_size,
        context=f"n={list(sizes)}, N={N}, labels={labels!r}, engine={engine!r}",
    )  # fmt: skip
    return _with_risks(out)


def _with_risks(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The per-trial outputs with the per-teacher risks ``weak`` and ``w2s``, the Grams' diagonals."""
    return out | {
        "weak": np.diagonal(out["weak_gram"], axis1=1, axis2=2).copy(),
        "w2s": np.diagonal(out["w2s_gram"], axis1=1, axis2=2).copy(),
    }


def simulate_curve(
    model: MultiTeacherModelData,
    n: Sequence[Sequence[int]],
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    """:func:`simulate` (Wishart engine, disjoint labelled sets) at every point ``n[j]`` (one size per
    teacher) on the same trials: one result per point, each what :func:`simulate` gives with this ``seed``
    there, to rounding (:func:`w2s_theory.multiteacher.trial.curve_grams`: every normal draw, the teachers
    whose size does not vary and their students once per trial). Every point must have the same factor rows
    ``min(n_m, d_m)``: a teacher's size does not cross its dimension along the curve."""
    points = [sample_sizes(f"n[{j}]", point, model.M) for j, point in enumerate(n)]
    if not points:
        raise ValueError("n must list at least one point (one size per teacher each)")
    N = _validate.positive_int("N", N)
    layouts = {rows_for("wishart", False, point, N, model.r, model.d_m) for point in points}
    if len(layouts) > 1:
        raise ValueError(
            f"every point of a curve needs the same factor rows min(n_m, d_m) with d_m = {list(model.d_m)}; "
            f"got {sorted(rows for rows, _ in layouts)}: split the curve where a teacher's size crosses d_m"
        )
    (rows, rows_u) = layouts.pop()
    varies = tuple(m for m in range(model.M) if len({point[m] for point in points}) > 1)
    varies = varies or tuple(range(model.M))  # every point the same: fit every teacher per point
    static = Static("wishart", False, model.r, model.d_s, model.d_m, rows, rows_u, len(points), varies)
    traced = Traced(problem_of(model), np.asarray(points, dtype=float), np.asarray(N, dtype=float))
    out = run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"curve of {len(points)}",
    )
    return [_with_risks({name: v[:, j] for name, v in out.items()}) for j in range(len(points))]


def weighted_risk(mc: Mapping[str, np.ndarray], alpha: np.ndarray, beta_norm2: float) -> np.ndarray:
    r"""Per-trial risk of the student fitted with weights ``alpha`` (shape ``(M,)``, or ``(trials, M)``
    for per-trial weights); any sum (module docstring)."""
    a = np.asarray(alpha, dtype=float)
    a = np.broadcast_to(a, mc["w2s_cross"].shape)
    s = a.sum(axis=-1) - 1
    quad = np.einsum("ti,tij,tj->t", a, mc["w2s_gram"], a)
    return quad + 2 * s * np.einsum("ti,ti->t", a, mc["w2s_cross"]) + s * s * beta_norm2


def aekd(mc: Mapping[str, np.ndarray], beta_norm2: float, cap: float = 1.0) -> dict[str, np.ndarray]:
    r"""AE-KD's rule estimated from each trial's data: the min-norm point of the convex hull of the
    per-teacher distillation gradients at the uniformly weighted student (``grad_gram``), weights capped at
    ``cap`` (:func:`w2s_theory.multiteacher.weights.min_norm_capped`); the student refitted with them.

    Returns ``{"weights": (trials, M), "risk": (trials,)}``."""
    a = weights.min_norm_capped(mc["grad_gram"], cap)
    return {"weights": a, "risk": weighted_risk(mc, a, beta_norm2)}
