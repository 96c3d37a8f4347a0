"""Statistical assertions shared by the test-suite, notebooks and benchmarks.

:func:`assert_mc_close` is the one place where "Monte Carlo agrees with theory" is decided:
``|mean - expected| <= n_se * SE (+ a stated bias allowance)``. Every call is recorded in
:data:`RECORDED` so a test session can report its largest ``|z|``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory.metrics import Estimate, mean_se


@dataclass(frozen=True)
class Agreement:
    """One MC-vs-theory comparison."""

    label: str
    expected: float
    actual: float
    se: float
    z: float
    bias_allowance: float


RECORDED: list[Agreement] = []


def assert_mc_close(
    samples_or_estimate: np.ndarray | Estimate,
    expected: float,
    *,
    n_se: float = 5.0,
    bias_allowance: float = 0.0,
    label: str = "",
) -> Agreement:
    """Assert ``|MC - expected| <= n_se * SE + bias_allowance`` and return the comparison.

    ``bias_allowance`` is for a *stated* finite-size bias where the theory is a limit; it defaults to 0.
    """
    est = samples_or_estimate if isinstance(samples_or_estimate, Estimate) else mean_se(samples_or_estimate)
    if not est.se > 0:
        raise ValueError(f"{label}: standard error is {est.se}; need > 0 for a statistical comparison")
    z = (est.value - expected) / est.se
    rec = Agreement(label, float(expected), est.value, est.se, float(z), bias_allowance)
    RECORDED.append(rec)
    msg = (
        f"{label}: expected {expected:.6g}, MC {est.value:.6g} ± {est.se:.3g} (SE), z = {z:+.2f}, "
        f"allowed {n_se:g} SE + {bias_allowance:.3g}"
    )
    assert abs(est.value - expected) <= n_se * est.se + bias_allowance, msg
    return rec
