r"""Closed forms of the group-imbalance W2S theory, evaluated with numpy (``docs/theory/spurious.md``).

Soft (mean-shift) model, three forms, all *derived* in :mod:`w2s_theory.symbolic.spurious` and generated
into :mod:`w2s_theory.spurious._closed_forms` (table ``CLOSED_FORMS[form][quantity]``):

* ``form="leading"`` (F1): the paper's Theorems 1-2, first order in :math:`\gamma_z,\nu_z`, with the
  explicit :math:`\nu_z` term :math:`\nu_z(p_T-p_{T\wedge S})(p_S+(\eta_t-\eta_u)^2\|\mu_S\|^2/\sigma_\xi^2)`;
* ``form="gaussian"`` (F2): exact proportional limit for Gaussian features with the same covariance;
* ``form="limit"`` (F3): exact proportional limit for the literal product features :math:`z\otimes w`,
  with constants :math:`(a,b)` from :mod:`w2s_theory.spurious.fixed_point`. The most accurate form, and
  the default for the soft model (F1 is 24-30% off at :math:`\gamma_z=\nu_z=0.05` and can have the wrong
  sign).

Either group model at leading order: :func:`leading_order_matrix` evaluates the matrix formula
:math:`\mathrm{ER}_T=\sigma_y^2\gamma_z\operatorname{tr}(M^w_\ell{}^{-1}M^w_t)`,
:math:`\mathrm{ER}_S=\sigma_y^2\gamma_z[\operatorname{tr}(M^w_\ell{}^{-1}KM^\psi_tK^\top)
+\nu_z\mathbb E_u(r^\top M^w_\ell{}^{-1}r)(\psi^\top M^\psi_u{}^{-1}M^\psi_tM^\psi_u{}^{-1}\psi)]`; the
expectation of the product of two quadratic forms is taken exactly (Gaussian, or a two-component Gaussian
mixture for the hard model), no sampling. For the soft model it equals F1 (tested); for the hard model it
is the only form implemented (F2/F3 are derived for the soft model only), so it is the hard model's
default.

Every function is vectorised over the sample sizes ``n``, ``N`` (integers) and the fractions
``eta_l``, ``eta_u``, ``eta_t`` (broadcast).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.closed_forms import evaluate
from w2s_theory.spurious._closed_forms import CLOSED_FORMS
from w2s_theory.spurious.fixed_point import product_design_constants
from w2s_theory.spurious.model import SpuriousModelData

Form = Literal["leading", "gaussian", "limit"]
FORMS: tuple[str, ...] = ("leading", "gaussian", "limit")
RISK_KEYS = ("teacher", "student", "gain")


def default_form(model: SpuriousModelData) -> Form:
    """The most accurate form available: F3 (``"limit"``) for the soft model, the leading order for the
    hard model (the only form derived for it)."""
    return "limit" if model.group_model == "soft" else "leading"


# ----------------------------------------------------------------------------------------------- checks
def sample_ratios(model: SpuriousModelData, n: ArrayLike, N: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`(\gamma_z,\nu_z)=(d_z/n,d_z/N)` after checking the OLS regime :math:`n>d_T`, :math:`N>d_S`."""
    n = _validate.integers("n", n)
    N = _validate.integers("N", N)
    if np.any(n <= model.d_T):
        raise ValueError(
            f"n = {n[n <= model.d_T].flat[0]} must exceed d_T = p_T d_z = {model.d_T}: the teacher is OLS "
            "on n labelled points (the theory and the exact MC average need n > d_T)"
        )
    if np.any(N <= model.d_S):
        raise ValueError(
            f"N = {N[N <= model.d_S].flat[0]} must exceed d_S = p_S d_z = {model.d_S}: the student is OLS "
            "on N pseudo-labelled points (the theory and the exact MC average need N > d_S)"
        )
    return model.d_z / n, model.d_z / N


def _check_form(model: SpuriousModelData, form: str | None, gamma_z: np.ndarray, nu_z: np.ndarray) -> Form:
    form = default_form(model) if form is None else _validate.choice("form", form, FORMS)
    if form == "leading":
        return form
    if model.group_model != "soft":
        raise ValueError(
            f"form={form!r} is derived for the soft (mean-shift) group model only; "
            "use form='leading' for the hard model"
        )
    for name, p, ratio in (("p_T * gamma_z", model.p_T, gamma_z), ("p_S * nu_z", model.p_S, nu_z)):
        if np.any(p * np.asarray(ratio) >= 1):
            raise ValueError(
                f"{name} = {np.max(p * np.asarray(ratio)):g} >= 1: form={form!r} needs {name} < 1 (OLS regime)"
            )
    return form


