r""":class:`SpuriousModel`: the group-imbalance model's data (:mod:`w2s_theory.spurious.model`) with the
methods that call its theory (:mod:`w2s_theory.spurious.theory`) and Monte Carlo
(:mod:`w2s_theory.spurious.simulate`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory.spurious import simulate as _simulate
from w2s_theory.spurious import theory
from w2s_theory.spurious.model import SpuriousModelData
from w2s_theory.spurious.theory import Form


class SpuriousModel(SpuriousModelData):
    r"""The group-imbalance model of Liu, Dong, Lei (ICLR 2026), "Does weak-to-strong generalization
    happen under spurious correlations?" (``docs/theory/spurious.md``): ``d_z`` core dimensions, group
    subspaces ``T``, ``S``, minority mean ``mu_xi``, variances ``sigma_xi2``, ``sigma_y2`` and the
    ``group_model`` (``"soft"`` mean shift or ``"hard"`` mixture).

    Build one with :meth:`canonical` or :meth:`random`. ``form=None`` in every method means the most
    accurate form available: F3 (``"limit"``) for the soft model, the leading order for the hard model.
    """

    def expected_risks(
        self,
        n: ArrayLike,
        N: ArrayLike,
        eta_l: ArrayLike,
        eta_u: ArrayLike,
        eta_t: ArrayLike,
        form: Form | None = None,
    ) -> dict[str, float | np.ndarray]:
        r"""Closed-form :math:`\mathbb E\,\mathrm{ER}_{\eta_t}` of teacher and student and the gain, with
        :math:`\gamma_z=d_z/n`, :math:`\nu_z=d_z/N`.

        Parameters
        ----------
        n, N
            Labelled / unlabelled sample sizes (integers or integer arrays), :math:`n>d_T`, :math:`N>d_S`.
        eta_l, eta_u, eta_t
            Minority fractions of the labelled, unlabelled and test distributions, in ``[0, 1]``; arrays
            broadcast with ``n`` and ``N``.
        form
            ``"limit"`` (F3), ``"gaussian"`` (F2) or ``"leading"`` (F1, the paper's theorems); default
            ``None``: the most accurate form available (F3 soft, leading order hard).

        Returns
        -------
        dict
            ``teacher``, ``student``, ``gain``; per group ``teacher_majority``, ``student_majority``
            (:math:`\eta_t=0`), ``teacher_minority``, ``student_minority`` (:math:`\eta_t=1`),
            ``teacher_worst_group``, ``student_worst_group``. Floats for scalar arguments, arrays
            otherwise (see :func:`w2s_theory.spurious.theory.expected_risks`).
        """
        out = theory.expected_risks(self, n=n, N=N, eta_l=eta_l, eta_u=eta_u, eta_t=eta_t, form=form)
        return {k: float(v) if np.ndim(v) == 0 else v for k, v in out.items()}

    def optimal_eta_u(self, n: int, N: int, eta_l: float, eta_t: float, form: Form | None = None) -> float:
        r""":math:`\eta_u^\star`, the maximiser of the gain over :math:`\eta_u\in[0,1]` (soft model).
        See :func:`w2s_theory.spurious.theory.optimal_eta_u`."""
        return theory.optimal_eta_u(self, n=n, N=N, eta_l=eta_l, eta_t=eta_t, form=form)

    def failure_threshold(
        self, n: int, N: int, eta_l: float, eta_u: float, eta_t: float, form: Form | None = None
    ) -> float:
        r"""Critical :math:`\|\mu_T\|^2/\sigma_\xi^2` above which W2S fails (soft model). See
        :func:`w2s_theory.spurious.theory.failure_threshold`."""
        return theory.failure_threshold(self, n=n, N=N, eta_l=eta_l, eta_u=eta_u, eta_t=eta_t, form=form)

    def simulate(
        self,
        n: int,
        N: int,
        eta_l: float,
        eta_u: float,
        eta_t: float | ArrayLike,
        trials: int,
        seed: int = 0,
        *,
        chunk_size: int | None = None,
    ) -> dict[str, np.ndarray]:
        r"""Monte Carlo: per-trial excess risks on :math:`\mathcal D(\eta_t)`, averaged over label noise
        exactly.

        Parameters
        ----------
        n, N
            Labelled / unlabelled sample sizes, :math:`n>d_T`, :math:`N>d_S`.
        eta_l, eta_u
            Minority fractions of the labelled and unlabelled data.
        eta_t
            Test minority fraction, a number or an array (one fit serves every test mixture).
        trials, seed, chunk_size
            As for :meth:`w2s_theory.SubspaceModel.simulate`.

        Returns
        -------
        dict
            ``teacher``, ``student``, ``gain`` (shape ``(trials,)``, or ``(trials, len(eta_t))``);
            ``*_majority``, ``*_minority``, ``*_worst_group`` for ``teacher`` and ``student``; the raw
            moments ``teacher_moment``, ``student_moment``.
        """
        return _simulate.simulate(
            self,
            n=n,
            N=N,
            eta_l=eta_l,
            eta_u=eta_u,
            eta_t=eta_t,
            trials=trials,
            seed=seed,
            chunk_size=chunk_size,
        )

    def simulate_curve(
        self,
        n: int,
        N: int,
        eta_l: float,
        eta_us: ArrayLike,
        eta_t: float | ArrayLike,
        trials: int,
        seed: int = 0,
        *,
        chunk_size: int | None = None,
    ) -> list[dict[str, np.ndarray]]:
        r"""Monte Carlo along a curve in :math:`\eta_u`: :meth:`simulate` at each entry of ``eta_us`` with
        common random numbers (the same draws as :meth:`simulate` with this ``seed``, equal to it up to
        rounding), at a fraction of the cost: each trial fits the teacher once, and one pass over the
        unlabelled rows serves every :math:`\eta_u`. Returns one dict per
        :math:`\eta_u`, as :meth:`simulate`. See :func:`w2s_theory.spurious.simulate.simulate_curve`."""
        return _simulate.simulate_curve(
            self,
            n=n,
            N=N,
            eta_l=eta_l,
            eta_us=eta_us,
            eta_t=eta_t,
            trials=trials,
            seed=seed,
            chunk_size=chunk_size,
        )

    def simulate_means(
        self,
        mu_xis: ArrayLike,
        n: int,
        N: int,
        eta_l: float,
        eta_us: ArrayLike,
        eta_t: float | ArrayLike,
        trials: int,
        seed: int = 0,
        *,
        chunk_size: int | None = None,
    ) -> list[list[dict[str, np.ndarray]]]:
        r""":meth:`simulate_curve` for every minority mean :math:`\mu_\xi` in the rows of ``mu_xis``
        (``K x p``; this model's subspaces, noise and group model), on the same trials: entry ``[k][j]`` is
        the model with mean ``mu_xis[k]`` at ``eta_us[j]``, equal to its :meth:`simulate_curve` with this
        ``seed`` up to rounding, at a fraction of the cost (the rows' products once per trial, every
        mean's Grams from them). See :func:`w2s_theory.spurious.simulate.simulate_means`."""
        return _simulate.simulate_means(
            self, mu_xis, n, N, eta_l, eta_us, eta_t, trials, seed, chunk_size=chunk_size
        )

    def simulate_sizes(
        self,
        n: int,
        Ns: ArrayLike,
        eta_l: float,
        eta_us: ArrayLike,
        eta_t: float | ArrayLike,
        trials: int,
        seed: int = 0,
        *,
        chunk_size: int | None = None,
    ) -> list[list[dict[str, np.ndarray]]]:
        r""":meth:`simulate_curve` at every unlabelled sample size in ``Ns`` (distinct, each above
        :math:`d_S`; :math:`\nu_z=d_z/N`), on the same trials: entry ``[k][j]`` is ``N = Ns[k]`` at
        ``eta_us[j]``, equal to :meth:`simulate_curve` with ``Ns[k]`` and this ``seed`` up to rounding, at a
        fraction of the cost (the teacher once, one pass over ``max(Ns)`` rows). See
        :func:`w2s_theory.spurious.simulate.simulate_sizes`."""
        return _simulate.simulate_sizes(
            self, n, Ns, eta_l, eta_us, eta_t, trials, seed, chunk_size=chunk_size
        )

    def simulate_students(
        self,
        students: Sequence[ArrayLike],
        n: int,
        N: int,
        eta_l: float,
        eta_us: ArrayLike,
        eta_t: float | ArrayLike,
        trials: int,
        seed: int = 0,
        *,
        chunk_size: int | None = None,
    ) -> list[list[dict[str, np.ndarray]]]:
        r""":meth:`simulate_curve` for every student subspace ``S`` in ``students`` (:math:`p\times(p_S-1)`,
        orthonormal columns, this model's :math:`p_S`; e.g. several :math:`\|\Xi\|_F^2`), on the same
        trials: entry ``[k][j]`` is the model with ``S = students[k]`` at ``eta_us[j]``, equal to its
        :meth:`simulate_curve` with this ``seed`` up to rounding, at a fraction of the cost (the teacher
        once, the rows' products once for a basis of every student's features). See
        :func:`w2s_theory.spurious.simulate.simulate_students`."""
        return _simulate.simulate_students(
            self, students, n, N, eta_l, eta_us, eta_t, trials, seed, chunk_size=chunk_size
        )
