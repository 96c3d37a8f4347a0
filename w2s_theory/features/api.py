r""":class:`FeatureModel`: the feature model's data (:mod:`w2s_theory.features.model`) with the methods that
call its theory (:mod:`w2s_theory.features.theory`), its Monte Carlo (:mod:`w2s_theory.features.simulate`)
and its design check (:mod:`w2s_theory.features.design`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.features import design, ridge, theory
from w2s_theory.features import simulate as _simulate
from w2s_theory.features.model import FeatureModelData
from w2s_theory.metrics import Estimate, mean_se, opr_ratio_of_means, pgr_ratio_of_means

RISKS = ("weak", "strong", "ceiling", "w2s")


def _plain(out: dict[str, np.ndarray]) -> dict[str, float | np.ndarray]:
    """0-d arrays become Python floats; arrays (a grid of n or N) stay arrays."""
    return {k: float(v) if np.ndim(v) == 0 else v for k, v in out.items()}


class FeatureModel(FeatureModelData):
    r"""Two models' features of the same ``M`` inputs, a target and label noise: intrinsic dimensions,
    overlap, predicted and measured W2S curves (Dong et al., ICML 2025, "Discrepancies are Virtue";
    ``docs/theory/features.md``).

    Build one with :meth:`from_features` (known target) or :meth:`from_labels` (noisy labels, noise
    variance estimated). Each block is centred and truncated to its top principal components, so
    ``d_w = k_w`` and ``d_s = k_s``; the overlap ``d_sw`` is measured between the two column spans on the
    same inputs (:attr:`canonical_correlations`), against the unrelated-spans value ``d_sw_null``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> F_s = rng.standard_normal((400, 6)); F_w = F_s[:, :3] + 0.1 * rng.standard_normal((400, 3))
    >>> m = FeatureModel.from_features(F_w, F_s, F_s @ np.ones(6), sigma2=1.0, k_w=3, k_s=6)
    >>> round(m.d_sw, 3), round(m.d_sw_null, 3)
    (2.971, 0.045)
    """

    def expected_risks(
        self,
        n: ArrayLike,
        N: ArrayLike,
        *,
        lam_w: ArrayLike = 0.0,
        lam_s: ArrayLike = 0.0,
        check_design: bool = True,
        jackknife_groups: int | None = ridge.JACKKNIFE_GROUPS,
    ) -> dict[str, float | np.ndarray]:
        """Predicted expected excess risks: ridgeless, the exact forms at the model's invariants
        (:func:`w2s_theory.features.theory.expected_risks`); with a ridge penalty, the deterministic
        equivalents of the Gaussian covariate model with the rows' moments
        (:func:`w2s_theory.features.ridge.expected_risks`, jackknife-debiased for a :meth:`from_labels`
        model; ``docs/theory/features.md`` §10).

        Parameters
        ----------
        n, N
            Labelled / unlabelled sample sizes: integers or integer arrays (broadcast). Ridgeless, needs
            :math:`n>\\max(d_w,d_s)+1` and :math:`N>d_s+1`.
        lam_w, lam_s
            Ridge penalties (>= 0, :math:`1/m`-normalised) of the teacher and of the strong-feature fits;
            both 0 (default) is the ridgeless pipeline.
        jackknife_groups
            Groups of rows for the label-only jackknife (ridge only, :meth:`from_labels` models);
            ``None`` gives the plain plug-in, biased at order :math:`p/M`.
        check_design
            Run the Gaussian-design check at the smallest ``n`` (Monte Carlo, cached on the model; needs
            float64) and warn (:class:`~w2s_theory.features.design.DesignWarning`) where a block's factor
            exceeds 1.2: the closed forms then under-predict.

        Returns
        -------
        dict
            ``weak``, ``strong``, ``ceiling``, ``w2s`` (expected excess risks), ``pgr``, ``opr`` (ratios of
            expectations), and ``d_sw``, ``rho_w``, ``rho_s``; with ridge, every output of
            :func:`w2s_theory.gcm.theory.expected_risks` (``d_w``, ``d_s``, ``d_sw`` are then effective
            dimensions). Floats for scalar arguments.
        """
        if np.any(np.asarray(lam_w) != 0) or np.any(np.asarray(lam_s) != 0):
            out = ridge.expected_risks(self, n, N, lam_w, lam_s, jackknife_groups=jackknife_groups)
        else:
            out = theory.expected_risks(self, n=n, N=N)  # validates n and N first
            out |= {"d_sw": self.d_sw, "rho_w": self.rho_w, "rho_s": self.rho_s}
        if check_design:
            design.warn_if_not_gaussian(self, int(np.min(n)))
        return _plain(out)

    def paper_risks(self, n: ArrayLike, N: ArrayLike) -> dict[str, float | np.ndarray]:
        """The paper's stated forms at this model's invariants (:func:`w2s_theory.features.theory.paper_risks`)."""
        return _plain(theory.paper_risks(self, n=n, N=N))

    def simulate(
        self,
        n: int,
        N: int,
        trials: int,
        seed: Seed = 0,
        *,
        lam_w: float = 0.0,
        lam_s: float = 0.0,
        chunk_size: int | None = None,
    ) -> dict[str, np.ndarray]:
        """The real pipeline on resampled rows (:func:`w2s_theory.features.simulate.simulate`), ridgeless or
        with ridge penalties ``lam_w`` (teacher), ``lam_s`` (strong-feature fits).

        Returns
        -------
        dict
            Per-trial arrays of shape ``(trials,)``: ``weak``, ``strong``, ``ceiling``, ``w2s`` and the
            per-trial ratios ``pgr``, ``opr``.
        """
        return _simulate.simulate(
            self, n=n, N=N, trials=trials, seed=seed, lam_w=lam_w, lam_s=lam_s, chunk_size=chunk_size
        )

    def design_check(self, n: int, trials: int = 200, seed: Seed = 0) -> dict[str, Estimate]:
        """Each block's Gaussian-design factor at ``n`` (1 for a Gaussian design;
        :func:`w2s_theory.features.design.design_check`)."""
        return design.design_check(self, n, trials=trials, seed=seed)

    def simulate_curve(
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
        """:meth:`simulate` at every point ``(n[j], N[j])`` (1-D, broadcast) on the same trials, in one
        compiled program: one dict per point, each what :meth:`simulate` gives with this ``seed`` there (to
        rounding). Needs tall designs, ``n[j] >= max(d_w, d_s)`` and ``N[j] >= d_s``
        (:func:`w2s_theory.features.simulate.simulate_curve`)."""
        return _simulate.simulate_curve(
            self, n, N, trials, seed, lam_w=lam_w, lam_s=lam_s, chunk_size=chunk_size
        )

    def compare(
        self, n: int, N: int, trials: int, seed: Seed = 0, *, lam_w: float = 0.0, lam_s: float = 0.0
    ) -> dict[str, dict[str, float]]:
        """Predicted (exact form, stated form) next to measured (mean ± SE) at one ``(n, N)``; with ridge,
        the deterministic equivalent is the prediction and ``stated`` is the ridgeless stated form.

        Returns
        -------
        dict
            ``{quantity: {"exact", "stated", "measured", "se"}}`` for ``weak``, ``strong``, ``ceiling``,
            ``w2s``, ``pgr``, ``opr``; measured PGR / OPR are ratios of mean risks (delta-method SE), which
            estimate the predicted ratios of expectations.
        """
        predicted = self._predicted(n, N, lam_w, lam_s)  # validates n and N before any Monte Carlo
        return self._comparison(predicted, self.simulate(n, N, trials, seed, lam_w=lam_w, lam_s=lam_s))

    def compare_curve(
        self,
        n: ArrayLike,
        N: ArrayLike,
        trials: int,
        seed: Seed = 0,
        *,
        lam_w: float = 0.0,
        lam_s: float = 0.0,
    ) -> list[dict[str, dict[str, float]]]:
        """:meth:`compare` at every point ``(n[j], N[j])`` (1-D, broadcast), measured on the same trials
        (:meth:`simulate_curve`: tall designs only)."""
        n, N = _validate.curve(("n", "N"), (n, N))
        predicted = [self._predicted(a, b, lam_w, lam_s) for a, b in zip(n.tolist(), N.tolist(), strict=True)]
        curve = self.simulate_curve(n, N, trials, seed, lam_w=lam_w, lam_s=lam_s)
        return [self._comparison(p, mc) for p, mc in zip(predicted, curve, strict=True)]

    def _predicted(self, n: int, N: int, lam_w: float, lam_s: float) -> tuple[dict, dict]:
        """The exact (or deterministic-equivalent) and the stated risks at one point."""
        return self.expected_risks(n, N, lam_w=lam_w, lam_s=lam_s, check_design=False), self.paper_risks(n, N)

    def _comparison(
        self, predicted: tuple[dict, dict], mc: dict[str, np.ndarray]
    ) -> dict[str, dict[str, float]]:
        exact, stated = predicted
        floor = self.rounding_floor
        measured: dict[str, Estimate] = {key: mean_se(mc[key]) for key in RISKS}
        measured["pgr"] = pgr_ratio_of_means(mc, floor=floor)
        measured["opr"] = opr_ratio_of_means(mc, floor=floor)
        return {
            key: {"exact": exact[key], "stated": stated[key], "measured": est.value, "se": est.se}
            for key, est in measured.items()
        }

    def summary(self) -> dict[str, object]:
        """Dimensions, overlap (and its null), canonical correlations, biases and noise, as plain values."""
        return {
            "M": self.M,
            "d_w": self.d_w,
            "d_s": self.d_s,
            "rank_w": self.weak.rank,
            "rank_s": self.strong.rank,
            "d_sw": self.d_sw,
            "d_sw_null": self.d_sw_null,
            "canonical_correlations": self.canonical_correlations,
            "sigma2": self.sigma2,
            "sigma2_source": self.sigma2_source,
            "rho_w": self.rho_w,
            "rho_s": self.rho_s,
            "bias_sw": self.bias_sw,
            "bias_ws": self.bias_ws,
        }
