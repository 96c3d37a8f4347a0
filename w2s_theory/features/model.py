r"""Two models' features of the same inputs as plain data: truncated blocks, target, noise, invariants.

The population is the :math:`M` given inputs, each with probability :math:`1/M` (a trial resamples rows
with replacement), so every norm below is a mean over the :math:`M` rows,
:math:`\|v\|^2=\frac1M\sum_iv_i^2`, and every excess risk is exact. Each feature block is centred over
the rows and truncated to its top :math:`k` principal components; the fits regress on exactly those
:math:`k` principal-component scores (no intercept: everything is centred), so :math:`d_w=k_w`,
:math:`d_s=k_s`, and what the truncation drops from the target is bias.

With :math:`Q_w\in\mathbb R^{M\times k_w}`, :math:`Q_s\in\mathbb R^{M\times k_s}` orthonormal bases of the
two column spans (in sample space) and :math:`P_w=Q_wQ_w^\top`, :math:`P_s=Q_sQ_s^\top`:

.. math::
    d_{s\wedge w}=\|Q_s^\top Q_w\|_F^2=\sum_i\cos^2\theta_i,\quad
    \rho_w=\|(I-P_w)f_*\|^2,\quad\rho_s=\|(I-P_s)f_*\|^2,\quad
    \|P_s(I-P_w)f_*\|^2,\quad\|(I-P_s)P_wf_*\|^2,

the :math:`\cos\theta_i` being the canonical correlations of the two blocks (``docs/theory/features.md``
§2). :class:`FeatureModelData` is the data; :class:`w2s_theory.features.FeatureModel` adds the methods
that call the theory and the Monte Carlo. This module imports nothing from its siblings.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Self

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from w2s_theory import _validate

#: A truncation: a number of components, ``"rank"`` (all non-zero ones) or ``{"energy": tau}`` (the
#: fewest leading components that hold at least a fraction ``tau`` of the block's centred variance).
Truncation = int | str | Mapping[str, float]

#: Singular values below ``RANK_RTOL * max(M, p) * s_max`` count as zero (numpy's matrix_rank rule).
RANK_RTOL = np.finfo(float).eps
#: Squared norms at or below this fraction of ``||f*||^2 + sigma2`` are rounding residue (reported as 0).
ROUNDING_LEVEL = 1e-12


@dataclass(frozen=True)
class Block:
    r"""One model's features, centred and truncated to its top ``k`` principal components.

    ``Q`` (``M x k``) has orthonormal columns spanning the principal-component scores, ``s`` (``k``) are
    the singular values of the centred features, so the scores the fits regress on are ``Q * s``, and
    ``spectrum`` holds every singular value of the centred block (for reports)."""

    Q: np.ndarray
    s: np.ndarray
    spectrum: np.ndarray
    rank: int

    @property
    def k(self) -> int:
        """Number of principal components kept."""
        return self.s.shape[0]

    @property
    def scores(self) -> np.ndarray:
        """The ``M x k`` design the fits regress on: the top-``k`` principal-component scores."""
        return self.Q * self.s


def _features(name: str, F: ArrayLike) -> np.ndarray:
    """``F`` as an ``M x p`` float64 array with finite rows and no constant column."""
    F = np.asarray(F, dtype=np.float64)
    if F.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-d array (rows = inputs, columns = features), got shape {F.shape}"
        )
    if F.shape[0] < 3 or F.shape[1] < 1:
        raise ValueError(f"{name} needs at least 3 rows and 1 column, got shape {F.shape}")
    bad_rows = np.flatnonzero(~np.all(np.isfinite(F), axis=1))
    if bad_rows.size:
        raise ValueError(
            f"{name} has NaN or inf in {bad_rows.size} row(s) (first: row {bad_rows[0]}); drop those inputs "
            "from every feature matrix and the target alike"
        )
    constant = np.flatnonzero(np.ptp(F, axis=0) == 0)
    if constant.size:
        raise ValueError(
            f"{name} has {constant.size} constant column(s) (first: column {constant[0]}): they are zero "
            "after centring and carry no information; drop them"
        )
    return F


def parse_truncation(text: str) -> Truncation:
    """A truncation written on a command line: ``"20"``, ``"rank"`` or ``"energy=0.99"``."""
    text = text.strip()
    if text == "rank":
        return "rank"
    if text.startswith("energy="):
        try:
            return {"energy": float(text.removeprefix("energy="))}
        except ValueError:
            pass
    elif text.isdigit():
        return int(text)
    raise ValueError(f'a truncation must be an integer, "rank" or "energy=TAU", got {text!r}')


def _truncation(name: str, k: Truncation, spectrum: np.ndarray, rank: int) -> int:
    """The number of components ``k`` asks for, checked against the block's rank."""
    if isinstance(k, str):
        if k != "rank":
            raise ValueError(f'{name} must be an integer, "rank" or {{"energy": tau}}, got {k!r}')
        return rank
    if isinstance(k, Mapping):
        if set(k) != {"energy"}:
            raise ValueError(f'{name} as a mapping must be {{"energy": tau}}, got keys {sorted(k)}')
        tau = _validate.positive_fraction(f"{name}['energy']", k["energy"])
        energy = np.cumsum(spectrum**2) / np.sum(spectrum**2)
        return int(min(np.searchsorted(energy, tau * (1 - 1e-12)) + 1, rank))
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f'{name} must be an integer, "rank" or {{"energy": tau}}, got {k!r}')
    k = _validate.positive_int(name, k)
    if k > rank:
        raise ValueError(
            f"{name}={k} exceeds the rank of the centred features ({rank}): at most {rank} principal "
            "components are non-zero"
        )
    return k


