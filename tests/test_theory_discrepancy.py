"""Closed forms against reference numbers (authors' configuration: docs/theory/discrepancies.md §10.1;
lower-bound figure: docs/theory/discrepancies.md §10.2) and limiting cases
(docs/theory/discrepancies.md §3.4, §6.9)."""

import numpy as np
import pytest

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.discrepancy import theory as th


def assert_printed(value: float, printed: str, units: float = 0.5):
    """``value`` rounds to the printed reference number: |value - printed| <= half a unit in the last digit
    (``units`` widens it where the printed number's own rounding is off, documented at the call)."""
    mantissa = printed.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(printed.split("e")[1]) if "e" in printed else 0
    half_ulp = units * 10.0 ** (exponent - decimals)
    assert abs(value - float(printed)) <= half_ulp * (1 + 1e-9), f"{value:.6g} does not round to {printed}"


@pytest.fixture(scope="module")
def notebook_models():
    return {d_sw: SubspaceModel.notebook(doff=100 - d_sw) for d_sw in (10, 50, 90)}


def test_notebook_rho_and_bias_pieces(notebook_models):
    # rho: docs/theory/discrepancies.md §10.1; bias pieces: docs/theory/discrepancies.md §1.3
    for d_sw, rho_w, bias_sw, bias_ws in [
        (10, "2.56e-4", "2.541e-4", "5.307e-5"),
        (50, "2.34e-4", "2.250e-4", "4.566e-5"),
        (90, "1.64e-4", "1.464e-4", "3.697e-5"),
    ]:
        m = notebook_models[d_sw]
        assert m.d_sw == pytest.approx(d_sw, abs=1e-9)
        assert_printed(m.rho_w, rho_w)
        assert_printed(m.rho_s, "5.48e-5")
        assert_printed(m.bias_sw, bias_sw)
        assert_printed(m.bias_ws, bias_ws)


# Reference values at the authors' configuration (docs/theory/discrepancies.md §1.6, §10.1):
# d_sw, sigma2, n, N, ER_w, ER_s, ER_c, ER_w2s (exact: docs/theory/discrepancies.md §3),
# stated W2S curve (docs/theory/discrepancies.md §4.2)
AUTHORS_CONFIG_TABLE = [
    (10, 1e-2, 2000, 400, "1.3960e-3", "5.842e-4", "4.921e-4", "7.459e-4", "6.302e-4"),
    (10, 1e-2, 2000, 4000, "1.3960e-3", "5.842e-4", "2.252e-4", "3.950e-4", "3.926e-4"),
    (10, 1e-2, 400, 4000, "1.0563e-2", "3.418e-3", "2.887e-4", "1.077e-3", "1.052e-3"),
    (10, 4e-4, 2000, 4000, "3.287e-4", "7.871e-5", "6.247e-5", "3.157e-4", "3.139e-4"),
    (50, 1e-2, 2000, 400, "1.3718e-3", "5.842e-4", "4.921e-4", "8.648e-4", "7.752e-4"),
    (50, 1e-2, 2000, 4000, "1.3718e-3", "5.842e-4", "2.252e-4", "5.872e-4", "5.876e-4"),
    (50, 1e-2, 400, 4000, "1.0520e-2", "3.418e-3", "2.887e-4", "3.050e-3", "2.990e-3"),
    (90, 1e-2, 2000, 400, "1.2942e-3", "5.842e-4", "4.921e-4", "9.299e-4", "8.722e-4"),
    (90, 1e-2, 2000, 4000, "1.2942e-3", "5.842e-4", "2.252e-4", "7.266e-4", "7.346e-4"),
    (90, 1e-2, 400, 4000, "1.0380e-2", "3.418e-3", "2.887e-4", "4.943e-3", "4.880e-3"),
    (90, 4e-4, 2000, 4000, "2.270e-4", "7.871e-5", "6.247e-5", "2.313e-4", "2.396e-4"),
]


