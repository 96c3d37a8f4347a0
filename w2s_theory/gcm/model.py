r"""The Gaussian covariate model (GCM) of weak-to-strong ridge regression as plain data.

Weak features :math:`\phi_w\in\mathbb R^{p_w}`, strong features :math:`\phi_s\in\mathbb R^{p_s}` and the
target :math:`f_*` are jointly Gaussian with mean zero; labels are :math:`y=f_*+\epsilon`,
:math:`\operatorname{Var}\epsilon=\sigma^2`. Ridge fits depend on the model only through the population
second moments (``docs/theory/general_covariance.md`` §1):

.. math::
    \Sigma_{ww}=\mathbb E\phi_w\phi_w^\top,\quad\Sigma_{ss}=\mathbb E\phi_s\phi_s^\top,\quad
    \Sigma_{ws}=\mathbb E\phi_w\phi_s^\top,\quad c_w=\mathbb E\phi_wf_*,\quad c_s=\mathbb E\phi_sf_*,\quad
    F=\mathbb Ef_*^2,\quad\sigma^2.

:class:`GaussianCovariateModelData` stores them, checks that they are the moments of *some* Gaussian vector
(symmetric, positive semi-definite, cross moments inside the ranges, a positive semi-definite joint second
moment matrix) and keeps their spectra (:class:`Spectra`), computed once: every deterministic equivalent
and every Monte Carlo trial works in the eigenbases. Constructors: :meth:`~GaussianCovariateModelData.from_latent`
(a latent covariance and two linear maps), :meth:`~GaussianCovariateModelData.power_law` (power-law spectra,
coordinate or rotated maps) and :meth:`~GaussianCovariateModelData.from_subspace_model` (the isotropic
subspace model of Dong et al. 2025). This module imports nothing from its siblings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from w2s_theory import _validate

#: Relative size below which a risk is rounding residue (:attr:`GaussianCovariateModelData.rounding_floor`).
ROUNDING_LEVEL = 1e-12
#: A moment that should vanish (outside a range) may be this many times its Cauchy-Schwarz rounding bound.
RANGE_SLACK = 10.0
#: Absolute tolerance (relative to max(1, F)) on the whitened joint second-moment matrix's eigenvalues.
JOINT_PSD_TOL = 1e-9


def rank_tolerance(eigenvalues: np.ndarray, size: int) -> float:
    r"""Eigenvalues at or below ``size`` :math:`\cdot\varepsilon\cdot\max_i e_i` count as zero: the
    tolerance of :func:`numpy.linalg.matrix_rank`, the rounding level of a symmetric eigensolver."""
    return float(size * np.finfo(float).eps * max(float(np.max(eigenvalues, initial=0.0)), 0.0))


@dataclass(frozen=True, eq=False)
class Spectra:
    r"""The moments in the eigenbases of :math:`\Sigma_{ww}=U_w\operatorname{diag}(e_w)U_w^\top` and
    :math:`\Sigma_{ss}=U_s\operatorname{diag}(e_s)U_s^\top`, restricted to their ranges (zero eigenvalues
    dropped: features a.s. have no component there, so no fit sees it).

    ``e_w`` (r_w,), ``U_w`` (p_w, r_w), ``e_s`` (r_s,), ``U_s`` (p_s, r_s): positive eigenvalues
    (descending) and eigenvectors; ``L`` (r_s, r_w) :math:`=U_s^\top\Sigma_{sw}U_w`; ``cw`` (r_w,)
    :math:`=U_w^\top c_w`; ``cs`` (r_s,) :math:`=U_s^\top c_s`.
    """

    e_w: np.ndarray
    U_w: np.ndarray
    e_s: np.ndarray
    U_s: np.ndarray
    L: np.ndarray
    cw: np.ndarray
    cs: np.ndarray

    @cached_property
    def L2(self) -> np.ndarray:
        r""":math:`L\circ L` (entrywise square): :math:`\operatorname{tr}(L^\top DLK)` for diagonal D, K."""
        return self.L**2


@dataclass(frozen=True, eq=False)
class GaussianCovariateModelData:
    r"""Population second moments of weak features, strong features and target (module docstring).

    Parameters
    ----------
    Sigma_ww, Sigma_ss
        Feature covariances, ``(p_w, p_w)`` and ``(p_s, p_s)``, symmetric positive semi-definite.
    Sigma_ws
        Cross covariance :math:`\mathbb E\phi_w\phi_s^\top`, ``(p_w, p_s)``.
    c_w, c_s
        :math:`\mathbb E\phi_wf_*` ``(p_w,)`` and :math:`\mathbb E\phi_sf_*` ``(p_s,)``.
    F
        :math:`\mathbb Ef_*^2`.
    sigma2
        Label-noise variance :math:`\sigma^2\ge0`.

    Raises
    ------
    ValueError
        Naming the argument: a non-symmetric or not positive semi-definite covariance, mismatched shapes,
        ``c_w`` / ``c_s`` / ``Sigma_ws`` outside the ranges of the covariances, ``F`` smaller than the
        variance the features explain, or a joint second-moment matrix of :math:`(\phi_w,\phi_s,f_*)` that
        is not positive semi-definite.
    """

    Sigma_ww: np.ndarray
    Sigma_ss: np.ndarray
    Sigma_ws: np.ndarray
    c_w: np.ndarray
    c_s: np.ndarray
    F: float
    sigma2: float
    spectra: Spectra = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # one BLAS thread: the same eigenvectors (hence the same Monte Carlo draws) for any thread count
        with threadpool_limits(limits=1, user_api="blas"):
            self._build()

    def _build(self) -> None:
        S_ww = _validate.symmetric_matrix("Sigma_ww", self.Sigma_ww)
        S_ss = _validate.symmetric_matrix("Sigma_ss", self.Sigma_ss)
        p_w, p_s = S_ww.shape[0], S_ss.shape[0]
        S_ws = _validate.matrix_shape(
            "Sigma_ws", self.Sigma_ws, (p_w, p_s), "p_w x p_s: rows weak features, columns strong features"
        )
        c_w = _validate.matrix_shape("c_w", self.c_w, (p_w,), "one entry E[phi_w f*] per weak feature")
        c_s = _validate.matrix_shape("c_s", self.c_s, (p_s,), "one entry E[phi_s f*] per strong feature")
        F = _validate.nonnegative_float("F", self.F)
        sigma2 = _validate.nonnegative_float("sigma2", self.sigma2)
        e_w, U_w, N_w, null_w = _range_eigh("Sigma_ww", S_ww)
        e_s, U_s, N_s, null_s = _range_eigh("Sigma_ss", S_ss)
        # moments that must vanish outside the ranges, up to their Cauchy-Schwarz rounding bound
        _inside_range("c_w", N_w.T @ c_w, null_w * F, "Sigma_ww")
        _inside_range("c_s", N_s.T @ c_s, null_s * F, "Sigma_ss")
        _inside_range("Sigma_ws", N_w.T @ S_ws, null_w * e_s[0], "Sigma_ww (its rows)")
        _inside_range("Sigma_ws", S_ws @ N_s, null_s * e_w[0], "Sigma_ss (its columns)")
        cw, cs = U_w.T @ c_w, U_s.T @ c_s
        L = U_s.T @ (S_ws.T @ U_w)
        _joint_moments_consistent(e_w, e_s, L, cw, cs, F)
        spectra = Spectra(e_w=e_w, U_w=U_w, e_s=e_s, U_s=U_s, L=L, cw=cw, cs=cs)
        values = dict(Sigma_ww=S_ww, Sigma_ss=S_ss, Sigma_ws=S_ws, c_w=c_w, c_s=c_s, F=F, sigma2=sigma2)
        for name, value in (values | {"spectra": spectra}).items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(p_w={self.p_w}, p_s={self.p_s}, rank_w={self.rank_w}, "
            f"rank_s={self.rank_s}, F={self.F:.6g}, sigma2={self.sigma2:g}, rho_w={self.rho_w:.6g}, "
            f"rho_s={self.rho_s:.6g}, d_sw={self.d_sw:.6g})"
        )

    # ------------------------------------------------------------------------------------ invariants
    @property
    def p_w(self) -> int:
        """Number of weak features."""
        return self.Sigma_ww.shape[0]

    @property
    def p_s(self) -> int:
        """Number of strong features."""
        return self.Sigma_ss.shape[0]

    @property
    def rank_w(self) -> int:
        r"""Rank of :math:`\Sigma_{ww}`: the teacher is ridgeless-over-parameterised when it exceeds ``n``."""
        return self.spectra.e_w.size

    @property
    def rank_s(self) -> int:
        r"""Rank of :math:`\Sigma_{ss}`."""
        return self.spectra.e_s.size

    @property
    def rho_w(self) -> float:
        r"""Teacher's approximation error :math:`\rho_w=F-c_w^\top\Sigma_{ww}^+c_w` (best linear predictor's risk)."""
        sp = self.spectra
        return max(self.F - float(np.sum(sp.cw**2 / sp.e_w)), 0.0)

    @property
    def rho_s(self) -> float:
        r"""Student's approximation error :math:`\rho_s=F-c_s^\top\Sigma_{ss}^+c_s`."""
        sp = self.spectra
        return max(self.F - float(np.sum(sp.cs**2 / sp.e_s)), 0.0)

    @property
    def theta_w(self) -> np.ndarray:
        r"""Best linear predictor on the weak features, :math:`\theta_w^*=\Sigma_{ww}^+c_w` (p_w,)."""
        sp = self.spectra
        return sp.U_w @ (sp.cw / sp.e_w)

    @property
    def theta_s(self) -> np.ndarray:
        r"""Best linear predictor on the strong features, :math:`\theta_s^*=\Sigma_{ss}^+c_s` (p_s,)."""
        sp = self.spectra
        return sp.U_s @ (sp.cs / sp.e_s)

    @cached_property
    def canonical_correlations(self) -> np.ndarray:
        r"""Canonical correlations :math:`r_i` of :math:`\phi_w` and :math:`\phi_s`: the singular values of
        :math:`\Sigma_{ss}^{-1/2}\Sigma_{sw}\Sigma_{ww}^{-1/2}` (on the ranges), descending."""
        sp = self.spectra
        K = sp.L / np.sqrt(sp.e_s)[:, None] / np.sqrt(sp.e_w)[None, :]
        return np.clip(np.linalg.svd(K, compute_uv=False), 0.0, 1.0)

    @property
    def d_sw(self) -> float:
        r"""Ridgeless overlap :math:`d_{sw}=\|\Sigma_{ss}^{-1/2}\Sigma_{sw}\Sigma_{ww}^{-1/2}\|_F^2=\sum_ir_i^2`:
        the isotropic :math:`d_{s\wedge w}` after whitening (``docs/theory/general_covariance.md`` §4)."""
        sp = self.spectra
        return float(np.sum(sp.L2 / sp.e_s[:, None] / sp.e_w[None, :]))

    @cached_property
    def joint_factor(self) -> np.ndarray:
        r"""A factor :math:`M` (``r x (r_w + r_s + 1)``, :math:`r` the rank) with :math:`M^\top M` the joint
        second-moment matrix of :math:`(U_w^\top\phi_w,U_s^\top\phi_s,f_*)`, so that
        :math:`(U_w^\top\phi_w,U_s^\top\phi_s,f_*)\overset d=M^\top z` for :math:`z\sim\mathcal N(0,I_r)`:
        the coordinates a Monte Carlo trial draws in. From a symmetric eigendecomposition (one BLAS thread,
        so the same bits for any thread count), eigenvalues at rounding level dropped."""
        sp = self.spectra
        r_w, r_s = sp.e_w.size, sp.e_s.size
        J = np.zeros((r_w + r_s + 1, r_w + r_s + 1))
        J[:r_w, :r_w] = np.diag(sp.e_w)
        J[r_w:-1, r_w:-1] = np.diag(sp.e_s)
        J[r_w:-1, :r_w] = sp.L
        J[:r_w, r_w:-1] = sp.L.T
        J[:r_w, -1] = J[-1, :r_w] = sp.cw
        J[r_w:-1, -1] = J[-1, r_w:-1] = sp.cs
        J[-1, -1] = self.F
        with threadpool_limits(limits=1, user_api="blas"):
            ev, V = np.linalg.eigh(J)
        keep = ev > rank_tolerance(ev, J.shape[0])
        return (V[:, keep] * np.sqrt(ev[keep])).T

    @property
    def rounding_floor(self) -> float:
        r"""Risks at or below :data:`ROUNDING_LEVEL` :math:`\cdot(\sigma^2+F)` are rounding residue: a PGR or
        OPR whose denominator is that small is reported as NaN (:mod:`w2s_theory.metrics`)."""
        return ROUNDING_LEVEL * (self.sigma2 + self.F)

    def invariants(self) -> dict[str, float]:
        """Scalar summaries: ``p_w``, ``p_s``, ``rank_w``, ``rank_s``, ``F``, ``sigma2``, ``rho_w``,
        ``rho_s`` and the ridgeless overlap ``d_sw``."""
        return {
            "p_w": self.p_w,
            "p_s": self.p_s,
            "rank_w": self.rank_w,
            "rank_s": self.rank_s,
            "F": self.F,
            "sigma2": self.sigma2,
            "rho_w": self.rho_w,
            "rho_s": self.rho_s,
            "d_sw": self.d_sw,
        }

    def with_sigma2(self, sigma2: float) -> Self:
        """The same moments with another label-noise variance."""
        return dataclasses.replace(self, sigma2=sigma2)

    # ------------------------------------------------------------------------------------ constructors
    @classmethod
    def from_latent(
        cls, Sigma: ArrayLike, A_w: ArrayLike, A_s: ArrayLike, beta: ArrayLike, sigma2: float
    ) -> Self:
        r"""From a latent :math:`x\sim\mathcal N(0,\Sigma)` in :math:`\mathbb R^d`, features
        :math:`\phi_w=A_w^\top x`, :math:`\phi_s=A_s^\top x` and target :math:`f_*=\beta^\top x`:
        :math:`\Sigma_{ww}=A_w^\top\Sigma A_w`, :math:`\Sigma_{ws}=A_w^\top\Sigma A_s`,
        :math:`c_w=A_w^\top\Sigma\beta`, :math:`F=\beta^\top\Sigma\beta` (and likewise for s).

        Parameters
        ----------
        Sigma
            Latent covariance ``(d, d)``, symmetric positive semi-definite.
        A_w, A_s
            Linear maps ``(d, p_w)`` and ``(d, p_s)`` (any, not necessarily orthonormal).
        beta
            Target coefficients ``(d,)``.
        sigma2
            Label-noise variance.
        """
        with threadpool_limits(limits=1, user_api="blas"):
            S = _validate.symmetric_matrix("Sigma", Sigma)
            _validate.psd_eigenvalues("Sigma", np.linalg.eigvalsh(S))
            d = S.shape[0]
            A_w = _latent_map("A_w", A_w, d)
            A_s = _latent_map("A_s", A_s, d)
            beta = _validate.matrix_shape("beta", beta, (d,), "one coefficient per latent coordinate")
            SA_w, SA_s, Sb = S @ A_w, S @ A_s, S @ beta
            return cls(
                Sigma_ww=_symmetrise(A_w.T @ SA_w),
                Sigma_ss=_symmetrise(A_s.T @ SA_s),
                Sigma_ws=A_w.T @ SA_s,
                c_w=A_w.T @ Sb,
                c_s=A_s.T @ Sb,
                F=float(beta @ Sb),
                sigma2=sigma2,
            )

    @classmethod
    def power_law(
        cls,
        a: float,
        b: float,
        d: int,
        weak: Sequence[int] | Rotated,
        strong: Sequence[int] | Rotated,
        sigma2: float,
        *,
        seed: int = 0,
    ) -> Self:
        r"""Power-law latent spectrum and target: :math:`\Sigma=\operatorname{diag}(k^{-a})`,
        :math:`\beta_k=k^{-b}`, :math:`k=1..d`, so the target's energy on coordinate k is
        :math:`k^{-a-2b}`.

        Parameters
        ----------
        a, b
            Spectrum and target exponents (``a > 0``, ``b`` any real).
        d
            Latent dimension.
        weak, strong
            Each either the 1-based latent coordinates the learner sees (nested, partially overlapping or
            disjoint sets; see :func:`overlapping_coordinates`), or :class:`Rotated` ``(dim, top)``: a random
            ``dim``-dimensional subspace of the top-``top`` coordinates (dense covariances).
        sigma2
            Label-noise variance.
        seed
            Seeds the rotations (``numpy.random.default_rng(seed)``; the weak map is drawn first).
        """
        a = _validate.positive_float("a", a)
        b = float(_validate.finite_array("b", b, ndim=0))
        d = _validate.positive_int("d", d)
        rng = np.random.default_rng(seed)
        k = np.arange(1, d + 1, dtype=float)
        A_w = _layout_map("weak", weak, d, rng)
        A_s = _layout_map("strong", strong, d, rng)
        return cls.from_latent(np.diag(k**-a), A_w, A_s, k**-b, sigma2)

    @classmethod
    def from_subspace_model(cls, model: Any) -> Self:
        r"""The isotropic subspace model of Dong et al. 2025 (a
        :class:`w2s_theory.discrepancy.SubspaceModel`): :math:`\Sigma=I`, :math:`A_w=V_w`,
        :math:`A_s=V_s`, so :math:`\Sigma_{ww}=I_{d_w}`, :math:`\Sigma_{ws}=V_w^\top V_s`,
        :math:`c_w=V_w^\top\beta`, :math:`F=\|\beta\|^2`. Computed in the model's basis of
        :math:`\operatorname{span}(V_w,V_s,\beta)` (``B_w``, ``B_s``, ``b_star``), whatever its ambient D."""
        B_w, B_s, b = (np.asarray(getattr(model, name), dtype=float) for name in ("B_w", "B_s", "b_star"))
        return cls(
            Sigma_ww=_symmetrise(B_w.T @ B_w),
            Sigma_ss=_symmetrise(B_s.T @ B_s),
            Sigma_ws=B_w.T @ B_s,
            c_w=B_w.T @ b,
            c_s=B_s.T @ b,
            F=float(b @ b),
            sigma2=float(model.sigma2),
        )


