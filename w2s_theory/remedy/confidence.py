r"""The confidence filter of Enhanced-W2S: keep the lowest-entropy fraction ``p``
(``docs/theory/remedy.md`` §1 steps 3–4, and §5).

For a binary head with logit :math:`f`, the predictive distribution is :math:`(\sigma(f),\sigma(-f))` and

.. math:: H(f)=\sigma(f)\operatorname{softplus}(-f)+\sigma(-f)\operatorname{softplus}(f),

which decreases in :math:`|f|` (so "lowest entropy" = "largest margin", for any monotone link). The filter
sees only the student's logits on the unlabelled points: group labels never reach it (tested by shuffling
them).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from w2s_theory import _validate


def binary_entropy(logit: jax.Array) -> jax.Array:
    r"""Entropy (nats) of :math:`(\sigma(f),1-\sigma(f))`, finite for every finite logit."""
    return jax.nn.sigmoid(logit) * jax.nn.softplus(-logit) + jax.nn.sigmoid(-logit) * jax.nn.softplus(logit)


def keep_count(p: float, N: int) -> int:
    r""":math:`\lceil pN\rceil` for :math:`p\in(0,1]`, with :math:`pN` rounded to 9 decimals first so a
    decimal ``p`` such as 0.1 (stored as 0.1000000000000000055) keeps exactly the intended count."""
    N = _validate.positive_int("N", N)
    p = _validate.positive_fraction("p", p)
    return max(1, math.ceil(round(p * N, 9)))


def confidence_order(logit: jax.Array) -> jax.Array:
    r"""Indices of all points by increasing :func:`binary_entropy` (ties: lower index first); its first
    ``k`` entries are :func:`most_confident`, for every ``k``."""
    return jnp.argsort(binary_entropy(logit), stable=True)


def most_confident(logit: jax.Array, k: int) -> jax.Array:
    r"""Indices of the ``k`` points with the lowest :func:`binary_entropy` (ties: lower index first)."""
    return confidence_order(logit)[:k]
