r"""Enhanced-W2S experiments (``docs/theory/remedy.md`` §9–§10): the paper's mismatch scenarios, ablations
over ``p`` and ``q``, and the regression-theory overlay of the :math:`\eta_u^{\rm eff}` mechanism.

Default :class:`Setting`: canonical geometry C0 (``docs/theory/spurious.md`` §11.1) with
:math:`c=\|\Xi\|_F^2=0` and :math:`\mu_\xi=3e_1+3e_4` (:math:`p_T=4`, :math:`p_S=3`;
:math:`\|\mu_T\|^2=\|\mu_S\|^2=9`, :math:`\Xi\mu_S=0`, so :math:`\eta_u^\star\approx\eta_\ell`,
``docs/theory/spurious.md`` §5.2, and the student *sees* the group through :math:`\mu_S\neq0`; with
:math:`\mu_S=0` the student's features, hence its confidence, would have the same law in both groups and
no filter could move :math:`\eta_u`), hard groups, :math:`\|\beta^*\|=2`,
:math:`\sigma_y^2=\sigma_\xi^2=1` (Bayes accuracy 0.852), :math:`d_z=20`, :math:`n=400`
(:math:`\gamma_z=0.05`), :math:`N=1000` (:math:`\nu_z=0.02`), test on :math:`\mathcal D(0.5)`.
Scenarios (``docs/theory/remedy.md`` §1, §9): ``"l=o,u=.5"`` is :math:`(\eta_\ell,\eta_u)=(\eta_o,0.5)`,
``"l=.5,u=o"`` is :math:`(0.5,\eta_o)`, ``"matched"`` is :math:`(\eta_o,\eta_o)`.

Theory overlay (``docs/theory/remedy.md`` §8): the hard-model leading order
(``docs/theory/spurious.md`` §9.2, :func:`w2s_theory.spurious.theory.risks_at`) with
:math:`\sigma_y^2\to\sigma_{\rm eff}^2` gives per-group excess risks of the least-squares students,
mapped to accuracy by :meth:`ClassificationTask.accuracy_from_risk`. The :math:`\eta_u^{\rm eff}`
mechanism predicts the Enhanced-W2S change as
:math:`\mathrm{acc}(\eta_u^{\rm eff},\lceil pN\rceil)-\mathrm{acc}(\eta_u,N)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jax
import numpy as np

from w2s_theory._sweep import run_sweep, stack_points, unstack_points
from w2s_theory.metrics import Estimate, mean_se
from w2s_theory.remedy.confidence import keep_count
from w2s_theory.remedy.data import ClassificationTask
from w2s_theory.remedy.enhanced import simulate_enhanced, simulate_variants
from w2s_theory.spurious import SpuriousModel
from w2s_theory.spurious.theory import risks_at

SCENARIOS: tuple[str, ...] = ("l=o,u=.5", "l=.5,u=o", "matched")


def scenario_fractions(scenario: str, eta_o: float) -> tuple[float, float]:
    r""":math:`(\eta_\ell,\eta_u)` of a named scenario."""
    return {"l=o,u=.5": (eta_o, 0.5), "l=.5,u=o": (0.5, eta_o), "matched": (eta_o, eta_o)}[scenario]


@dataclass(frozen=True)
class Setting:
    """Sizes and defaults of a run (see the module docstring)."""

    d_z: int = 20
    n: int = 400
    N: int = 1000
    eta_t: float = 0.5
    p: float = 0.5
    q: float = 0.7
    trials: int = 200
    beta_norm: float = 2.0
    m: float = 3.0
    m4: float = 3.0
    c: float = 0.0

    def task(self) -> ClassificationTask:
        """The task (one object per setting, so compiled programs are reused across calls)."""
        return _task(self.d_z, self.c, self.m, self.m4, self.beta_norm)


@cache
def _task(d_z: int, c: float, m: float, m4: float, beta_norm: float) -> ClassificationTask:
    model = SpuriousModel.canonical(d_z, c=c, m=m, m4=m4, group_model="hard")
    return ClassificationTask(model, beta_norm=beta_norm)


def _evaluate(point, key: jax.Array) -> dict[str, np.ndarray]:
    s = Setting(**point["setting"])
    kw = dict(n=s.n, N=s.N, eta_t=s.eta_t, trials=s.trials, seed=key, head=point["head"])
    kw |= dict(eta_l=point["eta_l"], eta_u=point["eta_u"], p=point["p"], q=point["q"])
    return simulate_enhanced(s.task(), init=point["init"], pseudolabels=point["pseudolabels"], **kw)


def run_points(
    setting: Setting,
    points: Sequence[dict],
    *,
    seed: int = 0,
    store: Path | None = None,
    progress: bool = False,
    desc: str = "remedy",
) -> list[dict[str, np.ndarray]]:
    """Per-trial results at each point (keys ``eta_l, eta_u, p, q, head, init``), via the resumable
    sweep runner: a point's numbers depend on the seed and its own parameters only."""
    base = {"setting": setting.__dict__}
    full = [
        base | dict(p=setting.p, q=setting.q, head="squares", init="w2s", pseudolabels="teacher") | pt
        for pt in points
    ]
    return run_sweep(full, _evaluate, seed=seed, store=store, desc=desc, progress=progress)


