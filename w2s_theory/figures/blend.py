r"""Figures of the blended distillation weight (DWT, Lee et al., Findings ACL 2023) in the subspace model
(theory: ``docs/theory/blend.md``).

* ``blend_weight``: (a) the exact :math:`\mathbb E\,\mathrm{ER}(w)` for three teachers, with Monte Carlo
  means ± 1 SE at several weights; (b) the optimal weight :math:`w^*` against the teacher's risk, when the
  teacher's extra error is signal the student could fit (:math:`b_A`) and when it is signal neither can fit
  (:math:`\tau^2`): the same teacher risk gives opposite advice; (c) :math:`w^*` with ``N`` extra
  teacher-labelled points (Monte Carlo only): negative as soon as :math:`N>0`.

Exact lines are the commuting-projector closed forms; markers are Monte Carlo (ratio of means for
:math:`w^*`). Fast mode (tests) uses 1024 trials and three points per series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory.blend import BlendModel
from w2s_theory.blend.simulate import blend_risk_estimate, optimal_weight_estimate
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    EXACT,
    MC,
    SERIES_COLORS,
    color_key,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
)

PAPER = "DWT (Lee et al., Findings ACL 2023) in the subspace model"
CHUNK = 256


@dataclass(frozen=True)
class Layout:
    """Commuting blocks (``c`` shared, ``a`` student-only, ``b`` teacher-only axes), ``n`` labels."""

    c: int = 2
    a: int = 4
    b: int = 3
    n: int = 14
    sigma2: float = 0.5
    teacher_only: float = 1.0

    def model(self, b_A: float, outside: float) -> BlendModel:
        return BlendModel.blocks(
            self.c, self.a, self.b, self.sigma2, shared=0.7, student_only=b_A,
            teacher_only=self.teacher_only, outside=outside,
        )  # fmt: skip


@dataclass(frozen=True)
class Setting:
    trials: int
    b_A_curves: tuple[float, ...]
    w_mc: tuple[float, ...]
    b_A_mc: tuple[float, ...]
    outside_mc: tuple[float, ...]
    N_mc: tuple[int, ...]

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        full = cls(
            20_480,
            (0.2, 1.0, 2.5),
            (-0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25),
            (0.0, 0.5, 1.0, 2.0, 3.0),
            (0.1, 0.5, 1.0, 2.0, 3.0),
            (0, 5, 10, 20, 40, 100, 200),
        )
        fast = cls(1024, (0.2, 1.0, 2.5), (0.0, 0.5, 1.0), (0.0, 1.0, 3.0), (0.1, 1.0, 3.0), (0, 10, 200))
        return mode.pick(full, fast)  # fmt: skip


OUTSIDE = 0.5  # signal outside both spans in panels (a) and the b_A series of (b)
B_A = 1.0  # student-visible signal the teacher misses, in the tau^2 series of (b)


def _risk_vs_w(ax, L: Layout, s: Setting) -> dict:
    w_fine = np.linspace(-0.3, 1.3, 161)
    data: dict = {"w_fine": w_fine, "w": np.array(s.w_mc)}
    for i, b_A in enumerate(s.b_A_curves):
        m, color = L.model(b_A, OUTSIDE), SERIES_COLORS[i]
        exact = m.expected_risk(L.n, w_fine)["blend"]
        ax.plot(w_fine, exact, "-", color=color, lw=1.6)
        w_star = m.optimal_weight(L.n)
        ax.plot([w_star], [m.expected_risk(L.n, w_star)["blend"]], "*", color=color, ms=10)
        mc = m.simulate(L.n, s.trials, 0, chunk_size=CHUNK)
        est = [blend_risk_estimate(mc, w) for w in s.w_mc]
        mean, se = np.array([e.value for e in est]), np.array([e.se for e in est])
        mc_points(ax, s.w_mc, mean, se, color)
        data[f"b_A={b_A:g}"] = {
            "exact": m.expected_risk(L.n, np.array(s.w_mc))["blend"], "exact_fine": exact,
            "mc_mean": mean, "mc_se": se, "w_star": w_star,
        }  # fmt: skip
    ax.set_xlabel("blend weight $w$ (label $(1-w)\\,y + w\\,\\hat y_w$)")
    ax.set_ylabel("$\\mathbb{E}\\,$ER$(w)$ of the strong student")
    ax.set_title(f"(a) risk vs $w$, $n$ = {L.n}; $\\star$ = exact $w^*$", fontsize=9)
    return data


def _w_star_vs_teacher(ax, L: Layout, s: Setting) -> dict:
    data: dict = {}
    series = {
        "b_A": ("teacher misses student-visible signal $b_A$", np.linspace(0.0, 3.0, 61), s.b_A_mc),
        "tau2": ("teacher misses signal neither sees ($\\tau^2$)", np.linspace(0.1, 3.0, 59), s.outside_mc),
    }
    for i, (key, (label, fine, at)) in enumerate(series.items()):
        build = (lambda v: L.model(v, OUTSIDE)) if key == "b_A" else (lambda v: L.model(B_A, v))
        ex_fine = [build(v).expected_risk(L.n) for v in fine]
        ax.plot([o["weak"] for o in ex_fine], [o["w_star"] for o in ex_fine], "-", color=SERIES_COLORS[i + 3])
        x, mean, se, exact = [], [], [], []
        for v in at:
            m = build(v)
            est = optimal_weight_estimate(m.simulate(L.n, s.trials, 1, chunk_size=CHUNK))
            ex = m.expected_risk(L.n)
            x.append(ex["weak"])
            mean.append(est.value)
            se.append(est.se)
            exact.append(ex["w_star"])
        mc_points(ax, x, mean, se, SERIES_COLORS[i + 3])
        data[key] = {"label": label, "x": np.array(x), "mc_mean": np.array(mean), "mc_se": np.array(se),
                     "exact": np.array(exact), "values": np.array(at)}  # fmt: skip
    ax.set_xlabel("teacher's risk $\\mathbb{E}\\,$ER$_{weak}$")
    ax.set_ylabel("optimal weight $w^*=U/V$")
    ax.set_title("(b) $w^*$ vs teacher quality: where its error lies decides", fontsize=9)
    return data


def _w_star_vs_N(ax, L: Layout, s: Setting) -> dict:
    m = L.model(B_A, OUTSIDE)
    est = [optimal_weight_estimate(m.simulate(L.n, s.trials, 2, N=N, chunk_size=CHUNK)) for N in s.N_mc]
    mean, se = np.array([e.value for e in est]), np.array([e.se for e in est])
    mc_points(ax, s.N_mc, mean, se, SERIES_COLORS[0])
    ax.plot([0], [m.optimal_weight(L.n)], "*", color="k", ms=10)
    ax.axhline(0.0, color="grey", lw=1)
    ax.set_xscale("symlog", linthresh=5)
    ax.set_xlim(-0.5, 1.3 * max(s.N_mc))
    ax.set_yscale("symlog", linthresh=0.5)
    ax.set_xlabel("$N$ extra points labelled by the teacher only")
    ax.set_ylabel("optimal weight $w^*$")
    ax.set_title("(c) $N>0$ (Monte Carlo only): $w^*<0$; $\\star$ = exact at $N=0$", fontsize=9)
    return {"N": np.array(s.N_mc), "mc_mean": mean, "mc_se": se, "exact_N0": m.optimal_weight(L.n)}


@register(
    "blend_weight",
    paper=PAPER,
    description="Blended distillation: E ER(w), w* vs teacher quality, w* with pseudo-labelled points",
)
def blend_weight(mode: Mode) -> FigureOutput:
    L, s = Layout(), Setting.for_mode(mode)
    fig, axes = new_figure(1, 3, width=4.6)
    data = {
        "risk_vs_w": _risk_vs_w(axes[0, 0], L, s),
        "w_star_vs_teacher": _w_star_vs_teacher(axes[0, 1], L, s),
        "w_star_vs_N": _w_star_vs_N(axes[0, 2], L, s),
    }
    teacher_keys = [
        (d["label"], SERIES_COLORS[i + 3]) for i, d in enumerate(data["w_star_vs_teacher"].values())
    ]
    outside_legend(
        fig,
        color_key([(f"$b_A$ = {b:g}", SERIES_COLORS[i]) for i, b in enumerate(s.b_A_curves)] + teacher_keys),
        style_key(
            ("-", f"{EXACT} (commuting $P_s, P_w$)"),
            ("mc", f"{MC} ({s.trials} trials; $w^*$: ratio of means)"),
        ),
    )
    fig.suptitle(
        f"Student fits $(1-w)y+w\\hat y_w$ on the same $n$ labels: $c$={L.c} shared, $a$={L.a} student-only, "
        f"$b$={L.b} teacher-only directions, $\\sigma^2$={L.sigma2:g}",
        fontsize=10,
    )
    return FigureOutput(fig, data)
