r"""Derivation of W2SR's Reasoning Gap Recovered (Yuan et al. 2025, "Incentivizing Strong Reasoning from
Weak Supervision", §3) in the subspace model, and of the error split that explains it.

.. math::
    \mathrm{RGR}=\frac{\mathrm{ER}_{base}-\mathbb E\,\mathrm{ER}_{w2s}}{\mathrm{ER}_{base}-\mathbb E\,\mathrm{ER}_{ceil}},

base: the un-tuned student :math:`\theta=0` (:math:`\mathrm{ER}=\|\beta\|^2`); ceiling: the student on the
``N`` points with their *true* labels; W2S: the student on the same ``N`` points labelled by the teacher
(OLS on ``n`` labels). Exact for any subspaces, :math:`n>d_w+1`, :math:`N>d_s+1`
(``docs/theory/rgr.md``). The code below is the derivation, from two named facts:

1. **Teacher decomposition.** The teacher's vector is :math:`\beta_t=P_w\beta+\delta_w` with
   :math:`\mathbb E\delta_w=0`, :math:`\mathbb E\delta_w\delta_w^\top=v_wP_w`,
   :math:`v_w=(\sigma^2+\rho_w)/(n-d_w-1)` (the misfit outside :math:`\mathcal V_w` is independent noise;
   inverse-Wishart mean).
2. **Student transfer.** For a target vector :math:`\beta_t` independent of the student's ``N`` points,
   :math:`\mathbb E[\mathrm{ER}\mid\beta_t]=\rho_s+\|P_s(\beta_t-\beta)\|^2+\kappa_N\|(I-P_s)\beta_t\|^2`,
   :math:`\kappa_N=d_s/(N-d_s-1)`: the part of the label the student cannot represent acts as noise.

Run ``python -m w2s_theory.symbolic.rgr --write`` to regenerate ``w2s_theory/rgr/_closed_forms.py``;
``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from w2s_theory.symbolic.blend import limit_at_infinity
from w2s_theory.symbolic.codegen import Formula, derivation_cli, is_zero, render_module

# ---------------------------------------------------------------------------------------------- symbols
n, N, d_w, d_s, d_sw = sp.symbols("n N d_w d_s d_sw", positive=True)
sigma2, rho_w, rho_s, bias_sw, bias_ws = sp.symbols("sigma2 rho_w rho_s bias_sw bias_ws", nonnegative=True)
beta_norm2 = sp.Symbol("beta_norm2", nonnegative=True)
gamma_w, gamma_s, omega = sp.symbols("gamma_w gamma_s omega", positive=True)

LATEX_NAMES = {
    sigma2: r"\sigma^2",
    d_sw: r"d_{s\wedge w}",
    bias_sw: r"\|P_s(I-P_w)\beta\|^2",
    bias_ws: r"\|(I-P_s)P_w\beta\|^2",
    beta_norm2: r"\|\beta\|^2",
}


# -------------------------------------------------------------------------------------- building blocks
def inverse_wishart_mean(d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r"""Scalar :math:`c` with :math:`\mathbb E[(Z^\top Z)^{-1}]=c\,I_d`, :math:`Z\in\mathbb R^{m\times d}`."""
    return 1 / (m - d - 1)


def teacher_variance(noise_var: sp.Expr, d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r""":math:`v` with :math:`\mathbb E\delta\delta^\top=vP` for OLS on ``m`` Gaussian rows in ``d`` dims."""
    return noise_var * inverse_wishart_mean(d, m)


def transfer_factor(d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r""":math:`\kappa=d/(m-d-1)`: what a unit of label noise costs an OLS fit on ``m`` rows in ``d`` dims."""
    return d * inverse_wishart_mean(d, m)


# ------------------------------------------------------------------------ the split (docs/theory/rgr.md §2)
v_w = teacher_variance(sigma2 + rho_w, d_w, n)
kappa_N = transfer_factor(d_s, N)
#: ||(I-P_s)(I-P_w) beta||^2: signal neither learner represents (rho_w splits into it and bias_sw).
rho_sw = rho_w - bias_sw

#: eps_vis = E||P_s(beta_t - beta)||^2: tr(P_s P_w) = d_sw directions of variance + the student-visible bias.
eps_vis = v_w * d_sw + bias_sw
#: eps_inv = E||(I-P_s)(beta_t - beta)||^2: teacher error the student cannot represent.
eps_inv = v_w * (d_w - d_sw) + rho_sw
#: eta_inv = E||(I-P_s) beta_t||^2: teacher output the student must absorb as label noise.
eta_inv = v_w * (d_w - d_sw) + bias_ws

ER_weak = eps_vis + eps_inv
ER_w2s = rho_s + eps_vis + kappa_N * eta_inv
ER_ceil = rho_s + kappa_N * (sigma2 + rho_s)
ER_base = beta_norm2
#: The gap the ceiling closes; RGR is defined where it is positive.
gap = ER_base - ER_ceil
RGR = (ER_base - ER_w2s) / gap
#: S_T: the "reasoning" term, E ER_w2s = rho_s + ER_weak - S_T.
S_T = eps_inv - kappa_N * eta_inv


def proportional_limit(expr: sp.Expr) -> sp.Expr:
    r"""Limit as :math:`n,N,d\to\infty` with :math:`\gamma_w=d_w/n`, :math:`\gamma_s=d_s/N`,
    :math:`\omega=d_{s\wedge w}/d_w` fixed (no ratio N/n enters: the teacher and the student see
    different samples)."""
    m = sp.Symbol("m", positive=True)
    scaled = expr.subs({d_sw: omega * gamma_w * n, d_w: gamma_w * n, d_s: gamma_s * m, N: m})
    return sp.factor_terms(limit_at_infinity(limit_at_infinity(scaled, n), m))


RGR_limit = proportional_limit(RGR)
S_T_limit = proportional_limit(S_T)

FORMULAS: dict[str, Formula] = {
    "er_weak": Formula(ER_weak, "E ER of the teacher, eps_vis + eps_inv (n > d_w + 1).", "exact", "weak"),
    "er_w2s": Formula(ER_w2s, "E ER of W2S on N pseudo-labels (n > d_w + 1, N > d_s + 1).", "exact", "w2s"),
    "er_ceiling": Formula(
        ER_ceil, "E ER of the student on the N true labels (N > d_s + 1).", "exact", "ceiling"
    ),
    "er_base": Formula(ER_base, "ER of the un-tuned student theta = 0: ||beta||^2.", "exact", "base"),
    "rgr": Formula(RGR, "RGR as a ratio of exact expectations (defined where gap > 0).", "exact", "rgr"),
    "gap": Formula(gap, "ER_base - E ER_ceil, RGR's denominator.", "exact", "gap"),
    "eps_vis": Formula(eps_vis, "E||P_s(beta_t - beta)||^2.", "exact", "eps_vis"),
    "eps_inv": Formula(eps_inv, "E||(I-P_s)(beta_t - beta)||^2.", "exact", "eps_inv"),
    "eta_inv": Formula(eta_inv, "E||(I-P_s) beta_t||^2.", "exact", "eta_inv"),
    "s_t": Formula(S_T, "S_T = eps_inv - kappa_N eta_inv.", "exact", "s_t"),
    "rgr_limit": Formula(RGR_limit, "Proportional limit of RGR.", "limit", "rgr"),
    "s_t_limit": Formula(S_T_limit, "Proportional limit of S_T.", "limit", "s_t"),
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
    visible = beta_norm2 - rho_s  # ||P_s beta||^2
    q = sp.Symbol("q", nonnegative=True)
    commuting = {bias_ws: q, rho_w: bias_sw + rho_s - q}  # ||(I-P_s)(I-P_w)beta||^2 = rho_s - q
    in_span = {d_sw: d_w, bias_ws: 0, rho_w: bias_sw + rho_s}  # V_w inside V_s
    # the subspace model's exact risks (docs/theory/discrepancies.md §3), written out
    weak_subspace = rho_w + (sigma2 + rho_w) * d_w / (n - d_w - 1)
    w2s_subspace = (
        (sigma2 + rho_w) / (n - d_w - 1) * (d_sw + (d_w - d_sw) * d_s / (N - d_s - 1))
        + rho_s
        + bias_sw
        + d_s / (N - d_s - 1) * bias_ws
    )
    return {
        "teacher risk = the subspace model's exact weak risk": is_zero(ER_weak - weak_subspace),
        "W2S risk = the subspace model's exact W2S risk": is_zero(ER_w2s - w2s_subspace),
        "E ER_w2s = rho_s + ER_weak - S_T": is_zero(ER_w2s - (rho_s + ER_weak - S_T)),
        "RGR = (||P_s beta||^2 - ER_weak)/gap + S_T/gap": is_zero(RGR - (visible - ER_weak + S_T) / gap),
        "V_w inside V_s: E ER_w2s = ER_weak (S_T = rho_s)": is_zero(
            (ER_w2s - ER_weak).subs(in_span, simultaneous=True)
        ),
        "commuting: S_T = rho_s + (1-kappa) v_w (d_w - d_sw) - (1+kappa) q": is_zero(
            S_T.subs(commuting, simultaneous=True)
            - (
                rho_s
                + (1 - kappa_N) * v_w.subs(commuting, simultaneous=True) * (d_w - d_sw)
                - (1 + kappa_N) * q
            )
        ),
        "N -> oo: W2S keeps the student-visible teacher error only": is_zero(
            sp.limit(ER_w2s, N, sp.oo) - (rho_s + eps_vis)
        ),
        "proportional limit of S_T (readable form)": is_zero(
            S_T_limit
            - (
                (1 - gamma_s / (1 - gamma_s)) * (sigma2 + rho_w) * (1 - omega) * gamma_w / (1 - gamma_w)
                + rho_w
                - bias_sw
                - gamma_s / (1 - gamma_s) * bias_ws
            )
        ),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "rgr" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/rgr/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.rgr", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
