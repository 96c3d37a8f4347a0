r"""Deterministic equivalents of the four expected excess risks in the Gaussian covariate model, vectorised
over grids of :math:`(n, N, \lambda_w, \lambda_s)` (``docs/theory/general_covariance.md`` §2–§5).

Matrix functions are evaluated numerically in the eigenbases kept by the model
(:class:`~w2s_theory.gcm.model.Spectra`): one 1-d root :math:`\kappa` per distinct (sample size, penalty)
of each learner (:func:`solve_kappa`), then traces that are sums over eigenvalues. They reduce every risk
to a few scalars, which the generated closed forms combine (derived in :mod:`w2s_theory.symbolic.gcm`,
table ``CLOSED_FORMS`` of :mod:`w2s_theory.gcm._closed_forms`):

* a single ridge fit :math:`\mathrm{RIDGE}(S,c,m,\lambda)` (teacher on :math:`\Sigma_{ww}` with ``n``
  labels, strong baseline on :math:`\Sigma_{ss}` with ``n``, ceiling with ``n + N``):
  :math:`\mathbb E\,\mathrm{ER}\approx\rho+B+\tau\,\mathrm{df}_2`,
  :math:`\tau=(\sigma^2+\rho+B)/(m-\mathrm{df}_2-f)`;
* the W2S student: :math:`\mathbb E\,\mathrm{ER}\approx F-2c_s^\top R_s\Sigma_{sw}m_w+m_w^\top Gm_w
  +\tau_w\operatorname{tr}(GK_w)`, :math:`G=M_1+\nu_s(\Sigma_{ww}-M_2)`.

The finite-size shift :math:`f` (:func:`finite_size_shift`) is 1 where a learner's :math:`\kappa=0`
(ridgeless and under-parameterised: there the form is the exact finite-sample expectation) and decreases
continuously to 0 as the ridge dominates (``finite_size="auto"``, the default).

Cost: the eigendecompositions are the model's (once); per call, :math:`O(K\,p)` per Newton step for ``K``
distinct roots, :math:`O(T\,r_wr_s)` for ``T`` distinct teachers and matrix products
:math:`O(T\,S\,r_s)` for the W2S grid of ``T`` teachers by ``S`` students.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.closed_forms import evaluate
from w2s_theory.gcm._closed_forms import CLOSED_FORMS
from w2s_theory.gcm.model import GaussianCovariateModelData

FiniteSize = (
    Literal["auto", "ridgeless", "on", "off"] | Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
)
FINITE_SIZE: tuple[str, ...] = ("auto", "ridgeless", "on", "off")
RISK_KEYS: tuple[str, ...] = ("weak", "strong", "ceiling", "w2s")
#: Newton iterations allowed for one root (it converges monotonically; see :func:`solve_kappa`).
MAX_NEWTON = 500


# ---------------------------------------------------------------------------------------------- kappa
def degrees_of_freedom(e: np.ndarray, kappa: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`\mathrm{df}_1(\kappa)=\sum_ie_i/(e_i+\kappa)` and :math:`\mathrm{df}_2(\kappa)=\sum_i
    e_i^2/(e_i+\kappa)^2` for positive eigenvalues ``e`` (last axis) at each ``kappa``."""
    frac = e / (e + np.asarray(kappa, dtype=float)[..., None])
    return frac.sum(-1), (frac * frac).sum(-1)


