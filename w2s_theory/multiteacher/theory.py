r"""The exact expected risk of the multi-teacher student as a quadratic in the weights
(``docs/theory/multiteacher.md`` §2–§4).

For weights :math:`\alpha` the student fits :math:`\sum_m\alpha_m\hat y_m`; by linearity its coefficient is
:math:`\sum_m\alpha_m\beta_s^{(m)}` and

.. math::
    \mathbb E\,\mathrm{ER}(\alpha)=\|\beta\|^2-2\alpha^\top b+\alpha^\top Q'\alpha,
    \qquad b_m=\beta^\top P_sP_m\beta,

which on :math:`\sum_m\alpha_m=1` is :math:`\rho_s+\alpha^\top Q\alpha` with

.. math::
    Q_{ml}=((I-P_m)\beta)^\top P_s(I-P_l)\beta+\kappa_N(P_m\beta)^\top(I-P_s)P_l\beta+K_{ml},\qquad
    Q'=Q+b\mathbf 1^\top+\mathbf 1b^\top-\|P_s\beta\|^2\mathbf 1\mathbf 1^\top,

:math:`K_{ml}=\mathbb E[\delta_m^\top A_N\delta_l]` the teachers' error cross-covariance seen through the
student. The scalar entries are generated from :mod:`w2s_theory.symbolic.multiteacher`
(:mod:`w2s_theory.multiteacher._closed_forms`); this module assembles the matrices.

Exact for *disjoint* labelled sets (any subspaces; :math:`n_m>d_m+1`) and for one *shared* set when the
teachers' projectors commute pairwise (:math:`n>\max_m d_m+1`); always :math:`N>d_s+1`. A shared set
with non-commuting projectors has no closed form here: :func:`expected_quadratic` raises ("Monte Carlo
only") unless ``plug_in=True``, which returns the natural plug-in flagged ``exact=False`` (it is off by
about 10% on the off-diagonal, ``tests/test_multiteacher_simulate.py`` keeps that failure visible).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from w2s_theory import _validate
from w2s_theory.closed_forms import evaluate
from w2s_theory.multiteacher import weights
from w2s_theory.multiteacher._closed_forms import CLOSED_FORMS
from w2s_theory.multiteacher.model import LABELS, Labels, MultiTeacherModelData, sample_sizes

#: Weighting rules with an exact expected risk (:meth:`RiskQuadratic.weights`).
RULES: tuple[str, ...] = ("optimal", "simplex", "uniform", "inverse_variance")


@dataclass(frozen=True)
class RiskQuadratic:
    r"""The exact :math:`\mathbb E\,\mathrm{ER}(\alpha)` of one configuration (module docstring).

    ``exact`` is ``False`` only for the shared-set plug-in with non-commuting projectors (not a theorem).
    """

    beta_norm2: float
    rho_s: float
    b: np.ndarray
    Q: np.ndarray
    K: np.ndarray
    labels: str
    exact: bool = True

    @property
    def M(self) -> int:
        """Number of teachers."""
        return self.b.shape[0]

    @property
    def ps_norm2(self) -> float:
        r""":math:`\|P_s\beta\|^2`."""
        return self.beta_norm2 - self.rho_s

    @property
    def Q_prime(self) -> np.ndarray:
        r""":math:`Q'=Q+b\mathbf 1^\top+\mathbf 1b^\top-\|P_s\beta\|^2\mathbf 1\mathbf 1^\top` (no sum constraint)."""
        one = np.ones(self.M)
        return self.Q + np.outer(self.b, one) + np.outer(one, self.b) - self.ps_norm2 * np.outer(one, one)

    @property
    def gram(self) -> np.ndarray:
        r""":math:`\mathbb E[(\beta_s^{(m)}-\beta)^\top(\beta_s^{(l)}-\beta)]=\rho_s+Q_{ml}`: the expected Gram
        matrix of the per-teacher students' errors (its diagonal: each teacher alone)."""
        return self.rho_s + self.Q

    def risk(self, alpha: Sequence[float] | np.ndarray, *, sum_to_one: bool = True) -> float:
        r""":math:`\mathbb E\,\mathrm{ER}(\alpha)`: :math:`\rho_s+\alpha^\top Q\alpha` (weights must sum to one),
        or with ``sum_to_one=False`` the general :math:`\|\beta\|^2-2\alpha^\top b+\alpha^\top Q'\alpha`."""
        a = weights.weight_vector(alpha, self.M, sum_to_one=sum_to_one)
        if sum_to_one:
            return float(self.rho_s + a @ self.Q @ a)
        return float(self.beta_norm2 - 2 * a @ self.b + a @ self.Q_prime @ a)

    def weights(self, rule: str) -> np.ndarray:
        r"""Weights of a rule: ``"optimal"`` (:math:`\alpha^*=Q^{-1}\mathbf 1/\mathbf 1^\top Q^{-1}\mathbf 1`),
        ``"simplex"`` (the optimum with :math:`\alpha\ge0`), ``"uniform"``, ``"inverse_variance"``
        (:math:`\propto1/Q_{mm}`)."""
        rule = _validate.choice("rule", rule, RULES)
        if rule == "optimal":
            return weights.optimal_sum_to_one(self.Q)
        if rule == "simplex":
            return weights.optimal_simplex(self.Q)
        if rule == "uniform":
            return weights.uniform(self.M)
        return weights.inverse_variance(self.Q)

    def free_optimum(self) -> np.ndarray:
        r""":math:`Q'^{-1}b`, the minimiser without the sum constraint; risk
        :math:`\|\beta\|^2-b^\top Q'^{-1}b`."""
        return np.linalg.solve(self.Q_prime, self.b)

    def compare(self) -> dict[str, dict[str, object]]:
        """Every rule's weights and exact risk, and its excess over the simplex optimum relative to the
        optimum's own excess over :math:`\\rho_s`: ``{rule: {"weights", "risk", "excess"}}``."""
        out: dict[str, dict[str, object]] = {}
        best = self.risk(self.weights("simplex"))
        for rule in RULES:
            a = self.weights(rule)
            risk = self.risk(a)
            out[rule] = {"weights": a, "risk": risk, "excess": (risk - best) / (best - self.rho_s)}
        return out


