r""":class:`GaussianCovariateModel`: the model's moments (:mod:`w2s_theory.gcm.model`) with the methods that
call its deterministic equivalents (:mod:`w2s_theory.gcm.theory`) and its Monte Carlo
(:mod:`w2s_theory.gcm.simulate`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory._random import Seed
from w2s_theory.gcm import simulate as _simulate
from w2s_theory.gcm import theory
from w2s_theory.gcm.model import GaussianCovariateModelData
from w2s_theory.gcm.theory import FiniteSize
from w2s_theory.gcm.trial import Engine


class GaussianCovariateModel(GaussianCovariateModelData):
    r"""Weak-to-strong ridge regression with any feature covariances: jointly Gaussian weak features
    :math:`\phi_w`, strong features :math:`\phi_s` and target :math:`f_*`, described by their population
    second moments only (``docs/theory/general_covariance.md``).

    Build one from the moments (``Sigma_ww=, Sigma_ss=, Sigma_ws=, c_w=, c_s=, F=, sigma2=``), from a latent
    covariance and two linear maps (:meth:`from_latent`), from power-law spectra (:meth:`power_law`) or from
    an isotropic :class:`~w2s_theory.discrepancy.SubspaceModel` (:meth:`from_subspace_model`).

    The "intrinsic dimension" of each learner is a spectrum here: its effective dimension
    :math:`\mathrm{df}_2` at the effective regularisation :math:`\kappa` set by its sample size and ridge
    penalty, and the overlap of the two learners is :math:`d_{sw}=\operatorname{tr}(\Sigma_{ws}\Sigma_{ss}^+
    \Sigma_{sw}K_w)`, the sum of squared canonical correlations in the ridgeless limit.

    Examples
    --------
    >>> import numpy as np
    >>> m = GaussianCovariateModel.power_law(a=1.5, b=1.0, d=400, weak=range(1, 61),
    ...                                      strong=np.r_[1:31, 61:181], sigma2=0.2)
    >>> out = m.expected_risks(n=150, N=1000, lam_w=1e-4, lam_s=1e-4)
    >>> round(out["weak"], 4), round(out["w2s"], 4)
    (0.1222, 0.0706)
    """

    def expected_risks(
        self,
        n: ArrayLike,
        N: ArrayLike,
        lam_w: ArrayLike = 0.0,
        lam_s: ArrayLike = 0.0,
        *,
        finite_size: FiniteSize = "auto",
        second_order: bool = True,
    ) -> dict[str, float | np.ndarray]:
        r"""Deterministic equivalents of the expected excess risks, PGR, OPR, the W2S mean/variance split and
        the effective dimensions (:func:`w2s_theory.gcm.theory.expected_risks`, where every key is listed).

        Exact in finite samples for ridgeless under-parameterised learners (with the default
        ``finite_size``); elsewhere a deterministic equivalent with relative error
        :math:`O(1/(m-\mathrm{df}_2))` (``docs/theory/general_covariance.md`` §6).

        Parameters
        ----------
        n, N
            Labelled / unlabelled sample sizes: integers or integer arrays (broadcast with the penalties).
        lam_w, lam_s
            Ridge penalties (>= 0, :math:`1/m`-normalised) of the teacher and of the strong-feature fits.
        finite_size
            The finite-size shift (:func:`w2s_theory.gcm.theory.finite_size_shift`): ``"auto"`` (default),
            ``"ridgeless"``, ``"on"`` or ``"off"``.
        second_order
            Include the :math:`O(1/m)` bias-fluctuation terms (default ``True``;
            ``docs/theory/general_covariance.md`` §2.3).

        Returns
        -------
        dict
            Floats for scalar arguments, arrays of the broadcast shape otherwise.
        """
        out = theory.expected_risks(
            self, n=n, N=N, lam_w=lam_w, lam_s=lam_s, finite_size=finite_size, second_order=second_order
        )
        return {k: float(v) if np.ndim(v) == 0 else v for k, v in out.items()}

    def simulate(
        self,
        n: int,
        N: int,
        trials: int,
        seed: Seed = 0,
        *,
        lam_w: float = 0.0,
        lam_s: float = 0.0,
        engine: Engine = "wishart",
        chunk_size: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Monte Carlo of the exact pipeline (:func:`w2s_theory.gcm.simulate.simulate`).

        Parameters
        ----------
        n, N
            Labelled / unlabelled sample sizes (integers >= 1).
        trials
            Number of independent trials.
        seed
            Integer in ``[0, 2**63)`` or a typed JAX key; trial ``i`` depends on ``(seed, i)`` only.
        lam_w, lam_s
            Ridge penalties (>= 0; 0 is minimum-norm least squares).
        engine
            ``"wishart"`` (default: Bartlett factors, cost independent of n and N) or ``"design"``.
        chunk_size
            Trials per compiled call (memory bound); never changes the results.

        Returns
        -------
        dict
            Per-trial arrays ``weak``, ``strong``, ``ceiling``, ``w2s``, ``pgr``, ``opr`` (shape ``(trials,)``).
        """
        return _simulate.simulate(
            self, n, N, trials, seed, lam_w=lam_w, lam_s=lam_s, engine=engine, chunk_size=chunk_size
        )

    def simulate_curve(
        self,
        n: int,
        N: int,
        lam_w: ArrayLike,
        lam_s: ArrayLike,
        trials: int,
        seed: Seed = 0,
        *,
        engine: Engine = "wishart",
        chunk_size: int | None = None,
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`simulate` along a curve of penalty pairs ``(lam_w[j], lam_s[j])`` (1-D, broadcast) on the
        same trials (common random numbers): one dict per pair, each what :meth:`simulate` gives with this
        ``seed``, at a fraction of the cost (each trial draws its designs and forms their Gram matrices
        once). See :func:`w2s_theory.gcm.simulate.simulate_curve`."""
        return _simulate.simulate_curve(
            self, n, N, lam_w, lam_s, trials, seed, engine=engine, chunk_size=chunk_size
        )

    def simulate_grid(
        self,
        n: ArrayLike,
        N: ArrayLike,
        trials: int,
        seed: Seed = 0,
        *,
        lam_w: float = 0.0,
        lam_s: float = 0.0,
        chunk_size: int | None = None,
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`simulate` (Wishart engine) at every point ``(n[j], N[j])`` (1-D, broadcast), any sizes, on
        the same trials in one compiled program: each point an exact draw of :meth:`simulate`'s law, its own
        numbers where ``n >= r`` and ``N >= r``. See :func:`w2s_theory.gcm.simulate.simulate_grid`."""
        return _simulate.simulate_grid(
            self, n, N, trials, seed, lam_w=lam_w, lam_s=lam_s, chunk_size=chunk_size
        )
