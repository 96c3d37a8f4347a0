r"""Figures for the group-imbalance theory (Liu, Dong, Lei 2026; spec §4.1, §5), through the library.

The paper's Fig. 2/3 parameters are unknown (spec §4.1), so every panel uses the spec's canonical
configuration C0 (§5): :math:`p=5`, :math:`p_T=4`, :math:`p_S=3`, :math:`\|\mu_T\|^2=9`,
:math:`\sigma_\xi^2=\sigma_y^2=1`, :math:`\eta_\ell=0.1`, :math:`\eta_t=0.5`,
:math:`\gamma_z=\nu_z=0.05` unless a panel varies them. Gains are in units of :math:`\sigma_y^2\gamma_z`.

Every panel: theory lines (F3, the exact proportional limit: solid; F1, the documented leading order:
dashed; hard model: its leading order, dash-dot) and Monte Carlo means :math:`\pm1` SE (noise-averaged
estimator of spec §2.9) at :math:`d_z=200` (full) or :math:`d_z=20` (fast, for tests). MC points run
through the resumable sweep runner :func:`w2s_theory._sweep.run_sweep`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory._sweep import run_sweep
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import SERIES_COLORS, mc_points, new_figure
from w2s_theory.metrics import mean_se
from w2s_theory.spurious import SpuriousModel
from w2s_theory.spurious import theory as th

PAPER = "Liu, Dong, Lei 2026"
ETA_L, ETA_T, GAMMA = 0.1, 0.5, 0.05


@dataclass(frozen=True)
class Setting:
    """Core dimension, trials per point and the eta_u grid of the MC points."""

    d_z: int
    trials: int
    eta_us: tuple[float, ...]

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        return mode.pick(
            cls(200, 6, (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)),
            cls(20, 3, (0.0, 0.1, 0.7)),
        )

    def n(self, gamma_z: float) -> int:
        return round(self.d_z / gamma_z)


ETA_FINE = np.linspace(0.0, 1.0, 101)


def _model(point: dict) -> SpuriousModel:
    return SpuriousModel.canonical(
        point["d_z"], c=point["c"], m=point["m"], m4=point["m4"], group_model=point["group_model"]
    )


def _evaluate(point, key):
    mc = _model(point).simulate(
        point["n"],
        point["N"],
        point["eta_l"],
        point["eta_u"],
        point["eta_t"],
        trials=point["trials"],
        seed=key,
    )
    return {k: mc[k] for k in ("teacher", "student", "gain")}


def _mc_gain(s: Setting, mode: Mode, desc: str, eta_us, nu_z=GAMMA, eta_t=ETA_T, **geometry) -> list:
    """MC gain estimates (units sigma_y^2 gamma_z) at each eta_u for one C0 geometry."""
    base = dict(d_z=s.d_z, n=s.n(GAMMA), N=s.n(nu_z), eta_l=ETA_L, eta_t=eta_t, trials=s.trials)
    base |= dict(c=0.0, m=3.0, m4=0.0, group_model="soft") | geometry
    points = [base | {"eta_u": float(e)} for e in eta_us]
    out = run_sweep(points, _evaluate, seed=0, store=mode.cache_dir, desc=desc, progress=mode.progress)
    return [mean_se(r["gain"] / GAMMA) for r in out]


def _theory(model: SpuriousModel, nu_z: float, eta_u, form: str, eta_t=ETA_T) -> np.ndarray:
    return th.risks_at(model, GAMMA, nu_z, ETA_L, eta_u, eta_t, form)["gain"] / (model.sigma_y2 * GAMMA)


def _series(ax, s, mode, label, color, nu_z=GAMMA, **geometry) -> dict:
    """Theory lines (F3 solid, F1 dashed; hard: LO dash-dot) and MC points of one gain-vs-eta_u curve."""
    model = _model(dict(d_z=s.d_z, c=0.0, m=3.0, m4=0.0, group_model="soft") | geometry)
    est = _mc_gain(s, mode, label, s.eta_us, nu_z=nu_z, **geometry)
    out = {"x": np.array(s.eta_us), "mc_mean": np.array([e.value for e in est])}
    out["mc_se"] = np.array([e.se for e in est])
    if model.group_model == "hard":
        out["lo"], out["lo_fine"] = (
            _theory(model, nu_z, out["x"], "leading"),
            _theory(model, nu_z, ETA_FINE, "leading"),
        )
        ax.plot(ETA_FINE, out["lo_fine"], "-.", color=color, lw=1.4)
    else:
        for form, style in (("limit", "-"), ("leading", "--")):
            out[form] = _theory(model, nu_z, out["x"], form)
            out[f"{form}_fine"] = _theory(model, nu_z, ETA_FINE, form)
            ax.plot(ETA_FINE, out[f"{form}_fine"], style, color=color, lw=1.4 if form == "limit" else 1.0)
    mc_points(ax, out["x"], out["mc_mean"], out["mc_se"], color, label)
    return out


def _finish(ax, title: str) -> None:
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel(r"$\eta_u$ (unlabelled minority fraction)")
    ax.set_ylabel(r"W2S gain / $\sigma_y^2\gamma_z$")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)


def _caption(s: Setting) -> str:
    return f"lines: F3 (solid), F1 (dashed); points: MC ±1 SE, d_z={s.d_z}, {s.trials} trials"


@register(
    "spurious_gain_vs_xi", paper=PAPER, description="gain vs eta_u for several ||Xi||_F^2 (Fig. 2 analogue)"
)
def gain_vs_xi(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    fig, axes = new_figure(1, 1, width=6.0)
    ax = axes[0, 0]
    data = {}
    for color, c in zip(SERIES_COLORS, (0.0, 0.25, 0.5, 0.75), strict=False):
        data[f"xi2={c}"] = _series(ax, s, mode, rf"$\|\Xi\|_F^2$={c}", color, c=c)
    _finish(
        ax, r"C0, $\|\mu_T\|^2$=9, $\gamma_z=\nu_z$=.05, $\eta_\ell$=.1, $\eta_t$=.5" + "\n" + _caption(s)
    )
    return FigureOutput(fig, {"gain": data})


@register("spurious_gain_vs_nu", paper=PAPER, description="gain vs eta_u for several nu_z (Fig. 2 analogue)")
def gain_vs_nu(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    fig, axes = new_figure(1, 1, width=6.0)
    ax = axes[0, 0]
    data = {}
    for color, nu in zip(SERIES_COLORS, (0.02, 0.05, 0.1, 0.2), strict=False):
        data[f"nu_z={nu}"] = _series(ax, s, mode, rf"$\nu_z$={nu}", color, nu_z=nu, c=0.25)
    _finish(ax, r"C0, $\|\Xi\|_F^2$=.25, $\|\mu_T\|^2$=9, $\gamma_z$=.05" + "\n" + _caption(s))
    return FigureOutput(fig, {"gain": data})


@register(
    "spurious_eta_u_star_drift",
    paper=PAPER,
    description="eta_u* drifts from eta_l as ||mu_S|| grows (Fig. 3 analogue)",
)
def eta_u_star_drift(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    nu_z = 0.1
    fig, axes = new_figure(1, 1, width=6.0)
    ax = axes[0, 0]
    data = {}
    for color, m4 in zip(SERIES_COLORS, (0.0, 2.0, 3.0, 4.0), strict=False):
        out = _series(ax, s, mode, rf"$\|\mu_S\|^2$={m4**2:g}", color, nu_z=nu_z, m4=m4)
        model = SpuriousModel.canonical(s.d_z, c=0.0, m=3.0, m4=m4)
        n, N = s.n(GAMMA), s.n(nu_z)
        out["eta_u_star"] = {f: model.optimal_eta_u(n, N, ETA_L, ETA_T, form=f) for f in ("leading", "limit")}
        star = out["eta_u_star"]["limit"]
        ax.plot([star], [_theory(model, nu_z, star, "limit")], marker="*", ms=12, color=color, mec="k")
        data[f"m4={m4}"] = out
    _finish(ax, r"C0, $\Xi\mu_S$=0, $\nu_z$=.1 (stars: $\eta_u^\star$, F3)" + "\n" + _caption(s))
    return FigureOutput(fig, {"gain": data})


@register(
    "spurious_phase_diagram",
    paper=PAPER,
    description="where W2S fails in (eta_u, ||mu_T||^2/sigma_xi^2), F1 and F3 boundaries, MC signs",
)
def phase_diagram(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    nu_z, eta_t = 0.02, 0.2  # spec §5.3
    r_max = 100.0
    eta_u = np.linspace(0, 1, 201)
    r = np.linspace(0.0, r_max, 201)
    fig, axes = new_figure(1, 1, width=6.0)
    ax = axes[0, 0]
    gains = np.array(
        [_theory(SpuriousModel.canonical(s.d_z, m=np.sqrt(ri)), nu_z, eta_u, "limit", eta_t) for ri in r]
    )
    ax.contourf(eta_u, r, np.sign(gains), levels=[-1.5, 0, 1.5], colors=["#f4c7c3", "#cfe8cf"], alpha=0.8)
    unit = SpuriousModel.canonical(s.d_z, m=1.0)
    n, N = s.n(GAMMA), s.n(nu_z)
    boundary = {}
    for form, style in (("limit", "-"), ("leading", "--")):
        boundary[form] = np.array(
            [unit.failure_threshold(n, N, ETA_L, float(e), eta_t, form=form) for e in eta_u]
        )
        ax.plot(
            eta_u,
            np.where(boundary[form] < r_max, boundary[form], np.nan),
            style,
            color="k",
            lw=1.2,
            label=f"gain = 0 ({'F3' if form == 'limit' else 'F1'})",
        )
    coarse_u, coarse_r = np.linspace(0, 1, mode.pick(81, 21)), np.linspace(0.0, r_max, mode.pick(81, 21))
    hard_gain = np.array(
        [_theory(SpuriousModel.canonical(s.d_z, m=np.sqrt(ri), group_model="hard"), nu_z, coarse_u, "leading", eta_t)
         for ri in coarse_r]
    )  # fmt: skip
    if hard_gain.min() < 0 < hard_gain.max():
        ax.contour(coarse_u, coarse_r, hard_gain, levels=[0.0], colors="tab:red", linestyles="-.")
    ax.plot([], [], "-.", color="tab:red", label="gain = 0 (hard LO)")
    boundary["hard_gain_min"] = np.array(hard_gain.min())
    mc_eta = mode.pick((0.0, 0.4, 0.6, 0.9), (0.4,))
    mc_r = mode.pick((10.0, 30.0, 60.0, 90.0), (25.0, 50.0))
    pts = []
    for ri in mc_r:
        est = _mc_gain(s, mode, f"phase r={ri}", mc_eta, nu_z=nu_z, eta_t=eta_t, m=float(np.sqrt(ri)))
        for e, g in zip(mc_eta, est, strict=True):
            f3 = float(_theory(SpuriousModel.canonical(s.d_z, m=np.sqrt(ri)), nu_z, e, "limit", eta_t))
            pts.append((e, ri, g.value, g.se, f3))
            ax.plot(
                e,
                ri,
                "o" if g.value > 0 else "x",
                color="tab:green" if g.value > 0 else "tab:red",
                ms=8,
                mew=2,
            )
    ax.set_xlabel(r"$\eta_u$")
    ax.set_ylabel(r"$\|\mu_T\|^2/\sigma_\xi^2$")
    ax.set_ylim(0, r_max)
    ax.set_title(
        r"soft model, $\Xi$=0, $\eta_\ell$=.1, $\eta_t$=.2, $\gamma_z$=.05, $\nu_z$=.02: green W2S, red fails"
        + "\n"
        + f"markers: MC sign (o gain>0, x gain<0), d_z={s.d_z}",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="lower left")
    pts_arr = np.array(pts)
    data = {
        "boundary": {"eta_u": eta_u, **boundary},
        "mc": {
            "eta_u": pts_arr[:, 0],
            "r": pts_arr[:, 1],
            "mc_mean": pts_arr[:, 2],
            "mc_se": pts_arr[:, 3],
            "limit": pts_arr[:, 4],
        },
    }
    return FigureOutput(fig, data)


@register(
    "spurious_hard_vs_soft",
    paper=PAPER,
    description="the same gain curves under the soft (mean-shift) and hard (mixture) group models",
)
def hard_vs_soft(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    fig, axes = new_figure(1, 2, width=5.2)
    data = {}
    for col, gm in enumerate(("soft", "hard")):
        ax = axes[0, col]
        panel = {}
        for color, m in zip(SERIES_COLORS, (2.0, 3.0, 5.0), strict=False):
            panel[f"m2={m**2:g}"] = _series(
                ax, s, mode, rf"$\|\mu_T\|^2$={m**2:g}", color, m=m, group_model=gm
            )
        lines = "F3 (solid), F1 (dashed)" if gm == "soft" else "leading order (dash-dot; F2/F3 not derived)"
        _finish(ax, f"{gm} group model, C0, $\\Xi$=0, $\\gamma_z=\\nu_z$=.05\nlines: {lines}; MC d_z={s.d_z}")
        data[gm] = panel
    return FigureOutput(fig, data)


def explore_gain(
    eta_l: float = 0.1,
    eta_u: float = 0.4,
    eta_t: float = 0.5,
    xi2: float = 0.25,
    mu: float = 3.0,
    gamma_z: float = 0.05,
    nu_z: float = 0.05,
) -> FigureOutput:
    r"""Theory only (instant, for the notebook's sliders), C0 with :math:`\|\Xi\|_F^2=` ``xi2``
    (:math:`\le1` in C0) and :math:`\mu_\xi=` ``mu`` :math:`e_1`: left, the gain vs :math:`\eta_u` in F1,
    F2, F3 (soft) and the hard-model leading order, with the chosen :math:`\eta_u` and :math:`\eta_u^\star`
    marked; right, teacher and student risk vs the test mixture :math:`\eta_t` (soft: quadratic, hard:
    linear)."""
    d_z = 1000  # the forms depend on d_z only through gamma_z = d_z/n, nu_z = d_z/N
    soft = SpuriousModel.canonical(d_z, c=min(xi2, 1.0), m=mu)
    hard = soft.with_group_model("hard")
    n, N = round(d_z / gamma_z), round(d_z / nu_z)
    fig, axes = new_figure(1, 2, width=5.0)
    ax, bx = axes[0, 0], axes[0, 1]
    scale = soft.sigma_y2 * gamma_z
    data: dict[str, dict] = {"gain": {}, "mixture": {}}
    for form, style, color in (
        ("limit", "-", "tab:blue"),
        ("gaussian", ":", "tab:blue"),
        ("leading", "--", "tab:blue"),
    ):
        g = th.risks_at(soft, gamma_z, nu_z, eta_l, ETA_FINE, eta_t, form)["gain"] / scale
        ax.plot(
            ETA_FINE,
            g,
            style,
            color=color,
            label=f"soft {dict(limit='F3', gaussian='F2', leading='F1')[form]}",
        )
        data["gain"][form] = g
    g_hard = th.risks_at(hard, gamma_z, nu_z, eta_l, ETA_FINE, eta_t)["gain"] / scale
    ax.plot(ETA_FINE, g_hard, "-.", color="tab:red", label="hard LO")
    data["gain"]["hard"] = g_hard
    star = soft.optimal_eta_u(n, N, eta_l, eta_t, form="limit")
    ax.axvline(eta_u, color="k", lw=0.8, ls=":")
    ax.axvline(star, color="tab:blue", lw=0.8, label=rf"$\eta_u^\star$ (F3) = {star:.3f}")
    _finish(
        ax, rf"gain vs $\eta_u$ ($\eta_\ell$={eta_l}, $\eta_t$={eta_t}, $\gamma_z$={gamma_z}, $\nu_z$={nu_z})"
    )
    for model, style in ((soft, "-"), (hard, "-.")):
        r = th.risks_at(model, gamma_z, nu_z, eta_l, eta_u, ETA_FINE, "limit" if model is soft else "leading")
        for who, color in (("teacher", "tab:orange"), ("student", "tab:blue")):
            bx.plot(ETA_FINE, r[who] / scale, style, color=color, label=f"{model.group_model} {who}")
            data["mixture"][f"{model.group_model}_{who}"] = r[who] / scale
    bx.set_xlabel(r"$\eta_t$ (test minority fraction)")
    bx.set_ylabel(r"excess risk / $\sigma_y^2\gamma_z$")
    bx.set_title(rf"risk vs test mixture at $\eta_u$={eta_u} (soft F3 solid, hard LO dash-dot)", fontsize=9)
    bx.legend(fontsize=7)
    return FigureOutput(fig, data)
