"""Sweeps of any family from a TOML config (``w2s-theory sweep CONFIG.toml --out DIR``).

.. code-block:: toml

    seed = 0          # Monte Carlo seed (each point's key also depends on its own parameters)
    trials = 40
    engine = "wishart"  # optional, for families with several engines (the subspace model)

    [model]           # a model kind (see MODEL_KINDS) and its constructor arguments
    kind = "notebook"
    doff = 90
    sigma2 = 0.01

    [grid]            # cartesian product; the kind's sizes are required, any [model] argument may be swept
    n = [400, 2000]
    N = [4000]
    sigma2 = [0.01, 0.1]

Kinds: ``notebook``, ``coordinate``, ``principal_angles`` (the subspace model; grid needs ``n``, ``N``),
``spurious_canonical``, ``spurious_random`` (the group-imbalance model; grid needs ``n``, ``N``,
``eta_l``, ``eta_u``, ``eta_t``) and ``remedy`` (Enhanced-W2S in the classification group model; grid
needs ``n``, ``N``, ``eta_l``, ``eta_u``, ``eta_t``, ``p``, ``q``; options ``head``, ``init``,
``pseudolabels``). The whole config is validated, and every point's model built, before
any work starts; an error names the offending key.

``summary.csv`` has one row per point: the point's parameters, the model's invariants (``d_sw``,
``rho_w``, ``rho_s``, ... or ``p_T``, ``p_S``, ``xi2``, ...), and for every risk its Monte Carlo mean,
SE and closed-form value; where the family defines them, PGR and OPR as ratio of means (with delta-method
SE), as mean of per-trial ratios (with SE), and exact.
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

from w2s_theory._sweep import Params, atomic_open, run_sweep
from w2s_theory.discrepancy.sweep import KINDS as DISCREPANCY_KINDS
from w2s_theory.metrics import (
    mean_of_ratios,
    mean_se,
    opr_ratio_of_means,
    per_trial_opr,
    per_trial_pgr,
    pgr_ratio_of_means,
)
from w2s_theory.remedy.sweep import KINDS as REMEDY_KINDS
from w2s_theory.spurious.sweep import KINDS as SPURIOUS_KINDS
from w2s_theory.sweep_kind import ModelKind

#: Every model kind a sweep can use: one table per family.
MODEL_KINDS: dict[str, ModelKind] = {**DISCREPANCY_KINDS, **SPURIOUS_KINDS, **REMEDY_KINDS}
TOP_LEVEL = frozenset({"seed", "trials", "engine", "model", "grid"})


class ConfigError(ValueError):
    """A malformed sweep config; the message names the offending key."""


@dataclass(frozen=True)
class SweepConfig:
    seed: int
    trials: int
    kind: ModelKind
    points: list[dict[str, Any]]


def _kind(point: Mapping[str, Any]) -> ModelKind:
    return MODEL_KINDS[point["kind"]]


def build_model(point: Mapping[str, Any]) -> Any:
    """The model of one sweep point (its ``kind`` and constructor arguments)."""
    kind = _kind(point)
    return kind.build(**{k: v for k, v in point.items() if k in kind.arguments})  # options go to simulate


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")


def parse_config(raw: Mapping[str, Any]) -> SweepConfig:
    """Validate a config mapping (as read from TOML) and expand its grid into points."""
    unknown = set(raw) - TOP_LEVEL
    if unknown:
        raise ConfigError(f"unknown top-level key {sorted(unknown)[0]!r}; allowed: {sorted(TOP_LEVEL)}")
    seed, trials = raw.get("seed", 0), raw.get("trials", 40)
    _check_int("seed", seed, 0)
    _check_int("trials", trials, 2)  # a standard error needs two trials
    model = dict(raw.get("model", {}))
    name = model.pop("kind", None)
    if name not in MODEL_KINDS:
        raise ConfigError(f"model.kind must be one of {sorted(MODEL_KINDS)}, got {name!r}")
    kind = MODEL_KINDS[name]
    engine = raw.get("engine", kind.engines[0] if kind.engines else None)
    if "engine" in raw and engine not in kind.engines:
        raise ConfigError(f"engine must be one of {kind.engines} for model.kind = {name!r}, got {engine!r}")
    for key in model:
        if key not in kind.arguments | set(kind.options):
            raise ConfigError(
                f"model.{key} is not an argument of the {name!r} model; allowed: {sorted(kind.arguments)}"
            )
        if key in kind.options and model[key] not in kind.options[key]:
            raise ConfigError(f"model.{key} must be one of {kind.options[key]}, got {model[key]!r}")
    grid = raw.get("grid")
    if not isinstance(grid, Mapping):
        raise ConfigError(f"missing [grid] table (it needs at least {', '.join(kind.sizes)})")
    for key in kind.sizes:
        if key not in grid and key not in model:
            raise ConfigError(f"grid.{key} is required")
    for key, values in grid.items():
        if key not in kind.arguments | set(kind.sizes) | set(kind.options):
            raise ConfigError(
                f"grid.{key} is neither one of {', '.join(kind.sizes)} nor an argument of the {name!r} model"
            )
        if not isinstance(values, list) or not values:
            raise ConfigError(f"grid.{key} must be a non-empty list, got {values!r}")
        if key in ("n", "N") and not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
        ):
            raise ConfigError(f"grid.{key} must hold integers >= 1, got {values!r}")
        if key in kind.options and not all(v in kind.options[key] for v in values):
            raise ConfigError(f"grid.{key} must hold values from {kind.options[key]}, got {values!r}")
    axes = list(grid)
    fixed = {"kind": name, **model, "trials": trials} | ({"engine": engine} if engine else {})
    points = [
        fixed | dict(zip(axes, combo, strict=True)) for combo in itertools.product(*(grid[a] for a in axes))
    ]
    for point in points:  # every model must build, and every point validate, before any work starts
        try:
            kind.check(build_model(point), point)
        except (ValueError, TypeError) as err:
            raise ConfigError(f"model at grid point {point}: {err}") from err
    return SweepConfig(seed, trials, kind, points)


def load_config(path: Path) -> SweepConfig:
    """Read and validate a TOML sweep config."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_config(raw)


