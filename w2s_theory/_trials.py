"""Running a per-trial function over many trials with bounded memory and batch-independent results.

Hazard (``shared/notes/jax-cpu-hang.md``): on multi-core CPUs a jitted ``vmap`` over trials that each run
several independent Cholesky solves can deadlock inside XLA:CPU. On the CPU backend trials therefore run
sequentially inside one compiled ``lax.map`` (measured no slower per trial on 2 cores for this workload,
see ``benchmarks/``); on accelerators they are vectorised with ``vmap``. Memory is bounded by the chunk:
the host loops over chunks of ``chunk_size`` trial keys, and each trial's numbers depend only on its key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

DEFAULT_CHUNK_SIZE = 256


def map_over_trials(trial_fn: Callable[[jax.Array], Any], keys: jax.Array) -> Any:
    """Apply ``trial_fn`` to each key (leading axis). Use inside ``jit``."""
    if jax.default_backend() == "cpu":
        return jax.lax.map(trial_fn, keys)
    return jax.vmap(trial_fn)(keys)


def run_in_chunks(
    chunk_fn: Callable[[jax.Array], dict[str, jax.Array]],
    keys: jax.Array,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> dict[str, np.ndarray]:
    """Evaluate ``chunk_fn`` (a jitted map over a chunk of keys) over all ``keys``.

    The last chunk is padded with copies of the final key so every call has the same shape (one
    compilation); the padded results are dropped.
    """
    trials = keys.shape[0]
    chunk = max(1, min(int(chunk_size), trials))
    pad = (-trials) % chunk
    if pad:
        keys = jnp.concatenate([keys, jnp.repeat(keys[-1:], pad, axis=0)])
    parts = [jax.device_get(chunk_fn(keys[i : i + chunk])) for i in range(0, trials + pad, chunk)]
    return {name: np.concatenate([p[name] for p in parts])[:trials] for name in parts[0]}
