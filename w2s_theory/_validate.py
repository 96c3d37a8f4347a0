"""Validation at the API boundary: every error names the parameter and the valid range."""

from __future__ import annotations

import numbers

import numpy as np

ORTHONORMAL_ATOL = 1e-8
ORTHONORMAL_PROBES = 4


def finite_array(name: str, value: object, ndim: int) -> np.ndarray:
    """Return ``value`` as a float64 array of dimension ``ndim`` with only finite entries."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; all entries must be finite")
    return arr


def orthonormal_columns(name: str, value: object) -> np.ndarray:
    """Return ``value`` (D x d) after checking ``VᵀV = I``.

    The check applies ``VᵀV - I`` to :data:`ORTHONORMAL_PROBES` fixed Gaussian vectors, ``O(D d)`` work
    instead of the ``O(D d^2)`` of forming ``VᵀV`` (at D = 20000, d = 200 that product alone costs more
    than building the whole model): for a matrix that is not orthonormal, a random probe misses the error
    with probability zero. Relative residual above :data:`ORTHONORMAL_ATOL` is an error."""
    V = finite_array(name, value, ndim=2)
    if V.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {V.shape}")
    if V.shape[1] > V.shape[0]:
        raise ValueError(f"{name} has more columns ({V.shape[1]}) than rows ({V.shape[0]}); need d <= D")
    probes = np.random.default_rng(0).standard_normal((V.shape[1], ORTHONORMAL_PROBES))
    err = float(np.max(np.linalg.norm(V.T @ (V @ probes) - probes, axis=0) / np.linalg.norm(probes, axis=0)))
    if err > ORTHONORMAL_ATOL:
        raise ValueError(
            f"{name} must have orthonormal columns: |({name}ᵀ{name} - I) x| / |x| = {err:.2e} > "
            f"{ORTHONORMAL_ATOL:g} for a random x; orthonormalise it first, e.g. with numpy.linalg.qr"
        )
    return V


def nonnegative_float(name: str, value: object) -> float:
    """A finite float ``>= 0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not np.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return x


def positive_int(name: str, value: object, minimum: int = 1) -> int:
    """A whole number ``>= minimum``: an int or an integer-valued float (bools, ``40.5``, ``inf`` and arrays
    are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or np.ndim(value) != 0:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    return int(integers(name, value, minimum))


def exact_sample_size(name: str, value: float, dim_name: str, dim: float, who: str) -> None:
    """Exact (inverse-Wishart) expectations need ``value > dim + 1``: ``E tr (ZᵀZ)⁻¹ = d/(m - d - 1)``."""
    if not value > dim + 1:
        raise ValueError(
            f"{name}={value:g} must exceed {dim_name} + 1 = {dim + 1:g} for the exact expectation of {who}: "
            f"E tr((ZᵀZ)^-1) = {dim_name}/({name} - {dim_name} - 1) is infinite for {name} <= {dim_name} + 1. "
            "Use simulate() for the min-norm / near-interpolation regime."
        )


def positive_float(name: str, value: object) -> float:
    """A finite float ``> 0``."""
    x = nonnegative_float(name, value)
    if x <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return x


def _what(name: str) -> str:
    """How an error names a fraction: the minority fractions ``eta_*`` are group fractions."""
    return f"{name} is a group fraction and" if name.startswith("eta") else name


def fraction(name: str, value: object) -> float:
    """A finite float in ``[0, 1]`` (a group fraction, a squared cosine, ...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1], got {type(value).__name__} {value!r}")
    x = float(value)
    if not (np.isfinite(x) and 0.0 <= x <= 1.0):
        raise ValueError(f"{_what(name)} must lie in [0, 1], got {value!r}")
    return x


def _reals(name: str, value: object, allowed: str) -> np.ndarray:
    """``value`` as a float64 array (shape kept); a bool or non-numeric array is a ``TypeError``."""
    arr = np.asarray(value)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a real number or an array of them {allowed}, got {value!r}")
    return arr.astype(np.float64)


def _first_bad(arr: np.ndarray, ok: np.ndarray) -> float:
    return float(arr[~ok].flat[0])


def fractions(name: str, value: object) -> np.ndarray:
    """A scalar or array of finite floats in ``[0, 1]``, as a float64 array (shape kept)."""
    arr = _reals(name, value, "in [0, 1]")
    ok = np.isfinite(arr) & (arr >= 0) & (arr <= 1)
    if not np.all(ok):
        raise ValueError(f"{_what(name)} must lie in [0, 1], got {_first_bad(arr, ok)!r}")
    return arr


def nonnegative_floats(name: str, value: object) -> np.ndarray:
    """A scalar or array of finite floats ``>= 0``, as a float64 array (shape kept)."""
    arr = _reals(name, value, ">= 0")
    ok = np.isfinite(arr) & (arr >= 0)
    if not np.all(ok):
        raise ValueError(f"{name} must be finite and >= 0, got {_first_bad(arr, ok)!r}")
    return arr


