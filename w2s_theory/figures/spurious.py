r"""Figures for the group-imbalance theory (Liu, Dong, Lei 2026; summarised in
``docs/theory/spurious.md``), through the library.

The paper does not give the parameters of its Figs. 2 and 3, so every panel uses the canonical
configuration C0 of ``docs/theory/spurious.md`` §11.1: :math:`p=5`, :math:`p_T=4`, :math:`p_S=3`,
:math:`\|\mu_T\|^2=9`, :math:`\sigma_\xi^2=\sigma_y^2=1`, :math:`\eta_\ell=0.1`, :math:`\eta_t=0.5`,
:math:`\gamma_z=\nu_z=0.05` unless a panel varies them. Gains are in units of :math:`\sigma_y^2\gamma_z`.

Every panel: theory lines and Monte Carlo means :math:`\pm1` SE (noise-averaged estimator) at
:math:`d_z=200` (full) or :math:`d_z=20` (fast, for tests). Theory: the exact proportional limit of the
product features (``form="limit"``, F3: solid) and the leading order in :math:`\gamma_z,\nu_z` (the paper's
Theorems 1-2, ``form="leading"``, F1: dashed); for the hard (mixture) group model only its leading order
exists (dash-dot). Every call into the theory passes ``form=`` explicitly, so a change of the library's
default cannot change a figure. Each curve's MC points are one
:meth:`~w2s_theory.SpuriousModel.simulate_curve` call (common random numbers along the curve: every point
has the standard error of an independent run, the points are correlated), run through the resumable
sweep runner :func:`w2s_theory._sweep.run_sweep`, one stored result per curve; the series of a panel that
differ only in the minority mean (phase diagram, hard vs soft, the :math:`\eta_u^\star` drift) are one
:meth:`~w2s_theory.SpuriousModel.simulate_means` call, on the same trials, those that differ only in
:math:`\nu_z=d_z/N` (gain vs :math:`\nu_z`) one :meth:`~w2s_theory.SpuriousModel.simulate_sizes` call, and
those that differ only in the student's subspace (gain vs :math:`\|\Xi\|_F^2`) one
:meth:`~w2s_theory.SpuriousModel.simulate_students` call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory._sweep import run_sweep, stack_points
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    MC,
    SERIES_COLORS,
    color_key,
    line_handle,
    marker_handle,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
)
from w2s_theory.metrics import mean_se
from w2s_theory.spurious import SpuriousModel
from w2s_theory.spurious import theory as th

PAPER = "Liu, Dong, Lei 2026"
ETA_L, ETA_T, GAMMA = 0.1, 0.5, 0.05
SIGMA_XI2 = SIGMA_Y2 = 1.0

#: Legend wording of the theory forms.
LIMIT = "exact proportional limit"
LEADING = r"leading order in $\gamma_z,\nu_z$ (paper's Thms 1-2)"
HARD_LO = r"hard model: leading-order theory (in $\gamma_z,\nu_z$)"
GAIN_LABEL = r"W2S gain $(\mathrm{ER}_T-\mathrm{ER}_S)\,/\,\sigma_y^2\gamma_z$"
ETA_U_LABEL = r"$\eta_u$ (minority fraction of the unlabelled data)"


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


def canonical(d_z: int, *, c: float, m: float, m4: float, group_model: str) -> SpuriousModel:
    """The canonical configuration with every argument explicit (no library defaults)."""
    return SpuriousModel.canonical(
        d_z, c=c, m=m, m4=m4, sigma_xi2=SIGMA_XI2, sigma_y2=SIGMA_Y2, group_model=group_model
    )


def _model(point: dict) -> SpuriousModel:
    return canonical(
        point["d_z"], c=point["c"], m=point["m"], m4=point["m4"], group_model=point["group_model"]
    )


def _evaluate(point, key):
    """One curve: per-trial risks, shape (trials, len(eta_us)), with common random numbers along it."""
    curve = _model(point).simulate_curve(
        point["n"],
        point["N"],
        point["eta_l"],
        point["eta_us"],
        point["eta_t"],
        trials=point["trials"],
        seed=key,
    )
    return stack_points([{k: mc[k] for k in ("teacher", "student", "gain")} for mc in curve])


def _mc_gain(s: Setting, mode: Mode, desc: str, eta_us, nu_z=GAMMA, eta_t=ETA_T, **geometry) -> list:
    """MC gain estimates (units sigma_y^2 gamma_z) at each eta_u for one canonical geometry: one curve of
    ``simulate_curve`` (the teacher fitted once per trial and shared by every eta_u)."""
    point = dict(d_z=s.d_z, n=s.n(GAMMA), N=s.n(nu_z), eta_l=ETA_L, eta_t=eta_t, trials=s.trials)
    point |= dict(c=0.0, m=3.0, m4=0.0, group_model="soft") | geometry
    point["eta_us"] = [float(e) for e in eta_us]
    (out,) = run_sweep([point], _evaluate, seed=0, store=mode.cache_dir, desc=desc, progress=mode.progress)
    return [mean_se(gain / GAMMA) for gain in out["gain"].T]


def _mc_curves(point: dict, evaluate, mode: Mode, desc: str, curves: int) -> list:
    """MC gain estimates (units sigma_y^2 gamma_z) of ``curves`` curves over ``point["eta_us"]`` computed
    on the same trials by ``evaluate`` (per-trial gains, shape (trials, curves x eta_us)), through the
    resumable sweep runner: one list of estimates per curve."""
    (out,) = run_sweep([point], evaluate, seed=0, store=mode.cache_dir, desc=desc, progress=mode.progress)
    gains = out["gain"].reshape(out["gain"].shape[0], curves, len(point["eta_us"]))
    return [[mean_se(gains[:, k, j] / GAMMA) for j in range(gains.shape[2])] for k in range(curves)]


def _evaluate_means(point, key):
    """Every (mean, eta_u) point of a curve over minority means (``point["means"]``: ``[m, m4]`` pairs of the
    canonical geometry), on the same trials: per-trial gains, shape (trials, means x eta_us)."""
    models = [_model(point | {"m": m, "m4": m4}) for m, m4 in point["means"]]
    curves = models[0].simulate_means(
        np.stack([model.mu_xi for model in models]),
        point["n"],
        point["N"],
        point["eta_l"],
        point["eta_us"],
        point["eta_t"],
        trials=point["trials"],
        seed=key,
    )
    return stack_points([{"gain": mc["gain"]} for curve in curves for mc in curve])


def _mc_gains(s: Setting, mode: Mode, desc: str, eta_us, means, nu_z=GAMMA, eta_t=ETA_T, **geometry) -> list:
    """MC gain estimates (units sigma_y^2 gamma_z) at each eta_u for each minority mean ``(m, m4)`` of one
    canonical geometry, all on the same trials (``SpuriousModel.simulate_means``: the rows' products once
    per trial, every mean's Grams from them): one list of estimates per mean."""
    point = dict(d_z=s.d_z, n=s.n(GAMMA), N=s.n(nu_z), eta_l=ETA_L, eta_t=eta_t, trials=s.trials)
    point |= dict(c=0.0, group_model="soft") | geometry
    point |= {"eta_us": [float(e) for e in eta_us], "means": [[float(m), float(m4)] for m, m4 in means]}
    return _mc_curves(point, _evaluate_means, mode, desc, len(means))


def _evaluate_sizes(point, key):
    """Every (N, eta_u) point of a curve over unlabelled sizes (``point["Ns"]``), on the same trials:
    per-trial gains, shape (trials, sizes x eta_us)."""
    curves = _model(point).simulate_sizes(
        point["n"],
        point["Ns"],
        point["eta_l"],
        point["eta_us"],
        point["eta_t"],
        trials=point["trials"],
        seed=key,
    )
    return stack_points([{"gain": mc["gain"]} for curve in curves for mc in curve])


def _mc_gain_sizes(s: Setting, mode: Mode, desc: str, eta_us, nu_zs, eta_t=ETA_T, **geometry) -> list:
    """MC gain estimates (units sigma_y^2 gamma_z) at each eta_u for each nu_z = d_z/N of one canonical
    geometry, all on the same trials (``SpuriousModel.simulate_sizes``: the teacher once, one pass over the
    largest N's rows, each N from its leading rows; the same numbers as one curve per N with this seed)."""
    point = dict(d_z=s.d_z, n=s.n(GAMMA), Ns=[s.n(nu) for nu in nu_zs], eta_l=ETA_L, eta_t=eta_t)
    point |= dict(trials=s.trials, c=0.0, m=3.0, m4=0.0, group_model="soft") | geometry
    point["eta_us"] = [float(e) for e in eta_us]
    return _mc_curves(point, _evaluate_sizes, mode, desc, len(nu_zs))


def _evaluate_students(point, key):
    """Every (student, eta_u) point of a curve over student subspaces (``point["cs"]``: the canonical
    geometry's ||Xi||_F^2), on the same trials: per-trial gains, shape (trials, students x eta_us)."""
    models = [_model(point | {"c": c}) for c in point["cs"]]
    curves = models[0].simulate_students(
        [model.S for model in models],
        point["n"],
        point["N"],
        point["eta_l"],
        point["eta_us"],
        point["eta_t"],
        trials=point["trials"],
        seed=key,
    )
    return stack_points([{"gain": mc["gain"]} for curve in curves for mc in curve])


def _mc_gain_students(
    s: Setting, mode: Mode, desc: str, eta_us, cs, nu_z=GAMMA, eta_t=ETA_T, **geometry
) -> list:
    """MC gain estimates (units sigma_y^2 gamma_z) at each eta_u for each ||Xi||_F^2 = c of the canonical
    geometry, all on the same trials (``SpuriousModel.simulate_students``: the teacher once, the rows'
    products once for a basis of every student's features)."""
    point = dict(d_z=s.d_z, n=s.n(GAMMA), N=s.n(nu_z), eta_l=ETA_L, eta_t=eta_t, trials=s.trials)
    point |= dict(m=3.0, m4=0.0, group_model="soft") | geometry
    point |= {"eta_us": [float(e) for e in eta_us], "cs": [float(c) for c in cs]}
    return _mc_curves(point, _evaluate_students, mode, desc, len(cs))


def _theory(model: SpuriousModel, nu_z: float, eta_u, form: str, eta_t=ETA_T) -> np.ndarray:
    gain = th.risks_at(model, GAMMA, nu_z, ETA_L, eta_u, eta_t, form=form)["gain"]
    return gain / (model.sigma_y2 * GAMMA)


def _series(ax, s, mode, desc, color, nu_z=GAMMA, est=None, **geometry) -> dict:
    """Theory lines (limit solid, leading order dashed; hard: leading order dash-dot) and MC points of one
    gain-vs-eta_u curve (``desc``: the progress bar's name; ``est``: the MC estimates when already run)."""
    model = _model(dict(d_z=s.d_z, c=0.0, m=3.0, m4=0.0, group_model="soft") | geometry)
    est = est or _mc_gain(s, mode, desc, s.eta_us, nu_z=nu_z, **geometry)
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
    mc_points(ax, out["x"], out["mc_mean"], out["mc_se"], color)
    return out


def _finish(ax, title: str) -> None:
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel(ETA_U_LABEL)
    ax.set_ylabel(GAIN_LABEL)
    ax.set_title(title, fontsize=9)


def _soft_key(s: Setting, prefix: str = "") -> list:
    return style_key(
        ("-", f"{prefix}{LIMIT}"),
        ("--", f"{prefix}{LEADING}"),
        ("mc", rf"{MC} ($d_z$={s.d_z}, {s.trials} trials)"),
    )


def _single_panel(mode: Mode, suptitle: str, width: float = 6.4):
    fig, axes = new_figure(1, 1, width=width, height=5.2)
    fig.suptitle(suptitle, fontsize=10)
    return fig, axes[0, 0]


@register(
    "spurious_gain_vs_xi", paper=PAPER, description="gain vs eta_u for several ||Xi||_F^2 (Fig. 2 analogue)"
)
def gain_vs_xi(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    fig, ax = _single_panel(mode, f"{PAPER}: W2S gain vs $\\eta_u$ for several $\\|\\Xi\\|_F^2$ (cf. Fig. 2)")
    data, colors = {}, []
    cs = (0.0, 0.25, 0.5, 0.75)
    ests = _mc_gain_students(s, mode, "xi2 curves", s.eta_us, cs)
    for color, c, est in zip(SERIES_COLORS, cs, ests, strict=False):
        label = rf"$\|\Xi\|_F^2$={c}"
        data[f"xi2={c}"] = _series(ax, s, mode, f"xi2={c}", color, est=est, c=c)
        colors.append((label, color))
    _finish(
        ax,
        r"$p_T$=4, $p_S$=3, $\|\mu_T\|^2$=9, $\gamma_z=\nu_z$=0.05, $\eta_\ell$=0.1, $\eta_t$=0.5",
    )
    outside_legend(fig, color_key(colors), _soft_key(s), rows=4)
    return FigureOutput(fig, {"gain": data})


@register("spurious_gain_vs_nu", paper=PAPER, description="gain vs eta_u for several nu_z (Fig. 2 analogue)")
def gain_vs_nu(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    fig, ax = _single_panel(mode, f"{PAPER}: W2S gain vs $\\eta_u$ for several $\\nu_z=d_z/N$ (cf. Fig. 2)")
    data, colors = {}, []
    nus = (0.02, 0.05, 0.1, 0.2)
    ests = _mc_gain_sizes(s, mode, "nu_z curves", s.eta_us, nus, c=0.25)
    for color, nu, est in zip(SERIES_COLORS, nus, ests, strict=False):
        label = rf"$\nu_z$={nu}"
        data[f"nu_z={nu}"] = _series(ax, s, mode, f"nu_z={nu}", color, nu_z=nu, est=est, c=0.25)
        colors.append((label, color))
    _finish(
        ax,
        r"$p_T$=4, $p_S$=3, $\|\Xi\|_F^2$=0.25, $\|\mu_T\|^2$=9, $\gamma_z$=0.05, $\eta_\ell$=0.1, "
        r"$\eta_t$=0.5",
    )
    outside_legend(fig, color_key(colors), _soft_key(s), rows=4)
    return FigureOutput(fig, {"gain": data})


@register(
    "spurious_eta_u_star_drift",
    paper=PAPER,
    description="eta_u* drifts from eta_l as ||mu_S|| grows (Fig. 3 analogue)",
)
def eta_u_star_drift(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    nu_z = 0.1
    fig, ax = _single_panel(
        mode,
        f"{PAPER}: the optimal $\\eta_u^\\star$ drifts from $\\eta_\\ell$ as $\\|\\mu_S\\|$ grows "
        "(cf. Fig. 3)",
    )
    data, colors = {}, []
    m4s = (0.0, 2.0, 3.0, 4.0)
    ests = _mc_gains(s, mode, "m4 curves", s.eta_us, [(3.0, m4) for m4 in m4s], nu_z=nu_z)
    for color, m4, est in zip(SERIES_COLORS, m4s, ests, strict=False):
        label = rf"$\|\mu_S\|^2$={m4**2:g}"
        out = _series(ax, s, mode, f"m4={m4}", color, nu_z=nu_z, est=est, m4=m4)
        model = canonical(s.d_z, c=0.0, m=3.0, m4=m4, group_model="soft")
        n, N = s.n(GAMMA), s.n(nu_z)
        out["eta_u_star"] = {
            f: model.optimal_eta_u(n, N, eta_l=ETA_L, eta_t=ETA_T, form=f) for f in ("leading", "limit")
        }
        star = out["eta_u_star"]["limit"]
        ax.plot([star], [_theory(model, nu_z, star, "limit")], marker="*", ms=12, color=color, mec="k")
        data[f"m4={m4}"] = out
        colors.append((label, color))
    _finish(
        ax,
        r"$p_T$=4, $p_S$=3, $\Xi$=0, $\|\mu_T\|^2$=9, $\gamma_z$=0.05, $\nu_z$=0.1, $\eta_\ell$=0.1, "
        r"$\eta_t$=0.5",
    )
    star_key = [marker_handle(rf"$\eta_u^\star$ (maximiser, {LIMIT})", color="grey", marker="*", ms=10)]
    outside_legend(fig, color_key(colors), _soft_key(s) + star_key, rows=4)
    return FigureOutput(fig, {"gain": data})


@register(
    "spurious_phase_diagram",
    paper=PAPER,
    description="where W2S fails in (eta_u, ||mu_T||^2/sigma_xi^2): limit and leading-order boundaries, "
    "MC signs",
)
def phase_diagram(mode: Mode) -> FigureOutput:
    from matplotlib.patches import Patch

    s = Setting.for_mode(mode)
    nu_z, eta_t = 0.02, 0.2  # the failure setting of docs/theory/spurious.md §11.4
    r_max = 100.0
    eta_u = np.linspace(0, 1, 201)
    r = np.linspace(0.0, r_max, 201)
    fig, ax = _single_panel(mode, f"{PAPER}: where W2S fails (gain < 0)", width=7.4)

    def soft(ri):
        return canonical(s.d_z, c=0.0, m=float(np.sqrt(ri)), m4=0.0, group_model="soft")

    gains = np.array([_theory(soft(ri), nu_z, eta_u, "limit", eta_t) for ri in r])
    ax.contourf(eta_u, r, np.sign(gains), levels=[-1.5, 0, 1.5], colors=["#f4c7c3", "#cfe8cf"], alpha=0.8)
    unit = soft(1.0)
    n, N = s.n(GAMMA), s.n(nu_z)
    boundary = {}
    for form, style in (("limit", "-"), ("leading", "--")):
        boundary[form] = np.array(
            [unit.failure_threshold(n, N, eta_l=ETA_L, eta_u=float(e), eta_t=eta_t, form=form) for e in eta_u]
        )
        ax.plot(eta_u, np.where(boundary[form] < r_max, boundary[form], np.nan), style, color="k", lw=1.2)
    coarse_u, coarse_r = np.linspace(0, 1, mode.pick(81, 21)), np.linspace(0.0, r_max, mode.pick(81, 21))
    hard_gain = np.array(
        [
            _theory(
                canonical(s.d_z, c=0.0, m=float(np.sqrt(ri)), m4=0.0, group_model="hard"),
                nu_z,
                coarse_u,
                "leading",
                eta_t,
            )
            for ri in coarse_r
        ]
    )
    if hard_gain.min() < 0 < hard_gain.max():
        ax.contour(coarse_u, coarse_r, hard_gain, levels=[0.0], colors="tab:red", linestyles="-.")
    boundary["hard_gain_min"] = np.array(hard_gain.min())
    mc_eta = mode.pick((0.0, 0.4, 0.6, 0.9), (0.4,))
    mc_r = mode.pick((10.0, 30.0, 60.0, 90.0), (25.0, 50.0))
    pts = []
    means = [(float(np.sqrt(ri)), 0.0) for ri in mc_r]
    ests = _mc_gains(s, mode, "phase r curves", mc_eta, means, nu_z=nu_z, eta_t=eta_t)
    for ri, est in zip(mc_r, ests, strict=True):
        for e, g in zip(mc_eta, est, strict=True):
            f3 = float(_theory(soft(ri), nu_z, e, "limit", eta_t))
            pts.append((e, ri, g.value, g.se, f3))
            ax.plot(
                e,
                ri,
                "o" if g.value > 0 else "x",
                color="tab:green" if g.value > 0 else "tab:red",
                ms=8,
                mew=2,
            )
    ax.set_xlabel(ETA_U_LABEL)
    ax.set_ylabel(r"$\|\mu_T\|^2/\sigma_\xi^2$ (teacher's group signal)")
    ax.set_ylim(0, r_max)
    ax.set_title(
        r"soft group model, $p_T$=4, $p_S$=3, $\Xi$=0, $\eta_\ell$=0.1, $\eta_t$=0.2, $\gamma_z$=0.05, "
        r"$\nu_z$=0.02",
        fontsize=9,
    )
    regions = [
        Patch(facecolor="#cfe8cf", label=f"W2S gain > 0 ({LIMIT})"),
        Patch(facecolor="#f4c7c3", label=f"W2S gain < 0 ({LIMIT})"),
    ]
    lines = [
        line_handle(f"gain = 0: {LIMIT}", ls="-", lw=1.2),
        line_handle(f"gain = 0: {LEADING}", ls="--", lw=1.2),
        line_handle("gain = 0: leading order, hard model", color="tab:red", ls="-.", lw=1.2),
    ]
    markers = [
        marker_handle(rf"MC gain > 0 ($d_z$={s.d_z}, {s.trials} trials)", color="tab:green", ms=7),
        marker_handle("MC gain < 0", color="tab:red", marker="x", ms=7),
    ]
    outside_legend(fig, regions, lines, markers, rows=3)
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
    fig, axes = new_figure(1, 2, width=5.2, height=4.0)
    data, colors = {}, []
    titles = {
        "soft": "soft (mean-shift) group model",
        "hard": "hard (mixture) group model: only its leading order is derived",
    }
    for col, gm in enumerate(("soft", "hard")):
        ax = axes[0, col]
        panel = {}
        ms = (2.0, 3.0, 5.0)
        ests = _mc_gains(s, mode, f"{gm} m curves", s.eta_us, [(m, 0.0) for m in ms], group_model=gm)
        for color, m, est in zip(SERIES_COLORS, ms, ests, strict=False):
            label = rf"$\|\mu_T\|^2$={m**2:g}"
            panel[f"m2={m**2:g}"] = _series(ax, s, mode, f"{gm} m={m}", color, est=est, m=m, group_model=gm)
            if col == 0:
                colors.append((label, color))
        _finish(ax, titles[gm])
        data[gm] = panel
    fig.suptitle(
        f"{PAPER}: soft vs hard group model, "
        r"$p_T$=4, $p_S$=3, $\Xi$=0, $\gamma_z=\nu_z$=0.05, $\eta_\ell$=0.1, $\eta_t$=0.5",
        fontsize=10,
    )
    outside_legend(fig, color_key(colors), _soft_key(s, "soft model: "), style_key(("-.", HARD_LO)), rows=3)
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
    r"""Theory only (instant, for the notebook's sliders), the canonical geometry with
    :math:`\|\Xi\|_F^2=` ``xi2`` (:math:`\le1` here) and :math:`\mu_\xi=` ``mu`` :math:`e_1`: left, the
    gain vs :math:`\eta_u` in the three soft-model forms (exact proportional limit, Gaussian-design limit,
    leading order) and the hard model's leading order, with the chosen :math:`\eta_u` and
    :math:`\eta_u^\star` marked; right, teacher and student risk vs the test mixture :math:`\eta_t` (soft:
    quadratic, hard: linear)."""
    d_z = 1000  # the forms depend on d_z only through gamma_z = d_z/n, nu_z = d_z/N
    soft = canonical(d_z, c=min(xi2, 1.0), m=mu, m4=0.0, group_model="soft")
    hard = soft.with_group_model("hard")
    n, N = round(d_z / gamma_z), round(d_z / nu_z)
    fig, axes = new_figure(1, 2, width=5.0)
    ax, bx = axes[0, 0], axes[0, 1]
    scale = soft.sigma_y2 * gamma_z
    data: dict[str, dict] = {"gain": {}, "mixture": {}}
    names = {"limit": LIMIT, "gaussian": "Gaussian-design limit", "leading": LEADING}
    for form, style in (("limit", "-"), ("gaussian", ":"), ("leading", "--")):
        g = th.risks_at(soft, gamma_z, nu_z, eta_l, ETA_FINE, eta_t, form=form)["gain"] / scale
        ax.plot(ETA_FINE, g, style, color="tab:blue", label=f"soft: {names[form]}")
        data["gain"][form] = g
    g_hard = th.risks_at(hard, gamma_z, nu_z, eta_l, ETA_FINE, eta_t, form="leading")["gain"] / scale
    ax.plot(ETA_FINE, g_hard, "-.", color="tab:red", label="hard: leading order")
    data["gain"]["hard"] = g_hard
    star = soft.optimal_eta_u(n, N, eta_l=eta_l, eta_t=eta_t, form="limit")
    ax.axvline(eta_u, color="k", lw=0.8, ls=":", label=rf"chosen $\eta_u$ = {eta_u:g}")
    ax.axvline(star, color="tab:blue", lw=0.8, label=rf"$\eta_u^\star$ (soft, limit) = {star:.3f}")
    _finish(
        ax, rf"gain vs $\eta_u$ ($\eta_\ell$={eta_l}, $\eta_t$={eta_t}, $\gamma_z$={gamma_z}, $\nu_z$={nu_z})"
    )
    ax.legend(fontsize=7)
    for model, style, form in ((soft, "-", "limit"), (hard, "-.", "leading")):
        r = th.risks_at(model, gamma_z, nu_z, eta_l, eta_u, ETA_FINE, form=form)
        for who, color in (("teacher", "tab:orange"), ("student", "tab:blue")):
            bx.plot(ETA_FINE, r[who] / scale, style, color=color, label=f"{model.group_model} {who}")
            data["mixture"][f"{model.group_model}_{who}"] = r[who] / scale
    bx.set_xlabel(r"$\eta_t$ (minority fraction of the test distribution)")
    bx.set_ylabel(r"excess risk / $\sigma_y^2\gamma_z$")
    bx.set_title(
        rf"risk vs test mixture at $\eta_u$={eta_u}"
        " (soft: exact limit, solid; hard: leading order, dash-dot)",
        fontsize=8,
    )
    bx.legend(fontsize=7)
    fig.suptitle(
        rf"{PAPER}, theory only: $p_T$=4, $p_S$=3, $\|\Xi\|_F^2$={min(xi2, 1.0):g}, $\|\mu_T\|$={mu:g}",
        fontsize=10,
    )
    return FigureOutput(fig, data)
