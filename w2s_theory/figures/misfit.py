r"""The misfit–gain inequality of Charikar, Pabbaraju, Shiragur (NeurIPS 2024) in the subspace model
(theory: ``docs/theory/misfit_gain.md``; exact forms :mod:`w2s_theory.discrepancy.misfit`).

One registered figure, ``misfit_gain``: gain vs misfit per trial (scatter at two N) and in expectation
against N, the exact gap :math:`\mathbb E[\mathrm{gain}-\mathrm{misfit}]` against N for three geometries
with its :math:`N\to\infty` value, and the fraction of trials that violate the inequality.

The three configurations (:func:`configuration`), on a layout of ``d_s`` strong coordinates of which
``shared`` are also weak, and ``weak_only`` weak coordinates outside the strong span:

* ``A`` (:math:`\rho_s=0`): :math:`\|\beta\|^2` = 1 on the shared axes, 0.25 on as many strong-only axes;
* ``B`` (:math:`\rho_s>0`, aligned): as ``A`` plus 0.1 on as many weak-only axes, which the teacher sees
  and the student cannot represent, with the same sign as the teacher's estimate:
  :math:`\langle(I-P_s)P_w\beta,(I-P_s)\beta\rangle>0`;
* ``C`` (:math:`\rho_s>0`, anti-aligned): the weak-only directions tilted 45° into strong-only axes,
  :math:`\beta` = 0.25 on each of those strong-only axes and −0.1 on each weak-only axis, so the inner
  product above is negative and the inequality holds in expectation.

Full mode: ``d_s`` = 32, ``shared`` = 8, ``weak_only`` = 16 (ambient 48, :math:`d_w` = 24), :math:`n` = 60,
:math:`\sigma^2` = 1, 4000 trials per point. Fast mode (tests, CI): ``d_s`` = 8, ``shared`` = 2,
``weak_only`` = 4, :math:`n` = 20, 500 trials; the smallest N of each branch keeps a few moments of the
per-trial numbers finite (:math:`|N-d_s|\ge6`), so the standard errors are trustworthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from w2s_theory._sweep import run_sweep, stack_points, unstack_points
from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.discrepancy.misfit import expected_misfit_gain
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

PAPER = "Charikar, Pabbaraju, Shiragur 2024"
CONFIGS = ("A", "B", "C")
CONFIG_LABELS = {
    "A": r"A: $\rho_s=0$",
    "B": r"B: $\rho_s>0$, weak-only part aligned with $\beta$",
    "C": r"C: $\rho_s>0$, anti-aligned",
}
XLABEL = r"$N$ (unlabelled samples, teacher pseudo-labels)"
#: Colours of the expectation panel (config A) and of the two scatter clouds.
MEAN_COLORS = {"gain": "tab:brown", "misfit": "tab:pink"}
SCATTER_COLORS = ("tab:purple", "tab:orange")
OUTPUTS = ("weak", "w2s", "misfit")


@dataclass(frozen=True)
class Layout:
    """``d_s`` strong axes (the first ``shared`` also weak), ``weak_only`` weak axes outside them."""

    d_s: int
    shared: int
    weak_only: int
    n: int
    sigma2: float = 1.0

    @property
    def D(self) -> int:
        return self.d_s + self.weak_only

    @property
    def d_w(self) -> int:
        return self.shared + self.weak_only


FULL = Layout(d_s=32, shared=8, weak_only=16, n=60)
FAST = Layout(d_s=8, shared=2, weak_only=4, n=20)


@lru_cache(maxsize=16)
def configuration(name: str, layout: Layout = FULL) -> SubspaceModel:
    """Configuration ``"A"``, ``"B"`` or ``"C"`` of the module docstring on ``layout`` (``FULL``: the
    numbers quoted in ``docs/theory/misfit_gain.md``)."""
    k, m, d_s, D = layout.shared, layout.weak_only, layout.d_s, layout.D
    eye = np.eye(D)
    V_s = eye[:, :d_s]
    beta = np.zeros(D)
    beta[:k] = 1 / np.sqrt(k)
    if name in ("A", "B"):
        V_w = eye[:, [*range(k), *range(d_s, D)]]
        beta[k : 2 * k] = 0.5 / np.sqrt(k)
        if name == "B":
            beta[d_s : d_s + k] = np.sqrt(0.1 / k)
    elif name == "C":
        tilted = (eye[:, k : k + m] + eye[:, d_s : d_s + m]) / np.sqrt(2)
        V_w = np.concatenate([eye[:, :k], tilted], axis=1)
        beta[k : k + m] = 0.25
        beta[d_s:] = -0.1
    else:
        raise ValueError(f"configuration must be one of {CONFIGS}, got {name!r}")
    return SubspaceModel(V_w, V_s, beta, layout.sigma2)


@dataclass(frozen=True)
class Setting:
    layout: Layout
    N_mc: tuple[int, ...]
    N_scatter: tuple[int, int]
    N_max: int
    trials: int

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        full = cls(FULL, (20, 40, 60, 100, 200, 500, 1000, 2000), (200, 2000), 5000, 4000)
        fast = cls(FAST, (2, 24, 40, 160), (40, 160), 400, 500)
        return mode.pick(full, fast)

    def N_fine(self) -> tuple[np.ndarray, np.ndarray]:
        """Integer N for the exact lines: the min-norm branch (N < d_s - 1) and the OLS branch
        (N > d_s + 1), each stopped 2 short of the threshold where the expectations diverge."""
        d_s = self.layout.d_s
        low = np.arange(1, d_s - 3)
        high = np.unique(np.geomspace(d_s + 4, self.N_max, 150).round().astype(int))
        return low, high


def _evaluate(point, key):
    layout = Layout(point["d_s"], point["shared"], point["weak_only"], point["n"], point["sigma2"])
    curve = configuration(point["config"], layout).simulate_curve(
        point["n"], point["N"], trials=point["trials"], seed=key
    )
    return stack_points([{k: mc[k] for k in OUTPUTS} for mc in curve])


def monte_carlo(s: Setting, config: str, mode: Mode) -> list[dict]:
    """Per-trial ``weak``, ``w2s``, ``misfit`` at each N of the setting (resumable sweep runner): the N with
    the same student factor rows (every ``N >= d_s``; each smaller ``N`` alone) run as one curve on the same
    trials (:meth:`~w2s_theory.discrepancy.SubspaceModel.simulate_curve`)."""
    L = s.layout
    base = dict(config=config, d_s=L.d_s, shared=L.shared, weak_only=L.weak_only, n=L.n, sigma2=L.sigma2)
    groups: dict[int, list[int]] = {}
    for N in s.N_mc:
        groups.setdefault(min(int(N), L.d_s), []).append(int(N))
    points = [base | {"N": Ns, "trials": s.trials} for Ns in groups.values()]
    curves = run_sweep(
        points, _evaluate, seed=0, store=mode.cache_dir, desc=f"misfit {config}", progress=mode.progress
    )
    by_N = {
        N: result
        for point, flat in zip(points, curves, strict=True)
        for N, result in zip(point["N"], unstack_points(flat), strict=True)
    }
    return [by_N[int(N)] for N in s.N_mc]


def _per_trial(point: dict) -> dict[str, np.ndarray]:
    gain = point["weak"] - point["w2s"]
    return {"gain": gain, "misfit": point["misfit"], "gap": gain - point["misfit"]}


def _estimates(values: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    est = [mean_se(v) for v in values]
    return np.array([e.value for e in est]), np.array([e.se for e in est])


@register(
    "misfit_gain",
    paper=PAPER,
    description="misfit-gain inequality: gain vs misfit per trial and in expectation vs N, exact gap line",
)
def misfit_gain_figure(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    L = s.layout
    N_mc = np.array(s.N_mc)
    low, high = s.N_fine()
    fig, axes = new_figure(2, 2)
    data: dict[str, dict] = {"N": {"N_mc": N_mc, "N_fine_min_norm": low, "N_fine_ols": high}}
    ax_scatter, ax_mean, ax_gap, ax_frac = axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]
    for i, config in enumerate(CONFIGS):
        color = SERIES_COLORS[i]
        model = configuration(config, L)
        per_point = [_per_trial(p) for p in monte_carlo(s, config, mode)]
        exact_mc = expected_misfit_gain(model, L.n, N_mc)
        exact_low, exact_high = (expected_misfit_gain(model, L.n, N) for N in (low, high))
        entry: dict = {"exact": exact_mc, "gap_limit": float(exact_mc["gap_limit"][0])}
        for q in ("gain", "misfit", "gap"):
            entry[f"{q}_mc"], entry[f"{q}_se"] = _estimates([p[q] for p in per_point])
        frac, frac_se = _estimates([p["gap"] < 0 for p in per_point])
        entry["frac_gap_negative"], entry["frac_gap_negative_se"] = frac, frac_se
        for N, exact in ((low, exact_low), (high, exact_high)):
            ax_gap.plot(N, exact["gap"], "-", color=color, lw=1.6)
        ax_gap.axhline(entry["gap_limit"], color=color, ls=":", lw=1.2)
        mc_points(ax_gap, N_mc, entry["gap_mc"], entry["gap_se"], color)
        mc_points(ax_frac, N_mc, frac, frac_se, color)
        ax_frac.plot(N_mc, frac, "-", color=color, lw=0.8, alpha=0.6)
        data[config] = entry
        if config != "A":
            continue
        for q, c in MEAN_COLORS.items():
            for N, exact in ((low, exact_low), (high, exact_high)):
                ax_mean.plot(N, exact[q], "-", color=c, lw=1.6)
            mc_points(ax_mean, N_mc, entry[f"{q}_mc"], entry[f"{q}_se"], c)
        scatter = {}
        for N, c in zip(s.N_scatter, SCATTER_COLORS, strict=True):
            p = per_point[s.N_mc.index(N)]
            ax_scatter.scatter(p["misfit"], p["gain"], s=3, alpha=0.35, color=c, lw=0)
            scatter[N] = {
                "misfit": p["misfit"],
                "gain": p["gain"],
                "frac_gap_negative": float(np.mean(p["gap"] < 0)),
            }
        data["scatter"] = scatter
    data["table"] = {"markdown": _table(data)}
    _decorate(fig, axes, s, data)
    return FigureOutput(fig, data)


def _table(data: dict) -> str:
    """Exact vs Monte Carlo at every point (written as ``misfit_gain.md`` next to the PNG)."""
    head = "| config | N | " + " | ".join(f"E {q}: exact / MC ± SE (z)" for q in ("misfit", "gain", "gap"))
    rows = [head + " | P(gap < 0) |", "|---|---|---|---|---|---|"]
    for config in CONFIGS:
        d = data[config]
        for i, N in enumerate(data["N"]["N_mc"]):
            cells = []
            for q in ("misfit", "gain", "gap"):
                exact, mean, se = d["exact"][q][i], d[f"{q}_mc"][i], d[f"{q}_se"][i]
                cells.append(f"{exact:.5f} / {mean:.5f} ± {se:.5f} ({(mean - exact) / se:+.2f})")
            frac = f"{d['frac_gap_negative'][i]:.3f} ± {d['frac_gap_negative_se'][i]:.3f}"
            rows.append(f"| {config} | {N} | " + " | ".join(cells) + f" | {frac} |")
    return "\n".join(rows) + "\n"


def _decorate(fig, axes, s: Setting, data: dict) -> None:
    L = s.layout
    ax_scatter, ax_mean, ax_gap, ax_frac = axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]
    lo = min(min(v["misfit"].min(), v["gain"].min()) for v in data["scatter"].values())
    hi = max(max(v["misfit"].max(), v["gain"].max()) for v in data["scatter"].values())
    ax_scatter.plot([lo, hi], [lo, hi], "k-", lw=1)
    ax_scatter.set_xlabel(r"misfit $\|\beta_s-\beta_t\|^2$ (per trial)")
    ax_scatter.set_ylabel(r"gain $\mathrm{ER}_w-\mathrm{ER}_{w2s}$ (per trial)")
    below = ", ".join(f"$N$={N}: {v['frac_gap_negative']:.0%}" for N, v in data["scatter"].items())
    ax_scatter.set_title(f"A, per trial; below the diagonal the inequality fails ({below})", fontsize=9)
    ax_mean.set_xscale("log")
    ax_mean.set_xlabel(XLABEL)
    ax_mean.set_ylabel("expectation")
    ax_mean.set_title("A: E gain vs E misfit (equal only as $N\\to\\infty$)", fontsize=9)
    ax_mean.axvspan(L.d_s - 1, L.d_s + 1, color="grey", alpha=0.2)
    ax_gap.set_xscale("log")
    ax_gap.set_yscale("symlog", linthresh=1e-2)
    ax_gap.axhline(0.0, color="grey", lw=1)
    ax_gap.axvspan(L.d_s - 1, L.d_s + 1, color="grey", alpha=0.2)
    ax_gap.set_xlabel(XLABEL)
    ax_gap.set_ylabel(r"E[gain $-$ misfit] (inequality holds above 0)")
    ax_gap.set_title(r"exact gap; min-norm student left of $d_s$, OLS right", fontsize=9)
    ax_frac.set_xscale("log")
    ax_frac.set_ylim(-0.02, 1.02)
    ax_frac.set_xlabel(XLABEL)
    ax_frac.axhline(0.5, color="grey", ls="--", lw=1)
    ax_frac.set_ylabel("fraction of trials with gain < misfit")
    ax_frac.set_title(r"per trial; tends to 1/2 (dashed) as $N\to\infty$ when $\rho_s=0$", fontsize=9)
    colors = [(CONFIG_LABELS[c], SERIES_COLORS[i]) for i, c in enumerate(CONFIGS)]
    colors += [(f"A per trial, $N$ = {N}", c) for N, c in zip(s.N_scatter, SCATTER_COLORS, strict=True)]
    colors += [(f"A: E {q}", c) for q, c in MEAN_COLORS.items()]
    outside_legend(
        fig,
        color_key(colors),
        style_key(
            ("-", EXACT),
            (":", r"exact gap as $N\to\infty$"),
            ("mc", f"{MC} ({s.trials} trials, the same at every $N\\geq d_s$)"),
        ),
        rows=3,
    )
    fig.suptitle(
        f"{PAPER}: is gain ≥ misfit? Subspace model, $d_s$={L.d_s}, $d_w$={L.d_w}, "
        f"$d_{{s\\wedge w}}$={L.shared}, $n$={L.n}, $\\sigma^2$={L.sigma2:g}; grey band: interpolation threshold",
        fontsize=10,
    )
