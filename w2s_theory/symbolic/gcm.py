r"""Derivation of the scalar closed forms of weak-to-strong ridge regression in the Gaussian covariate model
(theory: ``docs/theory/general_covariance.md``).

Model (``docs/theory/general_covariance.md`` §1): jointly Gaussian weak features :math:`\phi_w`, strong
features :math:`\phi_s` and target :math:`f_*`, labels :math:`y=f_*+\epsilon`; every learner is ridge
regression with the :math:`1/m`-normalised penalty :math:`\lambda`. Only population second moments enter.

The matrix functions (traces of resolvents of :math:`\Sigma_{ww}`, :math:`\Sigma_{ss}` and their cross
covariance) are evaluated numerically in :mod:`w2s_theory.gcm.theory`; they reduce every risk to a few
scalars, which this module combines the way the argument of ``docs/theory/general_covariance.md`` §2–§3 does,
from three named building blocks:

1. **Self-consistent effective regularisation** (Bach 2024; Hastie et al. 2022): for a covariance
   :math:`S` with eigenvalues :math:`e_i`, :math:`\kappa` solves :math:`\lambda=\kappa(1-\mathrm{df}_1(\kappa)/m)`,
   :math:`\mathrm{df}_1=\sum_i e_i/(e_i+\kappa)`, :math:`\mathrm{df}_2=\sum_i e_i^2/(e_i+\kappa)^2`.
2. **Ridge estimator law** (deterministic equivalent of the first two moments of :math:`\hat\theta`):
   :math:`\mathbb E\hat\theta\approx(S+\kappa)^{-1}c`, :math:`\operatorname{Cov}\hat\theta\approx\tau K`,
   :math:`K=S(S+\kappa)^{-2}`, with fluctuation scale
   :math:`\tau=(\sigma^2+\rho+B)/(m-\mathrm{df}_2-f)`; :math:`f\in\{0,1\}` is the finite-size shift, exact
   (inverse-Wishart mean) where :math:`\kappa=0`.
3. **Independent Gaussian residual**: the part of the teacher's function :math:`\phi_w^\top\theta` that the
   strong features cannot express linearly is independent of them, so for the student it is label noise
   of variance :math:`\theta^\top Q\theta`; averaging the student's conditional risk (quadratic in the
   teacher's coefficients) over the teacher's estimator law needs only its mean and covariance.

Symbols: ``lin`` :math:`=c_s^\top R_s\Sigma_{sw}m_w`, ``q1`` :math:`=m_w^\top M_1m_w`,
``q2`` :math:`=m_w^\top(\Sigma_{ww}-M_2)m_w`, ``d_sw_to`` :math:`=\operatorname{tr}(M_1K_w)`,
``d_sw_plus`` :math:`=\operatorname{tr}(M_2K_w)` (``docs/theory/general_covariance.md`` §3–§4).

Run ``python -m w2s_theory.symbolic.gcm --write`` to regenerate ``w2s_theory/gcm/_closed_forms.py``;
``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from w2s_theory.symbolic import discrepancy as iso
from w2s_theory.symbolic.codegen import Formula, derivation_cli, render_module

# ---------------------------------------------------------------------------------------------- symbols
m, n, N, p = sp.symbols("m n N p", positive=True)
lam, kappa, e, s = sp.symbols("lam kappa e s", positive=True)
sigma2, rho, B, F = sp.symbols("sigma2 rho B F", nonnegative=True)
d2, fs = sp.symbols("d2 fs", nonnegative=True)
rho_w, B_w, d_w, fs_w, d_s, fs_s = sp.symbols("rho_w B_w d_w fs_w d_s fs_s", nonnegative=True)
lin, q1, q2, d_sw_to, d_sw_plus = sp.symbols("lin q1 q2 d_sw_to d_sw_plus", real=True)

#: How each symbol prints in LaTeX.
LATEX_NAMES = {
    sigma2: r"\sigma^2",
    lam: r"\lambda",
    kappa: r"\kappa",
    d2: r"\mathrm{df}_2",
    fs: "f",
    fs_w: "f_w",
    fs_s: "f_s",
    lin: r"c_s^\top R_s\Sigma_{sw}m_w",
    q1: r"m_w^\top M_1m_w",
    q2: r"m_w^\top(\Sigma_{ww}-M_2)m_w",
    d_sw_to: r"d_{sw}^{\to}",
    d_sw_plus: r"d_{sw}^{+}",
}


# -------------------------------------------------------------------------------------- building blocks
def df1_term(eig: sp.Expr, k: sp.Expr) -> sp.Expr:
    r"""One eigenvalue's share of :math:`\mathrm{df}_1(\kappa)=\operatorname{tr}S(S+\kappa)^{-1}`."""
    return eig / (eig + k)


