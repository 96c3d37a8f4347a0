"""The group-imbalance model as a :class:`w2s_theory.family.Family`: trial, outputs, roles, closed forms.

Its trial returns the noise-averaged moments :math:`\\bar C`, :math:`\\bar D`
(:mod:`w2s_theory.spurious.trial`), from which :mod:`w2s_theory.spurious.simulate` forms the risks of
teacher and student on any test mixture. There is no strong baseline or ceiling in this model, so PGR and
OPR are undefined; the W2S gain is ``teacher - student``.
"""

from __future__ import annotations

from w2s_theory.family import Family, Roles
from w2s_theory.spurious._closed_forms import CLOSED_FORMS
from w2s_theory.spurious.trial import OUTPUTS, trial, trial_bytes

FAMILY = Family(
    name="spurious",
    trial=trial,
    outputs=OUTPUTS,
    trial_bytes=trial_bytes,
    roles=Roles(teacher="teacher", student="student", baseline=None, ceiling=None),
    closed_forms=CLOSED_FORMS,
)
