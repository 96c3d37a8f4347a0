r""":class:`SubspaceModel`: the subspace model's data (:mod:`w2s_theory.discrepancy.model`) with the
methods that call its theory (:mod:`w2s_theory.discrepancy.theory`) and its Monte Carlo
(:mod:`w2s_theory.discrepancy.simulate`)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory.discrepancy import misfit as _misfit
from w2s_theory.discrepancy import simulate as _simulate
from w2s_theory.discrepancy import theory
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.discrepancy.trial import Engine


def _plain(out: dict[str, np.ndarray]) -> dict[str, float | np.ndarray]:
    """0-d arrays become Python floats; arrays (a grid of n or N) stay arrays."""
    return {k: float(v) if np.ndim(v) == 0 else v for k, v in out.items()}


class SubspaceModel(SubspaceModelData):
    r"""Teacher/student subspaces :math:`V_w` (``D x d_w``), :math:`V_s` (``D x d_s``), target
    :math:`\beta` and label-noise variance ``sigma2``, with the theory and Monte Carlo of Dong et al.
    (ICML 2025), "Discrepancies are Virtue" (``docs/theory/discrepancies.md``).

    Build one with :meth:`coordinate`, :meth:`from_principal_angles` or :meth:`notebook`, or from any
    orthonormal ``V_w``, ``V_s``. Invariants: ``d_w``, ``d_s``, ``d_sw``, ``rho_w``, ``rho_s``,
    ``bias_sw``, ``bias_ws`` (:meth:`invariants`).

    Examples
    --------
    >>> m = SubspaceModel.coordinate(d_w=20, d_s=10, d_sw=4, sigma2=1.0)
    >>> round(m.expected_risks(n=100, N=400)["pgr"], 4)
    0.8479

    Below the interpolation threshold the fits are minimum-norm and the risks are still exact:

    >>> beta = np.r_[np.ones(10), np.zeros(16)] / np.sqrt(10)
    >>> g = SubspaceModel.coordinate(d_w=20, d_s=10, d_sw=4, sigma2=0.5, beta=beta)
    >>> {k: round(v, 4) for k, v in g.expected_risks(n=14, N=6).items() if k in ("weak", "w2s")}
    {'weak': 3.8, 'w2s': 6.2196}
    """

    @property
    def beta2(self) -> float:
        r""":math:`\|\beta\|^2`, which the min-norm (over-parameterised) risks need besides :meth:`invariants`."""
        return float(self.b_star @ self.b_star)

    def _exact_invariants(self) -> dict[str, float]:
        """:meth:`invariants` and ``beta2``: everything the exact forms of both regimes take."""
        return self.invariants() | {"beta2": self.beta2}

    def expected_risks(
        self, n: ArrayLike, N: ArrayLike, at_poles: Literal["raise", "nan"] = "raise"
    ) -> dict[str, float | np.ndarray]:
        r"""Exact finite-sample expectations, derived in :mod:`w2s_theory.symbolic.discrepancy`.

        Parameters
        ----------
        n, N
            Labelled / unlabelled sample sizes: integers or integer arrays (broadcast). Each fit is
            least squares (:math:`m\ge k+2` rows in :math:`k` dims) or minimum-norm (:math:`m\le k-2`);
            every form is exact (``docs/theory/discrepancies.md`` §3, §12). Raises ``ValueError`` at an
            interpolation pole, where the expectation is infinite: :math:`|n-d_w|\le1`,
            :math:`|n-d_s|\le1`, :math:`|n+N-d_s|\le1` or :math:`|N-d_s|\le1` (:meth:`simulate` covers
            those points).
        at_poles
            ``"nan"`` returns NaN for the risks whose fit is at a pole instead of raising (curves).

        Returns
        -------
        dict
            ``weak``, ``strong``, ``ceiling``, ``w2s`` (expected excess risks), ``pgr``, ``opr`` (ratios of
            expectations; NaN where the denominator is at rounding level, :attr:`rounding_floor`), and
            ``d_sw``, ``rho_w``, ``rho_s``. Floats for scalar ``n``, ``N``; arrays for arrays.
        """
        out = theory.expected_risks(
            n=n, N=N, floor=self.rounding_floor, at_poles=at_poles, **self._exact_invariants()
        )
        return _plain(out) | {"d_sw": self.d_sw, "rho_w": self.rho_w, "rho_s": self.rho_s}

    def paper_risks(self, n: ArrayLike, N: ArrayLike) -> dict[str, float | np.ndarray]:
        r"""The paper's / authors' notebook's stated curves (:func:`w2s_theory.discrepancy.theory.paper_risks`),
        with the same keys (less the invariants) as :meth:`expected_risks`; only where every fit is
        least squares (:math:`n>d_w+1`, :math:`n>d_s+1`, :math:`N>d_s+1`)."""
        return _plain(theory.paper_risks(n=n, N=N, floor=self.rounding_floor, **self.invariants()))

    def simulate(
        self,
        n: int,
        N: int,
        trials: int,
        seed: int = 0,
        *,
        engine: Engine = "wishart",
        chunk_size: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Monte Carlo, any ``n, N >= 1`` (including the min-norm regime).

        Parameters
        ----------
        n, N
            Labelled / unlabelled sample sizes (integers >= 1).
        trials
            Number of independent trials.
        seed
            Integer in ``[0, 2**63)`` or a typed JAX key; trial ``i`` depends on ``(seed, i)`` only.
        engine
            ``"wishart"`` (default) draws each trial's sufficient statistics exactly (Bartlett),
            ``"design"`` draws the full designs; same law (:mod:`w2s_theory.discrepancy.trial`).
        chunk_size
            Trials per compiled call (memory); never changes the numbers.

        Returns
        -------
        dict
            Per-trial arrays of shape ``(trials,)``: ``weak``, ``strong``, ``ceiling``, ``w2s``, ``misfit``
            (:math:`\\|\\hat\\beta_{w2s}-\\hat\\beta_w\\|^2`, ``docs/theory/misfit_gain.md``) and the
            per-trial ratios ``pgr``, ``opr``.
        """
        return _simulate.simulate(
            self, n=n, N=N, trials=trials, seed=seed, engine=engine, chunk_size=chunk_size
        )

    def simulate_curve(
        self, n: ArrayLike, N: ArrayLike, trials: int, seed: int = 0, *, chunk_size: int | None = None
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`simulate` (Wishart engine) at every point ``(n[j], N[j])`` (1-D, broadcast) on the same
        trials: one dict per point, each what :meth:`simulate` gives with this ``seed``, at a fraction of the
        cost (each trial's normal draws are made once and shared). Every point must have the same factor
        rows (a curve does not cross ``n = r`` or ``N = d_s``). See
        :func:`w2s_theory.discrepancy.simulate.simulate_curve`."""
        return _simulate.simulate_curve(self, n, N, trials, seed, chunk_size=chunk_size)

    def simulate_grid(
        self, n: ArrayLike, N: ArrayLike, trials: int, seed: int = 0, *, chunk_size: int | None = None
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`simulate` (Wishart engine) at every point ``(n[j], N[j])`` (1-D, broadcast), any sizes,
        on the same trials in one compiled program: each point an exact draw of :meth:`simulate`'s law, the
        same numbers as :meth:`simulate` where ``n >= r`` and ``N >= d_s``. See
        :func:`w2s_theory.discrepancy.simulate.simulate_grid`."""
        return _simulate.simulate_grid(self, n, N, trials, seed, chunk_size=chunk_size)

    def misfit_gain(
        self,
        n: int,
        N: int,
        trials: int = _misfit.DEFAULT_TRIALS,
        seed: int = 0,
        *,
        engine: Engine = "wishart",
        chunk_size: int | None = None,
    ) -> _misfit.MisfitGain:
        """The misfit–gain check of Charikar et al. (NeurIPS 2024) on this model
        (:func:`w2s_theory.discrepancy.misfit.misfit_gain`, ``docs/theory/misfit_gain.md``)."""
        return _misfit.misfit_gain(self, n, N, trials, seed, engine=engine, chunk_size=chunk_size)

    # ------------------------------------------------------------------ questions users ask, exact and bound
    def smallest_N_opr_above_1(self, n: int) -> int | None:
        """Smallest integer N with exact OPR > 1 at this ``n`` (``None`` if none); compare the lower
        bound's real-valued :meth:`N_for_opr_above_1`."""
        return theory.smallest_N_opr_above_1(n=n, floor=self.rounding_floor, **self._exact_invariants())

    def smallest_N_pgr_above(self, n: int, epsilon: float) -> int | None:
        """Smallest integer N with exact PGR >= 1 - ``epsilon`` at this ``n`` (``None`` if none); compare
        the lower bound's :meth:`N_for_pgr_above`."""
        return theory.smallest_N_pgr_above(
            n=n, epsilon=epsilon, floor=self.rounding_floor, **self._exact_invariants()
        )

    def best_n(self, N: int, metric: str = "pgr", n_max: int | None = None) -> int | None:
        """Integer n maximising the exact ``metric`` (``"pgr"`` or ``"opr"``) at this ``N``; compare the
        bounds' maximiser :meth:`n_star`."""
        return theory.best_n(
            N=N, metric=metric, n_max=n_max, floor=self.rounding_floor, **self._exact_invariants()
        )

    def _bound_invariants(self) -> dict[str, float]:
        inv = self.invariants()
        return {k: inv[k] for k in ("d_w", "d_s", "d_sw", "sigma2")} | {"rho": self.rho_w + self.rho_s}

    def N_for_opr_above_1(self, n: ArrayLike) -> np.ndarray:
        """Real N at which the OPR *lower bound* reaches 1 (``inf`` if never)."""
        return theory.N_for_opr_above_1(n=n, **self._bound_invariants())

    def N_for_pgr_above(self, n: ArrayLike, epsilon: float) -> np.ndarray:
        """Real N at which the PGR *lower bound* reaches 1 - ``epsilon`` (``inf`` if never)."""
        return theory.N_for_pgr_above(n=n, epsilon=epsilon, **self._bound_invariants())

    def n_star(self, N: ArrayLike) -> np.ndarray:
        """Real maximiser in n of the PGR and OPR lower bounds (needs rho_w + rho_s > 0)."""
        return theory.n_star(N=N, **self._bound_invariants())
