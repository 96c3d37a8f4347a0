r"""Derivation of the "Discrepancies are Virtue" closed forms (Dong, Li, Li, Lee, Lei, ICML 2025).

Model (``docs/theory/discrepancies.md`` §1): latent :math:`z\sim\mathcal N(0,I_D)`, label
:math:`y=\beta^\top z+\epsilon`, :math:`\operatorname{Var}\epsilon=\sigma^2`; the weak teacher regresses on
:math:`V_w^\top z` (``d_w`` dims) with ``n`` labels, the strong student on :math:`V_s^\top z` (``d_s``
dims) with ``N`` pseudo-labels; every fit is ridgeless. Overlap :math:`d_{s\wedge w}=\|V_s^\top V_w\|_F^2`.

The code below *is* the derivation (``docs/theory/discrepancies.md`` §3.3), built from two named facts:

1. **Inverse-Wishart mean.** For :math:`Z\in\mathbb R^{m\times d}` with i.i.d. :math:`\mathcal N(0,1)`
   entries and :math:`m>d+1`, :math:`\mathbb E[(Z^\top Z)^{-1}]=I_d/(m-d-1)`.
2. **Independent residual.** The part of the target outside a Gaussian feature subspace is independent of
   those features, so it acts as extra label noise; OLS with independent noise of variance :math:`v` has
   :math:`\mathbb E\|\hat\theta-\theta\|^2=v\,\mathbb E\operatorname{tr}(Z^\top Z)^{-1}`.

The minimum-norm (over-parameterised) regime (``docs/theory/discrepancies.md`` §12) adds three more:

3. **Haar projection moments.** The row-space projection :math:`P` of a Gaussian ``r x k`` matrix
   (:math:`r\le k`) is a uniformly random rank-``r`` projection: :math:`\mathbb EP=(r/k)I` and
   :math:`\mathbb E[PAP]=c_1A+c_2\operatorname{tr}(A)I` for symmetric :math:`A`.
4. **Pseudo-inverse second moment.** For Gaussian :math:`Z\in\mathbb R^{r\times k}`, :math:`r\le k-2`:
   :math:`\mathbb E[Z^\top(ZZ^\top)^{-2}Z]=\frac{r}{k(k-r-1)}I_k`.
5. **Student transfer.** Given the teacher's coefficient vector :math:`\beta_t` (independent of the
   student's points), the student's expected risk depends on :math:`\beta_t` only through a quadratic form,
   so only the teacher's mean and covariance enter.

Symbols: ``rho_w`` :math:`=\|(I-P_w)\beta\|^2`, ``rho_s`` :math:`=\|(I-P_s)\beta\|^2`,
``bias_sw`` :math:`=\|P_s(I-P_w)\beta\|^2`, ``bias_ws`` :math:`=\|(I-P_s)P_w\beta\|^2`,
``beta2`` :math:`=\|\beta\|^2` (the min-norm regime only).

Run ``python -m w2s_theory.symbolic.discrepancy --write`` to regenerate
``w2s_theory/discrepancy/_closed_forms.py``; ``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sympy as sp

from w2s_theory.symbolic.codegen import Formula, derivation_cli, render_module

# ---------------------------------------------------------------------------------------------- symbols
n, N, d_w, d_s, d_sw = sp.symbols("n N d_w d_s d_sw", positive=True)
sigma2, rho_w, rho_s, rho, bias_sw, bias_ws = sp.symbols(
    "sigma2 rho_w rho_s rho bias_sw bias_ws", nonnegative=True
)
eps = sp.Symbol("epsilon", positive=True)
# proportional-limit ratios: gamma_w = d_w/n, gamma_s = d_s/N, lam = N/n, omega = d_sw/d_w
gamma_w, gamma_s, lam, omega = sp.symbols("gamma_w gamma_s lam omega", positive=True)

#: How each symbol prints in LaTeX (the papers' notation).
LATEX_NAMES = {
    sigma2: r"\sigma^2",
    d_sw: r"d_{s\wedge w}",
    rho: r"\rho",
    bias_sw: r"\|P_s(I-P_w)\beta\|^2",
    bias_ws: r"\|(I-P_s)P_w\beta\|^2",
    lam: r"\lambda",
}


# -------------------------------------------------------------------------------------- building blocks
def inverse_wishart_mean(d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r"""Scalar :math:`c` with :math:`\mathbb E[(Z^\top Z)^{-1}]=c\,I_d`, :math:`Z\in\mathbb R^{m\times d}`."""
    return 1 / (m - d - 1)


def ols_variance(noise_var: sp.Expr, d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r""":math:`\mathbb E\|\hat\theta-\theta\|^2` for OLS on ``m`` Gaussian rows in ``d`` dims, independent noise."""
    return noise_var * d * inverse_wishart_mean(d, m)


# --------------------------------------------------- exact expectations (docs/theory/discrepancies.md §3.1)
#: Teacher (Stage 1): misfit z^T(I-P_w)beta (variance rho_w) is independent of V_w^T z -> extra noise.
teacher_noise = sigma2 + rho_w
ER_weak = rho_w + ols_variance(teacher_noise, d_w, n)
ER_strong = rho_s + ols_variance(sigma2 + rho_s, d_s, n)
ER_ceiling = rho_s + ols_variance(sigma2 + rho_s, d_s, n + N)

# ----------------------------------------------------- W2S student (docs/theory/discrepancies.md §3.2–§3.3)
#: Step 1: teacher coefficients c_hat = V_w^T beta + delta with E[delta delta^T] = teacher_cov * I.
teacher_cov = teacher_noise * inverse_wishart_mean(d_w, n)
#: Step 2-4: the student's population target is C c_hat (C = V_s^T V_w, ||C||_F^2 = d_sw); the error
#: C delta is inherited: E||C delta||^2 = teacher_cov * tr(C^T C).
inherited_variance = teacher_cov * d_sw
#: The pseudo-label's part outside V_s, c_hat^T (I - C^T C) c_hat, is independent noise for the student:
#: its mean is ||(I-P_s)P_w beta||^2 + teacher_cov * tr(I - C^T C).
student_noise = bias_ws + teacher_cov * (d_w - d_sw)
ER_w2s = rho_s + bias_sw + inherited_variance + ols_variance(student_noise, d_s, N)

PGR = (ER_weak - ER_w2s) / (ER_weak - ER_ceiling)
OPR = ER_strong / ER_w2s

# ---------------------------------------------------------------- the paper's / notebook's stated forms
#: D_N = d_sw + (d_w - d_sw) d_s / N: "inherited on V_s ∩ V_w, shrunk by d_s/N on V_w \ V_s"
#: (Dong et al. 2025, abstract).
D_N = d_sw + (d_w - d_sw) * d_s / N
paper_w2s = sigma2 * D_N / (n - d_w - 1) + rho_w + rho_s
paper_weak = sigma2 * d_w / n + rho_w
paper_strong = sigma2 * d_s / n + rho_s
paper_ceiling = sigma2 * d_s / (n + N) + rho_s
paper_PGR = (paper_weak - paper_w2s) / (paper_weak - paper_ceiling)
paper_OPR = paper_strong / paper_w2s

# ---------------------------------------------------- lower bounds (docs/theory/discrepancies.md §6.1–§6.2)
#: Three facts: PGR >= 1 - ER_w2s/ER_w; ER_w >= sigma2 d_w/n and ER_s >= sigma2 d_s/n (Jensen on the
#: inverse); ER_w2s <= sigma2 D_N/(n-d_w-1) + rho with rho = rho_s + rho_w (the stated form).
_w2s_upper = sigma2 * D_N / (n - d_w - 1) + rho
PGR_lower = 1 - _w2s_upper / (sigma2 * d_w / n)
OPR_lower = (sigma2 * d_s / n) / _w2s_upper

#: Both bounds peak at the same n (the derivative of n/(n-d_w-1) D_N + n rho/sigma2 vanishes).
_n_roots = sp.solve(sp.diff(PGR_lower, n), n)
_probe = {N: 400, d_w: 20, d_s: 10, d_sw: 3, sigma2: 1, rho: sp.Rational(1, 10)}
n_star = max(_n_roots, key=lambda root: root.subs(_probe))  # the root above d_w + 1
#: N at which the OPR bound reaches 1 (W2S provably beats the strong baseline beyond it).
N_opr_above_1 = sp.solve(sp.Eq(OPR_lower, 1), N)[0]
#: N at which the PGR bound reaches 1 - epsilon.
N_pgr_above = sp.solve(sp.Eq(PGR_lower, 1 - eps), N)[0]


# ---------------------------------------------------- proportional limits (docs/theory/discrepancies.md §7)
def proportional_limit(expr: sp.Expr) -> sp.Expr:
    r"""Limit of ``expr`` as :math:`n,N,d_w,d_s,d_{s\wedge w}\to\infty` with
    :math:`\gamma_w=d_w/n`, :math:`\gamma_s=d_s/N`, :math:`\lambda=N/n`, :math:`\omega=d_{s\wedge w}/d_w` fixed."""
    scaled = expr.subs({d_sw: omega * gamma_w * n, d_w: gamma_w * n, d_s: gamma_s * lam * n, N: lam * n})
    return sp.factor_terms(sp.limit(scaled, n, sp.oo))


ER_weak_limit = proportional_limit(ER_weak)
ER_strong_limit = proportional_limit(ER_strong)
ER_ceiling_limit = proportional_limit(ER_ceiling)
ER_w2s_limit = proportional_limit(ER_w2s)

# ---------------------------------------------- min-norm (over-parameterised) regime (discrepancies.md §12)
beta2 = sp.Symbol("beta2", nonnegative=True)
LATEX_NAMES[beta2] = r"\|\beta\|^2"
#: Norms the min-norm forms need, from the invariants: ||P_w beta||^2, ||P_s beta||^2,
#: ||P_s P_w beta||^2 = ||P_w beta||^2 - ||(I-P_s)P_w beta||^2, and beta^T P_s P_w beta (polarisation of
#: ||P_s(I-P_w) beta||^2 = ||P_s beta||^2 - 2 beta^T P_s P_w beta + ||P_s P_w beta||^2).
Pw_beta2 = beta2 - rho_w
Ps_beta2 = beta2 - rho_s
PsPw_beta2 = Pw_beta2 - bias_ws
beta_Ps_Pw_beta = (Ps_beta2 + PsPw_beta2 - bias_sw) / 2
Regime = str  # "under" (m >= k + 2) or "over" (m <= k - 2)


def haar_projection_moments(r: sp.Expr, k: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""``(E P_11, c1, c2)`` for a uniformly random rank-``r`` orthogonal projection :math:`P` in
    :math:`\mathbb R^k`: :math:`\mathbb EP=(r/k)I`, :math:`\mathbb E[PAP]=c_1A+c_2\operatorname{tr}(A)I`.

    Invariance under rotations forces the form; two scalar facts fix :math:`c_1,c_2`: :math:`A=I` gives
    :math:`c_1+kc_2=\mathbb E\operatorname{tr}P/k=r/k`, and :math:`A=e_1e_1^\top` gives
    :math:`c_1+c_2=\mathbb EP_{11}^2` with :math:`P_{11}\sim\mathrm{Beta}(r/2,(k-r)/2)`.
    """
    a, b = r / 2, (k - r) / 2
    beta_second_moment = a * (a + 1) / ((a + b) * (a + b + 1))
    c1, c2 = sp.symbols("c1 c2")
    sol = sp.solve([sp.Eq(c1 + k * c2, r / k), sp.Eq(c1 + c2, beta_second_moment)], [c1, c2], dict=True)[0]
    return r / k, sp.factor(sol[c1]), sp.factor(sol[c2])


