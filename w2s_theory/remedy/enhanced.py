r"""The Enhanced-W2S pipeline (``docs/theory/remedy.md`` §1, §6) in the classification group model, one
trial at a time.

Per trial (keys: labelled set, unlabelled set, test draws):

1. **teacher** on :math:`n` labelled points from :math:`\mathcal D(\eta_\ell)`, features :math:`z\otimes w`;
2. **vanilla W2S** student on :math:`N` unlabelled points from :math:`\mathcal D(\eta_u)`, features
   :math:`z\otimes\psi`, fitted to the teacher: ``head="squares"`` regresses on the teacher's real-valued
   scores (exactly the regression W2S of ``docs/theory/spurious.md`` §3.1), ``head="logistic"`` fits the
   teacher's hard labels :math:`\hat y=\operatorname{sign}f_T`;
3. **confidence filter**: keep the :math:`\lceil pN\rceil` unlabelled points with the lowest predictive
   entropy of the W2S student (:mod:`w2s_theory.remedy.confidence`; it sees the student's logits only);
4. **Enhanced-W2S**: GCE(:math:`q`) head on the kept points with the teacher's pseudolabels
   :math:`\hat y=\operatorname{sign}f_T` (default, ``docs/theory/remedy.md`` §2: "GCE mitigates
   pseudolabel noise from the weak teacher"; ``pseudolabels="student"`` uses the W2S student's own
   predictions instead, the other reading of the paper), started from the W2S student (``init="w2s"``)
   or from zero (``init="scratch"``);
5. **subset least squares** (mechanism probe): the regression W2S student refitted on the kept points
   only. Its risk is what the closed form at :math:`(\eta_u^{\rm eff},N_{\rm eff}=\lceil pN\rceil)`
   describes.

Group labels are drawn with the data but passed only to the metrics: the minority fraction of the kept
subset :math:`\eta_u^{\rm eff}`, and per-group accuracies (:mod:`w2s_theory.remedy.evaluate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import Family, run_trials
from w2s_theory.remedy.confidence import keep_count, most_confident
from w2s_theory.remedy.data import ClassificationTask, GroupSample, group_features, product_features, sample
from w2s_theory.remedy.evaluate import group_accuracy, group_excess_risk
from w2s_theory.remedy.heads import L2, STEPS, fit_gce, fit_least_squares, fit_logistic

HEADS: tuple[str, ...] = ("squares", "logistic")
INITS: tuple[str, ...] = ("w2s", "scratch")
PSEUDOLABELS: tuple[str, ...] = ("teacher", "student")
#: Learners whose per-group accuracy is reported; ``LS_LEARNERS`` also get a regression excess risk.
LEARNERS: tuple[str, ...] = ("teacher", "w2s", "enhanced", "subset_ls")
TEST_DRAWS = 2048


@dataclass(frozen=True)
class Pipeline:
    """The static part of a run: sizes and choices that fix array shapes and the compiled program (the
    start and the pseudolabels of the GCE fit are traced flags instead, see :class:`Traced`)."""

    n: int
    N: int
    k: int
    head: str = "squares"
    steps: int = STEPS
    test_draws: int = TEST_DRAWS


def _teacher_and_student(task: ClassificationTask, pipe: Pipeline, lab: GroupSample, unl: GroupSample, l2):
    model = task.model
    Phi = product_features(lab.z, group_features(lab.xi, model.T))
    Phi_u = product_features(unl.z, group_features(unl.xi, model.T))
    Psi_u = product_features(unl.z, group_features(unl.xi, model.S))
    if pipe.head == "squares":
        theta_T = fit_least_squares(Phi, lab.y)
        scores_T = Phi_u @ theta_T
        theta_S = fit_least_squares(Psi_u, scores_T)
    else:
        theta_T = fit_logistic(Phi, lab.y, l2=l2, steps=pipe.steps)
        scores_T = Phi_u @ theta_T
        theta_S = fit_logistic(Psi_u, jnp.where(scores_T >= 0, 1.0, -1.0), l2=l2, steps=pipe.steps)
    return theta_T, scores_T, theta_S, Psi_u


def enhanced_w2s(
    task: ClassificationTask,
    pipe: Pipeline,
    lab: GroupSample,
    unl: GroupSample,
    q: float | jax.Array,
    l2: float | jax.Array = L2,
    from_scratch: bool | jax.Array = False,
    student_labels: bool | jax.Array = False,
) -> dict[str, jax.Array]:
    r"""Steps 1-5 on given data; returns the heads ``theta_teacher``, ``theta_w2s``, ``theta_enhanced``,
    ``theta_subset_ls`` and the ``kept`` indices. Reads ``lab.z, lab.xi, lab.y, unl.z, unl.xi`` only:
    never a group label, and never the true labels of the unlabelled points.

    The GCE fit starts from zero when ``from_scratch`` (``init="scratch"``), from the W2S student
    otherwise, and fits the W2S student's own labels when ``student_labels`` (``pseudolabels="student"``),
    the teacher's otherwise; both may be traced (one program for every start and pseudolabel choice)."""
    theta_T, scores_T, theta_S, Psi_u = _teacher_and_student(task, pipe, lab, unl, l2)
    scores_S = Psi_u @ theta_S
    kept = most_confident(scores_S, pipe.k)
    pseudo = jnp.where(scores_T >= 0, 1.0, -1.0)
    targets = jnp.where(student_labels, jnp.where(scores_S >= 0, 1.0, -1.0), pseudo)
    theta0 = jnp.where(from_scratch, 0.0, theta_S)
    theta_E = fit_gce(Psi_u[kept], targets[kept], q, theta0=theta0, l2=l2, steps=pipe.steps)
    theta_sub = fit_least_squares(Psi_u[kept], scores_T[kept])
    return {
        "theta_teacher": theta_T,
        "theta_w2s": theta_S,
        "theta_enhanced": theta_E,
        "theta_subset_ls": theta_sub,
        "kept": kept,
        "pseudolabels": pseudo,
    }


