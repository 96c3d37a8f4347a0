r"""Confidence filtering in the group-imbalance model of Liu, Dong, Lei (ICLR 2026), hard (mixture) groups
(``docs/theory/filtering.md`` §5).

The teacher regresses on :math:`z\otimes w` with ``n`` labelled rows from :math:`\mathcal D(\eta_\ell)`; the
pool has ``N`` rows from :math:`\mathcal D(\eta_u)`. Stage I keeps the ``m`` pool points of smallest teacher
leverage :math:`\varphi_T^\top(\Phi^\top\Phi)^{-1}\varphi_T`. When the labelled set under-represents the
minority (:math:`\eta_\ell` small), minority points have the larger leverage and are discarded first, so
the kept pool has a minority fraction :math:`\eta_u(q)<\eta_u`. The question is whether the filtered student
behaves like an unfiltered student trained on :math:`m` points from :math:`\mathcal D(\eta_u(q))`, i.e.
whether the gain law of the group model (which falls like :math:`(\eta_u-\eta_\ell)^2`) evaluated at
:math:`\eta_u(q)` predicts it.

Leverage depends on the designs only, so, as in :mod:`w2s_theory.spurious.trial`, the label noise is averaged
exactly: a trial returns the moments :math:`\bar C` (teacher) and :math:`\bar D` (each filtered student), and
:func:`w2s_theory.spurious.simulate.risks_from_moments` turns them into risks on any test mixture. A random
filter with the same ``m`` (same pool) is the control. Stage II is omitted: it is the identity for a
least-squares student in any design (``docs/theory/filtering.md`` §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular

from w2s_theory import _validate
from w2s_theory._linalg import masked_lstsq
from w2s_theory._random import Seed, normal
from w2s_theory.family import Family, run_trials
from w2s_theory.filtering.model import kept_count
from w2s_theory.filtering.procedure import keep_smallest, leverage
from w2s_theory.spurious.model import SpuriousModelData
from w2s_theory.spurious.simulate import risks_from_moments, simulate
from w2s_theory.spurious.theory import expected_risks, sample_ratios
from w2s_theory.spurious.trial import Problem

OUTPUTS: tuple[str, ...] = (
    "teacher_moment",
    "student_moment",
    "random_moment",
    "eta_kept",
    "eta_kept_random",
)


@dataclass(frozen=True)
class Static:
    """What fixes a group trial's shapes: core dimension, features per core coordinate, sample sizes and the
    kept counts (one per keep fraction)."""

    d_z: int
    p_T: int
    p_S: int
    n: int
    N: int
    kept: tuple[int, ...]


def _rows(key: jax.Array, p: Problem, eta: jax.Array, d_z: int, rows: int):
    r"""``rows`` draws from the hard mixture: core :math:`z`, group label :math:`g\sim\mathrm{Bern}(\eta)`,
    teacher features :math:`z\otimes w`, student features :math:`z\otimes\psi`."""
    k_z, k_g, k_xi = jax.random.split(key, 3)
    z = normal(k_z, (rows, d_z))  # read p_T + p_S times by the Kronecker rows: computed once
    g = (jax.random.uniform(k_g, (rows,)) < eta).astype(z.dtype)
    xi = g[:, None] * p.mu_xi[None, :] + p.sigma_xi * jax.random.normal(k_xi, (rows, p.mu_xi.shape[0]))
    x = jnp.concatenate([jnp.ones((rows, 1)), xi], axis=1)
    kron = lambda f: (z[:, :, None] * f[:, None, :]).reshape(rows, -1)
    return g, kron(x @ p.P_T.T), kron(x @ p.P_S.T)


def _block_trace(Y: jax.Array, d_z: int) -> jax.Array:
    r""":math:`\sum_k Y_kY_k^\top` for the row blocks :math:`Y_k` of core coordinate :math:`k`, i.e. the sum of
    the diagonal blocks of :math:`YY^\top`."""
    Yk = Y.reshape(d_z, -1, Y.shape[-1])
    return jnp.einsum("kam,kbm->ab", Yk, Yk)


def trial(key: jax.Array, p: Problem, static: Static) -> dict[str, jax.Array]:
    """One group trial: teacher moment, the leverage-filtered and random-filtered students' moments and
    the kept minority fractions, for each kept count."""
    k_l, k_u, k_r = jax.random.split(key, 3)
    _, Phi, _ = _rows(k_l, p, p.eta_l, static.d_z, static.n)
    g, Phi_u, Psi_u = _rows(k_u, p, p.eta_u, static.d_z, static.N)
    L = jnp.linalg.cholesky(Phi.T @ Phi)
    L_inv_T = solve_triangular(L, jnp.eye(L.shape[0]), lower=True).T  # (ΦᵀΦ)⁻¹ = L⁻ᵀL⁻¹
    s, u = leverage(Phi, Phi_u), jax.random.uniform(k_r, (static.N,))
    out: dict[str, list] = {k: [] for k in OUTPUTS[1:]}
    for m in static.kept:
        for tag, eta, A in (
            ("student_moment", "eta_kept", keep_smallest(s, m)),
            ("random_moment", "eta_kept_random", keep_smallest(u, m)),
        ):
            A_map = masked_lstsq(
                Psi_u, Phi_u, A, m, min_norm=False
            )  # every m > d_S: the student's LS map of the teacher's error
            out[tag].append(_block_trace(A_map @ L_inv_T, static.d_z))
            out[eta].append(jnp.sum(g * A) / m)
    return {"teacher_moment": _block_trace(L_inv_T, static.d_z)} | {k: jnp.stack(v) for k, v in out.items()}


def trial_bytes(static: Static) -> int:
    """Working memory of one group trial (float64 bytes)."""
    d_T, d_S = static.p_T * static.d_z, static.p_S * static.d_z
    return 8 * ((static.n + static.N) * (d_T + d_S) + static.N * static.n + 4 * d_T * d_T)


#: The group study as a family; its outputs are moments (risks follow on the host, :func:`gains`), so it has
#: no per-trial risk roles.
FAMILY = Family(name="filtering-groups", trial=trial, outputs=OUTPUTS, trial_bytes=trial_bytes)


def simulate_groups(
    model: SpuriousModelData,
    n: int,
    N: int,
    eta_l: float,
    eta_u: float,
    q: tuple[float, ...],
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Per-trial ``teacher_moment`` (``p_T x p_T``), ``student_moment`` / ``random_moment``
    (``Q x p_S x p_S``: leverage-filtered / random-filtered students) and ``eta_kept`` / ``eta_kept_random``
    (``Q``: kept minority fractions). Hard group model only; every kept count must exceed :math:`d_S`."""
    if model.group_model != "hard":
        raise ValueError("the kept minority fraction needs group labels: use group_model='hard'")
    n, N = _validate.positive_int("n", n), _validate.positive_int("N", N)
    qs = tuple(_validate.positive_fraction("q", float(v)) for v in np.atleast_1d(q))
    kept = tuple(kept_count(v, N) for v in qs)
    sample_ratios(model, n, min(kept))  # OLS regime n > d_T and every m > d_S
    eta_l, eta_u = _validate.fraction("eta_l", eta_l), _validate.fraction("eta_u", eta_u)
    return run_trials(
        FAMILY,
        Problem.from_model(model, eta_l, eta_u),
        Static(model.d_z, model.p_T, model.p_S, n, N, kept),
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, kept={kept}",
    )