def pseudo_inverse_second_moment(r: sp.Expr, k: sp.Expr) -> sp.Expr:
    r"""Scalar :math:`c` with :math:`\mathbb E[Z^\top(ZZ^\top)^{-2}Z]=c\,I_k` for Gaussian
    :math:`Z\in\mathbb R^{r\times k}`, :math:`r\le k-2`: the trace is :math:`\mathbb E\operatorname{tr}
    (ZZ^\top)^{-1}=r\cdot` :func:`inverse_wishart_mean` ``(r, k)``, spread evenly over the ``k`` directions."""
    return r * inverse_wishart_mean(r, k) / k


def single_fit(regime: Regime, m: sp.Expr, k: sp.Expr, rho: sp.Expr, inside: sp.Expr) -> sp.Expr:
    r"""Exact :math:`\mathbb E\,\mathrm{ER}` of a ridgeless fit on ``m`` Gaussian rows in a ``k``-dim subspace
    :math:`P` with approximation error ``rho`` and :math:`\|P\beta\|^2=` ``inside``.

    Under (:math:`m\ge k+2`): :func:`ols_variance`. Over (:math:`m\le k-2`): the min-norm coefficient is
    :math:`P_Zb+\Phi^+e` (:math:`b` the target's coordinates, :math:`P_Z` the row-space projection, :math:`e`
    the effective noise); :math:`\mathbb E\|(I-P_Z)b\|^2=(1-m/k)\|b\|^2` and
    :math:`\mathbb E\|\Phi^+e\|^2=(\sigma^2+\rho)\,k\,c` (:func:`pseudo_inverse_second_moment`).
    """
    noise = sigma2 + rho
    if regime == "under":
        return rho + ols_variance(noise, k, m)
    mean, _, _ = haar_projection_moments(m, k)
    return rho + (1 - mean) * inside + noise * k * pseudo_inverse_second_moment(m, k)


