"""The subspace model as a :class:`w2s_theory.family.Family`: trial, outputs (the four risks and the
misfit), roles and closed forms."""

from __future__ import annotations

from w2s_theory.discrepancy._closed_forms import CLOSED_FORMS
from w2s_theory.discrepancy.trial import OUTPUT_KEYS, trial_bytes, trial_risks
from w2s_theory.family import Family, Roles

FAMILY = Family(
    name="discrepancy",
    trial=trial_risks,
    outputs=OUTPUT_KEYS,
    trial_bytes=trial_bytes,
    roles=Roles(teacher="weak", student="w2s", baseline="strong", ceiling="ceiling"),
    closed_forms=CLOSED_FORMS,
)
