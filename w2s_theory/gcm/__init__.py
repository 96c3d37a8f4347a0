"""Weak-to-strong ridge regression with any feature covariances, in the Gaussian covariate model.

Intrinsic dimension as a spectrum: deterministic equivalents (Bach 2024; Hastie et al. 2022; Loureiro et
al. 2021) of the four expected risks of Dong et al. (ICML 2025) for arbitrary feature covariances and ridge,
and the exact Monte Carlo pipeline. Theory: ``docs/theory/general_covariance.md``. Modules, in dependency
order:

* :mod:`~w2s_theory.gcm.model`: the moments as plain data, their spectra, constructors;
* :mod:`~w2s_theory.gcm.theory`: the effective regularisation and the deterministic equivalents (scalar
  closed forms derived in :mod:`w2s_theory.symbolic.gcm`);
* :mod:`~w2s_theory.gcm.trial`: one Monte Carlo trial, two engines (``wishart``, ``design``);
* :mod:`~w2s_theory.gcm.family`: the family record for the shared driver;
* :mod:`~w2s_theory.gcm.simulate`: the Monte Carlo entry point;
* :mod:`~w2s_theory.gcm.api`: :class:`GaussianCovariateModel`, the data with its methods.
"""

from w2s_theory.gcm.api import GaussianCovariateModel
from w2s_theory.gcm.model import Rotated, overlapping_coordinates

__all__ = ["GaussianCovariateModel", "Rotated", "overlapping_coordinates"]
