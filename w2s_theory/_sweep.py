"""Sweeps that lose nothing: per-point storage written atomically as each point finishes, and resume.

A sweep is a list of *points* (JSON-able parameter dicts) and an ``evaluate(params, key)`` function that
returns a dict of numpy arrays. Each point's key is
``fold_in(key(seed), crc32(canonical_json(params)))``: a point's numbers depend only on the seed and its
own parameters, not on its position in the grid, the other points, the order, chunking or devices. So a
resumed sweep, a sweep with points added, and a figure sharing points with another figure all reuse the
same stored results.

Storage: ``<store>/<digest>.npz`` where ``digest`` hashes (params, seed, version); the params are stored
inside the file too and checked on load. Files are written to a temporary name and ``os.replace``-d, so a
killed run leaves either a complete point or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np
from tqdm.auto import tqdm

from w2s_theory._random import Seed, as_key

#: Bump when the meaning of stored results changes, so old stores are not silently reused.
STORE_VERSION = 1

Params = Mapping[str, Any]
Evaluate = Callable[[Params, jax.Array], Mapping[str, np.ndarray]]


def canonical_json(params: Params) -> str:
    """Deterministic JSON of a point (sorted keys, floats via repr)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"sweep parameters must be JSON-serialisable, got {type(value).__name__}")


def point_key(seed: Seed, params: Params) -> jax.Array:
    """The PRNG key of one sweep point: a function of the seed and the point's own parameters only."""
    return jax.random.fold_in(as_key(seed), zlib.crc32(canonical_json(params).encode()) & 0x7FFFFFFF)


def _digest(params: Params, seed: int) -> str:
    blob = json.dumps({"params": canonical_json(params), "seed": seed, "version": STORE_VERSION})
    return hashlib.sha1(blob.encode()).hexdigest()[:20]


def _load(path: Path, params: Params) -> dict[str, np.ndarray] | None:
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            if str(f["__params__"]) != canonical_json(params):
                return None
            return {k: f[k] for k in f.files if k != "__params__"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # missing or truncated: recompute
        return None


def _save_atomic(path: Path, params: Params, result: Mapping[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(
                f,
                __params__=np.array(canonical_json(params)),
                **{k: np.asarray(v) for k, v in result.items()},
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_sweep(
    points: Sequence[Params],
    evaluate: Evaluate,
    *,
    seed: int = 0,
    store: Path | None = None,
    desc: str = "sweep",
    progress: bool = True,
) -> list[dict[str, np.ndarray]]:
    """Evaluate every point (reusing stored results), with a progress bar and ETA.

    With ``store`` set, each finished point is written atomically before the next starts, and points
    already stored with identical parameters and seed are loaded instead of recomputed (resume).
    """
    if store is not None and store.exists():
        for stale in store.glob(".tmp-*"):  # left by a killed run: never a complete point
            stale.unlink(missing_ok=True)
    results: list[dict[str, np.ndarray] | None] = [None] * len(points)
    todo = []
    for i, params in enumerate(points):
        if store is not None:
            results[i] = _load(store / f"{_digest(params, seed)}.npz", params)
        if results[i] is None:
            todo.append(i)
    bar = tqdm(total=len(points), initial=len(points) - len(todo), desc=desc, disable=not progress, unit="pt")
    try:
        for i in todo:
            out = {k: np.asarray(v) for k, v in evaluate(points[i], point_key(seed, points[i])).items()}
            if store is not None:
                _save_atomic(store / f"{_digest(points[i], seed)}.npz", points[i], out)
            results[i] = out
            bar.update(1)
    finally:
        bar.close()
    return [r for r in results if r is not None]
