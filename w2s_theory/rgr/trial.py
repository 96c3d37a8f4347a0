r"""One Monte Carlo trial of W2SR's setting: the subspace model's draws (:mod:`w2s_theory.discrepancy.trial`,
both engines) with W2SR's learners.

The teacher fits the ``n`` labels; on ``N`` fresh points the W2S student fits the teacher's labels and the
ceiling the true labels (the W2SR ceiling: ``N`` labels, not ``n + N``); the strong baseline fits the ``n``
labels; the un-tuned student is :math:`\theta=0` with :math:`\mathrm{ER}=\|\beta\|^2` (a constant per
trial, output so the generic metrics see it). The trial also returns the teacher's error split: with
:math:`\beta_t` the teacher's latent vector, :math:`\|P_s(\beta_t-\beta)\|^2` (``eps_vis``),
:math:`\|(I-P_s)(\beta_t-\beta)\|^2` (``eps_inv``) and :math:`\|(I-P_s)\beta_t\|^2` (``eta_inv``), read
off in student-first coordinates. Fits act on the triangular factors
(:mod:`w2s_theory.discrepancy.fits`): the unlabelled factor's rows carry both the true labels and, through
:math:`\tilde TB_w\hat c`, the teacher's (full or compressed, :func:`~w2s_theory.discrepancy.fits.unlabelled_product`).
"""

from __future__ import annotations

import jax

from w2s_theory._linalg import lstsq_leading_columns, min_norm_lstsq
from w2s_theory.discrepancy.fits import Problem, excess_risk, unlabelled_product
from w2s_theory.discrepancy.trial import Static, Traced, design_factors, factor_curve, wishart_factors

RISK_KEYS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s", "base")
#: The teacher's error split, per trial (``docs/theory/rgr.md`` §2).
SPLIT_KEYS: tuple[str, ...] = ("eps_vis", "eps_inv", "eta_inv")
OUTPUT_KEYS: tuple[str, ...] = RISK_KEYS + SPLIT_KEYS


def trial(key: jax.Array, traced: Traced, static: Static) -> dict[str, jax.Array]:
    """Excess risks ``weak``, ``strong``, ``ceiling`` (``N`` true labels), ``w2s``, ``base`` and the split
    ``eps_vis``, ``eps_inv``, ``eta_inv`` of one trial, or of every point of a curve of sample sizes
    (:func:`w2s_theory.discrepancy.trial.factor_curve`)."""
    p = traced.problem
    if static.curve:
        return factor_curve(key, traced, static, risks_from_factors)
    if static.engine == "design":
        factors = design_factors(key, p, *static.rows)
    else:
        factors = wishart_factors(key, p, traced.n, traced.N, static.rows)
    return risks_from_factors(*factors, p)


def risks_from_factors(
    T: jax.Array, t: jax.Array, T_u: jax.Array, t_u: jax.Array, p: Problem
) -> dict[str, jax.Array]:
    """W2SR's learners and the teacher's error split from the two triangular factors (module docstring)."""
    c_hat = lstsq_leading_columns(T, t, p.d_w)
    beta_t = p.B_w_U @ c_hat  # the teacher's latent vector, student-first coordinates
    err, d_s = beta_t - p.b_U, p.d_s
    return {
        "weak": excess_risk(c_hat, p.b_L),
        "strong": excess_risk(min_norm_lstsq(p.student_design(T), t), p.b_U),
        "ceiling": excess_risk(lstsq_leading_columns(T_u, t_u, p.d_s), p.b_U),
        "w2s": excess_risk(lstsq_leading_columns(T_u, unlabelled_product(T_u, beta_t, p.d_s), p.d_s), p.b_U),
        "base": p.b_U @ p.b_U,
        "eps_vis": err[:d_s] @ err[:d_s],
        "eps_inv": err[d_s:] @ err[d_s:],
        "eta_inv": beta_t[d_s:] @ beta_t[d_s:],
    }


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes): the designs (design engine) or a few ``r x r`` factors."""
    rows = sum(static.rows) if static.engine == "design" else 0
    return 8 * (2 * rows * static.r + 8 * static.r * static.r)
