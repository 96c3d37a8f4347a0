r"""Multi-teacher / student rounds (a linear analogue of MACPO, Lyu et al., ICLR 2025) as plain data.

Latent :math:`x\sim\mathcal N(0,I_D)`, target :math:`f_*(x)=\beta^\top x`, labels :math:`y=f_*+\epsilon`,
:math:`\operatorname{Var}\epsilon=\sigma^2`. Teacher :math:`k=1..K` fits in
:math:`\mathcal V_k=\operatorname{range}V_k` (``d_k`` dims), the student in
:math:`\mathcal V_s=\operatorname{range}V_s` (``d_s`` dims); every fit is ridgeless least squares, so only
these column spaces matter (``docs/theory/rounds.md`` §1).

Everything a trial needs lives in :math:`R=\operatorname{span}(V_1,\dots,V_K,V_s,\beta)`;
:class:`RoundsModelData` stores the frames and the target in an orthonormal basis of :math:`R`
(:func:`span_coordinates`), which is exact: the design's component outside :math:`R` is independent of
every label and feature, and every fitted vector lies in :math:`R`.

The invariants the theory uses: :math:`M=\frac1K\sum_kP_k`, :math:`A=P_sM`,
:math:`\rho_s=\|(I-P_s)\beta\|^2`, :math:`\rho_k=\|(I-P_k)\beta\|^2`,
:math:`d_{sk}=\|V_s^\top V_k\|_F^2`, and the projection :math:`P_\cap` onto
:math:`\mathcal V_s\cap\bigcap_k\mathcal V_k`. This module imports nothing from its siblings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate

#: Singular values (relative to the largest) below this do not count in a span, and eigenvalues of
#: :math:`P_sMP_s` within this of 1 count as 1 (the intersection).
RANK_TOL = 1e-10
#: Label rules of the student's round (``docs/theory/rounds.md`` §2).
RULES: tuple[str, ...] = ("avg", "pos_unf")


def span_coordinates(
    frames: Sequence[np.ndarray], V_s: np.ndarray, beta: np.ndarray
) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
    r"""Coordinates of the teacher frames, the student frame and :math:`\beta` in an orthonormal basis
    :math:`Q` of :math:`R=\operatorname{span}(V_1,\dots,V_K,V_s,\beta)` (left singular vectors of the stacked
    columns, those above :data:`RANK_TOL` relative).

    Returns
    -------
    B_teachers, B_s, b
        ``K`` arrays ``(r, d_k)``, an array ``(r, d_s)`` and ``(r,)``; columns stay orthonormal.
    """
    stacked = np.concatenate([*frames, V_s, beta[:, None]], axis=1)
    U, sv, _ = np.linalg.svd(stacked, full_matrices=False)
    Q = U[:, sv > RANK_TOL * sv[0]]
    return tuple(Q.T @ V for V in frames), Q.T @ V_s, Q.T @ beta


def _projector(B: np.ndarray) -> np.ndarray:
    return B @ B.T


@dataclass(frozen=True, eq=False)
class RoundsModelData:
    r"""Teacher frames :math:`V_1..V_K` (``D x d_k``, orthonormal columns), the student frame :math:`V_s`
    (``D x d_s``), the target :math:`\beta\in\mathbb R^D` and the label-noise variance ``sigma2``.

    Raises
    ------
    ValueError
        Naming the argument: no teacher (``K`` must be >= 1), non-orthonormal frames, mismatched ambient
        dimensions, a negative or non-finite ``sigma2``.
    """

    V_teachers: tuple[np.ndarray, ...]
    V_s: np.ndarray
    beta: np.ndarray
    sigma2: float
    #: Coordinates in an orthonormal basis of R (:func:`span_coordinates`).
    B_teachers: tuple[np.ndarray, ...] = field(init=False, repr=False)
    B_s: np.ndarray = field(init=False, repr=False)
    b: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        frames = tuple(self.V_teachers) if not isinstance(self.V_teachers, np.ndarray) else (self.V_teachers,)
        if len(frames) < 1:
            raise ValueError("K (the number of teachers, len(V_teachers)) must be >= 1, got 0")
        frames = tuple(_validate.orthonormal_columns(f"V_teachers[{k}]", V) for k, V in enumerate(frames))
        V_s = _validate.orthonormal_columns("V_s", self.V_s)
        beta = _validate.finite_array("beta", self.beta, ndim=1)
        shapes = [V.shape[0] for V in frames] + [V_s.shape[0], beta.shape[0]]
        if len(set(shapes)) != 1:
            raise ValueError(
                "V_teachers, V_s and beta must live in the same ambient dimension D: got "
                f"{[V.shape for V in frames]}, V_s {V_s.shape}, beta {beta.shape}"
            )
        sigma2 = _validate.nonnegative_float("sigma2", self.sigma2)
        B_teachers, B_s, b = span_coordinates(frames, V_s, beta)
        values = dict(
            V_teachers=frames, V_s=V_s, beta=beta, sigma2=sigma2, B_teachers=B_teachers, B_s=B_s, b=b
        )
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(D={self.D}, K={self.K}, d_k={self.d_teachers}, d_s={self.d_s}, "
            f"r={self.r}, sigma2={self.sigma2:g}, rho_s={self.rho_s:.6g})"
        )

    # ------------------------------------------------------------------------------------- dimensions
    @property
    def K(self) -> int:
        """Number of teachers."""
        return len(self.V_teachers)

    @property
    def D(self) -> int:
        """Ambient latent dimension."""
        return self.V_s.shape[0]

    @property
    def r(self) -> int:
        r"""Dimension of :math:`R=\operatorname{span}(V_1..V_K,V_s,\beta)`: the size a trial works in."""
        return self.b.shape[0]

    @property
    def d_teachers(self) -> tuple[int, ...]:
        """The teachers' intrinsic dimensions :math:`d_k`."""
        return tuple(V.shape[1] for V in self.V_teachers)

    @property
    def d_s(self) -> int:
        """The student's intrinsic dimension."""
        return self.V_s.shape[1]

    # ------------------------------------------------------------------------ projections (coordinates of R)
    @property
    def P_s(self) -> np.ndarray:
        """Projection onto the student's subspace (``r x r``)."""
        return _projector(self.B_s)

    @property
    def P_teachers(self) -> tuple[np.ndarray, ...]:
        """Projections onto the teachers' subspaces (``K`` arrays ``r x r``)."""
        return tuple(_projector(B) for B in self.B_teachers)

    @property
    def M(self) -> np.ndarray:
        r""":math:`M=\frac1K\sum_kP_k`: the population map of the teachers' average."""
        return sum(self.P_teachers) / self.K

    @property
    def A(self) -> np.ndarray:
        r""":math:`A=P_sM`: one population round of average-then-student."""
        return self.P_s @ self.M

    @property
    def P_cap(self) -> np.ndarray:
        r"""Projection onto :math:`\mathcal V_s\cap\bigcap_k\mathcal V_k`: the eigenvalue-1 space of
        :math:`P_sMP_s` (:math:`v^\top Mv=\|v\|^2` iff :math:`P_kv=v` for every k)."""
        e, U = np.linalg.eigh(self.P_s @ self.M @ self.P_s)
        U1 = U[:, e > 1 - RANK_TOL**0.5]
        return U1 @ U1.T

    @property
    def collapse_rate(self) -> float:
        r"""The largest eigenvalue of :math:`P_sMP_s` below 1: the geometric rate of the collapse at
        :math:`\lambda=0` (:math:`\cos^2` of the smallest non-zero principal angle for one teacher); 0 when
        there is none."""
        e = np.linalg.eigvalsh(self.P_s @ self.M @ self.P_s)
        below = e[e <= 1 - RANK_TOL**0.5]
        return float(max(below.max(initial=0.0), 0.0))

    # ----------------------------------------------------------------------------------------- invariants
    @property
    def rho_s(self) -> float:
        r""":math:`\rho_s=\|(I-P_s)\beta\|^2`."""
        return _sq(self.b - self.P_s @ self.b)

    @property
    def rho_teachers(self) -> tuple[float, ...]:
        r""":math:`\rho_k=\|(I-P_k)\beta\|^2` per teacher."""
        return tuple(_sq(self.b - P @ self.b) for P in self.P_teachers)

    @property
    def d_sk(self) -> tuple[float, ...]:
        r""":math:`d_{sk}=\|V_s^\top V_k\|_F^2` per teacher (real-valued)."""
        return tuple(float(np.sum((self.B_s.T @ B) ** 2)) for B in self.B_teachers)

    @property
    def bias_in(self) -> float:
        r""":math:`\|P_s(M-I)\beta\|^2`: the student-visible error of the teachers' population average."""
        return _sq(self.P_s @ (self.M @ self.b - self.b))

    @property
    def bias_out(self) -> float:
        r""":math:`\|(I-P_s)M\beta\|^2`: the part of the average the student cannot represent."""
        Mb = self.M @ self.b
        return _sq(Mb - self.P_s @ Mb)

    def invariants(self) -> dict[str, object]:
        """The named invariants the closed forms use (besides ``n``, ``N``): scalars ``K``, ``d_s``,
        ``sigma2``, ``rho_s``, ``bias_in``, ``bias_out`` and per-teacher arrays ``d_k``, ``rho_k``, ``d_sk``."""
        return {
            "K": self.K,
            "d_s": self.d_s,
            "sigma2": self.sigma2,
            "rho_s": self.rho_s,
            "bias_in": self.bias_in,
            "bias_out": self.bias_out,
            "d_k": np.array(self.d_teachers, dtype=float),
            "rho_k": np.array(self.rho_teachers),
            "d_sk": np.array(self.d_sk),
        }

    def with_sigma2(self, sigma2: float) -> Self:
        """The same frames and target with another label-noise variance."""
        return dataclasses.replace(self, sigma2=sigma2)

    def with_beta(self, beta: ArrayLike) -> Self:
        """The same frames and noise with another target."""
        return dataclasses.replace(self, beta=np.asarray(beta, dtype=float))

    # ------------------------------------------------------------------------------------ constructors
    @classmethod
    def from_coordinates(
        cls,
        D: int,
        teachers: Sequence[Sequence[int]],
        student: Sequence[int],
        beta: ArrayLike,
        sigma2: float,
    ) -> Self:
        """Coordinate frames: teacher ``k`` sees the axes ``teachers[k]``, the student the axes ``student``
        (0-based indices into ``range(D)``)."""
        D = _validate.positive_int("D", D)
        if len(teachers) < 1:
            raise ValueError("K (the number of teachers, len(teachers)) must be >= 1, got 0")
        frames = tuple(_axes(D, idx, f"teachers[{k}]") for k, idx in enumerate(teachers))
        return cls(frames, _axes(D, student, "student"), np.asarray(beta, dtype=float), sigma2)

    @classmethod
    def prototype(
        cls,
        geometry: str,
        K: int,
        *,
        d: int = 64,
        d_s: int = 32,
        core: int = 8,
        block: int = 4,
        energy: tuple[float, float, float] = (1.0, 0.5, 0.1),
        sigma2: float = 1.0,
    ) -> Self:
        r"""The three coordinate geometries of ``docs/theory/rounds.md`` §4 (defaults: ``d = 64``,
        :math:`V_s=e_1..e_{32}`, core :math:`e_1..e_8`, blocks of 4, :math:`d_k=16`).

        :math:`\beta` is uniform on three regions with squared norms ``energy``: the core, the rest of the
        student's axes, and the axes outside the student (so :math:`\rho_s` = ``energy[2]``).

        * ``"G1_blocks"``: teacher k sees the core, a private in-student block
          :math:`e_{c+bk+1}..e_{c+b(k+1)}` and a private out-of-student block
          :math:`e_{d_s+bk+1}..e_{d_s+b(k+1)}` (diverse teachers, common core);
        * ``"G2_same"``: every teacher sees teacher 0's axes of G1 (independent data);
        * ``"G3_nocore"``: teacher 0 as in G1; teachers k >= 1 replace the core by the last ``core`` axes
          (directions with no student and, for the defaults, little signal).
        """
        geometry = _validate.choice("geometry", geometry, ("G1_blocks", "G2_same", "G3_nocore"))
        K = _validate.positive_int("K", K)
        d, d_s, core, block = (
            _validate.positive_int(k, v) for k, v in dict(d=d, d_s=d_s, core=core, block=block).items()
        )
        if core + K * block > d_s or d_s + K * block > d - (core if geometry == "G3_nocore" else 0):
            raise ValueError(
                f"K={K} blocks of {block} do not fit: need core + K*block <= d_s and d_s + K*block (+ core "
                f"for G3_nocore) <= d; got core={core}, d_s={d_s}, d={d}"
            )

        def blocks(k: int) -> list[int]:
            return list(range(core + block * k, core + block * (k + 1))) + list(
                range(d_s + block * k, d_s + block * (k + 1))
            )

        base = list(range(core))
        if geometry == "G1_blocks":
            teachers = [base + blocks(k) for k in range(K)]
        elif geometry == "G2_same":
            teachers = [base + blocks(0) for _ in range(K)]
        else:
            teachers = [base + blocks(0)] + [list(range(d - core, d)) + blocks(k) for k in range(1, K)]
        e_core, e_rest, e_out = (_validate.nonnegative_float("energy", e) for e in energy)
        beta = np.r_[
            np.full(core, np.sqrt(e_core / core)),
            np.full(d_s - core, np.sqrt(e_rest / (d_s - core))),
            np.full(d - d_s, np.sqrt(e_out / (d - d_s))),
        ]
        return cls.from_coordinates(d, teachers, list(range(d_s)), beta, sigma2)


def _sq(v: np.ndarray) -> float:
    return float(v @ v)


def _axes(D: int, idx: Sequence[int], name: str) -> np.ndarray:
    idx = np.asarray(list(idx), dtype=int)
    if idx.size < 1 or np.any((idx < 0) | (idx >= D)) or np.unique(idx).size != idx.size:
        raise ValueError(f"{name} must be distinct axis indices in [0, D) = [0, {D}), got {idx.tolist()}")
    V = np.zeros((D, idx.size))
    V[idx, np.arange(idx.size)] = 1.0
    return V
