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

**Variants on the same trials** (:func:`simulate_variants`, ``docs/theory/remedy.md`` §6): steps 1–2, the
filter's ranking and the test draws do not depend on :math:`p`, :math:`q`, the start or the pseudolabels,
so one trial runs them once and then steps 3–5 for every requested :class:`Variant` (common random numbers:
differences between variants are paired). Each keep count :math:`\lceil pN\rceil` fixes array shapes, so
the program holds one filter per distinct count, and the GCE fits sharing a count run one after another
(``lax.map``) with their :math:`q`, start and labels traced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import Seed
from w2s_theory.family import Family, run_trials
from w2s_theory.remedy.confidence import confidence_order, keep_count, most_confident
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
    """The static part of a run: sizes and choices that fix array shapes and the compiled program.

    ``filters`` lists the keep counts of the confidence filter with the number of GCE fits on each, as
    ``(k, fits)`` pairs (one pair for a single point); the fits' :math:`q`, start and pseudolabels are traced
    instead (:class:`Traced`), in the order of ``filters``."""

    n: int
    N: int
    filters: tuple[tuple[int, int], ...]
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


def _gce_on_kept(
    Psi_k: jax.Array,
    scores_T_k: jax.Array,
    scores_S_k: jax.Array,
    theta_S: jax.Array,
    q: float | jax.Array,
    l2: float | jax.Array,
    from_scratch: bool | jax.Array,
    student_labels: bool | jax.Array,
    steps: int,
) -> jax.Array:
    """Step 4 on the kept rows: the GCE head on the teacher's pseudolabels (or the W2S student's own), from
    the W2S student (or from zero)."""
    pseudo = jnp.where(scores_T_k >= 0, 1.0, -1.0)
    targets = jnp.where(student_labels, jnp.where(scores_S_k >= 0, 1.0, -1.0), pseudo)
    theta0 = jnp.where(from_scratch, 0.0, theta_S)
    return fit_gce(Psi_k, targets, q, theta0=theta0, l2=l2, steps=steps)


def enhanced_w2s(
    task: ClassificationTask,
    pipe: Pipeline,
    lab: GroupSample,
    unl: GroupSample,
    q: float | jax.Array,
    l2: float | jax.Array = L2,
    from_scratch: bool | jax.Array = False,
    student_labels: bool | jax.Array = False,
    *,
    k: int,
) -> dict[str, jax.Array]:
    r"""Steps 1-5 on given data, keeping the ``k`` most confident unlabelled points (``pipe`` gives the
    head and the L-BFGS steps; its ``filters`` are not used); returns the heads ``theta_teacher``,
    ``theta_w2s``, ``theta_enhanced``, ``theta_subset_ls`` and the ``kept`` indices. Reads
    ``lab.z, lab.xi, lab.y, unl.z, unl.xi`` only: never a group label, and never the true labels of the
    unlabelled points.

    The GCE fit starts from zero when ``from_scratch`` (``init="scratch"``), from the W2S student
    otherwise, and fits the W2S student's own labels when ``student_labels`` (``pseudolabels="student"``),
    the teacher's otherwise; both may be traced (one program for every start and pseudolabel choice)."""
    theta_T, scores_T, theta_S, Psi_u = _teacher_and_student(task, pipe, lab, unl, l2)
    scores_S = Psi_u @ theta_S
    kept = most_confident(scores_S, k)
    theta_E = _gce_on_kept(
        Psi_u[kept], scores_T[kept], scores_S[kept], theta_S, q, l2, from_scratch, student_labels, pipe.steps
    )
    theta_sub = fit_least_squares(Psi_u[kept], scores_T[kept])
    return {
        "theta_teacher": theta_T,
        "theta_w2s": theta_S,
        "theta_enhanced": theta_E,
        "theta_subset_ls": theta_sub,
        "kept": kept,
        "pseudolabels": jnp.where(scores_T >= 0, 1.0, -1.0),
    }


def _metrics(task: ClassificationTask, who: str, theta: jax.Array, xi_test, least_squares: bool) -> dict:
    """Per-group accuracy (and regression excess risk for a least-squares head) of one head."""
    model = task.model
    U = model.T if who == "teacher" else model.S
    out = {}
    for g in (0, 1):
        out[f"{who}_acc{g}"] = group_accuracy(task, theta, group_features(xi_test[g], U))
        if least_squares:  # the regression excess risk applies to least-squares heads only
            M_h = model.M_w(float(g)) if who == "teacher" else model.M_psi(float(g))
            out[f"{who}_er{g}"] = group_excess_risk(task, theta, M_h)
    return out


