"""Key handling: results depend on (seed, trial index, grid index) only, never on batching or devices.

* ``trial_keys(seed, trials)``: one key per trial, ``jax.random.split(key, trials)``; chunking only
  slices this array, so any chunk size gives the same per-trial numbers.
* ``grid_key(seed, index)``: ``fold_in(key, index)`` for the ``index``-th point of a sweep, so a point's
  numbers do not depend on which other points are run, or in what order.
"""

from __future__ import annotations

import jax

Seed = int | jax.Array


def as_key(seed: Seed) -> jax.Array:
    """A typed PRNG key from an integer seed (or pass a key through unchanged)."""
    if isinstance(seed, jax.Array):
        return seed
    return jax.random.key(int(seed))


def trial_keys(seed: Seed, trials: int) -> jax.Array:
    """``trials`` independent keys, one per Monte Carlo trial."""
    return jax.random.split(as_key(seed), trials)


def grid_key(seed: Seed, index: int) -> jax.Array:
    """The key of the ``index``-th grid point of a sweep."""
    return jax.random.fold_in(as_key(seed), index)
