r"""Monte Carlo of the group-imbalance model through the shared driver (:func:`w2s_theory.family.run_trials`).

A trial (:mod:`w2s_theory.spurious.trial`) returns the noise-averaged moments :math:`\bar C`,
:math:`\bar D`; the risk on a test mixture :math:`\eta_t` is then
:math:`\sigma_y^2\langle M(\eta_t),\bar C\rangle`, a host-side inner product, so one fit gives the whole
test-mixture curve and the per-group risks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import run_trials
from w2s_theory.spurious.family import FAMILY
from w2s_theory.spurious.model import SpuriousModelData
from w2s_theory.spurious.theory import sample_ratios
from w2s_theory.spurious.trial import Problem, Static


def _sizes_and_eta_l(model: SpuriousModelData, n: int, N: int, eta_l: float) -> tuple[int, int, float]:
    """``n``, ``N`` (integers in the OLS regime ``n > d_T``, ``N > d_S``) and ``eta_l``, validated."""
    n = _validate.positive_int("n", n)
    N = _validate.positive_int("N", N)
    sample_ratios(model, n, N)  # OLS regime n > d_T, N > d_S
    return n, N, _validate.fraction("eta_l", eta_l)


def simulate_moments(
    model: SpuriousModelData,
    n: int,
    N: int,
    eta_l: float,
    eta_u: float | ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Per-trial :math:`\bar C` (``teacher_moment``, trials x p_T x p_T) and :math:`\bar D`
    (``student_moment``, trials x p_S x p_S). Trial ``i`` uses ``split(key(seed), trials)[i]``, so results
    are identical for any ``chunk_size``; the teacher's draw does not depend on ``eta_u``, so a sweep over
    ``eta_u`` with one seed shares the teacher (common random numbers).

    ``eta_u`` may be a 1-D array (a curve): ``student_moment`` is then trials x len(eta_u) x p_S x p_S,
    from the same draws as a scalar ``eta_u`` with the same seed, with the teacher fitted once per trial
    (:func:`w2s_theory.spurious.trial.trial_curve`); equal to the single-point results up to rounding."""
    n, N, eta_l = _sizes_and_eta_l(model, n, N, eta_l)
    if np.ndim(eta_u) == 0:
        eta_u = _validate.fraction("eta_u", eta_u)
    else:
        eta_u = _validate.fractions("eta_u", eta_u)
        if eta_u.ndim != 1 or eta_u.size == 0:
            raise ValueError(f"eta_u must be a number or a non-empty 1-D array, got shape {eta_u.shape}")
    return run_trials(
        FAMILY,
        Problem.from_model(model, eta_l, eta_u),
        Static(model.d_z, model.p_T, model.p_S, n, N, curve=0 if np.ndim(eta_u) == 0 else len(eta_u)),
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, d_T={model.d_T}, d_S={model.d_S}",
    )


def risks_from_moments(
    model: SpuriousModelData, moments: dict[str, np.ndarray], eta_t: float | ArrayLike
) -> dict[str, np.ndarray]:
    r"""Per-trial ``teacher``, ``student``, ``gain`` on :math:`\mathcal D(\eta_t)`:
    :math:`\sigma_y^2\langle M(\eta_t),\bar C\rangle`. Shape ``(trials,)`` for scalar ``eta_t``, else
    ``(trials, len(eta_t))``."""
    etas = _validate.fractions("eta_t", eta_t)
    M_w = np.stack([model.M_w(e) for e in np.atleast_1d(etas)])
    M_psi = np.stack([model.M_psi(e) for e in np.atleast_1d(etas)])
    teacher = model.sigma_y2 * np.einsum("tab,eab->te", moments["teacher_moment"], M_w)
    student = model.sigma_y2 * np.einsum("tab,eab->te", moments["student_moment"], M_psi)
    if etas.ndim == 0:
        teacher, student = teacher[:, 0], student[:, 0]
    return {"teacher": teacher, "student": student, "gain": teacher - student}


