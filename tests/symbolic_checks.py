"""Checks every sympy derivation shares: its generated module is current, and each generated function
equals its sympy expression at a rational point.

The derivations run their sympy algebra when imported (several seconds each), and every pytest-xdist
worker imports every test module to collect it. :func:`lazy_derivation` defers a derivation's import to
its first use, and :func:`formula_names` lists its formulas from the generated module, so collecting does
no sympy work: only the worker that runs a derivation's tests derives it. The generated module is compared
with a fresh generation from the derivation (:func:`assert_generated_module_is_current`), so the two lists
of names cannot drift apart unnoticed."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np
import sympy as sp


class _Derivation:
    """Stands for the module ``name``, imported on the first access to one of its public attributes.
    pytest reads private and dunder names (``__test__``, ``_mock_name``, ...) of every module-level object
    while collecting: those are not forwarded, so collecting never imports the module."""

    def __init__(self, name: str) -> None:
        self.__name__ = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(importlib.import_module(self.__name__), attr)


def lazy_derivation(name: str) -> Any:
    """The derivation module ``name`` (e.g. ``"w2s_theory.symbolic.spurious"``), imported on first use."""
    return _Derivation(name)


def formula_names(closed_forms: ModuleType) -> list[str]:
    """The names of the generated functions of ``closed_forms`` (one per formula of its derivation)."""
    return [fn.__name__ for forms in closed_forms.CLOSED_FORMS.values() for fn in forms.values()]


def assert_self_checks_hold(checks: Mapping[str, bool]) -> None:
    failed = [name for name, ok in checks.items() if not ok]
    assert checks and not failed, failed


def assert_generated_module_is_current(derivation: ModuleType) -> None:
    module = derivation.__name__
    assert derivation.GENERATED_PATH.read_text() == derivation.generated_source(), (
        f"{derivation.GENERATED_PATH.name} is stale: run `python -m {module} --write`"
    )


def assert_generated_equals_sympy(
    derivation: ModuleType, closed_forms: ModuleType, point: Mapping[str, object], name: str
) -> None:
    f = derivation.FORMULAS[name]
    values = {a: point[str(a)] for a in f.args}
    fn = closed_forms.CLOSED_FORMS[f.form][f.quantity]
    assert fn.__name__ == name
    numeric = fn(**{str(a): float(v) for a, v in values.items()})
    np.testing.assert_allclose(float(numeric), float(sp.N(f.expr.subs(values), 30)), rtol=1e-12)
