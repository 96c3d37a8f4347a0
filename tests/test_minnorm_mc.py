"""Monte Carlo against the exact risks in all four teacher/student regimes, the min-norm ones included
(docs/theory/discrepancies.md §12.7): every risk within 5 SE.

General principal angles and a random target, so every invariant is non-zero. Sample sizes keep
|m - k| >= 4 for every fit (the per-trial risk has infinite variance closer to the pole, so its SE would
mean nothing), which includes the smallest such gaps n - d_w = -4, +4 and N - d_s = -4, +4. The default run
checks one configuration per new regime with the design engine (the cheapest to compile: ~3 s a shape);
the slow set checks four per regime with the default Wishart engine and 20000 trials."""

import numpy as np
import pytest

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.testing import assert_mc_close

RISKS = ("weak", "strong", "ceiling", "w2s")


def general_model(d_w: int, d_s: int, shared: int, sigma2: float, seed: int) -> SubspaceModel:
    """Subspaces with ``shared`` principal angles drawn in (0.15, 1.35) rad and a Gaussian target of
    squared norm about 4 in D = d_w + d_s + 2 dimensions."""
    rng = np.random.default_rng(seed)
    D = d_w + d_s + 2
    beta = rng.normal(size=D) * 2 / np.sqrt(D)
    return SubspaceModel.from_principal_angles(
        rng.uniform(0.15, 1.35, size=shared), d_w, d_s, sigma2, beta=beta, D=D
    )


def regime(m: SubspaceModel, n: int, N: int) -> str:
    teacher = "over" if n <= m.d_w - 2 else "under"
    student = "over" if N <= m.d_s - 2 else "under"
    return f"teacher {teacher}, student {student}"


def check(m: SubspaceModel, n: int, N: int, trials: int, seed: int, engine: str, label: str) -> None:
    for name, dim, size in [("weak", m.d_w, n), ("strong", m.d_s, n), ("ceiling", m.d_s, n + N),
                            ("w2s", m.d_s, N)]:  # fmt: skip
        assert abs(size - dim) >= 4, f"{label}: {name} is within 3 of its pole, its SE is meaningless"
    exact = m.expected_risks(n, N)
    mc = m.simulate(n, N, trials=trials, seed=seed, engine=engine)
    for key in RISKS:
        a = assert_mc_close(mc[key], exact[key], label=f"{label} n={n} N={N} {regime(m, n, N)}: {key}")
        print(f"{a.label}: exact {a.expected:.4f}, MC {a.actual:.4f} ± {a.se:.4f}, z = {a.z:+.2f}")


# --------------------------------------------------------------------------------- default run
SMALL = dict(d_w=6, d_s=10, shared=4, sigma2=0.5, seed=7)
DEFAULT = [(2, 16), (14, 6), (2, 4)]  # teacher over / student over / both (baseline, ceiling over too)


@pytest.mark.parametrize("n,N", DEFAULT, ids=lambda v: str(v))
def test_monte_carlo_matches_exact_min_norm_risks(n, N):
    m = general_model(**SMALL)
    check(m, n, N, trials=4000, seed=100 + n + N, engine="design", label="small")


def test_default_configurations_cover_every_min_norm_form():
    m = general_model(**SMALL)
    assert {regime(m, n, N) for n, N in DEFAULT} == {
        "teacher over, student under",
        "teacher under, student over",
        "teacher over, student over",
    }
    assert any(n <= m.d_s - 2 for n, _ in DEFAULT) and any(n + N <= m.d_s - 2 for n, N in DEFAULT)


# ------------------------------------------------------------------------------------ slow run
GEOMETRIES = {
    "A": dict(d_w=20, d_s=30, shared=14, sigma2=0.5, seed=1),  # student larger
    "B": dict(d_w=24, d_s=16, shared=10, sigma2=1.0, seed=2),  # teacher larger
}
SLOW = {
    "teacher over, student under": [("A", 16, 34), ("A", 8, 60), ("A", 12, 40), ("B", 8, 22)],
    "teacher under, student over": [("A", 24, 26), ("A", 40, 10), ("A", 60, 20), ("B", 30, 10)],
    "teacher over, student over": [("A", 16, 8), ("A", 12, 26), ("A", 4, 20), ("B", 6, 4)],
    "teacher under, student under": [("A", 24, 34), ("A", 40, 60), ("B", 30, 21), ("B", 40, 40)],
}
SLOW_CASES = [(reg, *case) for reg, cases in SLOW.items() for case in cases]


@pytest.mark.slow
@pytest.mark.parametrize("reg,geometry,n,N", SLOW_CASES, ids=lambda v: str(v))
def test_monte_carlo_matches_exact_risks_in_every_regime(reg, geometry, n, N):
    m = general_model(**GEOMETRIES[geometry])
    assert regime(m, n, N) == reg
    check(m, n, N, trials=20000, seed=1000 + n + N, engine="wishart", label=f"geometry {geometry}")
