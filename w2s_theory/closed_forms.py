"""Calling generated closed forms by name.

Every family's closed forms are generated from its sympy derivation (``w2s_theory.symbolic``) as
keyword-only numpy functions over exactly the symbols each formula uses, collected in a table
``CLOSED_FORMS[form][quantity]``. :func:`evaluate` calls one of them with named values, taking the
arguments it needs and ignoring the rest, so callers write ``evaluate(fn, **model.invariants(), n=n)``
instead of building positional tuples.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np


@cache
def arguments(fn: Callable[..., Any]) -> tuple[str, ...]:
    """The keyword arguments of a generated closed form (the symbols it uses)."""
    return tuple(inspect.signature(fn).parameters)


def evaluate(fn: Callable[..., Any], **values: Any) -> np.ndarray:
    """``fn`` at the named ``values`` (extra names are ignored), as a float64 array.

    Raises
    ------
    TypeError
        If a symbol ``fn`` uses is missing from ``values``; the message names it.
    """
    needed = arguments(fn)
    missing = [name for name in needed if name not in values]
    if missing:
        raise TypeError(f"{fn.__name__} needs {missing}; given {sorted(values)}")
    return np.asarray(fn(**{name: values[name] for name in needed}), dtype=float)