def gains(model: SpuriousModelData, out: dict[str, np.ndarray], eta_t: float) -> dict[str, np.ndarray]:
    r"""Per-trial gains :math:`\mathrm{ER}_{\eta_t}(f_T)-\mathrm{ER}_{\eta_t}(f_S)` (``trials x Q``) of the
    leverage-filtered (``filtered``) and random-filtered (``random``) students."""
    result = {}
    for name, key in (("filtered", "student_moment"), ("random", "random_moment")):
        per_q = [
            risks_from_moments(
                model, {"teacher_moment": out["teacher_moment"], "student_moment": out[key][:, j]}, eta_t
            )["gain"]
            for j in range(out[key].shape[1])
        ]
        result[name] = np.stack(per_q, axis=1)
    return result


def gain_law(model: SpuriousModelData, n: int, m: int, eta_l: float, eta_u: float, eta_t: float) -> float:
    r"""The group model's leading-order gain (hard model: ``docs/theory/spurious.md`` §9.2) of an
    unfiltered student on ``m`` points from :math:`\mathcal D(\eta_u)`: the prediction for a filtered
    student is this at :math:`\eta_u=\eta_u(q)`, :math:`m=\operatorname{round}(qN)`."""
    out = expected_risks(model, n=n, N=m, eta_l=eta_l, eta_u=eta_u, eta_t=eta_t, form="leading")
    return float(out["gain"])


def unfiltered_gains(
    model: SpuriousModelData,
    n: int,
    m: int,
    eta_l: float,
    eta_u: float,
    eta_t: float,
    trials: int,
    seed: Seed = 0,
) -> np.ndarray:
    r"""Per-trial gains of an *unfiltered* student on ``m`` pool points drawn from
    :math:`\mathcal D(\eta_u)` (:func:`w2s_theory.spurious.simulate.simulate`): what a filtered student would
    achieve if filtering only changed the minority fraction to :math:`\eta_u(q)` and the pool size to ``m``."""
    return simulate(model, n, m, eta_l, eta_u, eta_t, trials, seed)["gain"]
