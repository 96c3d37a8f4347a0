r""":class:`RoundsModel`: the frames and target (:mod:`w2s_theory.rounds.model`) with the methods that call
the exact and limiting results (:mod:`w2s_theory.rounds.theory`) and the Monte Carlo of the procedure
(:mod:`w2s_theory.rounds.simulate`)."""

from __future__ import annotations

import numpy as np

from w2s_theory._random import Seed
from w2s_theory.rounds import simulate as _simulate
from w2s_theory.rounds import theory
from w2s_theory.rounds.model import RoundsModelData


class RoundsModel(RoundsModelData):
    r"""K teachers and a student learning from each other over rounds, in the intrinsic-dimension model
    (a linear analogue of MACPO, Lyu et al., ICLR 2025; ``docs/theory/rounds.md``).

    Build one from frames (``RoundsModel((V_1, ..., V_K), V_s, beta, sigma2)``), from coordinate index
    lists (:meth:`from_coordinates`) or as one of the three reference geometries (:meth:`prototype`).

    What each method gives, and how exact it is:

    * :meth:`simulate` — the procedure itself, per-trial risks of every arm per round (Monte Carlo);
    * :meth:`teacher_risks`, :meth:`round1_risk` — exact finite-sample expectations **[VERIFIED]**;
    * :meth:`population`, :meth:`fixed_point` — the :math:`n,N\to\infty` limit **[LIMIT]**; beyond round 1
      finite-sample expectations have no closed form (teachers reuse their labelled sets across rounds).

    Examples
    --------
    >>> m = RoundsModel.prototype("G1_blocks", K=4)
    >>> round(m.round1_risk(n=40, N=400)["risk"], 4)
    0.6563
    >>> m.population(T=3, lam=0.0)["student"].round(4).tolist()
    [0.4542, 0.5596, 0.5897]
    """

    def simulate(
        self,
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
        """Monte Carlo of the procedure (:func:`w2s_theory.rounds.simulate.macpo_rounds`, where every
        argument is described): ``student`` ``(trials, T)``, ``teachers`` ``(trials, T+1, K)``,
        ``teacher_mean`` ``(trials, T+1)``."""
        return _simulate.macpo_rounds(
            self, n, N, T, lam, trials, seed, rule=rule, q_pos=q_pos, q_unf=q_unf, chunk_size=chunk_size
        )

    def teacher_risks(self, n: int) -> np.ndarray:
        r"""Exact :math:`\mathbb E\,\mathrm{ER}` of each round-0 teacher, shape ``(K,)``
        (:func:`w2s_theory.rounds.theory.teacher_risks`)."""
        return theory.teacher_risks(self, n)

    def round1_risk(self, n: int, N: int) -> dict[str, float]:
        r"""Exact :math:`\mathbb E\,\mathrm{ER}` of the round-1 student under the average rule, with its
        parts (:func:`w2s_theory.rounds.theory.round1_student_risk`)."""
        return theory.round1_student_risk(self, n, N)

    def population(self, T: int, lam: float) -> dict[str, np.ndarray]:
        r"""Population rounds, :math:`n,N\to\infty` (:func:`w2s_theory.rounds.theory.population_rounds`)."""
        return theory.population_rounds(self, T, lam)

    def fixed_point(self, lam: float) -> dict[str, object]:
        r"""Population fixed point (:math:`\lambda>0`) or collapse (:math:`\lambda=0`) and its rate
        (:func:`w2s_theory.rounds.theory.fixed_point`)."""
        return theory.fixed_point(self, lam)
