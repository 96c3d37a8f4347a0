r"""Closed forms of the group-imbalance W2S theory (spec §2), evaluated with numpy.

Soft (mean-shift) model, three finite-ratio variants (spec §2.7), all *derived* in
:mod:`w2s_theory.symbolic.spurious` and compiled into :mod:`w2s_theory.spurious._closed_forms`:

* ``form="leading"`` (F1): the documented Theorems 1-2, first order in :math:`\gamma_z,\nu_z`, with the
  explicit :math:`\nu_z` term :math:`\nu_z(p_T-p_{T\wedge S})(p_S+(\eta_t-\eta_u)^2\|\mu_S\|^2/\sigma_\xi^2)`;
* ``form="gaussian"`` (F2): exact proportional limit for Gaussian features with the same covariance;
* ``form="limit"`` (F3): exact proportional limit for the literal product features :math:`z\otimes w`,
  with constants :math:`(a,b)` from :mod:`w2s_theory.spurious.fixed_point`.

Either group model at leading order (spec §2.8): :func:`leading_order_matrix` evaluates the matrix formula
:math:`\mathrm{ER}_T=\sigma_y^2\gamma_z\operatorname{tr}(M^w_\ell{}^{-1}M^w_t)`,
:math:`\mathrm{ER}_S=\sigma_y^2\gamma_z[\operatorname{tr}(M^w_\ell{}^{-1}KM^\psi_tK^\top)
+\nu_z\mathbb E_u(r^\top M^w_\ell{}^{-1}r)(\psi^\top M^\psi_u{}^{-1}M^\psi_tM^\psi_u{}^{-1}\psi)]`; the
expectation of the product of two quadratic forms is taken exactly (Gaussian, or a two-component Gaussian
mixture for the hard model), no sampling. For the soft model it equals F1 (tested); for the hard model it
is the only form implemented (F2/F3 are derived for the soft model only).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory.spurious import _closed_forms as cf
from w2s_theory.spurious.fixed_point import product_design_constants
from w2s_theory.spurious.model import FORMS, Form, SpuriousModel

RISK_KEYS = ("teacher", "student", "gain")


# ----------------------------------------------------------------------------------------------- checks
def sample_ratios(model: SpuriousModel, n: int, N: int) -> tuple[float, float]:
    r""":math:`(\gamma_z,\nu_z)=(d_z/n,d_z/N)` after checking the OLS regime :math:`n>d_T`, :math:`N>d_S`."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    if n <= model.d_T:
        raise ValueError(
            f"n = {n} must exceed d_T = p_T d_z = {model.d_T}: the teacher is OLS on n labelled points "
            "(under-parameterised regime n > d_T is what the theory and the exact MC average need)"
        )
    if N <= model.d_S:
        raise ValueError(
            f"N = {N} must exceed d_S = p_S d_z = {model.d_S}: the student is OLS on N pseudo-labelled points "
            "(under-parameterised regime N > d_S is what the theory and the exact MC average need)"
        )
    return model.d_z / n, model.d_z / N


def _check_ratios(model: SpuriousModel, gamma_z: float, nu_z: float, form: str) -> None:
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, got {form!r}")
    _validate.nonnegative_float("gamma_z", gamma_z)
    _validate.nonnegative_float("nu_z", nu_z)
    if form == "leading":
        return
    if model.group_model != "soft":
        raise ValueError(
            f"form={form!r} is derived for the soft (mean-shift) group model only (spec §2.7); "
            "use form='leading' for the hard model (spec §2.8)"
        )
    for name, p, ratio in (("p_T * gamma_z", model.p_T, gamma_z), ("p_S * nu_z", model.p_S, nu_z)):
        if p * ratio >= 1:
            raise ValueError(f"{name} = {p * ratio:g} >= 1: form={form!r} needs {name} < 1 (OLS regime)")


def _fractions(**etas: ArrayLike) -> list[np.ndarray]:
    out = []
    for name, value in etas.items():
        v = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(v)) or np.any((v < 0) | (v > 1)):
            raise ValueError(f"{name} is a group fraction and must lie in [0, 1], got {value!r}")
        out.append(v)
    return out


def _args(model: SpuriousModel, gamma_z: float, nu_z: float, form: str, eta_l, eta_u, eta_t) -> tuple:
    inv = model.invariants()
    base = (gamma_z, nu_z, eta_l, eta_u, eta_t, inv["p_T"], inv["p_S"], inv["xi2"], inv["mT2"], inv["mS2"])
    base = (*base, inv["xmS2"], inv["cross"], inv["sigma_xi2"], inv["sigma_y2"])
    if form == "limit":
        return (
            *base,
            *product_design_constants(gamma_z, model.p_T),
            *product_design_constants(nu_z, model.p_S),
        )
    return base


