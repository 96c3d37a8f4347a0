"""Two-stage filtering as a :class:`w2s_theory.family.Family`: trial, outputs, roles and closed forms.

Roles: the teacher ``weak``, the naive W2S student ``w2s`` (every pseudo-label kept), the strong baseline
``strong`` and the ceiling ``ceiling``; the filtered students are the per-arm outputs ``stage1`` /
``stage2`` (:mod:`w2s_theory.filtering.trial`), whose PGR :mod:`w2s_theory.filtering.report` forms.
"""

from __future__ import annotations

from w2s_theory.family import Family, Roles
from w2s_theory.filtering._closed_forms import CLOSED_FORMS
from w2s_theory.filtering.trial import OUTPUTS, trial, trial_bytes

FAMILY = Family(
    name="filtering",
    trial=trial,
    outputs=OUTPUTS,
    trial_bytes=trial_bytes,
    roles=Roles(teacher="weak", student="w2s", baseline="strong", ceiling="ceiling"),
    closed_forms=CLOSED_FORMS,
)