def principal_block(name: str, F: ArrayLike, k: Truncation, k_name: str) -> Block:
    """Centre ``F`` over its rows and keep its top principal components (``k``: :data:`Truncation`)."""
    F = _features(name, F)
    with threadpool_limits(limits=1, user_api="blas"):  # the same bits for any thread count
        U, s, _ = np.linalg.svd(F - F.mean(axis=0), full_matrices=False)
    rank = int(np.sum(s > RANK_RTOL * max(F.shape) * s[0]))
    kk = _truncation(k_name, k, s, rank)
    return Block(Q=U[:, :kk], s=s[:kk], spectrum=s, rank=rank)


def _target(name: str, value: ArrayLike, M: int) -> np.ndarray:
    f = _validate.finite_array(name, value, ndim=1)
    if f.shape[0] != M:
        raise ValueError(f"{name} must have one entry per row of F_w and F_s (M = {M}), got {f.shape[0]}")
    return f - f.mean()


def _same_rows(**arrays: ArrayLike) -> int:
    rows = {name: np.shape(a)[0] if np.ndim(a) else None for name, a in arrays.items()}
    if len(set(rows.values())) != 1:
        shapes = ", ".join(f"{name} {np.shape(a)}" for name, a in arrays.items())
        raise ValueError(
            f"{', '.join(arrays)} must describe the same M inputs (same number of rows): got {shapes}"
        )
    return int(next(iter(rows.values())))


