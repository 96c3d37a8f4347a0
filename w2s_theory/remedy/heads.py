r"""Linear heads on frozen features (``docs/theory/remedy.md`` §4): least squares, logistic, GCE.

* :func:`fit_least_squares`: ridgeless least squares on real targets (:math:`\pm1` labels, or the
  teacher's real-valued scores in W2S), through the package's one kernel
  :func:`w2s_theory._linalg.min_norm_lstsq`; this keeps the link to the regression theory.
* :func:`fit_logistic` and :func:`fit_gce`: minimise
  :math:`\frac1m\sum_i\ell(\hat y_ix_i^\top\theta)+\frac\lambda2\|\theta\|^2` with
  :math:`\ell=\mathrm{CE}` or :math:`\mathcal L_q` (:mod:`w2s_theory.remedy.gce`) by optax L-BFGS with a
  zoom line search, a fixed number of ``steps`` inside ``lax.scan`` (jit-able, deterministic). The small
  ridge :math:`\lambda` makes the logistic minimiser exist when the labels are separable.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

from w2s_theory._linalg import min_norm_lstsq
from w2s_theory.remedy.gce import cross_entropy, gce

#: Default ridge on the mean loss of the logistic and GCE heads, and default L-BFGS steps.
L2 = 1e-4
STEPS = 60


def fit_least_squares(X: jax.Array, targets: jax.Array) -> jax.Array:
    r"""Ridgeless least squares :math:`X^+t` (OLS when :math:`m\ge d`)."""
    return min_norm_lstsq(X, targets)


def minimize(
    objective: Callable[[jax.Array], jax.Array], theta0: jax.Array, steps: int = STEPS
) -> tuple[jax.Array, jax.Array]:
    r"""``steps`` iterations of optax L-BFGS (zoom line search) from ``theta0``; returns the final
    parameters and the objective before each step."""
    opt = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(objective)

    def step(carry, _):
        theta, state = carry
        value, grad = value_and_grad(theta, state=state)
        updates, state = opt.update(grad, state, theta, value=value, grad=grad, value_fn=objective)
        return (optax.apply_updates(theta, updates), state), value

    (theta, _), values = jax.lax.scan(step, (theta0, opt.init(theta0)), None, length=steps)
    return theta, values


def margin_objective(
    X: jax.Array, labels: jax.Array, loss: Callable[[jax.Array], jax.Array], l2: float = L2
) -> Callable[[jax.Array], jax.Array]:
    r""":math:`\theta\mapsto\frac1m\sum_i\ell(\hat y_ix_i^\top\theta)+\frac\lambda2\|\theta\|^2`."""

    def objective(theta: jax.Array) -> jax.Array:
        return jnp.mean(loss(labels * (X @ theta))) + 0.5 * l2 * jnp.sum(theta**2)

    return objective


def fit_logistic(
    X: jax.Array, labels: jax.Array, theta0: jax.Array | None = None, l2: float = L2, steps: int = STEPS
) -> jax.Array:
    r"""Ridge-regularised logistic regression on labels :math:`\hat y\in\{-1,+1\}`."""
    theta0 = jnp.zeros(X.shape[1], X.dtype) if theta0 is None else theta0
    return minimize(margin_objective(X, labels, cross_entropy, l2), theta0, steps)[0]


def fit_gce(
    X: jax.Array,
    labels: jax.Array,
    q: float | jax.Array,
    theta0: jax.Array | None = None,
    l2: float = L2,
    steps: int = STEPS,
) -> jax.Array:
    r"""Ridge-regularised GCE(:math:`q`) head on labels :math:`\hat y\in\{-1,+1\}` (non-convex for
    :math:`q>0`: the result depends on ``theta0``, the W2S student or zero)."""
    theta0 = jnp.zeros(X.shape[1], X.dtype) if theta0 is None else theta0
    return minimize(margin_objective(X, labels, lambda u: gce(u, q), l2), theta0, steps)[0]