def simulate(
    model: SpuriousModelData,
    n: int,
    N: int,
    eta_l: float,
    eta_u: float,
    eta_t: float | ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Per-trial noise-averaged excess risks on :math:`\mathcal D(\eta_t)`: ``teacher``, ``student``,
    ``gain``; per-group ``*_majority`` (:math:`\eta_t=0`), ``*_minority`` (:math:`\eta_t=1`) and
    ``*_worst_group`` (per-trial max of the two); the raw ``teacher_moment``, ``student_moment``.
    ``eta_t`` may be an array: ``teacher``, ``student``, ``gain`` then have shape ``(trials, len(eta_t))``."""
    moments = simulate_moments(
        model, n, N, eta_l, _validate.fraction("eta_u", eta_u), trials, seed, chunk_size=chunk_size
    )
    return _risks(model, moments, eta_t)


def simulate_curve(
    model: SpuriousModelData,
    n: int,
    N: int,
    eta_l: float,
    eta_us: ArrayLike,
    eta_t: float | ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    r""":func:`simulate` at every :math:`\eta_u` in ``eta_us`` with common random numbers: entry ``j`` has
    the draws of ``simulate(..., eta_us[j], ..., seed)`` and equals it up to rounding, but each trial fits
    the teacher once and forms every :math:`\eta_u`'s student Grams from one pass over the rows
    (:mod:`w2s_theory.spurious.trial`), so a 7-point curve costs about a quarter (soft group model) or
    a half (hard) of 7 calls. The
    per-point standard errors are those of :func:`simulate`; differences between points have smaller ones
    (the points are positively correlated)."""
    moments = simulate_moments(model, n, N, eta_l, eta_us, trials, seed, chunk_size=chunk_size)
    return _curve(model, moments["teacher_moment"], moments["student_moment"], eta_t)


def simulate_means(
    model: SpuriousModelData,
    mu_xis: ArrayLike,
    n: int,
    N: int,
    eta_l: float,
    eta_us: ArrayLike,
    eta_t: float | ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[list[dict[str, np.ndarray]]]:
    r""":func:`simulate_curve` for every minority mean :math:`\mu_\xi` in the rows of ``mu_xis`` (``K x p``;
    the model's subspaces, noise and group model otherwise), on the same trials: entry ``[k][j]`` is the
    model with mean ``mu_xis[k]`` at ``eta_us[j]``, equal to its :func:`simulate_curve` with this ``seed``
    up to rounding. A mean enters a row only as its shift, so each trial forms the teacher's and the
    students' products over the rows once and every mean's Grams from them
    (:func:`w2s_theory.spurious.trial.trial_means`); the points are paired across means too."""
    n, N, eta_l = _sizes_and_eta_l(model, n, N, eta_l)
    mus = _validate.finite_array("mu_xis", mu_xis, ndim=2)
    if mus.shape[0] == 0 or mus.shape[1] != model.p:
        raise ValueError(f"mu_xis must be K x p = K x {model.p} with K >= 1, got shape {mus.shape}")
    eta_us = _eta_curve(eta_us)
    problem = replace(Problem.from_model(model, eta_l, eta_us), mu_xi=mus)
    moments = run_trials(
        FAMILY,
        problem,
        Static(model.d_z, model.p_T, model.p_S, n, N, curve=eta_us.size, means=mus.shape[0]),
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, {mus.shape[0]} means",
    )
    return [
        _curve(
            replace(model, mu_xi=mu), moments["teacher_moment"][:, k], moments["student_moment"][:, k], eta_t
        )
        for k, mu in enumerate(mus)
    ]


def simulate_sizes(
    model: SpuriousModelData,
    n: int,
    Ns: ArrayLike,
    eta_l: float,
    eta_us: ArrayLike,
    eta_t: float | ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[list[dict[str, np.ndarray]]]:
    r""":func:`simulate_curve` at every unlabelled sample size in ``Ns`` (distinct integers, each above
    :math:`d_S`), on the same trials: entry ``[k][j]`` is ``N = Ns[k]`` at ``eta_us[j]``, equal to
    ``simulate_curve(model, n, Ns[k], ..., seed)`` up to rounding. Row blocks of the unlabelled draw are
    keyed by their position, so the first ``N`` rows of the longest draw are a shorter run's rows: each
    trial fits the teacher once and passes over ``max(Ns)`` rows once
    (:func:`w2s_theory.spurious.trial.trial_sizes`); the points are paired across sizes too."""
    sizes = [
        _validate.positive_int(f"Ns[{k}]", v) for k, v in enumerate(np.atleast_1d(np.asarray(Ns)).tolist())
    ]
    if np.ndim(Ns) != 1 or not sizes:
        raise ValueError(f"Ns must be a non-empty 1-D sequence of sample sizes, got {Ns!r}")
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"Ns must be distinct, got {sizes}")
    increasing = tuple(sorted(sizes))
    n, _, eta_l = _sizes_and_eta_l(model, n, increasing[0], eta_l)  # the smallest N is the one to check
    eta_us = _eta_curve(eta_us)
    moments = run_trials(
        FAMILY,
        Problem.from_model(model, eta_l, eta_us),
        Static(model.d_z, model.p_T, model.p_S, n, increasing[-1], curve=eta_us.size, sizes=increasing),
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, Ns={list(increasing)}",
    )
    return [
        _curve(model, moments["teacher_moment"], moments["student_moment"][:, increasing.index(N)], eta_t)
        for N in sizes
    ]


def simulate_students(
    model: SpuriousModelData,
    students: Sequence[ArrayLike],
    n: int,
    N: int,
    eta_l: float,
    eta_us: ArrayLike,
    eta_t: float | ArrayLike,
    trials: int,
    seed: Seed = 0,
    *,
    chunk_size: int | None = None,
) -> list[list[dict[str, np.ndarray]]]:
    r""":func:`simulate_curve` for every student subspace ``S`` in ``students`` (each :math:`p\times(p_S-1)`
    with orthonormal columns, all with this model's :math:`p_S`; the teacher, mean, noise and group model
    are this model's), on the same trials: entry ``[k][j]`` is the model with ``S = students[k]`` at
    ``eta_us[j]``, equal to its :func:`simulate_curve` with this ``seed`` up to rounding. A student's
    features are :math:`R\,Q\tilde x` for orthonormal rows :math:`Q` spanning every student's map, so each
    trial fits the teacher once and forms the rows' products once, for :math:`Q\tilde x`
    (:func:`w2s_theory.spurious.trial.trial_students`); the points are paired across students too."""
    n, N, eta_l = _sizes_and_eta_l(model, n, N, eta_l)
    if isinstance(students, np.ndarray) and students.ndim == 2 or len(students) == 0:
        raise ValueError("students must be a non-empty sequence of p x (p_S - 1) matrices S")
    models = [replace(model, S=np.asarray(S, dtype=float)) for S in students]  # validates each S
    for k, m in enumerate(models):
        if m.p_S != model.p_S:
            raise ValueError(
                f"students[{k}] has p_S = {m.p_S}, but every student needs this model's p_S = {model.p_S}"
            )
    eta_us = _eta_curve(eta_us)
    maps = np.stack([m.P_S for m in models])  # K x p_S x (p + 1)
    _, singular, rows = np.linalg.svd(maps.reshape(-1, maps.shape[-1]), full_matrices=False)
    basis = rows[: int(np.sum(singular > 1e-10 * singular[0]))]  # orthonormal rows spanning every map
    problem = replace(Problem.from_model(model, eta_l, eta_us), P_S=maps, basis=basis)
    moments = run_trials(
        FAMILY,
        problem,
        Static(model.d_z, model.p_T, basis.shape[0], n, N, curve=eta_us.size, students=len(models)),
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        context=f"n={n}, N={N}, {len(models)} students",
    )
    return [
        _curve(m, moments["teacher_moment"], moments["student_moment"][:, k], eta_t)
        for k, m in enumerate(models)
    ]


def _eta_curve(eta_us: ArrayLike) -> np.ndarray:
    """The ``eta_us`` of a curve: fractions in a non-empty 1-D array."""
    eta_us = _validate.fractions("eta_us", eta_us)
    if eta_us.ndim != 1 or eta_us.size == 0:
        raise ValueError(f"eta_us must be a non-empty 1-D array, got shape {eta_us.shape}")
    return eta_us


def _curve(
    model: SpuriousModelData,
    teacher_moment: np.ndarray,
    student_moments: np.ndarray,
    eta_t: float | ArrayLike,
) -> list[dict[str, np.ndarray]]:
    """:func:`simulate`'s outputs at each point of an ``eta_u`` curve (``student_moments``: trials x
    points x p_S x p_S)."""
    return [
        _risks(model, {"teacher_moment": teacher_moment, "student_moment": student}, eta_t)
        for student in np.moveaxis(student_moments, 1, 0)
    ]


def _risks(
    model: SpuriousModelData, moments: dict[str, np.ndarray], eta_t: float | ArrayLike
) -> dict[str, np.ndarray]:
    """:func:`simulate`'s outputs from one point's moments."""
    etas = _validate.fractions("eta_t", eta_t)
    out = dict(risks_from_moments(model, moments, etas))
    groups = risks_from_moments(model, moments, np.array([0.0, 1.0]))
    for who in ("teacher", "student"):
        out[f"{who}_majority"], out[f"{who}_minority"] = groups[who][:, 0], groups[who][:, 1]
        out[f"{who}_worst_group"] = groups[who].max(axis=1)
    return out | moments