@dataclass(frozen=True, eq=False)
class FeatureModelData:
    r"""Weak and strong blocks (:class:`Block`) of the same ``M`` inputs, a centred target and the
    label-noise variance ``sigma2``. Build it with :meth:`from_features` or :meth:`from_labels`.

    ``sigma2_source`` says where ``sigma2`` came from (given, or estimated by :meth:`from_labels`);
    ``labels`` holds the centred noisy labels a model built by :meth:`from_labels` was estimated from
    (``None`` for a known target), for estimators that need them (the ridge plug-in's jackknife).
    """

    weak: Block
    strong: Block
    target: np.ndarray
    sigma2: float
    sigma2_source: str = "given"
    labels: np.ndarray | None = field(default=None, repr=False)
    #: Cache of Gaussian-design factors by sample size (filled by the design check).
    _design_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        M = _same_rows(**{"weak block": self.weak.Q, "strong block": self.strong.Q, "target": self.target})
        if M < max(self.d_w, self.d_s) + 2:
            raise ValueError(f"M = {M} rows cannot support k_w = {self.d_w}, k_s = {self.d_s}")
        object.__setattr__(self, "sigma2", _validate.nonnegative_float("sigma2", self.sigma2))

    # ------------------------------------------------------------------------------------ constructors
    @classmethod
    def from_features(
        cls,
        F_w: ArrayLike,
        F_s: ArrayLike,
        target: ArrayLike,
        sigma2: float,
        k_w: Truncation,
        k_s: Truncation,
    ) -> Self:
        r"""The model of two feature matrices of the same ``M`` inputs and a known target.

        Parameters
        ----------
        F_w, F_s
            ``M x p_w`` and ``M x p_s`` features (weak, strong) of the same inputs, row for row. Rows must
            be finite and no column constant.
        target
            :math:`f_*` on the ``M`` inputs (centred here); labels are :math:`f_*+\mathcal N(0,\sigma^2)`.
        sigma2
            Label-noise variance, ``>= 0``.
        k_w, k_s
            Principal components kept per block: an integer ``<=`` the block's rank, ``"rank"``, or
            ``{"energy": tau}`` (fewest leading components holding a fraction ``tau`` of the centred
            variance).
        """
        M = _same_rows(F_w=F_w, F_s=F_s, target=target)
        weak = principal_block("F_w", F_w, k_w, "k_w")
        strong = principal_block("F_s", F_s, k_s, "k_s")
        return cls(weak, strong, _target("target", target, M), sigma2)

    @classmethod
    def from_labels(
        cls, F_w: ArrayLike, F_s: ArrayLike, y: ArrayLike, k_w: Truncation, k_s: Truncation
    ) -> Self:
        r"""The model of two feature matrices and noisy labels ``y`` (no known target).

        The target is the fit of the centred labels on the joint block,
        :math:`\hat f_*=P_{w\cup s}y` (the projection onto :math:`\operatorname{span}(Q_w,Q_s)`), and the
        noise variance is estimated from its residual with a degrees-of-freedom correction,

        .. math:: \hat\sigma^2=\frac{\|(I-P_{w\cup s})y\|_2^2}{M-r-1},\qquad
            r=\operatorname{rank}[Q_w,Q_s]

        (one more degree of freedom for the centring). Whatever of the true target lies outside the
        joint span is counted as noise: the split between noise and that misspecification cannot be
        identified from one label per input. ``sigma2_source`` records this.
        """
        M = _same_rows(F_w=F_w, F_s=F_s, y=y)
        weak = principal_block("F_w", F_w, k_w, "k_w")
        strong = principal_block("F_s", F_s, k_s, "k_s")
        y = _target("y", y, M)
        with threadpool_limits(limits=1, user_api="blas"):
            joint, _ = _joint_basis(weak.Q, strong.Q)
            fit = joint @ (joint.T @ y)
        dof = M - joint.shape[1] - 1
        if dof < 1:
            raise ValueError(
                f"M = {M} rows leave no degrees of freedom for sigma2 after {joint.shape[1]} regressors"
            )
        resid = y - fit
        sigma2 = float(resid @ resid) / dof
        source = (
            f"estimated: residual of y on the joint block [F_w, F_s] ({joint.shape[1]} regressors), "
            f"RSS / (M - {joint.shape[1]} - 1) = {sigma2:.6g}"
        )
        return cls(weak, strong, fit, sigma2, source, labels=y)

    def with_sigma2(self, sigma2: float) -> Self:
        """The same blocks and target with another label-noise variance (given, not estimated)."""
        return dataclasses.replace(self, sigma2=sigma2, sigma2_source="given")

    def with_truncation(self, k_w: int, k_s: int) -> Self:
        """The same features, target and noise with fewer principal components kept (``k <=`` the current
        ``d``): the spectra are already known, so nothing is recomputed."""
        k_w = _validate.positive_int("k_w", k_w)
        k_s = _validate.positive_int("k_s", k_s)
        for name, k, d in (("k_w", k_w, self.d_w), ("k_s", k_s, self.d_s)):
            if k > d:
                raise ValueError(
                    f"{name}={k} exceeds the {d} components this model keeps; rebuild it from the features"
                )
        cut = lambda b, k: Block(Q=b.Q[:, :k], s=b.s[:k], spectrum=b.spectrum, rank=b.rank)
        return dataclasses.replace(self, weak=cut(self.weak, k_w), strong=cut(self.strong, k_s))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(M={self.M}, d_w={self.d_w}, d_s={self.d_s}, d_sw={self.d_sw:.4g} "
            f"(null {self.d_sw_null:.3g}), sigma2={self.sigma2:.4g}, rho_w={self.rho_w:.4g}, rho_s={self.rho_s:.4g})"
        )

    # ------------------------------------------------------------------------------- dimensions, overlaps
    @property
    def M(self) -> int:
        """Number of inputs (rows): the population."""
        return self.target.shape[0]

    @property
    def d_w(self) -> int:
        """Weak block's dimension: the number of principal components kept, ``k_w``."""
        return self.weak.k

    @property
    def d_s(self) -> int:
        """Strong block's dimension, ``k_s``."""
        return self.strong.k

    @cached_property
    def _cross(self) -> np.ndarray:
        r""":math:`Q_s^\top Q_w` (``d_s x d_w``), computed once (at UTKFace scale it is the costliest
        invariant: :math:`Mk_wk_s` multiply-adds)."""
        with threadpool_limits(limits=1, user_api="blas"):
            return self.strong.Q.T @ self.weak.Q

    @property
    def canonical_correlations(self) -> np.ndarray:
        r"""The cosines of the principal angles between the two column spans on the same inputs,
        :math:`\cos\theta_1\ge\dots\ge\cos\theta_{\min(d_w,d_s)}` (singular values of :math:`Q_s^\top Q_w`)."""
        return np.linalg.svd(self._cross, compute_uv=False)

    @property
    def d_sw(self) -> float:
        r""":math:`d_{s\wedge w}=\|Q_s^\top Q_w\|_F^2=\sum_i\cos^2\theta_i`, real-valued."""
        return float(np.sum(self._cross**2))

    @property
    def d_sw_null(self) -> float:
        r""":math:`d_wd_s/M`: the overlap two unrelated spans of these dimensions have on average."""
        return self.d_w * self.d_s / self.M

    @property
    def d_sw_null_sd(self) -> float:
        r""":math:`\sqrt{2d_wd_s}/M`: the standard deviation of that overlap (for :math:`d_w,d_s\ll M` the
        overlap of unrelated spans is about :math:`\chi^2_{d_wd_s}/M`)."""
        return float(np.sqrt(2 * self.d_w * self.d_s)) / self.M

    def _mean_square(self, v: np.ndarray) -> float:
        """:math:`\\frac1M\\|v\\|_2^2`, or exactly 0 at rounding level (relative to the target's size)."""
        value = float(v @ v) / self.M
        scale = float(self.target @ self.target) / self.M + self.sigma2
        return 0.0 if value <= ROUNDING_LEVEL * scale else value

    @cached_property
    def _biases(self) -> dict[str, float]:
        """The four squared norms of the target's pieces, computed once, BLAS on one thread (OpenBLAS threads
        stall for seconds on small products on a loaded few-core machine)."""
        f, Q_w, Q_s = self.target, self.weak.Q, self.strong.Q
        with threadpool_limits(limits=1, user_api="blas"):
            Pw_f = _project(Q_w, f)
            resid_w = f - Pw_f
            return {
                "rho_w": self._mean_square(resid_w),
                "rho_s": self._mean_square(f - _project(Q_s, f)),
                "bias_sw": self._mean_square(_project(Q_s, resid_w)),
                "bias_ws": self._mean_square(Pw_f - _project(Q_s, Pw_f)),
            }

    @property
    def rho_w(self) -> float:
        r"""Teacher's approximation error :math:`\rho_w=\|(I-P_w)f_*\|^2` (mean over the rows)."""
        return self._biases["rho_w"]

    @property
    def rho_s(self) -> float:
        r"""Student's approximation error :math:`\rho_s=\|(I-P_s)f_*\|^2`."""
        return self._biases["rho_s"]

    @property
    def bias_sw(self) -> float:
        r""":math:`\|P_s(I-P_w)f_*\|^2`: target the student could learn but the teacher cannot see."""
        return self._biases["bias_sw"]

    @property
    def bias_ws(self) -> float:
        r""":math:`\|(I-P_s)P_wf_*\|^2`: teacher-visible target the student cannot represent."""
        return self._biases["bias_ws"]

    @property
    def rounding_floor(self) -> float:
        """PGR / OPR whose denominator is at or below this are reported as NaN (rounding residue)."""
        return ROUNDING_LEVEL * (self.sigma2 + float(self.target @ self.target) / self.M)

    def invariants(self) -> dict[str, float]:
        """The named scalars the closed forms take (besides ``n``, ``N``): ``d_w``, ``d_s``, ``d_sw``,
        ``sigma2``, ``rho_w``, ``rho_s``, ``bias_sw``, ``bias_ws``."""
        return {
            "d_w": self.d_w,
            "d_s": self.d_s,
            "d_sw": min(self.d_sw, float(min(self.d_w, self.d_s))),  # rounding may exceed min(d_w, d_s)
            "sigma2": self.sigma2,
            "rho_w": self.rho_w,
            "rho_s": self.rho_s,
            "bias_sw": self.bias_sw,
            "bias_ws": self.bias_ws,
        }

    # ------------------------------------------------------------------------- coordinates for a trial
    def population_coordinates(self) -> dict[str, np.ndarray | float]:
        r"""What a trial needs, with the rows as the population.

        With whitened scores :math:`Z=\sqrt M\,Q` (second moment :math:`I` over the rows) the design is
        :math:`X=Z\operatorname{diag}(r)`, :math:`r=s/\sqrt M`, and for any coefficient vector
        :math:`\theta` the exact excess risk is :math:`\frac1M\|X\theta-f_*\|^2=\|r\odot\theta-a\|^2+\rho`
        with :math:`a=Z^\top f_*/M`. Keys: ``X_w``, ``X_s`` (designs), ``target``, ``r_w``, ``a_w``,
        ``rho_w``, ``r_s``, ``a_s``, ``rho_s``, ``sigma``.
        """
        out: dict[str, np.ndarray | float] = {"target": self.target, "sigma": float(np.sqrt(self.sigma2))}
        for tag, block, rho in (("w", self.weak, self.rho_w), ("s", self.strong, self.rho_s)):
            out[f"X_{tag}"] = block.scores
            out[f"r_{tag}"] = block.s / np.sqrt(self.M)
            with threadpool_limits(limits=1, user_api="blas"):
                out[f"a_{tag}"] = block.Q.T @ self.target / np.sqrt(self.M)
            out[f"rho_{tag}"] = rho
        return out


def _project(Q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """:math:`QQ^\top v` for orthonormal columns ``Q``."""
    return Q @ (Q.T @ v)


def _joint_basis(Q_w: np.ndarray, Q_s: np.ndarray) -> tuple[np.ndarray, int]:
    """An orthonormal basis of ``span(Q_w, Q_s)`` and its dimension (directions of ``Q_s`` inside
    ``span(Q_w)`` to rounding are dropped)."""
    outside = Q_s - _project(Q_w, Q_s)
    outside = outside - _project(Q_w, outside)  # second Gram-Schmidt pass
    U, s, _ = np.linalg.svd(outside, full_matrices=False)
    extra = U[:, s > 1e-8]
    return np.hstack([Q_w, extra]), Q_w.shape[1] + extra.shape[1]