def _evaluate_variants(point, key: jax.Array) -> dict[str, np.ndarray]:
    s = Setting(**point["setting"])
    kw = dict(n=s.n, N=s.N, eta_t=s.eta_t, trials=s.trials, seed=key, head=point["head"])
    kw |= dict(eta_l=point["eta_l"], eta_u=point["eta_u"], variants=point["variants"])
    results = simulate_variants(s.task(), **kw)
    return stack_points(results)


def run_variants(
    setting: Setting,
    points: Sequence[dict],
    variants: Sequence[dict],
    *,
    seed: int = 0,
    store: Path | None = None,
    progress: bool = False,
    desc: str = "remedy",
) -> list[list[dict[str, np.ndarray]]]:
    """For each point (keys ``eta_l, eta_u, head``), the per-trial results of every variant (keys ``p, q,
    init, pseudolabels``; where missing, the setting's ``p`` and ``q``, ``"w2s"`` and ``"teacher"``) on the
    same trials (:func:`~w2s_theory.remedy.enhanced.simulate_variants`), via the resumable sweep runner:
    ``result[i][j]`` is variant ``j`` at point ``i``."""
    defaults = dict(p=setting.p, q=setting.q, init="w2s", pseudolabels="teacher")
    chosen = [defaults | dict(v) for v in variants]
    base = {"setting": setting.__dict__, "head": "squares"}
    full = [base | pt | {"variants": chosen} for pt in points]
    flat = run_sweep(full, _evaluate_variants, seed=seed, store=store, desc=desc, progress=progress)
    return [unstack_points(r) for r in flat]


def paired(a: np.ndarray, b: np.ndarray) -> Estimate:
    """Mean and SE of the per-trial difference ``a - b`` (same data in each trial)."""
    return mean_se(np.asarray(a) - np.asarray(b))


# ------------------------------------------------------------------------------------------ scenario table
def scenario_table(
    setting: Setting,
    eta_os: Sequence[float] = (0.05, 0.1, 0.2),
    heads: Sequence[str] = ("squares", "logistic"),
    scenarios: Sequence[str] = SCENARIOS,
    inits: Sequence[str] = ("w2s", "scratch"),
    *,
    seed: int = 0,
    store: Path | None = None,
    progress: bool = False,
) -> list[dict]:
    """One row per (head, scenario, eta_o): mean ± SE accuracies of teacher, vanilla W2S, Enhanced-W2S
    (from the W2S student, and from scratch if ``"scratch"`` is in ``inits``), the paired gain
    Enhanced - W2S, worst-group accuracies and eta_u_eff."""
    keys = [(h, sc, eo) for h in heads for sc in scenarios for eo in eta_os]
    points = [
        dict(zip(("eta_l", "eta_u"), scenario_fractions(sc, eo), strict=True), head=h) for h, sc, eo in keys
    ]
    starts = [dict(init=init) for init in inits]  # every start on the same trials
    results = run_variants(
        setting, points, starts, seed=seed, store=store, progress=progress, desc="scenarios"
    )
    rows = []
    for (h, sc, eo), per_start in zip(keys, results, strict=True):
        r = per_start[0]
        r0 = per_start[inits.index("scratch")] if "scratch" in inits else None
        eta_l, eta_u = scenario_fractions(sc, eo)
        rows.append(
            {
                "head": h,
                "scenario": sc,
                "eta_o": eo,
                "eta_l": eta_l,
                "eta_u": eta_u,
                "trials": r["teacher_acc"].size,
                "teacher": mean_se(r["teacher_acc"]),
                "w2s": mean_se(r["w2s_acc"]),
                "enhanced": mean_se(r["enhanced_acc"]),
                "enhanced_scratch": None if r0 is None else mean_se(r0["enhanced_acc"]),
                "gain": paired(r["enhanced_acc"], r["w2s_acc"]),
                "gain_scratch": None if r0 is None else paired(r0["enhanced_acc"], r0["w2s_acc"]),
                "w2s_worst": mean_se(r["w2s_worst"]),
                "enhanced_worst": mean_se(r["enhanced_worst"]),
                "eta_u_eff": mean_se(r["eta_u_eff"]),
                "eta_u_shift": paired(r["eta_u_eff"], r["eta_u_sample"]),
            }
        )
    return rows


