r"""Derivation of the blended-distillation risk: the student fits :math:`(1-w)y+w\hat y_w` on the same
``n`` labelled points (the weighted distillation loss of DWT, Lee et al., Findings ACL 2023, in the
linear-Gaussian subspace model).

Model (``docs/theory/blend.md``): latent :math:`x\sim\mathcal N(0,I_D)`, label :math:`y=x^\top\beta+\epsilon`,
teacher OLS on :math:`\Phi_w=XV_w` (``d_w`` dims), student OLS on :math:`\Phi_s=XV_s` (``d_s`` dims), both on
the same ``n`` rows. With :math:`M_W=I-H_W` the teacher's residual maker, the blended label is
:math:`y-wM_Wy`, so the student is :math:`\theta(w)=\theta_0-w\Phi_s^+M_Wy` and, per draw,

.. math:: \mathrm{ER}(w)=\|e_0-wD\|^2,\qquad e_0=V_s\theta_0-\beta,\quad D=V_s\Phi_s^+M_Wy .

Hence :math:`\mathbb E\,\mathrm{ER}(w)=E_0-2wU+w^2V` with :math:`E_0=\mathbb E\|e_0\|^2`,
:math:`U=\mathbb Ee_0^\top D`, :math:`V=\mathbb E\|D\|^2`. The teacher's labels share the label noise
(:math:`M_Wy` and :math:`\theta_0` see the same :math:`\epsilon`); :math:`M_W\Phi_w=0` removes the teacher
from the problem exactly, so no independence is assumed.

Exact when :math:`P_s, P_w` commute: :math:`\mathcal V_s=C\oplus A`, :math:`\mathcal V_w=C\oplus B`,
``d_sw`` :math:`=c=\dim C` an integer, :math:`a=d_s-c` student-only directions. Invariants:
``bias_sw`` :math:`=b_A=\|P_s(I-P_w)\beta\|^2`, :math:`\tau^2=\sigma^2+\|(I-P_s)(I-P_w)\beta\|^2
=\sigma^2+\rho_w-b_A`. The code below is the derivation (``docs/theory/blend.md`` §2), from four named facts:

1. **Inverse-Wishart trace.** :math:`Z\in\mathbb R^{m\times d}` Gaussian, :math:`m>d+1`:
   :math:`\mathbb E\operatorname{tr}(Z^\top Z)^{-1}=d/(m-d-1)`.
2. **Haar projection moments.** :math:`P` a uniformly random rank-``r`` projection in :math:`\mathbb R^k`:
   :math:`\mathbb EP=(r/k)I`, :math:`\mathbb E[PAP]=c_1A+c_2\operatorname{tr}(A)I` (invariance), with
   :math:`c_1, c_2` fixed by :math:`A=I` and :math:`\mathbb EP_{11}^2=r(r+2)/(k(k+2))` (solved below).
3. **Wishart trace product.** :math:`S\sim W_a(m,I)`: :math:`\mathbb E[\operatorname{tr}(S^{-1})\operatorname{tr}(S)]
   =a(ma-2)/(m-a-1)` (write :math:`S` through :math:`R^2\sim\chi^2_{ma}` times an independent direction).
4. **Independent residual.** Signal outside a Gaussian feature block is independent of it and acts as
   noise; odd moments of a centred Gaussian block vanish.

Run ``python -m w2s_theory.symbolic.blend --write`` to regenerate ``w2s_theory/blend/_closed_forms.py``;
``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from w2s_theory.symbolic.codegen import Formula, derivation_cli, is_zero, render_module

# ---------------------------------------------------------------------------------------------- symbols
n, d_w, d_s, d_sw = sp.symbols("n d_w d_s d_sw", positive=True)
sigma2, rho_w, rho_s, bias_sw = sp.symbols("sigma2 rho_w rho_s bias_sw", nonnegative=True)
w = sp.Symbol("w", real=True)
gamma_w, gamma_s, gamma_sw = sp.symbols("gamma_w gamma_s gamma_sw", positive=True)

LATEX_NAMES = {
    sigma2: r"\sigma^2",
    d_sw: r"c",
    bias_sw: r"b_A",
    gamma_sw: r"\gamma_c",
}

#: Student-only dimensions a = d_s - c and the teacher-invisible, student-invisible noise level tau^2.
a = d_s - d_sw
tau2 = sigma2 + rho_w - bias_sw


# -------------------------------------------------------------------------------------- building blocks
def inverse_wishart_trace(d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r""":math:`\mathbb E\operatorname{tr}(Z^\top Z)^{-1}` for :math:`Z\in\mathbb R^{m\times d}` Gaussian."""
    return d / (m - d - 1)


def haar_projection_moments(r: sp.Expr, k: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    r""":math:`(c_1,c_2)` with :math:`\mathbb E[PAP]=c_1A+c_2\operatorname{tr}(A)I` for a uniform rank-``r``
    projection in ``k`` dims: solve :math:`c_1+kc_2=r/k` (:math:`A=I`, :math:`P^2=P`) and
    :math:`c_1+c_2=\mathbb EP_{11}^2=r(r+2)/(k(k+2))` (:math:`A=e_1e_1^\top`, :math:`P_{11}\sim
    \mathrm{Beta}(r/2,(k-r)/2)`)."""
    c1, c2 = sp.symbols("c1 c2")
    sol = sp.solve([c1 + k * c2 - r / k, c1 + c2 - r * (r + 2) / (k * (k + 2))], [c1, c2], dict=True)[0]
    return sp.factor(sol[c1]), sp.factor(sol[c2])


def wishart_trace_product(dim: sp.Expr, m: sp.Expr) -> sp.Expr:
    r""":math:`\mathbb E[\operatorname{tr}(S^{-1})\operatorname{tr}(S)]` for :math:`S\sim W_{dim}(m,I)`."""
    return dim * (m * dim - 2) / (m - dim - 1)


# ------------------------------------------------------------- the derivation (docs/theory/blend.md §2)
#: Condition on X_S = [X_C, X_A]. col(M_C X_B) is a uniform b-dim subspace of the k = n - c dimensional
#: range of M_C, so on that range M_W is a uniform projection of rank r = k - b = n - d_w.
k = n - d_sw
r = n - d_w
c1, c2 = haar_projection_moments(r, k)
#: E[M_W | X_S] = (r/k) M_C.
residual_mean = r / k
#: Frisch-Waugh: with S = X_A^T M_C X_A ~ W_a(k, I) independent of X_C and of H_C X_A,
#: Phi_s^+ M_C X_A = [-(X_C^T X_C)^{-1} X_C^T X_A; I], and tr(K M_C) = tr(S^{-1} P) with
#: E[P | S] = (1 + E tr (X_C^T X_C)^{-1}) I, K = Phi_s^{+T} Phi_s^+.
leverage = 1 + inverse_wishart_trace(d_sw, n)
#: T = E tr(K M_W) = (r/k) E tr(S^{-1}) (1 + c/(n-c-1)).
T = residual_mean * inverse_wishart_trace(a, k) * leverage
#: b_A L = E||Phi_s^+ M_W X_A beta_A||^2 = c1 E||Phi_s^+ M_C X_A beta_A||^2 + c2 E[tr(K M_C) ||M_C X_A beta_A||^2];
#: the first is b_A (1 + c/(n-c-1)), the second b_A (1 + c/(n-c-1)) E[tr(S^-1) tr(S)]/a (rotation invariance).
L = leverage * (c1 + c2 * wishart_trace_product(a, k) / a)

#: E0 = E||e_0||^2: OLS of y on X_S with the independent residual (sigma2 + rho_s) as noise.
E0 = rho_s + (sigma2 + rho_s) * inverse_wishart_trace(d_s, n)
#: U = E e_0^T D: only tau^2 xi^T K M_W xi survives (terms odd in X_B, or in the noise, vanish).
U = tau2 * T
#: V = E||D||^2 = tau^2 tr(K M_W) + beta_A^T X_A^T M_W K M_W X_A beta_A.
V = tau2 * T + bias_sw * L

ER_blend = E0 - 2 * w * U + w**2 * V
w_star = U / V
gain = U**2 / V
ER_weak = rho_w + (sigma2 + rho_w) * inverse_wishart_trace(d_w, n)


# --------------------------------------------------------------------------- proportional limit (§2.4)
def limit_at_infinity(expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Limit of a rational function of ``x`` as ``x -> oo``: the ratio of the leading coefficients of
    numerator and denominator (0 if the numerator has lower degree). Exact, and much faster than
    :func:`sympy.limit` on these expressions."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    p, q = sp.Poly(num, x), sp.Poly(den, x)
    if p.degree() > q.degree():
        raise ValueError("the expression grows without bound")
    return sp.factor(p.LC() / q.LC()) if p.degree() == q.degree() else sp.Integer(0)


def proportional_limit(expr: sp.Expr) -> sp.Expr:
    r"""Limit as :math:`n,d_s,d_w,c\to\infty` with :math:`\gamma_s=d_s/n`, :math:`\gamma_w=d_w/n`,
    :math:`\gamma_c=c/n` fixed."""
    scaled = expr.subs({d_s: gamma_s * n, d_w: gamma_w * n, d_sw: gamma_sw * n}, simultaneous=True)
    return sp.factor_terms(limit_at_infinity(scaled, n))


T_limit = proportional_limit(T)
L_limit = proportional_limit(L)
E0_limit = proportional_limit(E0)
U_limit = tau2 * T_limit
V_limit = tau2 * T_limit + bias_sw * L_limit
ER_blend_limit = E0_limit - 2 * w * U_limit + w**2 * V_limit
w_star_limit = sp.factor(U_limit / V_limit)

FORMULAS: dict[str, Formula] = {
    "er_strong": Formula(E0, "E0 = E ER(w=0), the strong student on the n labels.", "exact", "strong"),
    "er_weak": Formula(ER_weak, "E ER of the weak teacher on the n labels.", "exact", "weak"),
    "cross": Formula(U, "U = E e0^T D (commuting P_s, P_w; n > max(d_s, d_w) + 1).", "exact", "cross"),
    "shift": Formula(V, "V = E ||D||^2 (commuting P_s, P_w; n > max(d_s, d_w) + 1).", "exact", "shift"),
    "er_blend": Formula(ER_blend, "E ER(w) = E0 - 2wU + w^2 V, any real w (commuting).", "exact", "blend"),
    "w_star": Formula(w_star, "Unconstrained minimiser w* = U/V of E ER(w) (commuting).", "exact", "w_star"),
    "gain": Formula(gain, "E0 - E ER(w*) = U^2/V (commuting).", "exact", "gain"),
    "er_strong_limit": Formula(E0_limit, "Proportional limit of E0.", "limit", "strong"),
    "cross_limit": Formula(U_limit, "Proportional limit of U.", "limit", "cross"),
    "shift_limit": Formula(V_limit, "Proportional limit of V.", "limit", "shift"),
    "er_blend_limit": Formula(ER_blend_limit, "Proportional limit of E ER(w).", "limit", "blend"),
    "w_star_limit": Formula(w_star_limit, "Proportional limit of w*.", "limit", "w_star"),
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
    rr, kk = sp.symbols("r k", positive=True)
    c1_rk, c2_rk = haar_projection_moments(rr, kk)
    c1_co = haar_projection_moments(kk - rr, kk)[0]
    gc = gamma_sw
    nested = {d_sw: d_w, rho_w: bias_sw + rho_s}  # V_w inside V_s: b = 0, rho_w = b_A + rho_s
    return {
        "Haar moments: c1 = r(rk+k-2)/(k(k-1)(k+2)), c2 = r(k-r)/(k(k-1)(k+2))": is_zero(
            c1_rk - rr * (rr * kk + kk - 2) / (kk * (kk - 1) * (kk + 2))
        )
        and is_zero(c2_rk - rr * (kk - rr) / (kk * (kk - 1) * (kk + 2))),
        "Haar moments: 1 - 2r/k + c1(r, k) = c1(k - r, k) (complement projection)": is_zero(
            1 - 2 * rr / kk + c1_rk - c1_co
        ),
        "T = (n-d_w)(n-1)a / ((n-c)(n-c-1)(n-d_s-1))": is_zero(
            T - (n - d_w) * (n - 1) * a / ((n - d_sw) * (n - d_sw - 1) * (n - d_s - 1))
        ),
        "w = 0: E ER = E ER(strong student)": is_zero(ER_blend.subs(w, 0) - E0),
        "w = 1, V_w inside V_s (c = d_w): E ER = E ER(weak teacher)": is_zero(
            ER_blend.subs(w, 1).subs(nested, simultaneous=True) - ER_weak.subs(nested, simultaneous=True)
        ),
        "w = 1, no teacher features (d_w = c = 0): E ER = ||beta||^2 = rho_s + b_A": is_zero(
            sp.limit(sp.limit(ER_blend.subs(w, 1).subs(rho_w, rho_s + bias_sw), d_sw, 0), d_w, 0)
            - (rho_s + bias_sw)
        ),
        "V_s inside V_w (a = 0, b_A = 0): U = V = 0, blending is inert": is_zero(U.subs(d_s, d_sw))
        and is_zero(V.subs({d_s: d_sw, bias_sw: 0})),
        "w* is stationary and E0 - E ER(w*) = U^2/V": is_zero(sp.diff(ER_blend, w).subs(w, w_star))
        and is_zero(E0 - ER_blend.subs(w, w_star) - gain),
        "limit: T -> (1-g_w)(g_s-g_c)/((1-g_c)^2(1-g_s))": is_zero(
            T_limit - (1 - gamma_w) * (gamma_s - gc) / ((1 - gc) ** 2 * (1 - gamma_s))
        ),
        "limit: L -> (1-g_w)[(1-g_w)(1-g_s)+(g_w-g_c)(g_s-g_c)]/((1-g_c)^3(1-g_s))": is_zero(
            L_limit
            - (1 - gamma_w)
            * ((1 - gamma_w) * (1 - gamma_s) + (gamma_w - gc) * (gamma_s - gc))
            / ((1 - gc) ** 3 * (1 - gamma_s))
        ),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "blend" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/blend/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.blend", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
