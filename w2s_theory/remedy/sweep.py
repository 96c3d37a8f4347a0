"""Enhanced-W2S as a sweep kind (:mod:`w2s_theory.sweep`): accuracies of teacher, vanilla W2S,
Enhanced-W2S and the subset least-squares probe, and the kept minority fraction. There is no closed form
for the pipeline, so the summary's exact columns stay blank."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from w2s_theory import _validate
from w2s_theory.family import Roles
from w2s_theory.remedy.data import ClassificationTask
from w2s_theory.remedy.enhanced import HEADS, INITS, PSEUDOLABELS, simulate_enhanced
from w2s_theory.remedy.heads import L2
from w2s_theory.spurious import SpuriousModel
from w2s_theory.sweep_kind import ModelKind

OUTPUTS = (
    "teacher_acc",
    "w2s_acc",
    "enhanced_acc",
    "subset_ls_acc",
    "w2s_worst",
    "enhanced_worst",
    "eta_u_eff",
)
_RUN = ("n", "N", "eta_l", "eta_u", "eta_t", "p", "q")


def task(
    d_z: int, c: float = 0.0, m: float = 3.0, m4: float = 3.0, beta_norm: float = 2.0
) -> ClassificationTask:
    """The classification task of the canonical geometry (hard group model), as in the scenario table."""
    return ClassificationTask(SpuriousModel.canonical(d_z, c=c, m=m, m4=m4, group_model="hard"), beta_norm)


def _check(model: ClassificationTask, point: Mapping[str, Any]) -> None:
    _validate.positive_int("n", point["n"], minimum=2)
    _validate.positive_int("N", point["N"], minimum=2)
    for name in ("eta_l", "eta_u", "eta_t", "p", "q"):
        _validate.fraction(name, point[name])


def _simulate(model: ClassificationTask, point: Mapping[str, Any], key: jax.Array) -> dict[str, np.ndarray]:
    options = {k: point.get(k, KIND.options[k][0]) for k in KIND.options}
    return simulate_enhanced(
        model, **{k: point[k] for k in _RUN}, trials=point["trials"], seed=key, l2=L2, **options
    )


KIND = ModelKind(
    build=task,
    arguments=frozenset({"d_z", "c", "m", "m4", "beta_norm"}),
    sizes=_RUN,
    check=_check,
    simulate=_simulate,
    exact=lambda model, point: {},
    invariants=lambda model: model.model.invariants() | {"beta_norm": model.beta_norm},
    risks=OUTPUTS,
    roles=Roles(teacher="teacher_acc", student="w2s_acc", baseline=None, ceiling=None),
    options={"head": HEADS, "init": INITS, "pseudolabels": PSEUDOLABELS},
)
KINDS: dict[str, ModelKind] = {"remedy": KIND}
