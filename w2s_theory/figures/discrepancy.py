r"""The synthetic figures of "Discrepancies are Virtue" (Dong et al. 2025; the theory is summarised in
``docs/theory/discrepancies.md``), reproduced through the library.

Settings shared by all runs (the authors' ``synthetic.ipynb``): :math:`d=20000`, :math:`d_w=200`,
:math:`d_s=100`, :math:`d_{gt}=300`, spectrum power 1, Rademacher target, 40 trials per point; grids
``linspace(400, 4000, 20)`` cast to int for :math:`n` (at :math:`N=4000`) and for :math:`N` (at
:math:`n=2000`). Fast mode (tests, CI) scales every dimension by 1/10 and uses 3 grid points.

Every MC panel overlays the exact finite-sample expectation (solid), the paper's stated curve (dotted)
and Monte Carlo means ± 1 SE; one legend below the panels names the colours and the line styles. The
Monte Carlo points of an axis run as one curve on the same trials (common random numbers,
:meth:`~w2s_theory.discrepancy.SubspaceModel.simulate_curve`).
PGR/OPR panels show the ratio of mean risks (filled, delta-method SE; it estimates the plotted ratio of
expectations) and the mean of per-trial ratios (hollow: what the authors'
notebook plots). Unlike the notebook's cell 11, the :math:`d_{s\wedge w}=90` figure plots its own data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from w2s_theory._sweep import run_sweep, stack_points, unstack_points
from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.discrepancy import theory as th
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    COLORS,
    EXACT,
    LABELS,
    MC,
    SERIES_COLORS,
    STATED,
    color_key,
    line_handle,
    marker_handle,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
    theory_lines,
)
from w2s_theory.metrics import (
    mean_of_ratios,
    mean_se,
    opr_ratio_of_means,
    per_trial_opr,
    per_trial_pgr,
    pgr_ratio_of_means,
)

PAPER = "Dong et al. 2025"
#: Axis labels: what n and N count in the paper's setting.
XLABELS = {"n": r"$n$ (labelled samples)", "N": r"$N$ (unlabelled samples, teacher pseudo-labels)"}
METRIC_LABELS = {"pgr": "PGR (performance gap recovered)", "opr": "OPR (outperforming ratio)"}
METRIC_DEFS = (
    r"PGR $=(\mathrm{ER}_w-\mathrm{ER}_{w2s})/(\mathrm{ER}_w-\mathrm{ER}_c)$, "
    r"OPR $=\mathrm{ER}_s/\mathrm{ER}_{w2s}$ (w: weak teacher, s: S-Baseline, c: S-Ceiling)"
)
RISKS = ("weak", "strong", "ceiling", "w2s")
METRICS = (("pgr", pgr_ratio_of_means, per_trial_pgr), ("opr", opr_ratio_of_means, per_trial_opr))


@dataclass(frozen=True)
class Setting:
    """Dimensions, trials and grid size of the notebook's runs (``scale`` = 1 is the paper)."""

    d: int
    d_w: int
    d_s: int
    d_gt: int
    trials: int
    grid: int

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        return mode.pick(
            cls(20000, 200, 100, 300, trials=40, grid=20), cls(2000, 20, 10, 30, trials=30, grid=3)
        )

    def d_sw(self, paper_d_sw: int) -> int:
        """The paper's d_sw (out of d_s = 100) in this setting's scale."""
        return paper_d_sw * self.d_s // 100

    def n_grid(self) -> np.ndarray:
        """n from 2 d_w to 20 d_w (paper: 400..4000), at N = 40 d_s."""
        return np.linspace(2 * self.d_w, 20 * self.d_w, self.grid).astype(int)

    def N_grid(self) -> np.ndarray:
        """N from 4 d_s to 40 d_s (paper: 400..4000), at n = 10 d_w."""
        return np.linspace(4 * self.d_s, 40 * self.d_s, self.grid).astype(int)