def teacher_moments(regime: Regime) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""``(s, g, h)``: the teacher's vector :math:`\beta_t=V_w\hat c` has :math:`\mathbb E\beta_t=sP_w\beta`
    and :math:`\operatorname{Cov}\beta_t=g\,P_w\beta\beta^\top P_w+h\,P_w`.

    Under: :math:`\hat c=V_w^\top\beta+\delta`, :math:`\operatorname{Cov}\delta=` ``teacher_cov`` :math:`I`.
    Over: :math:`\hat c=P_ZV_w^\top\beta+\Phi_w^+e`; :func:`haar_projection_moments` with
    :math:`A=bb^\top` gives :math:`\operatorname{Cov}(P_Zb)=(c_1-s^2)bb^\top+c_2\|b\|^2I`, and the noise part
    adds :math:`(\sigma^2+\rho_w)` :func:`pseudo_inverse_second_moment` :math:`I` (uncorrelated with it).
    """
    if regime == "under":
        return sp.Integer(1), sp.Integer(0), teacher_cov
    s, c1, c2 = haar_projection_moments(n, d_w)
    return s, c1 - s**2, c2 * Pw_beta2 + teacher_noise * pseudo_inverse_second_moment(n, d_w)


def student_transfer(regime: Regime) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""``(lambda_N, mu_N, kappa_N)`` with, for a teacher vector :math:`\beta_t` independent of the
    student's ``N`` points,

    .. math:: \mathbb E[\mathrm{ER}(f_{w2s})\mid\beta_t]=\rho_s+\lambda_N\|P_s\beta\|^2
        +\mu_N\|P_s(\beta_t-\beta)\|^2+\kappa_N\|(I-P_s)\beta_t\|^2.

    The pseudo-label's part outside :math:`\mathcal V_s` is independent noise of variance
    :math:`\|(I-P_s)\beta_t\|^2`; under: OLS (:math:`\lambda_N=0,\mu_N=1`); over: the student recovers
    :math:`P_Z V_s^\top\beta_t` and misses :math:`(I-P_Z)V_s^\top\beta`, so :math:`\mu_N=N/d_s`,
    :math:`\lambda_N=1-N/d_s`.
    """
    if regime == "under":
        return sp.Integer(0), sp.Integer(1), ols_variance(1, d_s, N)
    mean, _, _ = haar_projection_moments(N, d_s)
    return 1 - mean, mean, d_s * pseudo_inverse_second_moment(N, d_s)


