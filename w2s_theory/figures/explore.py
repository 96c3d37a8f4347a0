r"""The intrinsic-dimension trade-off map: exact PGR and OPR over (n, N), with the PGR > 1 and OPR > 1
regions outlined (theory only, so it redraws instantly in the notebook's sliders).

Bias convention: the target lies in :math:`\mathcal V_s+\mathcal V_w` (coordinate layout), so
:math:`\|P_s(I-P_w)\beta\|^2=\rho_w` and :math:`\|(I-P_s)P_w\beta\|^2=\rho_s`.
"""

from __future__ import annotations

import numpy as np

from w2s_theory.discrepancy import theory as th
from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import new_figure

METRIC_NAMES = {"pgr": "PGR (gap recovered)", "opr": "OPR (outperforming ratio)"}
WINS = {"pgr": "W2S beats the S-Ceiling where PGR > 1", "opr": "W2S beats the S-Baseline where OPR > 1"}


def tradeoff_map(
    d_w: int = 200,
    d_s: int = 100,
    d_sw: float = 10,
    sigma2: float = 1e-2,
    rho_w: float = 2.5e-4,
    rho_s: float = 5.5e-5,
    n_max: int | None = None,
    N_max: int | None = None,
    resolution: int = 120,
) -> FigureOutput:
    """Heatmaps of exact PGR and OPR over ``n in (d_w + 1, n_max]``, ``N in (d_s + 1, N_max]``."""
    n_max = n_max or 20 * d_w
    N_max = N_max or 40 * d_s
    lo_n = max(d_w, d_s) + 2
    # whole numbers: the exact risks are finite-sample expectations, defined at integer sample sizes
    n = np.unique(np.linspace(lo_n, max(n_max, lo_n + 1), resolution).round().astype(int))[:, None]
    N = np.unique(np.linspace(d_s + 2, max(N_max, d_s + 3), resolution).round().astype(int))[None, :]
    ex = th.expected_risks(
        n=n,
        N=N,
        d_w=d_w,
        d_s=d_s,
        d_sw=d_sw,
        sigma2=sigma2,
        rho_w=rho_w,
        rho_s=rho_s,
        bias_sw=rho_w,
        bias_ws=rho_s,
    )
    fig, axes = new_figure(1, 2, width=6.0, height=4.2)
    extent = (N.min(), N.max(), n.min(), n.max())
    for ax, metric, vmax in ((axes[0, 0], "pgr", 1.2), (axes[0, 1], "opr", 3.0)):
        im = ax.imshow(
            ex[metric], origin="lower", aspect="auto", extent=extent, cmap="viridis", vmin=0, vmax=vmax
        )
        fig.colorbar(im, ax=ax, label=f"exact {METRIC_NAMES[metric]}", extend="max")
        if np.any(ex[metric] > 1) and np.any(ex[metric] < 1):
            ax.contour(N.ravel(), n.ravel(), ex[metric], levels=[1.0], colors="white", linewidths=1.5)
        ax.set_xlabel(r"$N$ (unlabelled samples, teacher pseudo-labels)")
        ax.set_ylabel(r"$n$ (labelled samples)")
        ax.set_title(f"white contour: {metric.upper()} = 1 ({WINS[metric]})", fontsize=9)
    fig.suptitle(
        "Dong et al. 2025, theory only: where W2S wins; "
        rf"$d_w$={d_w}, $d_s$={d_s}, $d_{{s\wedge w}}$={d_sw:g}, $\sigma^2$={sigma2:g}, "
        rf"$\rho_w$={rho_w:.2g}, $\rho_s$={rho_s:.2g}",
        fontsize=10,
    )
    data = {"map": {"n": n.ravel(), "N": N.ravel(), "pgr": ex["pgr"], "opr": ex["opr"]}}
    return FigureOutput(fig, data)


@register(
    "tradeoff_map",
    paper="Dong et al. 2025",
    description="exact PGR/OPR over (n, N) at the notebook's d_sw = 10, sigma2 = 0.1: where W2S wins",
)
def tradeoff_map_figure(mode: Mode) -> FigureOutput:
    return tradeoff_map(d_sw=10, sigma2=1e-1, resolution=mode.pick(200, 40))
