r"""Double descent of the subspace model (Dong et al. 2025's setting with ridgeless fits on both sides of
the interpolation threshold; ``docs/theory/discrepancies.md`` §12): the exact expected risks of the weak
teacher, the strong baseline, the strong ceiling and the W2S student as functions of :math:`n` and of
:math:`N`, through every interpolation threshold, with Monte Carlo means ± 1 SE on top.

Four panels: risks vs :math:`n` with the W2S student under- (:math:`N=2d_s`) and over-parameterised
(:math:`N=d_s-d_w`, so the ceiling's threshold :math:`n+N=d_s` falls on the teacher's :math:`n=d_w`), and
risks vs :math:`N` with the teacher under- (:math:`n=2d_s`) and over-parameterised (:math:`n=d_w/2`).
General principal angles (``shared`` random angles in (0.15, 1.35) rad) and a Gaussian target, so every
invariant is non-zero. A fit's expected risk is infinite at its poles :math:`m\in\{k-1,k,k+1\}`: each line
stops at the poles of the fits its risk depends on (W2S: teacher and student), dotted verticals mark the
thresholds. Monte Carlo points keep
:math:`|m-k|\ge4` for every fit (closer, the per-trial risk has infinite variance and an SE means nothing).
Every point runs on the same trials in one compiled program
(:meth:`~w2s_theory.discrepancy.SubspaceModel.simulate_grid`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    COLORS,
    EXACT,
    LABELS,
    MC,
    color_key,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
    theory_lines,
)
from w2s_theory.metrics import mean_se

PAPER = "Dong et al. 2025"
RISKS = ("weak", "strong", "ceiling", "w2s")


@dataclass(frozen=True)
class Setting:
    """The model (dimensions, overlap, noise, seed), the Monte Carlo trials and points per panel."""

    d_w: int
    d_s: int
    shared: int
    sigma2: float
    seed: int
    trials: int
    candidates: int

    @classmethod
    def for_mode(cls, mode: Mode) -> Setting:
        return mode.pick(
            cls(20, 30, 14, 0.5, seed=1, trials=4000, candidates=10),
            cls(10, 14, 4, 0.5, seed=7, trials=300, candidates=2),
        )

    def model(self) -> SubspaceModel:
        """Subspaces with ``shared`` random principal angles, a Gaussian target with
        :math:`\\mathbb E\\|\\beta\\|^2=4` in :math:`D=d_w+d_s+2` dimensions."""
        rng = np.random.default_rng(self.seed)
        D = self.d_w + self.d_s + 2
        beta = rng.normal(size=D) * 2 / np.sqrt(D)
        angles = rng.uniform(0.15, 1.35, size=self.shared)
        return SubspaceModel.from_principal_angles(angles, self.d_w, self.d_s, self.sigma2, beta=beta, D=D)


@dataclass(frozen=True)
class Panel:
    """A curve in ``x`` (``"n"`` or ``"N"``) with the other sample size fixed at ``fixed``."""

    name: str
    x: str
    fixed: int
    x_max: int
    title: str

    def sizes(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        other = np.full_like(x, self.fixed)
        return (x, other) if self.x == "n" else (other, x)


def panels(s: Setting) -> list[Panel]:
    return [
        Panel("vs_n_student_under", "n", 2 * s.d_s, 3 * s.d_s, f"vs $n$, $N={2 * s.d_s}$ (student OLS)"),
        Panel("vs_n_student_over", "n", s.d_s - s.d_w, 3 * s.d_s,
              f"vs $n$, $N={s.d_s - s.d_w}$ (student min-norm)"),
        Panel("vs_N_teacher_under", "N", 2 * s.d_s, 3 * s.d_s, f"vs $N$, $n={2 * s.d_s}$ (teacher OLS)"),
        Panel("vs_N_teacher_over", "N", s.d_w // 2, 3 * s.d_s, f"vs $N$, $n={s.d_w // 2}$ (teacher min-norm)"),
    ]  # fmt: skip


def fit_gaps(n: np.ndarray, N: np.ndarray, d_w: int, d_s: int) -> np.ndarray:
    """:math:`|m-k|` of the teacher, baseline, ceiling and student fits (rows) at each point."""
    return np.abs([n - d_w, n - d_s, n + N - d_s, N - d_s])


def gaps(n: np.ndarray, N: np.ndarray, d_w: int, d_s: int) -> np.ndarray:
    """The smallest :math:`|m-k|` over the four fits at each point."""
    return np.min(fit_gaps(n, N, d_w, d_s), axis=0)


def exact_curves(s: Setting, p: Panel) -> dict[str, np.ndarray]:
    """``x`` (every integer from 1 to ``x_max``) and the exact risks on it; each risk is NaN only where a
    fit it depends on is at its pole."""
    x = np.arange(1, p.x_max + 1)
    exact = s.model().expected_risks(*p.sizes(x), at_poles="nan")
    return {"x": x} | {key: exact[key] for key in RISKS}


def monte_carlo_points(s: Setting, p: Panel) -> np.ndarray:
    """Sizes where every fit is at least 4 away from its pole: the closest ones on each side of every
    threshold, and ``candidates`` evenly spaced among the rest."""
    x = np.arange(1, p.x_max + 1)
    n, N = p.sizes(x)
    per_fit = fit_gaps(n, N, s.d_w, s.d_s)
    varying = per_fit[np.ptp(per_fit, axis=1) > 0]  # the fits whose sample size moves along x
    valid = x[gaps(n, N, s.d_w, s.d_s) >= 4]
    closest = valid[np.isin(valid, x[varying.min(axis=0) == 4])]
    spread = valid[np.linspace(0, valid.size - 1, s.candidates).astype(int)]
    return np.union1d(closest, spread)


def _panel(ax, s: Setting, model: SubspaceModel, p: Panel, runs: list[dict]) -> tuple[dict, list[str]]:
    """One panel from its points' Monte Carlo ``runs`` (in the order of :func:`monte_carlo_points`)."""
    curves = exact_curves(s, p)
    x_mc = monte_carlo_points(s, p)
    n_mc, N_mc = p.sizes(x_mc)
    exact_mc = model.expected_risks(n_mc, N_mc)
    data: dict = {"x": x_mc, "x_fine": curves["x"]}
    rows = []
    for key in RISKS:
        est = [mean_se(run[key]) for run in runs]
        mean, se = np.array([e.value for e in est]), np.array([e.se for e in est])
        theory_lines(ax, curves["x"], curves[key], None, COLORS[key])
        mc_points(ax, x_mc, mean, se, COLORS[key])
        data[key] = {"mc_mean": mean, "mc_se": se, "exact": exact_mc[key], "exact_fine": curves[key]}
        rows += [
            f"| {p.name} | {p.x}={x} | {key} | {e:.4f} | {m:.4f} ± {d:.4f} | {(m - e) / d:+.2f} |"
            for x, e, m, d in zip(x_mc, exact_mc[key], mean, se, strict=True)
        ]
    thresholds = {s.d_w, s.d_s} if p.x == "n" else {s.d_s}
    if s.d_s - p.fixed > 0:
        thresholds.add(s.d_s - p.fixed)  # the ceiling's n + N = d_s
    for t in sorted(thresholds):
        ax.axvline(t, color="0.5", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel(f"${p.x}$ ({'labelled' if p.x == 'n' else 'pseudo-labelled'} samples)")
    ax.set_ylabel("expected excess risk")
    ax.set_title(p.title, fontsize=9)
    return data, rows


@register(
    "double_descent",
    paper=PAPER,
    description="exact risks of all four fits through the interpolation thresholds in n and N, MC on top",
)
def double_descent(mode: Mode) -> FigureOutput:
    s = Setting.for_mode(mode)
    model = s.model()
    # every panel's points on the same trials, in one compiled program whatever their sizes
    sizes = [p.sizes(monte_carlo_points(s, p)) for p in panels(s)]
    grid = model.simulate_grid(
        np.concatenate([n for n, _ in sizes]), np.concatenate([N for _, N in sizes]), s.trials, seed=s.seed
    )
    fig, axes = new_figure(2, 2)
    data, rows, first = {}, [], 0
    for ax, p, (n, _) in zip(axes.flat, panels(s), sizes, strict=True):
        data[p.name], panel_rows = _panel(ax, s, model, p, grid[first : first + n.size])
        rows += panel_rows
        first += n.size
    header = "| panel | point | risk | exact | MC ± SE | z |\n|---|---|---|---|---|---|\n"
    data["table"] = {"markdown": header + "\n".join(rows) + "\n"}
    outside_legend(
        fig,
        color_key([(LABELS[k], COLORS[k]) for k in RISKS]),
        style_key(
            ("-", f"{EXACT} (OLS or min-norm)"),
            (":", "interpolation threshold"),
            ("mc", f"{MC} ({s.trials} trials, the same at every point)"),
        ),  # fmt: skip
    )
    fig.suptitle(
        f"Double descent, {PAPER}'s subspace model with ridgeless fits: $d_w$={s.d_w}, $d_s$={s.d_s}, "
        rf"$d_{{s\wedge w}}$={model.d_sw:.2f}, $\sigma^2$={s.sigma2:g}, $\|\beta\|^2$={model.beta2:.2f}, "
        rf"$\rho_w$={model.rho_w:.2f}, $\rho_s$={model.rho_s:.2f}",
        fontsize=10,
    )
    return FigureOutput(fig, data)
