"""Liu, Dong, Lei (ICLR 2026), "Does weak-to-strong generalization happen under spurious correlations?".

Theory: ``docs/theory/spurious.md``. Modules, in dependency order:

* :mod:`~w2s_theory.spurious.model`: the model as plain data (soft or hard group model) and constructors;
* :mod:`~w2s_theory.spurious.fixed_point`: the constants (a, b) of the proportional limit F3;
* :mod:`~w2s_theory.spurious.theory`: closed forms F1/F2/F3 and the hard-model leading order (derived in
  :mod:`w2s_theory.symbolic.spurious`), optimal eta_u, failure threshold, matched fractions;
* :mod:`~w2s_theory.spurious.trial`: one Monte Carlo trial, averaged over label noise exactly;
* :mod:`~w2s_theory.spurious.family`: the family record for the shared driver;
* :mod:`~w2s_theory.spurious.simulate`: the Monte Carlo entry point;
* :mod:`~w2s_theory.spurious.api`: :class:`SpuriousModel`, the data with its methods.
"""

from w2s_theory.spurious.api import SpuriousModel

__all__ = ["SpuriousModel"]
