"""Blended distillation as a :class:`w2s_theory.family.Family`: trial, outputs, roles and closed forms."""

from __future__ import annotations

from w2s_theory.blend._closed_forms import CLOSED_FORMS
from w2s_theory.blend.trial import OUTPUTS, trial, trial_bytes
from w2s_theory.family import Family, Roles

FAMILY = Family(
    name="blend",
    trial=trial,
    outputs=OUTPUTS,
    trial_bytes=trial_bytes,
    roles=Roles(teacher="weak", student="blend", baseline="strong", ceiling=None),
    closed_forms=CLOSED_FORMS,
)
