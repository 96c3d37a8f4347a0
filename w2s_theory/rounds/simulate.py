r"""Monte Carlo of the rounds procedure through the shared driver (:func:`w2s_theory.family.run_trials`).

:func:`macpo_rounds` validates the request (anchor weight, rounds, label rule, quantiles, sample sizes),
puts the model in trial coordinates and runs :mod:`w2s_theory.rounds.trial`.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import run_trials
from w2s_theory.rounds.family import FAMILY
from w2s_theory.rounds.model import RULES, RoundsModelData
from w2s_theory.rounds.trial import Static, Traced


def macpo_rounds(
    model: RoundsModelData,
    n: int,
    N: int,
    T: int,
    lam: float,
    trials: int,
    seed: Seed = 0,
    *,
    rule: str = "avg",
    q_pos: float = 0.5,
    q_unf: float = 0.5,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Per-trial risks of K teachers and a student learning from each other over ``T`` rounds
    (``docs/theory/rounds.md`` §2; one trial is :func:`w2s_theory.rounds.trial.trial_risks`).

    Parameters
    ----------
    model
        Frames, target and noise (:class:`~w2s_theory.rounds.model.RoundsModelData`).
    n
        Labelled points per teacher (each teacher has its own set); ``n >= d_k`` for every teacher.
    N
        Points in each fresh pool (student pool and teacher pool, every round); ``N >= max(d_s, d_k)``.
    T
        Rounds, ``>= 1``.
    lam
        Anchor weight :math:`\lambda\in[0,1]` of the teachers' own labelled loss (1: teachers never move).
    trials, seed, chunk_size
        As in :func:`w2s_theory.family.run_trials`.
    rule
        ``"avg"`` (label the average on every point) or ``"pos_unf"`` (positive-and-unfamiliar points only).
    q_pos, q_unf
        The ``pos_unf`` quantiles, in ``(0, 1]``; the round-1 fit keeps about ``q_pos * N`` points, which
        must be at least ``d_s``.

    Returns
    -------
    dict
        ``student`` ``(trials, T)`` (rounds 1..T), ``teachers`` ``(trials, T+1, K)`` and ``teacher_mean``
        ``(trials, T+1)`` (rounds 0..T): exact population risks :math:`\|b-\beta\|^2`.
    """
    lam = _validate.fraction("lam (the anchor weight)", lam)
    T = _validate.positive_int("T (the number of rounds)", T)
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    rule = _validate.choice("rule", rule, RULES)
    q_pos = _validate.positive_fraction("q_pos", q_pos)
    q_unf = _validate.positive_fraction("q_unf", q_unf)
    d_max = max(model.d_teachers)
    if n < d_max:
        raise ValueError(
            f"n={n} must be >= every teacher's d_k (max {d_max}): a teacher's own fit must be full rank"
        )
    if N < max(model.d_s, d_max):
        raise ValueError(
            f"N={N} must be >= max(d_s, d_k) = {max(model.d_s, d_max)}: every pool fit must be full rank"
        )
    kept = math.floor(q_pos * (N - 1)) + 1
    if rule == "pos_unf" and kept < model.d_s:
        raise ValueError(
            f"q_pos={q_pos:g} keeps about {kept} of N={N} points in round 1, fewer than d_s={model.d_s}; "
            "raise q_pos or N"
        )
    f64 = lambda x: jnp.asarray(x, dtype=float)
    traced = Traced(
        B_teachers=tuple(f64(B) for B in model.B_teachers),
        B_s=f64(model.B_s),
        b=f64(model.b),
        sigma=f64(np.sqrt(model.sigma2)),
        lam=f64(lam),
        q_pos=f64(q_pos),
        q_unf=f64(q_unf),
    )
    static = Static(model.r, model.d_teachers, model.d_s, n, N, T, rule)
    return run_trials(
        FAMILY,
        traced,
        static,
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, T={T}, rule={rule!r}",
    )
