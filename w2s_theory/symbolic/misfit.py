r"""Derivation of the exact expectations of the misfit–gain inequality in the subspace model
(Charikar, Pabbaraju, Shiragur, NeurIPS 2024, Theorem 1; the model of Dong et al., ICML 2025).

Per trial the weak teacher :math:`\beta_t` is fitted on ``n`` labels, the strong student
:math:`\beta_s=V_s\,\mathrm{LS}(\tilde XV_s,\tilde X\beta_t)` on ``N`` fresh points (OLS for
:math:`N>d_s+1`, the minimum-norm interpolant for :math:`N<d_s-1`), and

.. math::
    \mathrm{misfit}=\|\beta_s-\beta_t\|^2,\quad \mathrm{gain}=\mathrm{ER}_w-\mathrm{ER}_{w2s},\quad
    \mathrm{gap}=\mathrm{gain}-\mathrm{misfit}=-2\langle\beta_s-\beta_t,\beta_s-\beta\rangle .

The paper's inequality is :math:`\mathrm{gap}\ge0` (``docs/theory/misfit_gain.md``). The code below *is* the
derivation, in two steps, from three named facts:

1. **Given the teacher** (the student's draw is independent of it). Write :math:`a=(I-P_s)\beta_t`,
   :math:`b=(I-P_s)\beta`. The pseudo-label's part :math:`\tilde Xa` is independent of the student's
   features, so :math:`\beta_s=V_s(\Pi\,V_s^\top\beta_t+e)` with :math:`\Pi` the projection on the row
   space of the student's design and :math:`e` mean-zero noise given :math:`\Pi`:
   :math:`\mathbb E\Pi=\gamma I`, :math:`\mathbb E\|e\|^2=\kappa\|a\|^2`, where

   * OLS (:math:`N>d_s+1`): :math:`\gamma=1`, :math:`\kappa=d_s/(N-d_s-1)` (inverse-Wishart mean);
   * min-norm (:math:`N<d_s-1`): :math:`\gamma=N/d_s` (a uniformly random rank-``N`` projection),
     :math:`\kappa=N/(d_s-N-1)` (inverse-Wishart mean of the ``N x N`` Gram matrix).

2. **Average over the teacher**: :math:`\beta_t=P_w\beta+V_wu` with :math:`\mathbb Eu=0`,
   :math:`\mathbb Euu^\top=\tau I`, :math:`\tau=(\sigma^2+\rho_w)/(n-d_w-1)` (:math:`n>d_w+1`); every
   conditional expectation is linear in the teacher's second moments.

3. **Geometry**: the inner products that appear are fixed by the subspace model's invariants and
   :math:`\|\beta\|^2` (Pythagoras in :math:`\mathcal V_s\oplus\mathcal V_s^\perp`), see :data:`GEOMETRY`.

Run ``python -m w2s_theory.symbolic.misfit --write`` to regenerate
``w2s_theory/discrepancy/_misfit_closed_forms.py``; ``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from w2s_theory.symbolic.codegen import Formula, derivation_cli, render_module

# ---------------------------------------------------------------------------------------------- symbols
n, N, d_w, d_s, d_sw = sp.symbols("n N d_w d_s d_sw", positive=True)
sigma2, rho_w, rho_s, bias_sw, bias_ws, beta_norm2 = sp.symbols(
    "sigma2 rho_w rho_s bias_sw bias_ws beta_norm2", nonnegative=True
)
#: Per-teacher quantities of step 1: ||a||^2, <a, b>, ||P_s beta_t||^2, <P_s beta_t, P_s beta>,
#: ||P_s(beta_t - beta)||^2.
a2, st2, es2 = sp.symbols("a2 st2 es2", nonnegative=True)
ab, stb = sp.symbols("ab stb", real=True)
#: The student's projection mean and noise factor (step 1), and the teacher's coefficient variance (step 2).
gamma, kappa, tau = sp.symbols("gamma kappa tau", nonnegative=True)

LATEX_NAMES = {
    sigma2: r"\sigma^2",
    d_sw: r"d_{s\wedge w}",
    bias_sw: r"\|P_s(I-P_w)\beta\|^2",
    bias_ws: r"\|(I-P_s)P_w\beta\|^2",
    beta_norm2: r"\|\beta\|^2",
}

# ------------------------------------------------------------------------ step 3: geometry (for step 2)
#: ||P_s beta||^2 (beta = P_s beta + b, Pythagoras).
signal_s = beta_norm2 - rho_s
#: <(I-P_s)P_w beta, (I-P_s) beta>, from rho_w = ||P_s(P_w - I)beta||^2 + ||(I-P_s)(P_w beta - beta)||^2.
cross_ws = (bias_sw + bias_ws + rho_s - rho_w) / 2
#: ||P_s P_w beta||^2 = ||P_w beta||^2 - ||(I-P_s)P_w beta||^2, ||P_w beta||^2 = ||beta||^2 - rho_w.
signal_ws = beta_norm2 - rho_w - bias_ws
#: <P_s P_w beta, P_s beta>, from bias_sw = ||P_s beta - P_s P_w beta||^2.
cross_sw = (signal_s + signal_ws - bias_sw) / 2
#: The four, by name (``tests/test_misfit_symbolic.py`` checks them against inner products of random models).
GEOMETRY = {"signal_s": signal_s, "cross_ws": cross_ws, "signal_ws": signal_ws, "cross_sw": cross_sw}


# ----------------------------------------------------------------------------- step 1: student regimes
def inverse_wishart_mean(d: sp.Expr, m: sp.Expr) -> sp.Expr:
    r"""Scalar :math:`c` with :math:`\mathbb E[(Z^\top Z)^{-1}]=c\,I_d`, :math:`Z\in\mathbb R^{m\times d}`, :math:`m>d+1`."""
    return 1 / (m - d - 1)


#: OLS student (N > d_s + 1): Pi = I, E||e||^2 = ||a||^2 tr E (Phi^T Phi)^{-1}.
OLS = {gamma: sp.Integer(1), kappa: d_s * inverse_wishart_mean(d_s, N)}
#: Min-norm student (N < d_s - 1): E Pi = (N/d_s) I, E||e||^2 = ||a||^2 tr E (Phi Phi^T)^{-1}.
MIN_NORM = {gamma: N / d_s, kappa: N * inverse_wishart_mean(N, d_s)}

#: Definitions given the teacher: ER_w = ||P_s(beta_t - beta)||^2 + ||a - b||^2; E[ER_w2s | beta_t] from
#: E||Pi t - s||^2 = gamma||t - s||^2 + (1 - gamma)||s||^2 (t = V_s^T beta_t, s = V_s^T beta), E||e||^2 and
#: the part of beta outside V_s; E[misfit | beta_t] = E||(Pi - I)t + e||^2 + ||a||^2.
DEFINED = {
    "weak": es2 + a2 - 2 * ab + rho_s,
    "w2s": rho_s + gamma * es2 + (1 - gamma) * signal_s + kappa * a2,
    "misfit": (1 - gamma) * st2 + (1 + kappa) * a2,
}
DEFINED["gain"] = DEFINED["weak"] - DEFINED["w2s"]
DEFINED["gap"] = DEFINED["gain"] - DEFINED["misfit"]
#: ||P_s(beta_t - beta)||^2 = ||P_s beta_t||^2 - 2<P_s beta_t, P_s beta> + ||P_s beta||^2.
ES2 = {es2: st2 - 2 * stb + signal_s}
#: The same, each in its shortest form (checked against DEFINED in :func:`self_checks`).
GIVEN = {
    "weak": DEFINED["weak"],
    "w2s": DEFINED["w2s"],
    "misfit": DEFINED["misfit"],
    "gain": (1 - gamma) * (st2 - 2 * stb) + (1 - kappa) * a2 - 2 * ab,
    "gap": -2 * ab - 2 * kappa * a2 - 2 * (1 - gamma) * stb,
}

# ------------------------------------------------------------------------- step 2: average the teacher
#: E over beta_t = P_w beta + V_w u, E u u^T = tau I: tr(V_w^T (I-P_s) V_w) = d_w - d_sw, tr(V_w^T P_s V_w) = d_sw.
TEACHER_MOMENTS = {
    a2: bias_ws + tau * (d_w - d_sw),
    ab: cross_ws,
    st2: signal_ws + tau * d_sw,
    stb: cross_sw,
    es2: bias_sw + tau * d_sw,
}
#: Teacher coefficient variance (inverse-Wishart mean, noise sigma2 + rho_w), n > d_w + 1.
TAU = {tau: (sigma2 + rho_w) * inverse_wishart_mean(d_w, n)}


def average(expr_given: sp.Expr, regime: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """Unconditional expectation (linearity): the teacher's moments, then tau and the regime's
    (gamma, kappa). No simplification, so the generated form keeps the derivation's structure."""
    return expr_given.subs(TEACHER_MOMENTS).subs(TAU).subs(regime)