@pytest.mark.parametrize("row", AUTHORS_CONFIG_TABLE, ids=lambda r: f"dsw{r[0]}-s{r[1]}-n{r[2]}-N{r[3]}")
def test_exact_expectations_at_authors_configuration(notebook_models, row):
    """Exact and stated risks at the authors' configuration (docs/theory/discrepancies.md §1.6, §10.1)."""
    d_sw, sigma2, n, N, weak, strong, ceiling, w2s, notebook_curve = row
    m = notebook_models[d_sw].with_sigma2(sigma2)
    ex = m.expected_risks(n, N)
    for key, printed in zip(("weak", "strong", "ceiling", "w2s"), (weak, strong, ceiling, w2s), strict=True):
        assert_printed(ex[key], printed)
    assert_printed(m.paper_risks(n, N)["w2s"], notebook_curve)


@pytest.mark.parametrize(
    "d_sw,n,pgr,opr", [(10, 2000, "0.855", "1.479"), (10, 400, "0.923", "3.17"), (50, 2000, "0.684", "0.995"),
                       (90, 2000, "0.531", "0.804")],
)  # fmt: skip
def test_exact_pgr_opr_at_authors_configuration(notebook_models, d_sw, n, pgr, opr):
    """PGR and OPR as ratios of exact expectations (docs/theory/discrepancies.md §5.2) at N = 4000."""
    ex = notebook_models[d_sw].expected_risks(n, 4000)
    assert_printed(ex["pgr"], pgr)
    assert_printed(ex["opr"], opr)


def test_more_exact_values_at_authors_configuration():
    """d_sw = 0, and the PGR > 1 example of docs/theory/discrepancies.md §6.8."""
    m0 = SubspaceModel.notebook(doff=100)  # d_sw = 0
    ex = m0.expected_risks(2000, 4000)
    assert_printed(ex["w2s"], "3.448e-4")
    assert_printed(ex["pgr"], "0.898")
    # printed as 1.695, but ER_s / ER_w2s = 5.842e-4 / 3.448e-4 = 1.6943, so allow one unit
    assert_printed(ex["opr"], "1.695", units=1.0)
    ex = SubspaceModel.notebook(doff=90, sigma2=1e-1).expected_risks(2000, 4000)
    assert_printed(ex["w2s"], "1.139e-3")
    assert_printed(ex["ceiling"], "1.751e-3")
    assert_printed(ex["pgr"], "1.06")  # W2S beats the ceiling (docs/theory/discrepancies.md §6.8)


BOUND_FIG = dict(d_w=100, d_s=80, d_sw=10, sigma2=1.0, rho=0.1)  # docs/theory/discrepancies.md §10.2


def test_lower_bound_figure_values():
    """Bounds, n* and the peaks of the lower-bound figure (docs/theory/discrepancies.md §6.5, §10.2)."""
    pgr = lambda n, N: float(th.pgr_lower_bound(n=n, N=N, **BOUND_FIG))
    opr = lambda n, N: float(th.opr_lower_bound(n=n, N=N, **BOUND_FIG))
    assert_printed(pgr(220, 4000), "0.5618")
    assert_printed(opr(220, 4000), "1.8259")
    assert_printed(pgr(800, 4000), "0.0649")
    assert_printed(opr(800, 4000), "0.8556")
    assert_printed(pgr(220, 160), "-0.2368")
    n_star = float(th.n_star(N=4000, **BOUND_FIG))
    assert_printed(n_star, "210.2")
    assert_printed(pgr(n_star, 4000), "0.5627")
    assert_printed(opr(n_star, 4000), "1.829")
    # docs/theory/discrepancies.md §10.2: N = 4000 for n = 220, 510, 800; peaks for N = 1600, 2800, 4000
    for n, p, o in [(220, "0.562", "1.826"), (510, "0.343", "1.217"), (800, "0.065", "0.856")]:
        assert_printed(pgr(n, 4000), p)
        assert_printed(opr(n, 4000), o)
    for N, n_pk, p, o in [
        (1600, "222", "0.512", "1.64"),
        (2800, "214", "0.548", "1.77"),
        (4000, "210", "0.563", "1.83"),
    ]:
        n_s = float(th.n_star(N=N, **BOUND_FIG))
        assert_printed(n_s, n_pk)
        assert_printed(pgr(n_s, N), p)
        assert_printed(opr(n_s, N), o)


