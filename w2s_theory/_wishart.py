r"""Exact sampling of the triangular factor of a standard Gaussian design (Bartlett decomposition).

Let :math:`Z\in\mathbb R^{m\times d}` have i.i.d. :math:`\mathcal N(0,1)` entries and thin QR
:math:`Z=QT` (:math:`Q` with orthonormal columns, :math:`T` upper trapezoidal, :math:`\min(m,d)\times d`,
positive diagonal). Gram-Schmidt on the columns of :math:`Z` shows (Bartlett, 1933) that the entries of
:math:`T` are independent, with

.. math::
    T_{ii}^2\sim\chi^2_{m-i+1}\quad(i=1..\min(m,d)),\qquad T_{ij}\sim\mathcal N(0,1)\quad(j>i),

so :math:`W=Z^\top Z=T^\top T\sim\mathrm{Wishart}_d(m,I)`; for :math:`m<d` this is the singular Wishart
law and :math:`T` has :math:`m` rows. :math:`Q` is independent of :math:`T`, hence for noise
:math:`\epsilon\sim\mathcal N(0,\sigma^2 I_m)` independent of :math:`Z`,
:math:`Q^\top\epsilon\sim\mathcal N(0,\sigma^2 I)` independently of :math:`T` and
:math:`Z^\top\epsilon=T^\top Q^\top\epsilon`, i.e. :math:`u\,|\,W\sim\mathcal N(0,\sigma^2W)`.

Every least-squares fit on columns of :math:`Z` with targets :math:`y` equals the same fit on the columns
of :math:`T` with targets :math:`Q^\top y` (rotating the rows changes neither the minimisers nor the
minimum-norm one), so :math:`(T, Q^\top y)` is an exact, :math:`O(d^2)`-sized stand-in for the
:math:`m\times d` design: the cost no longer depends on :math:`m`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def strict_upper_normals(key: jax.Array, rows: int, cols: int) -> jax.Array:
    r"""A ``rows x cols`` matrix (``rows <= cols``) with i.i.d. :math:`\mathcal N(0,1)` strictly above the
    diagonal and zeros elsewhere, from :math:`\lceil rows/2\rceil\cdot rows + rows\,(cols-rows)` normals.

    The square part packs two triangles into one half-height block :math:`X`: row :math:`i` of the result
    takes :math:`X_{i,j}` for :math:`j>i`, and its mirror row :math:`rows-1-i` takes the unused
    :math:`X_{i,c}`, :math:`c<i`, flipped. No normal is used twice, none is wasted beyond the diagonal.
    """
    half = (rows + 1) // 2
    k_square, k_rect = jax.random.split(key)
    X = jax.random.normal(k_square, (half, rows))
    square = jnp.triu(jnp.concatenate([X, X[: rows - half][::-1, ::-1]]), 1)
    if cols == rows:
        return square
    return jnp.concatenate([square, jax.random.normal(k_rect, (rows, cols - rows))], axis=1)


def bartlett_factor(key: jax.Array, dof: int, dim: int, rows: int | None = None) -> jax.Array:
    r"""The first ``min(rows, dof, dim)`` rows of the triangular factor :math:`T` of a ``dof x dim``
    standard Gaussian matrix, drawn exactly by the Bartlett decomposition (module docstring).

    ``dof``, ``dim`` and ``rows`` are static. Rows :math:`1..k` of :math:`T` are what
    :math:`Z^\top Z` restricted to the first :math:`k` coordinates and their cross-products with the rest
    need: :math:`(Z^\top Z)_{[:k],:}=T_{[:k,:k]}^\top T_{[:k],:}`. Cost: :math:`O(k\,dim)` normals and
    :math:`k` chi-squares (``jax.random.chisquare``), independent of ``dof``.
    """
    k = min(dim, dof, dim if rows is None else rows)
    k_diag, k_off = jax.random.split(key)
    diagonal = jnp.sqrt(jax.random.chisquare(k_diag, dof - jnp.arange(k, dtype=float)))
    i = jnp.arange(k)
    return strict_upper_normals(k_off, k, dim).at[i, i].set(diagonal)
