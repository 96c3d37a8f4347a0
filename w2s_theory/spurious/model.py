r"""The group-imbalance model of Liu, Dong, Lei (ICLR 2026) as plain data, and its constructors.

Theory: ``docs/theory/spurious.md``. This module imports nothing from its siblings; the closed forms
(:mod:`w2s_theory.spurious.theory`) and the Monte Carlo (:mod:`w2s_theory.spurious.simulate`) take this
data, and :class:`w2s_theory.spurious.SpuriousModel` adds the methods that call them.

Core feature :math:`z\sim\mathcal N(0,I_{d_z})`, label :math:`y=z^\top\beta^*+\epsilon`
(:math:`\operatorname{Var}\epsilon=\sigma_y^2`), group feature :math:`\xi\in\mathbb R^p` independent of
:math:`z`. Under :math:`\mathcal D(\eta)` (minority fraction :math:`\eta`):

* ``group_model="soft"`` (mean shift, reproduces the paper's formulas):
  :math:`\xi\sim\mathcal N(\eta\mu_\xi,\sigma_\xi^2I_p)`;
* ``group_model="hard"`` (the literal data description): :math:`g\sim\mathrm{Bern}(\eta)`,
  :math:`\xi\mid g\sim\mathcal N(g\mu_\xi,\sigma_\xi^2I_p)`.

Teacher features :math:`z\otimes w`, :math:`w=[1;T^\top\xi]\in\mathbb R^{p_T}`; student features
:math:`z\otimes\psi`, :math:`\psi=[1;S^\top\xi]\in\mathbb R^{p_S}`, with :math:`T,S` orthonormal columns and
:math:`p_S\le p_T`. :math:`\beta^*` never enters (OLS is unbiased here), so it is not stored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate

GroupModel = Literal["soft", "hard"]
GROUP_MODELS: tuple[str, ...] = ("soft", "hard")


@dataclass(frozen=True, eq=False)
class SpuriousModelData:
    r"""``d_z`` core dimensions, group subspaces ``T`` (:math:`p\times(p_T-1)`) and ``S``
    (:math:`p\times(p_S-1)`), minority mean ``mu_xi`` (:math:`\mu_\xi\in\mathbb R^p`), group-feature
    variance ``sigma_xi2``, label-noise variance ``sigma_y2`` and the ``group_model``.

    Derived: :math:`\Xi=T^\top S`, :math:`\mu_T=T^\top\mu_\xi`, :math:`\mu_S=S^\top\mu_\xi`,
    :math:`p_{T\wedge S}=1+\|\Xi\|_F^2`, :math:`d_T=p_Td_z`, :math:`d_S=p_Sd_z`.
    """

    d_z: int
    T: np.ndarray
    S: np.ndarray
    mu_xi: np.ndarray
    sigma_xi2: float = 1.0
    sigma_y2: float = 1.0
    group_model: GroupModel = "soft"

    def __post_init__(self) -> None:
        d_z = _validate.positive_int("d_z", self.d_z)
        T = _validate.orthonormal_columns("T", self.T)
        S = _validate.orthonormal_columns("S", self.S)
        mu = _validate.finite_array("mu_xi", self.mu_xi, ndim=1)
        if not T.shape[0] == S.shape[0] == mu.shape[0]:
            raise ValueError(
                f"T, S and mu_xi must live in the same group-feature space R^p: got T {T.shape}, S {S.shape}, "
                f"mu_xi {mu.shape}"
            )
        if S.shape[1] > T.shape[1]:
            raise ValueError(
                f"the student must disentangle at least as much as the teacher: p_S = {S.shape[1] + 1} > "
                f"p_T = {T.shape[1] + 1} (need p_S <= p_T)"
            )
        if self.group_model not in GROUP_MODELS:
            raise ValueError(f"group_model must be one of {GROUP_MODELS}, got {self.group_model!r}")
        for name, value in {
            "d_z": d_z,
            "T": T,
            "S": S,
            "mu_xi": mu,
            "sigma_xi2": _validate.positive_float("sigma_xi2", self.sigma_xi2),
            "sigma_y2": _validate.positive_float("sigma_y2", self.sigma_y2),
        }.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(d_z={self.d_z}, p={self.p}, p_T={self.p_T}, p_S={self.p_S}, "
            f"xi2={self.xi2:.6g}, |mu_T|^2={float(self.mu_T @ self.mu_T):.6g}, sigma_xi2={self.sigma_xi2:g}, "
            f"sigma_y2={self.sigma_y2:g}, group_model={self.group_model!r})"
        )

    # ------------------------------------------------------------------------------- dimensions, overlaps
    @property
    def p(self) -> int:
        """Dimension of the group feature :math:`\\xi`."""
        return self.T.shape[0]

    @property
    def p_T(self) -> int:
        """Teacher features per core coordinate: 1 + columns of T."""
        return self.T.shape[1] + 1

    @property
    def p_S(self) -> int:
        """Student features per core coordinate: 1 + columns of S."""
        return self.S.shape[1] + 1

    @property
    def d_T(self) -> int:
        """Teacher feature dimension :math:`p_Td_z`."""
        return self.p_T * self.d_z

    @property
    def d_S(self) -> int:
        """Student feature dimension :math:`p_Sd_z`."""
        return self.p_S * self.d_z

    @property
    def Xi(self) -> np.ndarray:
        r"""Teacher-student similarity :math:`\Xi=T^\top S`."""
        return self.T.T @ self.S

    @property
    def mu_T(self) -> np.ndarray:
        r""":math:`\mu_T=T^\top\mu_\xi`."""
        return self.T.T @ self.mu_xi

    @property
    def mu_S(self) -> np.ndarray:
        r""":math:`\mu_S=S^\top\mu_\xi`."""
        return self.S.T @ self.mu_xi

    @property
    def xi2(self) -> float:
        r""":math:`\|\Xi\|_F^2\in[0,p_S-1]`."""
        return float(np.sum(self.Xi**2))

    @property
    def p_TS(self) -> float:
        r"""Effective shared dimension :math:`p_{T\wedge S}=1+\|\Xi\|_F^2`."""
        return 1.0 + self.xi2

    def invariants(self) -> dict[str, float]:
        r"""The scalars the soft-model closed forms depend on (see :mod:`w2s_theory.symbolic.spurious`)."""
        Xi_mu_S = self.Xi @ self.mu_S
        return {
            "p_T": float(self.p_T),
            "p_S": float(self.p_S),
            "xi2": self.xi2,
            "mT2": float(self.mu_T @ self.mu_T),
            "mS2": float(self.mu_S @ self.mu_S),
            "xmS2": float(Xi_mu_S @ Xi_mu_S),
            "cross": float(self.mu_T @ Xi_mu_S),
            "sigma_xi2": self.sigma_xi2,
            "sigma_y2": self.sigma_y2,
        }

    # ---------------------------------------------------------------------------------- population moments
    def R(self, eta: float) -> np.ndarray:
        r""":math:`\mathbb E_{\mathcal D(\eta)}[\tilde x\tilde x^\top]`, :math:`\tilde x=[1;\xi]`:
        :math:`\begin{bmatrix}1&\eta\mu^\top\\\eta\mu&\sigma_\xi^2I+\rho\mu\mu^\top\end{bmatrix}`,
        :math:`\rho=\eta^2` (soft) or :math:`\eta` (hard)."""
        mu = self.mu_xi
        rho = eta**2 if self.group_model == "soft" else eta
        top = np.r_[1.0, eta * mu]
        bottom = np.column_stack([eta * mu, self.sigma_xi2 * np.eye(self.p) + rho * np.outer(mu, mu)])
        return np.vstack([top, bottom])

    @property
    def P_T(self) -> np.ndarray:
        r""":math:`P_T=\operatorname{blkdiag}(1,T^\top)`: :math:`w=P_T\tilde x`."""
        return _blkdiag_one(self.T.T)

    @property
    def P_S(self) -> np.ndarray:
        r""":math:`P_S=\operatorname{blkdiag}(1,S^\top)`: :math:`\psi=P_S\tilde x`."""
        return _blkdiag_one(self.S.T)

    def M_w(self, eta: float) -> np.ndarray:
        r""":math:`M^w(\eta)=\mathbb E_{\mathcal D(\eta)}[ww^\top]=P_TR(\eta)P_T^\top`."""
        return self.P_T @ self.R(eta) @ self.P_T.T

    def M_psi(self, eta: float) -> np.ndarray:
        r""":math:`M^\psi(\eta)=P_SR(\eta)P_S^\top`."""
        return self.P_S @ self.R(eta) @ self.P_S.T

    # ------------------------------------------------------------------------------------ constructors
    @classmethod
    def canonical(
        cls,
        d_z: int,
        c: float = 0.0,
        m: float = 3.0,
        m4: float = 0.0,
        sigma_xi2: float = 1.0,
        sigma_y2: float = 1.0,
        group_model: GroupModel = "soft",
    ) -> Self:
        r"""The canonical configuration used throughout the tests and figures: :math:`p=5`, :math:`T=[e_1,e_2,e_3]` (:math:`p_T=4`),
        :math:`S=[\cos\theta\,e_1+\sin\theta\,e_4,\ e_5]` (:math:`p_S=3`) with :math:`\cos^2\theta=c`
        (so :math:`\|\Xi\|_F^2=c`), :math:`\mu_\xi=m\,e_1+m_4e_4`."""
        c = _validate.fraction("c", c)
        for name, value in {"m": m, "m4": m4}.items():
            _validate.finite_array(name, [value], ndim=1)
        cos, sin = np.sqrt(c), np.sqrt(1.0 - c)
        e = np.eye(5)
        T = e[:, :3]
        S = np.column_stack([cos * e[:, 0] + sin * e[:, 3], e[:, 4]])
        mu = m * e[:, 0] + m4 * e[:, 3]
        return cls(d_z, T, S, mu, sigma_xi2=sigma_xi2, sigma_y2=sigma_y2, group_model=group_model)

    @classmethod
    def random(
        cls,
        d_z: int,
        p: int,
        p_T: int,
        p_S: int,
        xi2: float,
        mu_T: ArrayLike | None = None,
        mu_perp: float = 0.0,
        sigma_xi2: float = 1.0,
        sigma_y2: float = 1.0,
        group_model: GroupModel = "soft",
        seed: int = 0,
    ) -> Self:
        r"""Random orthonormal :math:`T` (:math:`p_T-1` columns) and :math:`S` (:math:`p_S-1`) with
        :math:`\|\Xi\|_F^2=` ``xi2`` exactly: all :math:`p_S-1` principal angles equal,
        :math:`\cos^2\theta=\text{xi2}/(p_S-1)`, the pair rotated by a Haar-random orthogonal matrix
        (``numpy.random.default_rng(seed)``). :math:`\mu_\xi=T\mu_T+\text{mu\_perp}\cdot u` with ``u`` a unit
        vector orthogonal to :math:`T` and :math:`S` (needs :math:`p\ge p_T+p_S-1` if ``mu_perp != 0``).
        Needs :math:`p\ge p_T+p_S-2`.
        """
        p = _validate.positive_int("p", p)
        p_T = _validate.positive_int("p_T", p_T, minimum=2)
        p_S = _validate.positive_int("p_S", p_S, minimum=2)
        if p_S > p_T:
            raise ValueError(f"p_S = {p_S} must be <= p_T = {p_T}: the student disentangles at least as much")
        xi2 = _validate.nonnegative_float("xi2", xi2)
        if xi2 > p_S - 1:
            raise ValueError(f"xi2 = ||Xi||_F^2 must lie in [0, p_S - 1] = [0, {p_S - 1}], got {xi2}")
        need = p_T + p_S - 2 + (1 if mu_perp else 0)
        if p < need:
            raise ValueError(f"p = {p} is too small for generic T, S (and mu_perp): need p >= {need}")
        k_T, k_S = p_T - 1, p_S - 1
        cos = np.sqrt(xi2 / k_S)
        base = np.zeros((p, k_T + k_S))
        base[np.arange(k_T), np.arange(k_T)] = 1.0
        base[np.arange(k_S), k_T + np.arange(k_S)] = cos
        base[k_T + np.arange(k_S), k_T + np.arange(k_S)] = np.sqrt(1.0 - cos**2)
        Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((p, p)))
        Q = Q * np.sign(np.diag(R))  # Haar
        T, S = Q @ base[:, :k_T], Q @ base[:, k_T:]
        coef = np.zeros(k_T) if mu_T is None else _validate.finite_array("mu_T", mu_T, ndim=1)
        if coef.shape != (k_T,):
            raise ValueError(f"mu_T must have p_T - 1 = {k_T} entries, got {coef.shape}")
        mu = T @ coef + (mu_perp * Q[:, k_T + k_S] if mu_perp else 0.0)
        return cls(d_z, T, S, mu, sigma_xi2=sigma_xi2, sigma_y2=sigma_y2, group_model=group_model)

    def with_group_model(self, group_model: GroupModel) -> Self:
        """The same geometry under the other group model (``"soft"`` or ``"hard"``)."""
        return dataclasses.replace(self, group_model=group_model)


def _blkdiag_one(B: np.ndarray) -> np.ndarray:
    out = np.zeros((B.shape[0] + 1, B.shape[1] + 1))
    out[0, 0] = 1.0
    out[1:, 1:] = B
    return out