def _trial(task: ClassificationTask, pipe: Pipeline, key, traced: Traced) -> dict[str, jax.Array]:
    model = task.model
    k_lab, k_unl, k_test = jax.random.split(key, 3)
    lab = sample(k_lab, task, pipe.n, traced.eta_l)
    unl = sample(k_unl, task, pipe.N, traced.eta_u)
    theta_T, scores_T, theta_S, Psi_u = _teacher_and_student(task, pipe, lab, unl, traced.l2)
    scores_S = Psi_u @ theta_S
    order = confidence_order(scores_S)
    noise = jax.random.normal(k_test, (2, pipe.test_draws, model.p)) * jnp.sqrt(model.sigma_xi2)
    xi_test = (noise[0], noise[1] + jnp.asarray(model.mu_xi)[None, :])
    squares = pipe.head == "squares"
    out = _metrics(task, "teacher", theta_T, xi_test, squares) | _metrics(
        task, "w2s", theta_S, xi_test, squares
    )
    correct = (jnp.where(scores_T >= 0, 1.0, -1.0) == unl.y).astype(unl.y.dtype)
    out["eta_u_sample"] = jnp.mean(unl.g)
    out["pseudo_acc_all"] = jnp.mean(correct)
    per_filter, per_fit, first = [], [], 0
    for k, count in pipe.filters:
        kept = order[:k]
        Psi_k, scores_T_k, scores_S_k = Psi_u[kept], scores_T[kept], scores_S[kept]
        per_filter.append(
            _metrics(task, "subset_ls", fit_least_squares(Psi_k, scores_T_k), xi_test, True)
            | {"eta_u_eff": jnp.mean(unl.g[kept]), "pseudo_acc_kept": jnp.mean(correct[kept])}
        )

        def fit(choice, Psi_k=Psi_k, scores_T_k=scores_T_k, scores_S_k=scores_S_k):
            theta_E = _gce_on_kept(
                Psi_k, scores_T_k, scores_S_k, theta_S, choice[0], traced.l2, choice[1], choice[2], pipe.steps
            )
            return _metrics(task, "enhanced", theta_E, xi_test, False)

        choices = tuple(
            a[first : first + count] for a in (traced.q, traced.from_scratch, traced.student_labels)
        )
        if count == 1:  # a single fit runs inline: a one-trip loop would compile to other fusions
            per_fit.append(jax.tree.map(lambda x: x[None], fit(tuple(c[0] for c in choices))))
        else:
            per_fit.append(jax.lax.map(fit, choices))
        first += count
    out |= {name: jnp.stack([f[name] for f in per_filter]) for name in per_filter[0]}
    out |= {name: jnp.concatenate([f[name] for f in per_fit]) for name in per_fit[0]}
    return out


class Traced(NamedTuple):
    """The traced arguments of a trial: the two fractions and the ridge, and per GCE fit (in the order of
    :attr:`Pipeline.filters`) the exponent ``q`` and the two flags (start from zero; fit the student's own
    labels), so a sweep over them never recompiles."""

    eta_l: jax.Array
    eta_u: jax.Array
    l2: jax.Array
    q: jax.Array
    from_scratch: jax.Array
    student_labels: jax.Array


def trial(
    key: jax.Array, traced: Traced, static: tuple[ClassificationTask, Pipeline]
) -> dict[str, jax.Array]:
    """The family's trial function: one run of the pipeline and its metrics, per filter (``subset_ls_*``,
    ``eta_u_eff``, ``pseudo_acc_kept``) and per GCE fit (``enhanced_*``) along a last axis."""
    task, pipe = static
    return _trial(task, pipe, key, traced)


def trial_bytes(static: tuple[ClassificationTask, Pipeline]) -> int:
    """Working memory of one trial (float64 bytes): both feature matrices, each filter's kept rows and the
    test draws."""
    task, pipe = static
    d_T = task.model.p_T * task.d_z
    kept = sum(k for k, _ in pipe.filters)
    return 8 * ((4 * (pipe.n + pipe.N) + kept) * d_T + 2 * pipe.test_draws * (task.model.p + task.d_z))


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


@dataclass(frozen=True)
class Variant:
    """One setting of steps 3-4: kept fraction ``p`` in (0, 1], GCE exponent ``q`` in (0, 1], the GCE fit's
    start ``init`` (``"w2s"`` or ``"scratch"``) and ``pseudolabels`` (``"teacher"`` or ``"student"``)."""

    p: float
    q: float
    init: str = "w2s"
    pseudolabels: str = "teacher"

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", _validate.positive_fraction("p", self.p))
        object.__setattr__(self, "q", _validate.positive_fraction("q", self.q))
        _validate.choice("init", self.init, INITS)
        _validate.choice("pseudolabels", self.pseudolabels, PSEUDOLABELS)