def integers(name: str, value: object, minimum: int = 1) -> np.ndarray:
    """A scalar or array of whole numbers ``>= minimum`` (sample sizes, dimensions), as an int64 array.

    Integer-valued floats (``400.0``, ``1e12``) are accepted; anything else is rejected, not rounded:
    ``n=40.5`` or ``n=inf`` is an error, here and in ``simulate`` alike."""
    arr = np.asarray(value)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be an integer or an array of integers (>= {minimum}), got {value!r}")
    if np.issubdtype(arr.dtype, np.floating):
        bad = ~(np.isfinite(arr) & (arr == np.round(arr)) & (np.abs(arr) < 2.0**62))
        if np.any(bad):
            raise TypeError(f"{name} must be an integer (a whole number), got {float(arr[bad].flat[0])!r}")
    bad = arr < minimum
    if np.any(bad):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {int(arr[bad].flat[0])}")
    return arr.astype(np.int64)


def positive_fraction(name: str, value: object) -> float:
    """A fraction in ``(0, 1]`` (a kept share, the GCE exponent q)."""
    x = fraction(name, value)
    if x <= 0:
        raise ValueError(f"{name} must lie in (0, 1], got {value!r}")
    return x


def choice(name: str, value: object, options: tuple[str, ...]) -> str:
    """One of ``options``."""
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return str(value)


#: Relative asymmetry ``max|A - Aᵀ| / max|A|`` above which a covariance is rejected as non-symmetric.
SYMMETRY_RTOL = 1e-10
#: Relative size ``-min eig / max |eig|`` above which a covariance is rejected as not positive semi-definite.
PSD_RTOL = 1e-10


def symmetric_matrix(name: str, value: object, size: int | None = None) -> np.ndarray:
    """A finite, square, symmetric float64 matrix (``size x size`` when ``size`` is given), returned
    exactly symmetrised, ``(A + Aᵀ)/2``. Asymmetry above :data:`SYMMETRY_RTOL` (relative to the largest
    entry) is an error: a covariance that is not symmetric is a bug upstream, not rounding."""
    A = finite_array(name, value, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {A.shape}")
    if size is not None and A.shape[0] != size:
        raise ValueError(f"{name} must have shape ({size}, {size}), got {A.shape}")
    if A.shape[0] < 1:
        raise ValueError(f"{name} must have at least one row, got shape {A.shape}")
    scale = float(np.max(np.abs(A)))
    asym = float(np.max(np.abs(A - A.T)))
    if asym > SYMMETRY_RTOL * scale:
        i, j = np.unravel_index(int(np.argmax(np.abs(A - A.T))), A.shape)
        raise ValueError(
            f"{name} must be symmetric: {name}[{i}, {j}] = {float(A[i, j])!r} but {name}[{j}, {i}] = {float(A[j, i])!r} "
            f"(|A - Aᵀ| up to {asym:.3g}, relative {asym / scale:.2g} > {SYMMETRY_RTOL:g})"
        )
    return (A + A.T) / 2


def psd_eigenvalues(name: str, eigenvalues: np.ndarray, scale: float | None = None) -> None:
    """Raise unless ``eigenvalues`` (of the matrix ``name``) are ``>= -PSD_RTOL * scale`` (default scale:
    the largest ``|eigenvalue|``): a covariance must be positive semi-definite."""
    e = np.asarray(eigenvalues, dtype=np.float64)
    scale = float(np.max(np.abs(e), initial=0.0)) if scale is None else float(scale)
    low = float(np.min(e, initial=0.0))
    if low < -PSD_RTOL * max(scale, np.finfo(float).tiny):
        raise ValueError(
            f"{name} must be positive semi-definite: its smallest eigenvalue is {low:.6g} "
            f"(largest |eigenvalue| {scale:.6g}, tolerance {PSD_RTOL:g} x that)"
        )


def matrix_shape(name: str, value: object, shape: tuple[int, ...], meaning: str = "") -> np.ndarray:
    """A finite float64 array of exactly ``shape``; the error names the parameter, both shapes and, if
    given, what the axes mean."""
    arr = finite_array(name, value, ndim=len(shape))
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{name} must have shape {tuple(shape)}{f' ({meaning})' if meaning else ''}, got {arr.shape}"
        )
    return arr


def curve(names: tuple[str, str], values: tuple[object, object]) -> tuple[np.ndarray, np.ndarray]:
    """The two coordinates of a curve's points: each a scalar or a non-empty 1-D array, broadcast against
    each other (``ValueError`` naming both otherwise); entries are checked by the caller."""
    a, b = (np.atleast_1d(np.asarray(v)) for v in values)
    if a.ndim != 1 or b.ndim != 1 or a.size == 0 or b.size == 0:
        raise ValueError(
            f"{names[0]} and {names[1]} must be non-empty 1-D, got shapes {a.shape} and {b.shape}"
        )
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise ValueError(
            f"{names[0]} and {names[1]} must broadcast, got lengths {a.size} and {b.size}"
        ) from None
    return a, b


def sample_size_curve(n: object, N: object) -> tuple[list[int], list[int]]:
    """A curve's sample sizes: :func:`curve` of ``n`` and ``N``, every entry an integer ``>= 1`` (the error
    names the entry, e.g. ``n[2]``)."""
    n, N = curve(("n", "N"), (n, N))
    return (
        [positive_int(f"n[{j}]", v) for j, v in enumerate(n.tolist())],
        [positive_int(f"N[{j}]", v) for j, v in enumerate(N.tolist())],
    )