def test_n_star_is_the_grid_argmax():
    n = np.linspace(102, 1000, 200001)
    for N in (400, 1600, 4000):
        grid = th.pgr_lower_bound(n=n, N=N, **BOUND_FIG)
        assert n[np.argmax(grid)] == pytest.approx(float(th.n_star(N=N, **BOUND_FIG)), abs=0.01)
        grid = th.opr_lower_bound(n=n, N=N, **BOUND_FIG)
        assert n[np.argmax(grid)] == pytest.approx(float(th.n_star(N=N, **BOUND_FIG)), abs=0.01)


def test_sample_size_thresholds():
    p = {k: v for k, v in BOUND_FIG.items()}
    N_opr = float(th.N_for_opr_above_1(n=220, **p))
    # docs/theory/discrepancies.md §6.6 formula, written independently
    n, d_w, d_s, d_sw, s2, rho = 220, 100, 80, 10, 1.0, 0.1
    assert N_opr == pytest.approx(
        d_s * (d_w - d_sw) / ((n - d_w - 1) / n * (d_s - n * rho / s2) - d_sw), rel=1e-12
    )
    assert (
        float(th.opr_lower_bound(n=220, N=N_opr * 0.999, **p))
        < 1
        < float(th.opr_lower_bound(n=220, N=N_opr * 1.001, **p))
    )
    assert np.isinf(th.N_for_opr_above_1(n=800, **p))  # n rho / sigma2 too large: no N suffices
    N_pgr = float(th.N_for_pgr_above(n=220, epsilon=0.5, **p))
    assert float(th.pgr_lower_bound(n=220, N=N_pgr, **p)) == pytest.approx(0.5, abs=1e-12)
    assert np.isinf(th.N_for_pgr_above(n=220, epsilon=0.3, **p))  # the N = inf value 0.563 < 0.7


def test_bounds_hold_for_exact_risks_once_N_is_5_d_s():
    """The bounds of docs/theory/discrepancies.md §6.1 use d_s/N; the exact risks have d_s/(N - d_s - 1)
    and extra bias, so they are not bounds near N ~ d_s (documented finding,
    docs/theory/discrepancies.md §6.9: violated up to N = 4 d_s at n = 800 when rho sits in the teacher)
    but hold on the figure's grid for N >= 5 d_s."""
    n = np.linspace(110, 800, 60).astype(int)[:, None]
    N = np.linspace(400, 4000, 60).astype(int)[None, :]
    for rho_w, rho_s in [(0.05, 0.05), (0.1, 0.0), (0.0, 0.1)]:
        # coordinate case: bias_sw <= rho_w and bias_ws <= rho_s; take both at their largest
        ex = th.expected_risks(n=n, N=N, d_w=100, d_s=80, d_sw=10, sigma2=1.0, rho_w=rho_w, rho_s=rho_s,
                               bias_sw=rho_w, bias_ws=rho_s)  # fmt: skip
        lb_pgr = th.pgr_lower_bound(n=n, N=N, **BOUND_FIG)
        lb_opr = th.opr_lower_bound(n=n, N=N, **BOUND_FIG)
        ok = ex["weak"] > ex["ceiling"]  # PGR >= 1 - ER_w2s/ER_w needs ER_w > ER_c
        assert np.all(ex["pgr"][ok] >= lb_pgr[ok])
        assert np.all(ex["opr"] >= lb_opr)
    ex = th.expected_risks(n=220, N=160, d_w=100, d_s=80, d_sw=10, sigma2=1.0, rho_w=0.1, bias_sw=0.1)
    assert ex["opr"] < th.opr_lower_bound(n=220, N=160, **BOUND_FIG)  # violated at N = 2 d_s


