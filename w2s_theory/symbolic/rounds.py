r"""Derivation of the closed forms of multi-teacher / student rounds (theory: ``docs/theory/rounds.md``).

Model (``docs/theory/rounds.md`` §1): latent :math:`x\sim\mathcal N(0,I_D)`, :math:`y=\beta^\top x+\epsilon`,
:math:`\operatorname{Var}\epsilon=\sigma^2`; K teachers fit ridgeless least squares in their subspaces
:math:`\mathcal V_k` (``d_k`` dims) on independent labelled sets of size ``n``; the student fits in
:math:`\mathcal V_s` (``d_s`` dims) on ``N`` fresh points labelled by the teachers' average. The code below
*is* the argument of ``docs/theory/rounds.md`` §3, from three named facts:

1. **Teacher law** (inverse-Wishart mean, independent residual): :math:`\beta_k^0=P_k\beta+V_ku_k` with
   :math:`\mathbb Eu_ku_k^\top=\tau_kI`, :math:`\tau_k=(\sigma^2+\rho_k)/(n-d_k-1)`, independent over k.
2. **Student lemma** (Dong et al. 2025's W2S risk for any pseudo-labeller independent of the student's
   points): :math:`\mathbb E[\mathrm{ER}\mid\beta_t]=\rho_s+\|P_s(\beta_t-\beta)\|^2+\kappa_N\|(I-P_s)\beta_t\|^2`,
   :math:`\kappa_N=d_s/(N-d_s-1)`.
3. **Averaging**: :math:`\bar\beta=M\beta+\frac1K\sum_kV_ku_k`; the noises are independent with mean
   zero, so a quadratic form :math:`\mathbb E\|G\bar\beta\|^2=\|GM\beta\|^2+\frac1{K^2}\sum_k\tau_k
   \operatorname{tr}(V_k^\top G^\top GV_k)`; with :math:`G=P_s`: :math:`\operatorname{tr}=d_{sk}`, with
   :math:`G=I-P_s`: :math:`d_k-d_{sk}`.

The per-teacher sums are taken numerically (:mod:`w2s_theory.rounds.theory`): ``noise_in``
:math:`=\frac1{K^2}\sum_k\tau_kd_{sk}`, ``noise_out`` :math:`=\frac1{K^2}\sum_k\tau_k(d_k-d_{sk})`.

Population rounds (:math:`n,N\to\infty`) for coordinate (commuting) geometries reduce to one scalar
recursion per student axis j seen by :math:`m_j` of the K teachers, :math:`a=m_j/K`:
:math:`s_1=a`, :math:`s_{t+1}=\lambda a+(1-\lambda)a\,s_t`, solved here by ``rsolve``.

Run ``python -m w2s_theory.symbolic.rounds --write`` to regenerate ``w2s_theory/rounds/_closed_forms.py``;
``--check`` runs the symbolic self-checks.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from w2s_theory.symbolic import discrepancy as iso
from w2s_theory.symbolic.codegen import Formula, derivation_cli, render_module

# ---------------------------------------------------------------------------------------------- symbols
n, N, K, d_k, d_s = sp.symbols("n N K d_k d_s", positive=True)
sigma2, rho_k, rho_s, bias_in, bias_out = sp.symbols("sigma2 rho_k rho_s bias_in bias_out", nonnegative=True)
d_sk, noise_in, noise_out, tau_k = sp.symbols("d_sk noise_in noise_out tau_k", nonnegative=True)
a, lam = sp.symbols("a lam", nonnegative=True)
t = sp.Symbol("t", integer=True, positive=True)

#: How each symbol prints in LaTeX.
LATEX_NAMES = {
    sigma2: r"\sigma^2",
    rho_k: r"\rho_k",
    rho_s: r"\rho_s",
    d_sk: r"d_{sk}",
    tau_k: r"\tau_k",
    bias_in: r"\|P_s(M-I)\beta\|^2",
    bias_out: r"\|(I-P_s)M\beta\|^2",
    noise_in: r"\tfrac{1}{K^2}\sum_k\tau_kd_{sk}",
    noise_out: r"\tfrac{1}{K^2}\sum_k\tau_k(d_k-d_{sk})",
    lam: r"\lambda",
}


# -------------------------------------------------------------------------------------- building blocks
def teacher_scale(d: sp.Expr, rho: sp.Expr) -> sp.Expr:
    r""":math:`\tau_k=(\sigma^2+\rho_k)\,c` with :math:`\mathbb E(Z^\top Z)^{-1}=cI`: the teacher's
    coefficient noise scale (fact 1)."""
    return (sigma2 + rho) * iso.inverse_wishart_mean(d, n)


def student_lemma(inside: sp.Expr, outside: sp.Expr) -> sp.Expr:
    r"""Fact 2 averaged over the pseudo-labeller: :math:`\rho_s+\mathbb E\|P_s(\beta_t-\beta)\|^2+
    \kappa_N\mathbb E\|(I-P_s)\beta_t\|^2` given the two expectations."""
    return rho_s + inside + kappa_N * outside


# ---------------------------------------------------------------------------------- exact, round 0 and 1
tau = teacher_scale(d_k, rho_k)
#: kappa_N = d_s/(N - d_s - 1) = d_s * inverse-Wishart mean at N.
kappa_N = d_s * iso.inverse_wishart_mean(d_s, N)
#: Round-0 teacher: rho_k + E||V_k u_k||^2 = rho_k + tau_k d_k.
ER_teacher = rho_k + tau * d_k
#: Fact 3 per teacher: its share of the averaged noise inside / outside V_s.
noise_in_term = tau * d_sk / K**2
noise_out_term = tau * (d_k - d_sk) / K**2
#: Round-1 student (average rule): fact 2 with the averaged expectations of fact 3.
ER_round1 = student_lemma(bias_in + noise_in, bias_out + noise_out)

# ------------------------------------------------------------------- population rounds, commuting case
_s = sp.Function("s")
#: s_{t+1} = lam a + (1 - lam) a s_t, s_1 = a (one student axis seen by a fraction a of the teachers).
_solution = sp.rsolve(_s(t + 1) - lam * a - (1 - lam) * a * _s(t), _s(t), {_s(1): a})
fixed_coef = lam * a / (1 - (1 - lam) * a)
#: rsolve's solution written as fixed point + geometric transient (checked equal in :func:`self_checks`).
student_coef = fixed_coef + (a - fixed_coef) * ((1 - lam) * a) ** (t - 1)
#: Teacher's coefficient on an axis it sees: lam * 1 + (1 - lam) * (student's coefficient).
teacher_coef = lam + (1 - lam) * student_coef

FORMULAS: dict[str, Formula] = {
    "teacher_tau": Formula(
        tau, "Teacher noise scale tau_k = (sigma2 + rho_k)/(n - d_k - 1).", "teacher", "tau"
    ),
    "er_teacher": Formula(
        ER_teacher, "Exact E ER of a round-0 teacher: rho_k + tau_k d_k.", "teacher", "risk"
    ),
    "kappa_n": Formula(kappa_N, "Student variance factor kappa_N = d_s/(N - d_s - 1).", "round1", "kappa_N"),
    "noise_in_term": Formula(
        noise_in_term,
        "Teacher k's share of the averaged noise inside V_s: tau_k d_sk / K^2.",
        "round1",
        "noise_in",
    ),
    "noise_out_term": Formula(
        noise_out_term,
        "Teacher k's share of the averaged noise outside V_s: tau_k (d_k - d_sk) / K^2.",
        "round1",
        "noise_out",
    ),
    "er_round1": Formula(
        ER_round1,
        "Exact E ER of the round-1 student (average rule), given the summed noises.",
        "round1",
        "risk",
    ),
    "student_coef": Formula(
        student_coef,
        "Population student coefficient after t rounds on an axis seen by a fraction a of the teachers.",
        "coordinate",
        "student",
    ),
    "fixed_coef": Formula(
        fixed_coef,
        "Its fixed point lam a / (1 - (1 - lam) a) (lam > 0 or a < 1).",
        "coordinate",
        "fixed_point",
    ),
    "teacher_coef": Formula(
        teacher_coef,
        "Population coefficient of a teacher on an axis it and the student see, after t rounds.",
        "coordinate",
        "teacher",
    ),
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
def _is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


#: Rational points (a, lam) where identities in t are checked exactly for t = 1..6.
_POINTS = [
    (sp.Rational(1, 3), sp.Rational(1, 2)),
    (sp.Rational(3, 4), sp.Rational(1, 10)),
    (1, 0),
    (sp.Rational(1, 6), 0),
]


def _zero_in_t(expr: sp.Expr) -> bool:
    """``expr`` (in a, lam, t) vanishes at every point of :data:`_POINTS` for t = 1..6 (exact arithmetic)."""
    return all(sp.simplify(expr.subs({a: x, lam: y, t: k})) == 0 for x, y in _POINTS for k in range(1, 7))


def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation must satisfy (each is asserted in the test-suite)."""
    one_teacher = ER_round1.subs({noise_in: noise_in_term, noise_out: noise_out_term}).subs(
        {K: 1, bias_in: iso.bias_sw, bias_out: iso.bias_ws, d_sk: iso.d_sw, d_k: iso.d_w, rho_k: iso.rho_w}
    )
    one_teacher = one_teacher.subs({n: iso.n, N: iso.N, d_s: iso.d_s, sigma2: iso.sigma2, rho_s: iso.rho_s})
    s_next = student_coef.subs(t, t + 1)
    return {
        "K = 1: the round-1 student is Dong et al.'s exact W2S risk": _is_zero(one_teacher - iso.ER_w2s),
        "K = 1: the round-0 teacher is the exact weak-teacher risk": _is_zero(
            ER_teacher.subs({d_k: iso.d_w, rho_k: iso.rho_w, n: iso.n, sigma2: iso.sigma2}) - iso.ER_weak
        ),
        "K identical teachers: the averaged noise is 1/K of one teacher's": _is_zero(
            K * noise_in_term - tau * d_sk / K
        ),
        "recursion: s_1 = a": _is_zero(student_coef.subs(t, 1) - a),
        "recursion: s_(t+1) = lam a + (1 - lam) a s_t": _zero_in_t(
            s_next - lam * a - (1 - lam) * a * student_coef
        ),
        "the closed form equals rsolve's solution": _zero_in_t(student_coef - _solution),
        "fixed point solves s = lam a + (1 - lam) a s": _is_zero(
            fixed_coef - lam * a - (1 - lam) * a * fixed_coef
        ),
        "a - s* = a (1 - a)(1 - lam)/(1 - (1 - lam) a) >= 0: rounds only shrink further": _is_zero(
            a - fixed_coef - a * (1 - a) * (1 - lam) / (1 - (1 - lam) * a)
        ),
        "s_(t+1) - s_t = -a (1 - a)(1 - lam) ((1 - lam) a)^(t - 1) <= 0: monotone": _zero_in_t(
            s_next - student_coef + a * (1 - a) * (1 - lam) * ((1 - lam) * a) ** (t - 1)
        ),
        "lam = 0: s_t = a^t (collapse unless a = 1)": _zero_in_t(student_coef.subs(lam, 0) - a**t),
        "lam = 1: s_t = a (one round, then the anchor holds it)": _is_zero(student_coef.subs(lam, 1) - a),
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "rounds" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/rounds/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.rounds", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