def solve_kappa(e: ArrayLike, m: ArrayLike, lam: ArrayLike, *, who: str = "S") -> np.ndarray:
    r"""The effective regularisation :math:`\kappa(S,m,\lambda)`: the unique root in :math:`\kappa\ge0` of

    .. math:: g(\kappa)=\kappa\Big(1-\frac{\mathrm{df}_1(\kappa)}m\Big)-\lambda=0

    for a covariance :math:`S` with positive eigenvalues ``e`` (rank :math:`r`), ``m`` samples and the
    :math:`1/m`-normalised ridge penalty :math:`\lambda` (Bach 2024; Hastie et al. 2022).
    ``docs/theory/general_covariance.md`` §2.1.

    * :math:`\lambda>0`: :math:`\lambda\le\kappa\le\lambda+\operatorname{tr}S/m`. :math:`g` is convex
      (:math:`\kappa e/(e+\kappa)` is concave) with :math:`g'=1-\mathrm{df}_2/m>0` wherever
      :math:`\mathrm{df}_1<m`, so Newton's method from the upper end decreases monotonically to the root.
    * :math:`\lambda=0`, :math:`r<m` (under-parameterised): :math:`\kappa=0`.
    * :math:`\lambda=0`, :math:`r>m` (over-parameterised): the largest root, :math:`\mathrm{df}_1(\kappa)=m`
      (the same Newton iteration).
    * :math:`\lambda=0`, :math:`r=m`: the interpolation threshold, where the ridgeless risk is infinite: an
      error.

    Parameters
    ----------
    e
        Positive eigenvalues of :math:`S` (1-d).
    m, lam
        Sample sizes and penalties (broadcast together).
    who
        Named in the error at the interpolation threshold (e.g. ``"the teacher (Sigma_ww, n, lam_w)"``).

    Returns
    -------
    numpy.ndarray
        :math:`\kappa` of the broadcast shape.
    """
    e = np.asarray(e, dtype=float)
    m, lam = np.broadcast_arrays(np.asarray(m, dtype=float), np.asarray(lam, dtype=float))
    shape, m, lam = m.shape, m.ravel(), lam.ravel()
    rank = e.size
    at_peak = (lam == 0) & (m == rank)
    if np.any(at_peak):
        raise ValueError(
            f"{who}: lam = 0 with m = rank = {rank} is the interpolation threshold, where the ridgeless "
            "expected risk is infinite; use lam > 0 or another sample size"
        )
    kappa = np.zeros(m.shape)
    active = np.flatnonzero(~((lam == 0) & (m > rank)))
    k = lam[active] + e.sum() / m[active]  # g(k) >= 0 here: df1 <= tr S / k
    for _ in range(MAX_NEWTON):
        if active.size == 0:
            break
        mm, ll = m[active], lam[active]
        frac = k[:, None] / (e + k[:, None])  # kappa/(e+kappa) = 1 - e/(e+kappa), without cancellation
        g = k * ((mm - rank) + frac.sum(-1)) / mm - ll
        slope = ((mm - rank) + (frac * (2 - frac)).sum(-1)) / mm  # 1 - df2/m
        step = g / slope
        # exact Newton steps from the right are positive; one below rounding (or negative) is convergence
        done = step <= 8 * np.finfo(float).eps * k
        kappa[active[done]] = np.where(step[done] > 0, k[done] - step[done], k[done])
        active, k = active[~done], (k - step)[~done]
    if active.size:
        raise RuntimeError(
            f"{who}: the kappa iteration did not converge at m = {m[active[0]]}, lam = {lam[active[0]]}"
        )
    return kappa.reshape(shape)


# -------------------------------------------------------------------------------------- single ridge
@dataclass(frozen=True)
class RidgeLaw:
    r"""A ridge fit's deterministic equivalent at ``K`` points (arrays of shape ``(K,)``, eigen-coordinate
    vectors ``(K, r)``): :math:`\kappa`, :math:`\mathrm{df}_2`, the population ridge's bias
    :math:`B=\kappa^2\theta_*^\top S(S+\kappa)^{-2}\theta_*`, the finite-size shift ``fs``, :math:`\tau`,
    the risk, and the estimator law :math:`\mathbb E\hat\theta\approx` ``mean`` :math:`=(S+\kappa)^{-1}c`,
    :math:`\operatorname{Cov}\hat\theta\approx\tau\,\operatorname{diag}(` ``shape`` :math:`)`,
    ``shape`` :math:`=e/(e+\kappa)^2` (``docs/theory/general_covariance.md`` §2.2). With the second-order
    terms (§2.3), ``risk`` includes ``second`` and the law's mean is ``mean + shift``, its covariance
    :math:`\tau\operatorname{diag}(\text{shape})+\frac1m vv^\top` with ``v`` :math:`=\kappa c/(e+\kappa)^2`."""

    kappa: np.ndarray
    df2: np.ndarray
    bias: np.ndarray
    fs: np.ndarray
    tau: np.ndarray
    risk: np.ndarray
    mean: np.ndarray
    shape: np.ndarray
    second: np.ndarray
    shift: np.ndarray
    v: np.ndarray


