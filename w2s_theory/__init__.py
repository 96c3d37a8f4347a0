"""w2s_theory: weak-to-strong generalization theory as executable, tested mathematics.

Public surface: :class:`w2s_theory.discrepancy.SubspaceModel` (Dong et al., ICML 2025),
:class:`w2s_theory.spurious.SpuriousModel` (Liu, Dong, Lei, ICLR 2026),
:class:`w2s_theory.gcm.GaussianCovariateModel` (any feature covariances, ridge),
:class:`w2s_theory.features.FeatureModel` (two real feature matrices of the same inputs) and the metrics in
:mod:`w2s_theory.metrics`. ``import w2s_theory`` never imports sympy and never changes JAX's config.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from w2s_theory.discrepancy import SubspaceModel
    from w2s_theory.features import FeatureModel
    from w2s_theory.gcm import GaussianCovariateModel
    from w2s_theory.metrics import Estimate
    from w2s_theory.spurious import SpuriousModel

try:
    __version__ = version("w2s-theory")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

#: Public name -> the module that defines it. Imported on first use (PEP 562), so a session that only
#: needs ``SubspaceModel`` does not pay for the other families' imports (SciPy's integrators among them).
_PUBLIC = {
    "Estimate": "w2s_theory.metrics",
    "FeatureModel": "w2s_theory.features",
    "GaussianCovariateModel": "w2s_theory.gcm",
    "SpuriousModel": "w2s_theory.spurious",
    "SubspaceModel": "w2s_theory.discrepancy",
}

__all__ = [
    "Estimate",
    "FeatureModel",
    "GaussianCovariateModel",
    "SpuriousModel",
    "SubspaceModel",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'w2s_theory' has no attribute {name!r}")
    value = getattr(import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
