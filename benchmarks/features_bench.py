"""Speed of the feature family's trial against the GEMM bound of its Gram products, measured in one run.

The trial (:mod:`w2s_theory.features.trial`) does three Gram products per trial, ``n k_w^2 + (n + N) k_s^2``
multiply-adds; everything else (row draws, gathers, Cholesky factors, the risks) is overhead. The bound is
the time of exactly those three products on arrays of the same shapes, run the same way (one compiled
``lax.map`` over the same number of trials) in the same process, so the ratio does not depend on how
loaded the shared machine is. Each time is the minimum over interleaved repeats.

Usage: ``.venv/bin/python benchmarks/features_bench.py [--configs utkface digits] [--trials 4]``; prints a
Markdown table and writes ``benchmarks/features_results.json``. A ``faulthandler`` watchdog ends a step
that exceeds ``--step-timeout`` seconds.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

from w2s_theory._trials import cpu_blas_single_thread, map_over_trials  # noqa: E402
from w2s_theory.family import _compiled  # noqa: E402
from w2s_theory.features import FeatureModel  # noqa: E402
from w2s_theory.features.examples import digits  # noqa: E402
from w2s_theory.features.family import FAMILY  # noqa: E402
from w2s_theory.features.simulate import traced_and_static  # noqa: E402
from w2s_theory.features.trial import gram_flops  # noqa: E402

HERE = Path(__file__).resolve().parent
REPEATS = 3


def _best(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return min(times)


def utkface_model() -> FeatureModel:
    """Synthetic features at UTKFace scale: M = 20000 inputs, 768 features per model (all kept)."""
    rng = np.random.default_rng(0)
    M, p, latent = 20000, 768, 1024
    z = rng.standard_normal((M, latent))
    F_w = z[:, :p] @ rng.standard_normal((p, p)) / np.sqrt(p)
    F_s = z[:, latent - p :] @ rng.standard_normal((p, p)) / np.sqrt(p)
    return FeatureModel.from_features(F_w, F_s, z @ rng.standard_normal(latent) / 32, 1.0, "rank", "rank")


def digits_model() -> FeatureModel:
    F_w, F_s, y = digits()
    return FeatureModel.from_features(F_w, F_s, y, 0.5, 20, 8)


CONFIGS = {"utkface": (utkface_model, 2000, 18000), "digits": (digits_model, 200, 1000)}


def measure(name: str, trials: int) -> dict[str, float | str]:
    start = time.perf_counter()
    model = CONFIGS[name][0]()
    build = time.perf_counter() - start
    n, N = CONFIGS[name][1:]
    traced, static = traced_and_static(model, n, N)
    fn = _compiled(FAMILY, static)
    key, indices = jax.random.key(0), np.arange(trials, dtype=np.uint32)
    start = time.perf_counter()
    jax.block_until_ready(fn(key, indices, traced))
    compile_s = time.perf_counter() - start

    rng = np.random.default_rng(1)
    A = jnp.asarray(rng.standard_normal((trials, n, static.k_w)))
    B = jnp.asarray(rng.standard_normal((trials, n, static.k_s)))
    C = jnp.asarray(rng.standard_normal((trials, N, static.k_s)))
    grams = jax.jit(
        lambda A, B, C: map_over_trials(lambda t: (t[0].T @ t[0], t[1].T @ t[1], t[2].T @ t[2]), (A, B, C))
    )
    jax.block_until_ready(grams(A, B, C))

    t_trial, t_gram = [], []
    with cpu_blas_single_thread():
        for _ in range(REPEATS):  # interleaved, so both see the same machine load
            t_trial.append(_best(lambda: fn(key, indices, traced), 1))
            t_gram.append(_best(lambda: grams(A, B, C), 1))
    per_trial, per_gram = min(t_trial) / trials, min(t_gram) / trials
    return {
        "config": f"{name}: M={model.M}, k_w={static.k_w}, k_s={static.k_s}, n={n}, N={N}",
        "build_s": build,
        "compile_s": compile_s,
        "trial_s": per_trial,
        "gram_bound_s": per_gram,
        "ratio": per_trial / per_gram,
        "gemm_gflops": gram_flops(static) / per_gram / 1e9,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--trials", type=int, default=4, help="trials per timed call")
    parser.add_argument("--step-timeout", type=float, default=900.0)
    args = parser.parse_args()
    rows = []
    for name in args.configs:
        faulthandler.dump_traceback_later(args.step_timeout, exit=True)
        rows.append(measure(name, args.trials if name == "utkface" else 64 * args.trials))
        faulthandler.cancel_dump_traceback_later()
    print(
        f"load average at end: {os.getloadavg()[0]:.1f}; {jax.device_count()} {jax.default_backend()} device(s)"
    )
    print(
        "| config | per trial | Gram GEMM bound | ratio | GEMM GFLOP/s | compile + first call | model build |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['config']} | {r['trial_s'] * 1e3:.2f} ms | {r['gram_bound_s'] * 1e3:.2f} ms | "
            f"**{r['ratio']:.2f}x** | {r['gemm_gflops']:.1f} | {r['compile_s']:.1f} s | {r['build_s']:.1f} s |"
        )
    (HERE / "features_results.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
