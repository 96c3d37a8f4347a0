"""Bring your own features: intrinsic dimensions, overlap and W2S curves from two real feature matrices
(Dong, Li, Li, Lee, Lei, ICML 2025, "Discrepancies are Virtue"; theory in ``docs/theory/features.md``).

Modules, in dependency order:

* :mod:`~w2s_theory.features.model`: the model as plain data (centred, truncated blocks; invariants);
* :mod:`~w2s_theory.features.theory`: predicted curves (the subspace model's exact and stated forms);
* :mod:`~w2s_theory.features.trial`: one trial of the real pipeline on resampled rows;
* :mod:`~w2s_theory.features.family`: the family record for the shared driver;
* :mod:`~w2s_theory.features.simulate`: the Monte Carlo entry point;
* :mod:`~w2s_theory.features.design`: the Gaussian-design diagnostic (its own small family);
* :mod:`~w2s_theory.features.authors`: the authors' overlap and intrinsic-dimension estimators, for comparison;
* :mod:`~w2s_theory.features.examples`: the digits example and random ReLU features;
* :mod:`~w2s_theory.features.report`: the Markdown report of the ``features`` command;
* :mod:`~w2s_theory.features.api`: :class:`FeatureModel`, the data with its methods.
"""

from w2s_theory.features.api import FeatureModel
from w2s_theory.features.authors import authors_d_sw, authors_intrinsic_dim
from w2s_theory.features.design import DesignWarning

__all__ = ["DesignWarning", "FeatureModel", "authors_d_sw", "authors_intrinsic_dim"]
