"""Several weak teachers, weighted (the linear-Gaussian analogue of AE-KD, Du et al., NeurIPS 2020).

Theory: ``docs/theory/multiteacher.md``. Modules, in dependency order:

* :mod:`~w2s_theory.multiteacher.model`: the model as plain data (subspaces, target, invariants);
* :mod:`~w2s_theory.multiteacher.weights`: weighting rules (optimum, simplex, uniform, inverse variance,
  AE-KD's capped min-norm rule);
* :mod:`~w2s_theory.multiteacher.theory`: the exact risk as a quadratic in the weights (derived in
  :mod:`w2s_theory.symbolic.multiteacher`);
* :mod:`~w2s_theory.multiteacher.examples`: the coverage example (redundant / complementary teacher);
* :mod:`~w2s_theory.multiteacher.trial`: one Monte Carlo trial, two engines (``wishart``, ``design``);
* :mod:`~w2s_theory.multiteacher.family`: the family record for the shared driver;
* :mod:`~w2s_theory.multiteacher.simulate`: the Monte Carlo entry point and per-trial weighted risks;
* :mod:`~w2s_theory.multiteacher.api`: :class:`MultiTeacherModel`, the data with its methods.
"""

from w2s_theory.multiteacher.api import MultiTeacherModel
from w2s_theory.multiteacher.theory import RiskQuadratic

__all__ = ["MultiTeacherModel", "RiskQuadratic"]
