r"""Derivation of the group-imbalance closed forms of Liu, Dong, Lei (ICLR 2026), "Does weak-to-strong
generalization happen under spurious correlations?" (theory: ``docs/theory/spurious.md``).

Model (``docs/theory/spurious.md`` §1–§3): core feature :math:`z\sim\mathcal N(0,I_{d_z})`, label
:math:`y=z^\top\beta^*+\epsilon`, group feature :math:`\xi\in\mathbb R^p`; teacher features
:math:`z\otimes w`, :math:`w=[1;T^\top\xi]` (:math:`p_T` entries), student features :math:`z\otimes\psi`,
:math:`\psi=[1;S^\top\xi]` (:math:`p_S`);
:math:`\Xi=T^\top S`, :math:`\mu_T=T^\top\mu_\xi`, :math:`\mu_S=S^\top\mu_\xi`. Soft (mean-shift) group
model :math:`\xi\sim\mathcal N(\eta\mu_\xi,\sigma_\xi^2I)` under :math:`\mathcal D(\eta)`. Proportional
ratios :math:`\gamma_z=d_z/n`, :math:`\nu_z=d_z/N`.

Everything is written with the scalar invariants the risks depend on:
``mT2`` :math:`=\|\mu_T\|^2`, ``mS2`` :math:`=\|\mu_S\|^2`, ``xi2`` :math:`=\|\Xi\|_F^2`,
``xmS2`` :math:`=\|\Xi\mu_S\|^2`, ``cross`` :math:`=\mu_T^\top\Xi\mu_S`.

The derivation (``docs/theory/spurious.md`` §7) is assembled from three named facts:

1. **Moment trace.** If :math:`w=[1;x]` with :math:`x` whitened under the training law
   (:math:`\mathbb E_1x=0`, :math:`\operatorname{Cov}_1x=I`) and under the test law :math:`x` has mean
   :math:`\Delta` and covariance :math:`C`, then for :math:`Q=\operatorname{diag}(\alpha,\beta I)`:
   :math:`\operatorname{tr}(Q\,\mathbb E_2ww^\top)=\alpha+\beta(\operatorname{tr}C+\|\Delta\|^2)`. With
   :math:`\alpha=\beta=1` this is :math:`\operatorname{tr}(M_1^{-1}M_2)`.
2. **Inverse Gram of the product design.** :math:`(\Phi^\top\Phi)^{-1}\approx\frac1n I_{d_z}\otimes Q`
   in coordinates whitened by :math:`M^w(\eta_\ell)`, with :math:`Q=\operatorname{diag}(\alpha_T,\beta_TI)`:
   leading order :math:`\alpha=\beta=1` (F1); Gaussian design :math:`\alpha=\beta=n/(n-d_T-1)\to
   1/(1-p_T\gamma_z)` (F2, the inverse-Wishart mean of :mod:`w2s_theory.symbolic.discrepancy`); exact
   proportional limit of the product features :math:`\alpha=a`, :math:`\beta=b` (F3, the fixed point of
   :mod:`w2s_theory.spurious.fixed_point`). The same with :math:`(\nu_z,p_S)` for the student.
3. **Projection + independent residual.** At :math:`N=\infty` the student is the
   :math:`L^2(\mathcal D(\eta_u))` projection of the teacher, :math:`z^\top DK\psi`,
   :math:`K=\mathbb E_u[w\psi^\top]\mathbb E_u[\psi\psi^\top]^{-1}`; in the soft model
   :math:`K\psi=[1;\eta_u\mu_T+\Xi(S^\top\xi-\eta_u\mu_S)]` and the residual
   :math:`w-K\psi=[0;T^\top(I-SS^\top)(\xi-\eta_u\mu_\xi)]` is *independent* of :math:`\psi`, so at finite
   :math:`N` it is extra label noise for the student, of whitened variance
   :math:`\beta_T\operatorname{tr}(T^\top(I-SS^\top)T)=\beta_T(p_T-p_{T\wedge S})`.

Hard mixture (``docs/theory/spurious.md`` §9.2–§9.3): only the teacher has a scalar closed form here
(Sherman-Morrison building block); the student is a matrix formula evaluated in
:mod:`w2s_theory.spurious.theory`.

Run ``python -m w2s_theory.symbolic.spurious --write`` to regenerate
``w2s_theory/spurious/_closed_forms.py``; ``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from w2s_theory.symbolic import discrepancy as sd
from w2s_theory.symbolic.codegen import Formula, derivation_cli, render_module

# ---------------------------------------------------------------------------------------------- symbols
gamma_z, nu_z, sigma_xi2, sigma_y2 = sp.symbols("gamma_z nu_z sigma_xi2 sigma_y2", positive=True)
eta_l, eta_u, eta_t = sp.symbols("eta_l eta_u eta_t", nonnegative=True)
p_T, p_S = sp.symbols("p_T p_S", positive=True)
xi2, mT2, mS2, xmS2 = sp.symbols("xi2 mT2 mS2 xmS2", nonnegative=True)
cross = sp.Symbol("cross", real=True)
#: F3 constants: Q = diag(a_T, b_T I) (teacher, gamma_z) and diag(a_S, b_S I) (student, nu_z).
a_T, b_T, a_S, b_S = sp.symbols("a_T b_T a_S b_S", positive=True)
d_z = sp.Symbol("d_z", positive=True)

LATEX_NAMES = {
    gamma_z: r"\gamma_z",
    nu_z: r"\nu_z",
    sigma_xi2: r"\sigma_\xi^2",
    sigma_y2: r"\sigma_y^2",
    eta_l: r"\eta_\ell",
    eta_u: r"\eta_u",
    eta_t: r"\eta_t",
    xi2: r"\|\Xi\|_F^2",
    mT2: r"\|\mu_T\|^2",
    mS2: r"\|\mu_S\|^2",
    xmS2: r"\|\Xi\mu_S\|^2",
    cross: r"\mu_T^\top\Xi\mu_S",
}

#: Effective shared dimension p_{T∧S} = 1 + ||Xi||_F^2 (docs/theory/spurious.md §2.2).
p_TS = 1 + xi2


# -------------------------------------------------------------------------------------- building blocks
def moment_trace(alpha: sp.Expr, beta: sp.Expr, tr_cov: sp.Expr, mean_quad: sp.Expr) -> sp.Expr:
    r""":math:`\operatorname{tr}(\operatorname{diag}(\alpha,\beta I)\,\mathbb E_2ww^\top)` for :math:`w=[1;x]`,
    :math:`x` whitened under the training law, with test covariance trace ``tr_cov`` and squared test
    mean shift ``mean_quad`` (fact 1)."""
    return alpha + beta * (tr_cov + mean_quad)


def gaussian_design_factor(p: sp.Expr, ratio: sp.Expr) -> sp.Expr:
    r"""Proportional limit of :math:`m\,\mathbb E[(Z^\top Z)^{-1}]` for :math:`m=d_z/\text{ratio}` Gaussian
    rows in :math:`p\,d_z` dims: :math:`\lim m/(m-pd_z-1)=1/(1-p\cdot\text{ratio})` (fact 2, F2)."""
    m = d_z / ratio
    return sp.limit(m * sd.inverse_wishart_mean(p * d_z, m), d_z, sp.oo)


def sherman_morrison_quad(s2: sp.Expr, kappa: sp.Expr, m2: sp.Expr) -> sp.Expr:
    r""":math:`\mu^\top(s^2I+\kappa\mu\mu^\top)^{-1}\mu=\|\mu\|^2/(s^2+\kappa\|\mu\|^2)`."""
    return m2 / (s2 + kappa * m2)


#: Squared spurious shift of the student's inherited error, d = (eta_u-eta_l) mu_T + (eta_t-eta_u) Xi mu_S.
d_norm2 = (
    (eta_u - eta_l) ** 2 * mT2 + 2 * (eta_u - eta_l) * (eta_t - eta_u) * cross + (eta_t - eta_u) ** 2 * xmS2
)


# ------------------------------------------------------------------------------ risks for any (alpha, beta)
def teacher_risk(alpha: sp.Expr, beta: sp.Expr) -> sp.Expr:
    r"""Teacher (Liu et al. 2026, Theorem 1 at :math:`\alpha=\beta=1`; ``docs/theory/spurious.md`` §7.4):
    :math:`\sigma_y^2\gamma_z\operatorname{tr}(Q\,M'_t)`, :math:`M'_t` the whitened second moment of
    :math:`w` under :math:`\mathcal D(\eta_t)` (covariance :math:`I_{p_T-1}`, shift
    :math:`(\eta_t-\eta_\ell)\mu_T/\sigma_\xi`)."""
    return sigma_y2 * gamma_z * moment_trace(alpha, beta, p_T - 1, (eta_t - eta_l) ** 2 * mT2 / sigma_xi2)


def student_risk(alpha: sp.Expr, beta: sp.Expr, alpha_s: sp.Expr, beta_s: sp.Expr) -> sp.Expr:
    r"""Student (Liu et al. 2026, Theorem 2 at :math:`\alpha=\beta=1`; ``docs/theory/spurious.md`` §7.4):
    inherited error :math:`\operatorname{tr}(Q\,\mathbb E_t[K\psi\psi^\top K^\top])` (whitened
    :math:`K\psi` has covariance :math:`\Xi\Xi^\top` and shift :math:`d/\sigma_\xi`), plus the pseudo-label
    noise :math:`\beta(p_T-p_{T\wedge S})` fitted by OLS on :math:`N` product rows:
    :math:`\nu_z\operatorname{tr}(Q_S M'^{\psi}_t)` (fact 3)."""
    inherited = moment_trace(alpha, beta, xi2, d_norm2 / sigma_xi2)
    residual_variance = beta * (p_T - p_TS)
    refit = nu_z * moment_trace(alpha_s, beta_s, p_S - 1, (eta_t - eta_u) ** 2 * mS2 / sigma_xi2)
    return sigma_y2 * gamma_z * (inherited + residual_variance * refit)


#: The three finite-gamma forms F1, F2, F3 of docs/theory/spurious.md §8: (alpha_T, beta_T, alpha_S, beta_S).
_f2_T, _f2_S = gaussian_design_factor(p_T, gamma_z), gaussian_design_factor(p_S, nu_z)
CONSTANTS = {
    "leading": (sp.Integer(1), sp.Integer(1), sp.Integer(1), sp.Integer(1)),
    "gaussian": (_f2_T, _f2_T, _f2_S, _f2_S),
    "limit": (a_T, b_T, a_S, b_S),
}

ER_T = {form: teacher_risk(c[0], c[1]) for form, c in CONSTANTS.items()}
ER_S = {form: student_risk(*c) for form, c in CONSTANTS.items()}
GAIN = {form: ER_T[form] - ER_S[form] for form in CONSTANTS}

#: (b) optimal unlabeled minority fraction: the gain is a concave quadratic in eta_u.
ETA_U_STAR = {form: sp.solve(sp.diff(GAIN[form], eta_u), eta_u)[0] for form in CONSTANTS}

#: (d) failure threshold on ||mu_T||^2 / sigma_xi^2 when Xi mu_S = 0 (the gain is then linear in ||mu_T||^2).
_no_xi_mu = {cross: 0, xmS2: 0}
THRESHOLD = {
    form: sp.simplify(sp.solve(GAIN[form].subs(_no_xi_mu), mT2)[0] / sigma_xi2) for form in CONSTANTS
}

#: (a) matched fractions eta_u = eta_l: the gain, and the largest nu_z keeping the variance-reduction
#: bracket positive (leading and Gaussian forms; in F3 nu_z also enters a_S, b_S).
MATCHED_GAIN = {form: sp.simplify(GAIN[form].subs(eta_u, eta_l)) for form in CONSTANTS}
_q = (eta_t - eta_l) ** 2 * mS2 / sigma_xi2
NU_MAX_MATCHED = {
    form: sp.solve(
        sp.Eq(
            nu_z * moment_trace(*CONSTANTS[form][2:], p_S - 1, _q) * CONSTANTS[form][1], CONSTANTS[form][1]
        ),
        nu_z,
    )[0]
    for form in ("leading", "gaussian")
}

# ------------------------------------------------ hard mixture, teacher (docs/theory/spurious.md §9.3)
kappa = {eta: eta * (1 - eta) for eta in (eta_l, eta_t)}  # hard model: Cov(xi) = s2 I + eta(1-eta) mu mu^T
_sm_l = sherman_morrison_quad(sigma_xi2, kappa[eta_l], mT2)
#: tr(C_l^{-1} C_t) = (p_T - 1) + (kappa_t - kappa_l) mu^T C_l^{-1} mu; shift (eta_t-eta_l)^2 mu^T C_l^{-1} mu.
ER_T_HARD = (
    sigma_y2
    * gamma_z
    * moment_trace(1, 1, p_T - 1 + (kappa[eta_t] - kappa[eta_l]) * _sm_l, (eta_t - eta_l) ** 2 * _sm_l)
)

# ---------------------------------------------------------------------------------------------- formulas
_FORM_DOC = {
    "leading": "F1, first order in gamma_z, nu_z (the paper's Theorems 1-2)",
    "gaussian": "F2, Gaussian-design proportional limit",
    "limit": "F3, proportional limit of the product features; a_*, b_* from the fixed point",
}

FORMULAS: dict[str, Formula] = {}
for _form, _doc in _FORM_DOC.items():
    FORMULAS[f"er_teacher_{_form}"] = Formula(
        ER_T[_form], f"E ER_eta_t(f_T), soft model, {_doc}.", _form, "teacher"
    )
    FORMULAS[f"er_student_{_form}"] = Formula(
        ER_S[_form], f"E ER_eta_t(f_S), soft model, {_doc}.", _form, "student"
    )
    FORMULAS[f"gain_{_form}"] = Formula(GAIN[_form], f"W2S gain ER(f_T) - ER(f_S), {_doc}.", _form, "gain")
    FORMULAS[f"eta_u_star_{_form}"] = Formula(
        ETA_U_STAR[_form], f"Unclipped maximiser of the gain over eta_u, {_doc}.", _form, "eta_u_star"
    )
    FORMULAS[f"threshold_{_form}"] = Formula(
        THRESHOLD[_form],
        f"||mu_T||^2/sigma_xi^2 at which the gain is 0 when Xi mu_S = 0, {_doc}.",
        _form,
        "threshold",
    )
    FORMULAS[f"matched_gain_{_form}"] = Formula(
        MATCHED_GAIN[_form], f"Gain at matched fractions eta_u = eta_l, {_doc}.", _form, "matched_gain"
    )
for _form in NU_MAX_MATCHED:
    FORMULAS[f"nu_max_matched_{_form}"] = Formula(
        NU_MAX_MATCHED[_form],
        f"Largest nu_z with a positive variance-reduction term at eta_u = eta_l, {_FORM_DOC[_form]}.",
        _form,
        "nu_max_matched",
    )
FORMULAS["er_teacher_hard_leading"] = Formula(
    ER_T_HARD, "E ER_eta_t(f_T), hard mixture, first order in gamma_z.", "hard_leading", "teacher"
)


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def _moment_trace_lemma() -> bool:
    """Fact 1 with explicit 3x3 matrices: tr(M1^{-1} M2) = 1 + tr(C1^{-1}C2) + (m2-m1)^T C1^{-1}(m2-m1)."""
    m1 = sp.Matrix(sp.symbols("m1_1 m1_2"))
    m2 = sp.Matrix(sp.symbols("m2_1 m2_2"))
    c1, c2 = sp.symbols("c1 c2", positive=True)
    u, v, w = sp.symbols("u v w", real=True)
    C1, C2 = sp.diag(c1, c2), sp.Matrix([[u, v], [v, w]])

    def moment(m, C):
        return sp.Matrix(sp.BlockMatrix([[sp.Matrix([[1]]), m.T], [m, C + m * m.T]]))

    lhs = (moment(m1, C1).inv() * moment(m2, C2)).trace()
    rhs = 1 + (C1.inv() * C2).trace() + ((m2 - m1).T * C1.inv() * (m2 - m1))[0]
    return sp.simplify(lhs - rhs) == 0


def _sherman_morrison_check() -> bool:
    m = sp.Matrix(sp.symbols("mu_1 mu_2", real=True))
    s2, k = sp.symbols("s2 k", positive=True)
    C = s2 * sp.eye(2) + k * m * m.T
    return sp.simplify((m.T * C.inv() * m)[0] - sherman_morrison_quad(s2, k, (m.T * m)[0])) == 0


def _dv_substitution() -> dict[sp.Symbol, sp.Expr]:
    """Discrepancy-engine symbols for mu_xi = 0: d_w = p_T d_z, d_s = p_S d_z, d_sw = p_TS d_z."""
    return {
        sd.d_w: p_T * d_z,
        sd.d_s: p_S * d_z,
        sd.d_sw: p_TS * d_z,
        sd.n: d_z / gamma_z,
        sd.N: d_z / nu_z,
        sd.sigma2: sigma_y2,
        sd.rho_w: 0,
        sd.rho_s: 0,
        sd.bias_sw: 0,
        sd.bias_ws: 0,
    }


def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
    zero_mu = {mT2: 0, mS2: 0, xmS2: 0, cross: 0}
    F1, F2 = "leading", "gaussian"
    dv = _dv_substitution()
    dv_limit = {
        sd.gamma_w: p_T * gamma_z,
        sd.gamma_s: p_S * nu_z,
        sd.omega: p_TS / p_T,
        sd.lam: gamma_z / nu_z,
        sd.sigma2: sigma_y2,
        sd.rho_w: 0,
        sd.rho_s: 0,
        sd.bias_sw: 0,
        sd.bias_ws: 0,
    }
    kappa_star = nu_z * (p_T - p_TS) * mS2 / sigma_xi2
    v2 = mT2 - 2 * cross + xmS2  # ||mu_T - Xi mu_S||^2
    vc = (
        eta_l * mT2 - eta_t * cross - eta_l * cross + eta_t * xmS2
    )  # (mu_T - Xi mu_S)^T (eta_l mu_T - eta_t Xi mu_S)
    paper_thm2 = (
        sigma_y2
        * gamma_z
        * (p_TS + d_norm2 / sigma_xi2 + nu_z * (p_T - p_TS) * (p_S + (eta_t - eta_u) ** 2 * mS2 / sigma_xi2))
    )
    return {
        "fact 1: moment-trace lemma (explicit 3x3 matrices)": _moment_trace_lemma(),
        "Sherman-Morrison quadratic form (explicit 2x2)": _sherman_morrison_check(),
        "F2 constant: lim n/(n - p_T d_z - 1) = 1/(1 - p_T gamma_z)": sp.simplify(
            _f2_T - 1 / (1 - p_T * gamma_z)
        )
        == 0,
        "F1 teacher = Liu et al. 2026, Theorem 1": sp.simplify(
            ER_T[F1] - sigma_y2 * gamma_z * (p_T + (eta_t - eta_l) ** 2 * mT2 / sigma_xi2)
        )
        == 0,
        "F1 student = Liu et al. 2026, Theorem 2 with the explicit nu_z term": sp.simplify(
            ER_S[F1] - paper_thm2
        )
        == 0,
        "F1 = F2 to first order: gamma_z -> 0 bracket of F2, expanded to first order in nu_z": all(
            sp.simplify(
                sp.series(sp.limit(e[F2] / gamma_z, gamma_z, 0), nu_z, 0, 2).removeO() - e[F1] / gamma_z
            )
            == 0
            for e in (ER_T, ER_S)
        ),
        "mu_xi = 0, F1: teacher = sigma^2 d_T / n (Dong et al. 2025 stated weak form)": sp.simplify(
            ER_T[F1].subs(zero_mu) - sd.paper_weak.subs(dv)
        )
        == 0,
        "mu_xi = 0, F1: student = sigma^2 (d_TS + d_S (d_T - d_TS)/N)/n (Dong et al. 2025 stated form, n-d_w-1 -> n)": sp.simplify(
            ER_S[F1].subs(zero_mu) - (sd.sigma2 * sd.D_N / sd.n).subs(dv)
        )
        == 0,
        "mu_xi = 0, F1: student = gamma_z -> 0 bracket of Dong et al. 2025's stated W2S form in proportional scaling": sp.simplify(
            sp.limit(sp.limit(sd.paper_w2s.subs(dv), d_z, sp.oo) / gamma_z, gamma_z, 0)
            - ER_S[F1].subs(zero_mu) / gamma_z
        )
        == 0,
        "mu_xi = 0, F2: teacher = exact proportional limit of the discrepancy model": sp.simplify(
            ER_T[F2].subs(zero_mu) - sd.ER_weak_limit.subs(dv_limit)
        )
        == 0,
        "mu_xi = 0, F2: student = exact proportional limit of the discrepancy model": sp.simplify(
            ER_S[F2].subs(zero_mu) - sd.ER_w2s_limit.subs(dv_limit)
        )
        == 0,
        "Xi mu_S = 0: F1 gain depends on eta_u only through -(eta_u-eta_l)^2 ||mu_T||^2 (symmetric quadratic)": sp.simplify(
            sp.diff(GAIN[F1].subs(_no_xi_mu).subs(mS2, 0), eta_u)
            + 2 * sigma_y2 * gamma_z * (eta_u - eta_l) * mT2 / sigma_xi2
        )
        == 0,
        "eta_u* (F1) = (v.c/s2 + kappa eta_t)/(||v||^2/s2 + kappa) (docs/theory/spurious.md §5.2)": sp.simplify(
            ETA_U_STAR[F1] - (vc / sigma_xi2 + kappa_star * eta_t) / (v2 / sigma_xi2 + kappa_star)
        )
        == 0,
        "eta_u* (F3): kappa uses nu_z b_S (docs/theory/spurious.md §8.4)": sp.simplify(
            ETA_U_STAR["limit"]
            - (vc / sigma_xi2 + kappa_star * b_S * eta_t) / (v2 / sigma_xi2 + kappa_star * b_S)
        )
        == 0,
        "threshold (F1, nu_z = 0, Xi = 0) = (p_T-1)/((eta_u-eta_l)^2 - (eta_t-eta_l)^2)": sp.simplify(
            THRESHOLD[F1].subs({nu_z: 0, xi2: 0}) - (p_T - 1) / ((eta_u - eta_l) ** 2 - (eta_t - eta_l) ** 2)
        )
        == 0,
        "threshold at eta = (.1, .4, .2) is 12.5 (p_T - 1) in F1, F2 and F3 at nu_z = 0 (docs/theory/spurious.md §5.4, §8.4)": all(
            sp.simplify(
                THRESHOLD[f].subs(
                    {
                        nu_z: 0,
                        xi2: 0,
                        eta_l: sp.Rational(1, 10),
                        eta_u: sp.Rational(2, 5),
                        eta_t: sp.Rational(1, 5),
                    }
                )
                - sp.Rational(25, 2) * (p_T - 1)
            )
            == 0
            for f in CONSTANTS
        ),
        "matched fractions: nu_max = 1/(p_S + q) (F1), 1/(2 p_S + q) (F2) (docs/theory/spurious.md §8.4, §11.6)": sp.simplify(
            NU_MAX_MATCHED[F1] - 1 / (p_S + _q)
        )
        == 0
        and sp.simplify(NU_MAX_MATCHED[F2] - 1 / (2 * p_S + _q)) == 0,
        "hard teacher = p_T + (eta_t-eta_l)(1-2 eta_l) r/(1 + eta_l(1-eta_l) r), linear in eta_t": sp.simplify(
            ER_T_HARD
            - sigma_y2
            * gamma_z
            * (p_T + (eta_t - eta_l) * (1 - 2 * eta_l) * mT2 / (sigma_xi2 + eta_l * (1 - eta_l) * mT2))
        )
        == 0
        and sp.diff(ER_T_HARD, eta_t, 2) == 0,
        "hard = soft teacher at eta_l in {0, 1} (both laws coincide there)": all(
            sp.simplify((ER_T_HARD - ER_T[F1]).subs(eta_l, e).subs(eta_t, et)) == 0
            for e in (0, 1)
            for et in (0, 1)
        ),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "spurious" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/spurious/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.spurious", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
