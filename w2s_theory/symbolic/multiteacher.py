r"""Derivation of the multi-teacher closed forms: M weak teachers, one student fitted on their weighted
pseudo-labels (the linear-Gaussian analogue of AE-KD, Du et al., NeurIPS 2020; theory:
``docs/theory/multiteacher.md``).

Model (``docs/theory/multiteacher.md`` §1): :math:`x\sim\mathcal N(0,I_D)`, :math:`y=x^\top\beta+\epsilon`,
:math:`\operatorname{Var}\epsilon=\sigma^2`. Teacher :math:`m` is OLS on :math:`V_m^\top x` (``d_m`` dims),
on its own ``n_m`` labels (*disjoint* sets) or on one *shared* set of ``n`` labels; its coefficient vector
is :math:`\beta_m=P_m\beta+\delta_m`. The student is OLS on :math:`V_s^\top x` (``d_s`` dims) fitted to
:math:`\sum_m\alpha_m\hat y_m` on ``N`` fresh points.

The expected risk is a quadratic in :math:`\alpha` whose entries are scalars of *one teacher* or of *one
pair of teachers*; this module derives those scalars (the matrices are assembled numerically in
:mod:`w2s_theory.multiteacher.theory`) from four named facts (``docs/theory/multiteacher.md`` §2):

1. **Teacher decomposition.** The target outside :math:`\mathcal V_m` is independent of the teacher's
   features, so it acts as extra label noise: :math:`\mathbb E\delta_m=0`,
   :math:`\mathbb E\delta_m\delta_m^\top=\frac{\sigma^2+\rho_m}{n_m-d_m-1}P_m` (inverse-Wishart mean).
2. **Student transfer.** For a teacher vector :math:`b` independent of the student's points,
   :math:`\mathbb E[\mathrm{ER}\mid b]=\|\beta\|^2-2\beta^\top P_sb+b^\top A_Nb` with
   :math:`A_N=P_s+\kappa_N(I-P_s)`, :math:`\kappa_N=d_s/(N-d_s-1)`; only the mean and covariance of
   :math:`b=\sum_m\alpha_m\beta_m` matter, so :math:`\operatorname{tr}(A_N\,\cdot)` of the teachers'
   cross-covariances enters.
3. **Common-noise part on a shared set** (commuting projectors, :math:`\mathcal C=\mathcal V_m\cap\mathcal V_l`
   of dimension ``c``): after partialling out the private blocks, both teachers' errors on
   :math:`\mathcal C` come from the same :math:`(X_C^\top X_C)^{-1}X_C^\top e`, with
   :math:`\mathbb E(X_C^\top X_C)^{-1}=I/(n-c-1)`.
4. **Stiefel moment.** :math:`\hat Z\in\mathbb R^{k\times b}` Gaussian, :math:`u,v` fixed:
   :math:`\mathbb E[\hat Zu\,v^\top\hat Z(\hat Z^\top\hat Z)^{-1}]=vu^\top/k`; on a shared set it gives the
   coupling of teacher m's private block (which absorbs the signal only teacher l sees) with teacher l's,
   with the factor :math:`1/(n-c)`.

Symbols (per teacher, named like the single-teacher model): ``n`` its labels, ``d_w`` :math:`=d_m`,
``d_sw`` :math:`=\operatorname{tr}(P_sP_m)`, ``rho_w`` :math:`=\|(I-P_m)\beta\|^2`. Per pair:
``c`` :math:`=\operatorname{tr}(P_mP_l)`, ``d_sc`` :math:`=\operatorname{tr}(P_sP_mP_l)`, ``rho_c``
:math:`=\|(I-P_m)(I-P_l)\beta\|^2`, ``coupling_s`` / ``coupling_ws``
:math:`=u^\top P_sw` / :math:`u^\top(I-P_s)w` with :math:`u=P_m(I-P_l)\beta`, :math:`w=P_l(I-P_m)\beta`,
``bias_sw_ml`` :math:`=((I-P_m)\beta)^\top P_s(I-P_l)\beta`, ``bias_ws_ml``
:math:`=(P_m\beta)^\top(I-P_s)P_l\beta`.

Run ``python -m w2s_theory.symbolic.multiteacher --write`` to regenerate
``w2s_theory/multiteacher/_closed_forms.py``; ``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from w2s_theory.discrepancy import _closed_forms as single
from w2s_theory.symbolic.codegen import Formula, derivation_cli, render_module

# ---------------------------------------------------------------------------------------------- symbols
n, N, d_w, d_s, d_sw, c, d_sc = sp.symbols("n N d_w d_s d_sw c d_sc", positive=True)
sigma2, rho_w, rho_s, rho_c = sp.symbols("sigma2 rho_w rho_s rho_c", nonnegative=True)
bias_sw_ml, bias_ws_ml, coupling_s, coupling_ws, k_ml = sp.symbols(
    "bias_sw_ml bias_ws_ml coupling_s coupling_ws k_ml", real=True
)
# proportional-limit ratios: gamma_w = d_m/n_m (gamma_c = c/n), gamma_s = d_s/N, omega = d_sw/d_m
gamma_w, gamma_s, gamma_c, omega = sp.symbols("gamma_w gamma_s gamma_c omega", positive=True)

#: How each symbol prints in LaTeX.
LATEX_NAMES = {
    sigma2: r"\sigma^2",
    d_w: "d_m",
    d_sw: r"d_{s\wedge m}",
    rho_w: r"\rho_m",
    rho_c: r"\rho_{m\vee l}",
    d_sc: r"\operatorname{tr}(P_sP_mP_l)",
    coupling_s: r"u^\top P_sw",
    coupling_ws: r"u^\top(I-P_s)w",
    bias_sw_ml: r"((I-P_m)\beta)^\top P_s(I-P_l)\beta",
    bias_ws_ml: r"(P_m\beta)^\top(I-P_s)P_l\beta",
    k_ml: "K_{ml}",
}


# -------------------------------------------------------------------------------------- building blocks
def inverse_wishart_mean(d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r"""Scalar :math:`c` with :math:`\mathbb E[(Z^\top Z)^{-1}]=c\,I_d`, :math:`Z\in\mathbb R^{m\times d}`."""
    return 1 / (m - d - 1)


def stiefel_moment(m: sp.Expr) -> sp.Expr:
    r"""Scalar of fact 4: :math:`\mathbb E[\hat Zu\,v^\top\hat Z(\hat Z^\top\hat Z)^{-1}]=vu^\top/m`."""
    return 1 / m


#: Student transfer factor (fact 2): what the student does to a teacher direction outside V_s.
kappa_N = d_s / (N - d_s - 1)


def transfer_trace(inside: sp.Expr, total: sp.Expr) -> sp.Expr:
    r""":math:`\operatorname{tr}(A_NP)` for a projector-like :math:`P` with :math:`\operatorname{tr}(P_sP)=`
    ``inside`` and :math:`\operatorname{tr}P=` ``total``: the part in :math:`\mathcal V_s` is kept, the rest
    is multiplied by :math:`\kappa_N` (fact 2)."""
    return inside + kappa_N * (total - inside)


# ------------------------------------------------------------------------- teacher-error terms K_ml
#: (a) disjoint labelled sets: fact 1 gives Cov(delta_m) = (sigma2+rho_m)/(n_m-d_m-1) P_m; independent
#: teachers have K_ml = 0 for m != l.
teacher_variance = (sigma2 + rho_w) * inverse_wishart_mean(d_w, n)
K_disjoint = teacher_variance * transfer_trace(d_sw, d_w)

#: (b) one shared set, commuting projectors: the common noise (sigma2 plus the signal outside both
#: teachers) on C = V_m ∩ V_l (fact 3) and the Stiefel coupling of the two private blocks (fact 4).
common_noise = (sigma2 + rho_c) * inverse_wishart_mean(c, n) * transfer_trace(d_sc, c)
private_coupling = stiefel_moment(n - c) * (coupling_s + kappa_N * coupling_ws)
K_shared = common_noise + private_coupling

#: Bias part of Q_ml (fact 2 applied to the means P_m beta on sum(alpha) = 1).
Q_bias = bias_sw_ml + kappa_N * bias_ws_ml
#: One entry of Q given its teacher-error term.
Q_entry = Q_bias + k_ml


# ---------------------------------------------------------------------------------- proportional limits
def proportional_limit(expr: sp.Expr, teacher: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    r"""Limit of ``expr`` as the teacher's sizes grow with ``n`` (``teacher``: symbol -> ratio times ``n``)
    and the student's with ``N`` (:math:`d_s=\gamma_sN`); the two limits commute (the terms separate)."""
    scaled = expr.subs(teacher | {d_s: gamma_s * N})
    return sp.factor_terms(sp.limit(sp.limit(scaled, n, sp.oo), N, sp.oo))


