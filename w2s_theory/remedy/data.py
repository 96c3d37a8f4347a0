r"""Classification version of the group model (hard groups; ``docs/theory/remedy.md`` §3).

Under :math:`\mathcal D(\eta)`: core feature :math:`z\sim\mathcal N(0,I_{d_z})`, group label
:math:`g\sim\mathrm{Bern}(\eta)`, group feature :math:`\xi\mid g\sim\mathcal N(g\mu_\xi,\sigma_\xi^2I_p)`
(the **hard** model of ``docs/theory/spurious.md`` §1.2: per-group accuracy and the kept subset's minority
fraction need a group label per point, which the soft mean-shift model does not have), and the binary label

.. math:: y=\operatorname{sign}(z^\top\beta^*+\epsilon),\qquad \epsilon\sim\mathcal N(0,\sigma_y^2),

a probit link on the core signal (the group feature carries no label information, as in
``docs/theory/spurious.md`` §1.1). :math:`\beta^*=\|\beta^*\|\,\mathbf 1/\sqrt{d_z}`; every learner here is
invariant to rotations of :math:`z`, so only :math:`\|\beta^*\|` matters. Teacher and student see
:math:`z\otimes w` and :math:`z\otimes\psi` with :math:`w=[1;T^\top\xi]`, :math:`\psi=[1;S^\top\xi]`
(``docs/theory/spurious.md`` §2.1); :math:`g` is returned separately and only metrics read it.

Link to the regression theory (``docs/theory/remedy.md`` §3.3): with :math:`\pm1` labels the population
least-squares head is :math:`c\,z^\top\beta^*` with :math:`c=\sqrt{2/\pi}/\sqrt{\|\beta^*\|^2+\sigma_y^2}`
(since :math:`\mathbb E[\operatorname{sign}(a)a]=\sqrt{2/\pi}\,\mathrm{sd}(a)` and :math:`\xi\perp(z,y)`),
and the residual :math:`y-cz^\top\beta^*` is uncorrelated with every feature, with variance
:math:`\sigma_{\rm eff}^2=1-c^2\|\beta^*\|^2`. Least squares on :math:`\pm1` labels is therefore the
regression problem of ``docs/theory/spurious.md`` §3.1 with noise variance :math:`\sigma_{\rm eff}^2` (the
noise is not independent of :math:`z`, only uncorrelated; the effect on the variance is :math:`O(1/d_z)`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from w2s_theory import _validate
from w2s_theory._random import normal
from w2s_theory.spurious import SpuriousModel
from w2s_theory.spurious.model import SpuriousModelData


@dataclass(frozen=True, eq=False)
class ClassificationTask:
    r"""A hard-group :class:`~w2s_theory.spurious.SpuriousModel` (geometry :math:`T,S,\mu_\xi`,
    :math:`\sigma_\xi^2`, and :math:`\sigma_y^2` as the variance of the latent noise :math:`\epsilon`)
    plus the core-signal strength ``beta_norm`` :math:`=\|\beta^*\|`."""

    model: SpuriousModelData
    beta_norm: float = 2.0

    def __post_init__(self) -> None:
        if not isinstance(self.model, SpuriousModelData):
            raise TypeError(f"model must be a SpuriousModel, got {type(self.model).__name__}")
        if self.model.group_model != "hard":
            raise ValueError(
                "the classification variant needs group_model='hard': per-group accuracy and the kept "
                "subset's minority fraction need a group label per point, which the soft mean-shift model "
                "(docs/theory/spurious.md §1.2) does not have; use model.with_group_model('hard')"
            )
        object.__setattr__(self, "beta_norm", _validate.positive_float("beta_norm", self.beta_norm))

    @property
    def d_z(self) -> int:
        return self.model.d_z

    @property
    def beta_star(self) -> np.ndarray:
        r""":math:`\beta^*=\|\beta^*\|\mathbf 1/\sqrt{d_z}`."""
        return np.full(self.d_z, self.beta_norm / math.sqrt(self.d_z))

    @property
    def label_sd(self) -> float:
        r"""Standard deviation of the latent score :math:`z^\top\beta^*+\epsilon`."""
        return math.sqrt(self.beta_norm**2 + self.model.sigma_y2)

    @property
    def bayes_accuracy(self) -> float:
        r""":math:`1-\arccos(\|\beta^*\|/\sqrt{\|\beta^*\|^2+\sigma_y^2})/\pi`, the accuracy of
        :math:`\operatorname{sign}(z^\top\beta^*)`, the same in both groups."""
        return 1.0 - math.acos(self.beta_norm / self.label_sd) / math.pi

    @property
    def ls_scale(self) -> float:
        r""":math:`c=\sqrt{2/\pi}/\sqrt{\|\beta^*\|^2+\sigma_y^2}`: the population least-squares head on
        :math:`\pm1` labels is :math:`c\,z^\top\beta^*`."""
        return math.sqrt(2.0 / math.pi) / self.label_sd

    @property
    def sigma_eff2(self) -> float:
        r""":math:`\sigma_{\rm eff}^2=1-c^2\|\beta^*\|^2`, the residual variance of least squares on
        :math:`\pm1` labels."""
        return 1.0 - (self.ls_scale * self.beta_norm) ** 2

    def regression_model(self) -> SpuriousModel:
        r"""The regression model whose theory (hard model, ``docs/theory/spurious.md`` §9.2) describes
        least squares on :math:`\pm1` labels: same geometry, :math:`\sigma_y^2\to\sigma_{\rm eff}^2`."""
        m = self.model
        return SpuriousModel(m.d_z, m.T, m.S, m.mu_xi, m.sigma_xi2, self.sigma_eff2, group_model="hard")

    def accuracy_from_risk(self, excess_risk: np.ndarray | float) -> np.ndarray:
        r"""Accuracy of :math:`\operatorname{sign}(cz^\top\beta^*+z^\top\delta)` with an error direction
        :math:`\delta\perp\beta^*` of squared norm ``excess_risk`` :math:`=\|\delta\|^2`:
        :math:`1-\arccos\!\big(\rho_0/\sqrt{1+\|\delta\|^2/(c\|\beta^*\|)^2}\big)/\pi`,
        :math:`\rho_0=\|\beta^*\|/\sqrt{\|\beta^*\|^2+\sigma_y^2}`. In high dimension the estimation
        error is nearly orthogonal to :math:`\beta^*`; this is how the regression closed forms are put on
        the accuracy axis (a plug-in of the group-mean risk, so Jensen makes it slightly optimistic)."""
        e = np.asarray(excess_risk, dtype=float)
        rho = (self.beta_norm / self.label_sd) / np.sqrt(1.0 + e / (self.ls_scale * self.beta_norm) ** 2)
        return 1.0 - np.arccos(rho) / np.pi


class GroupSample(NamedTuple):
    r"""``m`` draws from :math:`\mathcal D(\eta)`: core ``z`` (m, d_z), group feature ``xi`` (m, p),
    labels ``y`` in :math:`\{-1,+1\}` and group labels ``g`` in :math:`\{0,1\}` (metrics only)."""

    z: jax.Array
    xi: jax.Array
    y: jax.Array
    g: jax.Array


def sample(key: jax.Array, task: ClassificationTask, m: int, eta: float | jax.Array) -> GroupSample:
    r"""``m`` i.i.d. draws from :math:`\mathcal D(\eta)` (hard groups, probit labels)."""
    k_z, k_g, k_xi, k_eps = jax.random.split(key, 4)
    model = task.model
    z = normal(k_z, (m, model.d_z))  # read p_h times by the product features: computed once
    g = jax.random.bernoulli(k_g, eta, (m,)).astype(z.dtype)
    noise = jax.random.normal(k_xi, (m, model.p)) * math.sqrt(model.sigma_xi2)
    xi = g[:, None] * jnp.asarray(model.mu_xi)[None, :] + noise
    score = z @ jnp.asarray(task.beta_star) + math.sqrt(model.sigma_y2) * jax.random.normal(k_eps, (m,))
    y = jnp.where(score >= 0, 1.0, -1.0)
    return GroupSample(z, xi, y, g)


def group_features(xi: jax.Array, U: np.ndarray) -> jax.Array:
    r"""Rows :math:`[1;U^\top\xi]`: ``w`` with ``U = T``, :math:`\psi` with ``U = S``."""
    ones = jnp.ones((xi.shape[0], 1), dtype=xi.dtype)
    return jnp.concatenate([ones, xi @ jnp.asarray(U)], axis=1)


def product_features(z: jax.Array, h: jax.Array) -> jax.Array:
    r"""Rows :math:`z\otimes h` (``kron(z, h)``: entry :math:`i\,p_h+j` is :math:`z_ih_j`), so a head
    :math:`\theta` reshaped to :math:`(d_z,p_h)` as :math:`\Theta` scores :math:`z^\top\Theta h`."""
    m = z.shape[0]
    return (z[:, :, None] * h[:, None, :]).reshape(m, z.shape[1] * h.shape[1])
