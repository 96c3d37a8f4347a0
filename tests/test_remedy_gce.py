"""GCE identities (docs/theory/remedy.md §4.3), the entropy filter (docs/theory/remedy.md §5), and the
optax heads' convergence."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2s_theory.remedy.confidence import binary_entropy, keep_count, most_confident
from w2s_theory.remedy.gce import cross_entropy, gce
from w2s_theory.remedy.heads import fit_gce, fit_logistic, margin_objective

margins = st.floats(-30.0, 30.0, allow_nan=False)


@given(margins)
def test_gce_tends_to_cross_entropy_as_q_to_0(u):
    u = jnp.asarray(u)
    ce = float(cross_entropy(u))
    for q in (1e-4, 1e-6):
        # L_q = CE - q CE^2 / 2 + O(q^2): the first-order term is the exact slope at q = 0
        assert float(gce(u, q)) == pytest.approx(ce - q * ce**2 / 2, rel=1e-12 + q * ce**2, abs=1e-300)
    assert float(gce(u, 1e-12)) == pytest.approx(ce, rel=1e-9, abs=1e-300)


@given(margins)
def test_gce_at_q_1_is_mae(u):
    u = jnp.asarray(u)
    p = jax.nn.sigmoid(u)  # probability of the pseudolabel
    probs, onehot = jnp.stack([p, 1 - p]), jnp.array([1.0, 0.0])
    assert float(gce(u, 1.0)) == pytest.approx(float(1 - p), rel=1e-12, abs=1e-15)
    assert float(gce(u, 1.0)) == pytest.approx(0.5 * float(jnp.sum(jnp.abs(onehot - probs))), abs=1e-15)


@given(margins, st.floats(0.05, 1.0))
def test_gce_gradient_is_ce_gradient_weighted_by_p_to_the_q(u, q):
    u = jnp.asarray(u)
    weight = jax.nn.sigmoid(u) ** q
    assert float(jax.grad(gce)(u, q)) == pytest.approx(float(weight * jax.grad(cross_entropy)(u)), rel=1e-10)


@given(st.floats(-50.0, 50.0), st.floats(-50.0, 50.0))
def test_entropy_is_symmetric_bounded_and_decreasing_in_margin(a, b):
    ha, hb = float(binary_entropy(jnp.asarray(a))), float(binary_entropy(jnp.asarray(b)))
    assert 0.0 <= ha <= np.log(2) + 1e-15
    assert ha == pytest.approx(float(binary_entropy(jnp.asarray(-a))), rel=1e-12, abs=1e-300)
    if abs(a) < abs(b) - 1e-9:
        assert ha >= hb
    assert np.isfinite(float(binary_entropy(jnp.asarray(1e4))))


@pytest.mark.parametrize(
    ("p", "N", "k"),
    [(0.1, 1000, 100), (0.3, 1000, 300), (0.7, 10, 7), (0.333, 10, 4), (1.0, 17, 17), (1e-9, 5, 1)],
)
def test_keep_count_is_ceil_pN(p, N, k):
    assert keep_count(p, N) == k


@pytest.mark.parametrize("p", [0.0, -0.1, 1.5, float("nan")])
def test_keep_count_rejects_bad_fractions(p):
    with pytest.raises(ValueError, match="p"):
        keep_count(p, 10)


@settings(max_examples=30)
@given(st.sampled_from([1, 7, 200]), st.floats(0.01, 1.0), st.integers(0, 2**16))
def test_filter_keeps_exactly_ceil_pN_lowest_entropy_points(N, p, seed):
    logits = jnp.asarray(np.random.default_rng(seed).standard_normal(N) * 3)
    k = keep_count(p, N)
    kept = np.asarray(most_confident(logits, k))
    assert kept.shape == (k,) and len(set(kept.tolist())) == k
    H = np.asarray(binary_entropy(logits))
    dropped = np.setdiff1d(np.arange(N), kept)
    if dropped.size:
        assert H[kept].max() <= H[dropped].min()


def test_optax_heads_reach_a_stationary_point():
    key_x, key_y = jax.random.split(jax.random.key(0))
    X = jax.random.normal(key_x, (300, 8))
    y = jnp.where(X @ jnp.ones(8) + jax.random.normal(key_y, (300,)) * 2 >= 0, 1.0, -1.0)
    theta = fit_logistic(X, y)
    grad = jax.grad(margin_objective(X, y, cross_entropy))(theta)
    assert float(jnp.linalg.norm(grad)) < 1e-8
    theta_q = fit_gce(X, y, 0.7, theta0=theta)
    grad_q = jax.grad(margin_objective(X, y, lambda u: gce(u, 0.7)))(theta_q)
    assert float(jnp.linalg.norm(grad_q)) < 1e-8
