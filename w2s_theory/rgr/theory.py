r"""Closed forms of W2SR's Reasoning Gap Recovered and its error split, evaluated with numpy.

Derived in :mod:`w2s_theory.symbolic.rgr`, generated into :mod:`w2s_theory.rgr._closed_forms`; theory in
``docs/theory/rgr.md``. Exact for any subspaces, :math:`n>d_w+1`, :math:`N>d_s+1`:

.. math::
    \mathrm{RGR}=\frac{\|P_s\beta\|^2-\mathrm{ER}_{weak}}{G}+\frac{S_T}{G},\qquad
    G=\|P_s\beta\|^2-\kappa_N(\sigma^2+\rho_s),\quad S_T=\varepsilon_{inv}-\kappa_N\eta_{inv}.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.closed_forms import evaluate
from w2s_theory.rgr._closed_forms import CLOSED_FORMS

RISK_KEYS = ("weak", "w2s", "ceiling", "base")
SPLIT_KEYS = ("eps_vis", "eps_inv", "eta_inv", "s_t", "gap")


def _check_exact_regime(n: np.ndarray, N: np.ndarray, d_w: np.ndarray, d_s: np.ndarray) -> None:
    for name, m, dim_name, dim, who in (
        ("n", n, "d_w", d_w, "the weak teacher"),
        ("N", N, "d_s", d_s, "the student (W2S and ceiling)"),
    ):
        m_arr, dim_arr = np.broadcast_arrays(m, dim)
        bad = np.flatnonzero(~(m_arr > dim_arr + 1))
        if bad.size:
            _validate.exact_sample_size(name, m_arr.flat[bad[0]], dim_name, dim_arr.flat[bad[0]], who)


def expected_risks(
    *,
    n: ArrayLike,
    N: ArrayLike,
    d_w: ArrayLike,
    d_s: ArrayLike,
    d_sw: ArrayLike,
    sigma2: ArrayLike,
    rho_w: ArrayLike,
    rho_s: ArrayLike,
    bias_sw: ArrayLike,
    bias_ws: ArrayLike,
    beta_norm2: ArrayLike,
    floor: float = 0.0,
) -> dict[str, np.ndarray]:
    r"""Exact ``weak``, ``w2s``, ``ceiling`` (student on ``N`` true labels), ``base`` (:math:`\|\beta\|^2`),
    ``rgr`` and the split ``eps_vis``, ``eps_inv``, ``eta_inv``, ``s_t``, ``gap`` (RGR's denominator).

    ``rgr`` is NaN where ``gap <= floor``: the ``N``-label ceiling does not beat the un-tuned student
    (:math:`N\le d_s+1+d_s(\sigma^2+\rho_s)/\|P_s\beta\|^2`), so there is no gap to recover
    (:func:`smallest_N_with_gap` gives the first ``N`` where it is defined).
    """
    n, N = _validate.integers("n", n), _validate.integers("N", N)
    d_w, d_s = _validate.integers("d_w", d_w), _validate.integers("d_s", d_s)
    values = dict(
        sigma2=sigma2, rho_w=rho_w, rho_s=rho_s, bias_sw=bias_sw, bias_ws=bias_ws, beta_norm2=beta_norm2
    )
    args = {k: _validate.nonnegative_floats(k, v) for k, v in values.items()}
    args |= {"n": n, "N": N, "d_w": d_w, "d_s": d_s, "d_sw": _validate.nonnegative_floats("d_sw", d_sw)}
    _check_exact_regime(n, N, d_w, d_s)
    table = CLOSED_FORMS["exact"]
    out = {key: evaluate(table[key], **args) for key in RISK_KEYS + SPLIT_KEYS}
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rgr"] = np.where(out["gap"] > floor, evaluate(table["rgr"], **args), np.nan)
    return out


def smallest_N_with_gap(*, d_s: int, sigma2: float, rho_s: float, beta_norm2: float) -> int | None:
    r"""The smallest integer :math:`N>d_s+1` whose ceiling beats the un-tuned student,
    :math:`N>d_s+1+d_s(\sigma^2+\rho_s)/\|P_s\beta\|^2`; ``None`` if :math:`\|P_s\beta\|^2=0`."""
    visible = float(beta_norm2) - float(rho_s)
    if visible <= 0:
        return None
    return int(np.floor(d_s + 1 + d_s * (sigma2 + rho_s) / visible)) + 1


def proportional_limit(
    *, gamma_w, gamma_s, omega, sigma2, rho_w, rho_s, bias_sw, bias_ws, beta_norm2
) -> dict[str, np.ndarray]:
    r"""``rgr`` and ``s_t`` as :math:`n,N,d\to\infty` with :math:`\gamma_w=d_w/n<1`,
    :math:`\gamma_s=d_s/N<1`, :math:`\omega=d_{s\wedge w}/d_w` fixed (:math:`\kappa_N\to\gamma_s/(1-\gamma_s)`)."""
    ratios = {"gamma_w": gamma_w, "gamma_s": gamma_s}
    args = {k: _validate.fractions(k, v) for k, v in ratios.items()} | {
        "omega": _validate.fractions("omega", omega)
    }
    if np.any(args["gamma_w"] >= 1) or np.any(args["gamma_s"] >= 1):
        raise ValueError("gamma_w = d_w/n and gamma_s = d_s/N must be < 1")
    values = dict(
        sigma2=sigma2, rho_w=rho_w, rho_s=rho_s, bias_sw=bias_sw, bias_ws=bias_ws, beta_norm2=beta_norm2
    )
    args |= {k: _validate.nonnegative_floats(k, v) for k, v in values.items()}
    return {key: evaluate(fn, **args) for key, fn in CLOSED_FORMS["limit"].items()}