def _values(model: SpuriousModelData, gamma_z, nu_z, form: str, **etas: ArrayLike) -> dict[str, np.ndarray]:
    """Every named value the closed forms of ``form`` may use."""
    values = model.invariants() | {"gamma_z": np.asarray(gamma_z), "nu_z": np.asarray(nu_z)} | etas
    if form == "limit":
        constants = np.vectorize(product_design_constants, otypes=[float, float])
        values["a_T"], values["b_T"] = constants(gamma_z, model.p_T)
        values["a_S"], values["b_S"] = constants(nu_z, model.p_S)
    return values


# ------------------------------------------------------------------------------------------------ risks
def risks_at(
    model: SpuriousModelData,
    gamma_z: ArrayLike,
    nu_z: ArrayLike,
    eta_l: ArrayLike,
    eta_u: ArrayLike,
    eta_t: ArrayLike,
    form: Form | None = None,
) -> dict[str, np.ndarray]:
    r"""``teacher``, ``student``, ``gain`` (absolute units, :math:`\sigma_y^2\gamma_z` included) at the
    ratios :math:`\gamma_z,\nu_z`; all arguments broadcast as numpy arrays. Soft model: the generated
    F1/F2/F3; hard model: :func:`leading_order_matrix` (``form="leading"`` only). ``form=None`` is the
    most accurate form (:func:`default_form`)."""
    gamma_z = _validate.nonnegative_floats("gamma_z", gamma_z)
    nu_z = _validate.nonnegative_floats("nu_z", nu_z)
    form = _check_form(model, form, gamma_z, nu_z)
    etas = {
        name: _validate.fractions(name, v)
        for name, v in (("eta_l", eta_l), ("eta_u", eta_u), ("eta_t", eta_t))
    }
    if model.group_model == "hard":
        fn = np.vectorize(lambda g, v, el, eu, et: leading_order_matrix(model, g, v, el, eu, et))
        teacher, student = fn(gamma_z, nu_z, etas["eta_l"], etas["eta_u"], etas["eta_t"])
    else:
        values = _values(model, gamma_z, nu_z, form, **etas)
        teacher = evaluate(CLOSED_FORMS[form]["teacher"], **values)
        student = evaluate(CLOSED_FORMS[form]["student"], **values)
    teacher, student = np.broadcast_arrays(np.asarray(teacher, dtype=float), np.asarray(student, dtype=float))
    return {"teacher": teacher, "student": student, "gain": teacher - student}


def expected_risks(
    model: SpuriousModelData,
    *,
    n: ArrayLike,
    N: ArrayLike,
    eta_l: ArrayLike,
    eta_u: ArrayLike,
    eta_t: ArrayLike,
    form: Form | None = None,
) -> dict[str, np.ndarray]:
    r""":math:`\mathbb E\,\mathrm{ER}_{\eta_t}` of teacher and student and the gain at
    :math:`\gamma_z=d_z/n`, :math:`\nu_z=d_z/N`.

    Parameters
    ----------
    model
        The group-imbalance model.
    n, N
        Labelled / unlabelled sample sizes (integers or integer arrays), :math:`n>d_T`, :math:`N>d_S`.
    eta_l, eta_u, eta_t
        Minority fractions of the labelled, unlabelled and test distributions, in ``[0, 1]`` (arrays
        broadcast with ``n``, ``N``).
    form
        ``"limit"`` (F3), ``"gaussian"`` (F2) or ``"leading"`` (F1); default the most accurate available
        (:func:`default_form`).

    Returns
    -------
    dict
        ``teacher``, ``student``, ``gain``, and per-group risks ``teacher_majority`` / ``student_majority``
        (:math:`\eta_t=0`), ``teacher_minority`` / ``student_minority`` (:math:`\eta_t=1`),
        ``teacher_worst_group`` / ``student_worst_group`` (their max); arrays of the broadcast shape.
    """
    gamma_z, nu_z = sample_ratios(model, n, N)
    out = risks_at(model, gamma_z, nu_z, eta_l, eta_u, eta_t, form)
    for group, eta in (("majority", 0.0), ("minority", 1.0)):
        at = risks_at(model, gamma_z, nu_z, eta_l, eta_u, eta, form)
        out[f"teacher_{group}"], out[f"student_{group}"] = at["teacher"], at["student"]
    for who in ("teacher", "student"):
        out[f"{who}_worst_group"] = np.maximum(out[f"{who}_majority"], out[f"{who}_minority"])
    return out