def _check_sizes(model: MultiTeacherModelData, n: tuple[int, ...], N: int, labels: str) -> None:
    _validate.exact_sample_size("N", N, "d_s", model.d_s, "the student")
    if labels == "disjoint":
        for m, (n_m, d_m) in enumerate(zip(n, model.d_m, strict=True)):
            _validate.exact_sample_size(
                f"n[{m}]" if len(set(n)) > 1 else "n", n_m, f"d_m[{m}]", d_m, f"teacher {m}"
            )
    else:
        m = int(np.argmax(model.d_m))
        _validate.exact_sample_size("n", n[0], f"d_m[{m}]", model.d_m[m], f"teacher {m} (the largest)")


def expected_quadratic(
    model: MultiTeacherModelData,
    n: int | Sequence[int],
    N: int,
    labels: Labels = "disjoint",
    *,
    plug_in: bool = False,
) -> RiskQuadratic:
    r"""The exact :math:`\mathbb E\,\mathrm{ER}(\alpha)` as a :class:`RiskQuadratic`.

    Parameters
    ----------
    model
        The teachers, student, target and noise.
    n
        Labelled sample sizes: one per teacher (or one integer for all) with ``labels="disjoint"``; one
        integer with ``labels="shared"``. Needs :math:`n_m>d_m+1` (the expectation is infinite otherwise).
    N
        Unlabelled (pseudo-labelled) sample size of the student, :math:`N>d_s+1`.
    labels
        ``"disjoint"``: each teacher has its own labels (exact for any subspaces). ``"shared"``: all
        teachers fit the same labels (exact when their projectors commute pairwise).
    plug_in
        Shared set with non-commuting projectors: ``False`` (default) raises, the risk is Monte Carlo only;
        ``True`` returns the plug-in (:math:`c=\operatorname{tr}P_mP_l` etc.) with ``exact=False``.
    """
    labels = _validate.choice("labels", labels, LABELS)
    sizes = sample_sizes("n", n, model.M)
    if labels == "shared" and len(set(sizes)) > 1:
        raise ValueError(f"n must be one integer with labels='shared' (one labelled set), got {list(sizes)}")
    N = _validate.positive_int("N", N)
    _check_sizes(model, sizes, N, labels)
    exact = labels == "disjoint" or model.commuting
    if not exact and not plug_in:
        raise ValueError(
            "no closed form: the teachers share one labelled set and their projectors do not commute "
            f"(max |P_m P_l - P_l P_m|_F = {model.commutator:.3g}); the expected risk is Monte Carlo only "
            "here (simulate()). plug_in=True gives the natural plug-in, which is biased (not exact)."
        )
    t, p = model.teacher_invariants(), model.pair_invariants()
    exact_forms = CLOSED_FORMS["exact"]
    common = {"N": N, "d_s": model.d_s, "sigma2": model.sigma2}
    n_arr = np.asarray(sizes, dtype=float)
    if labels == "disjoint":
        K = np.diag(
            evaluate(
                exact_forms["k_disjoint"], **common, n=n_arr, d_w=t["d_w"], d_sw=t["d_sw"], rho_w=t["rho_w"]
            )
        )
    else:
        K = evaluate(
            exact_forms["k_shared"],
            **common,
            n=n_arr[0],
            **{k: p[k] for k in ("c", "d_sc", "rho_c", "coupling_s", "coupling_ws")},
        )
    Q = evaluate(exact_forms["q"], **common, bias_sw_ml=p["bias_sw_ml"], bias_ws_ml=p["bias_ws_ml"], k_ml=K)
    return RiskQuadratic(model.beta_norm2, model.rho_s, t["b"], (Q + Q.T) / 2, K, labels, exact)
