r"""Closed forms of the blended distillation weight, evaluated with numpy (vectorised over every argument).

The formulas are *derived* in :mod:`w2s_theory.symbolic.blend` and generated into
:mod:`w2s_theory.blend._closed_forms`; this module validates inputs and calls them by name
(``docs/theory/blend.md``). All of them assume commuting projectors :math:`P_s, P_w` (integer
``d_sw`` :math:`=c`); the caller (:class:`~w2s_theory.blend.BlendModel`) checks the subspaces. For general
principal angles, and for the variant with pseudo-labelled points, there is no closed form: Monte Carlo only.

* :func:`expected_risk`: :math:`E_0`, :math:`U`, :math:`V`, :math:`\mathbb E\,\mathrm{ER}(w)=E_0-2wU+w^2V`,
  :math:`w^*=U/V`, the gain :math:`U^2/V` and the teacher's risk (form ``"exact"``);
* :func:`optimal_weight`: :math:`w^*`, optionally restricted to an interval inside :math:`[0,1]`;
* :func:`proportional_limit`: :math:`n,d\to\infty` with :math:`d_s/n, d_w/n, c/n` fixed (form ``"limit"``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.blend._closed_forms import CLOSED_FORMS
from w2s_theory.closed_forms import evaluate


def _invariants(d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw) -> dict[str, np.ndarray]:
    dims = {"d_w": _validate.integers("d_w", d_w), "d_s": _validate.integers("d_s", d_s)}
    dims["d_sw"] = _validate.integers("d_sw", d_sw, minimum=0)  # commuting: an integer
    if np.any(dims["d_sw"] > np.minimum(dims["d_w"], dims["d_s"])):
        raise ValueError(f"d_sw must lie in [0, min(d_w, d_s)], got {d_sw} with d_w={d_w}, d_s={d_s}")
    values = {"sigma2": sigma2, "rho_w": rho_w, "rho_s": rho_s, "bias_sw": bias_sw}
    out = dims | {k: _validate.nonnegative_floats(k, v) for k, v in values.items()}
    if np.any(out["bias_sw"] > out["rho_w"] * (1 + 1e-9) + 1e-12):
        raise ValueError(
            f"bias_sw = ||P_s(I-P_w)beta||^2 = {bias_sw} cannot exceed rho_w = ||(I-P_w)beta||^2 = {rho_w}"
        )
    return out


def _check_n(n: np.ndarray, d_w: np.ndarray, d_s: np.ndarray) -> None:
    for dim_name, dim, who in (("d_s", d_s, "the strong student"), ("d_w", d_w, "the weak teacher")):
        m_arr, dim_arr = np.broadcast_arrays(n, dim)
        bad = np.flatnonzero(~(m_arr > dim_arr + 1))
        if bad.size:
            _validate.exact_sample_size("n", m_arr.flat[bad[0]], dim_name, dim_arr.flat[bad[0]], who)


def expected_risk(
    *,
    n: ArrayLike,
    w: ArrayLike,
    d_w: ArrayLike,
    d_s: ArrayLike,
    d_sw: ArrayLike,
    sigma2: ArrayLike,
    rho_w: ArrayLike,
    rho_s: ArrayLike,
    bias_sw: ArrayLike,
) -> dict[str, np.ndarray]:
    r"""Exact :math:`\mathbb E\,\mathrm{ER}(w)` of the student fitted to :math:`(1-w)y+w\hat y_w` on the same
    ``n`` labelled points, for commuting :math:`P_s,P_w` (``docs/theory/blend.md`` §2):

    .. math::
        \mathbb E\,\mathrm{ER}(w)=E_0-2wU+w^2V,\quad U=\tau^2T,\quad V=\tau^2T+b_AL,\quad
        T=\frac{(n-d_w)(n-1)(d_s-c)}{(n-c)(n-c-1)(n-d_s-1)},

    :math:`L=\frac{n-1}{n-c-1}\big[c_1(r,k)+c_2(r,k)\frac{k(d_s-c)-2}{n-d_s-1}\big]`, :math:`k=n-c`,
    :math:`r=n-d_w`, :math:`\tau^2=\sigma^2+\rho_w-b_A`, :math:`b_A=` ``bias_sw``.

    Parameters
    ----------
    n
        Labelled sample size(s); :math:`n>d_s+1` and :math:`n>d_w+1` (the expectation is infinite
        otherwise).
    w
        Blend weight(s), any real number (:math:`w\in[0,1]` mixes the labels; outside, the same quadratic).
    d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw
        Invariants (``d_sw`` an integer: commuting projectors).

    Returns
    -------
    dict
        ``strong`` (:math:`E_0`, the student on the labels alone), ``weak`` (the teacher), ``cross``
        (:math:`U`), ``shift`` (:math:`V`), ``blend`` (:math:`\mathbb E\,\mathrm{ER}(w)`), ``w_star``
        (:math:`U/V`, NaN where :math:`V=0`: the risk does not depend on :math:`w`), ``gain``
        (:math:`E_0-\mathbb E\,\mathrm{ER}(w^*)`, 0 where :math:`V=0`).
    """
    inv = _invariants(d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw)
    n = _validate.integers("n", n)
    w = _validate.finite_array("w", w, ndim=np.ndim(w))
    _check_n(n, inv["d_w"], inv["d_s"])
    table = CLOSED_FORMS["exact"]
    out = {
        key: evaluate(table[key], n=n, w=w, **inv) for key in ("strong", "weak", "cross", "shift", "blend")
    }
    inert = out["shift"] <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out["w_star"] = np.where(inert, np.nan, out["cross"] / out["shift"])
        out["gain"] = np.where(inert, 0.0, out["cross"] ** 2 / out["shift"])
    return out


def constrained(w_star: ArrayLike, interval: tuple[float, float]) -> np.ndarray:
    r"""The minimiser of the convex quadratic :math:`\mathbb E\,\mathrm{ER}(w)` on ``interval``: ``w_star``
    clipped to it (NaN, an inert blend, becomes the interval's lower end)."""
    lo, hi = check_interval(interval)
    w_star = np.asarray(w_star, dtype=float)
    return np.where(np.isnan(w_star), lo, np.clip(w_star, lo, hi))


def check_interval(interval: tuple[float, float]) -> tuple[float, float]:
    """``(lo, hi)`` with ``0 <= lo <= hi <= 1``: blend weights mix the true and the teacher's labels."""
    try:
        lo, hi = (float(x) for x in interval)
    except (TypeError, ValueError):
        raise TypeError(f"interval must be a pair (lo, hi) of numbers in [0, 1], got {interval!r}") from None
    if not (0.0 <= lo <= hi <= 1.0):
        raise ValueError(
            f"interval must satisfy 0 <= lo <= hi <= 1 (a constrained blend weight mixes the labels "
            f"(1-w) y + w y_teacher), got ({lo:g}, {hi:g}); use interval=None for the unconstrained w*"
        )
    return lo, hi


def optimal_weight(*, n: ArrayLike, interval: tuple[float, float] | None = None, **invariants) -> np.ndarray:
    r""":math:`w^*=U/V` (``interval=None``, any real number) or its projection onto ``interval``
    :math:`\subseteq[0,1]` (the constrained optimum; the risk is a convex quadratic in :math:`w`).
    ``invariants`` as in :func:`expected_risk`."""
    w_star = expected_risk(n=n, w=0.0, **invariants)["w_star"]
    return w_star if interval is None else constrained(w_star, interval)


def proportional_limit(
    *, gamma_s, gamma_w, gamma_sw, w, sigma2, rho_w, rho_s, bias_sw
) -> dict[str, np.ndarray]:
    r"""Limits as :math:`n,d_s,d_w,c\to\infty` with :math:`\gamma_s=d_s/n<1`, :math:`\gamma_w=d_w/n<1`,
    :math:`\gamma_c=c/n\le\min(\gamma_s,\gamma_w)` fixed: ``strong``, ``cross``, ``shift``, ``blend``,
    ``w_star``, e.g.

    .. math:: w^*_\infty=\frac{\tau^2(\gamma_s-\gamma_c)(1-\gamma_c)}{\tau^2(\gamma_s-\gamma_c)(1-\gamma_c)
        +b_A[(1-\gamma_w)(1-\gamma_s)+(\gamma_w-\gamma_c)(\gamma_s-\gamma_c)]}.
    """
    g = {
        k: _validate.fractions(k, v)
        for k, v in {"gamma_s": gamma_s, "gamma_w": gamma_w, "gamma_sw": gamma_sw}.items()
    }
    if np.any(g["gamma_s"] >= 1) or np.any(g["gamma_w"] >= 1):
        raise ValueError("gamma_s = d_s/n and gamma_w = d_w/n must be < 1")
    if np.any(g["gamma_sw"] > np.minimum(g["gamma_s"], g["gamma_w"])):
        raise ValueError("gamma_sw = c/n must not exceed min(gamma_s, gamma_w)")
    values = {"sigma2": sigma2, "rho_w": rho_w, "rho_s": rho_s, "bias_sw": bias_sw}
    args = g | {k: _validate.nonnegative_floats(k, v) for k, v in values.items()}
    args["w"] = _validate.finite_array("w", w, ndim=np.ndim(w))
    return {key: evaluate(fn, **args) for key, fn in CLOSED_FORMS["limit"].items()}