def finite_size_shift(
    e: np.ndarray, kappa: np.ndarray, m: np.ndarray, finite_size: FiniteSize = "auto"
) -> np.ndarray:
    r"""The finite-size shift :math:`f` in the denominators :math:`m-\mathrm{df}_2-f`
    (``docs/theory/general_covariance.md`` §5), for a learner with spectrum ``e`` at ``kappa``, ``m`` samples.

    * ``"auto"`` (default): :math:`f=\min\{(\mathrm{df}_2/\mathrm{df}_1)^2,\,(m-\mathrm{df}_2)/2\}`, and
      :math:`f=1` where :math:`\kappa=0`. Where :math:`\kappa=0` (ridgeless, under-parameterised) this is
      the exact inverse-Wishart shift; it decreases continuously to 0 as the ridge dominates
      (:math:`\mathrm{df}_2/\mathrm{df}_1\to0`), so the risk is continuous at :math:`\lambda\to0^+`; for a
      ridgeless over-parameterised isotropic learner :math:`\mathrm{df}_2/\mathrm{df}_1=m/p`, the exact shift
      of the min-norm variance, squared. The cap keeps the shifted denominator at least half the unshifted
      one (it only binds within 2 samples of the interpolation threshold). Chosen by Monte Carlo over the
      other rules below (§6).
    * ``"ridgeless"``: :math:`f=1` exactly where :math:`\kappa=0`, else 0 (exact where it applies, but
      discontinuous at :math:`\lambda\to0^+`).
    * ``"on"`` / ``"off"``: :math:`f=1` / :math:`f=0` everywhere (``"off"`` is the proportional-limit form).
    * a function ``(e, kappa, m) -> f`` (vectorised over ``kappa`` and ``m``): for studies of the rule
      (:mod:`w2s_theory.gcm.verification`).
    """
    kappa = np.asarray(kappa, dtype=float)
    if callable(finite_size):
        return np.asarray(finite_size(e, kappa, np.asarray(m, dtype=float)), dtype=float) * np.ones_like(
            kappa
        )
    if finite_size == "on":
        return np.ones_like(kappa)
    if finite_size == "off":
        return np.zeros_like(kappa)
    ridgeless = (kappa == 0).astype(float)
    if finite_size == "ridgeless":
        return ridgeless
    d1, d2 = degrees_of_freedom(e, kappa)
    return np.where(kappa == 0, 1.0, np.minimum((d2 / d1) ** 2, (m - d2) / 2))


