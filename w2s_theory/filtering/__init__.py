"""Two-stage confidence filtering (Shi et al., ACL 2025) in the subspace model of Dong et al. (ICML 2025).

Theory: ``docs/theory/filtering.md``. Modules, in dependency order:

* :mod:`~w2s_theory.filtering.model`: the procedure's settings and the two reference geometries;
* :mod:`~w2s_theory.filtering.theory`: the closed forms (derived in :mod:`w2s_theory.symbolic.filtering`);
* :mod:`~w2s_theory.filtering.procedure`: the procedure itself (scores, stage I, stage II), pure JAX;
* :mod:`~w2s_theory.filtering.trial`: one Monte Carlo trial, every score and keep fraction paired;
* :mod:`~w2s_theory.filtering.family`: the family record for the shared driver;
* :mod:`~w2s_theory.filtering.simulate`: the Monte Carlo entry point;
* :mod:`~w2s_theory.filtering.report`: per-arm risk, PGR and paired-gain tables;
* :mod:`~w2s_theory.filtering.groups`: confidence filtering in the group-imbalance model (kept minority
  fraction and the gain law);
* :mod:`~w2s_theory.filtering.api`: :class:`TwoStageFilter`.
"""

from w2s_theory.filtering.api import TwoStageFilter
from w2s_theory.filtering.model import FilterSettings

__all__ = ["FilterSettings", "TwoStageFilter"]
