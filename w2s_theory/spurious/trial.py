r"""One Monte Carlo trial of the group-imbalance model, averaged over label noise exactly.

One trial draws the designs only: ``n`` labelled rows from :math:`\mathcal D(\eta_\ell)` (teacher
features :math:`\Phi`, rows :math:`z\otimes w`) and ``N`` unlabelled rows from :math:`\mathcal D(\eta_u)`
(:math:`\tilde\Phi`, :math:`\tilde\Psi`, rows :math:`z\otimes w`, :math:`z\otimes\psi`). Conditional on
them, averaging over the label noise is exact:

.. math::
    \mathbb E_\epsilon\mathrm{ER}_{\eta_t}(f_T)=\sigma_y^2\operatorname{tr}\big[(I_{d_z}\otimes M^w(\eta_t))
    (\Phi^\top\Phi)^{-1}\big]=\sigma_y^2\langle M^w(\eta_t),\bar C\rangle,\qquad
    \bar C=\textstyle\sum_k[(\Phi^\top\Phi)^{-1}]_{kk},

and with :math:`A=(\tilde\Psi^\top\tilde\Psi)^{-1}\tilde\Psi^\top\tilde\Phi` (the student's OLS map
applied to the teacher's error, :math:`\beta^*` drops out),
:math:`\mathbb E_\epsilon\mathrm{ER}_{\eta_t}(f_S)=\sigma_y^2\langle M^\psi(\eta_t),\bar D\rangle`,
:math:`\bar D=\sum_k[A(\Phi^\top\Phi)^{-1}A^\top]_{kk}` (:math:`[\cdot]_{kk}` the :math:`p\times p`
diagonal block of core coordinate :math:`k`). A trial therefore returns the two small matrices
:math:`\bar C\in\mathbb R^{p_T\times p_T}`, :math:`\bar D\in\mathbb R^{p_S\times p_S}`, and the risk on
*any* test mixture :math:`\eta_t` is a host-side inner product: one fit, a whole test-mixture curve.

Memory: Gram matrices are accumulated over blocks of :data:`ROW_BLOCK` rows (each row block is formed from
:math:`z` and :math:`w` by a broadcast product), so no :math:`n\times d_T` matrix is ever held. The
symmetric Grams :math:`\Phi^\top\Phi` and :math:`\tilde\Psi^\top\tilde\Psi` are accumulated as their block
upper triangle: with the columns in feature-major order, block :math:`(a,b)` is
:math:`Z^\top\operatorname{diag}(w_aw_b)Z`, and :math:`p(p+1)/2` of the :math:`p^2` blocks determine the rest
(:math:`10/16` of the teacher's products at :math:`p_T=4`, :math:`6/9` of the student's at :math:`p_S=3`). The
inverse is through a Cholesky factor :math:`L` of :math:`\Phi^\top\Phi`:
:math:`\bar C` from :math:`L^{-1}`, :math:`\bar D` from :math:`AL^{-\top}`. The derivation of the noise average is in ``docs/theory/spurious.md``.

A curve over :math:`\eta_u` (``eta_u`` a vector, :func:`trial_curve`) reuses one trial's draws at every
:math:`\eta_u` (common random numbers, the same draws as a single-point trial with the same key): the
teacher (its Gram, Cholesky factor and inverse, about 40% of a trial) is fitted once. In the soft model the
unlabelled rows are :math:`x=x_0+\eta_u e`, :math:`x_0=[1;\sigma_\xi g]`, :math:`e=[0;\mu_\xi]`, so with
:math:`s_1=P_Se`, :math:`t_1=P_Te` and :math:`\Psi_0,\Phi_0` the features at :math:`\eta_u=0`,

.. math::
    \tilde\Psi^\top\tilde\Psi(\eta_u)=\Psi_0^\top\Psi_0+\eta_u\big(\Psi_0^\top Z K_S+K_S^\top Z^\top\Psi_0\big)
    +\eta_u^2K_S^\top Z^\top ZK_S,\qquad K_S=I_{d_z}\otimes s_1^\top,

and likewise :math:`\tilde\Psi^\top\tilde\Phi(\eta_u)` with :math:`K_T=I_{d_z}\otimes t_1^\top`: five Gram
products over the ``N`` rows serve every :math:`\eta_u` (1.4 times the flops of one). In the hard model the
shift is :math:`S=\operatorname{diag}(\mathbb 1[u_i<\eta_u])` instead of :math:`\eta_uI`, not polynomial in
:math:`\eta_u` but still :math:`S^2=S`, so the same expansion holds with :math:`\eta_u\Psi_0^\top Z\to
\Psi_0^\top SZ` and :math:`\eta_u^2Z^\top Z\to Z^\top SZ`: three thin products per :math:`\eta_u`
(:func:`student_gram_terms`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import cho_solve, solve_triangular

from w2s_theory._random import computed_once
from w2s_theory._trials import map_points
from w2s_theory.spurious.model import SpuriousModelData

OUTPUTS: tuple[str, ...] = ("teacher_moment", "student_moment")

#: Rows per Gram-accumulation block (fixed, so a trial's numbers depend on its key only).
ROW_BLOCK = 512
#: Rows per matrix product inside a block. XLA:CPU may split a long contraction (many rows, few columns)
#: over threads in an order that depends on the device layout; products over at most this many rows gave
#: the same bits on 1 and 4 devices (tests/test_conformance.py), a 512-row product did not.
GRAM_ROWS = 128


def _gram(A: jax.Array, B: jax.Array) -> jax.Array:
    r""":math:`A^\top B` summed over row slices of :data:`GRAM_ROWS` rows, in order."""
    out = A[:GRAM_ROWS].T @ B[:GRAM_ROWS]
    for start in range(GRAM_ROWS, A.shape[0], GRAM_ROWS):
        out = out + A[start : start + GRAM_ROWS].T @ B[start : start + GRAM_ROWS]
    return out


@partial(
    jax.tree_util.register_dataclass,
    data_fields=["P_T", "P_S", "mu_xi", "sigma_xi", "eta_l", "eta_u", "basis"],
    meta_fields=["hard"],
)
@dataclass(frozen=True)
class Problem:
    """The traced part of a trial: floats (fractions, means, subspaces) are traced and shapes are static,
    so a sweep over ``eta_l``, ``eta_u``, ``mu_xi`` or ``sigma_xi2`` never recompiles. ``eta_u`` is a
    scalar, or a vector for a curve (:func:`trial_curve`; one compilation per curve length). For a curve
    over students (:func:`trial_students`), ``P_S`` stacks their maps (``K x p_S x (p+1)``) and ``basis``
    holds orthonormal rows (``q x (p+1)``) spanning all of them; otherwise ``basis`` is ``None``."""

    P_T: jax.Array
    P_S: jax.Array
    mu_xi: jax.Array
    sigma_xi: jax.Array
    eta_l: jax.Array
    eta_u: jax.Array
    hard: bool
    basis: jax.Array | None = None

    @classmethod
    def from_model(cls, model: SpuriousModelData, eta_l: float, eta_u: float | np.ndarray) -> Problem:
        return cls(
            jnp.asarray(model.P_T),
            jnp.asarray(model.P_S),
            jnp.asarray(model.mu_xi),
            jnp.sqrt(jnp.asarray(model.sigma_xi2)),
            jnp.asarray(eta_l, dtype=jnp.float64),
            jnp.asarray(eta_u, dtype=jnp.float64),
            model.group_model == "hard",
        )


def _group_rows(key: jax.Array, prob: Problem, eta: jax.Array, rows: int) -> jax.Array:
    r""":math:`\tilde x=[1;\xi]` for ``rows`` draws from :math:`\mathcal D(\eta)`: soft
    :math:`\xi=\eta\mu_\xi+\sigma_\xi g`; hard :math:`\xi=\mathbb 1[u<\eta]\mu_\xi+\sigma_\xi g`."""
    g = jax.random.normal(jax.random.split(key)[0], (rows, prob.mu_xi.shape[0]))
    if prob.hard:
        shift = (_group_uniforms(key, rows) < eta).astype(g.dtype)
    else:
        shift = jnp.full((rows, 1), eta)
    xi = shift * prob.mu_xi[None, :] + prob.sigma_xi * g
    return jnp.concatenate([jnp.ones((rows, 1)), xi], axis=1)


def _group_uniforms(key: jax.Array, rows: int) -> jax.Array:
    r"""The hard model's group uniforms :math:`u` of :func:`_group_rows` (a row is in the minority group
    when :math:`u<\eta`)."""
    return jax.random.uniform(jax.random.split(key)[1], (rows, 1))


def _kron_rows(z: jax.Array, f: jax.Array) -> jax.Array:
    """Rows ``kron(z_i, f_i)`` (core index major)."""
    return (z[:, :, None] * f[:, None, :]).reshape(z.shape[0], -1)


def _feature_rows(z: jax.Array, f: jax.Array) -> jax.Array:
    """Rows ``kron(f_i, z_i)``: the columns of :func:`_kron_rows` in feature-major order, so the ``d_z``
    columns of each feature ``a`` are one block :math:`F_a`."""
    return (f[:, :, None] * z[:, None, :]).reshape(z.shape[0], -1)


def _upper_blocks(F: jax.Array, d_z: int) -> tuple[jax.Array, ...]:
    r"""The block upper triangle of the symmetric :math:`F^\top F` for feature-major rows ``F``
    (:func:`_feature_rows`): block row ``a`` is :math:`F_a^\top[F_a,\dots,F_{p-1}]`, the
    :math:`p(p+1)/2` blocks of :math:`d_z\times d_z` instead of :math:`p^2`."""
    p = F.shape[1] // d_z
    return tuple(_gram(F[:, a * d_z : (a + 1) * d_z], F[:, a * d_z :]) for a in range(p))


def _upper_zeros(p: int, d_z: int) -> tuple[jax.Array, ...]:
    """Zero blocks shaped like :func:`_upper_blocks`' of ``p`` features."""
    return tuple(jnp.zeros((d_z, (p - a) * d_z)) for a in range(p))


