r"""Predicted W2S curves of two real feature matrices with measured points: the ``features`` command's
figure and the registered digits figure (``docs/theory/features.md``).

Four panels: excess risks of the weak teacher, S-Baseline, S-Ceiling and W2S student vs :math:`n` (at a
fixed :math:`N`) and vs :math:`N` (at a fixed :math:`n`), and PGR / OPR along the same lines. Solid lines:
the exact finite-sample forms at the model's invariants; dotted: the paper's stated forms (no bias terms;
on real features their PGR can lie far off the axis, which is then cut to the exact curves and the
measurements); markers: the real pipeline on resampled rows, mean ± 1 SE (PGR / OPR: ratio of mean risks,
delta-method SE).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tqdm.auto import tqdm

from w2s_theory.features import FeatureModel
from w2s_theory.features.examples import DIGITS_K_S, DIGITS_K_W, digits
from w2s_theory.features.report import comparison_table
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    COLORS,
    EXACT,
    LABELS,
    MC,
    STATED,
    color_key,
    line_handle,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
    theory_lines,
)

PAPER = "Dong et al. 2025"
RISKS = ("weak", "strong", "ceiling", "w2s")
#: PGR / OPR colours, distinct from the four risks' (W2S is blue).
METRICS = {"pgr": ("PGR", "black"), "opr": ("OPR", "tab:red")}
XLABELS = {"n": r"$n$ (labelled rows)", "N": r"$N$ (unlabelled rows, teacher pseudo-labels)"}


def _int_grid(lo: int, hi: int, points: int = 200) -> np.ndarray:
    """Whole numbers from ``lo`` to ``hi`` (the exact forms are defined at integer sample sizes)."""
    return np.unique(np.linspace(lo, hi, points).round().astype(int))


def _limits(values: Sequence[np.ndarray]) -> tuple[float, float]:
    v = np.concatenate([np.ravel(x) for x in values])
    v = v[np.isfinite(v)]
    lo, hi = float(v.min()), float(v.max())
    pad = 0.1 * max(hi - lo, 0.05)
    return lo - pad, hi + pad


def feature_curves(
    model: FeatureModel,
    ns: Sequence[int],
    Ns: Sequence[int],
    trials: int,
    seed: int = 0,
    title: str = "",
    progress: bool = False,
) -> FigureOutput:
    """Predicted curves and measured points along ``n in ns`` (at the middle ``N`` of ``Ns``) and along
    ``N in Ns`` (at the middle ``n`` of ``ns``).

    Every point needs :math:`n>\\max(d_w,d_s)+1` and :math:`N>d_s+1` (the exact forms). ``data`` holds, per
    panel (``vs_n``, ``vs_N``), the grid ``x`` and per quantity ``exact``, ``stated``, ``mc_mean``,
    ``mc_se`` (and the fine-grid curves), plus ``table``: ``rows`` (one :meth:`FeatureModel.compare` per
    point, with ``n``, ``N``) and their ``markdown`` table. Every point is measured on the same trials, in
    one compiled program (:meth:`FeatureModel.compare_curve`). ``progress`` shows a progress bar
    (stderr).
    """
    ns, Ns = sorted({int(n) for n in ns}), sorted({int(N) for N in Ns})
    n_ref, N_ref = ns[len(ns) // 2], Ns[len(Ns) // 2]
    lines = {"vs_n": ("n", [(n, N_ref) for n in ns]), "vs_N": ("N", [(n_ref, N) for N in Ns])}
    todo = sorted({p for _, points in lines.values() for p in points})
    desc = f"{len(todo)} points x {trials} trials"
    with tqdm(total=1, desc=desc, disable=not progress, unit="curve") as bar:
        compared = model.compare_curve(*zip(*todo, strict=True), trials=trials, seed=seed)
        bar.update()
    rows = [{"n": n, "N": N} | c for (n, N), c in zip(todo, compared, strict=True)]
    cache = {(row["n"], row["N"]): row for row in rows}

    fig, axes = new_figure(2, 2)
    data: dict[str, dict] = {}
    for col, (panel, (var, points)) in enumerate(lines.items()):
        x = np.array([p[0] if var == "n" else p[1] for p in points])
        fine = _int_grid(int(x.min()), int(x.max()))
        n_f, N_f = (fine, N_ref) if var == "n" else (n_ref, fine)
        exact_f = model.expected_risks(n_f, N_f, check_design=False)
        stated_f = model.paper_risks(n_f, N_f)
        panel_data: dict[str, object] = {"x": x, "x_fine": fine}
        for key in RISKS + tuple(METRICS):
            cmp = [cache[p][key] for p in points]
            panel_data[key] = {
                "exact": np.array([c["exact"] for c in cmp]),
                "stated": np.array([c["stated"] for c in cmp]),
                "mc_mean": np.array([c["measured"] for c in cmp]),
                "mc_se": np.array([c["se"] for c in cmp]),
                "exact_fine": np.asarray(exact_f[key]),
                "stated_fine": np.asarray(stated_f[key]),
            }
        data[panel] = panel_data
        ax = axes[0, col]
        for key in RISKS:
            d = panel_data[key]
            theory_lines(ax, fine, d["exact_fine"], d["stated_fine"], COLORS[key])
            mc_points(ax, x, d["mc_mean"], d["mc_se"], COLORS[key])
        ax.set_ylabel("excess risk (mean over the M rows)")
        ax.set_title(f"vs ${var}$ at " + (f"$N$ = {N_ref}" if var == "n" else f"$n$ = {n_ref}"), fontsize=9)
        ax = axes[1, col]
        shown = []
        for key, (_, color) in METRICS.items():
            d = panel_data[key]
            theory_lines(ax, fine, d["exact_fine"], d["stated_fine"], color)
            mc_points(ax, x, d["mc_mean"], d["mc_se"], color)
            shown += [d["exact_fine"], d["mc_mean"] - d["mc_se"], d["mc_mean"] + d["mc_se"], np.array([1.0])]
        ax.set_ylim(*_limits(shown))
        ax.axhline(1.0, color="grey", ls="--", lw=1)
        ax.set_ylabel("PGR, OPR")
        for a in axes[:, col]:
            a.set_xlabel(XLABELS[var])
    outside_legend(
        fig,
        color_key([(LABELS[k], COLORS[k]) for k in RISKS] + [(name, c) for name, c in METRICS.values()]),
        style_key(
            ("-", EXACT), (":", f"{STATED} (PGR may be off the axis)"), ("mc", f"{MC} ({trials} trials)")
        ),
        [line_handle("PGR, OPR = 1", color="grey", ls="--", lw=1)],
        rows=3,
    )
    fig.suptitle(
        (title + "\n" if title else "")
        + rf"{PAPER}, exact forms at the features' invariants: $d_w$={model.d_w}, $d_s$={model.d_s}, "
        rf"$d_{{s\wedge w}}$={model.d_sw:.3g} (unrelated: {model.d_sw_null:.2g}), $\sigma^2$={model.sigma2:.3g}, "
        rf"$\rho_w$={model.rho_w:.3g}, $\rho_s$={model.rho_s:.3g}",
        fontsize=10,
    )
    return FigureOutput(fig, data | {"table": {"rows": rows, "markdown": comparison_table(rows)}})


#: The digits figure's settings: (sigma2, trials, n grid, N grid) in full and fast mode (every point of a
#: mode in one compiled program).
DIGITS_FULL = (4.0, 300, (44, 60, 100, 200, 400), (20, 50, 100, 400, 1000))
DIGITS_FAST = (4.0, 100, (44, 100), (50, 400))


def digits_model(sigma2: float) -> FeatureModel:
    """The digits example (:func:`w2s_theory.features.examples.digits`) at ``k_w = 20``, ``k_s = 8``."""
    F_w, F_s, target = digits()
    return FeatureModel.from_features(F_w, F_s, target, sigma2, DIGITS_K_W, DIGITS_K_S)


@register(
    "features_digits",
    paper=PAPER,
    description="real features: digits left-half PCA-20 teacher, all-pixel PCA-8 student, predicted vs measured",
)
def features_digits(mode: Mode) -> FigureOutput:
    sigma2, trials, ns, Ns = mode.pick(DIGITS_FULL, DIGITS_FAST)
    return feature_curves(
        digits_model(sigma2),
        ns,
        Ns,
        trials=trials,
        progress=mode.progress,
        title="scikit-learn digits: weak = left-half pixels (PCA-20), strong = all pixels (PCA-8), target = digit",
    )
