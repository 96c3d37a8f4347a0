"""w2s_theory: weak-to-strong generalization theory as executable, tested mathematics.

Public surface: :class:`w2s_theory.discrepancy.SubspaceModel` (Dong et al., ICML 2025),
:class:`w2s_theory.spurious.SpuriousModel` (Liu, Dong, Lei, ICLR 2026),
:class:`w2s_theory.gcm.GaussianCovariateModel` (any feature covariances, ridge),
:class:`w2s_theory.features.FeatureModel` (two real feature matrices of the same inputs) and the metrics in
:mod:`w2s_theory.metrics`. ``import w2s_theory`` never imports sympy and never changes JAX's config.
"""

from importlib.metadata import PackageNotFoundError, version

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.features import FeatureModel
from w2s_theory.gcm import GaussianCovariateModel
from w2s_theory.metrics import Estimate
from w2s_theory.spurious import SpuriousModel

try:
    __version__ = version("w2s-theory")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "Estimate",
    "FeatureModel",
    "GaussianCovariateModel",
    "SpuriousModel",
    "SubspaceModel",
    "__version__",
]
