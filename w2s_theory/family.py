r"""The contract a theory family implements, and the one driver that runs any family's Monte Carlo.

A *family* is one paper's model, theory and simulator ("Discrepancies are Virtue", the group-imbalance
model, the Enhanced-W2S pipeline, ...). Like optax's ``GradientTransformation(init, update)`` it is a
small record of pure pieces, and shared code does the rest:

* ``trial(key, traced, static) -> {name: array}``: one Monte Carlo trial, a pure JAX function. ``traced``
  is a pytree of arrays (floats such as :math:`\sigma^2` or :math:`\eta_u`, and the model's subspaces):
  changing its values never recompiles. ``static`` is a hashable value that fixes every array shape (sample
  sizes, dimensions, the engine): each distinct ``static`` compiles once.
* ``outputs``: the names of the per-trial arrays ``trial`` returns.
* ``roles``: which outputs are the teacher, the W2S student, the strong baseline and the strong ceiling,
  so PGR and OPR (:mod:`w2s_theory.metrics`) work for any family.
* ``closed_forms``: the family's generated table ``form -> quantity -> function`` (keyword-only functions
  of named invariants, see :func:`w2s_theory.closed_forms.evaluate`).
* ``trial_bytes(static) -> int``: an upper estimate of one trial's working memory, which sets the chunk
  size (:func:`chunk_size_for`).
* ``unrolled_rng``: the trial draws through the straight-line Threefry hash
  (:func:`w2s_theory._random.unrolled`): the same numbers, faster for families whose trials make many
  small draws, at a larger program (slower to compile).

The model itself is plain immutable data (a frozen dataclass) that the family's ``simulate`` turns into
``(traced, static)``; :func:`run_trials` is the only loop over trials in the package. It owns the float64
check, validation of ``trials`` / ``seed`` / ``chunk_size``, per-trial keys, chunking, sharding over every
device, the finite check and compile caching. A new family is a model, a trial function, a closed-form
table and one :class:`Family` value, plus one row in ``tests/test_conformance.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

import jax
import numpy as np

from w2s_theory import _validate
from w2s_theory._config import require_x64
from w2s_theory._random import MAX_TRIALS, Seed, as_key, unrolled
from w2s_theory._trials import run_in_chunks, shard_over_trials

TrialFn = Callable[[jax.Array, Any, Any], Mapping[str, jax.Array]]
ClosedFormTable = Mapping[str, Mapping[str, Callable[..., Any]]]

#: Memory one compiled chunk may use on one device (bytes): the chunk-size policy of :func:`chunk_size_for`.
CHUNK_MEMORY_BYTES = 256 * 2**20
#: Upper limit on trials per compiled chunk, so even tiny trials report back and free memory regularly.
MAX_CHUNK = 256


@dataclass(frozen=True)
class Roles:
    """Which per-trial outputs play the four parts of PGR and OPR.

    .. math::
        \\mathrm{PGR}=\\frac{\\mathrm{ER}(\\text{teacher})-\\mathrm{ER}(\\text{student})}
        {\\mathrm{ER}(\\text{teacher})-\\mathrm{ER}(\\text{ceiling})},\\qquad
        \\mathrm{OPR}=\\frac{\\mathrm{ER}(\\text{baseline})}{\\mathrm{ER}(\\text{student})}

    ``baseline`` / ``ceiling`` are ``None`` where a family has no such learner (OPR / PGR undefined).
    ``base`` is the un-tuned student (:math:`\\theta=0`, risk :math:`\\|\\beta\\|^2`), the reference of
    W2SR's Reasoning Gap Recovered (:func:`w2s_theory.metrics.rgr_ratio_of_means`); ``None`` where a family
    does not output it (RGR undefined).
    """

    teacher: str = "weak"
    student: str = "w2s"
    baseline: str | None = "strong"
    ceiling: str | None = "ceiling"
    base: str | None = None


@dataclass(frozen=True, eq=False)
class Family:
    """A theory family: the record of pure pieces described in the module docstring."""

    name: str
    trial: TrialFn
    outputs: tuple[str, ...]
    trial_bytes: Callable[[Any], int]
    roles: Roles | None = None
    closed_forms: ClosedFormTable = field(default_factory=dict)
    unrolled_rng: bool = False


_TRACES: Counter[Family] = Counter()


def trace_count(family: Family) -> int:
    """How many times ``family.trial`` has been traced (compiled) in this process.

    A sweep over traced parameters (floats, subspaces of the same shapes) must leave it unchanged; the
    conformance suite checks that for every family."""
    return _TRACES[family]


def chunk_size_for(trial_bytes: int, trials: int) -> int:
    """The chunk-size policy: the fewest compiled calls that each hold at most as many trials as fit in
    :data:`CHUNK_MEMORY_BYTES` (a vectorised chunk holds every trial's working memory at once) and at most
    :data:`MAX_CHUNK`, filled evenly so the last call pads little (200 trials that fit 60 at a time run as
    4 calls of 50, not 4 of 60 with 40 trials wasted); at least 1, never more than ``trials``. The results
    never depend on it (keys are per trial)."""
    fit = int(max(1, min(CHUNK_MEMORY_BYTES // max(int(trial_bytes), 1), MAX_CHUNK, trials)))
    return -(-trials // -(-trials // fit))


#: XLA options of every trial program; compiling is most of a short run's time.
#:
#: * LLVM's optimisation level 1 instead of the default 2: a trial's run time is in LAPACK / GEMM calls and
#:   the random bits, which level 1 compiles as well (discrepancy Wishart trial: compile 0.8x, run time
#:   unchanged).
#: * XLA:CPU's classic elemental fusion emitter instead of its newer MLIR fusion emitters
#:   (``xla_cpu_use_fusion_emitters``): the notebook model's Wishart trial compiles in 0.5x the time
#:   (0.85-0.98 s instead of 1.7-2.0 s, three interleaved fresh processes) and runs 40 trials in 0.7x
#:   (64 ms instead of 87-131 ms); the conformance suite takes 0.65x the wall time (94 s vs 146 s).
#:
#: Part of what fixes the bits: the same seed gives the same numbers for the same options and JAX version.
#: An option the installed XLA does not know is left out (:func:`compiler_options`).
COMPILER_OPTIONS: Mapping[str, Any] = {
    "xla_backend_optimization_level": 1,
    "xla_cpu_use_fusion_emitters": False,
}


@lru_cache(maxsize=1)
def compiler_options() -> dict[str, Any]:
    """:data:`COMPILER_OPTIONS` less those the installed XLA rejects (an older or newer ``jaxlib`` may lack a
    debug option): a trivial program is compiled with all of them, and if that fails, with each alone."""

    def accepted(options: dict[str, Any]) -> bool:
        try:
            jax.jit(lambda: 0, compiler_options=options).lower().compile()
        except jax.errors.JaxRuntimeError:
            return False
        return True

    options = dict(COMPILER_OPTIONS)
    if accepted(options):
        return options
    return {name: value for name, value in options.items() if accepted({name: value})}


@lru_cache(maxsize=256)
def _compiled(
    family: Family, static: Hashable
) -> Callable[[jax.Array, jax.Array, Any], Mapping[str, jax.Array]]:
    def counted_trial(key: jax.Array, traced: Any) -> Mapping[str, jax.Array]:
        _TRACES[family] += 1  # runs once per tracing, never per trial
        return family.trial(unrolled(key) if family.unrolled_rng else key, traced, static)

    return jax.jit(partial(shard_over_trials, counted_trial), compiler_options=compiler_options())


def run_trials(
    family: Family,
    traced: Any,
    static: Hashable,
    *,
    trials: int,
    seed: Seed,
    chunk_size: int | None = None,
    context: str = "",
) -> dict[str, np.ndarray]:
    """Run ``trials`` trials of ``family`` and return its per-trial outputs as numpy arrays.

    Trial ``i`` uses key ``split(key(seed), trials)[i]``, derived inside the compiled program as
    ``fold_in(key(seed), i)`` (:func:`w2s_theory._random.trial_key`): results are bit-identical for any
    ``chunk_size``, any number of devices, and a run of ``m < trials`` trials is the first ``m`` of this
    one.

    Parameters
    ----------
    family
        The family whose ``trial`` to run.
    traced, static
        The trial's arguments (module docstring): ``traced`` a pytree of arrays, ``static`` hashable.
    trials
        Number of Monte Carlo trials, an integer ``>= 1``.
    seed
        An integer in ``[0, 2**63)`` or a typed JAX PRNG key.
    chunk_size
        Trials per compiled call; default from :func:`chunk_size_for` (memory-bounded).
    context
        Shown in the error raised when a trial returns a non-finite number (e.g. ``"n=20, N=30"``).

    Returns
    -------
    dict
        ``{name: array of shape (trials, ...)}`` for every name in ``family.outputs``.
    """
    require_x64()
    trials = _validate.positive_int("trials", trials)
    if trials > MAX_TRIALS:
        raise ValueError(f"trials must be at most 2**32 per run, got {trials}; split the run over seeds")
    key = as_key(seed)
    if chunk_size is None:
        chunk = chunk_size_for(family.trial_bytes(static), trials)
    else:
        chunk = _validate.positive_int("chunk_size", chunk_size)
    fn = _compiled(family, static)
    out = run_in_chunks(lambda indices: fn(key, indices, traced), trials, chunk)
    bad = sorted(name for name, v in out.items() if not np.all(np.isfinite(v)))
    if bad:
        raise FloatingPointError(
            f"{family.name}: non-finite trial output {bad}{f' ({context})' if context else ''}; a Gram "
            "matrix was numerically singular. Increase the sample sizes relative to the dimensions."
        )
    return out