def _symmetric(upper: tuple[jax.Array, ...], d_z: int) -> jax.Array:
    """The symmetric matrix whose block upper triangle is ``upper`` (:func:`_upper_blocks`), in the
    core-major order of :func:`_kron_rows`."""
    p = len(upper)
    block = lambda a, b: upper[a][:, (b - a) * d_z : (b - a + 1) * d_z] if a <= b else block(b, a).T
    full = jnp.concatenate([jnp.concatenate([block(a, b) for b in range(p)], axis=1) for a in range(p)])
    return _core_major(full, d_z)


def _core_major(G: jax.Array, d_z: int, columns: bool = True) -> jax.Array:
    """A product over feature-major rows (:func:`_feature_rows`) with its rows, and if ``columns`` its
    columns, in the core-major order of :func:`_kron_rows`."""
    p = G.shape[0] // d_z
    if not columns:
        return G.reshape(p, d_z, -1).transpose(1, 0, 2).reshape(p * d_z, -1)
    q = G.shape[1] // d_z
    return G.reshape(p, d_z, q, d_z).transpose(1, 0, 3, 2).reshape(d_z * p, d_z * q)


def _block_keys(key: jax.Array, total: int) -> tuple[jax.Array, jax.Array]:
    blocks = -(-total // ROW_BLOCK)
    keys = jax.vmap(lambda i: jax.random.fold_in(key, i))(jnp.arange(blocks))
    mask = (jnp.arange(blocks * ROW_BLOCK) < total).astype(jnp.float64).reshape(blocks, ROW_BLOCK, 1)
    return keys, mask


def _block(key: jax.Array, prob: Problem, eta: jax.Array, d_z: int, mask: jax.Array):
    k_z, k_x = jax.random.split(key)
    # padded rows are zero: they add nothing; each entry is read p_T + p_S times by the Kronecker rows
    z = computed_once(jax.random.normal(k_z, (ROW_BLOCK, d_z)) * mask)
    x = _group_rows(k_x, prob, eta, ROW_BLOCK)
    return z, x


def _block_uniforms(key: jax.Array) -> jax.Array:
    """The group uniforms of the rows :func:`_block` draws from ``key``."""
    return _group_uniforms(jax.random.split(key)[1], ROW_BLOCK)


def teacher_gram(key: jax.Array, prob: Problem, d_z: int, n: int) -> jax.Array:
    r""":math:`\Phi^\top\Phi` over ``n`` labelled rows from :math:`\mathcal D(\eta_\ell)`."""
    keys, mask = _block_keys(key, n)

    def step(G, km):
        z, x = _block(km[0], prob, prob.eta_l, d_z, km[1])
        Phi = _feature_rows(z, x @ prob.P_T.T)
        return tuple(c + g for c, g in zip(G, _upper_blocks(Phi, d_z), strict=True)), None

    G, _ = jax.lax.scan(step, _upper_zeros(prob.P_T.shape[0], d_z), (keys, mask))
    return _symmetric(G, d_z)


def student_grams(key: jax.Array, prob: Problem, d_z: int, N: int) -> tuple[jax.Array, jax.Array]:
    r""":math:`(\tilde\Psi^\top\tilde\Psi,\ \tilde\Psi^\top\tilde\Phi)` over ``N`` rows from :math:`\mathcal D(\eta_u)`."""
    keys, mask = _block_keys(key, N)
    d_T, d_S = d_z * prob.P_T.shape[0], d_z * prob.P_S.shape[0]

    def step(carry, km):
        G_SS, G_ST = carry
        z, x = _block(km[0], prob, prob.eta_u, d_z, km[1])
        Phi, Psi = _feature_rows(z, x @ prob.P_T.T), _feature_rows(z, x @ prob.P_S.T)
        G_SS = tuple(c + g for c, g in zip(G_SS, _upper_blocks(Psi, d_z), strict=True))
        return (G_SS, G_ST + _gram(Psi, Phi)), None

    carry = (_upper_zeros(prob.P_S.shape[0], d_z), jnp.zeros((d_S, d_T)))
    (G_SS, G_ST), _ = jax.lax.scan(step, carry, (keys, mask))
    return _symmetric(G_SS, d_z), _core_major(G_ST, d_z)


def _block_trace(X: jax.Array, d_z: int) -> jax.Array:
    r""":math:`\sum_k X_{kk}` for ``X = Y Yᵀ`` given ``Y`` (rows indexed by (k, a)): returns
    :math:`\sum_k Y_k Y_k^\top`, :math:`Y_k` the rows of core coordinate :math:`k`."""
    Y = X.reshape(d_z, -1, X.shape[-1])
    return jnp.einsum("kam,kbm->ab", Y, Y)


def student_gram_terms(key: jax.Array, prob: Problem, d_z: int, N: int) -> tuple[jax.Array, ...]:
    r"""The products over ``N`` rows (same key and rows as :func:`student_grams`) from which the student
    Grams at every entry of the vector ``prob.eta_u`` follow (module docstring). A row is
    :math:`x=x_0+s\,e`; with :math:`S=\operatorname{diag}(s)` they are
    :math:`(\Psi_0^\top\Psi_0,\ \Psi_0^\top\Phi_0,\ \Psi_0^\top SZ,\ \Phi_0^\top SZ,\ Z^\top S^2Z)`.

    * Soft model, :math:`S=\eta_uI`: the last three are :math:`\eta_u`, :math:`\eta_u`, :math:`\eta_u^2`
      times :math:`\Psi_0^\top Z`, :math:`\Phi_0^\top Z`, :math:`Z^\top Z`, which are returned
      (:func:`soft_student_grams`).
    * Hard model, :math:`S=\operatorname{diag}(\mathbb 1[u_i<\eta_u])`, :math:`S^2=S`: one product with
      :math:`[S_1Z,\dots,S_EZ]` gives them for every :math:`\eta_u` (0.4 of the flops of redrawing the
      Grams per :math:`\eta_u`); returned with a leading :math:`\eta_u` axis (:func:`hard_student_grams`).
    """
    keys, mask = _block_keys(key, N)

    def step(carry, km):
        z, x = _block(km[0], prob, jnp.zeros(()), d_z, km[1])  # the rows x_0 (hard: u < 0 never holds)
        return jax.tree.map(jnp.add, carry, _student_products(km[0], z, x, prob, d_z)), None

    sums, _ = jax.lax.scan(step, _student_zeros(prob, d_z), (keys, mask))
    return _student_terms(sums, prob, d_z)


def _student_products(key: jax.Array, z: jax.Array, x: jax.Array, prob: Problem, d_z: int) -> tuple:
    """One row block's terms of :func:`student_gram_terms` (rows ``z``, ``x`` drawn from ``key``): the
    block upper triangle of :math:`\\Psi_0^\top\\Psi_0`, then :math:`\\Psi_0^\top\\Phi_0`, :math:`\\Psi_0^\top SZ`,
    :math:`\\Phi_0^\top SZ`, :math:`Z^\top SZ` over feature-major rows."""
    Zs = z
    if prob.hard:
        E = prob.eta_u.shape[0]
        shifted = (_block_uniforms(key) < prob.eta_u[None, :]).astype(z.dtype)  # (rows, E)
        Zs = (shifted[:, :, None] * z[:, None, :]).reshape(ROW_BLOCK, E * d_z)
    Phi, Psi = _feature_rows(z, x @ prob.P_T.T), _feature_rows(z, x @ prob.P_S.T)
    return (_upper_blocks(Psi, d_z), _gram(Psi, Phi), _gram(Psi, Zs), _gram(Phi, Zs), _gram(z, Zs))


def _student_zeros(prob: Problem, d_z: int) -> tuple:
    """Zeros shaped like :func:`_student_products`' terms."""
    d_T, d_S = d_z * prob.P_T.shape[0], d_z * prob.P_S.shape[0]
    E = prob.eta_u.shape[0] if prob.hard else 1
    shapes = ((d_S, d_T), (d_S, E * d_z), (d_T, E * d_z), (d_z, E * d_z))
    return (_upper_zeros(prob.P_S.shape[0], d_z), *(jnp.zeros(s) for s in shapes))


def _student_terms(sums: tuple[jax.Array, ...], prob: Problem, d_z: int) -> tuple[jax.Array, ...]:
    r""":func:`student_gram_terms`' outputs from its sums over the row blocks (block upper triangle of
    :math:`\Psi_0^\top\Psi_0`, then feature-major products)."""
    upper, C_ST, A_S, A_T, B = sums
    C_SS, C_ST = _symmetric(upper, d_z), _core_major(C_ST, d_z)
    A_S, A_T = _core_major(A_S, d_z, columns=False), _core_major(A_T, d_z, columns=False)
    if not prob.hard:
        return C_SS, C_ST, A_S, A_T, B
    E = prob.eta_u.shape[0]
    per_eta = lambda M: jnp.moveaxis(M.reshape(M.shape[0], E, d_z), 1, 0)  # (E, rows, d_z)
    return C_SS, C_ST, per_eta(A_S), per_eta(A_T), per_eta(B)


def student_gram_terms_nested(
    key: jax.Array, prob: Problem, d_z: int, Ns: tuple[int, ...]
) -> list[tuple[jax.Array, ...]]:
    r""":func:`student_gram_terms` over the first ``N`` rows for every ``N`` in ``Ns`` (increasing), one
    tuple per size, from one pass over ``max(Ns)`` rows.

    Row block ``b`` is drawn from ``fold_in(key, b)`` whatever the total, and a one-size run zeroes the
    rows past its ``N`` in its last block, so the first ``N`` rows of the longest draw are that run's rows:
    each size's sums are the running sum of the blocks before its last one plus that block with the rows
    past ``N`` zeroed, added in the order a one-size run adds them. The blocks between two sizes run in one
    loop (``fori_loop`` with traced bounds), shared by every size."""
    keys, mask = _block_keys(key, Ns[-1])
    last = jnp.asarray([(N - 1) // ROW_BLOCK for N in Ns])  # each size's last block
    kept = jnp.asarray([N - (N - 1) // ROW_BLOCK * ROW_BLOCK for N in Ns])  # its rows in that block

    def products(b, rows=None):
        z, x = _block(keys[b], prob, jnp.zeros(()), d_z, mask[b])  # the rows x_0 (hard: u < 0 never holds)
        if rows is not None:
            z = computed_once(z * rows)
        return _student_products(keys[b], z, x, prob, d_z)

    add = lambda a, b: jax.tree.map(jnp.add, a, b)

    def size(carry, last_kept):
        running, start = carry  # the sum of blocks 0 .. start - 1
        b_last, k = last_kept
        running = jax.lax.fori_loop(start, b_last, lambda b, r: add(r, products(b)), running)
        rows = (jnp.arange(ROW_BLOCK) < k).astype(running[1].dtype)[:, None]
        return (running, b_last), add(running, products(b_last, rows))

    _, sums = jax.lax.scan(size, (_student_zeros(prob, d_z), jnp.zeros((), last.dtype)), (last, kept))
    return [_student_terms(jax.tree.map(lambda a, j=j: a[j], sums), prob, d_z) for j in range(len(Ns))]


def teacher_gram_terms(key: jax.Array, prob: Problem, d_z: int, n: int) -> tuple[jax.Array, ...]:
    r"""The products over ``n`` labelled rows (same key and rows as :func:`teacher_gram`) from which the
    teacher Gram at every minority mean :math:`\mu_\xi` follows: a row is :math:`x=x_0+s\,\mu_\xi` with
    :math:`s=\eta_\ell` (soft) or :math:`\mathbb 1[u<\eta_\ell]` (hard), so with :math:`S=\operatorname{diag}(s)`
    they are :math:`(\Phi_0^\top\Phi_0,\ \Phi_0^\top SZ,\ Z^\top S^2Z)`, none of which depends on
    :math:`\mu_\xi` (:func:`shifted_gram`)."""
    keys, mask = _block_keys(key, n)

    def step(carry, km):
        z, x = _block(km[0], prob, jnp.zeros(()), d_z, km[1])  # the rows x_0 (hard: u < 0 never holds)
        if prob.hard:
            shift = (_block_uniforms(km[0]) < prob.eta_l).astype(z.dtype)
        else:
            shift = jnp.full((ROW_BLOCK, 1), prob.eta_l)
        Zs, Phi = shift * z, _feature_rows(z, x @ prob.P_T.T)
        return jax.tree.map(jnp.add, carry, (_upper_blocks(Phi, d_z), _gram(Phi, Zs), _gram(Zs, Zs))), None

    d_T = d_z * prob.P_T.shape[0]
    carry = (_upper_zeros(prob.P_T.shape[0], d_z), jnp.zeros((d_T, d_z)), jnp.zeros((d_z, d_z)))
    (upper, A, B), _ = jax.lax.scan(step, carry, (keys, mask))
    return _symmetric(upper, d_z), _core_major(A, d_z, columns=False), B


def shifted_gram(C: jax.Array, A: jax.Array, B: jax.Array, v: jax.Array) -> jax.Array:
    r""":math:`\Phi^\top\Phi` for :math:`\Phi=\Phi_0+SZ(I\otimes v^\top)` from :math:`C=\Phi_0^\top\Phi_0`,
    :math:`A=\Phi_0^\top SZ`, :math:`B=Z^\top S^2Z`: :math:`C+A(I\otimes v^\top)+(\cdot)^\top+B\otimes vv^\top`
    (``v``: the shift of a row's features per unit of :math:`s`, :math:`P_{[:,1:]}\mu_\xi`)."""
    cross = _times_kron(A, v)
    return C + cross + cross.T + jnp.kron(B, jnp.outer(v, v))


def soft_student_grams(
    coefficients: tuple[jax.Array, ...], prob: Problem, eta_u: jax.Array
) -> tuple[jax.Array, jax.Array]:
    r""":math:`(\tilde\Psi^\top\tilde\Psi,\ \tilde\Psi^\top\tilde\Phi)` at ``eta_u`` from
    :func:`student_gram_terms` (soft model): quadratic in :math:`\eta_u` (module docstring)."""
    C_SS, C_ST, C_SZ, C_TZ, C_ZZ = coefficients
    s1, t1 = prob.P_S[:, 1:] @ prob.mu_xi, prob.P_T[:, 1:] @ prob.mu_xi  # P e with e = [0; mu_xi]
    cross_SS = _times_kron(C_SZ, s1)
    G_SS = C_SS + eta_u * (cross_SS + cross_SS.T) + eta_u**2 * jnp.kron(C_ZZ, jnp.outer(s1, s1))
    G_ST = (
        C_ST
        + eta_u * (_times_kron(C_SZ, t1) + _kron_times(s1, C_TZ.T))
        + eta_u**2 * jnp.kron(C_ZZ, jnp.outer(s1, t1))
    )
    return G_SS, G_ST


def hard_student_grams(
    C_SS: jax.Array, C_ST: jax.Array, A_S: jax.Array, A_T: jax.Array, B: jax.Array, prob: Problem
) -> tuple[jax.Array, jax.Array]:
    r""":math:`(\tilde\Psi^\top\tilde\Psi,\ \tilde\Psi^\top\tilde\Phi)` at one :math:`\eta_u` from that
    :math:`\eta_u`'s slices of :func:`student_gram_terms` (hard model): :math:`\Psi=\Psi_0+SZK_S`, so
    :math:`\Psi^\top\Psi=\Psi_0^\top\Psi_0+A_SK_S+(A_SK_S)^\top+(Z^\top SZ)\otimes s_1s_1^\top` and likewise
    :math:`\Psi^\top\Phi` (module docstring; :math:`A_S=\Psi_0^\top SZ`)."""
    s1, t1 = prob.P_S[:, 1:] @ prob.mu_xi, prob.P_T[:, 1:] @ prob.mu_xi  # P e with e = [0; mu_xi]
    G_SS = shifted_gram(C_SS, A_S, B, s1)
    G_ST = C_ST + _times_kron(A_S, t1) + _kron_times(s1, A_T.T) + jnp.kron(B, jnp.outer(s1, t1))
    return G_SS, G_ST


def _times_kron(M: jax.Array, v: jax.Array) -> jax.Array:
    r""":math:`M(I\otimes v^\top)`."""
    return (M[:, :, None] * v[None, None, :]).reshape(M.shape[0], -1)


def _kron_times(v: jax.Array, M: jax.Array) -> jax.Array:
    r""":math:`(I\otimes v)M`."""
    return (v[None, :, None] * M[:, None, :]).reshape(-1, M.shape[1])


def _inverse_factor(G: jax.Array) -> jax.Array:
    r""":math:`L^{-\top}` for the Cholesky factor :math:`L` of the teacher Gram ``G``."""
    L = jnp.linalg.cholesky(G)
    return solve_triangular(L, jnp.eye(L.shape[0]), lower=True).T  # (ΦᵀΦ)⁻¹ = L⁻ᵀL⁻¹


def _teacher_inverse(key: jax.Array, prob: Problem, d_z: int, n: int) -> jax.Array:
    r""":math:`L^{-\top}` for the Cholesky factor :math:`L` of :math:`\Phi^\top\Phi` (``n`` labelled rows)."""
    return _inverse_factor(teacher_gram(key, prob, d_z, n))


def _student_moment(G_SS: jax.Array, G_ST: jax.Array, L_inv_T: jax.Array, d_z: int) -> jax.Array:
    r""":math:`\bar D=\sum_k[AL^{-\top}L^{-1}A^\top]_{kk}`, :math:`A=G_{SS}^{-1}G_{ST}`."""
    A = cho_solve((jnp.linalg.cholesky(G_SS), True), G_ST)
    return _block_trace(A @ L_inv_T, d_z)


def trial_moments(key: jax.Array, prob: Problem, d_z: int, n: int, N: int) -> dict[str, jax.Array]:
    r"""One trial: :math:`\bar C` (``teacher_moment``) and :math:`\bar D` (``student_moment``)."""
    k_l, k_u = jax.random.split(key)
    L_inv_T = _teacher_inverse(k_l, prob, d_z, n)
    G_SS, G_ST = student_grams(k_u, prob, d_z, N)
    return {
        "teacher_moment": _block_trace(L_inv_T, d_z),
        "student_moment": _student_moment(G_SS, G_ST, L_inv_T, d_z),
    }


def trial_curve(key: jax.Array, prob: Problem, d_z: int, n: int, N: int) -> dict[str, jax.Array]:
    r"""One trial at every entry of the vector ``prob.eta_u`` with the draws of :func:`trial_moments` under
    the same key: ``teacher_moment`` (:math:`p_T\times p_T`, fitted once) and ``student_moment``
    (one :math:`p_S\times p_S` matrix per :math:`\eta_u`). Equal to :func:`trial_moments` at each
    :math:`\eta_u` up to rounding (the soft model's Grams are summed in another order)."""
    k_l, k_u = jax.random.split(key)
    L_inv_T = _teacher_inverse(k_l, prob, d_z, n)
    return _curve_moments(student_gram_terms(k_u, prob, d_z, N), prob, L_inv_T, d_z)


def _curve_moments(
    terms: tuple[jax.Array, ...], prob: Problem, L_inv_T: jax.Array, d_z: int
) -> dict[str, jax.Array]:
    """The moments of :func:`trial_curve` from :func:`student_gram_terms` and the teacher's
    :math:`L^{-\top}`: the teacher's, and the student's at every ``prob.eta_u``."""
    if prob.hard:
        C_SS, C_ST, *per_eta = terms
        student = lambda t: _student_moment(*hard_student_grams(C_SS, C_ST, *t, prob), L_inv_T, d_z)
        moments = jax.lax.map(student, tuple(per_eta))
    else:
        student = lambda e: _student_moment(*soft_student_grams(terms, prob, e), L_inv_T, d_z)
        moments = jax.lax.map(student, prob.eta_u)
    return {"teacher_moment": _block_trace(L_inv_T, d_z), "student_moment": moments}


def trial_means(key: jax.Array, prob: Problem, d_z: int, n: int, N: int) -> dict[str, jax.Array]:
    r""":func:`trial_curve` at every minority mean, the rows of ``prob.mu_xi`` (``K x p``; the subspaces,
    noise and group model shared), on one trial's draws: a mean enters a row only as its shift
    :math:`s\,\mu_\xi`, so the teacher's and the students' products over the rows are formed once with the
    shift removed (:func:`teacher_gram_terms`, :func:`student_gram_terms`) and each mean's Grams follow
    from them (:func:`shifted_gram` and the curve's formulas). Each mean's numbers are what
    :func:`trial_curve` gives for that mean with the same key, up to rounding (the Grams are summed in
    another order). Outputs get a leading axis after the trial's, one entry per mean."""
    k_l, k_u = jax.random.split(key)
    unshifted = replace(prob, mu_xi=prob.mu_xi[0])  # the terms draw the rows x_0, which no mean enters
    teacher_terms = teacher_gram_terms(k_l, unshifted, d_z, n)
    terms = student_gram_terms(k_u, unshifted, d_z, N)

    def at(point):
        p = replace(prob, mu_xi=point[0])
        L_inv_T = _inverse_factor(shifted_gram(*teacher_terms, p.P_T[:, 1:] @ p.mu_xi))
        return _curve_moments(terms, p, L_inv_T, d_z)

    return map_points(at, (prob.mu_xi,))


def trial_sizes(key: jax.Array, prob: Problem, d_z: int, n: int, Ns: tuple[int, ...]) -> dict[str, jax.Array]:
    r""":func:`trial_curve` at every unlabelled sample size in ``Ns`` (increasing), on one trial's draws: the
    teacher is fitted once, and the first ``N`` of the longest draw's rows are the rows a one-size trial
    with ``N`` draws (:func:`student_gram_terms_nested`). Each size's numbers are what :func:`trial_curve`
    gives for that ``N`` with the same key, up to rounding. ``student_moment`` gets a leading axis after
    the trial's, one entry per size."""
    k_l, k_u = jax.random.split(key)
    L_inv_T = _teacher_inverse(k_l, prob, d_z, n)
    terms = student_gram_terms_nested(k_u, prob, d_z, Ns)
    stacked = tuple(jnp.stack(parts) for parts in zip(*terms, strict=True))
    at = lambda t: _curve_moments(t, prob, L_inv_T, d_z)["student_moment"]
    return {"teacher_moment": _block_trace(L_inv_T, d_z), "student_moment": map_points(at, stacked)}


def _student_rows(M: jax.Array, R: jax.Array, d_z: int) -> jax.Array:
    r""":math:`(I_{d_z}\otimes R)M` for ``M`` with core-major rows over ``q`` features (``d_z q`` rows, after
    any leading axes) and ``R`` ``p_S x q``: the same product for the features :math:`R\psi`."""
    lead, q = M.shape[:-2], R.shape[1]
    rows = M.reshape(*lead, d_z, q, M.shape[-1])
    return jnp.einsum("pa,...kac->...kpc", R, rows).reshape(*lead, d_z * R.shape[0], M.shape[-1])


def trial_students(key: jax.Array, prob: Problem, d_z: int, n: int, N: int) -> dict[str, jax.Array]:
    r""":func:`trial_curve` for every student map in ``prob.P_S`` (``K x p_S x (p+1)``; the teacher, mean,
    noise and group model shared), on one trial's draws. A student's features are :math:`P_S\tilde x=
    R\,Q\tilde x` with ``Q = prob.basis`` (orthonormal rows spanning every map) and :math:`R=P_SQ^\top`,
    so its products over the rows are :math:`(I\otimes R)` times those of the basis features
    :math:`Q\tilde x`: the teacher is fitted once and the rows' products are formed once, for the ``q``
    basis features, and each student costs its solves. Each student's numbers are what :func:`trial_curve`
    gives for it with the same key, up to rounding. ``student_moment`` gets a leading axis after the
    trial's, one entry per student."""
    k_l, k_u = jax.random.split(key)
    L_inv_T = _teacher_inverse(k_l, prob, d_z, n)
    C_SS, C_ST, A_S, *rest = student_gram_terms(k_u, replace(prob, P_S=prob.basis), d_z, N)

    def at(point):
        (P_S,) = point
        R = P_S @ prob.basis.T
        rows = lambda M: _student_rows(M, R, d_z)
        terms = (rows(rows(C_SS).T).T, rows(C_ST), rows(A_S), *rest)
        return _curve_moments(terms, replace(prob, P_S=P_S), L_inv_T, d_z)["student_moment"]

    return {"teacher_moment": _block_trace(L_inv_T, d_z), "student_moment": map_points(at, (prob.P_S,))}


@dataclass(frozen=True)
class Static:
    """What fixes a trial's shapes: core dimension, features per core coordinate, sample sizes, the
    number of points of a curve in ``eta_u`` (0: one point, :func:`trial_moments`), the number of
    minority means of a curve over them (0: one mean; :func:`trial_means`, which needs an ``eta_u``
    curve), the unlabelled sizes of a curve over them (empty: one size ``N``; else increasing with
    ``N`` the last, :func:`trial_sizes`, which needs an ``eta_u`` curve) and the number of students of a
    curve over them (0: one student; :func:`trial_students`, which needs an ``eta_u`` curve)."""

    d_z: int
    p_T: int
    p_S: int
    n: int
    N: int
    curve: int = 0
    means: int = 0
    sizes: tuple[int, ...] = ()
    students: int = 0


def trial(key: jax.Array, prob: Problem, static: Static) -> dict[str, jax.Array]:
    """The family's trial function: :func:`trial_moments`, :func:`trial_curve` for a curve (``eta_u`` a
    vector of ``static.curve`` entries), :func:`trial_means` for a curve over minority means
    (``mu_xi`` a ``static.means x p`` matrix), :func:`trial_sizes` for a curve over unlabelled sizes, or
    :func:`trial_students` for a curve over students, with the static sizes."""
    if static.curve != (prob.eta_u.shape[0] if prob.eta_u.ndim == 1 else 0):
        raise ValueError(f"eta_u has shape {prob.eta_u.shape}, but the static sizes say curve={static.curve}")
    if static.sizes:
        return trial_sizes(key, prob, static.d_z, static.n, static.sizes)
    if static.students:
        return trial_students(key, prob, static.d_z, static.n, static.N)
    run = trial_means if static.means else trial_curve if static.curve else trial_moments
    return run(key, prob, static.d_z, static.n, static.N)


def trial_bytes(static: Static) -> int:
    """Working memory of one trial (float64 bytes): a row block of both feature maps and the Grams; for a
    curve, the shifted row block and the per-``eta_u`` products of :func:`student_gram_terms` (the
    larger of the two group models' needs)."""
    d_z, E = static.d_z, static.curve
    d_T, d_S = static.p_T * d_z, static.p_S * d_z
    curve = (ROW_BLOCK + 2 * (d_S + d_T + d_z)) * max(E, 1) * d_z if E else 0
    # a curve over sizes also holds every size's products (the block upper triangle is under d_S^2)
    sizes = len(static.sizes) * (d_S * d_S + d_S * d_T + (d_S + d_T + d_z) * max(E, 1) * d_z)
    # a curve over students: p_S is the basis' q >= each student's p_S, and each student's Grams are held
    students = static.students * (d_S * d_S + d_S * d_T)
    total = (
        2 * ROW_BLOCK * (d_T + d_S) + 3 * d_T * d_T + 3 * d_S * d_T + 3 * d_S * d_S + curve + sizes + students
    )
    return 8 * total
