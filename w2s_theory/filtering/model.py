r"""Two-stage confidence filtering (Shi et al., ACL 2025) in the subspace model, as plain data.

Theory: ``docs/theory/filtering.md``. The base model is the subspace model of Dong et al. (ICML 2025)
(:class:`w2s_theory.discrepancy.model.SubspaceModelData`: :math:`V_w`, :math:`V_s`, :math:`\beta`,
:math:`\sigma^2`); this module adds the procedure's settings and the two reference geometries. It imports
nothing from its siblings.

Settings (:class:`FilterSettings`):

* ``scores``: which inconsistency scores to run (smaller = the teacher is more self-consistent):
  ``"leverage"`` :math:`\varphi_w^\top G_w^{-1}\varphi_w`, ``"bootstrap"`` (the spread of ``n_boot``
  pairs-bootstrap teachers), ``"oracle"`` (the teacher's actual noise-free error, a reference that uses
  :math:`\beta`), ``"random"`` (a uniform draw: the pure sample-size loss) and ``"isotropic"``
  (:math:`\|\varphi_w\|^2`, the :math:`n\to\infty` limit of the leverage score, where the exact results hold);
* ``q``: the stage-I keep fractions, each in :math:`(0,1]`; ``q2`` the stage-II keep fraction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory import _validate
from w2s_theory.discrepancy.model import SubspaceModelData

SCORES: tuple[str, ...] = ("leverage", "bootstrap", "oracle", "random", "isotropic")
#: The stage-I keep fractions of the reference runs.
DEFAULT_Q: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


def kept_count(q: float, pool: int) -> int:
    r""":math:`m=\operatorname{round}(qN)` (halves round up), the number of points a keep fraction keeps."""
    return int(np.floor(q * pool + 0.5))


@dataclass(frozen=True)
class FilterSettings:
    """The procedure's settings (module docstring): scores, stage-I keep fractions ``q``, stage-II keep
    fraction ``q2`` and the number of bootstrap teachers ``n_boot``. Hashable: it fixes the trial's shapes."""

    scores: tuple[str, ...] = SCORES[:4]
    q: tuple[float, ...] = DEFAULT_Q
    q2: float = 0.5
    n_boot: int = 16

    def __post_init__(self) -> None:
        scores = tuple(self.scores) if not isinstance(self.scores, str) else (self.scores,)
        if not scores:
            raise ValueError(f"scores must name at least one of {SCORES}, got an empty tuple")
        for score in scores:
            _validate.choice("score", score, SCORES)
        if len(set(scores)) != len(scores):
            raise ValueError(f"scores must not repeat, got {scores}")
        q = np.atleast_1d(np.asarray(self.q, dtype=float))
        if q.ndim != 1 or q.size == 0:
            raise ValueError(f"q must be a non-empty sequence of keep fractions in (0, 1], got {self.q!r}")
        keep = tuple(_validate.positive_fraction("q", float(v)) for v in q)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "q", keep)
        object.__setattr__(self, "q2", _validate.positive_fraction("q2", self.q2))
        object.__setattr__(self, "n_boot", _validate.positive_int("n_boot", self.n_boot, minimum=2))

    def kept(self, N: int) -> tuple[int, ...]:
        """Stage-I kept counts :math:`m=\\operatorname{round}(qN)` for a pool of ``N`` points; each must be
        at least 1."""
        m = tuple(kept_count(q, N) for q in self.q)
        if min(m) < 1:
            q = self.q[int(np.argmin(m))]
            raise ValueError(f"q = {q} keeps round(q * N) = 0 of N = {N} points; need q * N >= 0.5")
        return m

    def relabelled(self, N: int) -> tuple[int, ...]:
        """Stage-II added counts :math:`\\operatorname{round}(q_2(N-m))` for each stage-I ``m``."""
        return tuple(kept_count(self.q2, N - m) for m in self.kept(N))


def split_geometry(sigma2: float = 1.0) -> SubspaceModelData:
    r"""Reference configuration F1 (commuting projections): :math:`D=64`, :math:`V_s=[e_1..e_{32}]`,
    :math:`V_w=[e_1..e_8,e_{33}..e_{48}]` (:math:`d_w=24`, :math:`d_{s\wedge w}=8`); :math:`\beta` uniform
    on :math:`e_1..e_8` with :math:`\|\cdot\|^2=1` and on :math:`e_{33}..e_{40}` (weak-only) with
    :math:`\|\cdot\|^2=0.1`, so :math:`\rho_s=0.1`, :math:`\rho_w=0`."""
    e = np.eye(64)
    V_w = np.column_stack([e[:, :8], e[:, 32:48]])
    beta = np.zeros(64)
    beta[:8] = np.sqrt(1.0 / 8)
    beta[32:40] = np.sqrt(0.1 / 8)
    return SubspaceModelData(V_w, e[:, :32], beta, sigma2)


def tilted_geometry(sigma2: float = 1.0) -> SubspaceModelData:
    r"""Reference configuration F2 (16 principal angles of 45°): :math:`D=64`, :math:`V_s=[e_1..e_{32}]`,
    :math:`V_w=[e_1..e_8,(e_{9+i}+e_{33+i})/\sqrt2]_{i<16}` (:math:`d_{s\wedge w}=16`); :math:`\beta`
    uniform on :math:`e_1..e_8` (:math:`\|\cdot\|^2=1`) and on :math:`e_9..e_{24}` (:math:`\|\cdot\|^2=0.25`),
    so :math:`\rho_s=0`, :math:`\rho_w=0.125`."""
    e = np.eye(64)
    tilted = (e[:, 8:24] + e[:, 32:48]) / np.sqrt(2.0)
    V_w = np.column_stack([e[:, :8], tilted])
    beta = np.zeros(64)
    beta[:8] = np.sqrt(1.0 / 8)
    beta[8:24] = np.sqrt(0.25 / 16)
    return SubspaceModelData(V_w, e[:, :32], beta, sigma2)