@dataclass(frozen=True)
class Rotated:
    """A random ``dim``-dimensional subspace of the top-``top`` latent coordinates (orthonormal map, drawn
    from the Haar measure): a layout for :meth:`GaussianCovariateModelData.power_law`."""

    dim: int
    top: int


def overlapping_coordinates(p_w: int, p_s: int, overlap: int) -> tuple[np.ndarray, np.ndarray]:
    r"""1-based coordinates of a weak and a strong learner that share the top ``overlap`` coordinates:
    weak :math:`=\{1..p_w\}`, strong :math:`=\{1..k\}\cup\{p_w+1..p_w+p_s-k\}` (:math:`k=` ``overlap``),
    so :math:`p_s` stays fixed while the overlap varies (the "does less overlap help?" layout of
    ``docs/theory/general_covariance.md`` §4)."""
    p_w = _validate.positive_int("p_w", p_w)
    p_s = _validate.positive_int("p_s", p_s)
    k = _validate.positive_int("overlap", overlap, minimum=0)
    if k > min(p_w, p_s):
        raise ValueError(f"overlap must lie in [0, min(p_w, p_s)] = [0, {min(p_w, p_s)}], got {k}")
    weak = np.arange(1, p_w + 1)
    strong = np.r_[np.arange(1, k + 1), np.arange(p_w + 1, p_w + p_s - k + 1)]
    return weak, strong


