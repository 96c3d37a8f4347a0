"""Key handling: results depend on (seed, trial index, grid index) only, never on batching or devices.

* ``trial_keys(seed, trials)``: one key per trial, ``jax.random.split(key, trials)``; chunking only
  slices this array, so any chunk size gives the same per-trial numbers.
* ``grid_key(seed, index)``: ``fold_in(key, index)`` for the ``index``-th point of a sweep, so a point's
  numbers do not depend on which other points are run, or in what order.
"""

from __future__ import annotations

import numbers

import jax
import numpy as np

Seed = int | jax.Array

#: Integer seeds must lie in ``[0, SEED_LIMIT)`` (they become a 64-bit PRNG seed).
SEED_LIMIT = 2**63


def as_key(seed: Seed) -> jax.Array:
    """A typed PRNG key from an integer seed in ``[0, 2**63)`` (or a typed key, passed through unchanged).

    Floats, bools and ``None`` are rejected rather than coerced: ``seed=2.7`` silently becoming 2 would
    make two different requests give the same numbers."""
    if isinstance(seed, jax.Array) and jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key):
        if seed.shape != ():
            raise ValueError(f"seed must be a single PRNG key, got a key array of shape {seed.shape}")
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral | np.integer):
        raise TypeError(
            f"seed must be an integer in [0, 2**63) or a typed PRNG key (jax.random.key), "
            f"got {type(seed).__name__} {seed!r}"
        )
    if not 0 <= int(seed) < SEED_LIMIT:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}")
    return jax.random.key(int(seed))


def trial_keys(seed: Seed, trials: int) -> jax.Array:
    """``trials`` independent keys, one per Monte Carlo trial."""
    return jax.random.split(as_key(seed), trials)


def grid_key(seed: Seed, index: int) -> jax.Array:
    """The key of the ``index``-th grid point of a sweep."""
    return jax.random.fold_in(as_key(seed), index)
