"""The user surface of the feature family: the registered digits figure (fast mode, its data checked
against the issue's criteria), the Markdown report and the ``features`` command."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from w2s_theory.cli import app  # noqa: E402
from w2s_theory.features import FeatureModel  # noqa: E402
from w2s_theory.features.report import markdown_report  # noqa: E402
from w2s_theory.figures import Mode, figure, figure_names  # noqa: E402
from w2s_theory.figures.style import forbidden_words  # noqa: E402
from w2s_theory.metrics import Estimate  # noqa: E402

FAST = Mode(fast=True, cache_dir=None, progress=False)
RISKS = ("weak", "strong", "ceiling", "w2s")


@pytest.fixture(scope="module")
def digits_figure():
    out = figure("features_digits").make(FAST)
    yield out
    plt.close(out.figure)


def test_digits_figure_is_registered_and_meets_the_issue_criteria_in_fast_mode(digits_figure):
    """At every fast-mode point (100 trials; sigma2 = 4): risks within 10% of the exact forms, and, up to
    the Monte Carlo resolution of 100 trials (3 SE), |dPGR| <= 0.06 where weak - ceiling >= 0.2 weak and
    |dOPR| <= 0.05 (the 1000-trial grid without allowance is ``test_features_digits.py``, slow; at
    (100, 50) the PGR here is 0.425 +- 0.042 against 0.304, and 0.329 +- 0.007 at 5000 trials). The
    stated PGR is far off (bias dominates)."""
    assert "features_digits" in figure_names()
    rows = digits_figure.data["table"]["rows"]
    assert {(r["n"], r["N"]) for r in rows} == {(44, 400), (100, 400), (100, 50)}
    for r in rows:
        for key in RISKS:
            assert abs(r[key]["exact"] / r[key]["measured"] - 1) <= 0.10, (r["n"], r["N"], key, r[key])
        if r["weak"]["exact"] - r["ceiling"]["exact"] >= 0.2 * r["weak"]["exact"]:
            assert abs(r["pgr"]["exact"] - r["pgr"]["measured"]) <= 0.06 + 3 * r["pgr"]["se"], (r, "pgr")
        assert abs(r["opr"]["exact"] - r["opr"]["measured"]) <= 0.05 + 3 * r["opr"]["se"], (r, "opr")
    assert min(r["pgr"]["stated"] for r in rows) < -2
    assert "| 44 | 400 | w2s |" in digits_figure.data["table"]["markdown"]


def test_digits_figure_panels_and_wording(digits_figure):
    data = digits_figure.data
    np.testing.assert_array_equal(data["vs_n"]["x"], [44, 100])
    np.testing.assert_array_equal(data["vs_N"]["x"], [50, 400])
    for panel in ("vs_n", "vs_N"):
        for key in RISKS + ("pgr", "opr"):
            d = data[panel][key]
            assert d["exact_fine"].shape == data[panel]["x_fine"].shape, (panel, key)
            assert np.all(d["mc_se"] > 0), (panel, key)
    assert not forbidden_words(digits_figure.figure)


def test_report_flags_a_non_gaussian_design():
    rng = np.random.default_rng(0)
    F = rng.standard_normal((200, 4))
    m = FeatureModel.from_features(F[:, :2] + 0.1 * rng.standard_normal((200, 2)), F, F[:, 0], 1.0, 2, 4)
    factors = {10: {"weak": Estimate(1.5, 0.01), "strong": Estimate(1.01, 0.01)}}
    text = markdown_report(m, [], factors, trials=7, authors_d_sw=1.23)
    assert "| 10 | 1.500 ± 0.01 **(> 1.2)** | 1.010 ± 0.01 |" in text
    assert "| the authors' overlap estimator" in text and "1.23" in text
    assert "## Predicted vs measured (7 trials per point)" in text


@pytest.fixture(scope="module")
def npy_files(tmp_path_factory):
    """A small problem with the shapes of the simulate tests (M = 300, d_w = d_s = 5; n = 12, N = 9 with 6
    trials), so the command reuses their compiled program."""
    rng = np.random.default_rng(0)
    F_s = rng.standard_normal((300, 5)) * np.array([3.0, 2.0, 1.0, 0.7, 0.5])
    F_w = F_s[:, :3] @ rng.standard_normal((3, 5)) + 0.5 * rng.standard_normal((300, 5))
    target = F_s @ np.array([1.0, -1.0, 0.5, 0.0, 2.0]) + np.sin(F_s[:, 0])
    d = tmp_path_factory.mktemp("features")
    for name, a in {"w": F_w, "s": F_s, "t": target, "y": target + rng.standard_normal(300)}.items():
        np.save(d / f"{name}.npy", a)
    return d


def _cli(d, *extra):
    args = ["features", str(d / "w.npy"), str(d / "s.npy"), "--k-w", "5", "--k-s", "5"]
    return CliRunner().invoke(app, args + ["--n", "12", "--N", "9", "--trials", "6", *extra])


def test_features_command_writes_report_and_figure(npy_files, tmp_path):
    result = _cli(npy_files, "--target", str(npy_files / "t.npy"), "--sigma2", "1.0", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    report = (tmp_path / "report.md").read_text()
    for heading in ("## Dimensions and overlap", "## Gaussian-design factors", "## Predicted vs measured"):
        assert heading in report
    assert "| sigma2 (given) | 1 |" in report and "| 12 | 9 | pgr |" in report
    assert (tmp_path / "features.png").stat().st_size > 10_000


def test_features_command_with_labels_estimates_sigma2(npy_files, tmp_path):
    result = _cli(npy_files, "--labels", str(npy_files / "y.npy"), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "| sigma2 (estimated: residual of y on the joint block" in (tmp_path / "report.md").read_text()


@pytest.mark.parametrize(
    "extra,match",
    [
        (("--sigma2", "1"), "give exactly one of --target"),
        (("--target", "t.npy", "--labels", "y.npy"), "give exactly one of --target"),
        (("--target", "t.npy"), "--target needs --sigma2"),
        (("--target", "t.npy", "--sigma2", "1", "--k-w", "9"), r"k_w=9 exceeds the rank"),
        (("--target", "t.npy", "--sigma2", "1", "--n", "6"), r"every n > max\(d_w, d_s\) \+ 1 = 6"),
    ],
)
def test_features_command_rejects_bad_input_naming_the_option(npy_files, tmp_path, extra, match):
    extra = tuple(str(npy_files / e) if e.endswith(".npy") else e for e in extra)
    result = _cli(npy_files, *extra, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert pytest.importorskip("re").search(match, " ".join(result.output.split())), result.output
