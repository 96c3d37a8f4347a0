"""Sweeps of the subspace model from a TOML config (``w2s-theory sweep CONFIG.toml --out DIR``).

.. code-block:: toml

    seed = 0          # Monte Carlo seed (each point's key also depends on its own parameters)
    trials = 40

    [model]           # a SubspaceModel constructor and its arguments
    kind = "notebook" # "notebook" | "coordinate" | "principal_angles"
    doff = 90
    sigma2 = 0.01

    [grid]            # cartesian product; n and N are required, any [model] argument may be swept too
    n = [400, 2000]
    N = [4000]
    sigma2 = [0.01, 0.1]

The whole config is validated before any work starts; an error names the offending key.
"""

from __future__ import annotations

import csv
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import numpy as np

from w2s_theory._sweep import Params, run_sweep
from w2s_theory.discrepancy.model import SubspaceModel
from w2s_theory.metrics import mean_se

RISKS = ("weak", "strong", "ceiling", "w2s")

#: Constructor and allowed arguments of each model kind.
MODEL_KINDS: dict[str, tuple[Any, frozenset[str]]] = {
    "notebook": (
        SubspaceModel.notebook,
        frozenset({"d", "d_w", "d_s", "doff", "d_gt", "cov_pow", "sigma2", "seed"}),
    ),
    "coordinate": (SubspaceModel.coordinate, frozenset({"d_w", "d_s", "d_sw", "sigma2", "D"})),
    "principal_angles": (
        SubspaceModel.from_principal_angles,
        frozenset({"angles", "d_w", "d_s", "sigma2", "D"}),
    ),
}
TOP_LEVEL = frozenset({"seed", "trials", "model", "grid"})


class ConfigError(ValueError):
    """A malformed sweep config; the message names the offending key."""


@dataclass(frozen=True)
class SweepConfig:
    seed: int
    trials: int
    points: list[dict[str, Any]]


def build_model(point: Mapping[str, Any]) -> SubspaceModel:
    """The model of one sweep point (its ``kind`` and constructor arguments)."""
    make, allowed = MODEL_KINDS[point["kind"]]
    return make(**{k: v for k, v in point.items() if k in allowed})


def parse_config(raw: Mapping[str, Any]) -> SweepConfig:
    """Validate a config mapping (as read from TOML) and expand its grid into points."""
    unknown = set(raw) - TOP_LEVEL
    if unknown:
        raise ConfigError(f"unknown top-level key {sorted(unknown)[0]!r}; allowed: {sorted(TOP_LEVEL)}")
    seed, trials = raw.get("seed", 0), raw.get("trials", 40)
    for name, value in (("seed", seed), ("trials", trials)):
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == "seed" else 1):
            raise ConfigError(f"{name} must be an integer >= {0 if name == 'seed' else 1}, got {value!r}")
    model = dict(raw.get("model", {}))
    kind = model.pop("kind", None)
    if kind not in MODEL_KINDS:
        raise ConfigError(f"model.kind must be one of {sorted(MODEL_KINDS)}, got {kind!r}")
    allowed = MODEL_KINDS[kind][1]
    for key in model:
        if key not in allowed:
            raise ConfigError(
                f"model.{key} is not an argument of the {kind!r} model; allowed: {sorted(allowed)}"
            )
    grid = raw.get("grid")
    if not isinstance(grid, Mapping):
        raise ConfigError("missing [grid] table (it needs at least n and N)")
    for key in ("n", "N"):
        if key not in grid:
            raise ConfigError(f"grid.{key} is required")
    for key, values in grid.items():
        if key not in allowed | {"n", "N"}:
            raise ConfigError(f"grid.{key} is neither n, N nor an argument of the {kind!r} model")
        if not isinstance(values, list) or not values:
            raise ConfigError(f"grid.{key} must be a non-empty list, got {values!r}")
        if key in ("n", "N") and not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
        ):
            raise ConfigError(f"grid.{key} must hold integers >= 1, got {values!r}")
    axes = list(grid)
    points = [
        {"kind": kind, **model, **dict(zip(axes, combo, strict=True)), "trials": trials}
        for combo in itertools.product(*(grid[a] for a in axes))
    ]
    for point in points:  # every model must build before any work starts
        try:
            build_model(point)
        except (ValueError, TypeError) as err:
            raise ConfigError(f"model at grid point {point}: {err}") from err
    return SweepConfig(seed, trials, points)


def load_config(path: Path) -> SweepConfig:
    """Read and validate a TOML sweep config."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_config(raw)


def evaluate_point(point: Params, key: jax.Array) -> dict[str, np.ndarray]:
    """Per-trial risks of one point."""
    mc = build_model(point).simulate(point["n"], point["N"], trials=point["trials"], seed=key)
    return {k: mc[k] for k in RISKS}


def run(config: SweepConfig, out: Path, *, resume: bool, progress: bool = True) -> Path:
    """Run (or resume) a sweep into ``out``; returns the path of the summary CSV."""
    store = out / "points"
    if store.exists() and any(store.iterdir()) and not resume:
        raise FileExistsError(
            f"{out} already holds results: pass --resume to continue, or choose another --out"
        )
    results = run_sweep(
        config.points, evaluate_point, seed=config.seed, store=store, desc="sweep", progress=progress
    )
    return _write_summary(config, results, out / "summary.csv")


def _write_summary(config: SweepConfig, results: list[dict[str, np.ndarray]], path: Path) -> Path:
    keys = sorted({k for p in config.points for k in p})
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(keys + [f"{r}_{s}" for r in RISKS for s in ("mc", "se", "exact")])
        for point, res in zip(config.points, results, strict=True):
            try:
                exact = build_model(point).expected_risks(point["n"], point["N"])
            except ValueError:  # exact expectation infinite (n <= d_w + 1, ...): left blank, never NaN
                exact = {}
            row = [point.get(k, "") for k in keys]
            for r in RISKS:
                est = mean_se(res[r]) if res[r].size > 1 else None
                row += [est.value if est else res[r].mean(), est.se if est else "", exact.get(r, "")]
            w.writerow(row)
    return path
