r""":class:`RGRModel`: W2SR's setting (:mod:`w2s_theory.rgr.model`) with the RGR theory
(:mod:`w2s_theory.rgr.theory`), its Monte Carlo (:mod:`w2s_theory.rgr.simulate`) and the iso-accuracy
teachers (:mod:`w2s_theory.rgr.teachers`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory._random import Seed
from w2s_theory.discrepancy.trial import Engine
from w2s_theory.metrics import Estimate, rgr_ratio_of_means
from w2s_theory.rgr import simulate as _simulate
from w2s_theory.rgr import theory
from w2s_theory.rgr.family import FAMILY
from w2s_theory.rgr.model import RGRModelData
from w2s_theory.rgr.teachers import iso_accuracy_setting


class RGRModel(RGRModelData):
    r"""W2SR's Reasoning Gap Recovered (Yuan et al. 2025) in the subspace model
    (``docs/theory/rgr.md``): teacher OLS on ``n`` labels in :math:`\mathcal V_w`, student in
    :math:`\mathcal V_s` on ``N`` points labelled by the teacher (W2S) or truly (ceiling), base the
    un-tuned student :math:`\theta=0`.

    .. math:: \mathrm{RGR}=\frac{\|\beta\|^2-\mathbb E\,\mathrm{ER}_{w2s}}{\|\beta\|^2-\mathbb E\,\mathrm{ER}_{ceil}}

    Build it like :class:`~w2s_theory.discrepancy.SubspaceModel` (:meth:`coordinate`,
    :meth:`from_principal_angles`, any orthonormal ``V_w``, ``V_s``) or take the iso-accuracy teachers of
    :meth:`iso_accuracy_teachers`.

    Examples
    --------
    >>> teachers = RGRModel.iso_accuracy_teachers(er_weak=2.5)
    >>> m, n = teachers["student span + null"]
    >>> round(m.expected_risks(n=n, N=40)["rgr"], 4)
    0.8852
    """

    def expected_risks(self, n: ArrayLike, N: ArrayLike) -> dict[str, float | np.ndarray]:
        r"""Exact expectations (any subspaces; :math:`n>d_w+1`, :math:`N>d_s+1`,
        :func:`w2s_theory.rgr.theory.expected_risks`): ``weak``, ``w2s``, ``ceiling``, ``base``, ``rgr``
        (NaN where the ceiling does not beat :math:`\theta=0`, i.e. ``N`` below :meth:`smallest_N_with_gap`)
        and the split ``eps_vis``, ``eps_inv``, ``eta_inv``, ``s_t``, ``gap``."""
        out = theory.expected_risks(n=n, N=N, floor=self.rounding_floor, **self.invariants())
        return {k: float(v) if np.ndim(v) == 0 else v for k, v in out.items()}

    def smallest_N_with_gap(self) -> int | None:
        """The smallest ``N`` at which RGR is defined (the ``N``-label ceiling beats the un-tuned student)."""
        return theory.smallest_N_with_gap(
            d_s=self.d_s, sigma2=self.sigma2, rho_s=self.rho_s, beta_norm2=self.beta_norm2
        )

    def simulate(
        self,
        n: int,
        N: int,
        trials: int,
        seed: Seed = 0,
        *,
        engine: Engine = "wishart",
        chunk_size: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Monte Carlo (:func:`w2s_theory.rgr.simulate.simulate`), any ``n, N >= 1``.

        Returns
        -------
        dict
            Per-trial ``weak``, ``strong``, ``ceiling``, ``w2s``, ``base``, the split ``eps_vis``,
            ``eps_inv``, ``eta_inv``, and ``pgr``, ``opr``, ``rgr``;
            RGR as a ratio of expectations is :func:`w2s_theory.metrics.rgr_ratio_of_means`.
        """
        return _simulate.simulate(self, n, N, trials, seed, engine=engine, chunk_size=chunk_size)

    def simulate_curve(
        self, n: ArrayLike, N: ArrayLike, trials: int, seed: Seed = 0, *, chunk_size: int | None = None
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`simulate` (Wishart engine) at every point ``(n[j], N[j])`` (1-D, broadcast) on the same
        trials: one dict per point, each what :meth:`simulate` gives with this ``seed``; every normal draw
        of a trial is shared (:func:`w2s_theory.rgr.simulate.simulate_curve`)."""
        return _simulate.simulate_curve(self, n, N, trials, seed, chunk_size=chunk_size)

    def rgr_mc(self, n: int, N: int, trials: int, seed: Seed = 0) -> Estimate:
        """Monte Carlo RGR as a ratio of mean risks with delta-method SE
        (:func:`w2s_theory.metrics.rgr_ratio_of_means`); NaN with a reason where the mean ceiling is not
        better than the un-tuned student."""
        risks = self.simulate(n, N, trials, seed)
        return rgr_ratio_of_means(risks, FAMILY.roles, floor=self.rounding_floor)

    @classmethod
    def iso_accuracy_teachers(
        cls, er_weak: float = 2.5, *, visible: float = 4.0, rho_s: float = 1.0, sigma2: float = 0.5
    ) -> dict[str, tuple[RGRModel, int]]:
        r"""Teachers of equal expected risk ``er_weak`` whose errors lie in different places
        (:mod:`w2s_theory.rgr.teachers`): ``{name: (model, n)}`` with the shared student and target."""
        setting = iso_accuracy_setting(er_weak, visible=visible, rho_s=rho_s, sigma2=sigma2)
        return {
            t.name: (cls(t.V_w, setting.V_s, setting.beta, setting.sigma2), t.n) for t in setting.teachers
        }
