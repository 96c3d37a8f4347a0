r"""Closed forms of "Discrepancies are Virtue", evaluated with numpy (vectorised over any argument).

The formulas are *derived* in :mod:`w2s_theory.symbolic.discrepancy` and compiled into the generated
module :mod:`w2s_theory.discrepancy._closed_forms`; this module validates inputs and groups them.

* :func:`expected_risks`: exact finite-sample expectations for the Gaussian latent model (spec §2.2(c),
  §2.3 right column) and PGR/OPR as ratios of those expectations.
* :func:`paper_risks`: the stated curves the paper's abstract and the authors' notebook use (spec §2.2(b),
  §2.3 middle column): leading order of the exact ones (checked symbolically).
* :func:`pgr_lower_bound`, :func:`opr_lower_bound`, :func:`n_star`, :func:`N_for_opr_above_1`,
  :func:`N_for_pgr_above`: the lower bounds of spec §2.4 and what follows from them.
* :func:`proportional_limit`: :math:`n,N,d\to\infty` with :math:`d_w/n`, :math:`d_s/N`, :math:`N/n`,
  :math:`d_{s\wedge w}/d_w` fixed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.discrepancy import _closed_forms as cf

RISK_KEYS = ("weak", "strong", "ceiling", "w2s")
#: Result key -> generated closed form, for the exact expectations and for the paper's stated curves.
EXACT = {"weak": cf.er_weak, "strong": cf.er_strong, "ceiling": cf.er_ceiling, "w2s": cf.er_w2s,
         "pgr": cf.pgr, "opr": cf.opr}  # fmt: skip
STATED = {"weak": cf.paper_weak, "strong": cf.paper_strong, "ceiling": cf.paper_ceiling, "w2s": cf.paper_w2s,
          "pgr": cf.paper_pgr, "opr": cf.paper_opr}  # fmt: skip


def _evaluate(table: dict, args: tuple) -> dict[str, np.ndarray]:
    return {key: np.asarray(fn(*args), dtype=float) for key, fn in table.items()}


def _check_exact_regime(n: ArrayLike, N: ArrayLike, d_w: ArrayLike, d_s: ArrayLike) -> None:
    checks = [
        ("n", n, "d_w", d_w, "the weak teacher"),
        ("n", n, "d_s", d_s, "the strong baseline"),
        ("N", N, "d_s", d_s, "the W2S student"),
    ]
    for name, m, dim_name, dim, who in checks:
        m_arr, dim_arr = np.broadcast_arrays(np.asarray(m, dtype=float), np.asarray(dim, dtype=float))
        bad = np.flatnonzero(~(m_arr > dim_arr + 1))
        if bad.size:
            _validate.exact_sample_size(name, m_arr.flat[bad[0]], dim_name, dim_arr.flat[bad[0]], who)


def _check_params(
    sigma2: ArrayLike, d_sw: ArrayLike, d_w: ArrayLike, d_s: ArrayLike, **nonneg: ArrayLike
) -> None:
    for name, value in {"sigma2": sigma2, **nonneg}.items():
        v = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{name} must be finite and >= 0")
    lo, hi = np.asarray(d_sw, dtype=float), np.minimum(d_w, d_s)
    if np.any(lo < 0) or np.any(lo > hi + 1e-9):
        raise ValueError("d_sw must lie in [0, min(d_w, d_s)]")


def expected_risks(
    *,
    n: ArrayLike,
    N: ArrayLike,
    d_w: ArrayLike,
    d_s: ArrayLike,
    d_sw: ArrayLike,
    sigma2: ArrayLike,
    rho_w: ArrayLike = 0.0,
    rho_s: ArrayLike = 0.0,
    bias_sw: ArrayLike = 0.0,
    bias_ws: ArrayLike = 0.0,
) -> dict[str, np.ndarray]:
    r"""Exact :math:`\mathbb E\,\mathrm{ER}` of weak, strong, ceiling and W2S, and PGR, OPR.

    .. math::
        \mathbb E\,\mathrm{ER}(f_{w2s})=\frac{\sigma^2+\rho_w}{n-d_w-1}\Big[d_{s\wedge w}
        +(d_w-d_{s\wedge w})\frac{d_s}{N-d_s-1}\Big]+\rho_s+\|P_s(I-P_w)\beta\|^2
        +\frac{d_s}{N-d_s-1}\|(I-P_s)P_w\beta\|^2

    Exact for the shared isotropic Gaussian latent, any principal angles; needs :math:`n>d_w+1`,
    :math:`n>d_s+1`, :math:`N>d_s+1`.
    """
    _check_exact_regime(n, N, d_w, d_s)
    _check_params(sigma2, d_sw, d_w, d_s, rho_w=rho_w, rho_s=rho_s, bias_sw=bias_sw, bias_ws=bias_ws)
    args = (n, N, d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw, bias_ws)
    return _evaluate(EXACT, args)


def paper_risks(
    *,
    n: ArrayLike,
    N: ArrayLike,
    d_w: ArrayLike,
    d_s: ArrayLike,
    d_sw: ArrayLike,
    sigma2: ArrayLike,
    rho_w: ArrayLike = 0.0,
    rho_s: ArrayLike = 0.0,
    bias_sw: ArrayLike = 0.0,
    bias_ws: ArrayLike = 0.0,
) -> dict[str, np.ndarray]:
    r"""The stated curves: :math:`\sigma^2D_N/(n-d_w-1)+\rho_w+\rho_s` for W2S with
    :math:`D_N=d_{s\wedge w}+(d_w-d_{s\wedge w})d_s/N`, and :math:`\sigma^2d/n+\rho` for weak / strong
    (:math:`n+N` for the ceiling). ``bias_sw``, ``bias_ws`` are accepted and ignored (the stated forms
    bound the bias by :math:`\rho_s+\rho_w`). Weak/strong/ceiling are lower bounds on the variance.
    """
    del bias_sw, bias_ws
    _check_params(sigma2, d_sw, d_w, d_s, rho_w=rho_w, rho_s=rho_s)
    if np.any(~(np.asarray(n, dtype=float) > np.asarray(d_w, dtype=float) + 1)):
        raise ValueError("n must exceed d_w + 1 for the stated W2S form sigma2 D_N/(n - d_w - 1)")
    return _evaluate(STATED, (n, N, d_w, d_s, d_sw, sigma2, rho_w, rho_s))


def _check_bound_args(n: ArrayLike | None, sigma2: ArrayLike, rho: ArrayLike, d_w: ArrayLike) -> None:
    if np.any(np.asarray(sigma2, dtype=float) <= 0):
        raise ValueError("sigma2 must be > 0 in the PGR/OPR bounds (they divide by sigma2)")
    if np.any(np.asarray(rho, dtype=float) < 0):
        raise ValueError("rho = rho_s + rho_w must be >= 0")
    if n is not None and np.any(~(np.asarray(n, dtype=float) > np.asarray(d_w, dtype=float) + 1)):
        raise ValueError("n must exceed d_w + 1 in the PGR/OPR bounds")


def pgr_lower_bound(*, n, N, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r""":math:`\mathrm{PGR}\ge1-\frac{n}{n-d_w-1}\frac{D_N}{d_w}-\frac{n}{d_w}\frac{\rho}{\sigma^2}`,
    :math:`\rho=\rho_s+\rho_w` (spec §2.4)."""
    _check_bound_args(n, sigma2, rho, d_w)
    return np.asarray(cf.pgr_lower_bound(n, N, d_w, d_s, d_sw, sigma2, rho), dtype=float)


def opr_lower_bound(*, n, N, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r""":math:`\mathrm{OPR}\ge\big(\frac{n}{n-d_w-1}\frac{D_N}{d_s}+\frac{n}{d_s}\frac{\rho}{\sigma^2}\big)^{-1}`
    (spec §2.4)."""
    _check_bound_args(n, sigma2, rho, d_w)
    return np.asarray(cf.opr_lower_bound(n, N, d_w, d_s, d_sw, sigma2, rho), dtype=float)


def n_star(*, N, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r"""Maximiser of both bounds in n: :math:`n^*=d_w+1+\sqrt{(d_w+1)\sigma^2D_N/\rho}` (needs :math:`\rho>0`)."""
    _check_bound_args(None, sigma2, rho, d_w)
    if np.any(np.asarray(rho, dtype=float) <= 0):
        raise ValueError(
            "rho must be > 0 for a finite maximiser n_star (the bounds increase forever at rho = 0)"
        )
    return np.asarray(cf.n_star(N, d_w, d_s, d_sw, sigma2, rho), dtype=float)


def N_for_opr_above_1(*, n, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r"""Smallest N with OPR lower bound :math:`\ge1` (spec §2.4.4); ``inf`` where no N suffices, i.e.
    where :math:`\frac{n-d_w-1}{n}(d_s-n\rho/\sigma^2)\le d_{s\wedge w}`."""
    _check_bound_args(n, sigma2, rho, d_w)
    with np.errstate(divide="ignore", invalid="ignore"):
        N_min = np.asarray(cf.N_for_opr_above_1(n, d_w, d_s, d_sw, sigma2, rho), dtype=float)
    return np.where(np.isfinite(N_min) & (N_min > 0), N_min, np.inf)


def N_for_pgr_above(*, n, d_w, d_s, d_sw, sigma2, rho, epsilon) -> np.ndarray:
    r"""Smallest N with PGR lower bound :math:`\ge1-\varepsilon`; ``inf`` where no N suffices."""
    _check_bound_args(n, sigma2, rho, d_w)
    with np.errstate(divide="ignore", invalid="ignore"):
        N_min = np.asarray(cf.N_for_pgr_above(n, d_w, d_s, d_sw, sigma2, rho, epsilon), dtype=float)
    return np.where(np.isfinite(N_min) & (N_min > 0), N_min, np.inf)


def proportional_limit(
    *, gamma_w, gamma_s, lam, omega, sigma2, rho_w=0.0, rho_s=0.0, bias_sw=0.0, bias_ws=0.0
) -> dict[str, np.ndarray]:
    r"""Limits of the exact risks as :math:`n,N,d\to\infty` with :math:`\gamma_w=d_w/n<1`,
    :math:`\gamma_s=d_s/N<1`, :math:`\lambda=N/n`, :math:`\omega=d_{s\wedge w}/d_w` fixed, e.g.

    .. math:: \mathrm{ER}(f_{w2s})\to\rho_s+\|P_s(I-P_w)\beta\|^2+(\sigma^2+\rho_w)\frac{\omega\gamma_w}{1-\gamma_w}
        +\frac{\gamma_s}{1-\gamma_s}\Big(\|(I-P_s)P_w\beta\|^2+(\sigma^2+\rho_w)\frac{(1-\omega)\gamma_w}{1-\gamma_w}\Big)
    """
    for name, value in {"gamma_w": gamma_w, "gamma_s": gamma_s}.items():
        if np.any((np.asarray(value, dtype=float) < 0) | (np.asarray(value, dtype=float) >= 1)):
            raise ValueError(f"{name} must lie in [0, 1)")
    if np.any((np.asarray(omega, dtype=float) < 0) | (np.asarray(omega, dtype=float) > 1)):
        raise ValueError("omega = d_sw / d_w must lie in [0, 1]")
    if np.any(np.asarray(gamma_s, dtype=float) * np.asarray(lam, dtype=float) >= 1):
        raise ValueError("d_s/n = gamma_s * lam must be < 1 for the strong baseline's limit")
    args = (gamma_w, gamma_s, lam, omega, sigma2, rho_w, rho_s, bias_sw, bias_ws)
    return {
        "weak": np.asarray(cf.er_weak_limit(*args), dtype=float),
        "strong": np.asarray(cf.er_strong_limit(*args), dtype=float),
        "ceiling": np.asarray(cf.er_ceiling_limit(*args), dtype=float),
        "w2s": np.asarray(cf.er_w2s_limit(*args), dtype=float),
    }
