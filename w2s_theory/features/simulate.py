r"""Monte Carlo of the real pipeline on resampled rows through the shared driver
(:func:`w2s_theory.family.run_trials`); the trial itself is :mod:`w2s_theory.features.trial`."""

from __future__ import annotations

from dataclasses import replace

import jax.numpy as jnp
import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import run_trials
from w2s_theory.features.family import FAMILY
from w2s_theory.features.model import FeatureModelData
from w2s_theory.features.trial import Curve, Static, Traced
from w2s_theory.metrics import curve_points, with_per_trial_ratios


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


def simulate_curve(
    model: FeatureModelData,
    n: ArrayLike,
    N: ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    lam_w: float = 0.0,
    lam_s: float = 0.0,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    """:func:`simulate` at every point ``(n[j], N[j])`` (1-D, broadcast against each other) on the same
    trials, in one compiled program: one result per point, each what :func:`simulate` gives with this
    ``seed`` at that point, to rounding (a trial draws the largest sizes once and each point reads the
    leading rows, the very rows a one-point run draws; :mod:`w2s_theory.features.trial`). Differences
    between points are paired (common random numbers). Every point needs tall designs:
    ``n[j] >= max(d_w, d_s)`` and ``N[j] >= d_s``."""
    n, N = _validate.sample_size_curve(n, N)
    for j, (a, b) in enumerate(zip(n, N, strict=True)):
        if a < max(model.d_w, model.d_s) or b < model.d_s:
            raise ValueError(
                f"a curve needs tall designs, n >= max(d_w, d_s) = {max(model.d_w, model.d_s)} and "
                f"N >= d_s = {model.d_s} at every point; got (n[{j}], N[{j}]) = ({a}, {b}): run that point "
                "with simulate"
            )
    traced, static = traced_and_static(model, max(n), max(N), lam_w, lam_s)
    curve = Curve(traced, np.asarray(n, dtype=float), np.asarray(N, dtype=float))
    static = replace(static, curve=len(n))
    risks = run_trials(
        FAMILY, curve, static, trials=trials, seed=seed, chunk_size=chunk_size, context=f"curve of {len(n)}"
    )
    return curve_points(risks, len(n), FAMILY.roles, floor=model.rounding_floor)
