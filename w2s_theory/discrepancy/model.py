r"""The subspace model of "Discrepancies are Virtue" as plain data: subspaces, target, noise, invariants.

Latent :math:`z\sim\mathcal N(0,I_D)`, target :math:`f_*(z)=\beta^\top z`, labels :math:`y=f_*+\epsilon`
with :math:`\operatorname{Var}\epsilon=\sigma^2`. The weak teacher fine-tunes in
:math:`\mathcal V_w=\operatorname{range}V_w` (``d_w`` dims), the strong student in
:math:`\mathcal V_s=\operatorname{range}V_s` (``d_s`` dims). Ridgeless fits depend on the features only
through these column spaces, so feature spectra never enter (``docs/theory/discrepancies.md``).

Everything a trial needs lives in :math:`R=\operatorname{span}(V_w,V_s,\beta)` of dimension
:math:`r\le d_w+d_s+1`; :class:`SubspaceModelData` stores the model in an orthonormal basis of :math:`R`
(:func:`span_basis`), so a simulation at the notebook's :math:`D=20000` costs the same as at :math:`D=r`.
The theory and the simulator take this data; :class:`w2s_theory.discrepancy.SubspaceModel` adds the
methods that call them. This module imports nothing from its siblings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from w2s_theory import _validate

#: Directions of V_s outside V_w, and parts of beta, shorter than this (relative) are treated as zero.
RANK_TOL = 1e-10
#: Relative size below which a risk is rounding residue (:attr:`SubspaceModelData.rounding_floor`).
ROUNDING_LEVEL = 1e-12


def span_basis(V_w: np.ndarray, V_s: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, ...]:
    r"""Coordinates of :math:`V_w, V_s, \beta` in an orthonormal basis :math:`[V_w, Q_s, q_\beta]` of
    :math:`R=\operatorname{span}(V_w,V_s,\beta)`.

    :math:`Q_s` spans the part of :math:`V_s` outside :math:`\mathcal V_w` (a pivoted QR of
    :math:`V_s-V_wV_w^\top V_s`, columns with :math:`|R_{jj}|\le` :data:`RANK_TOL` dropped) and
    :math:`q_\beta` the part of :math:`\beta` outside both (Gram-Schmidt, twice). The cost is two
    :math:`D\times d_w\times d_s` products and a QR of :math:`D\times d_s`: less than one QR of the
    stacked :math:`D\times(d_w+d_s+1)` matrix. Only the rows where :math:`V_w` or :math:`V_s` has a non-zero
    entry take part (:func:`support_rows`): every product and the QR act on those rows alone (the others
    are zero in :math:`V_w`, :math:`V_s`, :math:`Q_s`), and :math:`\beta`'s entries off them enter only
    :math:`\|q_\beta\|`. A subspace spanned by coordinate axes, as in the notebook's model
    (``D = 20000``, 210 such rows), then costs :math:`O(d_w d_s^2)` instead of :math:`O(D d_w d_s)`. BLAS
    runs on one thread here, so the basis (and every Monte Carlo draw made in it) has the same bits for any
    thread count, and a loaded machine does not stall it.

    Returns
    -------
    B_w, B_s, b_star
        Arrays of shapes ``(r, d_w)``, ``(r, d_s)``, ``(r,)``.
    """
    d_w = V_w.shape[1]
    rows = support_rows(V_w, V_s)
    beta_off = np.delete(beta, rows)
    V_w, V_s, beta = V_w[rows], V_s[rows], beta[rows]
    with threadpool_limits(limits=1, user_api="blas"):  # also when called on its own
        C = V_w.T @ V_s
        outside = V_s - V_w @ C
        C_again = V_w.T @ outside  # second Gram-Schmidt pass: orthogonal to V_w to rounding at any angle
        C, outside = C + C_again, outside - V_w @ C_again
        Q_s, R_s, _ = scipy.linalg.qr(outside, mode="economic", pivoting=True)
        k = int(np.sum(np.abs(np.diag(R_s)) > RANK_TOL))
        Q_s = Q_s[:, :k]
        coef = [V_w.T @ beta, Q_s.T @ beta]
        resid = beta - V_w @ coef[0] - Q_s @ coef[1]
        again = [V_w.T @ resid, Q_s.T @ resid]  # second Gram-Schmidt pass: orthogonal to rounding
        resid = resid - V_w @ again[0] - Q_s @ again[1]
        coef = [coef[0] + again[0], coef[1] + again[1]]
        Q_sT_V_s = Q_s.T @ V_s
    off_support = beta_off @ beta_off
    norm = float(np.sqrt(resid @ resid + off_support))
    extra = 1 if norm > RANK_TOL * max(1.0, float(np.sqrt(beta @ beta + off_support))) else 0
    r = d_w + k + extra
    B_w = np.zeros((r, d_w))
    B_w[np.arange(d_w), np.arange(d_w)] = 1.0
    B_s = np.zeros((r, V_s.shape[1]))
    B_s[:d_w], B_s[d_w : d_w + k] = C, Q_sT_V_s
    b_star = np.zeros(r)
    b_star[:d_w], b_star[d_w : d_w + k] = coef
    if extra:
        b_star[-1] = norm
    return B_w, B_s, b_star


def support_rows(V_w: np.ndarray, V_s: np.ndarray) -> np.ndarray:
    """Indices of the rows where ``V_w`` or ``V_s`` has a non-zero entry, in increasing order."""
    return np.flatnonzero(np.any(V_w != 0, axis=1) | np.any(V_s != 0, axis=1))


@dataclass(frozen=True, eq=False)
class SubspaceModelData:
    r"""Teacher/student subspaces :math:`V_w\in\mathbb R^{D\times d_w}`, :math:`V_s\in\mathbb R^{D\times d_s}`
    (orthonormal columns), target :math:`\beta\in\mathbb R^D` and label-noise variance ``sigma2``.

    Derived quantities: ``d_sw`` :math:`=\|V_s^\top V_w\|_F^2`, ``rho_w``
    :math:`=\|(I-P_w)\beta\|^2`, ``rho_s`` :math:`=\|(I-P_s)\beta\|^2`, ``bias_sw``
    :math:`=\|P_s(I-P_w)\beta\|^2`, ``bias_ws`` :math:`=\|(I-P_s)P_w\beta\|^2`.
    """

    V_w: np.ndarray
    V_s: np.ndarray
    beta: np.ndarray
    sigma2: float
    #: Orthonormal coordinates of V_w, V_s, beta in a basis of R = span(V_w, V_s, beta): (r, d_w), (r, d_s), (r,).
    B_w: np.ndarray = field(init=False, repr=False)
    B_s: np.ndarray = field(init=False, repr=False)
    b_star: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # one BLAS thread: the same bits for any thread count, and no stall on a loaded machine
        with threadpool_limits(limits=1, user_api="blas"):
            self._build()

    def _build(self) -> None:
        V_w = _validate.orthonormal_columns("V_w", self.V_w)
        V_s = _validate.orthonormal_columns("V_s", self.V_s)
        beta = _validate.finite_array("beta", self.beta, ndim=1)
        if not V_w.shape[0] == V_s.shape[0] == beta.shape[0]:
            raise ValueError(
                "V_w, V_s and beta must live in the same ambient dimension D: "
                f"got V_w {V_w.shape}, V_s {V_s.shape}, beta {beta.shape}"
            )
        sigma2 = _validate.nonnegative_float("sigma2", self.sigma2)
        B_w, B_s, b_star = span_basis(V_w, V_s, beta)
        for name, value in {
            "V_w": V_w,
            "V_s": V_s,
            "beta": beta,
            "sigma2": sigma2,
            "B_w": B_w,
            "B_s": B_s,
            "b_star": b_star,
        }.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(D={self.D}, d_w={self.d_w}, d_s={self.d_s}, d_sw={self.d_sw:.6g}, "
            f"sigma2={self.sigma2:g}, rho_w={self.rho_w:.6g}, rho_s={self.rho_s:.6g})"
        )

    # ------------------------------------------------------------------------------- dimensions, overlaps
    @property
    def D(self) -> int:
        """Ambient latent dimension."""
        return self.V_w.shape[0]

    @property
    def d_w(self) -> int:
        """Intrinsic dimension of the weak teacher's fine-tuning subspace."""
        return self.V_w.shape[1]

    @property
    def d_s(self) -> int:
        """Intrinsic dimension of the strong student's fine-tuning subspace."""
        return self.V_s.shape[1]

    @property
    def r(self) -> int:
        r"""Dimension of :math:`R=\operatorname{span}(V_w,V_s,\beta)`: the size a trial works in."""
        return self.b_star.shape[0]

    @property
    def d_sw(self) -> float:
        r""":math:`d_{s\wedge w}=\|V_s^\top V_w\|_F^2=\sum_i\cos^2\theta_i` (the principal angles' cosines), real-valued."""
        return float(np.sum((self.B_s.T @ self.B_w) ** 2))

    @property
    def rho_w(self) -> float:
        r"""Teacher's FT approximation error :math:`\rho_w=\|(I-P_w)\beta\|^2`."""
        return self._squared_norm(self.b_star - _project(self.B_w, self.b_star))

    @property
    def rho_s(self) -> float:
        r"""Student's FT approximation error :math:`\rho_s=\|(I-P_s)\beta\|^2`."""
        return self._squared_norm(self.b_star - _project(self.B_s, self.b_star))

    @property
    def bias_sw(self) -> float:
        r""":math:`\|P_s(I-P_w)\beta\|^2`: target inside :math:`\mathcal V_s` that the teacher cannot see."""
        return self._squared_norm(_project(self.B_s, self.b_star - _project(self.B_w, self.b_star)))

    @property
    def bias_ws(self) -> float:
        r""":math:`\|(I-P_s)P_w\beta\|^2`: teacher-visible target the student cannot represent."""
        Pw_beta = _project(self.B_w, self.b_star)
        return self._squared_norm(Pw_beta - _project(self.B_s, Pw_beta))

    def _squared_norm(self, v: np.ndarray) -> float:
        """``||v||^2``, or exactly 0 where ``||v|| <= RANK_TOL ||beta||`` (rounding residue, not a bias)."""
        norm = float(np.linalg.norm(v))
        return 0.0 if norm <= RANK_TOL * float(np.linalg.norm(self.b_star)) else norm**2

    @property
    def rounding_floor(self) -> float:
        r"""Risks at or below :data:`ROUNDING_LEVEL` :math:`\cdot(\sigma^2+\|\beta\|^2)` are rounding
        residue: a PGR or OPR whose denominator is that small is reported as NaN
        (:mod:`w2s_theory.metrics`)."""
        return ROUNDING_LEVEL * (self.sigma2 + float(self.b_star @ self.b_star))

    def invariants(self) -> dict[str, float]:
        """The named scalars the closed forms depend on (besides ``n``, ``N``): ``d_w``, ``d_s``, ``d_sw``,
        ``sigma2``, ``rho_w``, ``rho_s``, ``bias_sw``, ``bias_ws``."""
        return {
            "d_w": self.d_w,
            "d_s": self.d_s,
            "d_sw": self.d_sw,
            "sigma2": self.sigma2,
            "rho_w": self.rho_w,
            "rho_s": self.rho_s,
            "bias_sw": self.bias_sw,
            "bias_ws": self.bias_ws,
        }

    def with_sigma2(self, sigma2: float) -> Self:
        """The same subspaces and target with another label-noise variance."""
        return dataclasses.replace(self, sigma2=sigma2)

    # ------------------------------------------------------------------------------------ constructors
    @classmethod
    def coordinate(
        cls, d_w: int, d_s: int, d_sw: int, sigma2: float, beta: ArrayLike | None = None, D: int | None = None
    ) -> Self:
        r"""Coordinate subspaces sharing exactly ``d_sw`` axes (the notebook's layout, ``doff = d_s - d_sw``):
        :math:`V_s=[e_1..e_{d_s}]`, :math:`V_w=[e_{d_s-d_{s\wedge w}+1}..e_{d_s-d_{s\wedge w}+d_w}]`.

        ``D`` defaults to ``len(beta)`` or else :math:`d_s+d_w-d_{s\wedge w}`; ``beta`` defaults to 0
        (pure variance).
        """
        d_w = _validate.positive_int("d_w", d_w)
        d_s = _validate.positive_int("d_s", d_s)
        d_sw = _validate.positive_int("d_sw", d_sw, minimum=0)
        if d_sw > min(d_w, d_s):
            raise ValueError(f"d_sw must lie in [0, min(d_w, d_s)] = [0, {min(d_w, d_s)}], got {d_sw}")
        offset = d_s - d_sw
        D = _ambient_dim(D, beta, minimum=max(offset + d_w, d_s))
        return cls(_axes(D, offset, d_w), _axes(D, 0, d_s), _target(beta, D), sigma2)

    @classmethod
    def from_principal_angles(
        cls,
        angles: ArrayLike,
        d_w: int,
        d_s: int,
        sigma2: float,
        beta: ArrayLike | None = None,
        D: int | None = None,
    ) -> Self:
        r"""Subspaces with the given principal angles :math:`\theta_1..\theta_k` (radians,
        :math:`k\le\min(d_w,d_s)`); the remaining directions are orthogonal, so
        :math:`d_{s\wedge w}=\sum_i\cos^2\theta_i`.

        :math:`V_s=[e_1..e_{d_s}]`; the i-th column of :math:`V_w` is
        :math:`\cos\theta_i e_i+\sin\theta_i e_{d_s+i}` for :math:`i\le k` and :math:`e_{d_s+i}` after.
        ``D`` defaults to ``len(beta)`` or else :math:`d_s+d_w`.
        """
        d_w = _validate.positive_int("d_w", d_w)
        d_s = _validate.positive_int("d_s", d_s)
        theta = _validate.finite_array("angles", angles, ndim=1)
        if theta.size > min(d_w, d_s):
            raise ValueError(
                f"angles can have at most min(d_w, d_s) = {min(d_w, d_s)} entries, got {theta.size}"
            )
        if np.any((theta < 0) | (theta > np.pi / 2)):
            raise ValueError("angles must lie in [0, pi/2] (principal angles)")
        D = _ambient_dim(D, beta, minimum=d_s + d_w)
        V_s = _axes(D, 0, d_s)
        V_w = np.zeros((D, d_w))
        k = theta.size
        V_w[np.arange(k), np.arange(k)] = np.cos(theta)
        V_w[d_s + np.arange(d_w), np.arange(d_w)] = np.r_[np.sin(theta), np.ones(d_w - k)]
        return cls(V_w, V_s, _target(beta, D), sigma2)

    @classmethod
    def notebook(
        cls,
        d: int = 20000,
        d_w: int = 200,
        d_s: int = 100,
        doff: int = 10,
        d_gt: int = 300,
        cov_pow: float = 1.0,
        sigma2: float = 1e-2,
        seed: int = 0,
    ) -> Self:
        r"""The authors' synthetic notebook configuration (``docs/theory/discrepancies.md``).

        :math:`V_s=[e_1..e_{d_s}]`, :math:`V_w=[e_{doff+1}..e_{doff+d_w}]` (so
        :math:`d_{s\wedge w}=\max(0,d_s-doff)` when :math:`d_w\ge d_s`),
        :math:`\beta_i=i^{-p/2}\theta_i` for :math:`i\le d_{gt}` with Rademacher
        :math:`\theta_i\in\{\pm1/\sqrt d\}` drawn from ``numpy.random.default_rng(seed)``, so
        :math:`\beta_i^2=i^{-p}/d`. The notebook's power-law feature spectra do not affect ridgeless fits;
        unlike the notebook, ``doff = 0`` (:math:`d_{s\wedge w}=d_s`) is allowed.
        """
        d = _validate.positive_int("d", d)
        d_w = _validate.positive_int("d_w", d_w)
        d_s = _validate.positive_int("d_s", d_s)
        doff = _validate.positive_int("doff", doff, minimum=0)
        d_gt = _validate.positive_int("d_gt", d_gt)
        cov_pow = _validate.nonnegative_float("cov_pow", cov_pow)
        for name, need in {"doff + d_w": doff + d_w, "d_s": d_s, "d_gt": d_gt}.items():
            if need > d:
                raise ValueError(f"{name} = {need} must be <= d = {d}")
        signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=d_gt)
        beta = np.zeros(d)
        beta[:d_gt] = np.arange(1, d_gt + 1) ** (-cov_pow / 2) * signs / np.sqrt(d)
        return cls(_axes(d, doff, d_w), _axes(d, 0, d_s), beta, sigma2)


def _project(B: np.ndarray, v: np.ndarray) -> np.ndarray:
    """:math:`BB^\top v` for orthonormal columns ``B``."""
    return B @ (B.T @ v)


def _axes(D: int, start: int, count: int) -> np.ndarray:
    """The D x count matrix [e_{start+1}, ..., e_{start+count}] (no D x D identity is formed)."""
    V = np.zeros((D, count))
    V[start + np.arange(count), np.arange(count)] = 1.0
    return V


def _ambient_dim(D: int | None, beta: ArrayLike | None, minimum: int) -> int:
    if D is None:
        D = minimum if beta is None else np.asarray(beta).shape[0]
    D = _validate.positive_int("D", D)
    if D < minimum:
        raise ValueError(f"D (or len(beta)) must be >= {minimum} for these subspaces, got {D}")
    return D


def _target(beta: ArrayLike | None, D: int) -> np.ndarray:
    if beta is None:
        return np.zeros(D)
    beta = _validate.finite_array("beta", beta, ndim=1)
    if beta.shape[0] != D:
        raise ValueError(f"beta must have length D = {D}, got {beta.shape[0]}")
    return beta
