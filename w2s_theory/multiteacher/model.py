r"""Several weak teachers and one strong student as plain data: subspaces, target, noise, invariants.

Latent :math:`x\sim\mathcal N(0,I_D)`, target :math:`\beta`, labels :math:`y=x^\top\beta+\epsilon`,
:math:`\operatorname{Var}\epsilon=\sigma^2`. Teacher :math:`m=1..M` regresses on :math:`V_m^\top x`
(``d_m`` dims), the student on :math:`V_s^\top x` (``d_s`` dims); all :math:`V` have orthonormal columns
in the same :math:`\mathbb R^D` (``docs/theory/multiteacher.md`` §1).

Everything a trial needs lives in :math:`R=\operatorname{span}(V_s,V_1,\dots,V_M,\beta)`;
:class:`MultiTeacherModelData` stores the model in an orthonormal basis of :math:`R`, and computes the
named per-teacher and per-pair invariants the closed forms take (:meth:`teacher_invariants`,
:meth:`pair_invariants`). This module imports nothing from its siblings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from threadpoolctl import threadpool_limits

from w2s_theory import _validate

Labels = Literal["disjoint", "shared"]
LABELS: tuple[str, ...] = ("disjoint", "shared")
#: Singular values of the stacked subspaces below this (relative) do not add a basis direction.
RANK_TOL = 1e-10
#: Teacher projectors commute when every ``|P_m P_l - P_l P_m|_F`` is at most this.
COMMUTE_TOL = 1e-8


def span_basis(V_s: np.ndarray, teachers: Sequence[np.ndarray], beta: np.ndarray) -> np.ndarray:
    r"""An orthonormal basis (``D x r``) of :math:`R=\operatorname{span}(V_s,V_1..V_M,\beta)`, from the SVD
    of the stacked columns (singular values at or below :data:`RANK_TOL` times the largest are dropped)."""
    stacked = np.concatenate([V_s, *teachers, beta[:, None] / max(np.linalg.norm(beta), 1e-300)], axis=1)
    U, s, _ = np.linalg.svd(stacked, full_matrices=False)
    return U[:, s > RANK_TOL * s[0]]


@dataclass(frozen=True, eq=False)
class MultiTeacherModelData:
    r"""Student subspace ``V_s`` (``D x d_s``), teacher subspaces ``teachers`` (each ``D x d_m``), target
    ``beta`` (``D``) and label-noise variance ``sigma2``.

    Derived: the coordinates ``B_s`` (``r x d_s``), ``B_t`` (one ``r x d_m`` per teacher) and ``b_star``
    (``r``) in an orthonormal basis of :math:`R` (:func:`span_basis`).
    """

    V_s: np.ndarray
    teachers: tuple[np.ndarray, ...]
    beta: np.ndarray
    sigma2: float
    B_s: np.ndarray = field(init=False, repr=False)
    B_t: tuple[np.ndarray, ...] = field(init=False, repr=False)
    b_star: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        with threadpool_limits(limits=1, user_api="blas"):  # same bits for any thread count
            self._build()

    def _build(self) -> None:
        V_s = _validate.orthonormal_columns("V_s", self.V_s)
        if isinstance(self.teachers, np.ndarray) or len(self.teachers) < 1:
            raise ValueError(
                "teachers must be a non-empty sequence of D x d_m matrices (one per teacher), "
                f"got {type(self.teachers).__name__}"
            )
        teachers = tuple(
            _validate.orthonormal_columns(f"teachers[{m}]", V) for m, V in enumerate(self.teachers)
        )
        beta = _validate.finite_array("beta", self.beta, ndim=1)
        D = V_s.shape[0]
        for m, V in enumerate(teachers):
            if V.shape[0] != D:
                raise ValueError(
                    f"teachers[{m}] has ambient dimension {V.shape[0]} (rows) but V_s has {D}: every teacher's "
                    "subspace must live in the same R^D as the student's and beta"
                )
        if beta.shape[0] != D:
            raise ValueError(f"beta has ambient dimension {beta.shape[0]} but V_s has {D} rows")
        sigma2 = _validate.nonnegative_float("sigma2", self.sigma2)
        U = span_basis(V_s, teachers, beta)
        values = {
            "V_s": V_s,
            "teachers": teachers,
            "beta": beta,
            "sigma2": sigma2,
            "B_s": U.T @ V_s,
            "B_t": tuple(U.T @ V for V in teachers),
            "b_star": U.T @ beta,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(D={self.D}, M={self.M}, d_s={self.d_s}, d_m={self.d_m}, "
            f"sigma2={self.sigma2:g}, rho_s={self.rho_s:.6g}, commuting={self.commuting})"
        )

    # ------------------------------------------------------------------------------------------ sizes
    @property
    def D(self) -> int:
        """Ambient latent dimension."""
        return self.V_s.shape[0]

    @property
    def M(self) -> int:
        """Number of teachers."""
        return len(self.teachers)

    @property
    def d_s(self) -> int:
        """Student dimension."""
        return self.V_s.shape[1]

    @property
    def d_m(self) -> tuple[int, ...]:
        """Teacher dimensions."""
        return tuple(V.shape[1] for V in self.teachers)

    @property
    def r(self) -> int:
        r"""Dimension of :math:`R`: the size a trial works in."""
        return self.b_star.shape[0]

    # ------------------------------------------------------------------------------------ projectors
    def _projectors(self) -> tuple[np.ndarray, list[np.ndarray]]:
        return self.B_s @ self.B_s.T, [B @ B.T for B in self.B_t]

    @property
    def commutator(self) -> float:
        r""":math:`\max_{m<l}\|P_mP_l-P_lP_m\|_F` (0 for a single teacher)."""
        _, P = self._projectors()
        pairs = [(m, l) for m in range(self.M) for l in range(m + 1, self.M)]
        return max((float(np.linalg.norm(P[m] @ P[l] - P[l] @ P[m])) for m, l in pairs), default=0.0)

    @property
    def commuting(self) -> bool:
        """Whether the teachers' projectors commute pairwise (the shared-set closed form is exact then)."""
        return self.commutator <= COMMUTE_TOL

    # ------------------------------------------------------------------------------------ invariants
    @property
    def beta_norm2(self) -> float:
        r""":math:`\|\beta\|^2`."""
        return float(self.b_star @ self.b_star)

    @property
    def rho_s(self) -> float:
        r"""Student's approximation error :math:`\rho_s=\|(I-P_s)\beta\|^2`."""
        P_s, _ = self._projectors()
        return float(np.sum((self.b_star - P_s @ self.b_star) ** 2))

    def teacher_invariants(self) -> dict[str, np.ndarray]:
        r"""Per teacher (arrays of length M): ``d_w`` :math:`=d_m`, ``d_sw`` :math:`=\operatorname{tr}(P_sP_m)`,
        ``rho_w`` :math:`=\|(I-P_m)\beta\|^2`, ``b`` :math:`=\beta^\top P_sP_m\beta`."""
        P_s, P = self._projectors()
        b = self.b_star
        return {
            "d_w": np.array(self.d_m, dtype=float),
            "d_sw": np.array([np.sum((self.B_s.T @ B) ** 2) for B in self.B_t]),
            "rho_w": np.array([np.sum((b - Pm @ b) ** 2) for Pm in P]),
            "b": np.array([b @ P_s @ Pm @ b for Pm in P]),
        }

    def pair_invariants(self) -> dict[str, np.ndarray]:
        r"""Per pair (symmetric ``M x M`` arrays): ``c`` :math:`=\operatorname{tr}(P_mP_l)`, ``d_sc``
        :math:`=\operatorname{tr}(P_sP_mP_l)`, ``rho_c`` :math:`=\beta^\top(I-P_m)(I-P_l)\beta`,
        ``coupling_s`` / ``coupling_ws`` :math:`=u^\top P_sw` / :math:`u^\top(I-P_s)w` with
        :math:`u=P_m(I-P_l)\beta`, :math:`w=P_l(I-P_m)\beta`, ``bias_sw_ml``
        :math:`=((I-P_m)\beta)^\top P_s(I-P_l)\beta`, ``bias_ws_ml`` :math:`=(P_m\beta)^\top(I-P_s)P_l\beta`.

        On the diagonal they are the single-teacher invariants (``c = d_m``, ``d_sc = d_sw``,
        ``rho_c = rho_w``, no coupling); for commuting projectors :math:`P_mP_l` is the projector onto
        :math:`\mathcal V_m\cap\mathcal V_l` and ``c`` its (integer) dimension."""
        P_s, P = self._projectors()
        b = self.b_star
        I = np.eye(self.r)
        M = self.M
        out = {
            k: np.zeros((M, M))
            for k in ("c", "d_sc", "rho_c", "coupling_s", "coupling_ws", "bias_sw_ml", "bias_ws_ml")
        }
        for m in range(M):
            for l in range(M):
                u, w = P[m] @ (b - P[l] @ b), P[l] @ (b - P[m] @ b)
                out["c"][m, l] = np.trace(P[m] @ P[l])
                out["d_sc"][m, l] = np.trace(P_s @ P[m] @ P[l])
                out["rho_c"][m, l] = b @ (I - P[m]) @ (I - P[l]) @ b
                out["coupling_s"][m, l] = u @ P_s @ w
                out["coupling_ws"][m, l] = u @ w - u @ P_s @ w
                out["bias_sw_ml"][m, l] = (b - P[m] @ b) @ P_s @ (b - P[l] @ b)
                out["bias_ws_ml"][m, l] = (P[m] @ b) @ (P[l] @ b) - (P[m] @ b) @ P_s @ (P[l] @ b)
        return {k: (v + v.T) / 2 for k, v in out.items()}


def sample_sizes(name: str, n: int | Sequence[int], M: int) -> tuple[int, ...]:
    """``n`` as one integer per teacher (an integer is shared by all); the error names the parameter."""
    values = [n] * M if np.ndim(n) == 0 else list(n)
    if len(values) != M:
        raise ValueError(
            f"{name} must be an integer or one integer per teacher (M = {M}), got {len(values)} values"
        )
    return tuple(
        _validate.positive_int(f"{name}[{m}]" if np.ndim(n) else name, v) for m, v in enumerate(values)
    )
