r"""Figures of issue 6: Enhanced-W2S (spec §3) in the classification group model.

* ``remedy_scenarios``: the paper's table in this model: accuracy of teacher, vanilla W2S and
  Enhanced-W2S in the mismatch scenarios :math:`(\eta_o,0.5)`, :math:`(0.5,\eta_o)` and the matched case,
  :math:`\eta_o\in\{0.05,0.1,0.2\}`, least-squares and logistic heads; the markdown table is in
  ``data["table"]["markdown"]`` (and written next to the PNG by ``reproduce``).
* ``remedy_ablations``: accuracy and :math:`\eta_u^{\rm eff}` against ``p``, accuracy against ``q``, and
  the regression-theory overlay of the :math:`\eta_u^{\rm eff}` mechanism, per scenario at
  :math:`\eta_o=0.1`.

Monte Carlo as markers ± 1 SE, leading-order theory (hard groups, spec §2.8, mapped to accuracy) as lines.
"""

from __future__ import annotations

import numpy as np

from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import SERIES_COLORS, mc_points, new_figure
from w2s_theory.metrics import mean_se
from w2s_theory.remedy.experiments import (
    SCENARIOS,
    Setting,
    markdown_table,
    mechanism_prediction,
    paired,
    run_points,
    scenario_fractions,
    scenario_table,
    theory_accuracy,
)

PAPER = "Liu, Dong, Lei 2026 (Enhanced-W2S)"
LEARNER_COLORS = {
    "teacher": "tab:orange",
    "w2s": "tab:blue",
    "enhanced": "tab:red",
    "enhanced_scratch": "tab:purple",
    "subset_ls": "tab:green",
    "enhanced_self": "tab:brown",
}
LEARNER_LABELS = {
    "teacher": "teacher",
    "w2s": "vanilla W2S",
    "enhanced": "Enhanced (from W2S)",
    "enhanced_scratch": "Enhanced (scratch)",
    "subset_ls": "LS W2S on kept subset",
    "enhanced_self": "Enhanced, student labels",
}


def _setting(mode: Mode) -> Setting:
    return mode.pick(Setting(trials=200), Setting(d_z=10, n=200, N=500, trials=40))


@register("remedy_scenarios", paper=PAPER, description="teacher / W2S / Enhanced-W2S accuracy per scenario")
def remedy_scenarios(mode: Mode) -> FigureOutput:
    s = _setting(mode)
    eta_os = mode.pick((0.05, 0.1, 0.2), (0.1,))
    heads = mode.pick(("squares", "logistic"), ("squares",))
    inits = mode.pick(("w2s", "scratch"), ("w2s",))
    rows = scenario_table(s, eta_os, heads, inits=inits, seed=0, store=mode.cache_dir, progress=mode.progress)
    fig, axes = new_figure(len(heads), len(SCENARIOS), width=4.6, height=3.6)
    data: dict = {"table": {"markdown": markdown_table(rows, s)}}
    fine = np.linspace(min(eta_os) * 0.5, max(eta_os) * 1.2, 25)
    for i, h in enumerate(heads):
        for j, sc in enumerate(SCENARIOS):
            ax = axes[i, j]
            sel = [r for r in rows if r["head"] == h and r["scenario"] == sc]
            x = np.array([r["eta_o"] for r in sel])
            panel = {"eta_o": x}
            for who in ("teacher", "w2s", "enhanced", "enhanced_scratch"):
                if sel[0][who] is None:
                    continue
                mean = np.array([r[who].value for r in sel])
                se = np.array([r[who].se for r in sel])
                panel[who] = mean
                panel[f"{who}_se"] = se
                mc_points(ax, x, 100 * mean, 100 * se, LEARNER_COLORS[who], LEARNER_LABELS[who])
            panel["eta_u_eff"] = np.array([r["eta_u_eff"].value for r in sel])
            panel["gain"] = np.array([r["gain"].value for r in sel])
            panel["gain_se"] = np.array([r["gain"].se for r in sel])
            if h == "squares":
                for who, th_who in (("teacher", "teacher"), ("w2s", "student")):
                    th = [theory_accuracy(s, *scenario_fractions(sc, eo), s.N, th_who)["acc"] for eo in fine]
                    ax.plot(fine, 100 * np.array(th), "-", color=LEARNER_COLORS[who], lw=1.2, alpha=0.8)
                    panel[f"{who}_theory"] = np.array(
                        [theory_accuracy(s, *scenario_fractions(sc, eo), s.N, th_who)["acc"] for eo in x]
                    )
            ax.axhline(100 * s.task().bayes_accuracy, color="k", ls=":", lw=1)
            ax.set_title(f"{h}: {sc}", fontsize=9)
            ax.set_xlabel(r"$\eta_o$")
            ax.set_ylabel("accuracy on D(η_t) (%)")
            data[f"{h}:{sc}"] = panel
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"Enhanced-W2S (p={s.p}, q={s.q}) vs vanilla W2S; lines: leading-order theory (LS)")
    return FigureOutput(fig, data)


