"""Liu, Dong, Lei (ICLR 2026), "Does weak-to-strong generalization happen under spurious correlations?".

* :mod:`~w2s_theory.spurious.model`: :class:`SpuriousModel` (soft or hard group model) and constructors;
* :mod:`~w2s_theory.spurious.theory`: closed forms F1/F2/F3 and the hard-model leading order (derived in
  :mod:`w2s_theory.symbolic.spurious`), optimal eta_u, failure threshold, matched fractions;
* :mod:`~w2s_theory.spurious.fixed_point`: the constants (a, b) of the proportional limit F3;
* :mod:`~w2s_theory.spurious.simulate`: the JAX Monte Carlo, averaged over label noise exactly.
"""

from w2s_theory.spurious.model import SpuriousModel

__all__ = ["SpuriousModel"]
