"""Monte Carlo of the multi-teacher model against its exact forms (fixed seeds; |MC - exact| <= 5 SE).

Default run: one disjoint-label and one shared-label (commuting) configuration, small dimensions. Slow:
four configurations per form (small n - d and N - d_s included), the two engines against each other, the
coverage example's rows, and the shared-set plug-in failing for non-commuting teachers."""

from __future__ import annotations

import numpy as np
import pytest

from w2s_theory.metrics import mean_se
from w2s_theory.multiteacher import MultiTeacherModel
from w2s_theory.testing import assert_mc_close

from .test_multiteacher_theory import commuting_model, general_model

RULES = ("uniform", "inverse_variance", "simplex", "optimal")


def check_against_theory(model: MultiTeacherModel, mc: dict, q, label: str) -> list[float]:
    """Every entry of the per-teacher students' error Gram (rho_s + Q), the risk of every weighting rule and
    of one weight vector off the sum-to-one plane (the general quadratic); returns the |z| values."""
    zs = []
    M = model.M
    for m in range(M):
        for l in range(m, M):
            rec = assert_mc_close(mc["w2s_gram"][:, m, l], q.gram[m, l], label=f"{label} G[{m},{l}]")
            zs.append(abs(rec.z))
    for rule in RULES:
        a = q.weights(rule)
        rec = assert_mc_close(
            model.weighted_risk(mc, a), q.risk(a), label=f"{label} ER({rule}) a={np.round(a, 3)}"
        )
        zs.append(abs(rec.z))
    a = np.full(M, 0.6 / M)
    rec = assert_mc_close(
        model.weighted_risk(mc, a), q.risk(a, sum_to_one=False), label=f"{label} ER(0.6 uniform)"
    )
    return zs + [abs(rec.z)]


# ------------------------------------------------------------------------------------- default run
def test_disjoint_labels_match_the_exact_quadratic():
    model = general_model()
    n, N = [9, 11], 10  # n_m - d_m - 1 = 4, 5; N - d_s - 1 = 4
    mc = model.simulate(n, N, trials=3000, seed=11)
    check_against_theory(model, mc, model.expected(n, N), "disjoint D1")


def test_shared_labels_commuting_teachers_match_the_exact_quadratic():
    """Two teachers sharing 3 of their 6 coordinates, a random student subspace: the Stiefel coupling of the
    private blocks is present."""
    model = commuting_model()
    q = model.expected(12, 10, labels="shared")
    assert abs(q.K[0, 1]) > 0.05
    mc = model.simulate(12, 10, trials=3000, seed=12, labels="shared")
    check_against_theory(model, mc, q, "shared S1")


# --------------------------------------------------------------------------------------------- slow
DISJOINT = {
    "D2 (three teachers, n - d - 1 = 3)": (dict(seed=1, D=20, d_s=8, d_m=(6, 8, 5)), [10, 14, 9], 14),
    "D3 (N - d_s - 1 = 3)": (dict(seed=2, D=16, d_s=6, d_m=(5, 7)), [15, 20], 10),
    "D4 (four teachers)": (dict(seed=3, D=24, d_s=8, d_m=(4, 6, 8, 5), sigma2=1.0), [12, 30, 14, 9], 16),
}
SHARED = {
    "S2 (nested)": (dict(seed=4, D=14, d_s=6, coords=((0, 1, 2), (0, 1, 2, 3, 4, 5, 6, 7))), 12, 12),
    "S3 (disjoint coordinates, n - c small)": (
        dict(seed=5, D=14, d_s=6, coords=((0, 1, 2, 3, 4), (5, 6, 7, 8, 9))),
        9,
        11,
    ),
    "S4 (three teachers, n - max d - 1 = 3)": (
        dict(seed=6, D=16, d_s=6, coords=((0, 1, 2, 3, 4, 5, 6, 7), (2, 3, 4, 5, 6, 7, 8, 9), (10, 11, 12))),
        12,
        12,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DISJOINT))
def test_more_disjoint_configurations(name):
    kw, n, N = DISJOINT[name]
    model = general_model(**kw)
    mc = model.simulate(n, N, trials=20000, seed=21)
    zs = check_against_theory(model, mc, model.expected(n, N), name)
    print(name, "max |z| =", round(max(zs), 2))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHARED))
def test_more_shared_commuting_configurations(name):
    kw, n, N = SHARED[name]
    model = commuting_model(**kw)
    mc = model.simulate(n, N, trials=20000, seed=22, labels="shared")
    zs = check_against_theory(model, mc, model.expected(n, N, labels="shared"), name)
    print(name, "max |z| =", round(max(zs), 2))


