"""Key handling: results depend on (seed, trial index, grid index) only, never on batching or devices.

* ``trial_key(key, i)``: the key of trial ``i``, ``fold_in(key, i)``, which equals
  ``jax.random.split(key, trials)[i]`` for every ``trials > i`` under JAX's partitionable threefry (the
  default; tested). A trial's key depends on its index only, so any chunk size, device count or trial count
  gives the same per-trial numbers. ``trial_keys(seed, trials)`` is the whole array.
* ``grid_key(seed, index)``: ``fold_in(key, index)`` for the ``index``-th point of a sweep, so a point's
  numbers do not depend on which other points are run, or in what order.
* ``normal(key, shape)``: ``jax.random.normal``, computed once per entry inside a compiled trial
  (:func:`computed_once`); same values, same bits.
"""

from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp
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


#: Trial indices are uint32 (:func:`trial_key`): at most this many trials per run.
MAX_TRIALS = 2**32


def trial_key(key: jax.Array, index: jax.Array) -> jax.Array:
    """The key of trial ``index`` (a uint32, may be traced) of a run seeded with ``key``."""
    return jax.random.fold_in(key, index)


def trial_keys(seed: Seed, trials: int) -> jax.Array:
    """``trials`` independent keys, one per Monte Carlo trial: ``trial_key(as_key(seed), i)`` for each ``i``."""
    return jax.random.split(as_key(seed), trials)


def grid_key(seed: Seed, index: int) -> jax.Array:
    """The key of the ``index``-th grid point of a sweep."""
    return jax.random.fold_in(as_key(seed), index)


#: Entries per identity product in :func:`computed_once`.
_ONCE_BLOCK = 8


def computed_once(x: jax.Array) -> jax.Array:
    r"""``x`` itself (same values, same bits), stored before any consumer reads it.

    XLA:CPU fuses an elementwise producer into each consumer, and when the consumer reads an entry many
    times (a broadcast, as in the row-wise Kronecker products :math:`z\otimes h` of the group-imbalance
    features) or reads padding next to it (the triangular Bartlett factors), the producer is recomputed at
    every read. For normal draws the producer is the tail of the inverse error function (two polynomials
    and a select): a :math:`1000\times20` by :math:`1000\times4` product feature matrix recomputed it
    80,000 times instead of 24,000, and building it took 2.2 ms of a 2.6 ms Gram (measured).
    ``optimization_barrier`` does not stop this (XLA:CPU removes barriers before fusion); a matrix product
    does, since XLA:CPU never fuses a producer into a GEMM. So the entries of ``x``, in rows of
    :data:`_ONCE_BLOCK`, are multiplied by an identity matrix: exact, since each entry is
    :math:`1\cdot x_k` plus exact zeros (only the sign of a zero can change); 8 multiply-adds per entry.
    The last ``size % 8`` entries are left as they are. Other backends fuse by other rules (and may
    round a product's inputs at default precision), so there ``x`` is returned untouched."""
    head = x.size - x.size % _ONCE_BLOCK
    if head == 0 or jax.default_backend() != "cpu":
        return x
    flat = x.reshape(-1)
    eye = jnp.eye(_ONCE_BLOCK, dtype=x.dtype)
    once = jnp.matmul(flat[:head].reshape(-1, _ONCE_BLOCK), eye, precision=jax.lax.Precision.HIGHEST)
    once = once.reshape(-1)
    if head < flat.size:
        once = jnp.concatenate([once, flat[head:]])
    return once.reshape(x.shape)


def normal(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """``jax.random.normal(key, shape)`` (the same bits), each draw computed once (:func:`computed_once`)."""
    return computed_once(jax.random.normal(key, shape))
