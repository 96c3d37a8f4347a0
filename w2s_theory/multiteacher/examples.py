r"""The coverage example: does a weak teacher deserve an equal say? (``docs/theory/multiteacher.md`` §5).

:math:`D=40`, :math:`\sigma^2=1/2`; the student's :math:`\mathcal V_s` is the first 16 coordinates. The
target has :math:`\|P_s\beta\|^2=4` with entries 1.5 times larger on student directions 13–16 than on
1–12, and :math:`\rho_s=1/2` spread evenly over the other 24 coordinates. Teachers 1–3 have 12 dimensions
each: 10 student directions, each tilted out of :math:`\mathcal V_s` (by :data:`TILTS`) towards its own
random direction, plus 2 random directions outside :math:`\mathcal V_s`; between them they cover student
directions 1–12. Teacher 4 (12 dimensions) is either

* ``"redundant"``: the same kind of teacher on student directions 1–10 (nothing the others miss), or
* ``"complementary"``: student directions 5–16 untilted, four of which (13–16) no other teacher sees.

All random directions come from fixed seeds, so the example is the same everywhere.
"""

from __future__ import annotations

import numpy as np

from w2s_theory import _validate

D, D_S = 40, 16
SIGMA2 = 0.5
#: Student directions (0-based) of teachers 1-3 and of the two versions of teacher 4.
STUDENT_DIRECTIONS = {
    "teacher_1": tuple(range(0, 10)),
    "teacher_2": tuple(range(2, 12)),
    "teacher_3": (0, 1, 2, 3, 4, 7, 8, 9, 10, 11),
    "redundant": tuple(range(0, 10)),
    "complementary": tuple(range(4, 16)),
}
#: Tilt angles (radians) out of V_s: teachers 1-3, then the redundant and the complementary teacher 4.
TILTS = {"teacher_1": 0.3, "teacher_2": 0.45, "teacher_3": 0.3, "redundant": 0.5, "complementary": 0.0}
#: Ratio of the target's entries on student directions 13-16 to those on 1-12.
UNSEEN_WEIGHT = 1.5
SEED = 2020
CASES = ("redundant", "complementary")


def _teacher(rng: np.random.Generator, role: str) -> np.ndarray:
    """Orthonormal basis of a 12-dimensional teacher: its student directions tilted by ``TILTS[role]``
    towards random directions outside V_s, completed by random directions outside V_s."""
    directions = STUDENT_DIRECTIONS[role]
    k, tilt = len(directions), TILTS[role]
    outside = rng.standard_normal((D - D_S, 12))
    cols = np.zeros((D, 12))
    cols[list(directions), np.arange(k)] = np.cos(tilt)
    cols[D_S:, :k] = np.sin(tilt) * outside[:, :k] / np.linalg.norm(outside[:, :k], axis=0)
    cols[D_S:, k:] = outside[:, k:]
    return np.linalg.qr(cols)[0]


def coverage_example(case: str) -> dict:
    """Keyword arguments ``V_s``, ``teachers``, ``beta``, ``sigma2`` of the coverage example (``case``:
    ``"redundant"`` or ``"complementary"`` teacher 4)."""
    case = _validate.choice("case", case, CASES)
    rng = np.random.default_rng(SEED)
    teachers = [_teacher(rng, f"teacher_{m}") for m in (1, 2, 3)]
    teachers.append(_teacher(np.random.default_rng(SEED + 1 + CASES.index(case)), case))
    inside = np.ones(D_S)
    inside[12:] = UNSEEN_WEIGHT
    inside *= 2.0 / np.linalg.norm(inside)  # |P_s beta|^2 = 4
    beta = np.concatenate([inside, np.full(D - D_S, np.sqrt(0.5 / (D - D_S)))])
    return {"V_s": np.eye(D)[:, :D_S], "teachers": tuple(teachers), "beta": beta, "sigma2": SIGMA2}