def _pm(e: Estimate | None, scale: float = 100.0, digits: int = 1) -> str:
    if e is None:
        return "–"
    return f"{scale * e.value:.{digits}f} ± {scale * e.se:.{digits}f}"


def markdown_table(rows: Sequence[dict], setting: Setting) -> str:
    """The scenario table in markdown (accuracies in %, mean ± SE over trials)."""
    head = (
        f"Accuracy (%) on D(eta_t={setting.eta_t}), mean ± SE over {rows[0]['trials']} trials; p={setting.p}, "
        f"q={setting.q}; d_z={setting.d_z}, n={setting.n}, N={setting.N}; Bayes "
        f"{100 * setting.task().bayes_accuracy:.1f}.\n\n"
        "| head | (eta_l, eta_u) | teacher | vanilla W2S | Enhanced (from W2S) | Enhanced (scratch) "
        "| Enh - W2S (paired) | worst-group W2S | worst-group Enh | eta_u_eff |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r['head']} | ({r['eta_l']:g}, {r['eta_u']:g}) | {_pm(r['teacher'])} | {_pm(r['w2s'])} "
        f"| {_pm(r['enhanced'])} | {_pm(r['enhanced_scratch'])} | {_pm(r['gain'], digits=2)} "
        f"| {_pm(r['w2s_worst'])} | {_pm(r['enhanced_worst'])} | {_pm(r['eta_u_eff'], 1.0, 3)} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- theory
def theory_accuracy(
    setting: Setting, eta_l: float, eta_u: float, N: int, who: str = "student"
) -> dict[str, float]:
    r"""Leading-order (hard groups, ``docs/theory/spurious.md`` §9.2; ``docs/theory/remedy.md`` §8.1)
    accuracy of the least-squares ``teacher`` or ``student`` fitted on ``N`` unlabelled points at
    :math:`\eta_u`: per group (``acc0``, ``acc1``), on :math:`\mathcal D(\eta_t)` (``acc``), with the
    regression excess risks ``er0``, ``er1``."""
    task = setting.task()
    model = task.regression_model()
    gamma_z, nu_z = setting.d_z / setting.n, setting.d_z / N
    er = risks_at(model, gamma_z, nu_z, eta_l, eta_u, np.array([0.0, 1.0]))[who]
    acc = task.accuracy_from_risk(er)
    t = setting.eta_t
    return {
        "er0": float(er[0]),
        "er1": float(er[1]),
        "acc0": float(acc[0]),
        "acc1": float(acc[1]),
        "acc": float((1 - t) * acc[0] + t * acc[1]),
    }


def mechanism_prediction(
    setting: Setting, eta_l: float, eta_u: float, eta_u_eff: float, p: float
) -> dict[str, float]:
    r"""Accuracy changes the :math:`\eta_u^{\rm eff}` mechanism predicts for the least-squares student:
    ``shift`` :math:`=\mathrm{acc}(\eta_u^{\rm eff},N)-\mathrm{acc}(\eta_u,N)` (the composition change
    alone) and ``shift_and_size`` :math:`=\mathrm{acc}(\eta_u^{\rm eff},\lceil pN\rceil)-
    \mathrm{acc}(\eta_u,N)` (refitting on the kept subset, which is also smaller)."""
    k = keep_count(p, setting.N)
    eff = float(np.clip(eta_u_eff, 0.0, 1.0))
    before = theory_accuracy(setting, eta_l, eta_u, setting.N)["acc"]
    return {
        "shift": theory_accuracy(setting, eta_l, eff, setting.N)["acc"] - before,
        "shift_and_size": theory_accuracy(setting, eta_l, eff, k)["acc"] - before,
    }