def w2s_risk(teacher: Regime, student: Regime) -> sp.Expr:
    r""":math:`\mathbb E\,\mathrm{ER}(f_{w2s})`: :func:`student_transfer` averaged over the teacher's
    :func:`teacher_moments`. :math:`\mathbb E\|P_s(\beta_t-\beta)\|^2=\|P_s(sP_w-I)\beta\|^2
    +g\|P_sP_w\beta\|^2+h\,d_{s\wedge w}` and :math:`\mathbb E\|(I-P_s)\beta_t\|^2=(s^2+g)
    \|(I-P_s)P_w\beta\|^2+h(d_w-d_{s\wedge w})` (:math:`\operatorname{tr}P_sP_w=d_{s\wedge w}`)."""
    s, g, h = teacher_moments(teacher)
    lam_N, mu_N, kappa_N = student_transfer(student)
    inside = s**2 * PsPw_beta2 - 2 * s * beta_Ps_Pw_beta + Ps_beta2 + g * PsPw_beta2 + h * d_sw
    outside = (s**2 + g) * bias_ws + h * (d_w - d_sw)
    return rho_s + lam_N * Ps_beta2 + mu_N * inside + kappa_N * outside


#: Over-parameterised single fits: weak (n, d_w), strong baseline (n, d_s), ceiling (n + N, d_s).
ER_weak_over = single_fit("over", n, d_w, rho_w, Pw_beta2)
ER_strong_over = single_fit("over", n, d_s, rho_s, Ps_beta2)
ER_ceiling_over = single_fit("over", n + N, d_s, rho_s, Ps_beta2)
#: W2S in the three regimes with an over-parameterised fit (teacher / student).
ER_w2s_teacher_over = w2s_risk("over", "under")
ER_w2s_student_over = w2s_risk("under", "over")
ER_w2s_both_over = w2s_risk("over", "over")