def _trial(
    task: ClassificationTask, pipe: Pipeline, key, eta_l, eta_u, q, l2, from_scratch, student_labels
) -> dict[str, jax.Array]:
    model = task.model
    k_lab, k_unl, k_test = jax.random.split(key, 3)
    lab = sample(k_lab, task, pipe.n, eta_l)
    unl = sample(k_unl, task, pipe.N, eta_u)
    fit = enhanced_w2s(task, pipe, lab, unl, q, l2, from_scratch, student_labels)
    noise = jax.random.normal(k_test, (2, pipe.test_draws, model.p)) * jnp.sqrt(model.sigma_xi2)
    xi_test = (noise[0], noise[1] + jnp.asarray(model.mu_xi)[None, :])
    least_squares = {"subset_ls"} | ({"teacher", "w2s"} if pipe.head == "squares" else set())
    out: dict[str, jax.Array] = {}
    for who in LEARNERS:
        U = model.T if who == "teacher" else model.S
        for g in (0, 1):
            out[f"{who}_acc{g}"] = group_accuracy(task, fit[f"theta_{who}"], group_features(xi_test[g], U))
            if who in least_squares:  # the regression excess risk applies to least-squares heads only
                M_h = model.M_w(float(g)) if who == "teacher" else model.M_psi(float(g))
                out[f"{who}_er{g}"] = group_excess_risk(task, fit[f"theta_{who}"], M_h)
    kept = fit["kept"]
    correct = (fit["pseudolabels"] == unl.y).astype(unl.y.dtype)
    out["eta_u_eff"] = jnp.mean(unl.g[kept])
    out["eta_u_sample"] = jnp.mean(unl.g)
    out["pseudo_acc_all"] = jnp.mean(correct)
    out["pseudo_acc_kept"] = jnp.mean(correct[kept])
    return out


class Traced(NamedTuple):
    """The traced arguments of a trial: fractions, GCE exponent, ridge, and the two flags of the GCE fit
    (start from zero; fit the student's own labels), so a sweep over them never recompiles."""

    eta_l: jax.Array
    eta_u: jax.Array
    q: jax.Array
    l2: jax.Array
    from_scratch: jax.Array
    student_labels: jax.Array


