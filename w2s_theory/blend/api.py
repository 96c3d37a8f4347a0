r""":class:`BlendModel`: the subspace model's data with the blended-distillation theory
(:mod:`w2s_theory.blend.theory`) and Monte Carlo (:mod:`w2s_theory.blend.simulate`)."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory._random import Seed
from w2s_theory.blend import simulate as _simulate
from w2s_theory.blend import theory
from w2s_theory.blend.model import block_layout, commuting, principal_cosines
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.metrics import Estimate


def _plain(out: dict[str, np.ndarray]) -> dict[str, float | np.ndarray]:
    return {k: float(v) if np.ndim(v) == 0 else v for k, v in out.items()}


class BlendModel(SubspaceModelData):
    r"""Blended distillation (DWT, Lee et al., Findings ACL 2023) in the subspace model: the strong student
    fits :math:`(1-w)y+w\hat y_w` on the same ``n`` labelled points, :math:`\hat y_w` the weak teacher's
    in-sample fit (``docs/theory/blend.md``).

    Exact theory (:meth:`expected_risk`, :meth:`optimal_weight`) where :math:`P_s,P_w` commute
    (:attr:`is_commuting`; build such a model with :meth:`blocks` or :meth:`coordinate`). For general
    principal angles, and with ``N > 0`` extra pseudo-labelled points, there is no closed form: Monte Carlo
    only (:meth:`simulate`, :meth:`optimal_weight_mc`).

    Examples
    --------
    >>> m = BlendModel.blocks(c=2, a=4, b=3, sigma2=0.5, student_only=1.0, teacher_only=1.0, outside=0.5)
    >>> out = m.expected_risk(n=14, w=0.5)
    >>> round(out["blend"], 4), round(out["w_star"], 4)
    (3.0326, 0.3899)
    """

    @classmethod
    def blocks(
        cls,
        c: int,
        a: int,
        b: int,
        sigma2: float,
        *,
        shared: float = 0.0,
        student_only: float = 1.0,
        teacher_only: float = 0.0,
        outside: float = 0.0,
    ) -> Self:
        r"""Commuting subspaces :math:`\mathcal V_s=C\oplus A`, :math:`\mathcal V_w=C\oplus B` (``c``, ``a``,
        ``b`` axes) and the target's squared norm on each block and outside both
        (:func:`w2s_theory.blend.model.block_layout`): ``student_only`` is :math:`b_A`, and
        :math:`\tau^2=` ``sigma2 + outside``."""
        V_w, V_s, beta = block_layout(c, a, b, shared, student_only, teacher_only, outside)
        return cls(V_w, V_s, beta, sigma2)

    @property
    def is_commuting(self) -> bool:
        """Whether :math:`P_sP_w=P_wP_s` (every principal-angle cosine 0 or 1): where the theory is exact."""
        return commuting(self)

    @property
    def tau2(self) -> float:
        r""":math:`\tau^2=\sigma^2+\|(I-P_s)(I-P_w)\beta\|^2`: noise the student cannot fit and the teacher
        cannot absorb."""
        return self.sigma2 + max(self.rho_w - self.bias_sw, 0.0)

    def _exact_invariants(self) -> dict[str, float]:
        if not self.is_commuting:
            cos = np.round(principal_cosines(self), 4)
            raise ValueError(
                "Monte Carlo only: the exact blended risk needs commuting projectors P_s, P_w (principal-angle "
                f"cosines all 0 or 1), got cosines {cos.tolist()} (d_sw = {self.d_sw:.6g}). Use "
                "simulate() / optimal_weight_mc(); the commuting formula with c = d_sw is not exact here "
                "(docs/theory/blend.md §4)."
            )
        inv = self.invariants()
        return {k: inv[k] for k in ("d_w", "d_s", "sigma2", "rho_w", "rho_s", "bias_sw")} | {
            "d_sw": int(round(self.d_sw))
        }

    def expected_risk(self, n: ArrayLike, w: ArrayLike = 0.5) -> dict[str, float | np.ndarray]:
        r"""Exact expectations (:func:`w2s_theory.blend.theory.expected_risk`): ``strong``, ``weak``,
        ``cross`` (:math:`U`), ``shift`` (:math:`V`), ``blend`` (:math:`\mathbb E\,\mathrm{ER}(w)`),
        ``w_star``, ``gain``. Needs commuting projectors and :math:`n>\max(d_s,d_w)+1`; raises otherwise,
        saying why."""
        return _plain(theory.expected_risk(n=n, w=w, **self._exact_invariants()))

    def optimal_weight(self, n: ArrayLike, interval: tuple[float, float] | None = None) -> float | np.ndarray:
        r"""Exact :math:`w^*=U/V` (``interval=None``: the unconstrained minimiser, any real number) or the
        constrained optimum on ``interval`` :math:`\subseteq[0,1]` (an interval outside :math:`[0,1]` is an
        error). NaN (unconstrained) where the risk does not depend on :math:`w`."""
        out = theory.optimal_weight(n=n, interval=interval, **self._exact_invariants())
        return float(out) if np.ndim(out) == 0 else out

    def simulate(
        self,
        n: int,
        trials: int,
        seed: Seed = 0,
        *,
        w: float = 0.5,
        N: int = 0,
        chunk_size: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Monte Carlo of the exact pipeline, any subspaces (:func:`w2s_theory.blend.simulate.simulate`).

        Parameters
        ----------
        n
            Labelled sample size (integer >= 1).
        trials
            Number of independent trials.
        seed
            Integer in ``[0, 2**63)`` or a typed JAX key; trial ``i`` depends on ``(seed, i)`` only.
        w
            Blend weight of the ``blend`` output (any real number).
        N
            Extra points labelled by the teacher only (0: the labelled set is all the student sees).
        chunk_size
            Trials per compiled call (memory bound); never changes the results.

        Returns
        -------
        dict
            Per-trial arrays: ``weak``, ``strong`` (:math:`\\|e_0\\|^2`), ``cross`` (:math:`e_0^\\top D`),
            ``shift`` (:math:`\\|D\\|^2`), ``blend`` (:math:`\\|e_0-wD\\|^2`), ``opr``.
        """
        return _simulate.simulate(self, n, trials, seed, w=w, N=N, chunk_size=chunk_size)

    def optimal_weight_mc(self, n: int, trials: int, seed: Seed = 0, *, N: int = 0) -> Estimate:
        r"""Monte Carlo :math:`w^*=\mathbb E[e_0^\top D]/\mathbb E\|D\|^2` (ratio of means, delta-method SE),
        any subspaces and any ``N`` (:func:`w2s_theory.blend.simulate.optimal_weight_estimate`). The
        constrained optimum on :math:`[lo,hi]` is this value clipped (the risk is a convex quadratic)."""
        return _simulate.optimal_weight_estimate(self.simulate(n, trials, seed, N=N))