@pytest.mark.slow
@pytest.mark.parametrize("labels", ["disjoint", "shared"])
def test_the_two_engines_agree(labels):
    model = commuting_model()
    runs = {
        engine: model.simulate(12, 10, trials=20000, seed=5, labels=labels, engine=engine)
        for engine in ("wishart", "design")
    }
    for key in ("w2s_gram", "weak_gram", "grad_gram"):
        for m, l in ((0, 0), (0, 1), (1, 1)):
            w, d = (mean_se(runs[e][key][:, m, l]) for e in ("wishart", "design"))
            z = (w.value - d.value) / np.hypot(w.se, d.se)
            assert abs(z) < 5, f"{labels} {key}[{m},{l}]: wishart {w} design {d} z={z:.2f}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "case,n4", [("redundant", 52), ("redundant", 16), ("complementary", 52), ("complementary", 16)]
)
def test_coverage_example_rows(case, n4):
    model = MultiTeacherModel.coverage(case)
    n = [40, 40, 40, n4]
    mc = model.simulate(n, 30, trials=20000, seed=31)
    zs = check_against_theory(model, mc, model.expected(n, 30), f"coverage {case} n4={n4}")
    print(case, n4, "max |z| =", round(max(zs), 2))


@pytest.mark.slow
def test_shared_plug_in_fails_for_non_commuting_teachers():
    """Do not "fix" this by loosening: for teachers at general angles on one labelled set, the plug-in
    (c = tr P_m P_l, ...) misses the off-diagonal Gram entry by many SE, while the diagonal and the
    disjoint-label forms hold. No closed form: the API raises unless plug_in=True (exact=False)."""
    model = general_model(seed=9, D=20, d_s=8, d_m=(8, 8), sigma2=0.2)
    n, N = 12, 14
    plug = model.expected(n, N, labels="shared", plug_in=True)
    mc = model.simulate(n, N, trials=120000, seed=41, labels="shared")
    K01 = plug.K[0, 1]
    G = mc["w2s_gram"]
    for m in range(2):
        assert_mc_close(
            G[:, m, m], plug.gram[m, m], label=f"non-commuting shared G[{m},{m}] (exact diagonal)"
        )
    off = mean_se(G[:, 0, 1])
    z = (off.value - plug.gram[0, 1]) / off.se
    relative = (plug.gram[0, 1] - off.value) / (K01 if K01 else 1.0)
    print(f"plug-in G[0,1] = {plug.gram[0, 1]:.4f}, MC {off.value:.4f} ± {off.se:.4f}, z = {z:.1f}; "
          f"plug-in K01 = {K01:.4f} off by {100 * relative:.1f}% of K01")  # fmt: skip
    assert abs(z) > 5, "the plug-in now matches: derive the exact form before trusting it"
    assert 0.05 < relative < 0.15  # measured 10.5% (z = -8.6): the plug-in overstates K_01


def test_a_curve_of_teacher_sizes_is_each_point_run_alone():
    """simulate_curve draws every normal once per trial and fits the teachers whose size does not vary
    once; each point's outputs are what simulate gives with the same seed there (to rounding), whichever
    teachers vary."""
    m = MultiTeacherModel.coverage("redundant")
    for points in (
        [[40, 45, 40, 16], [40, 60, 40, 52]],  # teachers 2 and 4 vary: fits reassembled out of order
        [[40, 40, 40, 16]] * 2,  # no teacher varies
    ):
        curve = m.simulate_curve(points, 30, trials=64, seed=3)
        for point, out in zip(points, curve, strict=True):
            alone = m.simulate(point, 30, trials=64, seed=3)
            assert out.keys() == alone.keys()
            for key, value in alone.items():
                scale = np.max(np.abs(value))
                np.testing.assert_allclose(
                    out[key], value, rtol=0, atol=1e-10 * scale, err_msg=f"{point} {key}"
                )


@pytest.mark.parametrize(
    ("points", "match"),
    [
        ([], "at least one point"),
        ([[40, 40, 40, 16], [40, 40, 40, 8]], r"same factor rows.*split the curve"),
        ([[40, 40, 16]], r"n\[0\] must be an integer or one integer per teacher \(M = 4\), got 3"),
        ([[40, 40, 40, 0]], r"n\[0\]\[3\] must be an integer >= 1"),
    ],
)
def test_bad_curves_are_rejected_naming_them(points, match):
    with pytest.raises(ValueError, match=match):
        MultiTeacherModel.coverage("redundant").simulate_curve(points, 30, trials=2)
