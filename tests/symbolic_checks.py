"""Checks every sympy derivation shares: its generated module is current, and each generated function
equals its sympy expression at a rational point."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import numpy as np
import sympy as sp


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
