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

Symbols: ``rho_w`` :math:`=\|(I-P_w)\beta\|^2`, ``rho_s`` :math:`=\|(I-P_s)\beta\|^2`,
``bias_sw`` :math:`=\|P_s(I-P_w)\beta\|^2`, ``bias_ws`` :math:`=\|(I-P_s)P_w\beta\|^2`.

Run ``python -m w2s_theory.symbolic.discrepancy --write`` to regenerate
``w2s_theory/discrepancy/_closed_forms.py``; ``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

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
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
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


GENERATED_PATH = Path(__file__).resolve().parents[1] / "discrepancy" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/discrepancy/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.discrepancy", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
