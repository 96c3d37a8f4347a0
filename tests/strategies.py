"""Hypothesis strategies and model factories shared by the discrepancy tests."""

import numpy as np
from hypothesis import strategies as st

from w2s_theory.discrepancy import SubspaceModel


def random_orthonormal(rng: np.random.Generator, D: int, d: int) -> np.ndarray:
    return np.linalg.qr(rng.standard_normal((D, d)))[0]


@st.composite
def subspace_models(draw, max_dim: int = 6):
    """Coordinate, principal-angle or general-position models, with or without a misfit bias."""
    kind = draw(st.sampled_from(["coordinate", "angles", "general"]))
    d_w = draw(st.integers(1, max_dim))
    d_s = draw(st.integers(1, max_dim))
    sigma2 = draw(st.sampled_from([0.0, 0.1, 1.0])) if kind != "general" else 0.5
    with_bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    D = d_w + d_s + 2
    beta = rng.standard_normal(D) / np.sqrt(D) if with_bias or sigma2 == 0.0 else np.zeros(D)
    if kind == "coordinate":
        d_sw = draw(st.integers(0, min(d_w, d_s)))
        return SubspaceModel.coordinate(d_w, d_s, d_sw, sigma2, beta=beta)
    if kind == "angles":
        k = draw(st.integers(0, min(d_w, d_s)))
        angles = rng.uniform(0, np.pi / 2, size=k)
        return SubspaceModel.from_principal_angles(angles, d_w, d_s, sigma2, beta=beta)
    return SubspaceModel(random_orthonormal(rng, D, d_w), random_orthonormal(rng, D, d_s), beta, sigma2)