def second_order_terms(
    e: np.ndarray, c: np.ndarray, kappa: np.ndarray, m: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The :math:`O(1/m)` terms of a ridge fit's estimator law that no trace carries
    (``docs/theory/general_covariance.md`` §2.3), in the eigenbasis of :math:`S`, with
    :math:`\delta=\kappa(S+\kappa)^{-1}\theta_*` (the population ridge's bias) and :math:`P=S(S+\kappa)^{-1}`:

    * mean: :math:`\mathbb E\hat\theta\approx m_\theta-\frac1mP^2\delta`, ``shift``
      :math:`=-\frac1m e\kappa c/(e+\kappa)^3`;
    * covariance: :math:`+\frac1m vv^\top`, :math:`v=P\delta=\kappa c/(e+\kappa)^2`;
    * risk: :math:`+\frac3m\delta^\top SP^2\delta=\frac3m\sum_ie_i\kappa^2c_i^2/(e_i+\kappa)^4`, ``second``.

    All vanish at :math:`\kappa=0`. Returns ``second`` (K,), ``shift`` (K, r), ``v`` (K, r)."""
    kk = np.asarray(kappa, dtype=float)[:, None]
    mm = np.asarray(m, dtype=float)
    v = kk * c / (e + kk) ** 2
    shift = -(e * kk * c / (e + kk) ** 3) / mm[:, None]
    second = 3 * (e * v * v).sum(-1) / mm
    return second, shift, v


def ridge_law(
    e: np.ndarray,
    c: np.ndarray,
    F: float,
    sigma2: float,
    m: np.ndarray,
    lam: np.ndarray,
    finite_size: FiniteSize,
    who: str,
    second_order: bool = True,
) -> RidgeLaw:
    r""":math:`\mathrm{RIDGE}(S,c,m,\lambda)` at each ``(m[k], lam[k])``, for :math:`S` with positive
    eigenvalues ``e`` and :math:`c` in its eigenbasis (:class:`RidgeLaw`), with the second-order terms of
    :func:`second_order_terms` unless ``second_order=False``. Where the denominator
    :math:`m-\mathrm{df}_2-f` is 0 (ridgeless, rank ``m - 1``, finite-size shift on) the exact expectation is
    infinite and so are :math:`\tau` and the risk."""
    kappa = solve_kappa(e, m, lam, who=who)
    kk = kappa[:, None]
    d2 = ((e / (e + kk)) ** 2).sum(-1)
    bias = kappa**2 * (c**2 / e / (e + kk) ** 2).sum(-1)
    rho = max(F - float(np.sum(c**2 / e)), 0.0)
    fs = finite_size_shift(e, kappa, m, finite_size)
    args = dict(B=bias, d2=d2, fs=fs, m=m, rho=rho, sigma2=sigma2)
    finite = m - d2 - fs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(finite, evaluate(CLOSED_FORMS["ridge"]["tau"], **args), np.inf)
        risk = np.where(finite, evaluate(CLOSED_FORMS["ridge"]["risk"], **args), np.inf)
    second, shift, v = second_order_terms(e, c, kappa, m)
    if not second_order:
        second, shift, v = np.zeros_like(second), np.zeros_like(shift), np.zeros_like(v)
    return RidgeLaw(
        kappa, d2, bias, fs, tau, risk + second, c / (e + kk), e / (e + kk) ** 2, second, shift, v
    )


# ------------------------------------------------------------------------------------- the whole model
def _unique_points(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the stacked columns and, per original element, the index of its row."""
    stacked = np.stack(columns, axis=1)
    rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return [rows[:, i] for i in range(rows.shape[1])], inverse.ravel()


def _pair_products(
    left: list[np.ndarray], right: list[np.ndarray], i: np.ndarray, j: np.ndarray
) -> list[np.ndarray]:
    r"""``[(A[i_b] * R[j_b]).sum() for each element b]`` for each pair ``(A, R)`` of ``(left, right)``:
    through ``A @ R.T`` on the distinct teachers x students when that grid is not much larger than the
    number of elements (an outer grid of (n, N)), else element by element in bounded chunks."""
    T, S = left[0].shape[0], right[0].shape[0]
    if T * S <= 4 * i.size + 10**6:
        return [(A @ R.T)[i, j] for A, R in zip(left, right, strict=True)]
    out = [np.empty(i.size) for _ in left]
    step = max(1, 2**22 // max(left[0].shape[1], 1))
    for start in range(0, i.size, step):
        ii, jj = i[start : start + step], j[start : start + step]
        for o, A, R in zip(out, left, right, strict=True):
            o[start : start + step] = np.einsum("bk,bk->b", A[ii], R[jj])
    return out


def expected_risks(
    model: GaussianCovariateModelData,
    *,
    n: ArrayLike,
    N: ArrayLike,
    lam_w: ArrayLike = 0.0,
    lam_s: ArrayLike = 0.0,
    finite_size: FiniteSize = "auto",
    second_order: bool = True,
) -> dict[str, np.ndarray]:
    r"""Deterministic equivalents of :math:`\mathbb E\,\mathrm{ER}` of teacher, strong baseline, ceiling and
    W2S student, their PGR and OPR, the W2S mean/variance split and the effective dimensions
    (``docs/theory/general_covariance.md`` §2–§4).

    .. math::
        \mathbb E\,\mathrm{ER}_{w2s}\approx\underbrace{\|\bar f(m_w)-f_*\|^2+\nu_s\|\bar f(m_w)-g_{m_w}\|^2}_
        {\text{mean part}}+\underbrace{\tau_w\big[d_{sw}^{\to}+\nu_s(d_w-d_{sw}^{+})\big]}_{\text{variance part}}

    Exact (finite samples) where every :math:`\kappa=0` with the default finite-size rule; elsewhere a
    deterministic equivalent whose relative error is :math:`O(1/(m-\mathrm{df}_2))` for the relevant ``m``,
    measured in ``docs/theory/general_covariance.md`` §6 (within 2% wherever :math:`m-\mathrm{df}_2\ge40`
    in the verification table, up to about :math:`2/n` for heavily regularised fits with few effective
    dimensions).

    Parameters
    ----------
    model
        The moments (:class:`~w2s_theory.gcm.model.GaussianCovariateModelData`).
    n, N
        Labelled / unlabelled sample sizes (integers >= 1; broadcast with the penalties).
    lam_w, lam_s
        Ridge penalties (>= 0) of the teacher and of the three strong-feature fits, in the
        :math:`1/m`-normalised convention :math:`\min\frac1m\|y-X\theta\|^2+\lambda\|\theta\|^2`.
    finite_size
        The shift :math:`f` in :math:`m-\mathrm{df}_2-f` (:func:`finite_size_shift`): ``"auto"`` (default,
        continuous, exact where :math:`\kappa=0`), ``"ridgeless"`` (1 exactly where :math:`\kappa=0`, else 0),
        ``"on"`` or ``"off"`` (or a function, for studies of the rule).
    second_order
        Include the :math:`O(1/m)` bias-fluctuation terms no trace carries (§2.3; default ``True``). They
        vanish where :math:`\kappa=0` and matter for heavily regularised fits with few effective dimensions.
        ``finite_size="off", second_order=False`` is the plain proportional-limit deterministic equivalent.

    Returns
    -------
    dict
        Arrays of the broadcast shape: ``weak``, ``strong``, ``ceiling``, ``w2s``, ``pgr``, ``opr``;
        ``w2s_mean``, ``w2s_variance``, ``w2s_transfer`` (:math:`\|\bar f(m_w)-f_*\|^2`), ``w2s_cross``
        (:math:`c_s^\top R_s\Sigma_{sw}m_w=\langle\bar f(m_w),f_*\rangle`); effective dimensions ``d_w``,
        ``d_s`` (student at N), ``d_sw``, ``d_sw_to``, ``d_sw_plus``, ``df2_strong``, ``df2_ceiling``;
        ``nu_s``, ``tau_w``, ``kappa_w``, ``kappa_s``, ``kappa_strong``, ``kappa_ceiling``. With the
        second-order terms, ``w2s_mean`` is evaluated at the law's shifted mean plus the student's own
        second-order mean term, and ``w2s_variance`` adds :math:`v_w^\top Gv_w/n` and the student's term.

    Raises
    ------
    ValueError
        For a ridgeless learner exactly at its interpolation threshold (``lam = 0`` and rank = m), and for
        invalid arguments (naming them).
    """
    if not callable(finite_size):
        finite_size = _validate.choice("finite_size", finite_size, FINITE_SIZE)
    n, N = _validate.integers("n", n), _validate.integers("N", N)
    lam_w, lam_s = _validate.nonnegative_floats("lam_w", lam_w), _validate.nonnegative_floats("lam_s", lam_s)
    n, N, lam_w, lam_s = np.broadcast_arrays(n, N, lam_w, lam_s)
    shape = n.shape
    n, N, lam_w, lam_s = (x.ravel().astype(float) for x in (n, N, lam_w, lam_s))
    sp, F, sigma2 = model.spectra, model.F, model.sigma2

    (tn, tl), t_idx = _unique_points(n, lam_w)
    (sN, sl), s_idx = _unique_points(N, lam_s)
    (bn, bl), b_idx = _unique_points(n, lam_s)
    (cm, cl), c_idx = _unique_points(n + N, lam_s)
    teacher = ridge_law(
        sp.e_w, sp.cw, F, sigma2, tn, tl, finite_size, "the teacher (Sigma_ww, n, lam_w)", second_order
    )
    baseline = ridge_law(
        sp.e_s,
        sp.cs,
        F,
        sigma2,
        bn,
        bl,
        finite_size,
        "the strong baseline (Sigma_ss, n, lam_s)",
        second_order,
    )
    ceiling = ridge_law(
        sp.e_s, sp.cs, F, sigma2, cm, cl, finite_size, "the ceiling (Sigma_ss, n + N, lam_s)", second_order
    )
    kappa_s = solve_kappa(sp.e_s, sN, sl, who="the W2S student (Sigma_ss, N, lam_s)")

    # per teacher: P = L m_w, Q = (L∘L) k_w (strong eigen-coordinates), sum e_w m_w^2; the law's mean
    # includes its second-order shift, Lv is the rank-one part of its covariance (§2.3)
    m_w = teacher.mean + teacher.shift
    P = m_w @ sp.L.T
    Q = teacher.shape @ sp.L2.T
    m_sq = (sp.e_w * m_w**2).sum(-1)
    Lv = teacher.v @ sp.L.T
    v_sq = (sp.e_w * teacher.v**2).sum(-1)
    # per student: M1, M2 weights and the linear coefficient c_s^T R_s
    ks = kappa_s[:, None]
    g1 = sp.e_s / (sp.e_s + ks) ** 2
    g2 = (sp.e_s + 2 * ks) / (sp.e_s + ks) ** 2
    r = sp.cs / (sp.e_s + ks)
    d_s = ((sp.e_s / (sp.e_s + ks)) ** 2).sum(-1)
    # the student's own second-order terms, quadratic + linear in x = L theta (§3.3)
    h2 = sp.e_s * ks * (ks - 2 * sp.e_s) / (sp.e_s + ks) ** 4 * float(second_order)
    l2 = 2 * sp.e_s * ks * sp.cs / (sp.e_s + ks) ** 3 * float(second_order)
    fs_s = finite_size_shift(sp.e_s, kappa_s, sN, finite_size)
    # per element b: teacher i, student j
    pair, pair_idx = _unique_points(t_idx.astype(float), s_idx.astype(float))
    i, j = pair[0].astype(int), pair[1].astype(int)
    lin, q1, g2P, d_sw_to, d_sw_plus, g1v, g2v, h2P, l2P, h2Q = _pair_products(
        [P, P**2, P**2, Q, Q, Lv**2, Lv**2, P**2, P, Q], [r, g1, g2, g1, g2, g1, g2, h2, l2, h2], i, j
    )
    args = dict(
        F=F,
        lin=lin,
        q1=q1,
        q2=m_sq[i] - g2P,
        N=sN[j],
        d_s=d_s[j],
        fs_s=fs_s[j],
        n=tn[i],
        d_w=teacher.df2[i],
        fs_w=teacher.fs[i],
        B_w=teacher.bias[i],
        rho_w=model.rho_w,
        sigma2=sigma2,
        d_sw_to=d_sw_to,
        d_sw_plus=d_sw_plus,
    )
    finite_w = np.isfinite(teacher.tau[i])
    finite_s = sN[j] - d_s[j] - fs_s[j] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = np.where(finite_s, evaluate(CLOSED_FORMS["ridge"]["nu"], d2=d_s[j], fs=fs_s[j], m=sN[j]), np.inf)
        w2s_mean = np.where(finite_s, evaluate(CLOSED_FORMS["w2s"]["mean"], **args), np.inf)
        w2s_var = np.where(finite_s & finite_w, evaluate(CLOSED_FORMS["w2s"]["variance"], **args), np.inf)
        # second order: the teacher's rank-one covariance v^T G v / n and the student's own terms / N
        second_mean = (h2P + l2P) / sN[j]
        second_var = (g1v + nu * (v_sq[i] - g2v)) / tn[i] + teacher.tau[i] * h2Q / sN[j]
        w2s_mean = w2s_mean + second_mean
        w2s_var = w2s_var + np.where(finite_s & finite_w, second_var, 0.0)
    w2s_pair = {
        "w2s": w2s_mean + w2s_var,
        "w2s_mean": w2s_mean,
        "w2s_variance": w2s_var,
        "w2s_transfer": evaluate(CLOSED_FORMS["w2s"]["transfer"], **args),
        "w2s_cross": lin,
        "d_sw_to": d_sw_to,
        "d_sw_plus": d_sw_plus,
        "nu_s": nu,
    }
    out = {
        "weak": teacher.risk[t_idx],
        "strong": baseline.risk[b_idx],
        "ceiling": ceiling.risk[c_idx],
        **{key: value[pair_idx] for key, value in w2s_pair.items()},
        "d_w": teacher.df2[t_idx],
        "d_s": d_s[s_idx],
        "d_sw": (Q / sp.e_s).sum(-1)[t_idx],
        "df2_strong": baseline.df2[b_idx],
        "df2_ceiling": ceiling.df2[c_idx],
        "tau_w": teacher.tau[t_idx],
        "kappa_w": teacher.kappa[t_idx],
        "kappa_s": kappa_s[s_idx],
        "kappa_strong": baseline.kappa[b_idx],
        "kappa_ceiling": ceiling.kappa[c_idx],
    }
    floor = model.rounding_floor
    with np.errstate(divide="ignore", invalid="ignore"):
        pgr_den = out["weak"] - out["ceiling"]
        out["pgr"] = np.where(np.abs(pgr_den) > floor, (out["weak"] - out["w2s"]) / pgr_den, np.nan)
        out["opr"] = np.where(np.abs(out["w2s"]) > floor, out["strong"] / out["w2s"], np.nan)
    return {key: value.reshape(shape) for key, value in out.items()}