def leading_order_matrix(
    model: SpuriousModelData, gamma_z: float, nu_z: float, eta_l: float, eta_u: float, eta_t: float
) -> tuple[float, float]:
    r"""The leading order for either group model: ``(ER_T, ER_S)``, exact linear algebra on the
    population moments of the model."""
    Ml_inv = np.linalg.inv(model.M_w(eta_l))
    teacher = np.trace(Ml_inv @ model.M_w(eta_t))
    P_T, P_S = model.P_T, model.P_S
    Mu_inv = np.linalg.inv(model.M_psi(eta_u))
    K = P_T @ model.R(eta_u) @ P_S.T @ Mu_inv  # E_u[w psi^T] E_u[psi psi^T]^{-1}
    Mt_psi = model.M_psi(eta_t)
    inherited = np.trace(Ml_inv @ K @ Mt_psi @ K.T)
    L_r = P_T - K @ P_S  # r = w - K psi = L_r x~
    A = L_r.T @ Ml_inv @ L_r
    B = P_S.T @ Mu_inv @ Mt_psi @ Mu_inv @ P_S
    refit = sum(
        weight * _quad_product_mean(A, B, mean, _xi_cov(model)) for weight, mean in _components(model, eta_u)
    )
    scale = model.sigma_y2 * gamma_z
    return float(scale * teacher), float(scale * (inherited + nu_z * refit))


def _xi_cov(model: SpuriousModelData) -> np.ndarray:
    cov = np.zeros((model.p + 1, model.p + 1))
    cov[1:, 1:] = model.sigma_xi2 * np.eye(model.p)
    return cov


def _components(model: SpuriousModelData, eta: float) -> list[tuple[float, np.ndarray]]:
    """Mixture weights and means of :math:`\\tilde x=[1;\\xi]` under :math:`\\mathcal D(\\eta)`."""
    mu = model.mu_xi
    if model.group_model == "soft":
        return [(1.0, np.r_[1.0, eta * mu])]
    return [(1.0 - eta, np.r_[1.0, 0.0 * mu]), (eta, np.r_[1.0, mu])]


def _quad_product_mean(A: np.ndarray, B: np.ndarray, m: np.ndarray, C: np.ndarray) -> float:
    r""":math:`\mathbb E[(x^\top Ax)(x^\top Bx)]` for :math:`x\sim\mathcal N(m,C)`, :math:`A,B` symmetric:
    :math:`(\operatorname{tr}AC+m^\top Am)(\operatorname{tr}BC+m^\top Bm)+2\operatorname{tr}(ACBC)+4m^\top ACBm`."""
    qa = np.trace(A @ C) + m @ A @ m
    qb = np.trace(B @ C) + m @ B @ m
    return float(qa * qb + 2 * np.trace(A @ C @ B @ C) + 4 * m @ A @ C @ B @ m)


# -------------------------------------------------------------------------------------------- corollaries
def _soft_only(model: SpuriousModelData, what: str) -> None:
    if model.group_model != "soft":
        raise ValueError(
            f"{what} has a closed form for the soft group model only; the hard-mixture gain saturates in "
            "||mu_T||^2 (docs/theory/spurious.md): use expected_risks over a grid instead"
        )


def _scalar_ratios(model: SpuriousModelData, n: int, N: int) -> tuple[float, float]:
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    gamma_z, nu_z = sample_ratios(model, n, N)
    return float(gamma_z), float(nu_z)


