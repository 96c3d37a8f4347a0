"""Dong, Li, Li, Lee, Lei (ICML 2025), "Discrepancies are Virtue": intrinsic-dimension W2S theory.

* :mod:`~w2s_theory.discrepancy.model`: :class:`SubspaceModel` and its constructors;
* :mod:`~w2s_theory.discrepancy.theory`: the closed forms (derived in :mod:`w2s_theory.symbolic.discrepancy`);
* :mod:`~w2s_theory.discrepancy.fits`: the four ridgeless fits of one trial, from triangular factors;
* :mod:`~w2s_theory.discrepancy.simulate`: the JAX Monte Carlo engines (``wishart``, ``design``).
"""

from w2s_theory.discrepancy.model import SubspaceModel

__all__ = ["SubspaceModel"]