#: E ER_w in its familiar form (checked against the averaged definition).
WEAK = rho_w + tau * d_w
EXACT = {q: average(WEAK if q == "weak" else e, OLS) for q, e in GIVEN.items()}
EXACT_MIN_NORM = {q: average(WEAK if q == "weak" else e, MIN_NORM) for q, e in GIVEN.items()}
#: N -> oo with the OLS student: beta_s = P_s beta_t (the population projection), kappa = 0.
LIMIT = {q: average(GIVEN[q], {gamma: 1, kappa: 0}) for q in ("misfit", "gain", "gap")}

_DOCS = {
    "weak": "E ER(f_w)",
    "w2s": "E ER(f_w2s)",
    "misfit": "E ||beta_s - beta_t||^2",
    "gain": "E [ER(f_w) - ER(f_w2s)]",
    "gap": "E [gain - misfit]",
}
FORMULAS: dict[str, Formula] = {
    **{
        f"{q}_ols": Formula(expr, f"Exact {_DOCS[q]}; OLS student, n > d_w + 1, N > d_s + 1.", "exact", q)
        for q, expr in EXACT.items()
    },
    **{
        f"{q}_min_norm": Formula(
            expr, f"Exact {_DOCS[q]}; min-norm student, n > d_w + 1, N < d_s - 1.", "exact_min_norm", q
        )
        for q, expr in EXACT_MIN_NORM.items()
    },
    **{
        f"{q}_limit": Formula(expr, f"{_DOCS[q]} as N -> oo (OLS student), n > d_w + 1.", "limit", q)
        for q, expr in LIMIT.items()
    },
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def _zero(expr: sp.Expr) -> bool:
    """Exact zero test: every expression here is a rational function, and ``cancel`` is canonical."""
    return sp.cancel(sp.together(expr)) == 0


def _at_infinity(expr: sp.Expr) -> sp.Expr:
    """The limit of a rational function of ``N`` as N -> oo (``N = 1/t``, cancel, ``t = 0``)."""
    t = sp.Symbol("t", positive=True)
    return sp.cancel(sp.together(expr.subs(N, 1 / t))).subs(t, 0)


def self_checks() -> dict[str, bool]:
    """Identities the derivation must satisfy (each is asserted in the test-suite)."""
    k_ols, k_mn = OLS[kappa], MIN_NORM[kappa]
    a2_mean = TEACHER_MOMENTS[a2].subs(TAU)
    beta_in_V_s = {rho_w: bias_sw + bias_ws}  # rho_s = 0: (I - P_w) beta splits over V_s and its complement
    V_w_in_V_s = {d_sw: d_w, bias_ws: 0, rho_w: bias_sw + rho_s}  # V_w ⊆ V_s
    exact = {q: sp.cancel(sp.together(e)) for q, e in EXACT.items()}
    min_norm = {q: sp.cancel(sp.together(e)) for q, e in EXACT_MIN_NORM.items()}
    return {
        "given the teacher: short forms = definitions": all(
            _zero((GIVEN[q] - DEFINED[q]).subs(ES2)) for q in GIVEN
        ),
        "averaging is consistent: E ||P_s(beta_t - beta)||^2 = E(||P_s beta_t||^2 - 2<.,.> + ||P_s beta||^2)": _zero(
            TEACHER_MOMENTS[es2] - ES2[es2].subs(TEACHER_MOMENTS)
        ),
        "E ER_w = rho_w + tau d_w from the definition": _zero(DEFINED["weak"].subs(TEACHER_MOMENTS) - WEAK),
        "gap = gain - misfit in every form": all(
            _zero(forms["gap"] - forms["gain"] + forms["misfit"]) for forms in (EXACT, EXACT_MIN_NORM, LIMIT)
        ),
        "OLS: E gap = -2<(I-P_s)P_w beta, b> - 2 kappa_N E||a||^2": _zero(
            exact["gap"] - (-2 * cross_ws - 2 * k_ols * a2_mean)
        ),
        "min-norm: E gap has the extra -2(1 - N/d_s)<P_s P_w beta, P_s beta>": _zero(
            min_norm["gap"] - (-2 * cross_ws - 2 * k_mn * a2_mean - 2 * (1 - N / d_s) * cross_sw)
        ),
        "rho_s = 0, OLS: E gap = -2 kappa_N E||a||^2 < 0 (fails at every finite N)": _zero(
            (exact["gap"] + 2 * k_ols * a2_mean).subs({rho_s: 0}).subs(beta_in_V_s)
        ),
        "rho_s = 0, N -> oo: E gap = 0 (the paper's equality case)": _zero(
            LIMIT["gap"].subs({rho_s: 0}).subs(beta_in_V_s)
        ),
        "N -> oo: the OLS forms tend to the limit forms; E misfit -> E||a||^2 (Pythagoras)": all(
            _zero(_at_infinity(exact[q]) - LIMIT[q]) for q in LIMIT
        )
        and _zero(LIMIT["misfit"] - a2_mean),
        "V_w ⊆ V_s, OLS: misfit = 0 and gap = 0": _zero(exact["misfit"].subs(V_w_in_V_s))
        and _zero(exact["gap"].subs(V_w_in_V_s)),
        "min-norm, N -> 0: beta_s = 0, so E ER_w2s = ||beta||^2 and E misfit = E||beta_t||^2": _zero(
            min_norm["w2s"].subs(N, 0) - beta_norm2
        )
        and _zero(min_norm["misfit"].subs(N, 0) - (beta_norm2 - rho_w + TAU[tau] * d_w)),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "discrepancy" / "_misfit_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/discrepancy/_misfit_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.misfit", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
