r"""The misfit–gain inequality (Charikar, Pabbaraju, Shiragur, NeurIPS 2024, Theorem 1) in the subspace model:
exact expectations and a Monte Carlo check that runs on any configuration.

The paper's claim: if the strong class is convex and contains the target, the W2S student gains over its
teacher at least as much as it disagrees with it,

.. math::
    \mathrm{gain}=\mathrm{ER}(f_w)-\mathrm{ER}(f_{w2s})\;\ge\;\mathrm{misfit}=\mathbb E_x(f_{w2s}(x)-f_w(x))^2 ,

with :math:`\mathrm{gap}=\mathrm{gain}-\mathrm{misfit}=-2\langle\beta_s-\beta_t,\beta_s-\beta\rangle`. In the
subspace model the student is a *finite-sample* least-squares fit of the teacher's labels, and the exact
expectations (derived in :mod:`w2s_theory.symbolic.misfit`, ``docs/theory/misfit_gain.md``) are

.. math::
    \mathbb E[\mathrm{gap}]=-2\langle(I-P_s)P_w\beta,(I-P_s)\beta\rangle-2\kappa\,\mathbb E\|(I-P_s)\beta_t\|^2
    -2(1-\gamma)\langle P_sP_w\beta,P_s\beta\rangle,

:math:`\gamma=1,\ \kappa=d_s/(N-d_s-1)` for the OLS student (:math:`N>d_s+1`) and
:math:`\gamma=N/d_s,\ \kappa=N/(d_s-N-1)` for the min-norm student (:math:`N<d_s-1`); teacher
:math:`n>d_w+1`. So with :math:`\rho_s=0` the inequality holds with equality only as :math:`N\to\infty`
and fails in expectation at every finite :math:`N`, by exactly twice the student's estimation variance.

* :func:`exact_expectations`: the closed forms from the invariants, vectorised over ``n``, ``N``;
* :func:`expected_misfit_gain`: the same for a model;
* :func:`misfit_gain`: per-trial gain, misfit and gap from the simulator, their means ± SE, the fraction of
  trials with gap < 0 and, where exact, the expectations and z-scores (:class:`MisfitGain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.closed_forms import evaluate
from w2s_theory.discrepancy._misfit_closed_forms import CLOSED_FORMS
from w2s_theory.discrepancy.model import SubspaceModelData
from w2s_theory.discrepancy.simulate import DEFAULT_ENGINE, simulate
from w2s_theory.discrepancy.trial import Engine
from w2s_theory.metrics import Estimate, mean_se

#: The per-trial quantities of the check, in the order they are reported.
QUANTITIES: tuple[str, ...] = ("weak", "w2s", "misfit", "gain", "gap")
#: Default number of Monte Carlo trials of :func:`misfit_gain`.
DEFAULT_TRIALS = 4000


def misfit_invariants(model: SubspaceModelData) -> dict[str, float]:
    r"""The model's invariants (:meth:`~w2s_theory.discrepancy.model.SubspaceModelData.invariants`) and
    ``beta_norm2`` :math:`=\|\beta\|^2`, which the min-norm student's forms also need. Every inner product
    in the misfit–gain expectations follows from these (``docs/theory/misfit_gain.md``), e.g.
    :math:`\langle(I-P_s)P_w\beta,(I-P_s)\beta\rangle=\tfrac12(\|P_s(I-P_w)\beta\|^2+\|(I-P_s)P_w\beta\|^2
    +\rho_s-\rho_w)`."""
    return model.invariants() | {"beta_norm2": float(model.b_star @ model.b_star)}


def student_regime(N: int, d_s: int) -> str:
    """``"ols"`` (:math:`N>d_s+1`), ``"min_norm"`` (:math:`N<d_s-1`) or ``"threshold"`` (in between: the
    student's expected estimation variance is infinite there)."""
    if N > d_s + 1:
        return "ols"
    if N < d_s - 1:
        return "min_norm"
    return "threshold"


def exact_expectations(
    *,
    n: ArrayLike,
    N: ArrayLike,
    d_w: int,
    d_s: int,
    d_sw: float,
    sigma2: float,
    rho_w: float,
    rho_s: float,
    bias_sw: float,
    bias_ws: float,
    beta_norm2: float,
) -> dict[str, np.ndarray]:
    r"""Exact :math:`\mathbb E` of ``weak`` :math:`=\mathrm{ER}(f_w)`, ``w2s`` :math:`=\mathrm{ER}(f_{w2s})`,
    ``misfit`` :math:`=\|\beta_s-\beta_t\|^2`, ``gain`` and ``gap`` :math:`=\mathrm{gain}-\mathrm{misfit}`,
    and ``gap_limit``, the :math:`N\to\infty` value :math:`-2\langle(I-P_s)P_w\beta,(I-P_s)\beta\rangle`.

    Gaussian latent, ridgeless fits; exact for :math:`n>d_w+1` and either :math:`N>d_s+1` (OLS student)
    or :math:`N<d_s-1` (min-norm interpolating student), chosen per element of ``N``.

    Parameters
    ----------
    n, N
        Labelled / unlabelled sample sizes: integers or integer arrays (broadcast).
    d_w, d_s, d_sw, sigma2, rho_w, rho_s, bias_sw, bias_ws, beta_norm2
        The invariants of :func:`misfit_invariants`.

    Returns
    -------
    dict
        Float arrays of the broadcast shape of ``n`` and ``N`` under the keys above.

    Raises
    ------
    ValueError
        Where :math:`n\le d_w+1` or :math:`d_s-1\le N\le d_s+1` (infinite or not derived; simulate there).
    """
    n, N = _validate.integers("n", n), _validate.integers("N", N)
    n, N = np.broadcast_arrays(n, N)
    d_w, d_s = _validate.positive_int("d_w", d_w), _validate.positive_int("d_s", d_s)
    bad = np.flatnonzero(~(n > d_w + 1))
    if bad.size:
        _validate.exact_sample_size("n", n.flat[bad[0]], "d_w", d_w, "the weak teacher")
    threshold = np.flatnonzero((N >= d_s - 1) & (N <= d_s + 1))
    if threshold.size:
        raise ValueError(
            f"N={N.flat[threshold[0]]} lies in [d_s - 1, d_s + 1] = [{d_s - 1}, {d_s + 1}]: the student's "
            "expected estimation variance (and so E misfit, E gap) is infinite at the interpolation "
            "threshold. Use misfit_gain() to simulate, or N > d_s + 1 (OLS) / N < d_s - 1 (min-norm)."
        )
    values = dict(
        n=n, d_w=d_w, d_s=d_s, d_sw=d_sw, sigma2=sigma2, rho_w=rho_w, rho_s=rho_s,
        bias_sw=bias_sw, bias_ws=bias_ws, beta_norm2=beta_norm2,
    )  # fmt: skip
    ols = N > d_s + 1
    N_ols, N_mn = np.where(ols, N, d_s + 2), np.where(ols, 0, N)  # each form off its regime: a filler
    with np.errstate(divide="ignore", invalid="ignore"):  # the min-norm filler divides by 0 at d_s = 1
        out = {
            q: np.where(
                ols,
                evaluate(CLOSED_FORMS["exact"][q], **values, N=N_ols),
                evaluate(CLOSED_FORMS["exact_min_norm"][q], **values, N=N_mn),
            )
            for q in QUANTITIES
        }
    out["gap_limit"] = np.broadcast_to(evaluate(CLOSED_FORMS["limit"]["gap"], **values), N.shape).copy()
    return out


def expected_misfit_gain(
    model: SubspaceModelData, n: ArrayLike, N: ArrayLike
) -> dict[str, float | np.ndarray]:
    """:func:`exact_expectations` for ``model``: floats for scalar ``n``, ``N``, arrays for arrays."""
    out = exact_expectations(n=n, N=N, **misfit_invariants(model))
    return {k: float(v) if np.ndim(v) == 0 else v for k, v in out.items()}


@dataclass(frozen=True)
class MisfitGain:
    r"""The result of :func:`misfit_gain`.

    Attributes
    ----------
    n, N, trials, engine
        The run.
    regime
        The student's regime: ``"ols"``, ``"min_norm"`` or ``"threshold"`` (:func:`student_regime`).
    per_trial
        ``weak``, ``w2s``, ``misfit``, ``gain``, ``gap``: arrays of shape ``(trials,)``.
    mean
        Their Monte Carlo means ± SE (:class:`~w2s_theory.metrics.Estimate`).
    frac_gap_negative
        The fraction of trials with gap < 0 (the inequality violated), ± its SE.
    exact
        The exact expectations (:func:`exact_expectations`), or ``None`` where they are not exact.
    not_exact
        Why ``exact`` is ``None`` (``None`` otherwise).
    """

    n: int
    N: int
    trials: int
    engine: str
    regime: str
    per_trial: dict[str, np.ndarray] = field(repr=False)
    mean: dict[str, Estimate]
    frac_gap_negative: Estimate
    exact: dict[str, float] | None
    not_exact: str | None

    def z_scores(self) -> dict[str, float]:
        """:math:`(\\text{MC mean}-\\text{exact})/\\text{SE}` per quantity; empty where not exact."""
        if self.exact is None:
            return {}
        return {q: self.mean[q].z_score(self.exact[q]) for q in QUANTITIES}

    def table(self) -> str:
        """A plain-text report: the run, one row per quantity (MC mean ± SE, exact, z), P(gap < 0)."""
        student = {"ols": "OLS", "min_norm": "min-norm (interpolating)", "threshold": "at the threshold"}
        lines = [
            f"misfit-gain check: n={self.n}, N={self.N}, {self.trials} trials ({self.engine} engine), "
            f"{student[self.regime]} student",
            f"{'quantity':<8} {'MC mean ± SE':>22} {'exact':>10} {'z':>6}",
        ]
        z = self.z_scores()
        for q in QUANTITIES:
            est = self.mean[q]
            exact = f"{self.exact[q]:10.5f}" if self.exact else f"{'-':>10}"
            zq = f"{z[q]:+6.2f}" if z else f"{'-':>6}"
            lines.append(f"{q:<8} {est.value:>12.5f} ± {est.se:<7.5f} {exact} {zq}")
        p = self.frac_gap_negative
        lines.append(f"P(gap < 0) = {p.value:.3f} ± {p.se:.3f}")
        if self.exact is None:
            lines.append(f"not exact: {self.not_exact}")
        else:
            verdict = "holds" if self.exact["gap"] >= 0 else "fails"
            lines.append(
                f"gain >= misfit in expectation: {verdict} (E gap = {self.exact['gap']:.5g}; "
                f"N -> oo: {self.exact['gap_limit']:.5g})"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _not_exact(model: SubspaceModelData, n: int, N: int) -> str | None:
    if not n > model.d_w + 1:
        return (
            f"n={n} <= d_w + 1 = {model.d_w + 1}: the teacher's expected error is infinite "
            "(n = d_w, d_w + 1) or the teacher interpolates (n < d_w), which the exact forms do not cover"
        )
    if student_regime(N, model.d_s) == "threshold":
        return (
            f"N={N} in [d_s - 1, d_s + 1] = [{model.d_s - 1}, {model.d_s + 1}]: the student's expected "
            "estimation variance is infinite at the interpolation threshold"
        )
    return None


def misfit_gain(
    model: SubspaceModelData,
    n: int,
    N: int,
    trials: int = DEFAULT_TRIALS,
    seed: Seed = 0,
    *,
    engine: Engine = DEFAULT_ENGINE,
    chunk_size: int | None = None,
) -> MisfitGain:
    r"""Check the misfit–gain inequality :math:`\mathrm{gain}\ge\mathrm{misfit}` on any configuration.

    Runs the subspace model's simulator (:func:`w2s_theory.discrepancy.simulate.simulate`, any ``n``,
    ``N`` >= 1) and reports per-trial ``gain`` :math:`=\mathrm{ER}_w-\mathrm{ER}_{w2s}`, ``misfit``
    :math:`=\|\beta_s-\beta_t\|^2` (population disagreement under the test law) and ``gap``
    :math:`=\mathrm{gain}-\mathrm{misfit}`, their means ± SE, the fraction of trials with gap < 0 and,
    where exact (:math:`n>d_w+1`, :math:`N\notin[d_s-1,d_s+1]`), the exact expectations with z-scores.

    Parameters
    ----------
    model
        A subspace model (:class:`~w2s_theory.discrepancy.SubspaceModel`).
    n, N
        Labelled / unlabelled sample sizes (integers >= 1).
    trials, seed, engine, chunk_size
        As in :meth:`~w2s_theory.discrepancy.SubspaceModel.simulate` (same trials, same numbers).

    Returns
    -------
    MisfitGain
        ``print()`` it for a table; ``.exact`` is ``None`` (with ``.not_exact`` saying why) outside the
        exact regime.
    """
    n, N = _validate.positive_int("n", n), _validate.positive_int("N", N)
    mc = simulate(model, n, N, trials, seed, engine=engine, chunk_size=chunk_size)
    per_trial = {
        "weak": mc["weak"],
        "w2s": mc["w2s"],
        "misfit": mc["misfit"],
        "gain": mc["weak"] - mc["w2s"],
    }
    per_trial["gap"] = per_trial["gain"] - per_trial["misfit"]
    reason = _not_exact(model, n, N)
    exact = None if reason else {k: float(v) for k, v in expected_misfit_gain(model, n, N).items()}
    return MisfitGain(
        n=n,
        N=N,
        trials=trials,
        engine=engine,
        regime=student_regime(N, model.d_s),
        per_trial=per_trial,
        mean={q: mean_se(per_trial[q]) for q in QUANTITIES},
        frac_gap_negative=mean_se(per_trial["gap"] < 0),
        exact=exact,
        not_exact=reason,
    )
