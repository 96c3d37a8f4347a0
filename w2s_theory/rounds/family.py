"""The rounds procedure as a :class:`w2s_theory.family.Family`: trial, outputs and closed forms.

No roles: the procedure has K teachers and per-round outputs, so PGR / OPR of one teacher against one
student are not defined by the family (compare rounds with :func:`w2s_theory.metrics.mean_se`)."""

from __future__ import annotations

from w2s_theory.family import Family
from w2s_theory.rounds._closed_forms import CLOSED_FORMS
from w2s_theory.rounds.trial import OUTPUTS, trial_bytes, trial_risks

FAMILY = Family(
    name="rounds",
    trial=trial_risks,
    outputs=OUTPUTS,
    trial_bytes=trial_bytes,
    roles=None,
    closed_forms=CLOSED_FORMS,
)
