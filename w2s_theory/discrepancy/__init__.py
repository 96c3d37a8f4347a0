"""Dong, Li, Li, Lee, Lei (ICML 2025), "Discrepancies are Virtue": intrinsic-dimension W2S theory.

Theory: ``docs/theory/discrepancies.md``. Modules, in dependency order:

* :mod:`~w2s_theory.discrepancy.model`: the model as plain data (subspaces, target, invariants);
* :mod:`~w2s_theory.discrepancy.theory`: the closed forms (derived in :mod:`w2s_theory.symbolic.discrepancy`);
* :mod:`~w2s_theory.discrepancy.fits`: the four ridgeless fits of one trial, from triangular factors;
* :mod:`~w2s_theory.discrepancy.trial`: one Monte Carlo trial, two engines (``wishart``, ``design``);
* :mod:`~w2s_theory.discrepancy.family`: the family record for the shared driver;
* :mod:`~w2s_theory.discrepancy.simulate`: the Monte Carlo entry point;
* :mod:`~w2s_theory.discrepancy.api`: :class:`SubspaceModel`, the data with its methods;
* :mod:`~w2s_theory.discrepancy.misfit`: the misfit–gain inequality (Charikar et al., NeurIPS 2024), exact
  expectations (derived in :mod:`w2s_theory.symbolic.misfit`) and the check :func:`misfit_gain`.
"""

from w2s_theory.discrepancy.api import SubspaceModel
from w2s_theory.discrepancy.misfit import MisfitGain, expected_misfit_gain, misfit_gain

__all__ = ["MisfitGain", "SubspaceModel", "expected_misfit_gain", "misfit_gain"]