def simulate_variants(
    task: ClassificationTask,
    *,
    n: int,
    N: int,
    eta_l: float,
    eta_u: float,
    eta_t: float,
    variants: Sequence[Variant | Mapping[str, Any]],
    trials: int,
    seed: Seed = 0,
    head: str = "squares",
    l2: float = L2,
    steps: int = STEPS,
    test_draws: int = TEST_DRAWS,
    chunk_size: int | None = None,
) -> list[dict[str, np.ndarray]]:
    r"""Per-trial metrics of every variant (a :class:`Variant`, or a dict of its fields) on the same trials:
    one result per variant, in order, each with the keys of :func:`simulate_enhanced`.

    Steps 1-2, the filter's ranking and the test draws run once per trial and are shared (teacher and
    vanilla W2S metrics are the same arrays in every result), so differences between variants are paired.
    Each distinct keep count :math:`\lceil pN\rceil` adds a filter to the compiled program; ``q``, ``init``
    and ``pseudolabels`` are traced; a variant listed twice is computed once. Each result equals what
    :func:`simulate_enhanced` gives for that variant with the same ``seed`` (tested bit for bit on CPU),
    at a fraction of the cost (``docs/theory/remedy.md`` §6). Same ``seed`` and variants give the same
    numbers, for any ``chunk_size``.
    """
    n = _validate.positive_int("n", n, minimum=2)
    N = _validate.positive_int("N", N, minimum=2)
    eta_l, eta_u, eta_t = (
        _validate.fraction(name, v) for name, v in (("eta_l", eta_l), ("eta_u", eta_u), ("eta_t", eta_t))
    )
    l2 = _validate.nonnegative_float("l2", l2)
    if isinstance(variants, Variant | Mapping) or len(variants) == 0:
        raise ValueError(
            f"variants must be a non-empty sequence of Variant (or dicts of its fields), got {variants!r}"
        )
    listed = [v if isinstance(v, Variant) else Variant(**v) for v in variants]
    keep = {v: keep_count(v.p, N) for v in listed}  # a variant listed twice is computed once
    distinct = list(dict.fromkeys(keep.values()))  # keep counts in order of first appearance
    chosen = sorted(keep, key=lambda v: distinct.index(keep[v]))  # the fits, grouped by keep count
    pipe = Pipeline(
        n=n,
        N=N,
        filters=tuple((k, list(keep.values()).count(k)) for k in distinct),
        head=_validate.choice("head", head, HEADS),
        steps=_validate.positive_int("steps", steps),
        test_draws=_validate.positive_int("test_draws", test_draws),
    )
    f64 = lambda v: jnp.asarray(v, dtype=jnp.float64)
    traced = Traced(
        f64(eta_l),
        f64(eta_u),
        f64(l2),
        f64([v.q for v in chosen]),
        jnp.asarray([v.init == "scratch" for v in chosen]),
        jnp.asarray([v.pseudolabels == "student" for v in chosen]),
    )
    out = run_trials(
        FAMILY, traced, (task, pipe), trials=trials, seed=seed, chunk_size=chunk_size, context=f"n={n}, N={N}"
    )
    results = []
    for f, v in enumerate(chosen):
        j = distinct.index(keep[v])
        one = {}
        for name, value in out.items():
            if name.startswith("enhanced_"):  # per GCE fit
                one[name] = value[:, f]
            elif name.startswith("subset_ls_") or name in ("eta_u_eff", "pseudo_acc_kept"):  # per filter
                one[name] = value[:, j]
            else:  # shared by every variant
                one[name] = value
        for who in LEARNERS:
            one[f"{who}_acc"] = (1 - eta_t) * one[f"{who}_acc0"] + eta_t * one[f"{who}_acc1"]
            one[f"{who}_worst"] = np.minimum(one[f"{who}_acc0"], one[f"{who}_acc1"])
            if f"{who}_er0" in one:
                one[f"{who}_er"] = (1 - eta_t) * one[f"{who}_er0"] + eta_t * one[f"{who}_er1"]
        results.append(one)
    return [{name: value.copy() for name, value in results[chosen.index(v)].items()} for v in listed]


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
    ``seed`` gives the same numbers, for any ``chunk_size``. Several settings of ``p, q, init,
    pseudolabels`` on the same trials: :func:`simulate_variants`.
    """
    variant = Variant(p=p, q=q, init=init, pseudolabels=pseudolabels)
    return simulate_variants(
        task,
        n=n,
        N=N,
        eta_l=eta_l,
        eta_u=eta_u,
        eta_t=eta_t,
        variants=[variant],
        trials=trials,
        seed=seed,
        head=head,
        l2=l2,
        steps=steps,
        test_draws=test_draws,
        chunk_size=chunk_size,
    )[0]