# ------------------------------------------------------------------------------------------------ risks
def risks_at(
    model: SpuriousModel,
    gamma_z: float,
    nu_z: float,
    eta_l: ArrayLike,
    eta_u: ArrayLike,
    eta_t: ArrayLike,
    form: Form = "leading",
) -> dict[str, np.ndarray]:
    r"""``teacher``, ``student``, ``gain`` (absolute units, :math:`\sigma_y^2\gamma_z` included) at the
    ratios :math:`\gamma_z,\nu_z`; the fractions broadcast as numpy arrays. Soft model: the generated F1/F2/F3;
    hard model: :func:`leading_order_matrix` (``form="leading"`` only)."""
    _check_ratios(model, gamma_z, nu_z, form)
    eta_l, eta_u, eta_t = _fractions(eta_l=eta_l, eta_u=eta_u, eta_t=eta_t)
    if model.group_model == "hard":
        fn = np.vectorize(lambda el, eu, et: leading_order_matrix(model, gamma_z, nu_z, el, eu, et))
        teacher, student = fn(eta_l, eta_u, eta_t)
    else:
        args = _args(model, gamma_z, nu_z, form, eta_l, eta_u, eta_t)
        teacher = getattr(cf, f"er_teacher_{form}")(*args)
        student = getattr(cf, f"er_student_{form}")(*args)
    teacher, student = np.broadcast_arrays(np.asarray(teacher, dtype=float), np.asarray(student, dtype=float))
    return {"teacher": teacher, "student": student, "gain": teacher - student}


def expected_risks(
    model: SpuriousModel, *, n: int, N: int, eta_l: float, eta_u: float, eta_t: float, form: Form = "leading"
) -> dict[str, float]:
    r""":math:`\mathbb E\,\mathrm{ER}_{\eta_t}` of teacher and student and the gain at
    :math:`\gamma_z=d_z/n`, :math:`\nu_z=d_z/N`, plus per-group risks ``teacher_majority`` /
    ``student_majority`` (:math:`\eta_t=0`), ``teacher_minority`` / ``student_minority``
    (:math:`\eta_t=1`) and ``teacher_worst_group`` / ``student_worst_group`` (their max)."""
    gamma_z, nu_z = sample_ratios(model, n, N)
    for name, value in {"eta_l": eta_l, "eta_u": eta_u, "eta_t": eta_t}.items():
        _validate.fraction(name, value)
    out = {k: float(v) for k, v in risks_at(model, gamma_z, nu_z, eta_l, eta_u, eta_t, form).items()}
    groups = risks_at(model, gamma_z, nu_z, eta_l, eta_u, np.array([0.0, 1.0]), form)
    for who in ("teacher", "student"):
        out[f"{who}_majority"], out[f"{who}_minority"] = (float(v) for v in groups[who])
        out[f"{who}_worst_group"] = float(np.max(groups[who]))
    return out


def leading_order_matrix(
    model: SpuriousModel, gamma_z: float, nu_z: float, eta_l: float, eta_u: float, eta_t: float
) -> tuple[float, float]:
    r"""Spec §2.8 leading order for either group model: ``(ER_T, ER_S)``, exact linear algebra on the
    population moments of :class:`SpuriousModel`."""
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


def _xi_cov(model: SpuriousModel) -> np.ndarray:
    cov = np.zeros((model.p + 1, model.p + 1))
    cov[1:, 1:] = model.sigma_xi2 * np.eye(model.p)
    return cov