@lru_cache(maxsize=16)
def _model(d: int, d_w: int, d_s: int, d_gt: int, doff: int, sigma2: float) -> SubspaceModel:
    return SubspaceModel.notebook(
        d=d, d_w=d_w, d_s=d_s, doff=doff, d_gt=d_gt, cov_pow=1.0, sigma2=sigma2, seed=0
    )


def notebook_model(s: Setting, paper_d_sw: int, sigma2: float) -> SubspaceModel:
    """The notebook's model with overlap ``paper_d_sw`` (doff = d_s - d_sw) in setting ``s``."""
    return _model(s.d, s.d_w, s.d_s, s.d_gt, s.d_s - s.d_sw(paper_d_sw), float(sigma2))


def _evaluate(point, key):
    s = Setting(point["d"], point["d_w"], point["d_s"], point["d_gt"], point["trials"], 0)
    model = _model(s.d, s.d_w, s.d_s, s.d_gt, point["doff"], point["sigma2"])
    curve = model.simulate_curve(point["n"], point["N"], trials=point["trials"], seed=key)
    return stack_points([{k: mc[k] for k in RISKS} for mc in curve])


def monte_carlo(s: Setting, paper_d_sw: int, sigma2: float, ns, Ns, mode: Mode, seed: int = 0) -> list[dict]:
    """Per-trial risks at each (n, N) of an axis, as one curve on the same trials
    (:meth:`~w2s_theory.discrepancy.SubspaceModel.simulate_curve`: every normal draw of a trial is shared
    along the axis, the points are paired), through the resumable sweep runner."""
    doff = s.d_s - s.d_sw(paper_d_sw)
    base = dict(d=s.d, d_w=s.d_w, d_s=s.d_s, d_gt=s.d_gt, doff=doff, sigma2=float(sigma2), trials=s.trials)
    point = base | {"n": [int(n) for n in ns], "N": [int(N) for N in Ns]}
    (flat,) = run_sweep(
        [point],
        _evaluate,
        seed=seed,
        store=mode.cache_dir,
        desc=f"d_sw={paper_d_sw} sigma2={sigma2:g}",
        progress=mode.progress,
    )
    return unstack_points(flat)


@dataclass(frozen=True)
class Axis:
    """One column of a figure: the MC grid (ns, Ns) and a fine grid for theory, varying n or N."""

    panel: str
    xlabel: str
    ns: np.ndarray
    Ns: np.ndarray
    n_fine: np.ndarray
    N_fine: np.ndarray

    @property
    def x(self) -> np.ndarray:
        return self.ns if self.xlabel == "n" else self.Ns

    @property
    def x_fine(self) -> np.ndarray:
        return self.n_fine if self.xlabel == "n" else self.N_fine

    @property
    def fixed(self) -> str:
        return f"$N$ = {self.Ns[0]}" if self.xlabel == "n" else f"$n$ = {self.ns[0]}"


def _int_grid(lo: int, hi: int, points: int = 200) -> np.ndarray:
    """About ``points`` whole numbers from ``lo`` to ``hi``: the exact risks are finite-sample expectations,
    defined at integer sample sizes only."""
    return np.unique(np.linspace(lo, hi, points).round().astype(int))


def _axes(s: Setting) -> list[Axis]:
    """The 'vs n' (N = 40 d_s) and 'vs N' (n = 10 d_w) columns."""
    n_mc, N_mc = s.n_grid(), s.N_grid()
    n_fine, N_fine = _int_grid(n_mc[0], n_mc[-1]), _int_grid(N_mc[0], N_mc[-1])
    N0, n0 = 40 * s.d_s, 10 * s.d_w
    return [
        Axis("vs_n", "n", n_mc, np.full_like(n_mc, N0), n_fine, np.full_like(n_fine, N0)),
        Axis("vs_N", "N", np.full_like(N_mc, n0), N_mc, np.full_like(N_fine, n0), N_fine),
    ]


