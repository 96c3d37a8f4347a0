"""Multi-teacher / student rounds (a linear analogue of MACPO, Lyu et al., ICLR 2025) in the
intrinsic-dimension model. Theory: ``docs/theory/rounds.md``. Modules, in dependency order:

* :mod:`~w2s_theory.rounds.model`: frames, target and invariants as plain data, reference geometries;
* :mod:`~w2s_theory.rounds.theory`: exact round-0/round-1 expectations, population rounds, fixed points
  (scalar closed forms derived in :mod:`w2s_theory.symbolic.rounds`);
* :mod:`~w2s_theory.rounds.trial`: one Monte Carlo trial of the procedure ``macpo_rounds``;
* :mod:`~w2s_theory.rounds.family`: the family record for the shared driver;
* :mod:`~w2s_theory.rounds.simulate`: the Monte Carlo entry point :func:`macpo_rounds`;
* :mod:`~w2s_theory.rounds.api`: :class:`RoundsModel`, the data with its methods.
"""

from w2s_theory.rounds.api import RoundsModel
from w2s_theory.rounds.simulate import macpo_rounds

__all__ = ["RoundsModel", "macpo_rounds"]
