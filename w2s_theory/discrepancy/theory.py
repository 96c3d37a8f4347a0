r"""Closed forms of "Discrepancies are Virtue", evaluated with numpy (vectorised over every argument).

The formulas are *derived* in :mod:`w2s_theory.symbolic.discrepancy` and generated into
:mod:`w2s_theory.discrepancy._closed_forms` (table ``CLOSED_FORMS[form][quantity]``); this module validates
inputs and calls them by name. The theory is written out in ``docs/theory/discrepancies.md``.

* :func:`expected_risks`: exact finite-sample expectations for the Gaussian latent model and PGR/OPR as
  ratios of those expectations, for every fit under-parameterised (OLS, form ``"exact"``) or
  over-parameterised (minimum-norm, form ``"minnorm"``); only the interpolation poles
  :math:`m\in\{d-1,d,d+1\}` are refused.
* :func:`paper_risks`: the stated curves of the paper's abstract and the authors' notebook (form
  ``"stated"``): the leading order of the exact ones (checked symbolically).
* :func:`pgr_lower_bound`, :func:`opr_lower_bound`, :func:`n_star`, :func:`N_for_opr_above_1`,
  :func:`N_for_pgr_above`: the paper's lower bounds and what follows from them (form ``"bound"``). The
  exact integer answers to the same questions are :func:`smallest_N_opr_above_1`,
  :func:`smallest_N_pgr_above` and :func:`best_n`.
* :func:`proportional_limit`: :math:`n,N,d\to\infty` with :math:`d_w/n`, :math:`d_s/N`, :math:`N/n`,
  :math:`d_{s\wedge w}/d_w` fixed (forms ``"limit"`` and ``"limit_minnorm"``).

Every size (``n``, ``N``, ``d_w``, ``d_s``) must be an integer (or an integer array); floats are rejected
(except by the lower bounds and their solvers, which are continuous in ``n`` and ``N``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.closed_forms import evaluate
from w2s_theory.discrepancy._closed_forms import CLOSED_FORMS

RISK_KEYS = ("weak", "strong", "ceiling", "w2s")
#: Largest N (or n) the exact integer searches look at before answering "none".
SEARCH_LIMIT = 10**8


def _dimensions(d_w: ArrayLike, d_s: ArrayLike, d_sw: ArrayLike) -> dict[str, np.ndarray]:
    d_w = _validate.integers("d_w", d_w)
    d_s = _validate.integers("d_s", d_s)
    d_sw = _validate.nonnegative_floats("d_sw", d_sw)
    hi = np.broadcast_to(np.minimum(d_w, d_s), np.broadcast_shapes(d_sw.shape, d_w.shape, d_s.shape))
    bad = np.broadcast_to(d_sw, hi.shape) > hi + 1e-9
    if np.any(bad):
        raise ValueError(
            f"d_sw must lie in [0, min(d_w, d_s)] = [0, {hi[bad].flat[0]}], got {np.broadcast_to(d_sw, hi.shape)[bad].flat[0]}"
        )
    return {"d_w": d_w, "d_s": d_s, "d_sw": d_sw}


def _biases(**values: ArrayLike) -> dict[str, np.ndarray]:
    return {name: _validate.nonnegative_floats(name, v) for name, v in values.items()}


def _check_under_parameterised(n: np.ndarray, N: np.ndarray, d_w: np.ndarray, d_s: np.ndarray) -> None:
    """The stated curves are OLS curves: ``n > d_w + 1``, ``n > d_s + 1``, ``N > d_s + 1``."""
    checks = [
        ("n", n, "d_w", d_w, "the weak teacher"),
        ("n", n, "d_s", d_s, "the strong baseline"),
        ("N", N, "d_s", d_s, "the W2S student"),
    ]
    for name, m, dim_name, dim, who in checks:
        m_arr, dim_arr = np.broadcast_arrays(m, dim)
        bad = np.flatnonzero(~(m_arr > dim_arr + 1))
        if bad.size:
            _validate.exact_sample_size(name, m_arr.flat[bad[0]], dim_name, dim_arr.flat[bad[0]], who)


#: The four ridgeless fits, and the fits each risk depends on.
FITS = ("teacher", "baseline", "ceiling", "student")
DEPENDS_ON = {
    "weak": ("teacher",),
    "strong": ("baseline",),
    "ceiling": ("ceiling",),
    "w2s": ("teacher", "student"),
}


def _fits(n: np.ndarray, N: np.ndarray, d_w: np.ndarray, d_s: np.ndarray) -> list[tuple]:
    """``(name, m, dim_name, k, who)`` of the four ridgeless fits: ``m`` rows in ``k`` dimensions."""
    return [
        ("n", n, "d_w", d_w, "the weak teacher"),
        ("n", n, "d_s", d_s, "the strong baseline"),
        ("n + N", n + N, "d_s", d_s, "the strong ceiling"),
        ("N", N, "d_s", d_s, "the W2S student"),
    ]


def _check_away_from_poles(n: np.ndarray, N: np.ndarray, d_w: np.ndarray, d_s: np.ndarray) -> None:
    r"""Every fit needs :math:`m\ge k+2` (OLS) or :math:`m\le k-2` (min-norm): at :math:`m\in\{k-1,k,k+1\}`
    the expected risk is infinite (``docs/theory/discrepancies.md`` §12.1)."""
    for name, m, dim_name, k, who in _fits(n, N, d_w, d_s):
        m_arr, k_arr = np.broadcast_arrays(m, k)
        bad = np.flatnonzero(np.abs(m_arr - k_arr) <= 1)
        if bad.size:
            value, dim = int(m_arr.flat[bad[0]]), int(k_arr.flat[bad[0]])
            raise ValueError(
                f"{name}={value} must exceed {dim_name} + 1 = {dim + 1} or be at most {dim_name} - 2 = "
                f"{dim - 2} for a finite expectation of {who}: with any label noise or misfit, its expected "
                "excess risk is infinite for "
                f"{name} in {{{dim_name} - 1, {dim_name}, {dim_name} + 1}} = {{{dim - 1}, {dim}, {dim + 1}}} "
                "(the interpolation pole of double descent; OLS above it, minimum-norm below). "
                "Use simulate() there."
            )


def _beta2(beta2: ArrayLike | None, needed: bool, rho_w, rho_s, bias_ws) -> np.ndarray:
    r""":math:`\|\beta\|^2`, checked against the invariants it must dominate; required only where a fit
    is over-parameterised (the min-norm risks depend on :math:`\|P\beta\|^2`, not only on the misfits)."""
    if beta2 is None:
        if needed:
            raise ValueError(
                "beta2 = ||beta||^2 is required where a fit is over-parameterised (n <= d_w - 2, "
                "n <= d_s - 2, n + N <= d_s - 2 or N <= d_s - 2): a min-norm fit misses a share of "
                "||P beta||^2 = beta2 - rho. SubspaceModel.expected_risks passes it."
            )
        return np.nan
    beta2 = _validate.nonnegative_floats("beta2", beta2)
    for name, low in {"rho_s": rho_s, "rho_w + bias_ws": rho_w + bias_ws}.items():
        low, b2 = np.broadcast_arrays(low, beta2)
        bad = b2 < low - 1e-12 * np.maximum(1.0, np.abs(low))
        if np.any(bad):
            raise ValueError(
                f"beta2 = ||beta||^2 must be >= {name} = {low[bad].flat[0]:g} "
                f"(a part of beta cannot be longer than beta), got {b2[bad].flat[0]:g}"
            )
    return beta2


def _ratio(value: Callable[..., np.ndarray], den: np.ndarray, floor: float, **args: np.ndarray) -> np.ndarray:
    """A generated ratio ``value``, NaN where its denominator ``den`` is ``<= floor`` in magnitude."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = evaluate(value, **args)
    return np.where(np.abs(den) > floor, out, np.nan)


