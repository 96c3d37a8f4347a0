"""The Gaussian covariate model as a :class:`w2s_theory.family.Family`: trial, outputs, roles and closed forms."""

from __future__ import annotations

from w2s_theory.family import Family, Roles
from w2s_theory.gcm._closed_forms import CLOSED_FORMS
from w2s_theory.gcm.trial import RISK_KEYS, trial_bytes, trial_risks

FAMILY = Family(
    name="gcm",
    trial=trial_risks,
    outputs=RISK_KEYS,
    trial_bytes=trial_bytes,
    roles=Roles(teacher="weak", student="w2s", baseline="strong", ceiling="ceiling"),
    closed_forms=CLOSED_FORMS,
)
