r"""Monte Carlo of the real pipeline on resampled rows through the shared driver
(:func:`w2s_theory.family.run_trials`); the trial itself is :mod:`w2s_theory.features.trial`."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import run_trials
from w2s_theory.features.family import FAMILY
from w2s_theory.features.model import FeatureModelData
from w2s_theory.features.trial import Static, Traced
from w2s_theory.metrics import with_per_trial_ratios


def traced_and_static(model: FeatureModelData, n: int, N: int) -> tuple[Traced, Static]:
    """The trial's arguments for ``model`` at sample sizes ``n``, ``N``."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    coords = model.population_coordinates()
    traced = Traced(**{name: jnp.asarray(coords[name], dtype=float) for name in Traced._fields})
    return traced, Static(model.M, model.d_w, model.d_s, n, N)


def simulate(
    model: FeatureModelData,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` and per-trial ``pgr``, ``opr``.

    Any ``n, N >= 1`` (below the block widths the fits are minimum-norm interpolators). Trial ``i`` uses
    key ``split(key(seed), trials)[i]``: identical numbers for any ``chunk_size`` and device count. Needs
    float64.
    """
    traced, static = traced_and_static(model, n, N)
    risks = run_trials(
        FAMILY, traced, static, trials=trials, seed=seed, chunk_size=chunk_size, context=f"n={n}, N={N}"
    )
    return with_per_trial_ratios(risks, FAMILY.roles, floor=model.rounding_floor)
