r"""Figure of the multi-teacher family (theory: ``docs/theory/multiteacher.md``; the linear-Gaussian
analogue of AE-KD, Du et al., NeurIPS 2020).

* ``multiteacher_weights``: the student's risk under uniform, optimal (simplex), inverse-variance and
  AE-KD-rule weights as the fourth teacher's labelled sample size :math:`n_4` approaches :math:`d_4`, for a
  redundant and a complementary fourth teacher (the coverage example,
  :mod:`w2s_theory.multiteacher.examples`); bottom row: the weight each rule gives teacher 4.

Exact expectations are lines; Monte Carlo means ± 1 SE are markers (at :math:`n_4-d_4\ge4`, where the
risk has finite variance; every :math:`n_4` on the same trials,
:meth:`~w2s_theory.multiteacher.MultiTeacherModel.simulate_curve`). AE-KD's rule is estimated from each trial's data (the min-norm point of the
per-teacher distillation gradients at the uniformly weighted student), so it has markers only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
from w2s_theory.metrics import mean_se
from w2s_theory.multiteacher import MultiTeacherModel

PAPER = "AE-KD (Du et al., NeurIPS 2020), multi-teacher analogue"
RULES = ("uniform", "simplex", "inverse_variance")
LABELS = {
    "uniform": "uniform",
    "simplex": r"optimal $\alpha^*$ (simplex)",
    "inverse_variance": "inverse variance",
    "aekd": "AE-KD rule (from data)",
}
COLORS = dict(zip((*RULES, "aekd"), SERIES_COLORS, strict=False))
CASE_TITLES = {
    "redundant": "teacher 4 redundant (covers what 1-3 cover)",
    "complementary": "teacher 4 complementary (covers 4 directions 1-3 miss)",
}
N_STRONG, N_TRANSFER, D4 = 40, 30, 12
GAP_TICKS = (2, 3, 4, 6, 8, 16, 40)


@dataclass(frozen=True)
class Setting:
    gaps_mc: tuple[int, ...]
    trials: int
    cap: float

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        return mode.pick(cls((4, 6, 8, 16, 40), 20000, 1.0), cls((4, 40), 400, 1.0))


def _exact_curves(model: MultiTeacherModel, gaps: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, list] = {f"{rule}_{k}": [] for rule in RULES for k in ("risk", "w4")}
    for g in gaps:
        q = model.expected([N_STRONG] * 3 + [D4 + int(g)], N_TRANSFER)
        for rule in RULES:
            a = q.weights(rule)
            out[f"{rule}_risk"].append(q.risk(a))
            out[f"{rule}_w4"].append(a[3])
    return {k: np.array(v) for k, v in out.items()}


def _monte_carlo(model: MultiTeacherModel, gaps: tuple[int, ...], s: Setting) -> dict[str, np.ndarray]:
    out: dict[str, list] = {}
    points = [[N_STRONG] * 3 + [D4 + g] for g in gaps]
    curve = model.simulate_curve(
        points, N_TRANSFER, trials=s.trials, seed=100
    )  # every gap on the same trials
    for n, mc in zip(points, curve, strict=True):
        q = model.expected(n, N_TRANSFER)
        series = {rule: model.weighted_risk(mc, q.weights(rule)) for rule in RULES}
        aekd = model.aekd(mc, cap=s.cap)
        series["aekd"] = aekd["risk"]
        for key, values in series.items():
            est = mean_se(values)
            out.setdefault(f"{key}_mean", []).append(est.value)
            out.setdefault(f"{key}_se", []).append(est.se)
        out.setdefault("aekd_w4", []).append(float(aekd["weights"][:, 3].mean()))
    return {k: np.array(v) for k, v in out.items()}


def _gap_axis(ax) -> None:
    """Log-scaled ``n_4 - d_4`` axis with plain integer ticks."""
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax.set_xscale("log")
    ax.set_xticks(GAP_TICKS)
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"$n_4-d_4$ (teacher 4's labels beyond its dimension)")


def _table(data: dict) -> str:
    lines = [
        "| teacher 4 | n4 - d4 | rule | exact E ER | MC mean ± SE | weight of teacher 4 |",
        "|---|---|---|---|---|---|",
    ]
    for case, d in data.items():
        for i, g in enumerate(d["gaps_mc"]):
            j = int(np.flatnonzero(d["gaps"] == g)[0])
            for rule in (*RULES, "aekd"):
                exact = f"{d['exact'][f'{rule}_risk'][j]:.4f}" if rule != "aekd" else "(MC only)"
                w4 = d["exact"][f"{rule}_w4"][j] if rule != "aekd" else d["mc"]["aekd_w4"][i]
                lines.append(
                    f"| {case} | {g} | {LABELS[rule]} | {exact} | {d['mc'][f'{rule}_mean'][i]:.4f} ± "
                    f"{d['mc'][f'{rule}_se'][i]:.4f} | {w4:.3f} |"
                )
    return "\n".join(lines) + "\n"


@register(
    "multiteacher_weights",
    paper=PAPER,
    description="Several weak teachers: uniform vs optimal vs inverse-variance vs AE-KD weights as n4 -> d4",
)
def multiteacher_weights(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    gaps = np.unique(np.concatenate([np.arange(2, 41), s.gaps_mc]))
    fig, axes = new_figure(2, 2)
    data: dict[str, dict] = {}
    for col, case in enumerate(("redundant", "complementary")):
        model = MultiTeacherModel.coverage(case)
        exact = _exact_curves(model, gaps)
        mc = _monte_carlo(model, s.gaps_mc, s)
        for rule in RULES:
            axes[0, col].plot(gaps, exact[f"{rule}_risk"], "-", color=COLORS[rule], lw=1.6)
            axes[1, col].plot(gaps, exact[f"{rule}_w4"], "-", color=COLORS[rule], lw=1.6)
        for rule in (*RULES, "aekd"):
            mc_points(axes[0, col], s.gaps_mc, mc[f"{rule}_mean"], mc[f"{rule}_se"], COLORS[rule])
        axes[1, col].plot(s.gaps_mc, mc["aekd_w4"], "o", color=COLORS["aekd"], ms=5)
        axes[0, col].set_ylabel("student excess risk E ER")
        axes[1, col].set_ylabel("weight of teacher 4")
        for row in range(2):
            _gap_axis(axes[row, col])
        axes[0, col].set_title(CASE_TITLES[case], fontsize=9)
        data[case] = {"gaps": gaps, "gaps_mc": np.array(s.gaps_mc), "exact": exact, "mc": mc}
    outside_legend(
        fig,
        color_key([(LABELS[k], COLORS[k]) for k in (*RULES, "aekd")]),
        style_key(
            ("-", EXACT),
            ("mc", f"{MC} ({s.trials} trials, the same at every $n_4$; AE-KD cap C = {s.cap:g})"),
        ),
    )
    fig.suptitle(
        "Four weak teachers, one student (d=40, d_s=16, N=30, teachers 1-3: d=12, n=40; teacher 4: d=12)",
        fontsize=10,
    )
    data["table"] = {"markdown": _table(data)}
    return FigureOutput(fig, data)
