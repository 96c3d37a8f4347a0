r"""Exact and limiting results of multi-teacher / student rounds (``docs/theory/rounds.md`` §3).

* :func:`teacher_risks` **[VERIFIED]**: exact :math:`\mathbb E\,\mathrm{ER}` of each round-0 teacher,
  :math:`\rho_k+\tau_kd_k`.
* :func:`round1_student_risk` **[VERIFIED]**: exact :math:`\mathbb E\,\mathrm{ER}` of the round-1 student
  under the average rule,

  .. math::
      \rho_s+\|P_s(M-I)\beta\|^2+\tfrac1{K^2}\textstyle\sum_k\tau_kd_{sk}
      +\kappa_N\big[\|(I-P_s)M\beta\|^2+\tfrac1{K^2}\sum_k\tau_k(d_k-d_{sk})\big].

* :func:`population_rounds` **[LIMIT]** (:math:`n,N\to\infty`): :math:`\beta_k^0=P_k\beta`,
  :math:`\beta_s^t=P_s\frac1K\sum_k\beta_k^{t-1}`, :math:`\beta_k^t=P_k(\lambda\beta+(1-\lambda)\beta_s^t)`,
  i.e. :math:`\beta_s^{t+1}=\lambda A\beta+(1-\lambda)A\beta_s^t`. Teachers never improve on
  :math:`\rho_k` in population **[EXACT]**: :math:`\mathrm{ER}(\beta_k^t)=\rho_k+\|P_k(\beta_k^t-\beta)\|^2`.
* :func:`fixed_point` **[LIMIT]**: :math:`\beta_s^\infty=\lambda(I-(1-\lambda)A)^{-1}A\beta` for
  :math:`\lambda>0`; the collapse :math:`\beta_s^t\to P_\cap\beta` at :math:`\lambda=0`.
* :func:`coordinate_coefficients` **[LIMIT]**: the generated closed form of the recursion on a
  coordinate (commuting) geometry, :math:`s_t=s^*+(a-s^*)((1-\lambda)a)^{t-1}`.

Scalar closed forms are derived in :mod:`w2s_theory.symbolic.rounds`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.closed_forms import evaluate
from w2s_theory.rounds._closed_forms import CLOSED_FORMS
from w2s_theory.rounds.model import RoundsModelData


def _exact_sizes(model: RoundsModelData, n: int, N: int | None = None) -> None:
    for k, d_k in enumerate(model.d_teachers):
        _validate.exact_sample_size("n", n, "d_k", d_k, f"teacher {k} (d_k = {d_k})")
    if N is not None:
        _validate.exact_sample_size("N", N, "d_s", model.d_s, "the student")


def teacher_risks(model: RoundsModelData, n: int) -> np.ndarray:
    r"""Exact :math:`\mathbb E\,\mathrm{ER}(\beta_k^0)=\rho_k+\tau_kd_k`, :math:`\tau_k=(\sigma^2+\rho_k)/(n-d_k-1)`
    per teacher, shape ``(K,)`` (needs :math:`n>d_k+1`)."""
    n = _validate.positive_int("n", n)
    _exact_sizes(model, n)
    inv = model.invariants()
    return evaluate(CLOSED_FORMS["teacher"]["risk"], **inv, n=n)


def round1_student_risk(model: RoundsModelData, n: int, N: int) -> dict[str, float]:
    r"""Exact :math:`\mathbb E\,\mathrm{ER}(\beta_s^1)` under the average rule (module docstring), with its
    parts. Needs :math:`n>d_k+1` for every teacher and :math:`N>d_s+1`.

    Returns
    -------
    dict
        ``risk``; ``rho_s``, ``bias_in`` :math:`\|P_s(M-I)\beta\|^2`, ``noise_in``
        :math:`\frac1{K^2}\sum_k\tau_kd_{sk}`, ``kappa_N``, ``bias_out`` :math:`\|(I-P_s)M\beta\|^2`,
        ``noise_out`` :math:`\frac1{K^2}\sum_k\tau_k(d_k-d_{sk})`.
    """
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    _exact_sizes(model, n, N)
    inv = model.invariants()
    forms = CLOSED_FORMS["round1"]
    parts = {
        "noise_in": float(evaluate(forms["noise_in"], **inv, n=n).sum()),
        "noise_out": float(evaluate(forms["noise_out"], **inv, n=n).sum()),
    }
    risk = float(evaluate(forms["risk"], **inv, **parts, N=N))
    return {
        "risk": risk,
        "rho_s": model.rho_s,
        "bias_in": model.bias_in,
        "bias_out": model.bias_out,
        "kappa_N": float(evaluate(forms["kappa_N"], **inv, N=N)),
        **parts,
    }


def _lam(lam: object) -> float:
    return _validate.fraction("lam (the anchor weight)", lam)


def population_rounds(model: RoundsModelData, T: int, lam: float) -> dict[str, np.ndarray]:
    r"""The population rounds (:math:`n,N\to\infty`) **[LIMIT]**, by the recursion of the module docstring.

    Returns
    -------
    dict
        ``student`` ``(T,)``: :math:`\mathrm{ER}(\beta_s^t)`, t = 1..T; ``teachers`` ``(T+1, K)``:
        :math:`\mathrm{ER}(\beta_k^t)`, t = 0..T; ``teacher_mean`` ``(T+1,)``; ``teacher_floor`` ``(K,)``:
        :math:`\rho_k=\mathrm{ER}(\beta_k^0)`; the vectors ``beta_s`` ``(T, r)`` and ``beta_teachers``
        ``(T+1, K, r)`` in the model's span coordinates.
    """
    T = _validate.positive_int("T", T)
    lam = _lam(lam)
    b, P_s, P = model.b, model.P_s, model.P_teachers
    teachers = [np.stack([Pk @ b for Pk in P])]
    students = []
    for _ in range(T):
        beta_s = P_s @ teachers[-1].mean(axis=0)
        students.append(beta_s)
        anchor = lam * b + (1 - lam) * beta_s
        teachers.append(np.stack([Pk @ anchor for Pk in P]))
    beta_s, beta_k = np.stack(students), np.stack(teachers)
    er_k = ((beta_k - b) ** 2).sum(-1)
    return {
        "student": ((beta_s - b) ** 2).sum(-1),
        "teachers": er_k,
        "teacher_mean": er_k.mean(-1),
        "teacher_floor": np.array(model.rho_teachers),
        "beta_s": beta_s,
        "beta_teachers": beta_k,
    }


def fixed_point(model: RoundsModelData, lam: float) -> dict[str, object]:
    r"""Where the population rounds go **[LIMIT]**.

    :math:`\lambda>0`: the unique fixed point :math:`\beta_s^\infty=\lambda(I-(1-\lambda)A)^{-1}A\beta`,
    teachers :math:`\beta_k^\infty=P_k(\lambda\beta+(1-\lambda)\beta_s^\infty)`. :math:`\lambda=0`: the
    collapse :math:`\beta_s^t=A^t\beta\to P_\cap\beta`. From round 1 on the error
    :math:`\beta_s^t-\beta_s^\infty` lies in :math:`\mathcal V_s\ominus(\mathcal V_s\cap\bigcap_k\mathcal V_k)`,
    where one round multiplies it by :math:`(1-\lambda)P_sMP_s`: the geometric rate is
    :math:`(1-\lambda)\mu`, :math:`\mu` the largest eigenvalue of :math:`P_sMP_s` below 1
    (:attr:`~w2s_theory.rounds.model.RoundsModelData.collapse_rate`).

    Returns
    -------
    dict
        ``beta_s`` ``(r,)``, ``student`` (its ER), ``teachers`` ``(K,)``, ``teacher_mean``, ``rate``.
    """
    lam = _lam(lam)
    b, A = model.b, model.A
    if lam > 0:
        beta_s = lam * np.linalg.solve(np.eye(model.r) - (1 - lam) * A, A @ b)
    else:
        beta_s = model.P_cap @ b
    anchor = lam * b + (1 - lam) * beta_s
    er_k = np.array([float(((Pk @ anchor - b) ** 2).sum()) for Pk in model.P_teachers])
    return {
        "beta_s": beta_s,
        "student": float(((beta_s - b) ** 2).sum()),
        "teachers": er_k,
        "teacher_mean": float(er_k.mean()),
        "rate": (1 - lam) * model.collapse_rate,
    }


def coordinate_coefficients(a: ArrayLike, lam: float, t: ArrayLike) -> dict[str, np.ndarray]:
    r"""The population recursion on one student axis seen by a fraction ``a`` :math:`=m_j/K` of the
    teachers (coordinate geometries, where every projection is diagonal) **[LIMIT]**: the student's
    coefficient :math:`s_t=s^*+(a-s^*)((1-\lambda)a)^{t-1}` (relative to :math:`\beta_j`), the seeing
    teachers' :math:`\lambda+(1-\lambda)s_t`, and the fixed point :math:`s^*=\lambda a/(1-(1-\lambda)a)`
    (:math:`s_t=1` on axes every teacher sees). Arrays broadcast.
    """
    lam = _lam(lam)
    a = _validate.fractions("a", a)
    t = _validate.integers("t", t)
    a, t = np.broadcast_arrays(a, t)
    full = a == 1.0
    safe = np.where(full, 0.5, a)  # the closed forms are 0/0 at a = 1, lam = 0; the value there is 1
    out = {
        "student": evaluate(CLOSED_FORMS["coordinate"]["student"], a=safe, lam=lam, t=t),
        "teacher": evaluate(CLOSED_FORMS["coordinate"]["teacher"], a=safe, lam=lam, t=t),
        "fixed_point": evaluate(CLOSED_FORMS["coordinate"]["fixed_point"], a=safe, lam=lam),
    }
    return {k: np.where(full, 1.0, v) for k, v in out.items()}