def test_limiting_cases():
    kw = dict(d_w=40, d_s=30, sigma2=0.7, rho_w=0.01, rho_s=0.02, bias_sw=0.005, bias_ws=0.004)
    # V_w inside V_s, no bias: W2S = weak exactly (no gain)
    nb = dict(d_w=20, d_s=30, sigma2=0.7)
    ex = th.expected_risks(n=100, N=500, d_sw=20, **nb)
    assert ex["w2s"] == pytest.approx(ex["weak"], rel=1e-14)
    # N -> infinity: only the inherited part remains
    big = th.expected_risks(n=100, N=1e12, d_sw=12, **kw)
    inherited = (0.7 + 0.01) * 12 / (100 - 40 - 1) + 0.02 + 0.005
    assert big["w2s"] == pytest.approx(inherited, rel=1e-9)
    # stated form -> exact as N -> infinity (no bias)
    for N in (1e3, 1e4, 1e5):
        e = th.expected_risks(n=100, N=N, d_sw=12, d_w=40, d_s=30, sigma2=0.7)["w2s"]
        s = th.paper_risks(n=100, N=N, d_sw=12, d_w=40, d_s=30, sigma2=0.7)["w2s"]
        assert abs(e - s) / e < 40 * 30**2 / N**2 * 1.5  # O(d_s^2/N^2) relative gap


def test_proportional_limit_is_the_limit_of_the_exact_risks():
    ratios = dict(gamma_w=0.2, gamma_s=0.25, lam=2.0, omega=0.3)
    p = dict(sigma2=0.5, rho_w=0.03, rho_s=0.02, bias_sw=0.01, bias_ws=0.015)
    lim = th.proportional_limit(**ratios, **p)
    errors = []
    sizes = np.array([1e3, 1e4, 1e5])
    for n in sizes:
        N = ratios["lam"] * n
        ex = th.expected_risks(n=n, N=N, d_w=0.2 * n, d_s=0.25 * N, d_sw=0.3 * 0.2 * n, **p)
        errors.append(max(abs(ex[k] - lim[k]) / lim[k] for k in th.RISK_KEYS))
    slope = np.polyfit(np.log(sizes), np.log(errors), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.05)  # 1/n convergence of (m - d - 1) factors


def test_smallest_N_opr_above_1_bisection_equals_the_full_scan():
    """OPR does not decrease in N above d_s + 1 (only the W2S risk depends on N, as a + c d_s/(N - d_s - 1)
    with c >= 0), so the bisection answers what scanning every N answers, in both teacher regimes, with
    and without an answer below the limit; a floor that hides the W2S risk falls back to the scan."""
    rng = np.random.default_rng(11)
    limit, compared, answers = 20_000, 0, set()
    while compared < 120:
        d_w, d_s = (int(v) for v in rng.integers(3, 40, size=2))
        inv = dict(
            d_w=d_w,
            d_s=d_s,
            d_sw=float(rng.integers(0, min(d_w, d_s) + 1)),
            sigma2=float(rng.uniform(0.01, 2.0)),
            **{k: float(rng.uniform(0.0, 0.3)) for k in ("rho_w", "rho_s", "bias_sw", "bias_ws")},
        )
        n = int(rng.integers(2, 300))
        if min(abs(n - d_w), abs(n - d_s)) <= 1:  # the teacher's and the baseline's poles
            continue
        if n <= d_w - 2 or n <= d_s - 2:  # minimum-norm fits need ||beta||^2
            inv["beta2"] = sum(inv[k] for k in ("rho_w", "rho_s", "bias_sw", "bias_ws")) + 1.0
        holds = lambda N, n=n, inv=inv: th.expected_risks(n=n, N=N, **inv)["opr"] > 1
        scan = th._first_integer(holds, d_s + 2, limit)
        assert th.smallest_N_opr_above_1(n=n, limit=limit, **inv) == scan, (n, inv)
        answers.add(scan is None)
        compared += 1
    assert answers == {True, False}
    inv = dict(d_w=20, d_s=10, d_sw=4, sigma2=1.0)
    N = th.smallest_N_opr_above_1(n=200, **inv)
    w2s = th.expected_risks(n=200, N=[N, 10**8], **inv)["w2s"]
    # a floor between the W2S risk at N and as N -> infinity: OPR is NaN at the limit, so every N is
    # scanned (a bisection would answer None)
    floor = float(w2s.mean())
    assert np.isnan(th.expected_risks(n=200, N=10**5, floor=floor, **inv)["opr"])
    assert th.smallest_N_opr_above_1(n=200, floor=floor, limit=10**5, **inv) == N
    with pytest.raises(ValueError, match="limit must be at least d_s \\+ 2 = 12, got 5"):
        th.smallest_N_opr_above_1(n=200, limit=5, **inv)
