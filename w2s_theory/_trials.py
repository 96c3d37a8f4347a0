"""Running a per-trial function over many trials: bounded memory, any number of devices, same numbers.

* **Devices.** Each compiled chunk shards its trial axis over a one-axis :class:`jax.sharding.Mesh`
  (axis ``"trials"``) of every device JAX sees (:func:`shard_over_trials`, ``jax.shard_map``): one CPU, a
  multi-GPU box, a TPU slice, or, after ``jax.distributed.initialize()``, the devices of every host. Trial
  ``i`` only ever sees its own key, so 1 or 4 devices give the same per-trial numbers.
* **Within a device.** Hazard (README, "Running on CPU"): on multi-core CPUs a jitted ``vmap`` over
  trials that each run several independent Cholesky solves can deadlock inside XLA:CPU. On the CPU
  backend each device therefore runs its trials sequentially in one compiled ``lax.map``; on accelerators
  they are vectorised with ``vmap``.
* **BLAS threads.** XLA:CPU sends Cholesky and triangular solves to SciPy's OpenBLAS, which spawns its own
  threads; on a loaded 2-core machine they stall (measured: a 200 x 200 Cholesky 250 ms instead of 0.3 ms,
  the design engine 4x slower). On CPU, :func:`run_in_chunks` limits OpenBLAS to one thread while it runs
  (``threadpoolctl``, restored on exit); XLA's own thread pool still uses every core.
* **Memory** is bounded by the chunk: the host loops over chunks of ``chunk_size`` trial keys (the policy
  that picks it is :func:`w2s_theory.family.chunk_size_for`; the driver is :func:`w2s_theory.family.run_trials`).

Multi-host: call ``jax.distributed.initialize()`` on every process, then run the same script with the same
seed everywhere; each chunk's trial indices are laid out with ``jax.make_array_from_callback`` and the
per-trial results gathered to every process with ``multihost_utils.process_allgather``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec
from threadpoolctl import threadpool_limits

from w2s_theory._random import trial_key

TRIALS_AXIS = "trials"
#: A compiled chunk gives every device at least this many trials (see :func:`run_in_chunks`).
MIN_TRIALS_PER_DEVICE = 2


def trials_mesh() -> Mesh:
    """A one-axis mesh (``"trials"``) over every device of every process."""
    return Mesh(np.asarray(jax.devices()), (TRIALS_AXIS,))


def map_over_trials(trial_fn: Callable[[Any], Any], per_trial: Any) -> Any:
    """Apply ``trial_fn`` to each entry (leading axis) of ``per_trial`` (trial indices, or a pytree of
    per-trial arrays) on one device. Use inside ``jit``."""
    if jax.default_backend() == "cpu":
        return jax.lax.map(trial_fn, per_trial)
    return jax.vmap(trial_fn)(per_trial)


def map_points(at: Callable[[Any], Any], points: tuple[jax.Array, ...]) -> Any:
    """``at`` at every point of a curve inside one trial (``points``: arrays with one entry per point), the
    outputs stacked along a new leading axis. Points run one after another (``lax.map``); a one-point curve
    runs inline, as a one-point trial does, since XLA compiles a one-trip loop without the loop (other
    fusions, last-bit differences). Use inside ``jit``."""
    if points[0].shape[0] == 1:
        return jax.tree.map(lambda x: x[None], at(tuple(x[0] for x in points)))
    return jax.lax.map(at, points)


def shard_over_trials(trial_fn: Callable[..., Any], key: jax.Array, indices: jax.Array, *args: Any) -> Any:
    """``trial_fn(fold_in(key, i), *args)`` for each trial index ``i`` in ``indices``, the indices split over
    :func:`trials_mesh`, ``key`` and ``args`` replicated.

    The per-trial keys are derived inside the compiled program (:func:`w2s_theory._random.trial_key`), so
    a run needs no separate key-splitting program per trial count. Use inside ``jit``; the number of
    indices must be a multiple of the device count (:func:`run_in_chunks` pads)."""
    per_device = lambda k, idx, *a: map_over_trials(lambda i: trial_fn(trial_key(k, i), *a), idx)
    in_specs = (PartitionSpec(), PartitionSpec(TRIALS_AXIS)) + (PartitionSpec(),) * len(args)
    # check_vma=False: trials never communicate, and a trial's scan may start from a constant carry (the
    # spurious Gram accumulation), which the varying-axes type check would reject.
    sharded = jax.shard_map(
        per_device,
        mesh=trials_mesh(),
        in_specs=in_specs,
        out_specs=PartitionSpec(TRIALS_AXIS),
        check_vma=False,
    )
    return sharded(key, indices, *args)


@contextmanager
def cpu_blas_single_thread() -> Iterator[None]:
    """On the CPU backend, limit OpenBLAS (used by XLA:CPU's LAPACK calls) to one thread (module docstring)."""
    if jax.default_backend() != "cpu":
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _global_indices(indices: np.ndarray, sharding: NamedSharding) -> jax.Array:
    return jax.make_array_from_callback(indices.shape, sharding, lambda index: indices[index])


def _to_host(tree: Any) -> Any:
    if jax.process_count() > 1:
        return multihost_utils.process_allgather(tree, tiled=True)
    return jax.device_get(tree)


def run_in_chunks(
    chunk_fn: Callable[[jax.Array], dict[str, jax.Array]],
    trials: int,
    chunk_size: int,
) -> dict[str, np.ndarray]:
    """Evaluate ``chunk_fn`` (a jitted :func:`shard_over_trials` over a chunk of trial indices) over the
    indices ``0 .. trials - 1``.

    The chunk is rounded up to a multiple of the device count (and to at least
    :data:`MIN_TRIALS_PER_DEVICE` per device), and the last chunk is padded with copies of the final index,
    so every call has the same shape (one compilation); padded results are dropped.
    """
    devices = jax.device_count()
    chunk = max(1, min(int(chunk_size), trials))
    # at least two trials per device: XLA compiles a one-trip loop without the loop (other fusions, last-bit
    # differences), so a one-trial chunk is padded to keep results bit-identical for any chunk size
    chunk = max(chunk + (-chunk) % devices, MIN_TRIALS_PER_DEVICE * devices)
    pad = (-trials) % chunk
    indices = np.minimum(np.arange(trials + pad, dtype=np.uint32), trials - 1)
    sharding = NamedSharding(trials_mesh(), PartitionSpec(TRIALS_AXIS))
    with cpu_blas_single_thread():
        parts = [
            _to_host(chunk_fn(_global_indices(indices[i : i + chunk], sharding)))
            for i in range(0, trials + pad, chunk)
        ]
    return {name: np.concatenate([p[name] for p in parts])[:trials] for name in parts[0]}
