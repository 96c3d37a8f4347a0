r"""Figure of W2SR's Reasoning Gap Recovered (Yuan et al. 2025) for iso-accuracy teachers
(theory: ``docs/theory/rgr.md``).

* ``rgr_iso_accuracy``: (a) exact RGR vs ``N`` for teachers of the same risk :math:`\mathrm{ER}_{weak}=2.5`
  (:mod:`w2s_theory.rgr.teachers`), Monte Carlo ratio-of-means ± 1 SE on top; every in-span teacher lies on
  one line whatever its variance/bias split; the null-space teacher leads for :math:`N>2d_s+1` and trails
  below. (b) Where each teacher's error lies: the exact split :math:`\varepsilon_{vis}`,
  :math:`\varepsilon_{inv}`, :math:`\eta_{inv}` with Monte Carlo means.

The Monte Carlo points of a teacher are one curve in ``N`` on the same trials
(:meth:`~w2s_theory.rgr.RGRModel.simulate_curve`). Fast mode (tests) uses 1024 trials, three teachers and two
values of ``N``.
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
from w2s_theory.metrics import mean_se, rgr_ratio_of_means
from w2s_theory.rgr import RGRModel
from w2s_theory.rgr.family import FAMILY

PAPER = "W2SR (Yuan et al. 2025) in the subspace model"
ER_WEAK = 2.5
CHUNK = 256
#: Teachers drawn as lines (the in-span ones share one line; "in-span (10)" stands for all of them).
LINES = {
    "in-span (10)": ("in-span teachers (10 or 5 dims, n, 2n, 8n): one line", SERIES_COLORS[0]),
    "student span + null": ("student span + null directions", SERIES_COLORS[1]),
    "tilted": ("tilted (general principal angles)", SERIES_COLORS[2]),
    "student span + outside signal": ("student span + signal outside it", SERIES_COLORS[3]),
}
SHORT = {
    "in-span (10)": "in-span",
    "student span + null": "span + null",
    "tilted": "tilted",
    "student span + outside signal": "span + outside",
}
SPLIT = {"eps_vis": r"$\varepsilon_{vis}$", "eps_inv": r"$\varepsilon_{inv}$", "eta_inv": r"$\eta_{inv}$"}
SPLIT_COLORS = {"eps_vis": "tab:gray", "eps_inv": "tab:brown", "eta_inv": "tab:olive"}


@dataclass(frozen=True)
class Setting:
    trials: int
    N_mc: tuple[int, ...]
    teachers_mc: tuple[str, ...]

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        full = cls(20_480, (24, 32, 40, 60, 100), tuple(LINES))
        fast = cls(1024, (24, 40), ("in-span (10)", "student span + null", "student span + outside signal"))
        return mode.pick(full, fast)


def exact_curves(N: np.ndarray, er_weak: float = ER_WEAK) -> dict[str, dict[str, np.ndarray]]:
    """Exact RGR (and the risks) of every iso-accuracy teacher on the grid ``N``."""
    return {name: m.expected_risks(n, N) for name, (m, n) in RGRModel.iso_accuracy_teachers(er_weak).items()}


@register(
    "rgr_iso_accuracy",
    paper=PAPER,
    description="W2SR: RGR vs N for teachers of equal accuracy, and where their error lies",
)
def rgr_iso_accuracy(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    teachers = RGRModel.iso_accuracy_teachers(ER_WEAK)
    any_model = next(iter(teachers.values()))[0]
    N_fine = np.arange(any_model.smallest_N_with_gap() + 1, 121)
    curves = exact_curves(N_fine)
    fig, axes = new_figure(1, 2, width=5.4)
    ax, bars = axes[0, 0], axes[0, 1]
    data: dict = {"N_fine": N_fine, "rgr": {}, "split": {}}
    for name, (_, color) in LINES.items():
        ax.plot(N_fine, curves[name]["rgr"], "-", color=color, lw=1.6)
        data["rgr"][name] = {"exact_fine": curves[name]["rgr"]}
    for i, name in enumerate(s.teachers_mc):
        m, n = teachers[name]
        # one curve in N on the same trials (every normal draw shared, the points paired); seed 0 for
        # every teacher, so the teachers are compared on the same draws too
        runs = dict(zip(s.N_mc, m.simulate_curve(n, s.N_mc, s.trials, 0, chunk_size=CHUNK), strict=True))
        est = [rgr_ratio_of_means(runs[N], FAMILY.roles, floor=m.rounding_floor) for N in s.N_mc]
        mean, se = np.array([e.value for e in est]), np.array([e.se for e in est])
        mc_points(ax, s.N_mc, mean, se, LINES[name][1])
        exact = np.array([m.expected_risks(n, N)["rgr"] for N in s.N_mc])
        data["rgr"][name] |= {"N": np.array(s.N_mc), "mc_mean": mean, "mc_se": se, "exact": exact}
        split_exact = m.expected_risks(n, s.N_mc[-1])
        split_mc = {k: mean_se(runs[s.N_mc[-1]][k]) for k in SPLIT}
        for j, key in enumerate(SPLIT):
            x = i + (j - 1) * 0.27
            bars.bar(x, split_exact[key], width=0.25, color=SPLIT_COLORS[key])
            mc_points(bars, [x], [split_mc[key].value], [split_mc[key].se], "k")
        data["split"][name] = {
            "exact": {k: split_exact[k] for k in SPLIT},
            "mc_mean": {k: split_mc[k].value for k in SPLIT},
            "mc_se": {k: split_mc[k].se for k in SPLIT},
            "n": n,
        }
    ax.axhline(0.0, color="grey", lw=1)
    ax.set_ylim(-1.5, 2.6)
    ax.axvline(2 * any_model.d_s + 1, color="grey", ls=":", lw=1)
    ax.set_xlabel("$N$ (student's points: teacher labels for W2S, true labels for the ceiling)")
    ax.set_ylabel("RGR (reasoning gap recovered)")
    ax.set_title(f"(a) same teacher risk {ER_WEAK:g}; dotted: $N=2d_s+1$ ($\\kappa_N=1$)", fontsize=9)
    bars.set_xticks(range(len(s.teachers_mc)), [SHORT[t] for t in s.teachers_mc], fontsize=8)
    bars.set_ylabel("teacher error component")
    bars.set_title("(b) where the error lies (bars exact, dots MC)", fontsize=9)
    outside_legend(
        fig,
        color_key(list(LINES.values())),
        color_key([(SPLIT[k], SPLIT_COLORS[k]) for k in SPLIT]),
        style_key(
            ("-", EXACT),
            ("mc", f"{MC} ({s.trials} trials, the same along a curve; RGR: ratio of mean risks)"),
        ),
    )
    fig.suptitle(
        f"Iso-accuracy teachers ($\\mathbb{{E}}\\,$ER$_{{weak}}$ = {ER_WEAK:g}), $d_s$ = {any_model.d_s}, "
        f"$\\|P_s\\beta\\|^2$ = 4, $\\rho_s$ = 1, $\\sigma^2$ = {any_model.sigma2:g}",
        fontsize=10,
    )
    return FigureOutput(fig, data)
