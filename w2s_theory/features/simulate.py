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


def traced_and_static(
    model: FeatureModelData, n: int, N: int, lam_w: float = 0.0, lam_s: float = 0.0
) -> tuple[Traced, Static]:
    """The trial's arguments for ``model`` at sample sizes ``n``, ``N`` and ridge penalties ``lam_w``,
    ``lam_s`` (both 0: the ridgeless program; any other values share one compiled ridge program)."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    lam_w = _validate.nonnegative_float("lam_w", lam_w)
    lam_s = _validate.nonnegative_float("lam_s", lam_s)
    coords = model.population_coordinates() | {"lam_w": lam_w, "lam_s": lam_s}
    traced = Traced(**{name: jnp.asarray(coords[name], dtype=float) for name in Traced._fields})
    return traced, Static(model.M, model.d_w, model.d_s, n, N, ridge=lam_w > 0 or lam_s > 0)


def simulate(
    model: FeatureModelData,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    lam_w: float = 0.0,
    lam_s: float = 0.0,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` and per-trial ``pgr``, ``opr``.

    Any ``n, N >= 1`` (ridgeless below the block widths the fits are minimum-norm interpolators).
    ``lam_w`` (teacher) and ``lam_s`` (baseline, student, ceiling) are ridge penalties ``>= 0`` in the
    :math:`1/m`-normalised convention (:mod:`w2s_theory.features.trial`). Trial ``i`` uses
    key ``split(key(seed), trials)[i]``: identical numbers for any ``chunk_size`` and device count. Needs
    float64.
    """
    traced, static = traced_and_static(model, n, N, lam_w, lam_s)
    context = f"n={n}, N={N}" + (f", lam_w={lam_w}, lam_s={lam_s}" if static.ridge else "")
    risks = run_trials(
        FAMILY, traced, static, trials=trials, seed=seed, chunk_size=chunk_size, context=context
    )
    return with_per_trial_ratios(risks, FAMILY.roles, floor=model.rounding_floor)
