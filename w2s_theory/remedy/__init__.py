r"""Enhanced-W2S (Liu et al. 2026; ``docs/theory/remedy.md`` §1–§2) tested in a classification version of
the hard group model (``docs/theory/remedy.md`` §3).

* :mod:`~w2s_theory.remedy.data`: :class:`ClassificationTask`, sampling, product features;
* :mod:`~w2s_theory.remedy.gce`: cross-entropy and generalized cross-entropy on margins;
* :mod:`~w2s_theory.remedy.heads`: least-squares, logistic and GCE heads (optax L-BFGS);
* :mod:`~w2s_theory.remedy.confidence`: the group-label-free entropy filter;
* :mod:`~w2s_theory.remedy.evaluate`: exact-in-(z, eps) accuracy and regression excess risk;
* :mod:`~w2s_theory.remedy.enhanced`: the pipeline and its Monte Carlo, one setting or several on the same
  trials (:func:`simulate_variants`);
* :mod:`~w2s_theory.remedy.experiments`: scenario table, ablations, theory overlay.
"""

from w2s_theory.remedy.data import ClassificationTask
from w2s_theory.remedy.enhanced import Variant, simulate_enhanced, simulate_variants

__all__ = ["ClassificationTask", "Variant", "simulate_enhanced", "simulate_variants"]