def trial(
    key: jax.Array, traced: Traced, static: tuple[ClassificationTask, Pipeline]
) -> dict[str, jax.Array]:
    """The family's trial function: one run of the pipeline and its metrics."""
    task, pipe = static
    return _trial(task, pipe, key, *traced)


def trial_bytes(static: tuple[ClassificationTask, Pipeline]) -> int:
    """Working memory of one trial (float64 bytes): both feature matrices and the test draws."""
    task, pipe = static
    d_T = task.model.p_T * task.d_z
    return 8 * (4 * (pipe.n + pipe.N) * d_T + 2 * pipe.test_draws * (task.model.p + task.d_z))


#: The remedy as a family: no strong baseline or ceiling, so PGR / OPR are undefined (roles ``None``).
FAMILY = Family(
    name="remedy",
    trial=trial,
    outputs=tuple(
        [f"{who}_acc{g}" for who in LEARNERS for g in (0, 1)]
        + ["eta_u_eff", "eta_u_sample", "pseudo_acc_all", "pseudo_acc_kept"]
    ),
    trial_bytes=trial_bytes,
)


def simulate_enhanced(
    task: ClassificationTask,
    *,
    n: int,
    N: int,
    eta_l: float,
    eta_u: float,
    eta_t: float,
    p: float,
    q: float,
    trials: int,
    seed: Seed = 0,
    init: str = "w2s",
    head: str = "squares",
    pseudolabels: str = "teacher",
    l2: float = L2,
    steps: int = STEPS,
    test_draws: int = TEST_DRAWS,
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Per-trial metrics of teacher, vanilla W2S, Enhanced-W2S and the subset least-squares probe.

    Keys: ``{who}_acc0``, ``{who}_acc1`` (majority / minority accuracy), ``{who}_acc`` (on
    :math:`\mathcal D(\eta_t)`), ``{who}_worst`` (worst group) for ``who`` in :data:`LEARNERS`;
    ``{who}_er0/er1/er`` (regression excess risk) for the least-squares heads; ``eta_u_eff`` (minority
    fraction of the kept subset), ``eta_u_sample``, ``pseudo_acc_all`` / ``pseudo_acc_kept`` (accuracy of
    the teacher's pseudolabels on all / kept unlabelled points). ``eta_l, eta_u, q, l2, init, pseudolabels`` are
    traced (no recompilation across a sweep); ``n, N, p, head, steps, test_draws`` fix the program. Same
    ``seed`` gives the same numbers, for any ``chunk_size``.
    """
    n = _validate.positive_int("n", n, minimum=2)
    N = _validate.positive_int("N", N, minimum=2)
    eta_l, eta_u, eta_t = (
        _validate.fraction(name, v) for name, v in (("eta_l", eta_l), ("eta_u", eta_u), ("eta_t", eta_t))
    )
    q = _validate.positive_fraction("q", q)
    l2 = _validate.nonnegative_float("l2", l2)
    pipe = Pipeline(
        n=n,
        N=N,
        k=keep_count(p, N),
        head=_validate.choice("head", head, HEADS),
        steps=_validate.positive_int("steps", steps),
        test_draws=_validate.positive_int("test_draws", test_draws),
    )
    from_scratch = _validate.choice("init", init, INITS) == "scratch"
    student_labels = _validate.choice("pseudolabels", pseudolabels, PSEUDOLABELS) == "student"
    traced = Traced(
        *(jnp.asarray(v, dtype=jnp.float64) for v in (eta_l, eta_u, q, l2)),
        jnp.asarray(from_scratch),
        jnp.asarray(student_labels),
    )
    out = run_trials(
        FAMILY, traced, (task, pipe), trials=trials, seed=seed, chunk_size=chunk_size, context=f"n={n}, N={N}"
    )
    for who in LEARNERS:
        out[f"{who}_acc"] = (1 - eta_t) * out[f"{who}_acc0"] + eta_t * out[f"{who}_acc1"]
        out[f"{who}_worst"] = np.minimum(out[f"{who}_acc0"], out[f"{who}_acc1"])
        if f"{who}_er0" in out:
            out[f"{who}_er"] = (1 - eta_t) * out[f"{who}_er0"] + eta_t * out[f"{who}_er1"]
    return out
