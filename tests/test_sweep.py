"""The sweep runner: per-point keys, atomic storage, resume after SIGKILL, config validation."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from w2s_theory._sweep import point_key, run_sweep
from w2s_theory.discrepancy.sweep import ConfigError, parse_config

CONFIG = """
seed = 3
trials = 40
[model]
kind = "coordinate"
d_w = 6
d_s = 4
d_sw = 2
sigma2 = 1.0
[grid]
n = [12, 20, 30, 45]
N = [30, 60]
sigma2 = [0.5, 1.0]
"""


def _load_points(directory: Path) -> dict[str, dict[str, np.ndarray]]:
    out = {}
    for path in sorted((directory / "points").glob("[!.]*.npz")):  # finished points, not temp files
        with np.load(path) as f:
            out[str(f["__params__"])] = {k: f[k] for k in f.files}
    return out


def test_point_results_depend_only_on_seed_and_own_params(tmp_path):
    calls = []

    def evaluate(params, key):
        calls.append(params["a"])
        return {"x": np.asarray(jax_uniform(key))}

    pts = [{"a": 1}, {"a": 2}, {"a": 3}]
    full = run_sweep(pts, evaluate, seed=7, store=tmp_path, progress=False)
    reordered = run_sweep(pts[::-1], evaluate, seed=7, store=None, progress=False)
    assert [r["x"] for r in full] == [r["x"] for r in reordered[::-1]]
    calls.clear()
    again = run_sweep(pts + [{"a": 4}], evaluate, seed=7, store=tmp_path, progress=False)
    assert calls == [4]  # only the new point is computed; the rest are loaded
    assert [r["x"] for r in again[:3]] == [r["x"] for r in full]


def jax_uniform(key):
    import jax

    return jax.random.uniform(key)


def test_truncated_point_file_is_recomputed(tmp_path):
    pts = [{"a": 1}]
    run_sweep(pts, lambda p, k: {"x": np.ones(3)}, store=tmp_path, progress=False)
    (path,) = tmp_path.glob("*.npz")
    path.write_bytes(path.read_bytes()[:20])
    out = run_sweep(pts, lambda p, k: {"x": np.zeros(3)}, store=tmp_path, progress=False)
    np.testing.assert_array_equal(out[0]["x"], np.zeros(3))


def test_point_key_is_order_free():
    assert np.array_equal(
        np.asarray(jax_uniform(point_key(0, {"b": 2, "a": 1}))),
        np.asarray(jax_uniform(point_key(0, {"a": 1, "b": 2}))),
    )


def _cli(*args):
    return [sys.executable, "-m", "w2s_theory.cli", "sweep", *args]


@pytest.mark.timeout(240)
def test_sweep_killed_with_sigkill_resumes_to_identical_results(tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(CONFIG)
    subprocess.run(_cli(str(cfg), "--out", str(tmp_path / "clean")), check=True, capture_output=True)
    clean = _load_points(tmp_path / "clean")
    assert len(clean) == 16

    proc = subprocess.Popen(_cli(str(cfg), "--out", str(tmp_path / "killed")), stderr=subprocess.DEVNULL)
    points = tmp_path / "killed" / "points"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(points.glob("[!.]*.npz")) if points.exists() else []) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(points.glob("[!.]*.npz")))
    assert 3 <= done < 16, f"kill landed after {done} points"

    refused = subprocess.run(
        _cli(str(cfg), "--out", str(tmp_path / "killed")), capture_output=True, text=True
    )
    assert refused.returncode != 0 and "--resume" in refused.stderr + refused.stdout
    subprocess.run(
        _cli(str(cfg), "--out", str(tmp_path / "killed"), "--resume"), check=True, capture_output=True
    )
    resumed = _load_points(tmp_path / "killed")
    assert resumed.keys() == clean.keys()
    assert not list(points.glob(".tmp-*"))  # the resume cleared what the kill left half-written
    for k in clean:
        for name in clean[k]:
            np.testing.assert_array_equal(resumed[k][name], clean[k][name])
    assert (tmp_path / "killed" / "summary.csv").read_text() == (
        tmp_path / "clean" / "summary.csv"
    ).read_text()


BASE = {"seed": 0, "trials": 5, "model": {"kind": "coordinate", "d_w": 3, "d_s": 2, "d_sw": 1, "sigma2": 1.0},
        "grid": {"n": [10], "N": [10]}}  # fmt: skip


@pytest.mark.parametrize(
    "patch,match",
    [
        ({"trails": 5}, "unknown top-level key 'trails'"),
        ({"trials": 0}, "trials must be an integer >= 1"),
        ({"model": {"kind": "torch"}}, "model.kind must be one of"),
        (
            {"model": {"kind": "coordinate", "d_w": 3, "d_s": 2, "d_sw": 1, "sigma": 1.0}},
            "model.sigma is not",
        ),
        ({"grid": {"n": [10]}}, "grid.N is required"),
        ({"grid": {"n": [10], "N": []}}, "grid.N must be a non-empty list"),
        ({"grid": {"n": [10.5], "N": [10]}}, "grid.n must hold integers"),
        ({"grid": {"n": [10], "N": [10], "doff": [1]}}, "grid.doff is neither"),
        ({"grid": {"n": [10], "N": [10], "sigma2": [-1.0]}}, "sigma2 must be a finite number >= 0"),
    ],
)
def test_malformed_config_is_rejected_naming_the_key(patch, match):
    with pytest.raises(ConfigError, match=match):
        parse_config(BASE | patch)


def test_malformed_config_rejected_by_cli_before_work(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(CONFIG.replace("N = [30, 60]", "N = [30, 0]"))
    res = subprocess.run(_cli(str(cfg), "--out", str(tmp_path / "o")), capture_output=True, text=True)
    assert res.returncode != 0 and "grid.N" in res.stderr + res.stdout
    assert not (tmp_path / "o").exists()
