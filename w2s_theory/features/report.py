r"""The Markdown report of the ``features`` command: dimensions, overlap, canonical correlations, design
factors and the predicted-vs-measured table (``docs/theory/features.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from w2s_theory.features.model import FeatureModelData
from w2s_theory.metrics import Estimate

QUANTITIES = ("weak", "strong", "ceiling", "w2s", "pgr", "opr")
#: One comparison: ``{"n", "N", quantity: {"exact", "stated", "measured", "se"}}`` (``FeatureModel.compare``).
Row = Mapping[str, object]


def _fmt(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.4g}"


def comparison_table(rows: Sequence[Row]) -> str:
    """Markdown table: per ``(n, N)`` and quantity, the exact form, the stated form, the measured mean ± SE
    and the relative error of the exact form (absolute error for PGR and OPR)."""
    lines = [
        "| n | N | quantity | exact form | stated form | measured ± SE | exact − measured |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for q in QUANTITIES:
            c = row[q]
            err = c["exact"] - c["measured"]
            err_s = f"{err:+.3f}" if q in ("pgr", "opr") else f"{100 * err / c['measured']:+.1f}%"
            lines.append(
                f"| {row['n']} | {row['N']} | {q} | {_fmt(c['exact'])} | {_fmt(c['stated'])} | "
                f"{_fmt(c['measured'])} ± {c['se']:.2g} | {err_s} |"
            )
    return "\n".join(lines) + "\n"


def markdown_report(
    model: FeatureModelData,
    rows: Sequence[Row],
    design_factors: Mapping[int, Mapping[str, Estimate]],
    *,
    trials: int,
    title: str = "W2S prediction from two feature matrices",
    authors_d_sw: float | None = None,
    figure: str | None = None,
) -> str:
    """The full report.

    Parameters
    ----------
    model
        The feature model.
    rows
        Comparisons (``FeatureModel.compare`` plus ``n``, ``N``).
    design_factors
        ``{n: design_check(n)}``.
    trials
        Monte Carlo trials per point (stated in the report).
    authors_d_sw
        The authors' overlap estimate on the same features, shown next to the principal-angle one.
    figure
        File name of the figure, linked from the report.
    """
    cc = model.canonical_correlations
    out = [f"# {title}", ""]
    out += [
        'Theory: Dong et al. (ICML 2025), "Discrepancies are Virtue"; the exact finite-sample forms with the',
        f"{model.M} inputs as the population (rows resampled with replacement, excess risk exact over all rows).",
        "",
        "## Dimensions and overlap",
        "",
        "| quantity | value |",
        "|---|---|",
        f"| inputs M | {model.M} |",
        f"| d_w (weak principal components kept; rank {model.weak.rank}) | {model.d_w} |",
        f"| d_s (strong principal components kept; rank {model.strong.rank}) | {model.d_s} |",
        f"| d_sw = Σ cos² (principal angles between the spans) | {model.d_sw:.4g} |",
        f"| d_sw of unrelated spans, d_w·d_s/M ± sd | {model.d_sw_null:.3g} ± {model.d_sw_null_sd:.2g} |",
    ]
    if authors_d_sw is not None:
        out.append(
            f"| the authors' overlap estimator (random projection, own-coordinate eigenvectors) | {authors_d_sw:.4g} |"
        )
    out += [
        f"| sigma2 ({model.sigma2_source}) | {model.sigma2:.4g} |",
        f"| rho_w = ‖(I−P_w)f*‖² | {model.rho_w:.4g} |",
        f"| rho_s = ‖(I−P_s)f*‖² | {model.rho_s:.4g} |",
        f"| ‖P_s(I−P_w)f*‖² (student-visible, teacher-blind) | {model.bias_sw:.4g} |",
        f"| ‖(I−P_s)P_w f*‖² (teacher-visible, student-blind) | {model.bias_ws:.4g} |",
        "",
        "Canonical correlations (cosines of the principal angles): "
        + ", ".join(f"{c:.3f}" for c in cc[:20])
        + (f", … ({cc.size} in all)" if cc.size > 20 else ""),
        "",
        "## Gaussian-design factors",
        "",
        "E tr(Σ (FᵀF)⁻¹)·(n−k−1)/k over resampled rows: 1 for a Gaussian design; above 1.2 the exact forms",
        "under-predict the variance terms.",
        "",
        "| n | weak | strong |",
        "|---|---|---|",
    ]
    for n, f in sorted(design_factors.items()):
        flag = lambda e: f"{e.value:.3f} ± {e.se:.2g}" + (" **(> 1.2)**" if e.value > 1.2 else "")
        out.append(f"| {n} | {flag(f['weak'])} | {flag(f['strong'])} |")
    out += [
        "",
        f"## Predicted vs measured ({trials} trials per point)",
        "",
        "Exact form: the finite-sample expectation with both bias terms; stated form: the paper's",
        "σ²D_N/(n−d_w−1)+ρ_w+ρ_s curves. Measured PGR and OPR are ratios of mean risks (delta-method SE).",
        "",
        comparison_table(rows),
    ]
    if figure:
        out += ["", f"![predicted curves and measured points]({figure})", ""]
    return "\n".join(out)
