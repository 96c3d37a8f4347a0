"""The feature model as a :class:`w2s_theory.family.Family`: trial, outputs, roles and closed forms.

The closed forms are the subspace model's (the same sympy derivation, :mod:`w2s_theory.symbolic.discrepancy`):
a feature model is that model with the rows as the latent population (``docs/theory/features.md`` §3).
"""

from __future__ import annotations

from w2s_theory.discrepancy._closed_forms import CLOSED_FORMS
from w2s_theory.family import Family, Roles
from w2s_theory.features.trial import RISK_KEYS, trial_bytes, trial_risks

FAMILY = Family(
    name="features",
    trial=trial_risks,
    outputs=RISK_KEYS,
    trial_bytes=trial_bytes,
    roles=Roles(teacher="weak", student="w2s", baseline="strong", ceiling="ceiling"),
    closed_forms=CLOSED_FORMS,
)
