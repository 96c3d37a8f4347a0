r"""Monte Carlo for the subspace model: two engines that draw one trial's sufficient statistics, one set of
fits (:mod:`w2s_theory.discrepancy.fits`), batched over trials and devices in JAX.

One trial (spec §1.2, §4): labelled :math:`Z\in\mathbb R^{n\times r}`, unlabelled
:math:`\tilde Z\in\mathbb R^{N\times r}`, i.i.d. :math:`\mathcal N(0,1)`, labels
:math:`y=Z\beta+\epsilon`, :math:`\epsilon\sim\mathcal N(0,\sigma^2I)`; weak teacher on the ``n`` labels,
strong baseline on the same, strong ceiling on all ``n + N`` true labels, W2S student on the ``N``
pseudo-labels only. The fits only see the triangular factors :math:`T` of :math:`Z=QT` and
:math:`\tilde T` of :math:`\tilde Z=\tilde Q\tilde T` with :math:`Q^\top y`, :math:`\tilde Q^\top\tilde y`.

Engines (``engine=``):

* ``"wishart"`` (default): draws those factors directly by the Bartlett decomposition
  (:mod:`w2s_theory._wishart`): :math:`T` (all :math:`\min(n,r)` rows) and the first :math:`\min(N,d_s)`
  rows of :math:`\tilde T`, with :math:`Q^\top y=T\beta+\sigma g`, :math:`g\sim\mathcal N(0,I)`.
  Equivalently :math:`W=Z^\top Z\sim\mathrm{Wishart}_r(n,I)`, :math:`Z^\top\epsilon\,|\,W\sim
  \mathcal N(0,\sigma^2W)`. The joint law of the four per-trial risks is exactly the design engine's, for
  every ``n, N >= 1`` (the singular Bartlett factor covers ``n < r``), so per-trial PGR/OPR are exact too.
  Cost :math:`O(r^2 d)` per trial, independent of ``n`` and ``N``. It relies on the latent being isotropic
  Gaussian, which :class:`~w2s_theory.discrepancy.model.SubspaceModel` always is.
* ``"design"``: draws the full designs and noise and compresses them exactly
  (:func:`w2s_theory._linalg.leading_r_factor`); cost :math:`O((n+N)r^2)` plus :math:`(n+N)r` normals.
  The reference for models without that symmetry (anisotropic non-aligned covariances, non-Gaussian
  features), and the check of the Wishart engine (``tests/test_engines_discrepancy.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Literal

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._config import require_x64
from w2s_theory._linalg import leading_r_factor
from w2s_theory._random import Seed, trial_keys
from w2s_theory._trials import DEFAULT_CHUNK_SIZE, cpu_blas_single_thread, run_in_chunks, shard_over_trials
from w2s_theory._wishart import bartlett_factor
from w2s_theory.discrepancy.fits import Problem, risks_from_factors
from w2s_theory.metrics import per_trial_opr, per_trial_pgr

if TYPE_CHECKING:
    from w2s_theory.discrepancy.model import SubspaceModel

Engine = Literal["wishart", "design"]
ENGINES: tuple[str, ...] = ("wishart", "design")
DEFAULT_ENGINE: Engine = "wishart"

Factors = tuple[jax.Array, jax.Array, jax.Array, jax.Array]


def design_factors(key: jax.Array, p: Problem, n: int, N: int) -> Factors:
    """Draw the two designs and their noise (teacher-first / student-first coordinates) and compress them."""
    k_z, k_eps, k_zt, k_epst = jax.random.split(key, 4)
    Z = jax.random.normal(k_z, (n, p.r))
    Zt = jax.random.normal(k_zt, (N, p.r))
    y = Z @ p.b_L + p.sigma * jax.random.normal(k_eps, (n,))
    yt = Zt @ p.b_U + p.sigma * jax.random.normal(k_epst, (N,))
    T, t = leading_r_factor(Z, y, min(n, p.r))
    T_u, t_u = leading_r_factor(Zt, yt, min(N, p.d_s))
    return T, t, T_u, t_u


def wishart_rows(p: Problem, n: int, N: int) -> tuple[int, int]:
    """Rows of the labelled and unlabelled factors a trial needs: ``min(n, r)`` and ``min(N, d_s)``."""
    return min(n, p.r), min(N, p.d_s)


def wishart_factors(
    key: jax.Array, p: Problem, n: int | jax.Array, N: int | jax.Array, rows: tuple[int, int]
) -> Factors:
    """Draw the same factors directly (Bartlett): :math:`O(r^2)` normals instead of :math:`(n+N)r`.

    ``rows`` (static, :func:`wishart_rows`) fixes the shapes; ``n`` and ``N`` may be traced, so a sweep
    over sample sizes with the same ``rows`` compiles once."""
    k_T, k_g, k_Tt, k_gt = jax.random.split(key, 4)
    T = bartlett_factor(k_T, n, p.r, rows[0])
    T_u = bartlett_factor(k_Tt, N, p.r, rows[1])
    t = T @ p.b_L + p.sigma * jax.random.normal(k_g, (rows[0],))
    t_u = T_u @ p.b_U + p.sigma * jax.random.normal(k_gt, (rows[1],))
    return T, t, T_u, t_u


def trial_risks(
    key: jax.Array, p: Problem, n: int, N: int, engine: Engine = DEFAULT_ENGINE
) -> dict[str, jax.Array]:
    """Excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` of one trial."""
    if engine == "design":
        return risks_from_factors(*design_factors(key, p, n, N), p)
    return risks_from_factors(*wishart_factors(key, p, n, N, wishart_rows(p, n, N)), p)


@partial(jax.jit, static_argnames=("n", "N"))
def _design_chunk(keys: jax.Array, problem: Problem, n: int, N: int) -> dict[str, jax.Array]:
    return shard_over_trials(partial(trial_risks, n=n, N=N, engine="design"), keys, problem)


@partial(jax.jit, static_argnames=("rows",))
def _wishart_chunk(
    keys: jax.Array, problem: Problem, n: jax.Array, N: jax.Array, rows: tuple[int, int]
) -> dict[str, jax.Array]:
    trial = lambda key, p, n, N: risks_from_factors(*wishart_factors(key, p, n, N, rows), p)
    return shard_over_trials(trial, keys, problem, n, N)


def chunk_fn(problem: Problem, n: int, N: int, engine: Engine) -> Callable[[jax.Array], dict[str, jax.Array]]:
    """The compiled function of a chunk of keys: the design engine compiles per ``(n, N)``, the Wishart
    engine per ``(min(n, r), min(N, d_s))`` (sample sizes are traced)."""
    if engine == "design":
        return partial(_design_chunk, problem=problem, n=n, N=N)
    sizes = jnp.asarray(n, dtype=float), jnp.asarray(N, dtype=float)
    return partial(_wishart_chunk, problem=problem, n=sizes[0], N=sizes[1], rows=wishart_rows(problem, n, N))


def simulate(
    model: SubspaceModel,
    n: int,
    N: int,
    trials: int,
    seed: Seed = 0,
    *,
    engine: Engine = DEFAULT_ENGINE,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """Per-trial excess risks ``weak``, ``strong``, ``ceiling``, ``w2s`` and per-trial ``pgr``, ``opr``.

    Trial ``i`` uses key ``split(key(seed), trials)[i]``: results are identical for any ``chunk_size``
    (the number of trials per compiled call, which bounds memory) and any number of devices. The two
    engines draw different numbers from the same law (module docstring). Needs float64 (see
    :func:`w2s_theory._config.require_x64`).
    """
    require_x64()
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    trials = _validate.positive_int("trials", trials)
    chunk = _validate.positive_int("chunk_size", DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size)
    if engine not in ENGINES:
        raise ValueError(
            f"engine must be one of {ENGINES} (the subspace model's latent is isotropic Gaussian, so "
            f"'wishart' is exact for every n, N >= 1), got {engine!r}"
        )
    with cpu_blas_single_thread():  # the host-side QRs stall under OpenBLAS threading too (~8x, measured)
        problem = Problem.from_model(model)
    risks = run_in_chunks(chunk_fn(problem, n, N, engine), trial_keys(seed, trials), chunk)
    bad = [name for name, v in risks.items() if not np.all(np.isfinite(v))]
    if bad:
        raise FloatingPointError(
            f"non-finite excess risk in {bad} (n={n}, N={N}, engine={engine!r}); please report this"
        )
    return risks | {"pgr": per_trial_pgr(risks), "opr": per_trial_opr(risks)}
