r""":class:`MultiTeacherModel`: the multi-teacher data (:mod:`w2s_theory.multiteacher.model`) with the
methods that call its theory (:mod:`w2s_theory.multiteacher.theory`) and its Monte Carlo
(:mod:`w2s_theory.multiteacher.simulate`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from w2s_theory.multiteacher import simulate as _simulate
from w2s_theory.multiteacher import theory
from w2s_theory.multiteacher.examples import coverage_example
from w2s_theory.multiteacher.model import Labels, MultiTeacherModelData
from w2s_theory.multiteacher.theory import RiskQuadratic
from w2s_theory.multiteacher.trial import Engine


class MultiTeacherModel(MultiTeacherModelData):
    r"""M weak teachers on subspaces :math:`V_m` and a strong student on :math:`V_s` (all in one
    :math:`\mathbb R^D`), target :math:`\beta`, label noise ``sigma2``; the student fits the
    :math:`\alpha`-weighted pseudo-labels of the teachers (the linear-Gaussian analogue of AE-KD, Du et al.,
    NeurIPS 2020; ``docs/theory/multiteacher.md``).

    Examples
    --------
    >>> m = MultiTeacherModel.coverage("redundant")
    >>> q = m.expected(n=[40, 40, 40, 15], N=30)
    >>> round(q.compare()["uniform"]["excess"], 2)  # uniform vs optimal weights, n_4 = d_4 + 3
    0.47
    """

    @classmethod
    def coverage(cls, case: str) -> MultiTeacherModel:
        """The coverage example (:func:`w2s_theory.multiteacher.examples.coverage_example`): three teachers
        on tilted student directions plus a fourth that is ``"redundant"`` or ``"complementary"``."""
        return cls(**coverage_example(case))

    @classmethod
    def from_coordinates(
        cls,
        V_s: np.ndarray,
        teacher_coordinates: Sequence[Sequence[int]],
        beta: np.ndarray,
        sigma2: float,
    ) -> MultiTeacherModel:
        """Teachers on coordinate subspaces (``teacher_coordinates[m]``: the coordinates teacher m sees), so
        their projectors commute pairwise (the shared-set closed form is exact); ``V_s`` any orthonormal
        ``D x d_s``."""
        D = np.asarray(V_s).shape[0]
        eye = np.eye(D)
        teachers = []
        for m, coords in enumerate(teacher_coordinates):
            idx = np.asarray(coords, dtype=int)
            if idx.size == 0 or np.any((idx < 0) | (idx >= D)) or np.unique(idx).size != idx.size:
                raise ValueError(
                    f"teacher_coordinates[{m}] must be distinct coordinates in [0, {D}), got {list(coords)}"
                )
            teachers.append(eye[:, idx])
        return cls(V_s, tuple(teachers), beta, sigma2)

    def expected(
        self, n: int | Sequence[int], N: int, labels: Labels = "disjoint", *, plug_in: bool = False
    ) -> RiskQuadratic:
        r"""The exact :math:`\mathbb E\,\mathrm{ER}(\alpha)` as a quadratic
        (:func:`w2s_theory.multiteacher.theory.expected_quadratic`): ``.risk(alpha)``, ``.weights(rule)``,
        ``.compare()``, ``.Q``, ``.K``, ``.b``, ``.gram``.

        ``labels="shared"`` with non-commuting teacher projectors raises (Monte Carlo only) unless
        ``plug_in=True``, which returns a biased plug-in flagged ``exact=False``."""
        return theory.expected_quadratic(self, n, N, labels, plug_in=plug_in)

    def simulate(
        self,
        n: int | Sequence[int],
        N: int,
        trials: int,
        seed: int = 0,
        *,
        labels: Labels = "disjoint",
        engine: Engine = "wishart",
        chunk_size: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Monte Carlo, any ``n, N >= 1``: per-trial Gram outputs and per-teacher risks
        (:func:`w2s_theory.multiteacher.simulate.simulate`)."""
        return _simulate.simulate(
            self, n, N, trials, seed, labels=labels, engine=engine, chunk_size=chunk_size
        )

    def simulate_curve(
        self, n: Sequence[Sequence[int]], N: int, trials: int, seed: int = 0, *, chunk_size: int | None = None
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`simulate` (Wishart engine, disjoint labelled sets) at every point ``n[j]`` (one size per
        teacher) on the same trials, each point's numbers what :meth:`simulate` gives with this ``seed``
        (:func:`w2s_theory.multiteacher.simulate.simulate_curve`)."""
        return _simulate.simulate_curve(self, n, N, trials, seed, chunk_size=chunk_size)

    def weighted_risk(self, mc: Mapping[str, np.ndarray], alpha: Sequence[float] | np.ndarray) -> np.ndarray:
        """Per-trial risk of the student fitted with weights ``alpha`` (any sum) in the trials ``mc``."""
        return _simulate.weighted_risk(mc, np.asarray(alpha, dtype=float), self.beta_norm2)

    def aekd(self, mc: Mapping[str, np.ndarray], cap: float = 1.0) -> dict[str, np.ndarray]:
        """AE-KD's data-driven weights in each trial and the resulting risks
        (:func:`w2s_theory.multiteacher.simulate.aekd`)."""
        return _simulate.aekd(mc, self.beta_norm2, cap)
