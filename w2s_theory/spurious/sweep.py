"""The group-imbalance model's constructors as sweep kinds (:mod:`w2s_theory.sweep`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from w2s_theory.spurious.api import SpuriousModel
from w2s_theory.spurious.family import FAMILY
from w2s_theory.spurious.theory import sample_ratios
from w2s_theory.sweep_kind import ModelKind

RISKS = ("teacher", "student", "gain")
_FRACTIONS = ("eta_l", "eta_u", "eta_t")


def _check(model: SpuriousModel, point: Mapping[str, Any]) -> None:
    sample_ratios(model, point["n"], point["N"])
    model.expected_risks(point["n"], point["N"], *(point[k] for k in _FRACTIONS))  # validates the fractions


def _simulate(model: SpuriousModel, point: Mapping[str, Any], key: jax.Array) -> dict[str, np.ndarray]:
    return model.simulate(
        point["n"], point["N"], *(point[k] for k in _FRACTIONS), trials=point["trials"], seed=key
    )


def _exact(model: SpuriousModel, point: Mapping[str, Any]) -> dict[str, float]:
    return model.expected_risks(point["n"], point["N"], *(point[k] for k in _FRACTIONS))


def _kind(build: Any, arguments: set[str]) -> ModelKind:
    return ModelKind(
        build=build,
        arguments=frozenset(arguments),
        sizes=("n", "N", *_FRACTIONS),
        check=_check,
        simulate=_simulate,
        exact=_exact,
        invariants=lambda model: model.invariants(),
        risks=RISKS,
        roles=FAMILY.roles,
    )


_COMMON = {"d_z", "sigma_xi2", "sigma_y2", "group_model"}
KINDS: dict[str, ModelKind] = {
    "spurious_canonical": _kind(SpuriousModel.canonical, _COMMON | {"c", "m", "m4"}),
    "spurious_random": _kind(
        SpuriousModel.random, _COMMON | {"p", "p_T", "p_S", "xi2", "mu_T", "mu_perp", "seed"}
    ),
}
