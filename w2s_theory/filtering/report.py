r"""Tables from per-trial filtering outputs: each arm's risk, PGR and paired gain over the naive student.

PGR is the ratio of mean risks with its delta-method SE (:func:`w2s_theory.metrics.pgr_ratio_of_means`);
the paired gain :math:`\Delta\mathrm{ER}=\mathrm{ER}(\text{naive})-\mathrm{ER}(\text{arm})` uses the same
trials for both (positive: filtering helps), so its SE is much smaller than that of either risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory.filtering.family import FAMILY
from w2s_theory.filtering.model import FilterSettings
from w2s_theory.metrics import Estimate, mean_se, pgr_ratio_of_means

STAGES: tuple[str, ...] = ("stage1", "stage2")


@dataclass(frozen=True)
class ArmSummary:
    """One arm: ``score``, keep fraction ``q``, ``stage`` (``"stage1"`` or ``"stage2"`` = I+II), its mean
    excess ``risk``, ``pgr`` and the paired ``gain`` over the naive student (all with SEs)."""

    score: str
    q: float
    stage: str
    risk: Estimate
    pgr: Estimate
    gain: Estimate


def arm(
    out: dict[str, np.ndarray], settings: FilterSettings, score: str, q: float, stage: str = "stage1"
) -> np.ndarray:
    """The per-trial excess risks of one arm."""
    return out[stage][:, settings.scores.index(score), settings.q.index(q)]


def summarize(out: dict[str, np.ndarray], settings: FilterSettings) -> list[ArmSummary]:
    """Every arm of a :func:`w2s_theory.filtering.simulate.simulate` run, score-major."""
    rows = []
    for score in settings.scores:
        for q in settings.q:
            for stage in STAGES:
                risks = arm(out, settings, score, q, stage)
                rows.append(
                    ArmSummary(
                        score, q, stage, mean_se(risks),
                        pgr_ratio_of_means(out | {FAMILY.roles.student: risks}, FAMILY.roles),
                        mean_se(out["w2s"] - risks),
                    )
                )  # fmt: skip
    return rows


def format_table(rows: list[ArmSummary], stage: str = "stage1") -> str:
    """A markdown table (rows: ``q``; columns: scores) of ``E ER / PGR / gain`` for one stage."""
    scores = list(dict.fromkeys(r.score for r in rows))
    qs = list(dict.fromkeys(r.q for r in rows))
    cell = {(r.score, r.q): r for r in rows if r.stage == stage}
    lines = [
        "| q | " + " | ".join(f"{s}: E ER / PGR / ΔER" for s in scores) + " |",
        "|---" * (len(scores) + 1) + "|",
    ]
    for q in qs:
        parts = []
        for s in scores:
            r = cell[(s, q)]
            parts.append(
                f"{r.risk.value:.4f} ± {r.risk.se:.4f} / {r.pgr.value:.3f} ± {r.pgr.se:.3f} / "
                f"{r.gain.value:+.4f} ± {r.gain.se:.4f}"
            )
        lines.append(f"| {q:g} | " + " | ".join(parts) + " |")
    return "\n".join(lines)