def df2_term(eig: sp.Expr, k: sp.Expr) -> sp.Expr:
    r"""One eigenvalue's share of :math:`\mathrm{df}_2(\kappa)=\operatorname{tr}S^2(S+\kappa)^{-2}`."""
    return eig**2 / (eig + k) ** 2


def kappa_equation(df1: sp.Expr, k: sp.Expr = kappa) -> sp.Expr:
    r""":math:`g(\kappa)=\kappa(1-\mathrm{df}_1/m)-\lambda`; the effective regularisation is its root."""
    return k * (1 - df1 / m) - lam


def fluctuation_scale(
    noise: sp.Expr, bias: sp.Expr, df2: sp.Expr, samples: sp.Expr, shift: sp.Expr
) -> sp.Expr:
    r""":math:`\tau=(\sigma^2+\rho+B)/(m-\mathrm{df}_2-f)`: the scale of :math:`\operatorname{Cov}\hat\theta\approx\tau K`
    (``noise`` :math:`=\sigma^2+\rho`, ``bias`` :math:`=B`)."""
    return (noise + bias) / (samples - df2 - shift)


def variance_rate(df2: sp.Expr, samples: sp.Expr, shift: sp.Expr) -> sp.Expr:
    r""":math:`\nu=\mathrm{df}_2/(m-\mathrm{df}_2-f)`: a learner's variance per unit of effective noise."""
    return df2 / (samples - df2 - shift)


# ------------------------------------------------------ single ridge fit (teacher, baseline, ceiling, §2)
tau = fluctuation_scale(sigma2 + rho, B, d2, m, fs)
nu = variance_rate(d2, m, fs)
#: E ER = ||population ridge - f*||^2 + tr(S Cov) = rho + B + tau tr(S K), with tr(S K) = df2.
ER_ridge = rho + B + tau * d2

# ----------------------------------------------------------------------------------- W2S student (§3)
#: Teacher law: mean m_w, covariance tau_w K_w.
tau_w = fluctuation_scale(sigma2 + rho_w, B_w, d_w, n, fs_w)
#: Student at N: nu_s = d_s/(N - d_s - f_s).
nu_s = variance_rate(d_s, N, fs_s)
#: Conditional on the teacher's theta: ||fbar - f*||^2 + nu_s ||fbar - g_theta||^2 = F - 2 c_s^T R_s
#: Sigma_sw theta + theta^T M1 theta + nu_s theta^T (Sigma_ww - M2) theta. Averaged over theta ~ (m_w,
#: tau_w K_w): the quadratic forms at m_w (mean part) plus tau_w tr(G K_w) (variance part).
W2S_transfer = F - 2 * lin + q1
W2S_mean = W2S_transfer + nu_s * q2
W2S_variance = tau_w * (d_sw_to + nu_s * (d_w - d_sw_plus))
ER_w2s = W2S_mean + W2S_variance

# ------------------------------------------------------------------- isotropic spectrum S = s I_p (§2.1)
_iso_roots = sp.solve(sp.Eq(kappa_equation(p * df1_term(s, kappa)), 0), kappa)
_iso_probe = {lam: sp.Rational(1, 10), m: 10, p: 7, s: sp.Rational(3, 2)}
#: The positive root of the quadratic (the other root is negative).
kappa_isotropic = max(_iso_roots, key=lambda root: root.subs(_iso_probe))

