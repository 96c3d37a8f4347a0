"""SubspaceModel: constructors, derived quantities and every bad input raising a clear error."""

import subprocess
import sys

import numpy as np
import pytest

from w2s_theory.discrepancy import SubspaceModel


def test_coordinate_constructor_overlap_and_biases():
    beta = np.arange(1.0, 11.0)
    m = SubspaceModel.coordinate(d_w=4, d_s=5, d_sw=2, sigma2=0.3, beta=beta)
    # V_s = e1..e5, V_w = e4..e7
    assert m.d_sw == pytest.approx(2)
    assert m.rho_s == pytest.approx(np.sum(beta[5:] ** 2))
    assert m.rho_w == pytest.approx(np.sum(beta[:3] ** 2) + np.sum(beta[7:] ** 2))
    assert m.bias_sw == pytest.approx(np.sum(beta[:3] ** 2))  # in S, not in W
    assert m.bias_ws == pytest.approx(np.sum(beta[5:7] ** 2))  # in W, not in S
    assert m.r == 8  # span(V_w, V_s) has 7 axes, plus beta's residual direction


def test_principal_angles_constructor():
    angles = np.array([0.0, 0.3, 1.0, np.pi / 2])
    m = SubspaceModel.from_principal_angles(angles, d_w=6, d_s=5, sigma2=1.0)
    assert m.d_sw == pytest.approx(np.sum(np.cos(angles) ** 2))
    cosines = np.linalg.svd(m.V_s.T @ m.V_w, compute_uv=False)
    np.testing.assert_allclose(np.sort(cosines)[::-1][:4], np.sort(np.cos(angles))[::-1], atol=1e-12)


def test_notebook_constructor_is_cheap_in_D_and_reduces_to_R():
    m = SubspaceModel.notebook(d=20000, d_w=200, d_s=100, doff=10, d_gt=300, cov_pow=1.0, sigma2=1e-2, seed=0)
    assert (m.D, m.d_w, m.d_s) == (20000, 200, 100)
    assert m.d_sw == pytest.approx(90)
    assert m.r <= m.d_w + m.d_s + 1
    np.testing.assert_allclose(m.beta[:300] ** 2, 1 / (np.arange(1, 301) * 20000))
    assert np.sum(m.b_star**2) == pytest.approx(np.sum(m.beta**2))  # nothing of beta is lost
    assert SubspaceModel.notebook(doff=0).d_sw == pytest.approx(100)  # the notebook itself needs doff >= 1


def test_span_basis_on_the_support_rows_keeps_every_inner_product():
    """span_basis works on the rows where V_w or V_s is non-zero; beta's entries elsewhere enter only its
    residual direction. The coordinates keep every inner product of V_w, V_s and beta."""
    rng = np.random.default_rng(3)
    D, rows = 400, rng.choice(400, size=60, replace=False)
    V_w, V_s = np.zeros((D, 12)), np.zeros((D, 9))
    V_w[rows[:40]] = np.linalg.qr(rng.standard_normal((40, 12)))[0]
    V_s[rows[25:]] = np.linalg.qr(rng.standard_normal((35, 9)))[0]
    beta = rng.standard_normal(D)  # most of it off the support rows
    m = SubspaceModel(V_w, V_s, beta, 0.1)
    assert m.r == 12 + 9 + 1
    A, B = np.column_stack([V_w, V_s, beta]), np.column_stack([m.B_w, m.B_s, m.b_star])
    np.testing.assert_allclose(B.T @ B, A.T @ A, atol=1e-12 * np.sum(beta**2))


def test_signs_do_not_matter_but_seed_is_reproducible():
    a, b = SubspaceModel.notebook(seed=1), SubspaceModel.notebook(seed=1)
    np.testing.assert_array_equal(a.beta, b.beta)
    assert SubspaceModel.notebook(seed=2).expected_risks(2000, 400) == pytest.approx(
        a.expected_risks(2000, 400)
    )


