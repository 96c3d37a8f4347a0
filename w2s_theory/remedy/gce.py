r"""Generalized cross-entropy (Zhang & Sabuncu 2018) for a binary linear head
(``docs/theory/remedy.md`` §4.3).

With a logit :math:`f(x)` and label :math:`\hat y\in\{-1,+1\}` the predicted probability of the label is
:math:`p_{\hat y}(x)=\sigma(\hat yf(x))`; write the margin :math:`u=\hat yf(x)`. Then

.. math::
    \mathrm{CE}=-\log p_{\hat y}=\operatorname{softplus}(-u),\qquad
    \mathcal L_q=\frac{1-p_{\hat y}^q}{q}=-\frac{\operatorname{expm1}(q\log p_{\hat y})}{q},\quad q\in(0,1].

Identities (tested): :math:`\mathcal L_q\to\mathrm{CE}` as :math:`q\to0`, with
:math:`\mathcal L_q=\mathrm{CE}-\tfrac q2\mathrm{CE}^2+O(q^2)`; :math:`\mathcal L_1=1-p_{\hat y}
=\tfrac12\|e_{\hat y}-p\|_1` (MAE); :math:`\nabla\mathcal L_q=p_{\hat y}^q\,\nabla\mathrm{CE}`, so GCE
down-weights points whose pseudolabel the model finds unlikely. ``expm1``/``softplus`` keep every
expression finite for any finite logit.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def log_prob(margin: jax.Array) -> jax.Array:
    r""":math:`\log p_{\hat y}=\log\sigma(u)=-\operatorname{softplus}(-u)`."""
    return -jax.nn.softplus(-margin)


def cross_entropy(margin: jax.Array) -> jax.Array:
    r"""Per-point :math:`\mathrm{CE}=-\log\sigma(u)`."""
    return -log_prob(margin)


def gce(margin: jax.Array, q: float | jax.Array) -> jax.Array:
    r"""Per-point :math:`\mathcal L_q=(1-\sigma(u)^q)/q` for :math:`q\in(0,1]` (check ``q`` at the API
    boundary, e.g. :func:`w2s_theory.remedy.heads.fit_gce`)."""
    return -jnp.expm1(q * log_prob(margin)) / q
