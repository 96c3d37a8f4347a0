r"""Derivation of the closed forms of two-stage confidence filtering (Shi et al., ACL 2025) in the
subspace model of Dong et al. (ICML 2025); ``docs/theory/filtering.md``.

Building blocks, each checked in :func:`self_checks`:

1. **Chi-square moment shift.** With :math:`f_d` the :math:`\chi^2_d` density,
   :math:`x f_d(x)=d\,f_{d+2}(x)`, hence :math:`\mathbb E[X\mathbb 1\{X\le a\}]=d\,F_{d+2}(a)` for
   :math:`X\sim\chi^2_d`, and (integrating the derivative identity) :math:`F_{d+2}(a)=F_d(a)-2af_d(a)/d`.
2. **Isotropic filter.** Keeping :math:`\varphi\sim\mathcal N(0,I_{d_w})` with
   :math:`\|\varphi\|^2\le a_q`, :math:`F_{d_w}(a_q)=q`, gives :math:`\mathbb E[\varphi\varphi^\top\mid\text{kept}]
   =c(q)I` with :math:`c(q)=F_{d_w+2}(a_q)/q=1-2a_qf_{d_w}(a_q)/(d_wq)` (block 1 and symmetry).
3. **Kept-law moments.** The kept latent law has :math:`\Sigma=I-(1-c)P_w`, so the strong Gram's mean
   eigenvalue is :math:`\operatorname{tr}(V_s^\top\Sigma V_s)/d_s=1-(1-c)d_{s\wedge w}/d_s` and the teacher's
   kept labels have mean square :math:`c\|\hat\theta_w\|^2` (RMS ratio :math:`\sqrt c`).
4. **Random filter.** A kept set drawn independently of everything is :math:`m` i.i.d. pool points, so the
   stage-I student is the W2S student of :mod:`w2s_theory.symbolic.discrepancy` with :math:`N\to m`.
5. **Split-geometry limit.** With commuting projections and an isotropic filter the population stage-I
   student is :math:`P_s\hat\beta_t` for every :math:`q`; its risk is the :math:`N\to\infty` limit of the
   W2S risk, :math:`\rho_s+\|P_s(I-P_w)\beta\|^2+d_{s\wedge w}(\sigma^2+\rho_w)/(n-d_w-1)`.

Run ``python -m w2s_theory.symbolic.filtering --write`` to regenerate ``w2s_theory/filtering/_closed_forms.py``;
``--check`` runs the self-checks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sympy as sp

from w2s_theory.symbolic import discrepancy as base
from w2s_theory.symbolic.codegen import Formula, derivation_cli, render_module

x, a, d = sp.symbols("x a d", positive=True)
q, c, m, density = sp.symbols("q c m density", positive=True)
d_w, d_s, d_sw = base.d_w, base.d_s, base.d_sw

LATEX_NAMES = base.LATEX_NAMES | {density: r"f_{\chi^2_{d_w}}(a)"}


# -------------------------------------------------------------------------------------- building blocks
def chi2_density(k: sp.Expr, t: sp.Expr) -> sp.Expr:
    r""":math:`f_k(t)=t^{k/2-1}e^{-t/2}/(2^{k/2}\Gamma(k/2))`."""
    return t ** (k / 2 - 1) * sp.exp(-t / 2) / (2 ** (k / 2) * sp.gamma(k / 2))


#: Block 1: E[X 1{X <= a}] = d F_{d+2}(a) rests on x f_d(x) = d f_{d+2}(x).
moment_shift = sp.simplify(x * chi2_density(d, x) - d * chi2_density(d + 2, x))
#: F_d(a) - F_{d+2}(a) - 2 a f_d(a)/d has zero derivative in a (and vanishes at a = 0).
cdf_recurrence = sp.simplify(
    chi2_density(d, a) - chi2_density(d + 2, a) - sp.diff(2 * a * chi2_density(d, a) / d, a)
)

#: Block 2: c(q) = F_{d_w+2}(a_q)/q with F_{d_w+2}(a_q) = q - 2 a_q f_{d_w}(a_q)/d_w.
c_isotropic = (q - 2 * a * density / d_w) / q
#: Block 3.
strong_gram_isotropic = 1 - (1 - c) * d_sw / d_s
label_rms_isotropic = sp.sqrt(c)
#: Block 4.
stage1_random = base.ER_w2s.subs(base.N, m)
#: Block 5.
stage1_split_limit = sp.limit(base.ER_w2s, base.N, sp.oo)

FORMULAS: dict[str, Formula] = {
    "c_isotropic": Formula(
        c_isotropic,
        "c(q) = F_{chi2, d_w+2}(a)/q at a = F^{-1}_{chi2, d_w}(q), density = f_{chi2, d_w}(a) [exact].",
        "exact",
        "c",
    ),
    "stage1_random": Formula(
        stage1_random,
        "Exact E ER of the random-filter stage-I student (m kept), m > d_s + 1.",
        "exact",
        "random",
    ),
    "strong_gram_isotropic": Formula(
        strong_gram_isotropic,
        "Mean eigenvalue of the kept strong Gram, isotropic filter.",
        "isotropic",
        "strong_gram",
    ),
    "label_rms_isotropic": Formula(
        label_rms_isotropic,
        "Kept/pool RMS of the teacher labels, isotropic filter.",
        "isotropic",
        "label_rms",
    ),
    "stage1_split_limit": Formula(
        stage1_split_limit,
        "N -> oo stage-I risk, isotropic filter, commuting projections (every q).",
        "limit",
        "stage1_split",
    ),
}


def latex() -> dict[str, str]:
    """Every derived formula as a LaTeX string, keyed like :data:`FORMULAS`."""
    return {name: sp.latex(f.expr, symbol_names=LATEX_NAMES) for name, f in FORMULAS.items()}


# ---------------------------------------------------------------------------------------- self-checks
@cache
def self_checks() -> dict[str, bool]:
    """Symbolic identities the derivation rests on (each is asserted in the test-suite)."""
    k, t = (
        sp.Integer(6),
        sp.Rational(7, 2),
    )  # concrete degrees of freedom and threshold: the integrals are elementary
    F = lambda dof, upper: sp.integrate(chi2_density(dof, x), (x, 0, upper))
    A, B, theta = sp.MatrixSymbol("G_A", 3, 3), sp.MatrixSymbol("G_B", 3, 3), sp.MatrixSymbol("theta", 3, 1)
    refit = (A + B).inv() * (A * theta + B * theta)
    return {
        "x f_d(x) = d f_{d+2}(x)": moment_shift == 0,
        "d/da [F_d - F_{d+2}] = d/da [2 a f_d(a)/d]": cdf_recurrence == 0,
        "F_{d+2}(a) = F_d(a) - 2 a f_d(a)/d at d = 6, a = 7/2": sp.simplify(
            F(k + 2, t) - F(k, t) + 2 * t * chi2_density(k, t) / k
        )
        == 0,
        "E[X 1{X<=a}] = d F_{d+2}(a) at d = 6, a = 7/2": sp.simplify(
            sp.integrate(x * chi2_density(k, x), (x, 0, t)) - k * F(k + 2, t)
        )
        == 0,
        "c -> 1 as q -> 1 (a -> oo, a f(a) -> 0) at d = 4": sp.limit(F(k, a) / F(k - 2, a), a, sp.oo) == 1,
        "stage II refit (G_A+G_B)^{-1}(G_A theta + G_B theta) = theta": sp.simplify(
            sp.MatMul((A + B).inv(), (A + B), theta).doit() - theta
        )
        == sp.ZeroMatrix(3, 1)
        and refit.shape == theta.shape,
        "random filter with m = N is the naive W2S student": sp.simplify(
            stage1_random.subs(m, base.N) - base.ER_w2s
        )
        == 0,
        "split limit = rho_s + bias_sw + d_sw (sigma2 + rho_w)/(n - d_w - 1)": sp.simplify(
            stage1_split_limit
            - (base.rho_s + base.bias_sw + d_sw * (base.sigma2 + base.rho_w) / (base.n - d_w - 1))
        )
        == 0,
        "no filtering (c = 1) leaves the strong Gram at 1": strong_gram_isotropic.subs(c, 1) == 1,
    }


GENERATED_PATH = Path(__file__).resolve().parents[1] / "filtering" / "_closed_forms.py"


def generated_source() -> str:
    """The source of ``w2s_theory/filtering/_closed_forms.py`` as this derivation produces it."""
    return render_module(FORMULAS, "w2s_theory.symbolic.filtering", LATEX_NAMES)


if __name__ == "__main__":
    derivation_cli(__doc__.splitlines()[0], self_checks, GENERATED_PATH, generated_source)