V = np.eye(6)[:, :2]


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (
            dict(V_w=V * 1.1, V_s=V, beta=np.zeros(6), sigma2=1.0),
            ValueError,
            "V_w must have orthonormal columns",
        ),
        (
            dict(V_w=V, V_s=np.ones((6, 2)), beta=np.zeros(6), sigma2=1.0),
            ValueError,
            "V_s must have orthonormal",
        ),
        (
            dict(V_w=V, V_s=np.eye(7)[:, :2], beta=np.zeros(6), sigma2=1.0),
            ValueError,
            "same ambient dimension",
        ),
        (dict(V_w=V, V_s=V, beta=np.zeros(5), sigma2=1.0), ValueError, "same ambient dimension"),
        (
            dict(V_w=V, V_s=V, beta=np.zeros(6), sigma2=-0.1),
            ValueError,
            "sigma2 must be a finite number >= 0",
        ),
        (
            dict(V_w=V, V_s=V, beta=np.zeros(6), sigma2=np.inf),
            ValueError,
            "sigma2 must be a finite number >= 0",
        ),
        (
            dict(V_w=V, V_s=V, beta=np.zeros(6), sigma2=np.nan),
            ValueError,
            "sigma2 must be a finite number >= 0",
        ),
        (
            dict(V_w=V, V_s=V, beta=np.r_[np.nan, np.zeros(5)], sigma2=1.0),
            ValueError,
            "beta contains NaN or inf",
        ),
        (
            dict(V_w=np.r_[V[:5], [[np.inf, 0]]], V_s=V, beta=np.zeros(6), sigma2=1.0),
            ValueError,
            "V_w contains",
        ),
        (dict(V_w=np.zeros((6, 0)), V_s=V, beta=np.zeros(6), sigma2=1.0), ValueError, "at least one column"),
        (dict(V_w=V, V_s=V, beta=np.zeros(6), sigma2="1"), TypeError, "sigma2 must be a real number"),
    ],
)
def test_bad_model_inputs(kwargs, error, match):
    with pytest.raises(error, match=match):
        SubspaceModel(**kwargs)


@pytest.fixture(scope="module")
def small():
    return SubspaceModel.coordinate(d_w=10, d_s=8, d_sw=3, sigma2=1.0)


@pytest.mark.parametrize(
    "n,N,match",
    [
        (11, 50, r"n=11 must exceed d_w \+ 1 = 11"),
        (9, 50, r"n=9 must exceed d_w \+ 1 = 11 or be at most d_w - 2 = 8"),
        (40, 9, r"N=9 must exceed d_s \+ 1"),
    ],
)
def test_exact_expectation_needs_enough_samples(small, n, N, match):
    with pytest.raises(ValueError, match=match) as info:
        small.expected_risks(n, N)
    assert "infinite" in str(info.value)


def test_exact_expectation_baseline_needs_n_above_d_s():
    m = SubspaceModel.coordinate(d_w=3, d_s=8, d_sw=3, sigma2=1.0)
    with pytest.raises(ValueError, match=r"n=9 must exceed d_s \+ 1 = 9 .*strong baseline"):
        m.expected_risks(9, 50)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(n=20, N=20, trials=0), ValueError, "trials must be an integer >= 1"),
        (dict(n=20, N=20, trials=2.5), TypeError, "trials must be an integer"),
        (dict(n=0, N=20, trials=2), ValueError, "n must be an integer >= 1"),
        (dict(n=20, N=-3, trials=2), ValueError, "N must be an integer >= 1"),
        (dict(n=20, N=20, trials=2, chunk_size=0), ValueError, "chunk_size must be an integer >= 1"),
        (dict(n=20, N=20, trials=2, engine="torch"), ValueError, "engine must be one of"),
    ],
)
def test_bad_simulate_inputs(small, kwargs, error, match):
    with pytest.raises(error, match=match):
        small.simulate(**kwargs)


def test_simulate_requires_x64():
    """Run in a fresh process: flipping jax_enable_x64 inside this session corrupts JAX's lowering caches."""
    code = (
        "from w2s_theory.discrepancy import SubspaceModel\n"
        "try:\n"
        "    SubspaceModel.coordinate(d_w=10, d_s=8, d_sw=3, sigma2=1.0).simulate(n=20, N=20, trials=2)\n"
        "except RuntimeError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "jax_enable_x64" in out.stdout


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda: SubspaceModel.coordinate(4, 3, 4, 1.0),
            r"d_sw must lie in \[0, min\(d_w, d_s\)\] = \[0, 3\]",
        ),
        (lambda: SubspaceModel.coordinate(4, 3, 1, 1.0, beta=np.zeros(3)), "D .* must be >= 6"),
        (
            lambda: SubspaceModel.from_principal_angles([0.1, 2.0], 3, 3, 1.0),
            r"angles must lie in \[0, pi/2\]",
        ),
        (lambda: SubspaceModel.from_principal_angles([0.1] * 4, 3, 5, 1.0), "at most min"),
        (
            lambda: SubspaceModel.notebook(d=250),
            "doff \\+ d_w = 210 must be <= d = 250|d_gt = 300 must be <= d",
        ),
        (lambda: SubspaceModel.notebook(doff=-1), "doff must be an integer >= 0"),
    ],
)
def test_bad_constructor_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
