r"""The verification configurations of ``docs/theory/general_covariance.md`` §6 and the table that compares
the deterministic equivalents with Monte Carlo on them.

Each configuration is a model and a sample size / penalty setting: isotropic ridgeless, over-parameterised
student and ridge (A1–A3); power-law spectra :math:`\Sigma=\operatorname{diag}(k^{-a})`,
:math:`\beta_k=k^{-b}` with nested, partially overlapping, rotated and dense maps (P1–P4); over-parameterised
student and teacher (P5, P6, P6b); ridgeless with dense covariances, where the finite-size form is exact (P7).
Random maps are drawn from ``numpy.random.default_rng`` with the seeds below, so a configuration is the
same model on every machine.

:func:`verification_table` runs the Monte Carlo (through :meth:`GaussianCovariateModel.simulate`) and
returns one row per (configuration, estimator): DE, DE with the finite-size shift everywhere, MC mean ±
SE, relative error, z-score and the finite-size margin :math:`m-\mathrm{df}_2` of the estimator
(``n`` for teacher and baseline, ``N`` for the student, ``n + N`` for the ceiling; for W2S the smaller of
the teacher's and the student's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from w2s_theory.gcm.api import GaussianCovariateModel
from w2s_theory.gcm.model import Rotated
from w2s_theory.metrics import mean_se

RISK_KEYS = ("weak", "strong", "ceiling", "w2s")


@dataclass(frozen=True)
class Configuration:
    """A named model builder with its sample sizes and penalties."""

    name: str
    description: str
    build: Callable[[], GaussianCovariateModel]
    n: int
    N: int
    lam_w: float
    lam_s: float


def _isotropic(sigma2: float = 0.5, seed: int = 1) -> GaussianCovariateModel:
    """d = 400, p_w = 80, p_s = 160 sharing 40 directions of a random rotation, beta ~ N(0, 2 I/d)."""
    rng = np.random.default_rng(seed)
    d = 400
    Q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    beta = rng.standard_normal(d) * np.sqrt(2.0 / d)
    return GaussianCovariateModel.from_latent(np.eye(d), Q[:, :80], Q[:, 40:200], beta, sigma2)


def _dense(seed: int = 4) -> GaussianCovariateModel:
    """Sigma = diag(k^-1), beta_k = k^-1/2, d = 400; dense Gaussian maps A_w (80 features), A_s (250
    features, rows of the top-50 latent coordinates boosted 3x)."""
    rng = np.random.default_rng(seed)
    d = 400
    k = np.arange(1, d + 1, dtype=float)
    A_w = rng.standard_normal((d, 80)) / np.sqrt(d)
    A_s = rng.standard_normal((d, 250)) / np.sqrt(d)
    A_s[:50] *= 3.0
    return GaussianCovariateModel.from_latent(np.diag(1 / k), A_w, A_s, k**-0.5, 0.1)


def _power(a: float, b: float, d: int, weak, strong, seed: int = 0) -> Callable[[], GaussianCovariateModel]:
    return lambda: GaussianCovariateModel.power_law(a, b, d, weak, strong, sigma2=0.1, seed=seed)


def _coords(*ranges: tuple[int, int]) -> np.ndarray:
    """1-based coordinates of the inclusive ranges."""
    return np.concatenate([np.arange(lo, hi + 1) for lo, hi in ranges])


CONFIGURATIONS: dict[str, Configuration] = {
    c.name: c
    for c in [
        Configuration("A1_iso_ridgeless", "isotropic, ridgeless", _isotropic, 240, 800, 0.0, 0.0),
        Configuration("A2_iso_overN", "isotropic, min-norm student N < p_s", _isotropic, 240, 110, 0.0, 0.0),
        Configuration("A3_iso_ridge", "isotropic, ridge 0.1, baseline n < p_s", _isotropic, 120, 800, 0.1, 0.1),
        Configuration(
            "P1_a1.0_nested", "a=1, b=.5, weak top-50 in strong top-200",
            _power(1.0, 0.5, 500, _coords((1, 50)), _coords((1, 200))), 300, 1500, 1e-3, 1e-3,
        ),
        Configuration(
            "P2_a1.5_partial", "a=1.5, b=1, weak 1-60, strong 1-30 and 61-230",
            _power(1.5, 1.0, 500, _coords((1, 60)), _coords((1, 30), (61, 230))), 200, 1000, 1e-3, 1e-3,
        ),
        Configuration(
            "P3_a1.5_rotated", "a=1.5, b=1, weak top-60, strong random 200-dim of top-400",
            _power(1.5, 1.0, 500, _coords((1, 60)), Rotated(200, 400), seed=3), 200, 1000, 0.1, 0.1,
        ),
        Configuration("P4_a1.0_dense", "a=1, b=.5, dense maps 80 / 250", _dense, 300, 1200, 0.1, 1e-3),
        Configuration(
            "P5_a1.0_overN", "a=1, b=.5, strong 1-20 and 61-340, N=150 < p_s=300",
            _power(1.0, 0.5, 500, _coords((1, 60)), _coords((1, 20), (61, 340))), 200, 150, 1e-8, 1e-8,
        ),
        Configuration(
            "P6_a1.5_overn", "a=1.5, b=1, min-norm teacher p_w=100 > n=60",
            _power(1.5, 1.0, 500, _coords((1, 100)), Rotated(150, 300), seed=6), 60, 600, 0.0, 1e-3,
        ),
        Configuration(
            "P6b_a1.5_overn_big", "as P6, 2.5x larger: p_w=250 > n=150",
            _power(1.5, 1.0, 500, _coords((1, 250)), Rotated(200, 400), seed=7), 150, 1000, 0.0, 1e-3,
        ),
        Configuration(
            "P7_a1.0_ridgeless_exact", "a=1, b=.5, weak top-60, strong random 200-dim of top-400, ridgeless",
            _power(1.0, 0.5, 500, _coords((1, 60)), Rotated(200, 400), seed=8), 150, 800, 0.0, 0.0,
        ),
    ]
}  # fmt: skip


def margins(de: dict[str, float], c: Configuration) -> dict[str, float]:
    r"""The finite-size margin :math:`m-\mathrm{df}_2` of each estimator (module docstring)."""
    teacher = c.n - de["d_w"]
    return {
        "weak": teacher,
        "strong": c.n - de["df2_strong"],
        "ceiling": c.n + c.N - de["df2_ceiling"],
        "w2s": min(teacher, c.N - de["d_s"]),
    }


def verification_rows(c: Configuration, trials: int, seed: int = 0, **simulate_kw) -> list[dict]:
    """DE vs MC for the four estimators of one configuration (see :func:`verification_table`)."""
    model = c.build()
    de = model.expected_risks(c.n, c.N, c.lam_w, c.lam_s)
    de_on = model.expected_risks(c.n, c.N, c.lam_w, c.lam_s, finite_size="on")
    mc = model.simulate(c.n, c.N, trials=trials, seed=seed, lam_w=c.lam_w, lam_s=c.lam_s, **simulate_kw)
    margin = margins(de, c)
    rows = []
    for key in RISK_KEYS:
        est = mean_se(mc[key])
        rows.append(
            {
                "config": c.name,
                "estimator": key,
                "de": de[key],
                "de_fs_on": de_on[key],
                "mc": est.value,
                "se": est.se,
                "rel_err": (de[key] - est.value) / est.value,
                "z": (de[key] - est.value) / est.se,
                "margin": margin[key],
                "trials": trials,
            }
        )
    return rows


def verification_table(trials: int = 2000, seed: int = 0, names: list[str] | None = None) -> list[dict]:
    """Rows ``config, estimator, de, de_fs_on, mc, se, rel_err (DE - MC)/MC, z (DE - MC)/SE, margin,
    trials`` for every configuration in ``names`` (default: all of :data:`CONFIGURATIONS`)."""
    rows: list[dict] = []
    for name in names or list(CONFIGURATIONS):
        rows += verification_rows(CONFIGURATIONS[name], trials, seed)
    return rows


def markdown(rows: list[dict]) -> str:
    """The table as markdown (``docs/theory/general_covariance.md`` §6)."""
    lines = [
        "| config | estimator | DE | DE (shift on) | MC ± SE | rel. err | z | m − df2 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['config']} | {r['estimator']} | {r['de']:.5g} | {r['de_fs_on']:.5g} | "
            f"{r['mc']:.5g} ± {r['se']:.2g} | {100 * r['rel_err']:+.2f}% | {r['z']:+.1f} | {r['margin']:.1f} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------- the finite-size rule (§5, §6.4)
def _linear_ratio_shift(e: np.ndarray, kappa: np.ndarray, m: np.ndarray) -> np.ndarray:
    """df2/df1, capped like the default (the un-squared candidate)."""
    frac = e / (e + kappa[..., None])
    d1, d2 = frac.sum(-1), (frac * frac).sum(-1)
    return np.where(kappa == 0, 1.0, np.minimum(d2 / d1, (m - d2) / 2))


#: The candidate finite-size shifts compared in ``docs/theory/general_covariance.md`` §6.4: the default
#: ("auto", (df2/df1)^2 capped), the shift only where kappa = 0 ("ridgeless"), everywhere, nowhere, and
#: the un-squared ratio df2/df1.
SHIFT_RULES: dict[str, object] = {
    "auto": "auto",
    "ridgeless": "ridgeless",
    "on": "on",
    "off": "off",
    "df2/df1": _linear_ratio_shift,
}


def _study_models() -> dict[str, Callable[[], GaussianCovariateModel]]:
    def iso() -> GaussianCovariateModel:
        rng = np.random.default_rng(5)
        d = 120
        beta = rng.standard_normal(d) / np.sqrt(d) * 1.5
        return GaussianCovariateModel.from_latent(np.eye(d), np.eye(d)[:, :60], np.eye(d)[:, :100], beta, 0.5)

    def law(a: float, b: float) -> Callable[[], GaussianCovariateModel]:
        return lambda: GaussianCovariateModel.power_law(a, b, 300, range(1, 61), range(1, 101), sigma2=0.1)

    return {"iso": iso, "a1": law(1.0, 0.5), "a1.5": law(1.5, 1.0)}


def shift_study_configurations() -> list[Configuration]:
    """A second, independent set of settings for the finite-size rule (§6.4): isotropic and power-law
    (a = 1, 1.5) models with weak = top 60 and strong = top 100 coordinates, N = 400; under-parameterised
    ridge (n = 150, five penalties), ridgeless with an over-parameterised strong learner (n = 40, 70, 85)
    and over-parameterised ridge (n = 50, three penalties)."""
    out = []
    for name, build in _study_models().items():
        settings = [(150, lam, lam) for lam in (1e-4, 1e-3, 1e-2, 0.1, 1.0)]
        settings += [(n, 0.0, 0.0) for n in (40, 70, 85)]
        settings += [(50, lam, lam) for lam in (1e-3, 1e-2, 0.1)]
        for n, lam_w, lam_s in settings:
            out.append(Configuration(f"{name} n={n} lam={lam_w:g}", name, build, n, 400, lam_w, lam_s))
    return out


def shift_study(configurations: list[Configuration], trials: int = 4000, seed: int = 1) -> list[dict]:
    """Monte Carlo of teacher, strong baseline and W2S for each configuration, with the DE under every rule
    of :data:`SHIFT_RULES`: rows ``config, estimator, mc, se, margin`` and one DE column per rule."""
    rows = []
    models: dict[str, GaussianCovariateModel] = {}
    for c in configurations:
        model = models.setdefault(c.description, c.build())
        mc = model.simulate(c.n, c.N, trials=trials, seed=seed, lam_w=c.lam_w, lam_s=c.lam_s, chunk_size=250)
        de = {
            rule: model.expected_risks(c.n, c.N, c.lam_w, c.lam_s, finite_size=f)
            for rule, f in SHIFT_RULES.items()
        }
        margin = margins(de["off"], c)
        for key in ("weak", "strong", "w2s"):
            est = mean_se(mc[key])
            rows.append(
                {"config": c.name, "estimator": key, "mc": est.value, "se": est.se, "margin": margin[key]}
                | {rule: de[rule][key] for rule in SHIFT_RULES}
            )
    return rows


def shift_summary(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per rule: mean and max |relative error|, rms z, rows with |z| > 3 and with |rel. error| > 2%."""
    out = {}
    for rule in SHIFT_RULES:
        rel = np.array([(r[rule] - r["mc"]) / r["mc"] for r in rows])
        z = np.array([(r[rule] - r["mc"]) / r["se"] for r in rows])
        out[rule] = {
            "mean_abs_rel": float(np.mean(np.abs(rel))),
            "max_abs_rel": float(np.max(np.abs(rel))),
            "rms_z": float(np.sqrt(np.mean(z**2))),
            "z_above_3": int(np.sum(np.abs(z) > 3)),
            "rel_above_2pct": int(np.sum(np.abs(rel) > 0.02)),
        }
    return out
