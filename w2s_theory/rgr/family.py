"""W2SR's setting as a :class:`w2s_theory.family.Family`: trial, outputs, roles (with the un-tuned student as
RGR's base) and closed forms."""

from __future__ import annotations

from w2s_theory.family import Family, Roles
from w2s_theory.rgr._closed_forms import CLOSED_FORMS
from w2s_theory.rgr.trial import OUTPUT_KEYS, trial, trial_bytes

FAMILY = Family(
    name="rgr",
    trial=trial,
    outputs=OUTPUT_KEYS,
    trial_bytes=trial_bytes,
    roles=Roles(teacher="weak", student="w2s", baseline="strong", ceiling="ceiling", base="base"),
    closed_forms=CLOSED_FORMS,
)
