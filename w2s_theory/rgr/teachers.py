r"""Iso-accuracy teachers: several weak teachers with the *same* expected risk :math:`\mathrm{ER}_{weak}`
whose errors lie in different places relative to the student's span (``docs/theory/rgr.md`` §4).

Layout in :math:`\mathbb R^{50}`: the student spans the first :data:`D_S` axes (``S``), which carry
:math:`\|P_s\beta\|^2` with a decaying profile :math:`\beta_i^2\propto i^{-1}`; the next :data:`D_OUT` axes
(``O``) carry :math:`\rho_s` evenly (signal the student cannot represent); the rest (``Z``) carry nothing.
Each teacher has fixed axes plus one *tuning* column :math:`\cos\theta\,e_a+\sin\theta\,u` (``a`` the
strongest student axis, ``u`` a unit vector orthogonal to :math:`\beta` and to the fixed axes), so
:math:`\rho_w(\theta)=\rho_w(0)+\beta_a^2\sin^2\theta`; the tilted teacher instead tilts all its columns
by one angle. The angle solves :math:`\mathrm{ER}_{weak}(\theta,n)=` target exactly (closed form: the
teacher risk is :math:`(\sigma^2+\rho_w)d_w/(n-d_w-1)+\rho_w`), and ``n`` is the smallest sample size at
which the angle is at least :data:`MIN_ANGLE` (a teacher of that accuracy that is not at an endpoint).

* ``in-span (10)``: 9 student axes + the tuning column, :math:`u\in\mathcal V_s` (errors the student sees);
* ``in-span (5)``: the same with 4 fixed student axes (fewer dimensions, more bias);
* ``in-span (10), 2n`` and ``8n``: the 10-axis teacher with 2x / 8x the data and correspondingly more bias;
* ``student span + null``: all student axes + 8 null axes, :math:`u` a null axis (variance the student
  cannot represent);
* ``student span + outside signal``: all student axes + the 6 outside-signal axes, :math:`u` a null axis
  (the teacher knows signal the student cannot use);
* ``tilted``: 15 columns :math:`\cos\varphi\,e_{s_i}+\sin\varphi\,e_{z_i}` (general principal angles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from w2s_theory import _validate

D = 50
D_S = 15
D_OUT = 6
#: Smallest tuning angle (radians) accepted when choosing a teacher's n.
MIN_ANGLE = 0.2
TEACHERS: tuple[str, ...] = (
    "in-span (10)",
    "in-span (5)",
    "in-span (10), 2n",
    "in-span (10), 8n",
    "student span + null",
    "student span + outside signal",
    "tilted",
)


@dataclass(frozen=True)
class IsoTeacher:
    """One teacher: its subspace ``V_w`` (D x d_w), sample size ``n`` and tuning angle (radians)."""

    name: str
    V_w: np.ndarray
    n: int
    angle: float


@dataclass(frozen=True)
class IsoAccuracySetting:
    """The shared student ``V_s`` (D x D_S), target ``beta`` and noise, and the teachers."""

    V_s: np.ndarray
    beta: np.ndarray
    sigma2: float
    er_weak: float
    teachers: tuple[IsoTeacher, ...]


def _axes(idx) -> np.ndarray:
    return np.eye(D)[:, list(idx)]


def _target_rho(er_weak: float, sigma2: float, d_w: int, n: int) -> float:
    r"""The :math:`\rho_w` with :math:`(\sigma^2+\rho_w)d_w/(n-d_w-1)+\rho_w=` ``er_weak``."""
    return (er_weak * (n - d_w - 1) - sigma2 * d_w) / (n - 1)


def _layout(name: str, beta: np.ndarray) -> tuple[list[int], np.ndarray | None]:
    """Fixed axes and the direction ``u`` of the tuning column (``None``: the tilted teacher)."""
    S, O, Z = range(D_S), range(D_S, D_S + D_OUT), range(D_S + D_OUT, D)
    inside = np.zeros(D)
    inside[[S[-2], S[-1]]] = beta[S[-1]], -beta[S[-2]]  # in span(s_14, s_15), orthogonal to beta
    inside /= np.linalg.norm(inside)
    null = lambda i: np.eye(D)[:, Z[i]]
    if name.startswith("in-span (10)"):
        return list(S[1:10]), inside
    if name == "in-span (5)":
        return list(S[1:5]), inside
    if name == "student span + null":
        return list(S[1:]) + list(Z[:8]), null(8)
    if name == "student span + outside signal":
        return list(S[1:]) + list(O), null(0)
    return [], None


def _teacher(name: str, beta: np.ndarray, sigma2: float, er_weak: float, n: int | None) -> IsoTeacher:
    fixed, u = _layout(name, beta)
    d_w = len(fixed) + 1 if u is not None else D_S
    total, visible = float(beta @ beta), float(beta[:D_S] @ beta[:D_S])
    if u is not None:
        rho0, scale = total - float(beta[fixed] @ beta[fixed]) - beta[0] ** 2, beta[0] ** 2
        sin2 = lambda rho: (rho - rho0) / scale  # rho_w(theta) = rho0 + beta_a^2 sin^2(theta)
    else:
        sin2 = lambda rho: 1 - (total - rho) / visible  # cos^2(phi) = ||P_w beta||^2 / ||P_s beta||^2
    lo = np.sin(MIN_ANGLE) ** 2
    sizes = range(d_w + 2, 100 * D) if n is None else [n]
    for m in sizes:
        s2 = sin2(_target_rho(er_weak, sigma2, d_w, m))
        if (n is not None and 0 <= s2 <= 1) or lo <= s2 <= 1:
            angle = float(np.arcsin(np.sqrt(s2)))
            break
    else:
        raise ValueError(f"teacher {name!r}: no sample size gives ER_weak = {er_weak:g} with a valid angle")
    if u is not None:
        V_w = np.concatenate(
            [_axes(fixed), (np.cos(angle) * np.eye(D)[:, 0] + np.sin(angle) * u)[:, None]], 1
        )
    else:
        V_w = np.cos(angle) * _axes(range(D_S)) + np.sin(angle) * _axes(range(D_S + D_OUT, D_S + D_OUT + D_S))
    return IsoTeacher(name, V_w, int(m), angle)


def iso_accuracy_setting(
    er_weak: float = 2.5, *, visible: float = 4.0, rho_s: float = 1.0, sigma2: float = 0.5
) -> IsoAccuracySetting:
    r"""The student, target and the teachers of :data:`TEACHERS`, all with :math:`\mathrm{ER}_{weak}=`
    ``er_weak`` exactly (module docstring). ``visible`` :math:`=\|P_s\beta\|^2`, ``rho_s`` the signal
    outside the student's span."""
    er_weak = _validate.positive_float("er_weak", er_weak)
    visible = _validate.positive_float("visible", visible)
    rho_s = _validate.nonnegative_float("rho_s", rho_s)
    sigma2 = _validate.nonnegative_float("sigma2", sigma2)
    profile = 1.0 / np.arange(1, D_S + 1)
    beta = np.zeros(D)
    beta[:D_S] = np.sqrt(visible * profile / profile.sum())
    beta[D_S : D_S + D_OUT] = np.sqrt(rho_s / D_OUT)
    base = _teacher("in-span (10)", beta, sigma2, er_weak, None)
    teachers = []
    for name in TEACHERS:
        n = {"in-span (10), 2n": 2 * base.n, "in-span (10), 8n": 8 * base.n}.get(name)
        teachers.append(_teacher(name, beta, sigma2, er_weak, n))
    return IsoAccuracySetting(_axes(range(D_S)), beta, sigma2, er_weak, tuple(teachers))
