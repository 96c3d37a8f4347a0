"""Speed of the Gaussian covariate model's deterministic equivalents on a 200 x 200 grid of (n, N).

``.venv/bin/python benchmarks/gcm_bench.py [--p 1000] [--grid 200] [--repeats 3]``

The model has p_w = p_s = p features: a power-law latent covariance diag(k^-1.2) of dimension 2p, target
k^-0.6, the weak map a random p-dimensional subspace of the top 1.5p coordinates and the strong map a
random p-dimensional subspace of all 2p (dense covariances and a dense cross covariance). Reported, each the minimum over ``--repeats`` runs:

* **build**: the model from its moments (symmetry and consistency checks, the two p x p symmetric
  eigendecompositions, the rotated cross covariance): done once per model;
* **grid**: ``expected_risks`` on the grid x grid outer product of (n, N) at fixed penalties: one root of
  the kappa equation per distinct (n, lambda) and (N, lambda), then vectorised traces;
* **penalty grid**: ``grid x grid`` of (lam_w, lam_s) at fixed (n, N).

Not part of the test suite. Prints one line per measurement and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from w2s_theory.gcm import GaussianCovariateModel
from w2s_theory.gcm.model import Rotated, _layout_map


def _moments(p: int, seed: int = 0) -> dict:
    d = 2 * p
    k = np.arange(1, d + 1.0)
    rng = np.random.default_rng(seed)
    A_w = _layout_map("weak", Rotated(p, 3 * p // 2), d, rng)
    A_s = _layout_map("strong", Rotated(p, d), d, rng)
    sigma, beta = k**-1.2, k**-0.6
    SA_w, SA_s = sigma[:, None] * A_w, sigma[:, None] * A_s
    return dict(
        Sigma_ww=(A_w.T @ SA_w + SA_w.T @ A_w) / 2,
        Sigma_ss=(A_s.T @ SA_s + SA_s.T @ A_s) / 2,
        Sigma_ws=A_w.T @ SA_s,
        c_w=A_w.T @ (sigma * beta),
        c_s=A_s.T @ (sigma * beta),
        F=float(np.sum(sigma * beta**2)),
        sigma2=0.1,
    )


def _best(fn, repeats: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--p", type=int, default=1000)
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    opts = parser.parse_args()
    moments = _moments(opts.p)
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    t_build, model = _best(lambda: GaussianCovariateModel(**moments), opts.repeats)
    print(f"build (checks + 2 eigendecompositions, p_w = p_s = {opts.p}): {t_build:.3f} s")
    n = np.linspace(50, 20000, opts.grid).astype(int)[:, None]
    N = np.linspace(50, 20000, opts.grid).astype(int)[None, :]
    t_grid, out = _best(lambda: model.expected_risks(n, N, 1e-3, 1e-3), opts.repeats)
    assert out["w2s"].shape == (opts.grid, opts.grid) and np.all(np.isfinite(out["w2s"]))
    print(f"grid {opts.grid} x {opts.grid} of (n, N), fixed penalties: {t_grid:.3f} s "
          f"({1e6 * t_grid / opts.grid**2:.1f} us per point)")  # fmt: skip
    print(f"build + grid: {t_build + t_grid:.3f} s")
    lam = np.geomspace(1e-5, 1.0, opts.grid)
    t_lam, out = _best(lambda: model.expected_risks(500, 2000, lam[:, None], lam[None, :]), opts.repeats)
    assert np.all(np.isfinite(out["w2s"]))
    print(f"grid {opts.grid} x {opts.grid} of (lam_w, lam_s) at n = 500, N = 2000: {t_lam:.3f} s")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
