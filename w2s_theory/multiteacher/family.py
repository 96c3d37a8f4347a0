"""The multi-teacher model as a :class:`w2s_theory.family.Family`: trial, outputs and closed forms.

No PGR/OPR roles: the outputs are per-teacher Gram matrices, not one teacher and one student."""

from __future__ import annotations

from w2s_theory.family import Family
from w2s_theory.multiteacher._closed_forms import CLOSED_FORMS
from w2s_theory.multiteacher.trial import OUTPUTS, trial_bytes, trial_grams

FAMILY = Family(
    name="multiteacher",
    trial=trial_grams,
    outputs=OUTPUTS,
    trial_bytes=trial_bytes,
    roles=None,
    closed_forms=CLOSED_FORMS,
    unrolled_rng=True,  # 0.12 ms trials that draw often: the figure takes 0.76x the time, same numbers
)