def _risks_and_ratios(form: str, floor: float, **args: np.ndarray) -> dict[str, np.ndarray]:
    table = CLOSED_FORMS[form]
    out = {key: evaluate(table[key], **args) for key in RISK_KEYS}
    out["pgr"] = _ratio(table["pgr"], out["weak"] - out["ceiling"], floor, **args)
    out["opr"] = _ratio(table["opr"], out["w2s"], floor, **args)
    return out


def _piecewise(pieces: list[tuple[np.ndarray, Callable]], shape: tuple, args: dict) -> np.ndarray:
    """Each generated form ``fn`` where its mask holds (masks are disjoint and cover the grid)."""
    out = np.full(shape, np.nan)
    for where, fn in pieces:
        where = np.broadcast_to(where, shape)
        if np.any(where):
            with np.errstate(divide="ignore", invalid="ignore"):  # a form is junk outside its regime
                out = np.where(where, evaluate(fn, **args), out)
    return out


def _exact_risks(floor: float, **args: np.ndarray) -> dict[str, np.ndarray]:
    """The four risks, each from the form of its fit's regime (OLS or min-norm), and PGR/OPR as ratios."""
    n, N, d_w, d_s = args["n"], args["N"], args["d_w"], args["d_s"]
    exact, minnorm = CLOSED_FORMS["exact"], CLOSED_FORMS["minnorm"]
    teacher, student = n <= d_w - 2, N <= d_s - 2  # over-parameterised
    baseline, ceiling = n <= d_s - 2, n + N <= d_s - 2
    pieces = {
        "weak": [(~teacher, exact["weak"]), (teacher, minnorm["weak"])],
        "strong": [(~baseline, exact["strong"]), (baseline, minnorm["strong"])],
        "ceiling": [(~ceiling, exact["ceiling"]), (ceiling, minnorm["ceiling"])],
        "w2s": [
            (~teacher & ~student, exact["w2s"]),
            (teacher & ~student, minnorm["w2s_teacher_over"]),
            (~teacher & student, minnorm["w2s_student_over"]),
            (teacher & student, minnorm["w2s_both_over"]),
        ],
    }
    shape = np.broadcast_shapes(*(np.shape(v) for v in args.values()))
    out = {key: _piecewise(p, shape, args) for key, p in pieces.items()}
    pole = {fit: np.abs(m - k) <= 1 for fit, (_, m, _, k, _) in zip(FITS, _fits(n, N, d_w, d_s), strict=True)}
    for key, fits in DEPENDS_ON.items():  # NaN where a fit the risk depends on is at its pole
        out[key] = np.where(reduce(np.logical_or, [pole[f] for f in fits]), np.nan, out[key])
    gap = out["weak"] - out["ceiling"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pgr"] = np.where(np.abs(gap) > floor, (out["weak"] - out["w2s"]) / gap, np.nan)
        out["opr"] = np.where(np.abs(out["w2s"]) > floor, out["strong"] / out["w2s"], np.nan)
    return out


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
    beta2: ArrayLike | None = None,
    floor: float = 0.0,
    at_poles: Literal["raise", "nan"] = "raise",
) -> dict[str, np.ndarray]:
    r"""Exact :math:`\mathbb E\,\mathrm{ER}` of weak, strong, ceiling and W2S, and PGR, OPR, for every
    fit either under- or over-parameterised.

    Teacher and student under-parameterised (:math:`n\ge d_w+2`, :math:`N\ge d_s+2`):

    .. math::
        \mathbb E\,\mathrm{ER}(f_{w2s})=\frac{\sigma^2+\rho_w}{n-d_w-1}\Big[d_{s\wedge w}
        +(d_w-d_{s\wedge w})\frac{d_s}{N-d_s-1}\Big]+\rho_s+\|P_s(I-P_w)\beta\|^2
        +\frac{d_s}{N-d_s-1}\|(I-P_s)P_w\beta\|^2

    (``docs/theory/discrepancies.md`` §3). A fit on :math:`m\le k-2` points in :math:`k` dimensions is the
    minimum-norm interpolator, e.g. :math:`\mathbb E\,\mathrm{ER}(f_w)=\rho_w+(1-\frac n{d_w})
    \|P_w\beta\|^2+(\sigma^2+\rho_w)\frac n{d_w-n-1}`, and W2S has a closed form in all four
    teacher/student regimes (``docs/theory/discrepancies.md`` §12). Exact for the shared isotropic
    Gaussian latent, any principal angles. Each fit's sample size must avoid its interpolation pole
    :math:`m\in\{k-1,k,k+1\}` (infinite expectation): :math:`n` vs :math:`d_w` (teacher) and :math:`d_s`
    (baseline), :math:`n+N` vs :math:`d_s` (ceiling), :math:`N` vs :math:`d_s` (W2S student).

    Parameters
    ----------
    n, N
        Labelled and unlabelled sample sizes (integers or integer arrays; broadcast).
    d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw, bias_ws
        The model's invariants (:meth:`SubspaceModel.invariants`); scalars or arrays.
    beta2
        :math:`\|\beta\|^2`; needed only where a fit is over-parameterised (a min-norm fit keeps only a
        share of :math:`\|P\beta\|^2=\|\beta\|^2-\rho`). :meth:`SubspaceModel.expected_risks` passes it.
    floor
        PGR / OPR are NaN where their denominator's magnitude is ``<= floor`` (default: only an exact 0,
        e.g. no noise and a target both learners represent).
    at_poles
        ``"raise"`` (default): a ``ValueError`` if any fit is at an interpolation pole. ``"nan"``: the risks
        that depend on such a fit are NaN there (and so are the ratios that use them), the others are
        returned, e.g. to draw each curve up to its own pole.

    Returns
    -------
    dict
        ``weak``, ``strong``, ``ceiling``, ``w2s`` (expected excess risks), ``pgr``, ``opr`` (ratios of
        expectations), as float arrays of the broadcast shape.

    Raises
    ------
    ValueError
        With ``at_poles="raise"``, at an interpolation pole (the message names the fit, the sample size and the dimension), or where a
        fit is over-parameterised and ``beta2`` is missing.
    """
    n, N = _validate.integers("n", n), _validate.integers("N", N)
    dims = _dimensions(d_w, d_s, d_sw)
    biases = _biases(sigma2=sigma2, rho_w=rho_w, rho_s=rho_s, bias_sw=bias_sw, bias_ws=bias_ws)
    if _validate.choice("at_poles", at_poles, ("raise", "nan")) == "raise":
        _check_away_from_poles(n, N, dims["d_w"], dims["d_s"])
    over = [m <= k - 2 for _, m, _, k, _ in _fits(n, N, dims["d_w"], dims["d_s"])]
    b2 = _beta2(beta2, any(np.any(o) for o in over), biases["rho_w"], biases["rho_s"], biases["bias_ws"])
    return _exact_risks(floor, n=n, N=N, beta2=b2, **dims, **biases)


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
    beta2: ArrayLike | None = None,
    floor: float = 0.0,
) -> dict[str, np.ndarray]:
    r"""The stated curves: :math:`\sigma^2D_N/(n-d_w-1)+\rho_w+\rho_s` for W2S with
    :math:`D_N=d_{s\wedge w}+(d_w-d_{s\wedge w})d_s/N`, and :math:`\sigma^2d/n+\rho` for weak / strong
    (:math:`n+N` for the ceiling).

    ``bias_sw``, ``bias_ws``, ``beta2`` are accepted and ignored (the stated forms bound the bias by
    :math:`\rho_s+\rho_w`). Weak/strong/ceiling are lower bounds on the variance. They approximate the
    least-squares risks of :func:`expected_risks` and are returned in the same regime only
    (:math:`n>d_w+1`, :math:`n>d_s+1`, :math:`N>d_s+1`): outside it the fits interpolate and the stated
    curves mean nothing. Same parameters and keys as :func:`expected_risks`.
    """
    del bias_sw, bias_ws, beta2
    n, N = _validate.integers("n", n), _validate.integers("N", N)
    dims = _dimensions(d_w, d_s, d_sw)
    biases = _biases(sigma2=sigma2, rho_w=rho_w, rho_s=rho_s)
    _check_under_parameterised(n, N, dims["d_w"], dims["d_s"])
    return _risks_and_ratios("stated", floor, n=n, N=N, **dims, **biases)


