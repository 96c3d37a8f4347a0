r""":class:`TwoStageFilter`: a subspace model and the filtering procedure's settings, with the methods that
call the theory (:mod:`w2s_theory.filtering.theory`), the Monte Carlo (:mod:`w2s_theory.filtering.simulate`)
and the tables (:mod:`w2s_theory.filtering.report`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory._random import Seed
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.filtering import report, theory
from w2s_theory.filtering import simulate as _simulate
from w2s_theory.filtering.model import FilterSettings, split_geometry, tilted_geometry


@dataclass(frozen=True)
class TwoStageFilter:
    r"""Two-stage confidence filtering of Shi et al. (ACL 2025), "How to Mitigate Overfitting in
    Weak-to-strong Generalization?", run in the subspace model of Dong et al. (ICML 2025)
    (``docs/theory/filtering.md``).

    ``model`` is any :class:`w2s_theory.SubspaceModel` (or its data); ``settings`` the scores, keep fractions
    ``q`` (each in :math:`(0,1]`), stage-II keep fraction ``q2`` and bootstrap size
    (:class:`w2s_theory.filtering.model.FilterSettings`). :meth:`split` and :meth:`tilted` build the two
    reference geometries.

    Examples
    --------
    >>> f = TwoStageFilter.split()
    >>> [round(float(c), 3) for c in f.kept_moment([0.1, 0.5])]
    [0.559, 0.772]
    """

    model: SubspaceModelData
    settings: FilterSettings = field(default_factory=FilterSettings)

    @classmethod
    def split(cls, sigma2: float = 1.0, **settings) -> TwoStageFilter:
        """Reference geometry F1, commuting projections (:func:`w2s_theory.filtering.model.split_geometry`)."""
        return cls(split_geometry(sigma2), FilterSettings(**settings))

    @classmethod
    def tilted(cls, sigma2: float = 1.0, **settings) -> TwoStageFilter:
        """Reference geometry F2, 45° principal angles (:func:`w2s_theory.filtering.model.tilted_geometry`)."""
        return cls(tilted_geometry(sigma2), FilterSettings(**settings))

    def simulate(
        self, n: int, N: int, trials: int, seed: Seed = 0, *, chunk_size: int | None = None
    ) -> dict[str, np.ndarray]:
        """Per-trial risks of every arm (:func:`w2s_theory.filtering.simulate.simulate`): ``weak``,
        ``strong``, ``ceiling``, ``w2s`` (naive), ``stage1`` / ``stage2`` (``trials x scores x q``),
        ``stage2_shift``, ``limit`` and the degeneration statistics (:mod:`w2s_theory.filtering.trial`)."""
        return _simulate.simulate(self.model, self.settings, n, N, trials, seed, chunk_size=chunk_size)

    def summarize(self, out: dict[str, np.ndarray]) -> list[report.ArmSummary]:
        """E ER, PGR and the paired gain over the naive student of every arm of a :meth:`simulate` run."""
        return report.summarize(out, self.settings)

    def kept_moment(self, q: ArrayLike) -> np.ndarray:
        """:math:`c(q)` of the isotropic filter at this model's :math:`d_w` (:func:`theory.kept_moment`)."""
        return theory.kept_moment(q, self.model.d_w)

    def degeneration(self, q: ArrayLike) -> dict[str, np.ndarray]:
        """Kept-law moments of the isotropic filter (:func:`theory.degeneration`)."""
        return theory.degeneration(self.model, q)

    def stage1_limit(self, n: int, q: ArrayLike) -> np.ndarray:
        """:math:`N\\to\\infty` stage-I risk of the isotropic filter (:func:`theory.stage1_limit`); for the
        leverage filter an approximation."""
        return theory.stage1_limit(self.model, n, q)

    def random_filter_risk(self, n: int, N: int, q: float) -> float:
        """Exact E ER of the random filter's stage-I (and stage-I+II) student (:func:`theory.random_filter_risk`)."""
        return theory.random_filter_risk(self.model, n, N, q)
