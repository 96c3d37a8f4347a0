r"""Closed forms and exact expectations of two-stage filtering (``docs/theory/filtering.md`` §2–§3),
generated from :mod:`w2s_theory.symbolic.filtering` where they are scalar, and numeric matrix forms where
they are not.

Status of each result (the tags of ``docs/theory/filtering.md``):

* :func:`kept_moment` :math:`c(q)` — exact for the isotropic filter (a :math:`\chi^2` identity);
  :func:`kept_moment_finite` — its exact finite-pool expectation (empirical quantile);
* :func:`random_filter_risk` — exact :math:`\mathbb E\,\mathrm{ER}` of the random filter's stage-I student;
* :func:`population_map`, :func:`stage1_limit` — the :math:`N\to\infty` stage-I student under the isotropic
  filter (a limit; for the leverage filter an approximation whose error ``docs/theory/filtering.md`` §4.3
  reports);
* :func:`degeneration` — kept-law moments of the isotropic filter (exact in population; approximate for the
  leverage filter).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, stats

from w2s_theory import _validate
from w2s_theory.closed_forms import evaluate
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.filtering._closed_forms import CLOSED_FORMS
from w2s_theory.filtering.model import kept_count


def kept_moment(q: ArrayLike, d_w: int) -> np.ndarray:
    r"""Question degeneration of the isotropic filter:
    :math:`c(q)=F_{\chi^2_{d_w+2}}(F^{-1}_{\chi^2_{d_w}}(q))/q`, i.e.
    :math:`\mathbb E[\varphi\varphi^\top\mid\|\varphi\|^2\le a_q]=c(q)I_{d_w}` for
    :math:`\varphi\sim\mathcal N(0,I_{d_w})`. Exact. ``q`` in :math:`(0,1]`; :math:`c(1)=1`.

    Examples
    --------
    >>> [round(float(kept_moment(q, 24)), 3) for q in (0.1, 0.3, 0.5, 0.7)]
    [0.559, 0.686, 0.772, 0.851]
    """
    q = _keep_fractions(q)
    d_w = _validate.positive_int("d_w", d_w)
    a = np.where(q < 1, stats.chi2.ppf(np.where(q < 1, q, 0.5), d_w), 0.0)
    density = np.where(q < 1, stats.chi2.pdf(a, d_w), 0.0)  # q = 1: a = oo and a f(a) = 0
    return evaluate(CLOSED_FORMS["exact"]["c"], a=a, density=density, d_w=d_w, q=q)


def kept_moment_finite(q: float, d_w: int, N: int) -> float:
    r"""Exact :math:`\mathbb E\big[\frac1{md_w}\sum_{i\le m}X_{(i)}\big]` for the :math:`m=\operatorname{round}(qN)`
    smallest of :math:`N` i.i.d. :math:`X\sim\chi^2_{d_w}` (the isotropic filter on a finite pool, whose
    threshold is the empirical quantile):
    :math:`\sum_{i\le m}\mathbb EX_{(i)}=N\int_0^\infty x f(x)\,\Pr[\mathrm{Bin}(N-1,F(x))\le m-1]\,dx`
    (quadrature). Tends to :func:`kept_moment` as :math:`N\to\infty`, with an :math:`O(1/N)` gap."""
    q = _validate.positive_fraction("q", q)
    d_w, N = _validate.positive_int("d_w", d_w), _validate.positive_int("N", N)
    m = kept_count(q, N)
    if m < 1:
        raise ValueError(f"q = {q} keeps round(q * N) = 0 of N = {N} points")
    dist = stats.chi2(d_w)
    integrand = lambda t: t * dist.pdf(t) * stats.binom.cdf(m - 1, N - 1, dist.cdf(t))
    total, _ = integrate.quad(integrand, 0.0, np.inf, limit=500, epsabs=0.0, epsrel=1e-12)
    return float(N * total / (m * d_w))


def random_filter_risk(model: SubspaceModelData, n: int, N: int, q: float) -> float:
    r"""Exact :math:`\mathbb E\,\mathrm{ER}` of the stage-I student under the random filter: the W2S risk of
    Dong et al. with :math:`N` replaced by :math:`m=\operatorname{round}(qN)` (needs :math:`n>d_w+1`,
    :math:`m>d_s+1`). Stage II leaves it unchanged."""
    q = _validate.positive_fraction("q", q)
    n, N = _validate.positive_int("n", n), _validate.positive_int("N", N)
    m = kept_count(q, N)
    if not (n > model.d_w + 1 and m > model.d_s + 1):
        raise ValueError(f"exact only for n > d_w + 1 and round(qN) > d_s + 1; got n = {n}, m = {m}")
    return float(evaluate(CLOSED_FORMS["exact"]["random"], **model.invariants(), n=n, m=m))


def population_map(model: SubspaceModelData, c: float) -> np.ndarray:
    r""":math:`L_c=V_s(V_s^\top\Sigma_cV_s)^{-1}V_s^\top\Sigma_c`, :math:`\Sigma_c=I-(1-c)P_w`, in the
    model's trial coordinates (``r x r``): the population least-squares map of a student trained on the
    kept law of an isotropic filter with moment ``c``, so the stage-I student tends to :math:`L_c\hat\beta_t`
    as :math:`N\to\infty`. With commuting projections :math:`L_cP_w=P_sP_w` for every ``c``."""
    c = _validate.positive_fraction("c", c)
    Sigma = np.eye(model.r) - (1.0 - c) * model.B_w @ model.B_w.T
    Bs = model.B_s
    return Bs @ np.linalg.solve(Bs.T @ Sigma @ Bs, Bs.T @ Sigma)


def stage1_limit(model: SubspaceModelData, n: int, q: ArrayLike) -> np.ndarray:
    r""":math:`\lim_{N\to\infty}\mathbb E\,\mathrm{ER}` of the stage-I student under the isotropic filter:
    :math:`\|L_cP_w\beta-\beta\|^2+\tau\operatorname{tr}(V_w^\top L_c^\top L_cV_w)`, :math:`c=c(q)`,
    :math:`\tau=(\sigma^2+\rho_w)/(n-d_w-1)` (the teacher's :math:`\hat\beta_t=P_w\beta+V_wu`,
    :math:`\mathbb Euu^\top=\tau I`). A limit for the isotropic filter; an approximation for the leverage
    filter (finite :math:`n` makes its kept law anisotropic)."""
    n = _validate.positive_int("n", n)
    if not n > model.d_w + 1:
        raise ValueError(f"n must exceed d_w + 1 = {model.d_w + 1}, got {n}")
    qs = np.atleast_1d(_keep_fractions(q))
    tau = (model.sigma2 + model.rho_w) / (n - model.d_w - 1)
    Pw_beta = model.B_w @ (model.B_w.T @ model.b_star)
    out = []
    for c in kept_moment(qs, model.d_w):
        L = population_map(model, float(c))
        LV = L @ model.B_w
        out.append(np.sum((L @ Pw_beta - model.b_star) ** 2) + tau * np.sum(LV * LV))
    return np.asarray(out).reshape(np.shape(q))


def degeneration(model: SubspaceModelData, q: ArrayLike) -> dict[str, np.ndarray]:
    r"""Population moments of the isotropic filter's kept points (``docs/theory/filtering.md`` §3.4):
    ``weak_norm`` :math:`=c(q)` (mean :math:`\|\varphi_w\|^2/d_w`), ``strong_gram``
    :math:`=1-(1-c)d_{s\wedge w}/d_s` (mean eigenvalue of the kept strong Gram), ``label_rms``
    :math:`=\sqrt c` (kept/pool RMS of the teacher's labels)."""
    c = kept_moment(q, model.d_w)
    values = {"c": c, "d_s": model.d_s, "d_sw": model.d_sw}
    return {
        "weak_norm": c,
        "strong_gram": evaluate(CLOSED_FORMS["isotropic"]["strong_gram"], **values),
        "label_rms": evaluate(CLOSED_FORMS["isotropic"]["label_rms"], **values),
    }


def _keep_fractions(q: ArrayLike) -> np.ndarray:
    arr = _validate.fractions("q", q)
    if np.any(arr <= 0):
        raise ValueError(f"q must lie in (0, 1], got {float(arr[arr <= 0].flat[0])!r}")
    return arr