def _exrisk_figure(mode: Mode, paper_d_sw: int, sigma2: float) -> FigureOutput:
    s = Setting.for_mode(mode)
    model = notebook_model(s, paper_d_sw, sigma2)
    fig, axes = new_figure(1, 2)
    data = {}
    params = model.invariants()
    for col, a in enumerate(_axes(s)):
        ax = axes[0, col]
        mc = monte_carlo(s, paper_d_sw, sigma2, a.ns, a.Ns, mode)
        exact_f = th.expected_risks(n=a.n_fine, N=a.N_fine, **params)
        stated_f = th.paper_risks(n=a.n_fine, N=a.N_fine, **params)
        exact_mc = th.expected_risks(n=a.ns, N=a.Ns, **params)
        panel_data = {"x": a.x, "x_fine": a.x_fine}
        for key in RISKS:
            est = [mean_se(point[key]) for point in mc]
            theory_lines(ax, a.x_fine, exact_f[key], stated_f[key], COLORS[key])
            mc_points(ax, a.x, [e.value for e in est], [e.se for e in est], COLORS[key])
            panel_data[key] = {
                "mc_mean": np.array([e.value for e in est]),
                "mc_se": np.array([e.se for e in est]),
                "exact": exact_mc[key],
                "exact_fine": exact_f[key],
                "stated_fine": stated_f[key],
            }
        data[a.panel] = panel_data
        ax.set_yscale("log")
        ax.set_xlabel(XLABELS[a.xlabel])
        ax.set_ylabel("excess risk (test MSE of the fit)")
        ax.set_title(f"vs ${a.xlabel}$ at {a.fixed}", fontsize=9)
    outside_legend(
        fig,
        color_key([(LABELS[k], COLORS[k]) for k in RISKS]),
        style_key(("-", EXACT), (":", STATED), ("mc", f"{MC} ({s.trials} trials, the same along an axis)")),
    )
    fig.suptitle(
        f"{PAPER}: excess risk, "
        rf"$d_{{s\wedge w}}$={model.d_sw:g}, $\sigma^2$={sigma2:g}, "
        rf"$\rho_w$={model.rho_w:.2e}, $\rho_s$={model.rho_s:.2e} "
        rf"($d_w$={s.d_w}, $d_s$={s.d_s})",
        fontsize=10,
    )
    return FigureOutput(fig, data)


@register(
    "exrisk_dsw10", paper=PAPER, description="excess risk vs n and N, d_sw=10, sigma2=1e-2 (cells c8-9)"
)
def exrisk_dsw10(mode: Mode) -> FigureOutput:
    return _exrisk_figure(mode, 10, 1e-2)


@register(
    "exrisk_dsw90", paper=PAPER, description="excess risk vs n and N, d_sw=90 (cells c10-11, bug fixed)"
)
def exrisk_dsw90(mode: Mode) -> FigureOutput:
    return _exrisk_figure(mode, 90, 1e-2)


@register("exrisk_dsw90_biased", paper=PAPER, description="bias-heavy: d_sw=90, sigma2=4e-4 (cells c12-13)")
def exrisk_dsw90_biased(mode: Mode) -> FigureOutput:
    return _exrisk_figure(mode, 90, 4e-4)