FORMULAS: dict[str, Formula] = {
    "ridge_tau": Formula(tau, "Fluctuation scale tau = (sigma2 + rho + B)/(m - df2 - fs).", "ridge", "tau"),
    "ridge_nu": Formula(nu, "Variance rate nu = df2/(m - df2 - fs).", "ridge", "nu"),
    "er_ridge": Formula(ER_ridge, "Deterministic equivalent of E ER of one ridge fit.", "ridge", "risk"),
    "w2s_transfer": Formula(
        W2S_transfer,
        "||fbar(m_w) - f*||^2: the student's ridge of the teacher's mean, against f*.",
        "w2s",
        "transfer",
    ),
    "w2s_mean": Formula(
        W2S_mean, "Mean part of E ER(W2S): the teacher's mean function passed on.", "w2s", "mean"
    ),
    "w2s_variance": Formula(
        W2S_variance,
        "Variance part of E ER(W2S): tau_w [d_sw_to + nu_s (d_w - d_sw_plus)].",
        "w2s",
        "variance",
    ),
    "er_w2s": Formula(ER_w2s, "Deterministic equivalent of E ER of the W2S student.", "w2s", "risk"),
    "kappa_isotropic": Formula(
        kappa_isotropic, "Effective regularisation kappa for S = s I_p (positive root).", "isotropic", "kappa"
    ),
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def _is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


def second_order_single(eig: sp.Expr, k: sp.Expr, coef: sp.Expr) -> dict[str, sp.Expr]:
    r"""One eigen-direction of a ridge fit's :math:`O(1/m)` non-trace terms (``docs/theory/general_covariance.md``
    §2.3), from the Gaussian fourth moment :math:`\mathbb E[\Delta A\Delta]=\frac1m(\Sigma A\Sigma+
    \operatorname{tr}(A\Sigma)\Sigma)` (Isserlis) of :math:`\Delta=\hat\Sigma-\Sigma`; the trace part is
    what :math:`\kappa` carries. With :math:`\theta_*=c/e`, :math:`\delta=\kappa\theta_*/(e+\kappa)`,
    :math:`P=e/(e+\kappa)`, times :math:`m`: the mean shift :math:`-P^2\delta`, the rank-one covariance
    factor :math:`v=P\delta` and the risk terms :math:`2\delta\,eP^2\delta` (cross term of the shifted mean
    with the bias) and :math:`ev^2`."""
    theta = coef / eig
    delta = k * theta / (eig + k)
    P = eig / (eig + k)
    return {
        "shift": -(P**2) * delta,
        "v": P * delta,
        "cross": 2 * delta * eig * P**2 * delta,
        "spike": eig * (P * delta) ** 2,
    }


def _isotropic_w2s(shift: int) -> sp.Expr:
    r"""The W2S form at :math:`\kappa_w=\kappa_s=0` for isotropic hard subspaces, in the symbols of
    :mod:`w2s_theory.symbolic.discrepancy`: :math:`K_w=I`, :math:`M_1=M_2=V_w^\top P_sV_w`, so
    :math:`d_{sw}^{\to}=d_{sw}^{+}=d_{s\wedge w}`, :math:`F-2\,\mathrm{lin}+q_1=\rho_s+\|P_s(I-P_w)\beta\|^2`
    and :math:`q_2=\|(I-P_s)P_w\beta\|^2`; ``shift`` is the finite-size shift of both learners."""
    values = {
        B_w: 0,
        fs_w: shift,
        fs_s: shift,
        d_w: iso.d_w,
        d_s: iso.d_s,
        n: iso.n,
        N: iso.N,
        d_sw_to: iso.d_sw,
        d_sw_plus: iso.d_sw,
        rho_w: iso.rho_w,
        sigma2: iso.sigma2,
        q2: iso.bias_ws,
    }
    return ER_w2s.subs(values).subs(F, iso.rho_s + iso.bias_sw + 2 * lin - q1)


def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
    t = sp.Symbol("t", positive=True)
    g_iso = kappa_equation(p * df1_term(s, kappa))
    df2_iso = p * df2_term(s, kappa)
    # implicit differentiation of lam = kappa (1 - df1/m): dkappa/dlam = 1 / g'(kappa)
    dk_dlam = sp.diff(kappa_isotropic, lam)
    # ridgeless isotropic over-parameterised student: kappa_0 = s (p/m - 1)
    kappa_0 = s * (p / m - 1)
    theta2 = sp.Symbol("theta2", positive=True)  # ||theta*||^2 in the metric of S: s ||theta*||^2
    bias_iso = kappa_0**2 * theta2 / (s + kappa_0) ** 2  # B = kappa^2 theta^T S (S+kappa)^-2 theta
    d2_iso = df2_iso.subs(kappa, kappa_0)
    er_min_norm = ER_ridge.subs({B: bias_iso, d2: d2_iso, fs: 0})
    # reductions to the exact isotropic forms (Dong et al. 2025; w2s_theory.symbolic.discrepancy)
    exact_teacher = ER_ridge.subs({B: 0, d2: iso.d_w, m: iso.n, fs: 1, rho: iso.rho_w, sigma2: iso.sigma2})
    exact_w2s = _isotropic_w2s(shift=1)
    de_w2s_proportional = _isotropic_w2s(shift=0)
    x = sp.Symbol("x", real=True)  # one coordinate of L theta: the student's target has coefficient x/e
    c_s = sp.Symbol("c_s", real=True)
    one = second_order_single(e, kappa, x)
    # the student's terms measured against f* (coefficient c_s/e): the shifted mean's cross term with the
    # mean error m - theta_s* (m = x/(e+kappa)), plus the rank-one covariance
    mean_err = x / (e + kappa) - c_s / e
    student_risk = 2 * mean_err * e * one["shift"] + one["spike"]
    h2 = e * kappa * (kappa - 2 * e) / (e + kappa) ** 4
    l2 = 2 * e * kappa * c_s / (e + kappa) ** 3
    return {
        "second order, one ridge: cross term = 2 x the rank-one term, total 3 e kappa^2 c^2/(e+kappa)^4": _is_zero(
            one["cross"] - 2 * one["spike"]
        )
        and _is_zero(one["cross"] + one["spike"] - 3 * e * kappa**2 * x**2 / (e + kappa) ** 4),
        "second order, student against f*: h2 x^2 + l2 x (the one-ridge term when c_s = x)": _is_zero(
            student_risk - (h2 * x**2 + l2 * x)
        )
        and _is_zero((h2 * x**2 + l2 * x).subs(c_s, x) - 3 * e * kappa**2 * x**2 / (e + kappa) ** 4),
        "g'(kappa) = 1 - df2/m (per eigenvalue: d/dkappa [kappa e/(e+kappa)] = e^2/(e+kappa)^2)": _is_zero(
            sp.diff(kappa * df1_term(e, kappa), kappa) - df2_term(e, kappa)
        ),
        "kappa_isotropic solves lam = kappa (1 - df1/m)": _is_zero(g_iso.subs(kappa, kappa_isotropic)),
        "dkappa/dlam = m/(m - df2) (isotropic, at rational points)": all(
            sp.simplify((dk_dlam - m / (m - df2_iso.subs(kappa, kappa_isotropic))).subs(point)) == 0
            for point in (_iso_probe, {lam: sp.Rational(1, 3), m: 5, p: 9, s: 2})
        ),
        "ridgeless limit, p < m: kappa -> 0": sp.limit(kappa_isotropic.subs(p, m * (1 - t)), lam, 0, "+")
        == 0,
        "ridgeless limit, p > m: kappa -> s (p/m - 1), i.e. df1 = m": _is_zero(
            sp.limit(kappa_isotropic.subs(p, m * (1 + t)), lam, 0, "+") - s * t
        ),
        "min-norm isotropic: nu = m/(p - m)": _is_zero(variance_rate(d2_iso, m, 0) - m / (p - m)),
        "min-norm isotropic: E ER = rho + (1 - m/p) theta2 + (sigma2 + rho) m/(p - m) (Hastie et al. 2022)": _is_zero(
            er_min_norm - (rho + (1 - m / p) * theta2 + (sigma2 + rho) * m / (p - m))
        ),
        "risk = rho + (m B + (sigma2 + rho) df2)/(m - df2) at f = 0": _is_zero(
            ER_ridge.subs(fs, 0) - (rho + (m * B + (sigma2 + rho) * d2) / (m - d2))
        ),
        "kappa = 0, f = 1: teacher = exact isotropic E ER(f_w)": _is_zero(exact_teacher - iso.ER_weak),
        "kappa = 0, f = 1: W2S = exact isotropic E ER(f_w2s), any overlap": _is_zero(exact_w2s - iso.ER_w2s),
        "kappa = 0, f = 0: W2S = the exact form with n-d_w-1 -> n-d_w, N-d_s-1 -> N-d_s": _is_zero(
            de_w2s_proportional - iso.ER_w2s.subs({iso.n: iso.n + 1, iso.N: iso.N + 1})
        ),
        "kappa = 0, f = 0: same proportional limit as the exact W2S form": _is_zero(
            iso.proportional_limit(de_w2s_proportional) - iso.ER_w2s_limit
        ),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "gcm" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/gcm/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.gcm", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