@register("remedy_ablations", paper=PAPER, description="Enhanced-W2S vs p and q, eta_u_eff, theory overlay")
def remedy_ablations(mode: Mode) -> FigureOutput:
    s = _setting(mode)
    eta_o = 0.1
    ps = mode.pick((0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0), (0.5,))
    qs = mode.pick((0.1, 0.3, 0.5, 0.7, 1.0), (0.7,))
    fig, axes = new_figure(len(SCENARIOS), 4, width=4.2, height=3.4)
    data: dict = {}
    for i, sc in enumerate(SCENARIOS):
        eta_l, eta_u = scenario_fractions(sc, eta_o)
        base = dict(eta_l=eta_l, eta_u=eta_u)
        by_p = run_points(s, [base | dict(p=p) for p in ps], store=mode.cache_dir, progress=mode.progress)
        # fast mode: one compiled program for both figures (p = 0.5, teacher pseudolabels only)
        self_p = None
        if not mode.fast:
            points = [base | dict(p=p, pseudolabels="student") for p in ps]
            self_p = run_points(s, points, store=mode.cache_dir, progress=mode.progress)
        by_q = run_points(s, [base | dict(q=q) for q in qs], store=mode.cache_dir, progress=mode.progress)
        panel: dict = {"p": np.array(ps), "q": np.array(qs), "eta_l": eta_l, "eta_u": eta_u}
        ax = axes[i, 0]
        w2s = mean_se(np.concatenate([r["w2s_acc"] for r in by_p[:1]]))
        ax.axhspan(
            100 * (w2s.value - w2s.se), 100 * (w2s.value + w2s.se), color=LEARNER_COLORS["w2s"], alpha=0.3
        )
        ax.axhline(100 * w2s.value, color=LEARNER_COLORS["w2s"], lw=1, label=LEARNER_LABELS["w2s"])
        for who, res, key in (
            ("enhanced", by_p, "enhanced_acc"),
            ("subset_ls", by_p, "subset_ls_acc"),
            ("enhanced_self", self_p, "enhanced_acc"),
        ):
            if res is None:
                continue
            est = [mean_se(r[key]) for r in res]
            gain = [paired(r[key], r["w2s_acc"]) for r in res]
            panel[who] = np.array([e.value for e in est])
            panel[f"{who}_gain"] = np.array([g.value for g in gain])
            panel[f"{who}_gain_se"] = np.array([g.se for g in gain])
            mc_points(
                ax,
                ps,
                [100 * e.value for e in est],
                [100 * e.se for e in est],
                LEARNER_COLORS[who],
                LEARNER_LABELS[who],
            )
        ax.set_xlabel("kept fraction p")
        ax.set_ylabel(f"{sc}: accuracy (%)")
        ax = axes[i, 1]
        eff = [mean_se(r["eta_u_eff"]) for r in by_p]
        panel["eta_u_eff"] = np.array([e.value for e in eff])
        panel["eta_u_eff_se"] = np.array([e.se for e in eff])
        mc_points(ax, ps, panel["eta_u_eff"], panel["eta_u_eff_se"], SERIES_COLORS[0], r"$\eta_u^{\rm eff}$")
        ax.axhline(eta_u, color="k", ls="--", lw=1, label=r"$\eta_u$")
        ax.axhline(eta_l, color="tab:orange", ls=":", lw=1.5, label=r"$\eta_\ell$")
        ax.set_xlabel("kept fraction p")
        ax.set_ylabel("minority fraction of kept set")
        ax = axes[i, 2]
        est = [mean_se(r["enhanced_acc"]) for r in by_q]
        panel["enhanced_vs_q"] = np.array([e.value for e in est])
        mc_points(
            ax,
            qs,
            [100 * e.value for e in est],
            [100 * e.se for e in est],
            LEARNER_COLORS["enhanced"],
            f"Enhanced (p={s.p})",
        )
        ax.axhline(100 * w2s.value, color=LEARNER_COLORS["w2s"], lw=1, label=LEARNER_LABELS["w2s"])
        ax.set_xlabel("GCE exponent q")
        ax.set_ylabel("accuracy (%)")
        ax = axes[i, 3]
        pred = [mechanism_prediction(s, eta_l, eta_u, e.value, p) for e, p in zip(eff, ps, strict=True)]
        panel["predicted_shift"] = np.array([d["shift"] for d in pred])
        panel["predicted_shift_and_size"] = np.array([d["shift_and_size"] for d in pred])
        for who, marker in (("subset_ls", "o"), ("enhanced", "s")):
            ax.errorbar(
                100 * panel["predicted_shift_and_size"],
                100 * panel[f"{who}_gain"],
                yerr=100 * panel[f"{who}_gain_se"],
                fmt=marker,
                ms=4,
                capsize=2,
                color=LEARNER_COLORS[who],
                label=f"{LEARNER_LABELS[who]} − W2S",
            )
        lim = np.array(ax.get_xlim() + ax.get_ylim())
        lo, hi = lim.min(), lim.max()
        ax.plot([lo, hi], [lo, hi], "k:", lw=1, label="y = x")
        ax.set_xlabel(r"theory: acc($\eta_u^{\rm eff}$, pN) − acc($\eta_u$, N) (pts)")
        ax.set_ylabel("measured gain (pts)")
        data[sc] = panel
    for ax in axes[0]:
        ax.legend(fontsize=6)
    fig.suptitle(f"Enhanced-W2S ablations at eta_o = {eta_o} (rows: scenarios {', '.join(SCENARIOS)})")
    return FigureOutput(fig, data)
