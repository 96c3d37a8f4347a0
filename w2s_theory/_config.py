"""Checks on the global JAX configuration that the library relies on but never changes."""

from __future__ import annotations

import jax


def require_x64() -> None:
    """Raise unless JAX runs in float64.

    The exact expectations this package checks against involve inverse-Wishart factors such as
    ``d/(n - d - 1)``; in float32 the normal-equation solves lose those digits near ``n = d``.
    The library never flips the global flag itself: that is the caller's decision.
    """
    if not jax.config.jax_enable_x64:
        raise RuntimeError(
            "w2s_theory simulators need float64: call "
            '`jax.config.update("jax_enable_x64", True)` at the top of your script or notebook '
            "(before creating any JAX array)."
        )
