r"""W2SR's setting (Yuan et al. 2025) as plain data: the subspace model's teacher/student subspaces, target
and noise (:class:`~w2s_theory.discrepancy.model.SubspaceModelData`) with the one extra invariant RGR needs,
the un-tuned student's risk :math:`\|\beta\|^2` (``beta_norm2``). This module imports nothing from its
siblings.
"""

from __future__ import annotations

from w2s_theory.discrepancy.model import SubspaceModelData


class RGRModelData(SubspaceModelData):
    r""":class:`~w2s_theory.discrepancy.model.SubspaceModelData` whose :meth:`invariants` add
    ``beta_norm2`` :math:`=\|\beta\|^2`, the excess risk of the un-tuned student (:math:`\theta=0`)."""

    @property
    def beta_norm2(self) -> float:
        r""":math:`\|\beta\|^2`: the risk of the un-tuned student, RGR's reference point."""
        return float(self.b_star @ self.b_star)

    def invariants(self) -> dict[str, float]:
        """The subspace model's invariants and ``beta_norm2``."""
        return super().invariants() | {"beta_norm2": self.beta_norm2}
