r"""Figures of the Gaussian covariate model: weak-to-strong ridge regression with power-law spectra
(theory: ``docs/theory/general_covariance.md``; Dong et al. 2025's risks generalised with the deterministic
equivalents of Bach 2024 / Hastie et al. 2022; the "does less overlap help?" question of Ildiz et al. 2025).

* ``gcm_power_law``: the four risks and PGR/OPR vs n and vs N, power-law spectrum with ridge; every point on
  the same trials, in one compiled program (:meth:`~w2s_theory.gcm.GaussianCovariateModel.simulate_grid`);
* ``gcm_overlap_tradeoff``: the W2S gain over the teacher as the two learners' overlap falls, for two
  power laws: monotone for :math:`a=1.5, b=1`, peaked and then negative for :math:`a=1, b=0.5`;
* ``gcm_ridge``: PGR and OPR vs the ridge penalty; each series is one penalty curve on the same trials
  (:meth:`~w2s_theory.gcm.GaussianCovariateModel.simulate_curve`).

Every panel draws the deterministic equivalent (solid lines, the default finite-size rule) and Monte Carlo
means ± 1 SE (markers). Fast mode (tests, CI) uses a 5x smaller latent space, 3-point grids and 250
trials in chunks of :data:`CHUNK`, so that its runs share compiled programs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from w2s_theory._sweep import run_sweep, stack_points, unstack_points
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    COLORS,
    LABELS,
    MC,
    SERIES_COLORS,
    color_key,
    line_handle,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
)
from w2s_theory.gcm import GaussianCovariateModel, overlapping_coordinates
from w2s_theory.metrics import mean_se, opr_ratio_of_means, pgr_ratio_of_means

PAPER = "Gaussian covariate model (deterministic equivalents)"
RISKS = ("weak", "strong", "ceiling", "w2s")
DE = "deterministic equivalent"
XLABELS = {
    "n": r"$n$ (labelled samples)",
    "N": r"$N$ (unlabelled samples, teacher pseudo-labels)",
    "lam": r"ridge penalty $\lambda$",
    "k": r"overlap $k$ (shared top coordinates)",
}
METRIC_LABELS = {"pgr": "PGR (performance gap recovered)", "opr": "OPR (outperforming ratio)"}
#: Trials per compiled chunk of fast mode, whose runs then share one compilation.
CHUNK = 250


def _chunk(trials: int) -> int | None:
    """:data:`CHUNK` for a fast-mode run; otherwise the driver's default, which fills its chunks evenly
    (300 trials in chunks of 250 would compute 500). Results never depend on the chunk size."""
    return CHUNK if trials <= CHUNK else None


@dataclass(frozen=True)
class Layout:
    """A power-law model (``Sigma = diag(k^-a)``, ``beta_k = k^-b``, latent dimension ``d``): weak = top
    ``p_w`` coordinates, strong = the top ``overlap`` plus ``p_s - overlap`` coordinates after the weak
    ones (:func:`w2s_theory.gcm.overlapping_coordinates`)."""

    a: float
    b: float
    d: int
    p_w: int
    p_s: int
    overlap: int
    sigma2: float

    def params(self) -> dict:
        return dict(
            a=self.a, b=self.b, d=self.d, p_w=self.p_w, p_s=self.p_s, overlap=self.overlap, sigma2=self.sigma2
        )


@lru_cache(maxsize=128)
def _model(layout: Layout) -> GaussianCovariateModel:
    weak, strong = overlapping_coordinates(layout.p_w, layout.p_s, layout.overlap)
    return GaussianCovariateModel.power_law(layout.a, layout.b, layout.d, weak, strong, sigma2=layout.sigma2)


def _evaluate(point, key):
    layout = Layout(**{k: point[k] for k in ("a", "b", "d", "p_w", "p_s", "overlap", "sigma2")})
    mc = _model(layout).simulate(
        point["n"], point["N"], trials=point["trials"], seed=key, lam_w=point["lam_w"], lam_s=point["lam_s"],
        chunk_size=_chunk(point["trials"]),
    )  # fmt: skip
    return {k: mc[k] for k in RISKS}


def monte_carlo(layout: Layout, points: list[dict], trials: int, mode: Mode, desc: str) -> list[dict]:
    """Per-trial risks at each point (``n, N, lam_w, lam_s``), through the resumable sweep runner."""
    full = [
        layout.params()
        | {k: float(v) if k.startswith("lam") else int(v) for k, v in p.items()}
        | {"trials": trials}
        for p in points
    ]
    return run_sweep(full, _evaluate, seed=0, store=mode.cache_dir, desc=desc, progress=mode.progress)


def _evaluate_curve(point, key):
    layout = Layout(**{k: point[k] for k in ("a", "b", "d", "p_w", "p_s", "overlap", "sigma2")})
    curve = _model(layout).simulate_curve(
        point["n"], point["N"], point["lam_w"], point["lam_s"], trials=point["trials"], seed=key,
        chunk_size=_chunk(point["trials"]),
    )  # fmt: skip
    return stack_points([{k: mc[k] for k in RISKS} for mc in curve])


def penalty_curve(
    layout: Layout, n: int, N: int, lam_w: np.ndarray, lam_s: np.ndarray, trials: int, mode: Mode, desc: str
) -> list[dict]:
    """Per-trial risks at each penalty pair ``(lam_w[j], lam_s[j])`` on the same trials
    (:meth:`~w2s_theory.gcm.GaussianCovariateModel.simulate_curve`), through the resumable sweep runner."""
    point = layout.params() | dict(n=int(n), N=int(N), trials=trials)
    point |= {"lam_w": [float(v) for v in lam_w], "lam_s": [float(v) for v in lam_s]}
    (flat,) = run_sweep(
        [point], _evaluate_curve, seed=0, store=mode.cache_dir, desc=desc, progress=mode.progress
    )
    return unstack_points(flat)


def _evaluate_grid(point, key):
    layout = Layout(**{k: point[k] for k in ("a", "b", "d", "p_w", "p_s", "overlap", "sigma2")})
    grid = _model(layout).simulate_grid(
        point["n"], point["N"], trials=point["trials"], seed=key, lam_w=point["lam"], lam_s=point["lam"],
        chunk_size=_chunk(point["trials"]),
    )  # fmt: skip
    return stack_points([{k: mc[k] for k in RISKS} for mc in grid])


def size_grid(
    layout: Layout, ns: np.ndarray, Ns: np.ndarray, lam: float, trials: int, mode: Mode, desc: str
) -> list[dict]:
    """Per-trial risks at each ``(ns[j], Ns[j])`` on the same trials, in one compiled program
    (:meth:`~w2s_theory.gcm.GaussianCovariateModel.simulate_grid`), through the resumable sweep runner."""
    point = layout.params() | dict(lam=float(lam), trials=trials)
    point |= {"n": [int(v) for v in ns], "N": [int(v) for v in Ns]}
    (flat,) = run_sweep(
        [point], _evaluate_grid, seed=0, store=mode.cache_dir, desc=desc, progress=mode.progress
    )
    return unstack_points(flat)


def _estimates(mc: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    est = [mean_se(point[key]) for point in mc]
    return np.array([e.value for e in est]), np.array([e.se for e in est])


def _ratios(mc: list[dict], metric: str, floor: float) -> tuple[np.ndarray, np.ndarray]:
    fn = pgr_ratio_of_means if metric == "pgr" else opr_ratio_of_means
    est = [fn(point, floor=floor) for point in mc]
    return np.array([e.value for e in est]), np.array([e.se for e in est])


# ------------------------------------------------------------------------------- risks vs n and N
@dataclass(frozen=True)
class PowerLawSetting:
    layout: Layout
    lam: float
    n0: int
    N0: int
    n_mc: tuple[int, ...]
    N_mc: tuple[int, ...]
    trials: int

    @classmethod
    def for_mode(cls, mode: Mode) -> PowerLawSetting:
        full = cls(
            Layout(1.5, 1.0, 500, 60, 200, 30, 0.2),
            1e-3,
            200,
            1000,
            (100, 200, 400, 700, 1000),
            (100, 200, 500, 1000, 2000, 3000),
            300,
        )
        fast = cls(
            Layout(1.5, 1.0, 100, 12, 40, 6, 0.2), 1e-3, 64, 800, (64, 120, 240), (200, 400, 800), CHUNK
        )
        return mode.pick(full, fast)  # fmt: skip


@register(
    "gcm_power_law", paper=PAPER, description="GCM: risks and PGR/OPR vs n and N, power-law spectrum, ridge"
)
def gcm_power_law(mode: Mode) -> FigureOutput:
    s = PowerLawSetting.for_mode(mode)
    model = _model(s.layout)
    fig, axes = new_figure(2, 2)
    data: dict[str, dict] = {}
    axes_spec = [
        ("vs_n", "n", np.array(s.n_mc), np.full(len(s.n_mc), s.N0), f"$N$ = {s.N0}"),
        ("vs_N", "N", np.full(len(s.N_mc), s.n0), np.array(s.N_mc), f"$n$ = {s.n0}"),
    ]
    # both panels' points on the same trials, in one compiled program whatever their sizes
    grid = size_grid(
        s.layout,
        np.concatenate([spec[2] for spec in axes_spec]),
        np.concatenate([spec[3] for spec in axes_spec]),
        s.lam,
        s.trials,
        mode,
        "gcm power law",
    )
    for col, (panel, var, ns, Ns, fixed) in enumerate(axes_spec):
        x = ns if var == "n" else Ns
        x_fine = np.unique(np.geomspace(x[0], x[-1], 120).round().astype(int))
        n_f, N_f = (
            (x_fine, np.full_like(x_fine, s.N0)) if var == "n" else (np.full_like(x_fine, s.n0), x_fine)
        )
        de_f = model.expected_risks(n_f, N_f, s.lam, s.lam)
        de = model.expected_risks(ns, Ns, s.lam, s.lam)
        mc, grid = grid[: ns.size], grid[ns.size :]
        panel_data: dict = {"x": x, "x_fine": x_fine, "margin_n": ns - de["d_w"], "margin_N": Ns - de["d_s"]}
        for key in RISKS:
            mean, se = _estimates(mc, key)
            axes[0, col].plot(x_fine, de_f[key], "-", color=COLORS[key], lw=1.6)
            mc_points(axes[0, col], x, mean, se, COLORS[key])
            panel_data[key] = {"mc_mean": mean, "mc_se": se, "de": de[key], "de_fine": de_f[key]}
        for i, metric in enumerate(("pgr", "opr")):
            mean, se = _ratios(mc, metric, model.rounding_floor)
            axes[1, col].plot(x_fine, de_f[metric], "-", color=SERIES_COLORS[i], lw=1.6)
            mc_points(axes[1, col], x, mean, se, SERIES_COLORS[i])
            panel_data[metric] = {"mc_mean": mean, "mc_se": se, "de": de[metric], "de_fine": de_f[metric]}
        data[panel] = panel_data
        axes[0, col].set_yscale("log")
        axes[0, col].set_ylabel("excess risk (test MSE of the fit)")
        axes[1, col].set_ylabel("PGR, OPR")
        axes[1, col].axhline(1.0, color="grey", ls="--", lw=1)
        for row in range(2):
            axes[row, col].set_xscale("log")
            axes[row, col].set_xlabel(XLABELS[var])
        axes[0, col].set_title(f"vs ${var}$ at {fixed}", fontsize=9)
    L = s.layout
    outside_legend(
        fig,
        color_key(
            [(LABELS[k], COLORS[k]) for k in RISKS] + [("PGR", SERIES_COLORS[0]), ("OPR", SERIES_COLORS[1])]
        ),
        style_key(
            ("-", DE),
            ("mc", f"{MC} ({s.trials} trials, the same at every point; PGR, OPR: ratio of mean risks)"),
        ),
    )
    fig.suptitle(
        f"W2S ridge regression, power-law covariance $\\Sigma=\\mathrm{{diag}}(k^{{-{L.a:g}}})$, "
        f"$\\beta_k=k^{{-{L.b:g}}}$, $d$={L.d}\n weak: top {L.p_w} coordinates, strong: top {L.overlap} + "
        f"{L.p_s - L.overlap} others; $\\lambda_w=\\lambda_s$={s.lam:g}, $\\sigma^2$={L.sigma2:g}",
        fontsize=10,
    )
    return FigureOutput(fig, data)


# ---------------------------------------------------------------------------------- overlap trade-off
@dataclass(frozen=True)
class TradeoffSetting:
    d: int
    p_w: int
    p_s: int
    n: int
    N: int
    lam: float
    sigma2: float
    overlaps: tuple[int, ...]
    trials: int

    @classmethod
    def for_mode(cls, mode: Mode) -> TradeoffSetting:
        full = cls(400, 60, 150, 150, 1000, 1e-4, 0.2, (60, 45, 30, 15, 5), 400)
        fast = cls(100, 12, 40, 64, 400, 1e-4, 0.2, (12, 7, 3), CHUNK)
        return mode.pick(full, fast)

    def layout(self, a: float, b: float, k: int) -> Layout:
        return Layout(a, b, self.d, self.p_w, self.p_s, int(k), self.sigma2)


#: The two power laws of the trade-off figure: (a, b).
TRADEOFF_LAWS = ((1.5, 1.0), (1.0, 0.5))


@register(
    "gcm_overlap_tradeoff",
    paper=PAPER,
    description="GCM: does less overlap help? W2S gain vs overlap, two power laws",
)
def gcm_overlap_tradeoff(mode: Mode) -> FigureOutput:
    s = TradeoffSetting.for_mode(mode)
    fig, axes = new_figure(1, 2)
    data: dict[str, dict] = {}
    k_fine = np.arange(min(s.overlaps), max(s.overlaps) + 1)
    for col, (a, b) in enumerate(TRADEOFF_LAWS):
        ax = axes[0, col]
        de_fine = [_model(s.layout(a, b, k)).expected_risks(s.n, s.N, s.lam, s.lam) for k in k_fine]
        gain_f = np.array([o["weak"] - o["w2s"] for o in de_fine])
        ax.plot(k_fine, gain_f, "-", color=SERIES_COLORS[0], lw=1.8)
        ax.plot(k_fine, [o["w2s_variance"] for o in de_fine], "--", color=COLORS["w2s"], lw=1.2)
        ax.plot(k_fine, [o["w2s_mean"] for o in de_fine], ":", color=COLORS["w2s"], lw=1.5)
        ax.plot(k_fine, [o["weak"] for o in de_fine], "-", color=COLORS["weak"], lw=1.0)
        gains, ses, de_k, parts = [], [], [], {"w2s_variance": [], "w2s_mean": [], "d_sw": [], "d_sw_to": []}
        for k in s.overlaps:
            layout = s.layout(a, b, k)
            (mc,) = monte_carlo(
                layout,
                [dict(n=s.n, N=s.N, lam_w=s.lam, lam_s=s.lam)],
                s.trials,
                mode,
                f"gcm overlap a={a:g} k={k}",
            )
            est = mean_se(mc["weak"] - mc["w2s"])
            gains.append(est.value)
            ses.append(est.se)
            de = _model(layout).expected_risks(s.n, s.N, s.lam, s.lam)
            de_k.append(de["weak"] - de["w2s"])
            for key in parts:
                parts[key].append(de[key])
        mc_points(ax, s.overlaps, gains, ses, SERIES_COLORS[0])
        ax.axhline(0.0, color="grey", lw=1)
        ax.set_xlabel(XLABELS["k"])
        ax.set_ylabel(r"excess risk; gain $=\mathrm{ER}_w-\mathrm{ER}_{w2s}$")
        ax.set_title(f"$a$ = {a:g}, $b$ = {b:g}", fontsize=9)
        data[f"a={a:g},b={b:g}"] = {
            "k": np.array(s.overlaps),
            "mc_gain": np.array(gains),
            "mc_se": np.array(ses),
            "de_gain": np.array(de_k),
            "k_fine": k_fine,
            "de_gain_fine": gain_f,
            **{key: np.array(v) for key, v in parts.items()},
        }
    outside_legend(
        fig,
        [
            line_handle("gain over the teacher (W2S better above 0)", color=SERIES_COLORS[0], lw=1.8),
            line_handle("teacher's risk", color=COLORS["weak"], lw=1.0),
            line_handle("W2S: variance part (inherited teacher noise)", color=COLORS["w2s"], ls="--", lw=1.2),
            line_handle("W2S: mean part (teacher's signal passed on)", color=COLORS["w2s"], ls=":", lw=1.5),
        ],
        style_key(("-", DE), ("mc", f"{MC} ({s.trials} trials)")),
    )
    fig.suptitle(
        f"Does less overlap help? $\\Sigma=\\mathrm{{diag}}(k^{{-a}})$, $\\beta_k=k^{{-b}}$, $d$={s.d}\n"
        f"weak: top {s.p_w} coordinates, strong: top $k$ + {s.p_s} − $k$ others; "
        f"$n$={s.n}, $N$={s.N}, $\\lambda$={s.lam:g}, $\\sigma^2$={s.sigma2:g}",
        fontsize=10,
    )
    return FigureOutput(fig, data)


# ---------------------------------------------------------------------------------------- vs ridge
@dataclass(frozen=True)
class RidgeSetting:
    layout: Layout
    n: int
    N: int
    lam_mc: tuple[float, ...]
    lam_other: float
    trials: int

    @classmethod
    def for_mode(cls, mode: Mode) -> RidgeSetting:
        full = cls(
            Layout(1.5, 1.0, 500, 60, 200, 30, 0.2), 200, 1000, (1e-5, 1e-4, 1e-3, 1e-2, 3e-2), 1e-5, 300
        )
        fast = cls(Layout(1.5, 1.0, 100, 12, 40, 6, 0.2), 64, 800, (1e-4, 1e-3, 3e-2), 1e-4, CHUNK)
        return mode.pick(full, fast)  # fmt: skip


#: Which penalty each series varies (the other one is fixed at ``RidgeSetting.lam_other``). Varying the
#: teacher's alone is left out: a well-tuned teacher can beat the lightly regularised ceiling, and PGR's
#: denominator then changes sign.
RIDGE_SERIES = (
    ("both", r"$\lambda_w=\lambda_s=\lambda$"),
    ("student", r"$\lambda_s=\lambda$ (teacher's fixed)"),
)


@register(
    "gcm_ridge", paper=PAPER, description="GCM: PGR and OPR vs the ridge penalty (teacher, student, both)"
)
def gcm_ridge(mode: Mode) -> FigureOutput:
    s = RidgeSetting.for_mode(mode)
    model = _model(s.layout)
    lam_fine = np.geomspace(s.lam_mc[0], s.lam_mc[-1], 80)
    lam_mc = np.array(s.lam_mc)
    fig, axes = new_figure(1, 2)
    data: dict[str, dict] = {"x": {"lam": lam_mc, "lam_fine": lam_fine}}

    def penalties(series: str, lam):
        lam_w = lam if series == "both" else np.full_like(lam, s.lam_other)
        return lam_w, lam

    for i, (series, _) in enumerate(RIDGE_SERIES):
        color = SERIES_COLORS[i]
        de_f = model.expected_risks(s.n, s.N, *penalties(series, lam_fine))
        de = model.expected_risks(s.n, s.N, *penalties(series, lam_mc))
        mc = penalty_curve(
            s.layout, s.n, s.N, *penalties(series, lam_mc), s.trials, mode, f"gcm ridge {series}"
        )
        entry = {}
        for col, metric in enumerate(("pgr", "opr")):
            mean, se = _ratios(mc, metric, model.rounding_floor)
            axes[0, col].plot(lam_fine, de_f[metric], "-", color=color, lw=1.6)
            mc_points(axes[0, col], lam_mc, mean, se, color)
            entry[metric] = {"mc_mean": mean, "mc_se": se, "de": de[metric], "de_fine": de_f[metric]}
        entry["margin_n"] = s.n - de["d_w"]
        entry["margin_N"] = s.N - de["d_s"]
        data[series] = entry
    for col, metric in enumerate(("pgr", "opr")):
        ax = axes[0, col]
        ax.set_xscale("log")
        ax.axhline(1.0, color="grey", ls="--", lw=1)
        ax.set_xlabel(XLABELS["lam"])
        ax.set_ylabel(METRIC_LABELS[metric])
    L = s.layout
    outside_legend(
        fig,
        color_key([(label, SERIES_COLORS[i]) for i, (_, label) in enumerate(RIDGE_SERIES)]),
        style_key(
            ("-", f"{DE} (ratio of expectations)"),
            ("mc", f"{MC}, ratio of mean risks ({s.trials} trials, the same along a series)"),
        ),
    )
    fig.suptitle(
        f"PGR and OPR vs ridge: $\\Sigma=\\mathrm{{diag}}(k^{{-{L.a:g}}})$, $\\beta_k=k^{{-{L.b:g}}}$, "
        f"$d$={L.d}\nweak top {L.p_w}, strong top {L.overlap} + {L.p_s - L.overlap} others; $n$={s.n}, "
        f"$N$={s.N}, fixed penalty {s.lam_other:g}, $\\sigma^2$={L.sigma2:g}",
        fontsize=10,
    )
    return FigureOutput(fig, data)