def _pgr_opr_figure(mode: Mode, paper_d_sws: tuple[int, ...], sigma2: float) -> FigureOutput:
    s = Setting.for_mode(mode)
    fig, axes = new_figure(2, 2)
    data: dict[str, dict] = {}
    for col, a in enumerate(_axes(s)):
        for i, paper_d_sw in enumerate(paper_d_sws):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            model = notebook_model(s, paper_d_sw, sigma2)
            params = model.invariants()
            mc = monte_carlo(s, paper_d_sw, sigma2, a.ns, a.Ns, mode)
            exact_f = th.expected_risks(n=a.n_fine, N=a.N_fine, **params)
            stated_f = th.paper_risks(n=a.n_fine, N=a.N_fine, **params)
            exact_mc = th.expected_risks(n=a.ns, N=a.Ns, **params)
            series = {}
            for row, (metric, ratio_of_means, per_trial) in enumerate(METRICS):
                ax = axes[row, col]
                rom = [ratio_of_means(point) for point in mc]
                mor = [mean_of_ratios(per_trial(point)) for point in mc]
                theory_lines(ax, a.x_fine, exact_f[metric], stated_f[metric], color)
                mc_points(ax, a.x, [e.value for e in rom], [e.se for e in rom], color)
                mc_points(ax, a.x, [e.value for e in mor], [e.se for e in mor], color, hollow=True)
                series[metric] = {
                    "ratio_of_means": np.array([e.value for e in rom]),
                    "ratio_of_means_se": np.array([e.se for e in rom]),
                    "mean_of_ratios": np.array([e.value for e in mor]),
                    "mean_of_ratios_se": np.array([e.se for e in mor]),
                    "exact": exact_mc[metric],
                    "exact_fine": exact_f[metric],
                    "stated_fine": stated_f[metric],
                }
                ax.set_xlabel(XLABELS[a.xlabel])
                ax.set_ylabel(METRIC_LABELS[metric])
            data.setdefault(a.panel, {"x": a.x, "x_fine": a.x_fine})[f"d_sw={paper_d_sw}"] = series
        axes[0, col].set_title(f"vs ${a.xlabel}$ at {a.fixed}", fontsize=9)
    for ax in axes[1]:
        ax.axhline(1.0, color="grey", ls="--", lw=1)
    d_sws = [notebook_model(s, d, sigma2).d_sw for d in paper_d_sws]
    outside_legend(
        fig,
        color_key(
            [
                (rf"$d_{{s\wedge w}}$={d:g}", SERIES_COLORS[i % len(SERIES_COLORS)])
                for i, d in enumerate(d_sws)
            ]
        ),
        style_key(("-", f"{EXACT} (ratio of expectations)"), (":", STATED)),
        style_key(
            ("mc", f"MC ratio of mean risks ± 1 SE ({s.trials} trials, the same along an axis)"),
            ("mc_hollow", "MC mean of per-trial ratios ± 1 SE"),
        ),
        [line_handle("OPR = 1 (W2S beats the S-Baseline above)", color="grey", ls="--", lw=1)],
    )
    fig.suptitle(
        f"{PAPER}: PGR and OPR, $\\sigma^2$={sigma2:g}, $d_w$={s.d_w}, $d_s$={s.d_s}\n{METRIC_DEFS}",
        fontsize=10,
    )
    return FigureOutput(fig, data)


@register("pgr_opr_vardom", paper=PAPER, description="PGR/OPR vs n, N for d_sw in 10, 50, 90 (cells c16-17)")
def pgr_opr_vardom(mode: Mode) -> FigureOutput:
    return _pgr_opr_figure(mode, (10, 50, 90), 1e-2)


@register(
    "pgr_opr_dsw_80_40_0", paper=PAPER, description="PGR/OPR vs n, N for d_sw in 80, 40, 0 (cells c18-19)"
)
def pgr_opr_dsw_80_40_0(mode: Mode) -> FigureOutput:
    return _pgr_opr_figure(mode, (80, 40, 0), 1e-2)


@register(
    "pgr_opr_sigma2_0.1", paper=PAPER, description="PGR/OPR vs n, N, d_sw 10/50/90, sigma2=0.1 (c20-21)"
)
def pgr_opr_sigma2_high(mode: Mode) -> FigureOutput:
    return _pgr_opr_figure(mode, (10, 50, 90), 1e-1)


#: The theory-only figure's parameters (the authors' synthetic notebook, cell 2).
BOUND_PARAMS = dict(d_w=100, d_s=80, d_sw=10, sigma2=1.0, rho=0.1)