def _components(model: SpuriousModel, eta: float) -> list[tuple[float, np.ndarray]]:
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
def optimal_eta_u(
    model: SpuriousModel, *, n: int, N: int, eta_l: float, eta_t: float, form: Form = "leading"
) -> float:
    r""":math:`\eta_u^\star=\operatorname{clip}_{[0,1]}\frac{v^\top c/\sigma_\xi^2+\kappa\eta_t}{\|v\|^2/\sigma_\xi^2+\kappa}`,
    :math:`v=\mu_T-\Xi\mu_S`, :math:`c=\eta_\ell\mu_T-\eta_t\Xi\mu_S`,
    :math:`\kappa=\nu_z(p_T-p_{T\wedge S})\|\mu_S\|^2/\sigma_\xi^2` (F1; :math:`\nu_z/(1-p_S\nu_z)` in F2,
    :math:`\nu_zb_S` in F3): the root of :math:`\partial\,\mathrm{gain}/\partial\eta_u`, solved in sympy
    (spec §2.3 b). The gain is a concave quadratic in :math:`\eta_u`, so clipping gives the maximiser on
    :math:`[0,1]`. Soft model only."""
    gamma_z, nu_z = sample_ratios(model, n, N)
    _check_ratios(model, gamma_z, nu_z, form)
    if model.group_model != "soft":
        raise ValueError("optimal_eta_u has a closed form for the soft group model only (spec §2.3 b)")
    eta_l, eta_t = (_validate.fraction(k, v) for k, v in (("eta_l", eta_l), ("eta_t", eta_t)))
    args = _args(model, gamma_z, nu_z, form, eta_l, 0.0, eta_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        star = float(getattr(cf, f"eta_u_star_{form}")(*args))
    if not np.isfinite(star):  # mu_T = Xi mu_S and kappa = 0: the gain does not depend on eta_u
        return eta_l
    return float(np.clip(star, 0.0, 1.0))


def failure_threshold(
    model: SpuriousModel, *, n: int, N: int, eta_l: float, eta_u: float, eta_t: float, form: Form = "leading"
) -> float:
    r"""The :math:`\|\mu_T\|^2/\sigma_\xi^2` at which the gain crosses zero (spec §2.3 d), solved in sympy
    from gain = 0 with :math:`\Xi\mu_S=0` (there the gain is linear in :math:`\|\mu_T\|^2`), e.g. F1 at
    :math:`\nu_z=0`: :math:`(p_T-p_{T\wedge S})/((\eta_u-\eta_\ell)^2-(\eta_t-\eta_\ell)^2)`. W2S fails
    above it. ``inf`` when :math:`|\eta_u-\eta_\ell|\le|\eta_t-\eta_\ell|` with a positive variance term
    (no separation makes it fail). Uses this model's :math:`\Xi`, :math:`\|\mu_S\|`, ignores its
    :math:`\mu_T`. Soft model only."""
    gamma_z, nu_z = sample_ratios(model, n, N)
    _check_ratios(model, gamma_z, nu_z, form)
    if model.group_model != "soft":
        raise ValueError(
            "failure_threshold is derived for the soft group model (spec §2.3 d); the hard-mixture gain "
            "saturates in ||mu_T||^2 (spec §1.5), see expected_risks(form='leading')"
        )
    if np.linalg.norm(model.Xi @ model.mu_S) > 1e-12 * max(1.0, np.linalg.norm(model.mu_xi)):
        raise ValueError(
            "failure_threshold needs Xi mu_S = 0: otherwise the gain is not linear in ||mu_T||^2 and the "
            "threshold is not a single number (spec §2.3 d)"
        )
    eta_l, eta_u, eta_t = (
        _validate.fraction(k, v) for k, v in (("eta_l", eta_l), ("eta_u", eta_u), ("eta_t", eta_t))
    )
    inv = model.invariants()
    args = (
        gamma_z,
        nu_z,
        eta_l,
        eta_u,
        eta_t,
        inv["p_T"],
        inv["p_S"],
        inv["xi2"],
        inv["mS2"],
        inv["sigma_xi2"],
    )
    if form == "limit":
        args = (*args, *product_design_constants(nu_z, model.p_S))
    slope = (eta_u - eta_l) ** 2 - (eta_t - eta_l) ** 2
    if slope <= 0:
        return float("inf")
    return float(getattr(cf, f"threshold_{form}")(*args))


def matched_fractions(
    model: SpuriousModel, *, n: int, N: int, eta_l: float, eta_t: float, form: Form = "leading"
) -> dict[str, float | bool]:
    r"""Spec §2.3 (a), :math:`\eta_u=\eta_\ell`: the ``gain``; ``nu_max``, the largest :math:`\nu_z` with
    a positive variance-reduction term (F1: :math:`1/(p_S+q)`, F2: :math:`1/(2p_S+q)`,
    :math:`q=(\eta_t-\eta_\ell)^2\|\mu_S\|^2/\sigma_\xi^2`; not available in closed form for F3); and the
    three sufficient conditions ``p_TS < p_T``, ``nu_z < nu_max``, ``||Xi mu_S|| <= ||mu_T||``."""
    gamma_z, nu_z = sample_ratios(model, n, N)
    _check_ratios(model, gamma_z, nu_z, form)
    eta_l, eta_t = (_validate.fraction(k, v) for k, v in (("eta_l", eta_l), ("eta_t", eta_t)))
    inv = model.invariants()
    gain = float(getattr(cf, f"matched_gain_{form}")(*_args(model, gamma_z, nu_z, form, eta_l, eta_l, eta_t)))
    out: dict[str, float | bool] = {"gain": gain, "p_TS < p_T": model.p_TS < model.p_T}
    out["||Xi mu_S|| <= ||mu_T||"] = inv["xmS2"] <= inv["mT2"] + 1e-12
    if form != "limit":
        nu_max = float(
            getattr(cf, f"nu_max_matched_{form}")(eta_l, eta_t, inv["p_S"], inv["mS2"], inv["sigma_xi2"])
        )
        out["nu_max"] = nu_max
        out["nu_z < nu_max"] = nu_z < nu_max
    return out