#: n_m, N, d's -> oo with gamma_w = d_m/n_m, gamma_s = d_s/N, omega = d_sw/d_m fixed.
K_disjoint_limit = proportional_limit(K_disjoint, {d_sw: omega * gamma_w * n, d_w: gamma_w * n})
#: Shared set: c = gamma_c n, tr(P_s P_m P_l) = omega c; the coupling (O(|beta|^2 / n)) vanishes.
K_shared_limit = proportional_limit(K_shared, {d_sc: omega * gamma_c * n, c: gamma_c * n})
kappa_limit = proportional_limit(kappa_N, {})

FORMULAS: dict[str, Formula] = {
    "kappa": Formula(
        kappa_N, "Student transfer factor kappa_N = d_s/(N-d_s-1), N > d_s + 1.", "exact", "kappa"
    ),
    "k_disjoint": Formula(
        K_disjoint,
        "K_mm for a teacher on its own n labels (K_ml = 0, m != l), n > d_w + 1.",
        "exact",
        "k_disjoint",
    ),
    "k_shared": Formula(
        K_shared, "K_ml on one shared labelled set, commuting projectors, n > c + 1.", "exact", "k_shared"
    ),
    "q_entry": Formula(
        Q_entry, "Q_ml = bias part + K_ml (risk rho_s + alpha^T Q alpha on sum 1).", "exact", "q"
    ),
    "kappa_limit": Formula(kappa_limit, "Proportional limit of kappa_N.", "limit", "kappa"),
    "k_disjoint_limit": Formula(
        K_disjoint_limit, "Proportional limit of K_mm (disjoint).", "limit", "k_disjoint"
    ),
    "k_shared_limit": Formula(K_shared_limit, "Proportional limit of K_ml (shared).", "limit", "k_shared"),
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def _zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


def _weights_checks() -> dict[str, bool]:
    """Sum-to-one optimum and the homogeneous form, with a generic symmetric 2 x 2 Q (3 x 3 holds too, at
    ten times the cost)."""
    M = 2
    q = sp.Matrix(M, M, lambda i, j: sp.Symbol(f"q{min(i, j)}{max(i, j)}", real=True))
    b = sp.Matrix(M, 1, lambda i, _: sp.Symbol(f"b{i}", real=True))
    a = sp.Matrix(M, 1, lambda i, _: sp.Symbol(f"a{i}", real=True))
    one = sp.ones(M, 1)
    lam = sp.Symbol("lam", real=True)
    ps2 = sp.Symbol("ps2", positive=True)  # |P_s beta|^2
    # Lagrangian of alpha^T Q alpha on sum(alpha) = 1
    lagrangian = (a.T * q * a)[0] - lam * ((one.T * a)[0] - 1)
    sol = sp.solve([sp.diff(lagrangian, v) for v in [*a, lam]], [*a, lam], dict=True)[0]
    a_star = sp.Matrix([sol[v] for v in a])
    qinv1 = q.inv() * one
    closed = qinv1 / (one.T * qinv1)[0]
    value = (a_star.T * q * a_star)[0]
    # ||beta||^2 - 2 alpha^T b + alpha^T Q' alpha with Q' = Q + b 1^T + 1 b^T - |P_s beta|^2 1 1^T
    q_prime = q + b * one.T + one * b.T - ps2 * one * one.T
    inhomogeneous = rho_s + ps2 - 2 * (a.T * b)[0] + (a.T * q_prime * a)[0]
    on_simplex = {a[-1]: 1 - sum(a[:-1])}
    return {
        "sum-to-one optimum: alpha* = Q^-1 1 / (1^T Q^-1 1)": all(
            _zero(x - y) for x, y in zip(a_star, closed, strict=True)
        ),
        "sum-to-one optimum: min alpha^T Q alpha = 1 / (1^T Q^-1 1)": _zero(value - 1 / (one.T * qinv1)[0]),
        "on sum(alpha) = 1: |beta|^2 - 2 a^T b + a^T Q' a = rho_s + a^T Q a": _zero(
            (inhomogeneous - rho_s - (a.T * q * a)[0]).subs(on_simplex)
        ),
    }


def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
    bias_sw, bias_ws = sp.symbols("bias_sw bias_ws", nonnegative=True)
    one_teacher = {bias_sw_ml: bias_sw, bias_ws_ml: bias_ws, k_ml: K_disjoint}
    # the single-teacher family's generated W2S risk is plain arithmetic: called with symbols it is sympy
    single_w2s = single.er_w2s(
        N=N,
        bias_sw=bias_sw,
        bias_ws=bias_ws,
        d_s=d_s,
        d_sw=d_sw,
        d_w=d_w,
        n=n,
        rho_s=rho_s,
        rho_w=rho_w,
        sigma2=sigma2,
    )
    diagonal = {c: d_w, d_sc: d_sw, rho_c: rho_w, coupling_s: 0, coupling_ws: 0}
    return {
        "M = 1: rho_s + Q_11 is the single-teacher W2S risk": _zero(
            rho_s + Q_entry.subs(one_teacher) - single_w2s
        ),
        "shared set, m = l: K_mm equals the disjoint K_mm": _zero(K_shared.subs(diagonal) - K_disjoint),
        "nested V_m ⊂ V_l: K_ml = (sigma2+rho_l) tr(A_N P_m)/(n-d_m-1)": _zero(
            K_shared.subs({c: d_w, d_sc: d_sw, coupling_s: 0, coupling_ws: 0, rho_c: rho_w})
            - (sigma2 + rho_w) * transfer_trace(d_sw, d_w) / (n - d_w - 1)
        ),
        "N -> oo: the student keeps only the teacher error inside V_s": _zero(
            sp.limit(K_disjoint, N, sp.oo) - teacher_variance * d_sw
        ),
        "disjoint limit (readable form)": _zero(
            K_disjoint_limit
            - (sigma2 + rho_w) * gamma_w / (1 - gamma_w) * (omega + gamma_s / (1 - gamma_s) * (1 - omega))
        ),
        "shared limit: coupling vanishes, common noise gamma_c/(1-gamma_c)": _zero(
            K_shared_limit
            - (sigma2 + rho_c) * gamma_c / (1 - gamma_c) * (omega + gamma_s / (1 - gamma_s) * (1 - omega))
        ),
        **_weights_checks(),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "multiteacher" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/multiteacher/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.multiteacher", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