@register(
    "pgr_opr_lower_bounds", paper=PAPER, description="theory only: PGR/OPR lower bounds vs N and n (cell c2)"
)
def pgr_opr_lower_bounds(mode: Mode) -> FigureOutput:
    """The PGR and OPR lower bounds (``docs/theory/discrepancies.md`` §6). Left: vs N in [160, 4000] for n in
    {220, 510, 800}; right: vs n in [110, 600] for N in {1600, 2800, 4000}, with the maximiser n* marked
    (stars); dotted verticals: the N beyond which the OPR bound exceeds 1 (closed form
    ``N_for_opr_above_1``)."""
    p = BOUND_PARAMS
    N_axis = np.linspace(160, 4000, mode.pick(400, 50))
    n_axis = np.linspace(110, 600, mode.pick(400, 50))
    fig, axes = new_figure(2, 2)
    data: dict[str, dict] = {"vs_N": {"x": N_axis}, "vs_n": {"x": n_axis}}
    for i, n in enumerate((220, 510, 800)):
        c = SERIES_COLORS[i]
        pgr = th.pgr_lower_bound(n=n, N=N_axis, **p)
        opr = th.opr_lower_bound(n=n, N=N_axis, **p)
        N_min = float(th.N_for_opr_above_1(n=n, **p))
        axes[0, 0].plot(N_axis, pgr, color=c, label=f"$n$={n}")
        axes[1, 0].plot(N_axis, opr, color=c, label=f"$n$={n}")
        if np.isfinite(N_min):
            axes[1, 0].axvline(N_min, color=c, ls=":", lw=1)
        data["vs_N"][f"n={n}"] = {"pgr": pgr, "opr": opr, "N_for_opr_above_1": N_min}
    for i, N in enumerate((1600, 2800, 4000)):
        c = SERIES_COLORS[i]
        pgr = th.pgr_lower_bound(n=n_axis, N=N, **p)
        opr = th.opr_lower_bound(n=n_axis, N=N, **p)
        n_star = float(th.n_star(N=N, **p))
        axes[0, 1].plot(n_axis, pgr, color=c, label=f"$N$={N}")
        axes[1, 1].plot(n_axis, opr, color=c, label=f"$N$={N}")
        for row, curve in ((0, th.pgr_lower_bound), (1, th.opr_lower_bound)):
            axes[row, 1].plot([n_star], [float(curve(n=n_star, N=N, **p))], "*", color=c, ms=9)
        data["vs_n"][f"N={N}"] = {"pgr": pgr, "opr": opr, "n_star": n_star}
    extra = {
        (1, 0): [line_handle("$N$ beyond which the OPR bound > 1", color="grey", ls=":", lw=1)],
        (0, 1): [marker_handle("maximiser $n^*$", color="grey", marker="*", ms=9)],
        (1, 1): [marker_handle("maximiser $n^*$", color="grey", marker="*", ms=9)],
    }
    for (row, col), ax in np.ndenumerate(axes):
        ax.axhline(1.0, color="grey", ls="--", lw=1)
        handles = ax.get_legend_handles_labels()[0] + extra.get((row, col), [])
        ax.legend(handles=handles, fontsize=7, loc="lower right" if row == 0 else "best")
    for row, name in enumerate(("PGR", "OPR")):
        for col in range(2):
            axes[row, col].set_ylabel(f"{METRIC_LABELS[name.lower()]}: lower bound", fontsize=9)
    for col, var in enumerate(("N", "n")):
        for row in range(2):
            axes[row, col].set_xlabel(XLABELS[var])
        axes[0, col].set_title(f"vs ${var}$ at fixed ${'nN'[col]}$", fontsize=9)
    axes[0, 0].set_ylim(-0.5, 1.05)
    axes[0, 1].set_ylim(-0.5, 1.05)
    fig.suptitle(
        f"{PAPER}: PGR and OPR lower bounds (theory only; docs/theory/discrepancies.md)\n"
        r"$d_w$=100, $d_s$=80, $d_{s\wedge w}$=10, $\sigma^2$=1, $\rho_s+\rho_w$=0.1",
        fontsize=10,
    )
    return FigureOutput(fig, data)
