"""Key handling: results depend on (seed, trial index, grid index) only, never on batching or devices.

* ``trial_key(key, i)``: the key of trial ``i``, ``fold_in(key, i)``, which equals
  ``jax.random.split(key, trials)[i]`` for every ``trials > i`` under JAX's partitionable threefry (the
  default; tested). A trial's key depends on its index only, so any chunk size, device count or trial count
  gives the same per-trial numbers. ``trial_keys(seed, trials)`` is the whole array.
* ``grid_key(seed, index)``: ``fold_in(key, index)`` for the ``index``-th point of a sweep, so a point's
  numbers do not depend on which other points are run, or in what order.
* ``normal(key, shape)``: ``jax.random.normal``, drawn through the straight-line hash (:func:`unrolled`)
  and computed once per entry inside a compiled trial (:func:`computed_once`); same values, same bits.
* ``unrolled(key)``: the same key, drawing through a straight-line Threefry hash (:func:`unrolled_impl`);
  same bits, fewer loop iterations per draw.
"""

from __future__ import annotations

import functools
import numbers
from typing import Any

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
    if jax.config.jax_default_prng_impl == "threefry2x32":
        # threefry's seed words, made on the host: ``jax.random.key`` would compile a program for them, a
        # noticeable part of a new session's first result (tested equal to ``jax.random.key(seed)``)
        return jax.random.wrap_key_data(np.array([int(seed) >> 32, int(seed) & 0xFFFFFFFF], np.uint32))
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
    """``jax.random.normal(key, shape)`` (the same bits), each draw computed once (:func:`computed_once`)
    and hashed by straight-line code (:func:`unrolled`).

    This is the function for a trial's large draws (the Bartlett factors' off-diagonal entries, the core
    features of the group-imbalance, group-filtering and remedy samples). JAX's CPU hash runs 5 loop
    iterations over arrays as long as the draw, and the straight-line hash keeps each entry's rounds in
    registers: the notebook model's Wishart trial takes about 0.8x the time. Unlike a family-wide
    ``unrolled_rng``, only this one call site is written out, so the program compiles no longer
    (measured)."""
    return computed_once(jax.random.normal(unrolled(key), shape))


#: Rotation amounts of Threefry-2x32's rounds: rounds 4j..4j+3 use the first row for even j, the second
#: for odd j (Salmon et al. 2011, Table 4).
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)


def _threefry_hash(k1: jax.Array, k2: jax.Array, x1: jax.Array, x2: jax.Array) -> tuple[jax.Array, ...]:
    r"""Threefry-2x32 with 20 rounds (Salmon et al. 2011) of the counter pair :math:`(x_1,x_2)` under the
    key :math:`(k_1,k_2)`, written out round by round: the hash ``jax.random`` computes, bit for bit.

    Each round adds, rotates and xors the two words; after every fourth round the next key word pair of
    the schedule :math:`(k_1,k_2,k_1\oplus k_2\oplus\mathtt{0x1BD11BDA})` and the injection count are
    added. JAX's CPU lowering runs the 5 groups of 4 rounds as a loop, which costs a loop iteration's
    overhead per group and call; straight-line code has none, at a larger program."""
    ks = (k1, k2, k1 ^ k2 ^ _PARITY)
    x1, x2 = x1 + ks[0], x2 + ks[1]
    for group in range(5):
        for r in _ROTATIONS[group % 2]:
            x1 = x1 + x2
            x2 = jax.lax.shift_left(x2, np.uint32(r)) | jax.lax.shift_right_logical(x2, np.uint32(32 - r))
            x2 = x1 ^ x2
        x1 = x1 + ks[(group + 1) % 3]
        x2 = x2 + ks[(group + 2) % 3] + np.uint32(group + 1)
    return x1, x2


def _counters(shape: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
    """The row-major index of each entry of ``shape`` as (high, low) 32-bit words, the counters of
    partitionable Threefry. One call draws fewer than ``2**32`` numbers, so the high words are zero."""
    size = int(np.prod(shape, dtype=np.int64))
    if size >= 2**32:
        raise ValueError(f"unrolled Threefry draws fewer than 2**32 numbers per call, got shape {shape}")
    low = jax.lax.iota(np.uint32, size).reshape(shape)
    return jnp.zeros(shape, np.uint32), low


def _key_words(key: jax.Array) -> tuple[jax.Array, jax.Array]:
    return key[..., 0], key[..., 1]


def _split(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    high, low = _counters(shape)
    return jnp.stack(_threefry_hash(*_key_words(key), high, low), axis=-1)


def _fold_in(key: jax.Array, data: jax.Array) -> jax.Array:
    data = jnp.asarray(data, dtype=np.uint32)
    return jnp.stack(_threefry_hash(*_key_words(key), jnp.zeros((), np.uint32), data))


def _random_bits(key: jax.Array, bit_width: int, shape: tuple[int, ...]) -> jax.Array:
    bits1, bits2 = _threefry_hash(*_key_words(key), *_counters(shape))
    if bit_width == 64:
        return jax.lax.shift_left(bits1.astype(np.uint64), np.uint64(32)) | bits2.astype(np.uint64)
    return (bits1 ^ bits2).astype(f"uint{bit_width}")


def _prng_definitions() -> tuple[Any, Any]:
    """``jax.extend.random``'s ``define_prng_impl`` and ``threefry_prng_impl``, taken from the modules
    where JAX keeps them (the same objects, tested): importing ``jax.extend`` imports Pallas, about 55 ms of
    a new session's first result. Where a JAX release keeps them elsewhere, from ``jax.extend.random``."""
    try:
        from jax._src.extend.random import define_prng_impl
        from jax._src.random.threefry2x32 import threefry_prng_impl
    except ImportError:
        from jax.extend.random import define_prng_impl, threefry_prng_impl
    return define_prng_impl, threefry_prng_impl


@functools.cache
def unrolled_impl() -> Any:
    """JAX's partitionable Threefry-2x32 (the default PRNG) with the hash written out
    (:func:`_threefry_hash`): same seeds, splits, fold-ins and bits, tested against ``jax.random``.
    Defined at first use, from :func:`_prng_definitions`."""
    define_prng_impl, threefry_prng_impl = _prng_definitions()
    return define_prng_impl(
        key_shape=(2,),
        seed=threefry_prng_impl.seed,
        split=_split,
        random_bits=_random_bits,
        fold_in=_fold_in,
        name="threefry2x32_unrolled",
        tag="tfu",
    )


def unrolled(key: jax.Array) -> jax.Array:
    """``key`` (a typed key, any shape), drawing through :func:`unrolled_impl` from here on: the same numbers,
    faster where a trial makes many small draws (each of JAX's CPU draws runs a 5-iteration loop) or a
    large one (:func:`normal`), at a larger compiled program. Keys of another PRNG, or with JAX's
    non-partitionable Threefry, and keys on other backends are returned unchanged."""
    if (
        jax.default_backend() != "cpu"
        or not jax.config.jax_threefry_partitionable
        or jax.random.key_impl(key) != "threefry2x32"
    ):
        return key
    return jax.random.wrap_key_data(jax.random.key_data(key), impl=unrolled_impl())
