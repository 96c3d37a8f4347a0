r"""Figure of two-stage confidence filtering (Shi et al., ACL 2025) in the subspace model
(``docs/theory/filtering.md``).

* ``filtering_pgr``: PGR (ratio of mean risks, ± 1 SE) against the stage-I keep fraction ``q`` for each
  inconsistency score (teacher leverage, bootstrap spread, oracle, random), in the split (commuting) and the
  tilted (45°) reference geometry; filled markers stage I, hollow markers stage I+II (identical: stage II is
  the identity for a least-squares student), the dashed line the naive student (every pseudo-label kept),
  the dotted line PGR = 1 (the ceiling).

Fast mode (tests, CI): 40 trials per geometry; full mode: 1200 (the reference runs of the docs page).
"""

from __future__ import annotations

import numpy as np

from w2s_theory.figures.registry import FigureOutput, Mode, register
from w2s_theory.figures.style import (
    MC,
    SERIES_COLORS,
    color_key,
    line_handle,
    mc_points,
    new_figure,
    outside_legend,
    style_key,
)
from w2s_theory.filtering import TwoStageFilter

PAPER = "Shi et al. (ACL 2025), two-stage filtering"
SCORE_LABELS = {
    "leverage": "teacher leverage",
    "bootstrap": "bootstrap spread (16 teachers)",
    "oracle": "oracle (teacher's actual error)",
    "random": "random",
}
GEOMETRIES = {
    "split": "split geometry: V_s, V_w commute (d_sw = 8)",
    "tilted": "tilted geometry: 16 principal angles of 45°",
}
n, N = 80, 800


def _panel(which: str, trials: int) -> dict[str, np.ndarray]:
    f = getattr(TwoStageFilter, which)()
    out = f.simulate(n, N, trials=trials, seed=0)
    data: dict[str, np.ndarray] = {"q": np.array(f.settings.q)}
    rows = f.summarize(out)
    for score in f.settings.scores:
        for stage in ("stage1", "stage2"):
            picked = [r for r in rows if r.score == score and r.stage == stage]
            data[f"{score}/{stage}/pgr"] = np.array([r.pgr.value for r in picked])
            data[f"{score}/{stage}/se"] = np.array([r.pgr.se for r in picked])
    data["stage2_shift_max"] = np.array(out["stage2_shift"].max())
    return data


@register(
    "filtering_pgr",
    paper=PAPER,
    description="PGR vs keep fraction q per confidence score, split and tilted geometry, stage I vs I+II",
)
def filtering_pgr(mode: Mode) -> FigureOutput:
    trials = mode.pick(1200, 40)
    fig, axes = new_figure(1, 2)
    data = {}
    for ax, (which, title) in zip(axes[0], GEOMETRIES.items(), strict=True):
        d = data[which] = _panel(which, trials)
        naive = d["random/stage1/pgr"][-1]
        ax.axhline(naive, color="k", ls="--", lw=1.0)
        ax.axhline(1.0, color="grey", ls=":", lw=1.0)
        for score, color in zip(SCORE_LABELS, SERIES_COLORS, strict=False):
            mc_points(ax, d["q"] - 0.006, d[f"{score}/stage1/pgr"], d[f"{score}/stage1/se"], color)
            mc_points(
                ax, d["q"] + 0.006, d[f"{score}/stage2/pgr"], d[f"{score}/stage2/se"], color, hollow=True
            )
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(r"stage-I keep fraction $q$")
        ax.set_ylabel("PGR (performance gap recovered)")
    fig.suptitle(f"Two-stage confidence filtering, n = {n}, N = {N}, q2 = 0.5 ({trials} trials)", fontsize=10)
    outside_legend(
        fig,
        color_key([(label, c) for label, c in zip(SCORE_LABELS.values(), SERIES_COLORS, strict=False)]),
        style_key(("mc", f"stage I, {MC}"), ("mc_hollow", "stage I+II (identical)"))
        + [
            line_handle("naive W2S (q = 1)", ls="--", lw=1.0),
            line_handle("ceiling (PGR = 1)", "grey", ":", 1.0),
        ],
    )
    return FigureOutput(fig, data)
