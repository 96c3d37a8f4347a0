r"""Figure of multi-teacher / student rounds (a linear analogue of MACPO, Lyu et al., ICLR 2025; theory:
``docs/theory/rounds.md``).

* ``rounds_risk_per_round``: the student's and the mean teacher's excess risk per round, for
  K = 1, 2, 4, 6 diverse teachers with a common core (geometry ``G1_blocks``) and anchor weights
  :math:`\lambda=0` and :math:`0.5`. Markers: Monte Carlo of the procedure ± 1 SE; solid stubs: the exact
  round-0 teacher and round-1 student expectations; dashed: the population rounds (:math:`n,N\to\infty`).

Fast mode (tests, CI) uses a half-size geometry (d = 32), 3 rounds and 120 trials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    MC,
    SERIES_COLORS,
    color_key,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
)
from w2s_theory.metrics import mean_se
from w2s_theory.rounds import RoundsModel

PAPER = "Lyu et al. 2025 (MACPO), in the intrinsic-dimension model"
TEACHERS = (1, 2, 4, 6)
ANCHORS = (0.0, 0.5)


@dataclass(frozen=True)
class Setting:
    """Geometry G1_blocks of size ``d`` (student ``d_s`` axes, core, blocks), sample sizes, rounds, trials."""

    d: int
    d_s: int
    core: int
    block: int
    n: int
    N: int
    T: int
    trials: int
    sigma2: float = 1.0

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        return mode.pick(cls(64, 32, 8, 4, 40, 400, 4, 300), cls(32, 16, 4, 2, 24, 80, 3, 120))

    def model(self, K: int) -> RoundsModel:
        return RoundsModel.prototype(
            "G1_blocks", K, d=self.d, d_s=self.d_s, core=self.core, block=self.block, sigma2=self.sigma2
        )


def _series(s: Setting, K: int, lam: float) -> dict[str, np.ndarray]:
    m = s.model(K)
    mc = m.simulate(s.n, s.N, s.T, lam, trials=s.trials, seed=100 * K + int(10 * lam))
    student = [mean_se(mc["student"][:, t]) for t in range(s.T)]
    teacher = [mean_se(mc["teacher_mean"][:, t]) for t in range(s.T + 1)]
    pop = m.population(s.T, lam)
    return {
        "student_mc": np.array([e.value for e in student]),
        "student_se": np.array([e.se for e in student]),
        "teacher_mc": np.array([e.value for e in teacher]),
        "teacher_se": np.array([e.se for e in teacher]),
        "student_limit": pop["student"],
        "teacher_limit": pop["teacher_mean"],
        "student_exact_round1": m.round1_risk(s.n, s.N)["risk"],
        "teacher_exact_round0": float(np.mean(m.teacher_risks(s.n))),
    }


def _markdown(s: Setting, data: dict[str, dict]) -> str:
    rows = [
        f"G1_blocks, d = {s.d}, n = {s.n}, N = {s.N}, sigma2 = {s.sigma2:g}, {s.trials} trials; rounds t = 0..{s.T}",
        "",
        "| λ | K | student ER (MC ± SE), t = 1.. | mean teacher ER (MC ± SE), t = 0.. | exact t=1 / t=0 | limit student |",
        "|---|---|---|---|---|---|",
    ]
    for lam in ANCHORS:
        for K in TEACHERS:
            d = data[f"lam={lam:g}"][f"K={K}"]
            st = " / ".join(f"{m:.3f}±{e:.3f}" for m, e in zip(d["student_mc"], d["student_se"], strict=True))
            te = " / ".join(f"{m:.3f}±{e:.3f}" for m, e in zip(d["teacher_mc"], d["teacher_se"], strict=True))
            lim = " / ".join(f"{v:.3f}" for v in d["student_limit"])
            exact = f"{d['student_exact_round1']:.4f} / {d['teacher_exact_round0']:.4f}"
            rows.append(f"| {lam:g} | {K} | {st} | {te} | {exact} | {lim} |")
    return "\n".join(rows) + "\n"


@register(
    "rounds_risk_per_round",
    paper=PAPER,
    description="Rounds: student and mean-teacher risk per round, K = 1, 2, 4, 6 teachers, anchor 0 and 0.5",
)
def rounds_risk_per_round(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    fig, axes = new_figure(2, len(ANCHORS))
    data: dict[str, dict] = {}
    for col, lam in enumerate(ANCHORS):
        panel: dict[str, dict] = {}
        for i, K in enumerate(TEACHERS):
            d = _series(s, K, lam)
            panel[f"K={K}"] = d
            color = SERIES_COLORS[i]
            rounds_s, rounds_t = np.arange(1, s.T + 1), np.arange(0, s.T + 1)
            mc_points(axes[0, col], rounds_s, d["student_mc"], d["student_se"], color)
            axes[0, col].plot(rounds_s, d["student_limit"], "--", color=color, lw=1.2)
            axes[0, col].plot([0.8, 1.2], [d["student_exact_round1"]] * 2, "-", color=color, lw=2.2)
            mc_points(axes[1, col], rounds_t, d["teacher_mc"], d["teacher_se"], color)
            axes[1, col].plot(rounds_t, d["teacher_limit"], "--", color=color, lw=1.2)
            axes[1, col].plot([-0.2, 0.2], [d["teacher_exact_round0"]] * 2, "-", color=color, lw=2.2)
        data[f"lam={lam:g}"] = panel
        axes[0, col].set_title(f"student, anchor $\\lambda$ = {lam:g}", fontsize=9)
        axes[1, col].set_title(f"mean teacher, anchor $\\lambda$ = {lam:g}", fontsize=9)
        for row in range(2):
            axes[row, col].set_xlabel("round $t$")
            axes[row, col].set_ylabel("excess risk $\\|b-\\beta\\|^2$")
            axes[row, col].set_xticks(np.arange(0, s.T + 1))
    data["table"] = {"markdown": _markdown(s, data)}
    outside_legend(
        fig,
        color_key([(f"K = {K} teachers", SERIES_COLORS[i]) for i, K in enumerate(TEACHERS)]),
        style_key(
            ("mc", f"{MC} ({s.trials} trials)"),
            ("-", "exact expectation (teacher round 0, student round 1)"),
            ("--", "population rounds ($n, N\\to\\infty$)"),
        ),
    )
    fig.suptitle(
        f"Teachers and a student learning from each other: diverse teachers with a common core (d = {s.d}, "
        f"$d_s$ = {s.d_s}, $d_k$ = {s.core + 2 * s.block})\n$n$ = {s.n} labels per teacher, fresh pools of "
        f"$N$ = {s.N} per round, $\\sigma^2$ = {s.sigma2:g}, average labels",
        fontsize=10,
    )
    return FigureOutput(fig, data)