def _bound_args(n: ArrayLike | None, d_w, d_s, d_sw, sigma2, rho) -> dict[str, np.ndarray]:
    args = _dimensions(d_w, d_s, d_sw)
    sigma2 = _validate.nonnegative_floats("sigma2", sigma2)
    if np.any(sigma2 <= 0):
        raise ValueError(
            f"sigma2 must be > 0 in the PGR/OPR bounds (they divide by sigma2), got {sigma2.min()}"
        )
    args |= {"sigma2": sigma2, "rho": _validate.nonnegative_floats("rho", rho)}
    if n is not None:
        args["n"] = _validate.nonnegative_floats("n", n)  # the bounds are continuous in n and N
        bad = ~(args["n"] > args["d_w"] + 1)
        if np.any(bad):
            raise ValueError(
                f"n must exceed d_w + 1 in the PGR/OPR bounds, got n = {np.broadcast_to(args['n'], bad.shape)[bad].flat[0]}"
            )
    return args


def pgr_lower_bound(*, n, N, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r""":math:`\mathrm{PGR}\ge1-\frac{n}{n-d_w-1}\frac{D_N}{d_w}-\frac{n}{d_w}\frac{\rho}{\sigma^2}`,
    :math:`\rho=\rho_s+\rho_w` (``docs/theory/discrepancies.md`` §6.1). Not a bound on the exact
    Gaussian risks near :math:`N\approx d_s` (there the exact risk has :math:`d_s/(N-d_s-1)`;
    ``docs/theory/discrepancies.md`` §6.9)."""
    args = _bound_args(n, d_w, d_s, d_sw, sigma2, rho)
    return evaluate(CLOSED_FORMS["bound"]["pgr"], **args, N=_validate.nonnegative_floats("N", N))


def opr_lower_bound(*, n, N, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r""":math:`\mathrm{OPR}\ge\big(\frac{n}{n-d_w-1}\frac{D_N}{d_s}+\frac{n}{d_s}\frac{\rho}{\sigma^2}\big)^{-1}`."""
    args = _bound_args(n, d_w, d_s, d_sw, sigma2, rho)
    return evaluate(CLOSED_FORMS["bound"]["opr"], **args, N=_validate.nonnegative_floats("N", N))


def n_star(*, N, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r"""Maximiser of both bounds in n: :math:`n^*=d_w+1+\sqrt{(d_w+1)\sigma^2D_N/\rho}` (needs
    :math:`\rho>0`). A real number; :func:`best_n` is the exact integer maximiser of the exact PGR/OPR."""
    args = _bound_args(None, d_w, d_s, d_sw, sigma2, rho)
    if np.any(args["rho"] <= 0):
        raise ValueError(
            "rho must be > 0 for a finite maximiser n_star (the bounds increase forever at rho = 0)"
        )
    return evaluate(CLOSED_FORMS["bound"]["n_star"], **args, N=_validate.nonnegative_floats("N", N))


def N_for_opr_above_1(*, n, d_w, d_s, d_sw, sigma2, rho) -> np.ndarray:
    r"""The real N at which the OPR *lower bound* reaches 1; ``inf`` where no N suffices, i.e. where
    :math:`\frac{n-d_w-1}{n}(d_s-n\rho/\sigma^2)\le d_{s\wedge w}`. The exact answer (smaller, an
    integer) is :func:`smallest_N_opr_above_1`."""
    args = _bound_args(n, d_w, d_s, d_sw, sigma2, rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        N_min = evaluate(CLOSED_FORMS["bound"]["N_for_opr_above_1"], **args)
    return np.where(np.isfinite(N_min) & (N_min > 0), N_min, np.inf)


def N_for_pgr_above(*, n, d_w, d_s, d_sw, sigma2, rho, epsilon) -> np.ndarray:
    r"""The real N at which the PGR *lower bound* reaches :math:`1-\varepsilon`; ``inf`` where no N
    suffices. The exact answer is :func:`smallest_N_pgr_above`."""
    args = _bound_args(n, d_w, d_s, d_sw, sigma2, rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        N_min = evaluate(CLOSED_FORMS["bound"]["N_for_pgr_above"], **args, epsilon=epsilon)
    return np.where(np.isfinite(N_min) & (N_min > 0), N_min, np.inf)


def _first_integer(
    holds: Callable[[np.ndarray], np.ndarray], start: int, limit: int = SEARCH_LIMIT
) -> int | None:
    """The smallest integer ``m`` in ``[start, limit]`` with ``holds(m)``, scanning blocks that double in
    length (so the cost is proportional to the answer); ``None`` if there is none."""
    lo, width = start, 1024
    while lo <= limit:
        block = np.arange(lo, min(lo + width, limit + 1))
        hit = np.flatnonzero(holds(block))
        if hit.size:
            return int(block[hit[0]])
        lo, width = block[-1] + 1, 2 * width
    return None


def _first_integer_monotone(holds: Callable[[np.ndarray], np.ndarray], lo: int, hi: int) -> int:
    """The smallest integer ``m`` in ``[lo, hi]`` with ``holds(m)``, for a predicate that is false up to
    some point and true from there on, and true at ``hi`` (bisection)."""
    if holds(np.array([lo]))[0]:
        return lo
    while hi - lo > 1:  # holds(hi) and not holds(lo)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(np.array([mid]))[0] else (mid, hi)
    return hi


def smallest_N_opr_above_1(
    *, n: int, floor: float = 0.0, limit: int = SEARCH_LIMIT, **invariants: float
) -> int | None:
    r"""The smallest integer :math:`N` with exact :math:`\mathrm{OPR}(n,N)>1` (W2S beats the strong
    baseline trained on the same ``n`` labels), or ``None`` if no :math:`N\le` ``limit`` (default
    :data:`SEARCH_LIMIT`) does. ``invariants``: ``d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw,
    bias_ws``; ``floor`` as in :func:`expected_risks`.

    Only :math:`\mathbb E\,\mathrm{ER}(f_{w2s})` depends on :math:`N`, and for an OLS student
    (:math:`N\ge d_s+2`) it is :math:`a+c\,d_s/(N-d_s-1)` with :math:`c\ge0` in every teacher regime
    (``docs/theory/discrepancies.md`` §6.10): it does not increase with :math:`N`, so OPR does not
    decrease, and the answer is found by bisection, :math:`O(\log N)` evaluations. Where the two ends of
    the range do not show that shape (a risk at or below ``floor``, or NaN), it scans every :math:`N`."""
    n = int(_validate.integers("n", n))
    start = int(invariants["d_s"]) + 2
    limit = int(_validate.integers("limit", limit))
    if limit < start:
        raise ValueError(f"limit must be at least d_s + 2 = {start}, got {limit}")
    risks = lambda N: expected_risks(n=n, N=N, floor=floor, **invariants)
    holds = lambda N: risks(N)["opr"] > 1
    ends = risks(np.array([start, limit]))
    strong, (w_start, w_limit) = float(ends["strong"][0]), ends["w2s"]
    if strong >= 0 and w_start >= w_limit > max(floor, 0.0):  # OPR = strong / w2s defined, non-decreasing
        return _first_integer_monotone(holds, start, limit) if holds(np.array([limit]))[0] else None
    return _first_integer(holds, start, limit)


def smallest_N_pgr_above(*, n: int, epsilon: float, floor: float = 0.0, **invariants: float) -> int | None:
    r"""The smallest integer :math:`N` with exact :math:`\mathrm{PGR}(n,N)\ge1-\varepsilon`, or ``None`` if
    no :math:`N\le` :data:`SEARCH_LIMIT` does. The exact PGR need not be monotone in N, so this scans."""
    n = int(_validate.integers("n", n))
    epsilon = _validate.nonnegative_float("epsilon", epsilon)
    start = int(invariants["d_s"]) + 2
    pgr = lambda N: expected_risks(n=n, N=N, floor=floor, **invariants)["pgr"]
    return _first_integer(lambda N: pgr(N) >= 1 - epsilon, start)


def best_n(
    *, N: int, metric: str = "pgr", n_max: int | None = None, floor: float = 0.0, **invariants: float
) -> int | None:
    r"""The integer :math:`n` that maximises the exact ``metric`` (``"pgr"`` or ``"opr"``) at fixed ``N``,
    over :math:`\max(d_w,d_s)+1<n\le` ``n_max`` (default :math:`100(d_w+N)`); ``None`` if the maximum is
    at ``n_max`` (it keeps increasing, e.g. without approximation error :math:`\rho`)."""
    N = int(_validate.integers("N", N))
    metric = _validate.choice("metric", metric, ("pgr", "opr"))
    d_w, d_s = int(invariants["d_w"]), int(invariants["d_s"])
    n_max = 100 * (d_w + N) if n_max is None else int(_validate.integers("n_max", n_max))
    n = np.arange(max(d_w, d_s) + 2, n_max + 1)
    if n.size == 0:
        raise ValueError(f"n_max = {n_max} leaves no n with n > max(d_w, d_s) + 1 = {max(d_w, d_s) + 1}")
    values = expected_risks(n=n, N=N, floor=floor, **invariants)[metric]
    if np.all(np.isnan(values)):
        raise ValueError(f"{metric} is undefined (0/0) for every n: nothing to maximise")
    best = int(np.nanargmax(values))
    return None if best == n.size - 1 else int(n[best])


def proportional_limit(
    *, gamma_w, gamma_s, lam, omega, sigma2, rho_w=0.0, rho_s=0.0, bias_sw=0.0, bias_ws=0.0, beta2=None
) -> dict[str, np.ndarray]:
    r"""Limits of the exact risks as :math:`n,N,d\to\infty` with :math:`\gamma_w=d_w/n`,
    :math:`\gamma_s=d_s/N`, :math:`\lambda=N/n`, :math:`\omega=d_{s\wedge w}/d_w` fixed, e.g. for
    :math:`\gamma_w,\gamma_s<1`

    .. math:: \mathrm{ER}(f_{w2s})\to\rho_s+\|P_s(I-P_w)\beta\|^2+(\sigma^2+\rho_w)\frac{\omega\gamma_w}{1-\gamma_w}
        +\frac{\gamma_s}{1-\gamma_s}\Big(\|(I-P_s)P_w\beta\|^2+(\sigma^2+\rho_w)\frac{(1-\omega)\gamma_w}{1-\gamma_w}\Big)

    A ratio above 1 is the min-norm regime of that fit (the teacher for :math:`\gamma_w>1`, the W2S student
    for :math:`\gamma_s>1`, the baseline for :math:`\gamma_s\lambda=d_s/n>1`, the ceiling for
    :math:`\gamma_s\lambda>1+\lambda`), e.g. a min-norm fit tends to
    :math:`\rho+(1-1/\psi)\|P\beta\|^2+(\sigma^2+\rho)/(\psi-1)` with :math:`\psi=d/m`; it needs
    ``beta2`` :math:`=\|\beta\|^2` (``docs/theory/discrepancies.md`` §12.5). A ratio of exactly 1 (the
    interpolation threshold) has an infinite limit and is refused. Returns ``weak``, ``strong``,
    ``ceiling``, ``w2s``.
    """
    ratios = {name: _validate.nonnegative_floats(name, v) for name, v in
              {"gamma_w": gamma_w, "gamma_s": gamma_s, "lam": lam}.items()}  # fmt: skip
    omega = _validate.fractions("omega", omega)
    g_w, g_s, lam = ratios["gamma_w"], ratios["gamma_s"], ratios["lam"]
    psi = {
        "gamma_w": g_w,
        "gamma_s": g_s,
        "gamma_s * lam": g_s * lam,
        "gamma_s * lam / (1 + lam)": g_s * lam / (1 + lam),
    }
    for name, value in psi.items():
        if np.any(value == 1):
            raise ValueError(
                f"{name} = 1 is the interpolation threshold of a fit: its limiting risk is infinite; "
                "take it below 1 (least squares) or above 1 (minimum-norm)"
            )
    teacher, student = g_w > 1, g_s > 1
    biases = _biases(sigma2=sigma2, rho_w=rho_w, rho_s=rho_s, bias_sw=bias_sw, bias_ws=bias_ws)
    over = [teacher, student, psi["gamma_s * lam"] > 1, psi["gamma_s * lam / (1 + lam)"] > 1]
    b2 = _beta2(beta2, any(np.any(o) for o in over), biases["rho_w"], biases["rho_s"], biases["bias_ws"])
    args = ratios | {"omega": omega, "beta2": b2} | biases
    under, minnorm = CLOSED_FORMS["limit"], CLOSED_FORMS["limit_minnorm"]
    pieces = {
        "weak": [(~teacher, under["weak"]), (teacher, minnorm["weak"])],
        "strong": [(~over[2], under["strong"]), (over[2], minnorm["strong"])],
        "ceiling": [(~over[3], under["ceiling"]), (over[3], minnorm["ceiling"])],
        "w2s": [
            (~teacher & ~student, under["w2s"]),
            (teacher & ~student, minnorm["w2s_teacher_over"]),
            (~teacher & student, minnorm["w2s_student_over"]),
            (teacher & student, minnorm["w2s_both_over"]),
        ],
    }
    shape = np.broadcast_shapes(*(np.shape(v) for v in args.values()))
    return {key: _piecewise(p, shape, args) for key, p in pieces.items()}