def optimal_eta_u(
    model: SpuriousModelData, *, n: int, N: int, eta_l: float, eta_t: float, form: Form | None = None
) -> float:
    r""":math:`\eta_u^\star=\operatorname{clip}_{[0,1]}\frac{v^\top c/\sigma_\xi^2+\kappa\eta_t}{\|v\|^2/\sigma_\xi^2+\kappa}`,
    :math:`v=\mu_T-\Xi\mu_S`, :math:`c=\eta_\ell\mu_T-\eta_t\Xi\mu_S`,
    :math:`\kappa=\nu_z(p_T-p_{T\wedge S})\|\mu_S\|^2/\sigma_\xi^2` (F1; :math:`\nu_z/(1-p_S\nu_z)` in F2,
    :math:`\nu_zb_S` in F3): the root of :math:`\partial\,\mathrm{gain}/\partial\eta_u`, solved in sympy.
    The gain is a concave quadratic in :math:`\eta_u`, so clipping gives the maximiser on :math:`[0,1]`.
    Soft model only; ``form=None`` is F3."""
    _soft_only(model, "optimal_eta_u")
    gamma_z, nu_z = _scalar_ratios(model, n, N)
    form = _check_form(model, form, gamma_z, nu_z)
    eta_l, eta_t = _validate.fraction("eta_l", eta_l), _validate.fraction("eta_t", eta_t)
    values = _values(model, gamma_z, nu_z, form, eta_l=eta_l, eta_t=eta_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        star = float(evaluate(CLOSED_FORMS[form]["eta_u_star"], **values))
    if not np.isfinite(star):  # mu_T = Xi mu_S and kappa = 0: the gain does not depend on eta_u
        return eta_l
    return float(np.clip(star, 0.0, 1.0))


def failure_threshold(
    model: SpuriousModelData,
    *,
    n: int,
    N: int,
    eta_l: float,
    eta_u: float,
    eta_t: float,
    form: Form | None = None,
) -> float:
    r"""The :math:`\|\mu_T\|^2/\sigma_\xi^2` at which the gain crosses zero, solved in sympy from gain = 0
    with :math:`\Xi\mu_S=0` (there the gain is linear in :math:`\|\mu_T\|^2`), e.g. F1 at
    :math:`\nu_z=0`: :math:`(p_T-p_{T\wedge S})/((\eta_u-\eta_\ell)^2-(\eta_t-\eta_\ell)^2)`. W2S fails
    above it. ``inf`` when :math:`|\eta_u-\eta_\ell|\le|\eta_t-\eta_\ell|` with a positive variance term
    (no separation makes it fail). Uses this model's :math:`\Xi`, :math:`\|\mu_S\|`, ignores its
    :math:`\mu_T`. Soft model only; ``form=None`` is F3."""
    _soft_only(model, "failure_threshold")
    gamma_z, nu_z = _scalar_ratios(model, n, N)
    form = _check_form(model, form, gamma_z, nu_z)
    if np.linalg.norm(model.Xi @ model.mu_S) > 1e-12 * max(1.0, np.linalg.norm(model.mu_xi)):
        raise ValueError(
            "failure_threshold needs Xi mu_S = 0: otherwise the gain is not linear in ||mu_T||^2 and the "
            f"threshold is not a single number (here ||Xi mu_S|| = {np.linalg.norm(model.Xi @ model.mu_S):.3g})"
        )
    etas = {
        name: _validate.fraction(name, v)
        for name, v in (("eta_l", eta_l), ("eta_u", eta_u), ("eta_t", eta_t))
    }
    slope = (etas["eta_u"] - etas["eta_l"]) ** 2 - (etas["eta_t"] - etas["eta_l"]) ** 2
    if slope <= 0:
        return float("inf")
    return float(evaluate(CLOSED_FORMS[form]["threshold"], **_values(model, gamma_z, nu_z, form, **etas)))


def matched_fractions(
    model: SpuriousModelData, *, n: int, N: int, eta_l: float, eta_t: float, form: Form | None = None
) -> dict[str, float | bool]:
    r"""Matched fractions :math:`\eta_u=\eta_\ell`: the ``gain``; ``nu_max``, the largest :math:`\nu_z` with
    a positive variance-reduction term (F1: :math:`1/(p_S+q)`, F2: :math:`1/(2p_S+q)`,
    :math:`q=(\eta_t-\eta_\ell)^2\|\mu_S\|^2/\sigma_\xi^2`; not available in closed form for F3); and the
    three sufficient conditions ``p_TS < p_T``, ``nu_z < nu_max``, ``||Xi mu_S|| <= ||mu_T||``."""
    gamma_z, nu_z = _scalar_ratios(model, n, N)
    form = _check_form(model, form, gamma_z, nu_z)
    eta_l, eta_t = _validate.fraction("eta_l", eta_l), _validate.fraction("eta_t", eta_t)
    values = _values(model, gamma_z, nu_z, form, eta_l=eta_l, eta_u=eta_l, eta_t=eta_t)
    table = CLOSED_FORMS[form]
    out: dict[str, float | bool] = {"gain": float(evaluate(table["matched_gain"], **values))}
    out["p_TS < p_T"] = model.p_TS < model.p_T
    out["||Xi mu_S|| <= ||mu_T||"] = values["xmS2"] <= values["mT2"] + 1e-12
    if "nu_max_matched" in table:
        out["nu_max"] = float(evaluate(table["nu_max_matched"], **values))
        out["nu_z < nu_max"] = nu_z < out["nu_max"]
    return out
