"""What a family tells the sweep runner (:mod:`w2s_theory.sweep`) about one of its model constructors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

from w2s_theory.family import Roles


@dataclass(frozen=True)
class ModelKind:
    """A model constructor usable as ``[model] kind = ...`` in a sweep config.

    ``build(**arguments)`` makes the model; ``sizes`` are the point keys the run needs besides constructor
    arguments; ``check(model, point)`` validates a point before any work (raises ``ValueError``);
    ``simulate(model, point, key)`` returns per-trial arrays including every name in ``risks``;
    ``exact(model, point)`` the closed-form values under the same names (and ``pgr``/``opr`` where the
    roles define them); ``invariants(model)`` the scalars written next to them; ``roles`` which risks are
    teacher, student, baseline, ceiling; ``engines`` the selectable engines (first is the default);
    ``floor(model)`` the rounding level below which a PGR/OPR denominator makes the ratio NaN;
    ``options`` run choices a point may set in ``[model]`` or ``[grid]`` (name -> allowed values, the first
    the default), passed to ``simulate`` through the point, not to ``build``.
    """

    build: Callable[..., Any]
    arguments: frozenset[str]
    sizes: tuple[str, ...]
    check: Callable[[Any, Mapping[str, Any]], None]
    simulate: Callable[[Any, Mapping[str, Any], jax.Array], Mapping[str, np.ndarray]]
    exact: Callable[[Any, Mapping[str, Any]], Mapping[str, Any]]
    invariants: Callable[[Any], Mapping[str, float]]
    risks: tuple[str, ...]
    roles: Roles
    engines: tuple[str, ...] = ()
    floor: Callable[[Any], float] = lambda model: 0.0
    options: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
