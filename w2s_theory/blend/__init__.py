"""Blended distillation weight (DWT, Lee et al., Findings ACL 2023) in the subspace model: the student
fits :math:`(1-w)y+w\\hat y_w` on the same labelled points. Theory: ``docs/theory/blend.md``. Modules, in
dependency order:

* :mod:`~w2s_theory.blend.model`: commuting check and the block layout (data from the subspace model);
* :mod:`~w2s_theory.blend.theory`: the exact quadratic risk and :math:`w^*` (derived in
  :mod:`w2s_theory.symbolic.blend`);
* :mod:`~w2s_theory.blend.trial`: one Monte Carlo trial (Bartlett factors; optional pseudo-labelled points);
* :mod:`~w2s_theory.blend.family`: the family record for the shared driver;
* :mod:`~w2s_theory.blend.simulate`: the Monte Carlo entry point and the :math:`w^*` estimate;
* :mod:`~w2s_theory.blend.api`: :class:`BlendModel`, the data with its methods.
"""

from w2s_theory.blend.api import BlendModel

__all__ = ["BlendModel"]
