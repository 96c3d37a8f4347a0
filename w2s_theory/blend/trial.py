r"""One Monte Carlo trial of blended distillation: the exact pipeline on Bartlett factors, any subspaces.

One trial: labelled :math:`Z\in\mathbb R^{n\times r}` in coordinates of
:math:`R=\operatorname{span}(V_w,V_s,\beta)`, labels :math:`y=Zb+\sigma\epsilon`. The teacher is
:math:`\hat c=\arg\min\|ZB_wc-y\|`, its in-sample residual :math:`M_Wy=y-ZB_w\hat c`. The student fits the
blended label :math:`(1-w)y+w\hat y_w=y-wM_Wy` on :math:`ZB_s`, so
:math:`\theta(w)=\theta_0-w\,\delta` with :math:`\theta_0` the fit of :math:`y` and :math:`\delta` the fit of
:math:`M_Wy` (same design): per trial

.. math:: \mathrm{ER}(w)=\|e_0-wD\|^2=\|e_0\|^2-2w\,e_0^\top D+w^2\|D\|^2,\quad e_0=B_s\theta_0-b,\ D=B_s\delta,

so the trial returns the three coefficients and :math:`\mathrm{ER}(w)` at the traced ``w``.

With ``N > 0`` the student also fits ``N`` unlabelled points :math:`\tilde Z` labelled by the teacher,
:math:`\tilde ZB_w\hat c` (the stacked least squares; the blend acts on the labelled rows only, so
:math:`\mathrm{ER}(w)` is still :math:`\|e_0-wD\|^2` with both fits on the stacked design).

Every fit depends on a design only through :math:`Z^\top Z` and :math:`Z^\top y`, so it is the same fit
on the Bartlett factor :math:`T` of :math:`Z=QT` and :math:`t=Q^\top y=Tb+\sigma g`
(:mod:`w2s_theory._wishart`): the residual :math:`M_Wy` enters only through :math:`B_s^\top Z^\top M_Wy=
B_s^\top T^\top(t-TB_w\hat c)`. The cost does not depend on ``n`` or ``N``, which are traced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from w2s_theory._linalg import min_norm_lstsq
from w2s_theory._wishart import bartlett_factors

OUTPUTS: tuple[str, ...] = ("weak", "strong", "cross", "shift", "blend")


@partial(jax.tree_util.register_dataclass, data_fields=["B_w", "B_s", "b", "sigma", "w"], meta_fields=[])
@dataclass(frozen=True)
class Problem:
    r"""The traced part of a trial: ``B_w`` (r, d_w), ``B_s`` (r, d_s), ``b`` (r,) (the model in an
    orthonormal basis of :math:`R`), the noise standard deviation ``sigma`` and the blend weight ``w``."""

    B_w: jax.Array
    B_s: jax.Array
    b: jax.Array
    sigma: jax.Array
    w: jax.Array


class Traced(NamedTuple):
    """The traced arguments: the problem and the sample sizes (chi-square degrees of freedom)."""

    problem: Problem
    n: jax.Array
    N: jax.Array


@dataclass(frozen=True)
class Static:
    """What fixes the shapes: ``r``, ``d_w``, ``d_s`` and the factor rows ``(min(n, r), min(N, r))``
    (``0`` unlabelled rows: no pseudo-labelled points)."""

    r: int
    d_w: int
    d_s: int
    rows: tuple[int, int]


def rows_for(n: int, N: int, r: int) -> tuple[int, int]:
    """Bartlett factor rows of the labelled and unlabelled draws."""
    return (min(n, r), min(N, r))


def trial(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    """Per-trial ``weak`` (teacher risk), ``strong`` (:math:`\\|e_0\\|^2`), ``cross`` (:math:`e_0^\\top D`),
    ``shift`` (:math:`\\|D\\|^2`) and ``blend`` (:math:`\\|e_0-wD\\|^2`) (module docstring)."""
    p = traced.problem
    rows, rows_u = static.rows
    if rows_u:  # one sampler call for both factors and the noise
        T, T_u, g = bartlett_factors(key, [traced.n, traced.N], static.r, [rows, rows_u], noise=[rows])
    else:
        T, g = bartlett_factors(key, [traced.n], static.r, [rows], noise=[rows])
    t = T @ p.b + p.sigma * g
    X_w, X_s = T @ p.B_w, T @ p.B_s
    c_hat = min_norm_lstsq(X_w, t)
    targets = jnp.stack([t, t - X_w @ c_hat], axis=1)  # y and M_W y, in factor coordinates
    if rows_u:
        pseudo = jnp.stack([T_u @ (p.B_w @ c_hat), jnp.zeros(rows_u)], axis=1)
        coef = min_norm_lstsq(jnp.concatenate([X_s, T_u @ p.B_s]), jnp.concatenate([targets, pseudo]))
    else:
        coef = min_norm_lstsq(X_s, targets)
    e0 = p.B_s @ coef[:, 0] - p.b
    D = p.B_s @ coef[:, 1]
    err_w = p.B_w @ c_hat - p.b
    e_w = e0 - p.w * D
    return {"weak": err_w @ err_w, "strong": e0 @ e0, "cross": e0 @ D, "shift": D @ D, "blend": e_w @ e_w}


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes, an upper estimate)."""
    rows = sum(static.rows)
    return 8 * (4 * static.r * static.r + rows * (static.d_w + 2 * static.d_s + 4) + 4 * static.r)
