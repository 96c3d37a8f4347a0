"""W2SR's Reasoning Gap Recovered (Yuan et al. 2025, "Incentivizing Strong Reasoning from Weak Supervision")
in the subspace model: exact RGR, the error split that explains it, and iso-accuracy teachers. Theory:
``docs/theory/rgr.md``. Modules, in dependency order:

* :mod:`~w2s_theory.rgr.model`: the subspace model's data with the invariant ``beta_norm2``;
* :mod:`~w2s_theory.rgr.theory`: RGR and the split (derived in :mod:`w2s_theory.symbolic.rgr`);
* :mod:`~w2s_theory.rgr.teachers`: iso-accuracy teacher families;
* :mod:`~w2s_theory.rgr.trial`: one trial on the subspace model's draws, with W2SR's learners;
* :mod:`~w2s_theory.rgr.family`: the family record (roles with the un-tuned student as RGR's base);
* :mod:`~w2s_theory.rgr.simulate`: the Monte Carlo entry point;
* :mod:`~w2s_theory.rgr.api`: :class:`RGRModel`.
"""

from w2s_theory.rgr.api import RGRModel

__all__ = ["RGRModel"]
