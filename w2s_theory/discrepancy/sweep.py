"""The subspace model's constructors as sweep kinds (:mod:`w2s_theory.sweep`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from w2s_theory.discrepancy.api import SubspaceModel
from w2s_theory.discrepancy.family import FAMILY
from w2s_theory.discrepancy.misfit import expected_misfit_gain
from w2s_theory.discrepancy.trial import ENGINES
from w2s_theory.sweep_kind import ModelKind


def _check(model: SubspaceModel, point: Mapping[str, Any]) -> None:
    if point.get("engine", ENGINES[0]) not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {point['engine']!r}")


def _simulate(model: SubspaceModel, point: Mapping[str, Any], key: jax.Array) -> dict[str, np.ndarray]:
    return model.simulate(
        point["n"], point["N"], trials=point["trials"], seed=key, engine=point.get("engine", "wishart")
    )


def _exact(model: SubspaceModel, point: Mapping[str, Any]) -> dict[str, float]:
    out = model.expected_risks(point["n"], point["N"])
    return out | {"misfit": expected_misfit_gain(model, point["n"], point["N"])["misfit"]}


def _invariants(model: SubspaceModel) -> dict[str, float]:
    return {k: v for k, v in model.invariants().items() if k not in ("sigma2",)}


def _kind(build: Any, arguments: set[str]) -> ModelKind:
    return ModelKind(
        build=build,
        arguments=frozenset(arguments),
        sizes=("n", "N"),
        check=_check,
        simulate=_simulate,
        exact=_exact,
        invariants=_invariants,
        risks=FAMILY.outputs,
        roles=FAMILY.roles,
        engines=ENGINES,
        floor=lambda model: model.rounding_floor,
    )


KINDS: dict[str, ModelKind] = {
    "notebook": _kind(
        SubspaceModel.notebook, {"d", "d_w", "d_s", "doff", "d_gt", "cov_pow", "sigma2", "seed"}
    ),
    "coordinate": _kind(SubspaceModel.coordinate, {"d_w", "d_s", "d_sw", "sigma2", "D"}),
    "principal_angles": _kind(SubspaceModel.from_principal_angles, {"angles", "d_w", "d_s", "sigma2", "D"}),
}