MINNORM = {
    "weak": ER_weak_over,
    "strong": ER_strong_over,
    "ceiling": ER_ceiling_over,
    "w2s_teacher_over": ER_w2s_teacher_over,
    "w2s_student_over": ER_w2s_student_over,
    "w2s_both_over": ER_w2s_both_over,
}
MINNORM_LIMITS = {key: proportional_limit(expr) for key, expr in MINNORM.items()}

FORMULAS: dict[str, Formula] = {
    "er_weak": Formula(ER_weak, "Exact E ER(f_w), Gaussian latent, n > d_w + 1.", "exact", "weak"),
    "er_strong": Formula(ER_strong, "Exact E ER(f_s) of SFT on n labels, n > d_s + 1.", "exact", "strong"),
    "er_ceiling": Formula(ER_ceiling, "Exact E ER(f_c) of SFT on n + N labels.", "exact", "ceiling"),
    "er_w2s": Formula(ER_w2s, "Exact E ER(f_w2s), n > d_w + 1, N > d_s + 1.", "exact", "w2s"),
    "pgr": Formula(PGR, "PGR as a ratio of exact expectations.", "exact", "pgr"),
    "opr": Formula(OPR, "OPR as a ratio of exact expectations.", "exact", "opr"),
    "paper_weak": Formula(paper_weak, "Stated weak curve sigma2 d_w/n + rho_w.", "stated", "weak"),
    "paper_strong": Formula(paper_strong, "Stated baseline curve sigma2 d_s/n + rho_s.", "stated", "strong"),
    "paper_ceiling": Formula(
        paper_ceiling, "Stated ceiling curve sigma2 d_s/(n+N) + rho_s.", "stated", "ceiling"
    ),
    "paper_w2s": Formula(paper_w2s, "Stated W2S form sigma2 D_N/(n-d_w-1) + rho_w + rho_s.", "stated", "w2s"),
    "paper_pgr": Formula(paper_PGR, "Ratio of the stated curves (the notebook's PGR).", "stated", "pgr"),
    "paper_opr": Formula(paper_OPR, "Ratio of the stated curves (the notebook's OPR).", "stated", "opr"),
    "pgr_lower_bound": Formula(PGR_lower, "PGR lower bound, rho = rho_s + rho_w.", "bound", "pgr"),
    "opr_lower_bound": Formula(OPR_lower, "OPR lower bound, rho = rho_s + rho_w.", "bound", "opr"),
    "n_star": Formula(n_star, "Maximiser in n of both lower bounds.", "bound", "n_star"),
    "N_for_opr_above_1": Formula(
        N_opr_above_1, "N beyond which the OPR lower bound exceeds 1.", "bound", "N_for_opr_above_1"
    ),
    "N_for_pgr_above": Formula(
        N_pgr_above, "N beyond which the PGR lower bound is >= 1 - epsilon.", "bound", "N_for_pgr_above"
    ),
    "er_weak_limit": Formula(ER_weak_limit, "Proportional limit of E ER(f_w).", "limit", "weak"),
    "er_strong_limit": Formula(ER_strong_limit, "Proportional limit of E ER(f_s).", "limit", "strong"),
    "er_ceiling_limit": Formula(ER_ceiling_limit, "Proportional limit of E ER(f_c).", "limit", "ceiling"),
    "er_w2s_limit": Formula(ER_w2s_limit, "Proportional limit of E ER(f_w2s).", "limit", "w2s"),
    "er_weak_over": Formula(
        ER_weak_over, "Exact E ER(f_w), min-norm teacher, n <= d_w - 2.", "minnorm", "weak"
    ),
    "er_strong_over": Formula(
        ER_strong_over, "Exact E ER(f_s), min-norm baseline, n <= d_s - 2.", "minnorm", "strong"
    ),
    "er_ceiling_over": Formula(
        ER_ceiling_over, "Exact E ER(f_c), min-norm ceiling, n + N <= d_s - 2.", "minnorm", "ceiling"
    ),
    "er_w2s_teacher_over": Formula(
        ER_w2s_teacher_over,
        "Exact E ER(f_w2s), min-norm teacher n <= d_w - 2, OLS student N >= d_s + 2.",
        "minnorm",
        "w2s_teacher_over",
    ),
    "er_w2s_student_over": Formula(
        ER_w2s_student_over,
        "Exact E ER(f_w2s), OLS teacher n >= d_w + 2, min-norm student N <= d_s - 2.",
        "minnorm",
        "w2s_student_over",
    ),
    "er_w2s_both_over": Formula(
        ER_w2s_both_over,
        "Exact E ER(f_w2s), min-norm teacher n <= d_w - 2 and student N <= d_s - 2.",
        "minnorm",
        "w2s_both_over",
    ),
    "er_weak_over_limit": Formula(
        MINNORM_LIMITS["weak"],
        "Proportional limit of er_weak_over (gamma > 1 where min-norm).",
        "limit_minnorm",
        "weak",
    ),
    "er_strong_over_limit": Formula(
        MINNORM_LIMITS["strong"],
        "Proportional limit of er_strong_over (gamma > 1 where min-norm).",
        "limit_minnorm",
        "strong",
    ),
    "er_ceiling_over_limit": Formula(
        MINNORM_LIMITS["ceiling"],
        "Proportional limit of er_ceiling_over (gamma > 1 where min-norm).",
        "limit_minnorm",
        "ceiling",
    ),
    "er_w2s_teacher_over_limit": Formula(
        MINNORM_LIMITS["w2s_teacher_over"],
        "Proportional limit of er_w2s_teacher_over (gamma > 1 where min-norm).",
        "limit_minnorm",
        "w2s_teacher_over",
    ),
    "er_w2s_student_over_limit": Formula(
        MINNORM_LIMITS["w2s_student_over"],
        "Proportional limit of er_w2s_student_over (gamma > 1 where min-norm).",
        "limit_minnorm",
        "w2s_student_over",
    ),
    "er_w2s_both_over_limit": Formula(
        MINNORM_LIMITS["w2s_both_over"],
        "Proportional limit of er_w2s_both_over (gamma > 1 where min-norm).",
        "limit_minnorm",
        "w2s_both_over",
    ),
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
@cache
def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
    return _stated_and_bound_checks() | _minnorm_checks()


def _stated_and_bound_checks() -> dict[str, bool]:
    no_bias = {rho_w: 0, rho_s: 0, bias_sw: 0, bias_ws: 0}
    t = sp.Symbol("t", positive=True)
    var_exact = (ER_w2s.subs(no_bias)).subs(N, 1 / t)
    var_paper = (paper_w2s.subs(no_bias)).subs(N, 1 / t)
    return {
        # Stated forms are the leading order of the exact ones.
        "w2s: exact - stated variance = O(1/N^2)": sp.simplify(
            sp.series(var_exact - var_paper, t, 0, 2).removeO()
        )
        == 0,
        "weak: exact/stated variance -> 1 as n -> oo": sp.limit(
            ER_weak.subs(no_bias) / paper_weak.subs(no_bias), n, sp.oo
        )
        == 1,
        "strong: exact/stated variance -> 1 as n -> oo": sp.limit(
            ER_strong.subs(no_bias) / paper_strong.subs(no_bias), n, sp.oo
        )
        == 1,
        # Limiting cases (docs/theory/discrepancies.md §3.4).
        "V_w ⊆ V_s: W2S variance = weak variance": sp.simplify(
            ER_w2s.subs(no_bias).subs(d_sw, d_w) - ER_weak.subs(no_bias)
        )
        == 0,
        "N -> oo: W2S keeps only the inherited part": sp.simplify(
            sp.limit(ER_w2s, N, sp.oo) - (teacher_noise * d_sw / (n - d_w - 1) + rho_s + bias_sw)
        )
        == 0,
        "d_sw = 0: whole teacher variance shrunk by d_s/(N-d_s-1)": sp.simplify(
            ER_w2s.subs(no_bias).subs(d_sw, 0) - ER_weak.subs(no_bias) * d_s / (N - d_s - 1)
        )
        == 0,
        "bounds: stated closed forms (docs/theory/discrepancies.md §6.1)": sp.simplify(
            PGR_lower - (1 - n / (n - d_w - 1) * D_N / d_w - n / d_w * rho / sigma2)
        )
        == 0
        and sp.simplify(1 / OPR_lower - (n / (n - d_w - 1) * D_N / d_s + n / d_s * rho / sigma2)) == 0,
        "n_star = d_w + 1 + sqrt((d_w+1) sigma2 D_N / rho) (at a rational point)": sp.simplify(
            (n_star - (d_w + 1 + sp.sqrt((d_w + 1) * sigma2 * D_N / rho))).subs(_probe)
        )
        == 0,
        "proportional limit of W2S (readable form)": sp.simplify(
            ER_w2s_limit
            - (
                rho_s
                + bias_sw
                + teacher_noise * omega * gamma_w / (1 - gamma_w)
                + gamma_s / (1 - gamma_s) * (bias_ws + teacher_noise * (1 - omega) * gamma_w / (1 - gamma_w))
            )
        )
        == 0,
        "OPR bound = 1 at N_for_opr_above_1": sp.simplify(OPR_lower.subs(N, N_opr_above_1) - 1) == 0,
    }


#: The point at which the double-descent poles are probed: d_w = 20, d_s = 30 (and n or N = 60).
_pole_probe = {sigma2: 1, rho_w: 0, rho_s: 0, bias_sw: 0, bias_ws: 0, beta2: 1, d_w: 20, d_s: 30, d_sw: 5}


def _minnorm_checks() -> dict[str, bool]:
    """The min-norm forms against the lemmas they use, the under-parameterised forms and limiting cases
    (``docs/theory/discrepancies.md`` §12.6)."""
    r, k = sp.symbols("r k", positive=True)
    mean, c1, c2 = haar_projection_moments(r, k)
    zero = lambda expr: sp.simplify(expr) == 0  # noqa: E731
    s, g, h = teacher_moments("over")
    weak_from_moments = rho_w + (1 - s) ** 2 * Pw_beta2 + g * Pw_beta2 + h * d_w
    return {
        "Haar moments: E tr(PAP) = (r/k) tr A, i.e. c1 + k c2 = r/k": zero(c1 + k * c2 - mean),
        "Haar moments: 1 - 2r/k + c1(r, k) = c1(k - r, k) (the complement I - P)": zero(
            1 - 2 * mean + c1 - haar_projection_moments(k - r, k)[1]
        ),
        "pseudo-inverse: k * E[Z^T (Z Z^T)^-2 Z]_11 = r/(k - r - 1)": zero(
            k * pseudo_inverse_second_moment(r, k) - r / (k - r - 1)
        ),
        "teacher and student under: the general W2S form is the exact form of §3.2": zero(
            w2s_risk("under", "under") - ER_w2s
        ),
        "under-parameterised single fits are the exact forms of §3.1": zero(
            single_fit("under", n, d_w, rho_w, Pw_beta2) - ER_weak
        )
        and zero(single_fit("under", n + N, d_s, rho_s, Ps_beta2) - ER_ceiling),
        "min-norm teacher: its moments give back its single-fit risk": zero(weak_from_moments - ER_weak_over),
        "min-norm fits at 0 samples predict 0: every risk is ||beta||^2": all(
            zero(expr.subs(m, 0) - beta2)
            for expr, m in [
                (ER_weak_over, n),
                (ER_strong_over, n),
                (ER_w2s_teacher_over, n),
                (ER_w2s_both_over, n),
                (ER_w2s_student_over, N),
                (ER_w2s_both_over, N),
            ]
        ),
        "double-descent pole: +oo as m -> k - 1 from below and m -> k + 1 from above": all(
            sp.limit(expr.subs(_pole_probe | fixed), m, pole, side) == sp.oo
            for expr, fixed, m, pole, side in [
                (ER_weak_over, {}, n, 19, "-"),
                (ER_weak, {}, n, 21, "+"),
                (ER_w2s_teacher_over, {N: 60}, n, 19, "-"),
                (ER_w2s, {N: 60}, n, 21, "+"),
                (ER_w2s_student_over, {n: 60}, N, 29, "-"),
                (ER_w2s, {n: 60}, N, 31, "+"),
            ]
        ),
        "proportional limit of a min-norm fit: rho + (1 - 1/psi)||P beta||^2 + (sigma2 + rho)/(psi - 1)": zero(
            MINNORM_LIMITS["weak"] - (rho_w + (1 - 1 / gamma_w) * Pw_beta2 + teacher_noise / (gamma_w - 1))
        ),
        "proportional limit, student over: lambda -> 1 - 1/psi_s, mu -> 1/psi_s, kappa -> 1/(psi_s - 1)": zero(
            MINNORM_LIMITS["w2s_student_over"]
            - (
                rho_s
                + (1 - 1 / gamma_s) * Ps_beta2
                + (bias_sw + teacher_noise * omega * gamma_w / (1 - gamma_w)) / gamma_s
                + (bias_ws + teacher_noise * (1 - omega) * gamma_w / (1 - gamma_w)) / (gamma_s - 1)
            )
        ),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "discrepancy" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/discrepancy/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.discrepancy", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