# ------------------------------------------------------------------------------------------ helpers
def _symmetrise(A: np.ndarray) -> np.ndarray:
    return (A + A.T) / 2


def _range_eigh(name: str, S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Eigenvalues > rank tolerance (descending) with their eigenvectors, a basis of the rest (the numerical
    null space) and the largest variance a null direction may carry (its rounding level)."""
    ev, U = np.linalg.eigh(S)
    _validate.psd_eigenvalues(name, ev)
    tol = rank_tolerance(ev, S.shape[0])
    keep = ev > tol
    if not np.any(keep):
        raise ValueError(
            f"{name} must have a positive eigenvalue (the features carry no signal), got all <= {tol:g}"
        )
    order = np.argsort(ev[keep])[::-1]
    null_var = max(tol, _validate.PSD_RTOL * float(np.max(np.abs(ev))))
    return ev[keep][order], U[:, keep][:, order], U[:, ~keep], null_var


def _inside_range(name: str, outside: np.ndarray, variance_bound: float, of: str) -> None:
    r"""``outside`` (the moment's coordinates along null directions) must be within :data:`RANGE_SLACK`
    times :math:`\sqrt{\text{variance bound}}`: :math:`|\mathbb E[u^\top\phi\,g]|\le\sqrt{u^\top\Sigma u\,
    \mathbb Eg^2}` (Cauchy-Schwarz), so a moment of a real random vector vanishes where the covariance does."""
    size = float(np.max(np.abs(outside), initial=0.0))
    bound = RANGE_SLACK * np.sqrt(max(variance_bound, 0.0)) + 1e-300
    if size > bound:
        raise ValueError(
            f"{name} has a component of size {size:.3g} outside the range of {of} (rounding allows "
            f"{bound:.3g}): these are not the moments of any random vector. For real features, compute all "
            "moments from the same samples."
        )


def _joint_moments_consistent(
    e_w: np.ndarray, e_s: np.ndarray, L: np.ndarray, cw: np.ndarray, cs: np.ndarray, F: float
) -> None:
    r"""The joint second-moment matrix of :math:`(\phi_w,\phi_s,f_*)` must be positive semi-definite.
    Whitened (:math:`u_w=\operatorname{diag}(e_w)^{-1/2}U_w^\top\phi_w`, likewise :math:`u_s`), it is
    :math:`[[I,K^\top,a_w],[K,I,a_s],[a_w^\top,a_s^\top,F]]`; its Schur complement given :math:`u_s`,
    :math:`[[I-K^\top K,\,a_w-K^\top a_s],[\cdot,\,F-\|a_s\|^2]]` (size :math:`r_w+1`), must be too."""
    a_w, a_s = cw / np.sqrt(e_w), cs / np.sqrt(e_s)
    rho_w, rho_s = F - float(a_w @ a_w), F - float(a_s @ a_s)
    scale = max(1.0, F)
    for who, rho in (("w", rho_w), ("s", rho_s)):
        if rho < -JOINT_PSD_TOL * scale:
            raise ValueError(
                f"F = {F:.6g} is smaller than c_{who}ᵀ Sigma_{who}{who}⁺ c_{who} = {F - rho:.6g}, the variance "
                f"of f* that the {'weak' if who == 'w' else 'strong'} features explain: inconsistent moments"
            )
    K = L / np.sqrt(e_s)[:, None] / np.sqrt(e_w)[None, :]
    schur = np.empty((e_w.size + 1, e_w.size + 1))
    schur[:-1, :-1] = np.eye(e_w.size) - K.T @ K
    schur[:-1, -1] = schur[-1, :-1] = a_w - K.T @ a_s
    schur[-1, -1] = rho_s
    low = float(np.linalg.eigvalsh(schur)[0])
    if low >= -JOINT_PSD_TOL * scale:
        return
    block = float(np.linalg.eigvalsh(schur[:-1, :-1])[0])
    if block < -JOINT_PSD_TOL:
        raise ValueError(
            "Sigma_ws is inconsistent with Sigma_ww and Sigma_ss: the largest canonical correlation of the "
            f"weak and strong features would be {np.sqrt(1 - block):.6g} > 1 (the joint covariance of "
            "(phi_w, phi_s) is not positive semi-definite)"
        )
    raise ValueError(
        "c_w, c_s and F are inconsistent with the features' covariances: the joint second-moment matrix of "
        f"(phi_w, phi_s, f*) has a negative eigenvalue ({low:.3g} after whitening the features)"
    )


def _latent_map(name: str, value: ArrayLike, d: int) -> np.ndarray:
    A = _validate.finite_array(name, value, ndim=2)
    if A.shape[0] != d or A.shape[1] < 1:
        raise ValueError(
            f"{name} must have shape (d, p) = ({d}, p) with p >= 1 (features = {name}ᵀ x), got {A.shape}"
        )
    return A


def _layout_map(name: str, layout: Sequence[int] | Rotated, d: int, rng: np.random.Generator) -> np.ndarray:
    """The ``d x p`` map of a :meth:`~GaussianCovariateModelData.power_law` layout."""
    if isinstance(layout, Rotated):
        dim = _validate.positive_int(f"{name}.dim", layout.dim)
        top = _validate.positive_int(f"{name}.top", layout.top)
        if not dim <= top <= d:
            raise ValueError(
                f"{name}: a Rotated layout needs dim <= top <= d = {d}, got dim={dim}, top={top}"
            )
        A = np.zeros((d, dim))
        A[:top] = np.linalg.qr(rng.standard_normal((top, dim)))[0]
        return A
    coords = _validate.integers(name, np.asarray(layout), minimum=1)
    if coords.ndim != 1 or coords.size < 1:
        raise ValueError(f"{name} must be a non-empty 1-d sequence of coordinates, got shape {coords.shape}")
    if np.any(coords > d) or np.unique(coords).size != coords.size:
        raise ValueError(
            f"{name} coordinates must be distinct and lie in 1..d = 1..{d}, got {coords.tolist()}"
        )
    A = np.zeros((d, coords.size))
    A[coords - 1, np.arange(coords.size)] = 1.0
    return A
