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

    The square part packs two triangles into one half-height block :math:`X` (``h`` rows): row
    :math:`i<h` takes :math:`X_{i,j}`, :math:`j>i`; row :math:`a\ge h` takes the unused
    :math:`X_{i,c}`, :math:`c<i`, of row :math:`i=rows-1-a`, shifted right to columns :math:`a+1..`
    (a row-dependent shift done by padding and re-slicing the flattened block, so no gather). Each normal
    is used once; only the :math:`h` diagonal ones are dropped. Random draws dominate a Wishart trial, and
    this halves them (measured 1.0 ms instead of 1.7 ms for a 291 x 291 factor inside ``lax.map``).
    """
    half = (rows + 1) // 2
    low = rows - half
    k_square, k_rect = jax.random.split(key)
    X = jax.random.normal(k_square, (half, rows))
    # row k of the lower block: X[low - 1 - k, c] at column half + 1 + k + c; width w, shifted by k each row
    w = half + 1 + rows + low
    padded = jnp.pad(X[:low][::-1], ((0, 0), (half + 1, low)))
    lower = padded.reshape(-1)[: low * (w - 1)].reshape(low, w - 1)[:, :rows]
    square = jnp.concatenate([jnp.triu(X, 1), lower])
    if cols == rows:
        return square
    return jnp.concatenate([square, jax.random.normal(k_rect, (rows, cols - rows))], axis=1)


def bartlett_factor(key: jax.Array, dof: int | jax.Array, dim: int, rows: int) -> jax.Array:
    r"""The first ``rows`` rows of the triangular factor :math:`T` of a ``dof x dim`` standard Gaussian
    matrix, drawn exactly by the Bartlett decomposition (module docstring); ``rows <= min(dof, dim)``.

    ``dim`` and ``rows`` are static; ``dof`` only enters the chi-square degrees of freedom, so it may be
    traced (one compilation for every sample size with the same ``rows``). Rows :math:`1..k` of :math:`T`
    are what :math:`Z^\top Z` restricted to the first :math:`k` coordinates and their cross-products with
    the rest need: :math:`(Z^\top Z)_{[:k],:}=T_{[:k,:k]}^\top T_{[:k],:}`. Cost: :math:`O(k\,dim)`
    normals and :math:`k` chi-squares (``jax.random.chisquare``), independent of ``dof``.
    """
    k_diag, k_off = jax.random.split(key)
    diagonal = jnp.sqrt(jax.random.chisquare(k_diag, dof - jnp.arange(rows, dtype=float)))
    i = jnp.arange(rows)
    return strict_upper_normals(k_off, rows, dim).at[i, i].set(diagonal)
