r"""Exact-in-:math:`(z,\epsilon)` metrics of a linear head on :math:`z\otimes h` (Rao-Blackwellised).

A head :math:`\Theta\in\mathbb R^{d_z\times p_h}` scores :math:`f(x)=z^\top\Theta h(\xi)`. Given
:math:`\xi`, :math:`f` and the latent score :math:`a=z^\top\beta^*+\epsilon` are jointly Gaussian, so

.. math:: \Pr[\operatorname{sign}f=y\mid\xi]=1-\frac{\arccos\rho(\xi)}{\pi},\qquad
    \rho(\xi)=\frac{\beta^{*\top}\Theta h}{\sqrt{\|\beta^*\|^2+\sigma_y^2}\,\|\Theta h\|}

(Sheppard's formula). Group accuracy averages this over ``test_draws`` draws of
:math:`\xi\mid g`; accuracy on :math:`\mathcal D(\eta_t)` is :math:`(1-\eta_t)\mathrm{acc}_0+
\eta_t\mathrm{acc}_1` (hard groups), worst-group accuracy :math:`\min(\mathrm{acc}_0,\mathrm{acc}_1)`.

Regression excess risk (least-squares heads only; ``docs/theory/remedy.md`` §7.3: the excess risk of
``docs/theory/spurious.md`` §3.2 with target :math:`cz^\top\beta^*`):
:math:`\mathrm{ER}_g=\operatorname{tr}(D^\top DM^h(g))`, :math:`D=\Theta-c\beta^*e_1^\top`, with the exact
group second moment :math:`M^h(g)` (:math:`g\in\{0,1\}`) of :class:`~w2s_theory.spurious.SpuriousModel`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory.remedy.data import ClassificationTask


def group_accuracy(task: ClassificationTask, theta: jax.Array, h: jax.Array) -> jax.Array:
    r"""Mean over the rows of ``h`` (draws of :math:`h(\xi)` from one group) of
    :math:`1-\arccos\rho(\xi)/\pi`; a zero head scores 1/2."""
    Theta = theta.reshape(task.d_z, h.shape[1])
    G = Theta.T @ Theta
    along = h @ (Theta.T @ jnp.asarray(task.beta_star))
    norm = jnp.sqrt(jnp.sum((h @ G) * h, axis=1))
    rho = jnp.where(norm > 0, along / (task.label_sd * jnp.where(norm > 0, norm, 1.0)), 0.0)
    return jnp.mean(1.0 - jnp.arccos(jnp.clip(rho, -1.0, 1.0)) / jnp.pi)


def group_excess_risk(task: ClassificationTask, theta: jax.Array, M_h: np.ndarray) -> jax.Array:
    r""":math:`\operatorname{tr}(D^\top DM^h)`, :math:`D=\Theta-c\beta^*e_1^\top`."""
    p_h = M_h.shape[0]
    Theta = theta.reshape(task.d_z, p_h)
    target = jnp.zeros((task.d_z, p_h)).at[:, 0].set(task.ls_scale * jnp.asarray(task.beta_star))
    D = Theta - target
    return jnp.trace(D.T @ D @ jnp.asarray(M_h))