def evaluate_point(point: Params, key: jax.Array) -> dict[str, np.ndarray]:
    """Per-trial risks of one point."""
    kind = _kind(point)
    mc = kind.simulate(build_model(point), point, key)
    return {k: mc[k] for k in kind.risks}


def run(config: SweepConfig, out: Path, *, resume: bool, progress: bool = True) -> Path:
    """Run (or resume) a sweep into ``out``; returns the path of the summary CSV."""
    store = out / "points"
    if store.exists() and any(p for p in store.iterdir() if not p.name.startswith(".")) and not resume:
        raise FileExistsError(
            f"{out} already holds results: pass --resume to continue, or choose another --out"
        )
    results = run_sweep(
        config.points, evaluate_point, seed=config.seed, store=store, desc="sweep", progress=progress
    )
    return _write_summary(config, results, out / "summary.csv")


def _summary_row(kind: ModelKind, point: Mapping[str, Any], res: Mapping[str, np.ndarray]) -> dict[str, Any]:
    model = build_model(point)
    try:
        exact = kind.exact(model, point)
    except ValueError:  # exact expectation infinite (n <= d_w + 1, ...): left blank, never NaN
        exact = {}
    row: dict[str, Any] = dict(point) | kind.invariants(model)
    for r in kind.risks:
        est = mean_se(res[r])
        row |= {f"{r}_mc": est.value, f"{r}_se": est.se, f"{r}_exact": exact.get(r, "")}
    ratios, floor = {}, kind.floor(model)
    if kind.roles.ceiling is not None:
        ratios["pgr"] = (
            pgr_ratio_of_means(res, kind.roles, floor=floor),
            per_trial_pgr(res, kind.roles, floor=floor),
        )
    if kind.roles.baseline is not None:
        ratios["opr"] = (
            opr_ratio_of_means(res, kind.roles, floor=floor),
            per_trial_opr(res, kind.roles, floor=floor),
        )
    for name, (rom, per_trial) in ratios.items():
        mor = mean_of_ratios(per_trial)
        row |= {
            f"{name}_ratio_of_means": rom.value,
            f"{name}_ratio_of_means_se": rom.se,
            f"{name}_mean_of_ratios": mor.value,
            f"{name}_mean_of_ratios_se": mor.se,
            f"{name}_exact": exact.get(name, ""),
        }
    return row


def _write_summary(config: SweepConfig, results: list[dict[str, np.ndarray]], path: Path) -> Path:
    rows = [_summary_row(config.kind, p, r) for p, r in zip(config.points, results, strict=True)]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with atomic_open(path, newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, restval="")
        w.writeheader()
        w.writerows(rows)
    return path
