"""Enhanced-W2S pipeline: group-label-free, reproducible, validated at the boundary."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from w2s_theory.remedy import ClassificationTask, simulate_enhanced
from w2s_theory.remedy.data import sample
from w2s_theory.remedy.enhanced import Pipeline, Variant, enhanced_w2s, simulate_variants
from w2s_theory.remedy.experiments import Setting
from w2s_theory.spurious import SpuriousModel

# the figures' fast setting: the compiled program is shared with tests/test_remedy_scenarios.py
FAST = Setting(d_z=10, n=200, N=500, trials=40)
TASK = FAST.task()
SMALL = dict(n=FAST.n, N=FAST.N, eta_l=0.1, eta_u=0.5, eta_t=0.5, p=0.5, q=0.7)


@pytest.mark.parametrize("head", ["squares", "logistic"])
def test_no_group_label_reaches_the_learners_or_the_filter(head):
    """Shuffling the group labels (or making them NaN) changes nothing the pipeline computes."""
    k_lab, k_unl, k_perm = jax.random.split(jax.random.key(3), 3)
    lab, unl = sample(k_lab, TASK, 80, 0.1), sample(k_unl, TASK, 150, 0.5)
    run = jax.jit(partial(enhanced_w2s, TASK, Pipeline(n=80, N=150, filters=((75, 1),), head=head), k=75))
    ref = run(lab, unl, 0.7)
    shuffled = unl._replace(g=jax.random.permutation(k_perm, unl.g))
    assert not np.array_equal(shuffled.g, unl.g)
    nan = unl._replace(g=jnp.full_like(unl.g, jnp.nan))
    for lab_g, unl_g in ((lab._replace(g=lab.g[::-1]), shuffled), (lab._replace(g=lab.g * jnp.nan), nan)):
        out = run(lab_g, unl_g, 0.7)
        for name in ref:
            np.testing.assert_array_equal(out[name], ref[name], err_msg=name)
    assert np.all(np.isfinite(ref["theta_enhanced"]))


def test_outputs_are_consistent():
    r = simulate_enhanced(TASK, **SMALL, trials=40, seed=0)
    for who in ("teacher", "w2s", "enhanced", "subset_ls"):
        np.testing.assert_allclose(r[f"{who}_acc"], 0.5 * (r[f"{who}_acc0"] + r[f"{who}_acc1"]))
        assert np.all(r[f"{who}_worst"] <= r[f"{who}_acc"] + 1e-15)
        assert np.all((0.5 <= r[f"{who}_acc0"]) & (r[f"{who}_acc0"] <= TASK.bayes_accuracy + 1e-12))
    assert np.all((0 <= r["eta_u_eff"]) & (r["eta_u_eff"] <= 1))
    # regression excess risk only where it applies (least-squares heads)
    assert {"teacher_er", "w2s_er", "subset_ls_er"} <= r.keys() and "enhanced_er" not in r
    assert np.all(r["w2s_er"] > 0)
    # eta_u_eff is a mean over exactly ceil(pN) = 250 points
    np.testing.assert_allclose(r["eta_u_eff"] * 250, np.round(r["eta_u_eff"] * 250), atol=1e-9)


VARIANTS = [
    Variant(p=0.5, q=0.7),
    Variant(p=0.5, q=0.3, pseudolabels="student"),
    Variant(p=0.3, q=0.7, init="scratch"),
    dict(p=0.3, q=1.0),
    Variant(p=0.5, q=0.7),  # listed twice
]


def test_variants_equal_separate_runs_on_the_same_trials():
    """simulate_variants shares steps 1-2, the ranking and the test draws, and each of its results is
    simulate_enhanced's for that variant with the same seed, bit for bit (GCE fits sharing a keep count run
    in one loop); a variant listed twice gets equal copies, not the same arrays. (Any chunk size gives the
    same numbers: the driver's per-trial keys, tests/test_conformance.py.)"""
    kw = {k: v for k, v in SMALL.items() if k not in ("p", "q")}
    results = simulate_variants(TASK, **kw, variants=VARIANTS, trials=8, seed=5)
    assert len(results) == len(VARIANTS)
    for v, r in zip(VARIANTS, results, strict=True):
        single = simulate_enhanced(TASK, **kw, **(v if isinstance(v, dict) else v.__dict__), trials=8, seed=5)
        assert r.keys() == single.keys()
        for name in single:
            np.testing.assert_array_equal(r[name], single[name], err_msg=f"{v}: {name}")
    np.testing.assert_array_equal(results[0]["enhanced_acc"], results[-1]["enhanced_acc"])
    assert results[0]["enhanced_acc"] is not results[-1]["enhanced_acc"]
    assert not np.array_equal(results[0]["enhanced_acc"], results[1]["enhanced_acc"])


@pytest.mark.parametrize(
    ("variants", "match"),
    [
        ([], "variants must be a non-empty sequence"),
        (Variant(p=0.5, q=0.7), "variants must be a non-empty sequence"),
        ([dict(p=0.0, q=0.7)], "p must lie in"),
        ([dict(p=0.5, q=0.7, init="pretrained")], "init must be one of"),
    ],
)
def test_bad_variants_are_rejected_at_the_boundary(variants, match):
    kw = {k: v for k, v in SMALL.items() if k not in ("p", "q")}
    with pytest.raises(ValueError, match=match):
        simulate_variants(TASK, **kw, variants=variants, trials=2)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (dict(p=0.0), "p must lie in"),
        (dict(q=0.0), "q must lie in"),
        (dict(q=1.5), "q is a group fraction|q must"),
        (dict(eta_u=1.2), "eta_u"),
        (dict(head="hinge"), "head must be one of"),
        (dict(init="pretrained"), "init must be one of"),
    ],
)
def test_bad_input_is_rejected_at_the_boundary(change, match):
    with pytest.raises(ValueError, match=match):
        simulate_enhanced(TASK, **(SMALL | change), trials=2)


def test_soft_group_model_is_rejected():
    with pytest.raises(ValueError, match="hard"):
        ClassificationTask(SpuriousModel.canonical(6, group_model="soft"))
    with pytest.raises(ValueError, match="beta_norm"):
        ClassificationTask(TASK.model, beta_norm=0.0)


def test_least_squares_link_constants():
    """c = E[y z'beta]/|beta|^2 and sigma_eff^2 = E(y - c z'beta)^2, checked by a large sample."""
    s = sample(jax.random.key(0), TASK, 400_000, 0.3)
    a = np.asarray(s.z @ jnp.asarray(TASK.beta_star))
    y = np.asarray(s.y)
    se = np.std(y * a) / np.sqrt(y.size) / TASK.beta_norm**2
    assert abs(np.mean(y * a) / TASK.beta_norm**2 - TASK.ls_scale) < 5 * se
    resid2 = (y - TASK.ls_scale * a) ** 2
    assert abs(resid2.mean() - TASK.sigma_eff2) < 5 * resid2.std() / np.sqrt(y.size)
    assert abs(np.mean(np.sign(a) == y) - TASK.bayes_accuracy) < 5 * 0.5 / np.sqrt(y.size)
