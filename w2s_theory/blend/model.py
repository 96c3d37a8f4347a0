r"""The blended-distillation model as plain data: the subspace model's teacher/student subspaces, target and
noise (:class:`~w2s_theory.discrepancy.model.SubspaceModelData`), plus what decides whether the exact
risk applies: the principal-angle cosines of :math:`\mathcal V_s` and :math:`\mathcal V_w`.

The exact :math:`\mathbb E\,\mathrm{ER}(w)` (``docs/theory/blend.md`` §2) needs :math:`P_sP_w=P_wP_s`, i.e.
every principal-angle cosine is 0 or 1: :math:`\mathcal V_s=C\oplus A`, :math:`\mathcal V_w=C\oplus B` with
:math:`c=\dim C=d_{s\wedge w}` an integer. :func:`block_layout` builds such a pair in coordinates. This
module imports nothing from its siblings.
"""

from __future__ import annotations

import numpy as np

from w2s_theory import _validate
from w2s_theory.discrepancy.model import SubspaceModelData

#: Principal-angle cosines within this of 0 or 1 count as commuting projectors.
COMMUTE_TOL = 1e-9


def principal_cosines(model: SubspaceModelData) -> np.ndarray:
    r"""Cosines of the principal angles between :math:`\mathcal V_s` and :math:`\mathcal V_w` (descending;
    :math:`\min(d_s,d_w)` of them): the singular values of :math:`V_s^\top V_w`."""
    return np.linalg.svd(model.B_s.T @ model.B_w, compute_uv=False)


def commuting(model: SubspaceModelData) -> bool:
    r"""Whether :math:`P_s` and :math:`P_w` commute (every principal-angle cosine is 0 or 1 within
    :data:`COMMUTE_TOL`): where the exact blended risk holds."""
    cos = principal_cosines(model)
    return bool(np.all((cos <= COMMUTE_TOL) | (cos >= 1 - COMMUTE_TOL)))


def block_layout(
    c: int, a: int, b: int, shared: float, student_only: float, teacher_only: float, outside: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Coordinate subspaces :math:`\mathcal V_s=C\oplus A`, :math:`\mathcal V_w=C\oplus B` (``c`` shared, ``a``
    student-only, ``b`` teacher-only axes) and one more axis outside both, with
    :math:`\|\beta_C\|^2=` ``shared``, :math:`\|\beta_A\|^2=` ``student_only`` :math:`=b_A`,
    :math:`\|\beta_B\|^2=` ``teacher_only``, :math:`\|\beta_O\|^2=` ``outside``, each spread evenly over
    its block (only the four squared norms enter any risk: the design is isotropic within each block).

    Returns ``V_w`` (D, c + b), ``V_s`` (D, c + a), ``beta`` (D,), D = c + a + b + 1.
    """
    c = _validate.positive_int("c", c, minimum=0)
    a = _validate.positive_int("a", a, minimum=0)
    b = _validate.positive_int("b", b, minimum=0)
    norms = {"shared": shared, "student_only": student_only, "teacher_only": teacher_only, "outside": outside}
    sizes = {"shared": c, "student_only": a, "teacher_only": b, "outside": 1}
    D = c + a + b + 1
    beta = np.zeros(D)
    start = 0
    for name, value in norms.items():
        value = _validate.nonnegative_float(name, value)
        size = sizes[name]
        if value > 0 and size == 0:
            raise ValueError(f"{name} = {value:g} > 0 needs a block of at least one axis, got 0 axes")
        if size:
            beta[start : start + size] = np.sqrt(value / size)
        start += size
    eye = np.eye(D)
    V_s = eye[:, : c + a]
    V_w = np.concatenate([eye[:, :c], eye[:, c + a : c + a + b]], axis=1)
    if V_s.shape[1] == 0 or V_w.shape[1] == 0:
        raise ValueError(
            f"the student (c + a = {c + a}) and teacher (c + b = {c + b}) need >= 1 dimension each"
        )
    return V_w, V_s, beta
